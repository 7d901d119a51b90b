// A/B winner selection in a real Chromium against a real server (needs the server's `winner`
// field: src/campaigns/contract.ts, campaigns.ts, sending.ts, report.ts). The owner builds an A/B
// campaign to "Dormant 30 days" that picks a winner: the switch appears with two variants, the
// sentence says what happens with the numbers typed, a number out of range stops the step, one
// variant switches it off; the review says it in one line; once sent, the campaign page says when
// the winner will be picked (on the workspace's clock) and the report names the rest of the
// audience in words, in English and Korean. The pick itself comes an hour or more later: the
// server's tests (src/campaigns/winner.test.ts) cover it.
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
const TEMPLATES = { A: 'Winner test A', B: 'Winner test B' } as const;
type Segment = { id: string; name: string; size: number; starterKey: string | null; lastComputedAt: string | null };
type Campaign = { id: string; status: string; startedAt: string | null; winner: { testShare: number; afterHours: number; by: string } | null; testSize: number | null; winnerKey: string | null };
let dormant: Segment;

async function emailTemplate(name: string): Promise<void> {
  const res = await call('POST', '/api/templates', { name, kind: 'email', purpose: 'marketing', format: 'html', subject: name, body: '<p>Hello {{ customer.name | default: "customer" }}</p>' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function choose(testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

const text = async (testId: string) => (await page.getByTestId(testId).textContent())?.trim();

beforeAll(async () => {
  app = await startApp({ env: { RAPPORT_DEMO: '1', RAPPORT_DEMO_CUSTOMERS: '40' } });
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  dormant = await eventually(
    'the "Dormant 30 days" segment with members',
    async () => {
      const s = (await call<{ segments: Segment[] }>('GET', '/api/segments')).body.segments?.find((x) => x.starterKey === 'dormant-30d');
      return s?.lastComputedAt && s.size > 0 ? s : undefined;
    },
    180_000,
  );
  await emailTemplate(TEMPLATES.A);
  await emailTemplate(TEMPLATES.B);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

beforeEach(async () => {
  ({ context, page } = await newPage(browser, app.url));
  await logIn(page, app.email, app.password);
  consoleErrors = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    await screenshot(page, `failed-campaign-winner-${ctx.task.name}`).catch(() => undefined);
    console.error(app.output().slice(-4000));
  }
  await context.close();
});

describe('campaign winner selection', () => {
  let campaignId = '';

  it('is set up in the wizard in words, checked as it is typed, and saved as the API has it', async () => {
    await page.goto(`/campaigns/new?segment=${dormant.id}`);
    await page.getByTestId('campaign-name').fill('Winner test');
    await page.getByTestId('wizard-next').click();

    // One variant: nothing to pick from.
    await choose('variant-0-template', TEMPLATES.A);
    expect(await page.getByTestId('winner').count()).toBe(0);
    await page.getByTestId('add-variant').click();
    await choose('variant-1-template', TEMPLATES.B);

    // Two: the switch, off; on, the defaults said in one sentence (45/45 with a 10% holdout).
    await page.getByTestId('winner-switch').check();
    expect(await text('winner-plan')).toBe('A and B go to 18% of the audience first (20% of those outside the holdout); after 4 hours, the one with the higher conversion rate goes to the other 72%.');
    await page.getByTestId('winner-test-share').fill('30');
    await page.getByTestId('winner-after-hours').fill('2');
    await page.getByTestId('winner-by').getByText('Click rate').click();
    await expect.poll(() => text('winner-plan')).toBe('A and B go to 27% of the audience first (30% of those outside the holdout); after 2 hours, the one with the higher click rate goes to the other 63%.');

    // Out of range: the step says so and will not go on.
    await page.getByTestId('winner-test-share').fill('60');
    await expect.poll(() => text('wizard-problems')).toContain('The test share must be 5–50%');
    expect(await page.getByTestId('wizard-next').isDisabled()).toBe(true);
    expect(await page.getByTestId('winner-plan').count()).toBe(0);
    await page.getByTestId('winner-test-share').fill('30');
    await expect.poll(() => page.getByTestId('wizard-next').isDisabled()).toBe(false);

    // Down to one variant switches it off; back to two, it stays off until switched on, numbers kept.
    await page.getByTestId('variant-1-remove').click();
    expect(await page.getByTestId('winner').count()).toBe(0);
    await page.getByTestId('add-variant').click();
    await choose('variant-1-template', TEMPLATES.B);
    expect(await page.getByTestId('winner-plan').count()).toBe(0);
    await page.getByTestId('winner-switch').check();
    expect(await text('winner-plan')).toContain('go to 27% of the audience first');
    await screenshot(page, 'campaign-winner-wizard');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-next').click();

    expect(await text('review-winner')).toBe('A and B go to 27% of the audience first (30% of those outside the holdout); after 2 hours, the one with the higher click rate goes to the other 63%.');
    await screenshot(page, 'campaign-winner-review');
    await page.getByTestId('campaign-submit').click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    campaignId = page.url().split('/').pop()!;
    const saved = (await call<Campaign>('GET', `/api/campaigns/${campaignId}`)).body;
    expect(saved.winner).toEqual({ testShare: 30, afterHours: 2, by: 'click' });
    expect(saved.winnerKey).toBeNull();
    expect(consoleErrors).toEqual([]);
  });

  it('says on the campaign page when the winner will be picked, and names the rest of the audience in the report', async () => {
    expect(campaignId).not.toBe('');
    const c = await eventually(
      'the campaign started',
      async () => {
        const r = (await call<Campaign>('GET', `/api/campaigns/${campaignId}`)).body;
        return r.startedAt && r.testSize !== null ? r : undefined;
      },
      60_000,
    );
    await page.goto(`/campaigns/${campaignId}`);
    const due = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Seoul' }).format(new Date(new Date(c.startedAt!).getTime() + 2 * 3_600_000));
    const status = page.getByTestId('fact-winner').getByTestId('winner-status');
    await expect.poll(() => status.getAttribute('data-state'), poll).toBe('waiting');
    expect(await status.textContent()).toBe(`Picking the winner at ${due}`);
    expect(await page.getByTestId('winner-test-size').textContent()).toBe(`In the test: ${c.testSize} customers`);
    expect(await page.getByTestId('fact-winner').textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|\d{4}-\d{2}-\d{2}T/);

    await page.getByTestId('group-winner').waitFor(poll);
    expect(await text('group-winner')).toBe('Rest — gets the winner');
    expect(await text('group-A')).toBe(`Variant A${TEMPLATES.A}`);
    await screenshot(page, 'campaign-winner-page');

    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-ko').click();
    await expect.poll(() => text('group-winner')).toBe('나머지 — 승자를 받음');
    expect(await status.textContent()).toMatch(/에 승자를 고릅니다$/);
    await screenshot(page, 'campaign-winner-page-ko');
    expect(consoleErrors).toEqual([]);
  });
});
