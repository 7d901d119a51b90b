// Campaigns in a real Chromium against a real server started as a newcomer starts it (the demo
// workspace, whose sandbox e-mail channel delivers over Rapport's own SMTP server into the Sandbox
// inbox): the owner opens the "Dormant 30 days" starter segment, presses "Send a campaign", builds
// an A/B test of two e-mail templates with a 10% holdout in the wizard (the live audience count,
// the share check), sends it now, watches the messages arrive in the Sandbox inbox, and reads the
// report: groups A, B and the holdout with the targeted and sent figures the API gives, the uplift
// sentences, last-touch attribution labelled as such, the recipients. The same pages in Korean; a
// time in the past refused by the server and shown at its field; no console errors.
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiAs, eventually, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let call: Api;
let consoleErrors: string[];

const poll = { timeout: 60_000, interval: 500 };
type Segment = { id: string; name: string; size: number; starterKey: string | null; lastComputedAt: string | null };
type Group = { key: string; targeted: number; sent: number; waiting: number; suppressed: number };
type Report = { groups: Group[] };

let dormant: Segment;
const TEMPLATES = { A: 'Win-back A', B: 'Win-back B' } as const;
const SUBJECTS = { A: 'We miss you (A)', B: 'Come back for 10% off (B)' } as const;

/**
 * The starter segment "Dormant 30 days" once the demo has settled: its shop behaviour loaded and
 * scored (the last step of the demo), and the segment's membership, which follows the behaviour
 * through the segments' outbox, unchanged over three readings a second apart.
 */
async function dormantSegment(): Promise<Segment> {
  await eventually(
    'the demo behaviour and its analytics run',
    async () => ((await call<{ runs: { scores?: { status: string } | null } }>('GET', '/api/analytics/overview')).body.runs?.scores?.status === 'succeeded' ? true : undefined),
    180_000,
  );
  const read = async () => {
    const s = (await call<{ segments: Segment[] }>('GET', '/api/segments')).body.segments?.find((x) => x.starterKey === 'dormant-30d');
    if (!s?.lastComputedAt) return { s, key: '' };
    const count = await call<{ total: number }>('POST', '/api/campaigns/audience-count', { audience: { segmentIds: [s.id] }, purpose: 'marketing' });
    return { s, key: `${s.size}/${count.body.total}` };
  };
  let last = '';
  let same = 0;
  return eventually(
    'the "Dormant 30 days" segment to settle',
    async () => {
      const { s, key } = await read();
      same = key && key === last ? same + 1 : 0;
      last = key;
      if (same < 2) await new Promise((r) => setTimeout(r, 1_000));
      return same >= 2 && s && s.size > 0 ? s : undefined;
    },
    60_000,
  );
}

/** Quiet hours of one minute, twelve hours from now on Seoul's clock (the demo customers'): the campaign's ads go out now, whatever time the test runs. */
async function quietHoursElsewhere(): Promise<void> {
  const hm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Seoul', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  const start = new Date(Date.now() + 12 * 3_600_000);
  const res = await call('PUT', '/api/messaging/settings', { quietHours: { start: hm(start), end: hm(new Date(start.getTime() + 60_000)) } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function emailTemplate(name: string, subject: string): Promise<string> {
  const res = await call<{ id: string }>('POST', '/api/templates', {
    name,
    kind: 'email',
    purpose: 'marketing',
    format: 'html',
    subject,
    body: '<p>Dear {{ customer.name | default: "customer" }}, we have not seen you for a while.</p>',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Picks an option of a Mantine Select by its label. */
async function choose(testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

beforeAll(async () => {
  app = await startApp({ env: { RAPPORT_DEMO: '1', RAPPORT_DEMO_CUSTOMERS: '40' } });
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  dormant = await dormantSegment();
  await emailTemplate(TEMPLATES.A, SUBJECTS.A);
  await emailTemplate(TEMPLATES.B, SUBJECTS.B);
  await quietHoursElsewhere();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

beforeEach(async () => {
  // As localhost: the address the server writes into e-mails (tracking links and the open pixel)
  // when RAPPORT_PUBLIC_URL is not set, so the Sandbox inbox may load them under the page's CSP.
  ({ context, page } = await newPage(browser, app.url.replace('127.0.0.1', 'localhost')));
  await logIn(page, app.email, app.password);
  // From here on (the login page's own "who am I?" is answered 401 before logging in).
  consoleErrors = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    await screenshot(page, `failed-campaigns-${ctx.task.name}`).catch(() => undefined);
    console.error(app.output().slice(-4000));
  }
  await context.close();
});

describe('campaigns', () => {
  let campaignId = '';

  it('sends an A/B campaign with a 10% holdout to "Dormant 30 days" from its segment page, and the messages reach the Sandbox inbox', async () => {
    // The segment page offers the campaign.
    await page.getByTestId('nav-segments').click();
    await page.getByTestId(`segment-row-${dormant.id}`).getByRole('link', { name: 'Dormant 30 days' }).click();
    await page.getByTestId('segment-send-campaign').click();
    await page.waitForURL(`**/campaigns/new?segment=${dormant.id}`);

    // Step 1: the segment is chosen, the live count is the API's.
    const count = await call<{ total: number; globalControl: number; targeted: number }>('POST', '/api/campaigns/audience-count', { audience: { segmentIds: [dormant.id] }, purpose: 'marketing' });
    expect(count.body.total).toBe(dormant.size);
    await expect.poll(() => page.getByTestId('audience-count').getAttribute('data-targeted'), poll).toBe(String(count.body.targeted));
    expect(await page.getByTestId('audience-total-value').textContent()).toBe(String(count.body.total));
    expect(await page.getByTestId('audience-control-value').textContent()).toBe(String(count.body.globalControl));
    expect(await page.getByTestId('wizard-next').isDisabled()).toBe(true); // no name yet
    await page.getByTestId('campaign-name').fill('Win-back A/B');
    await page.getByTestId('wizard-next').click();

    // Step 2: two e-mail templates, 45/45 with a 10% holdout; a wrong sum is caught as it is typed.
    await choose('variant-0-template', TEMPLATES.A);
    await page.getByTestId('add-variant').click();
    await choose('variant-1-template', TEMPLATES.B);
    // Each variant's template can be looked at before sending.
    await page.getByTestId('variant-1-preview').click();
    await page.getByRole('dialog').getByTestId('template-preview').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.getByTestId('variant-0-share').inputValue()).toBe('45%');
    expect(await page.getByTestId('variant-1-share').inputValue()).toBe('45%');
    expect(await page.getByTestId('holdout-share').inputValue()).toBe('10%');
    expect(await page.getByTestId('share-sum').getAttribute('data-total')).toBe('100');
    await page.getByTestId('holdout-share').fill('20');
    await expect.poll(() => page.getByTestId('share-sum').getAttribute('data-total')).toBe('110');
    expect(await page.getByTestId('share-sum').textContent()).toContain('must make exactly 100%');
    expect(await page.getByTestId('wizard-next').isDisabled()).toBe(true);
    await page.getByTestId('holdout-share').fill('10');
    await expect.poll(() => page.getByTestId('share-sum').getAttribute('data-total')).toBe('100');
    await screenshot(page, 'campaigns-wizard-content');
    await page.getByTestId('wizard-next').click();

    // Step 3: now, no throttle, the default goal.
    expect(await page.getByTestId('goal-event').inputValue()).toBe('Order Completed');
    expect(await page.getByTestId('goal-window').inputValue()).toBe('7');
    await page.getByTestId('wizard-next').click();

    // Step 4: said in words, then sent.
    const summary = page.getByTestId('review-summary');
    await summary.waitFor();
    expect(await page.getByTestId('review-variant-0').textContent()).toContain(`Variant A: “${TEMPLATES.A}” to 45%`);
    expect(await page.getByTestId('review-variant-1').textContent()).toContain(`Variant B: “${TEMPLATES.B}” to 45%`);
    expect(await page.getByTestId('review-holdout').textContent()).toContain('Holdout: 10%');
    expect(await page.getByTestId('review-audience').textContent()).toContain('Dormant 30 days');
    expect(await page.getByTestId('review-when').textContent()).toBe('Sending starts now.');
    await screenshot(page, 'campaigns-wizard-review');
    await page.getByTestId('campaign-submit').click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    campaignId = page.url().split('/').pop()!;
    const saved = await call<{ status: string; holdoutShare: number; variants: { share: number }[] }>('GET', `/api/campaigns/${campaignId}`);
    expect(saved.body).toMatchObject({ holdoutShare: 10, variants: [{ share: 45 }, { share: 45 }] });
    expect(['sending', 'sent']).toContain(saved.body.status);

    // The worker sends them: wait until nothing is waiting, then find every one in the Sandbox inbox.
    const report = await eventually(
      'every message of the campaign sent or held back',
      async () => {
        const r = await call<Report>('GET', `/api/campaigns/${campaignId}/report`);
        return r.body.groups.every((g) => g.waiting === 0) ? r.body : undefined;
      },
      60_000,
    );
    const sent = (key: 'A' | 'B') => report.groups.find((g) => g.key === key)!.sent;
    expect(sent('A') + sent('B')).toBeGreaterThan(0);
    await page.getByTestId('nav-messages-sandbox').click();
    for (const key of ['A', 'B'] as const) {
      await expect.poll(() => page.getByTestId('sandbox-item').filter({ hasText: SUBJECTS[key] }).count(), poll).toBe(sent(key));
    }
    await screenshot(page, 'campaigns-sandbox');
    expect(consoleErrors).toEqual([]);
  });

  it('shows the report: groups A, B and the holdout with their targeted and sent figures, the uplift, last-touch attribution and the recipients', async () => {
    expect(campaignId).not.toBe('');
    const report = (await call<Report & { comparisons: { variant: string; against: string; conversionWords: { en: string; verdict: string } }[] }>('GET', `/api/campaigns/${campaignId}/report`)).body;
    await page.getByTestId('nav-messages-campaigns').click();
    const row = page.getByTestId(`campaign-row-${campaignId}`);
    await row.waitFor();
    const sentTotal = report.groups.filter((g) => g.key !== 'holdout').reduce((n, g) => n + g.sent, 0);
    await expect.poll(() => row.getByTestId('campaign-sent').textContent(), poll).toBe(String(sentTotal));
    expect(await row.getByTestId('campaign-status').textContent()).toMatch(/^(Sending|Sent)$/);
    expect(await row.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|\d{4}-\d{2}-\d{2}T/);
    await screenshot(page, 'campaigns-list');

    await row.getByRole('link', { name: 'Win-back A/B' }).click();
    await page.getByTestId('groups-table').waitFor();
    for (const key of ['A', 'B', 'holdout']) {
      const g = report.groups.find((x) => x.key === key)!;
      await page.getByTestId(`group-${key}`).waitFor();
      expect(await page.getByTestId(`cell-targeted-${key}`).textContent()).toBe(String(g.targeted));
      expect(await page.getByTestId(`cell-sent-${key}`).textContent()).toBe(key === 'holdout' ? '—' : String(g.sent));
    }
    expect(await page.getByTestId('group-holdout').textContent()).toBe('Holdout');
    expect(await page.getByTestId('report-sent-value').textContent()).toBe(String(sentTotal));
    // The server's sentence for each comparison, coloured by its verdict, and the interval chart.
    for (const c of report.comparisons) {
      const item = page.getByTestId(`uplift-${c.variant}-${c.against}`);
      expect(await item.getAttribute('data-verdict')).toBe(c.conversionWords.verdict);
      expect(await item.getByTestId('uplift-conversion-words').textContent()).toBe(c.conversionWords.en);
    }
    expect(await page.getByTestId('attribution-caveat').textContent()).toContain('Orders after a click — not proof the campaign caused them');
    await page.getByTestId('funnel-chart').locator('svg').first().waitFor();
    if ((report as { timeline?: { days: string[] } | null }).timeline?.days.length) await page.getByTestId('conversions-chart').locator('svg').first().waitFor();
    await screenshot(page, 'campaigns-report');

    // The recipients, in words; the holdout's were never sent to.
    await page.getByTestId('tab-recipients').click();
    await page.getByTestId('recipients-table').waitFor();
    const total = report.groups.reduce((n, g) => n + g.targeted, 0);
    expect(await page.getByTestId('recipient-row').count()).toBe(Math.min(total, 50));
    const holdout = page.locator('[data-testid="recipient-row"][data-variant="holdout"]');
    if ((await holdout.count()) > 0) expect(await holdout.first().textContent()).toContain('Held out (not sent)');
    expect(await page.getByTestId('recipients-csv').getAttribute('href')).toBe(`/api/campaigns/${campaignId}/recipients?format=csv`);
    await screenshot(page, 'campaigns-recipients');
    expect(consoleErrors).toEqual([]);
  });

  it('works in Korean', async () => {
    expect(campaignId).not.toBe('');
    const report = (await call<{ comparisons: { variant: string; against: string; conversionWords: { ko: string } }[] }>('GET', `/api/campaigns/${campaignId}/report`)).body;
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-ko').click();
    await page.getByTestId('nav-messages-campaigns').click();
    await page.getByRole('heading', { name: '캠페인', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Win-back A/B' }).click();
    await page.getByText('그룹별 수치').waitFor();
    expect(await page.getByTestId('group-holdout').textContent()).toBe('홀드아웃');
    const first = report.comparisons[0]!;
    expect(await page.getByTestId(`uplift-${first.variant}-${first.against}`).getByTestId('uplift-conversion-words').textContent()).toBe(first.conversionWords.ko);
    expect(await page.getByTestId('attribution-caveat').textContent()).toContain('캠페인 때문에 주문했다는 증거는 아닙니다');
    await screenshot(page, 'campaigns-report-ko');
    await page.goto('/campaigns/new');
    await page.getByRole('heading', { name: '새 캠페인' }).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('pauses, resumes and cancels a throttled send, asking before the cancel', async () => {
    const templates = (await call<{ items: { id: string; name: string }[] }>('GET', '/api/templates?kind=email')).body.items;
    const created = await call<{ id: string }>('POST', '/api/campaigns', {
      name: 'Slow drip',
      kind: 'email',
      audience: { segmentIds: [dormant.id] },
      variants: [{ templateId: templates.find((x) => x.name === TEMPLATES.B)!.id, share: 100 }],
      throttlePerMinute: 1,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect((await call('POST', `/api/campaigns/${id}/schedule`)).status).toBe(200);
    await page.goto(`/campaigns/${id}`);
    const status = page.getByTestId('fact-status').getByTestId('campaign-status');
    await expect.poll(() => status.getAttribute('data-status')).toBe('sending');
    await page.getByTestId('campaign-pause').click();
    await expect.poll(() => status.getAttribute('data-status'), poll).toBe('paused');
    expect((await call<{ status: string }>('GET', `/api/campaigns/${id}`)).body.status).toBe('paused');
    await page.getByTestId('campaign-resume').click();
    await expect.poll(() => status.getAttribute('data-status'), poll).toBe('sending');
    await page.getByTestId('campaign-cancel').click();
    await page.getByRole('dialog').getByText('Nothing more of “Slow drip” will be sent').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel campaign' }).click();
    await expect.poll(() => status.getAttribute('data-status'), poll).toBe('cancelled');
    expect(await status.textContent()).toBe('Cancelled');
    // What was not sent yet is held back, with the reason in words.
    await expect.poll(() => page.getByTestId('groups-table').textContent(), poll).toContain('The campaign was cancelled');
    for (const action of ['campaign-pause', 'campaign-resume', 'campaign-cancel']) expect(await page.getByTestId(action).count()).toBe(0);
    await screenshot(page, 'campaigns-cancelled');
    expect(consoleErrors).toEqual([]);
  });

  it('shows the server refusing a time in the past at its field, on its step', async () => {
    await page.goto(`/campaigns/new?segment=${dormant.id}`);
    await page.getByTestId('campaign-name').fill('Too late');
    await page.getByTestId('wizard-next').click();
    await choose('variant-0-template', TEMPLATES.A);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('schedule-when').getByText('At a time').click();
    await page.getByTestId('schedule-at').fill('2020-01-01T09:00');
    await page.getByTestId('wizard-next').click();
    expect(await page.getByTestId('review-when').textContent()).toContain('(Asia/Seoul)');
    await page.getByTestId('campaign-submit').click();
    // The wizard goes back to the schedule, with the server's words at the field and above the steps.
    await page.getByTestId('wizard-error').waitFor();
    expect(await page.getByTestId('wizard-error').textContent()).toContain('schedule.at: is in the past');
    await expect.poll(() => page.getByTestId('campaign-wizard').getAttribute('data-step')).toBe('schedule');
    expect(await page.getByText('is in the past', { exact: true }).isVisible()).toBe(true);
    await screenshot(page, 'campaigns-wizard-error');
    // The browser logs the refused request itself; nothing else went wrong.
    expect(consoleErrors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    expect((await call<{ items: { name: string }[] }>('GET', '/api/campaigns')).body.items.map((c) => c.name)).not.toContain('Too late');
  });
});
