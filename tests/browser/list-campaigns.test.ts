// "Send a campaign" from a list, in a real Chromium against a real server with the demo shop: the
// owner opens the dormant list, presses "Send a campaign", and lands in the wizard with the list's
// segment as the audience and a live count equal to the list's total; pressing it again reuses the
// segment. The at-risk list has it too; a viewer sees no button. No console errors.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { addMember, apiAs, eventually, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let call: Api;
let consoleErrors: string[];

const poll = { timeout: 60_000, interval: 500 };
const VIEWER = { email: 'viewer@example.com', password: 'viewer-password-1' };

beforeAll(async () => {
  app = await startApp({ env: { RAPPORT_DEMO: '1', RAPPORT_DEMO_CUSTOMERS: '40' } });
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  await eventually(
    'the demo behaviour and its analytics run',
    async () => ((await call<{ runs: { scores?: { status: string } | null } }>('GET', '/api/analytics/overview')).body.runs?.scores?.status === 'succeeded' ? true : undefined),
    180_000,
  );
  expect(await addMember(app.url, call, { email: VIEWER.email, role: 'viewer', name: 'viewer', password: VIEWER.password })).toBe(200);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

beforeEach(async () => {
  ({ context, page } = await newPage(browser, app.url));
  consoleErrors = [];
  page.on('pageerror', (err) => consoleErrors.push(err.message));
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    await screenshot(page, `failed-list-campaigns-${ctx.task.name}`).catch(() => undefined);
    console.error(app.output().slice(-4000));
  }
  await context.close();
});

/** The wizard's audience: the segment chosen (by its name in the picker) and the live count. */
async function wizardAudience(): Promise<{ segmentId: string; total: number }> {
  await page.waitForURL(/\/campaigns\/new\?segment=/, { timeout: 60_000 });
  const segmentId = new URL(page.url()).searchParams.get('segment')!;
  const count = page.getByTestId('audience-count');
  await expect.poll(async () => (await count.getAttribute('aria-busy')) === 'false' && (await count.getAttribute('data-total')), poll).not.toBe(false);
  return { segmentId, total: Number(await count.getAttribute('data-total')) };
}

it('sends a campaign to the dormant list: the wizard opens with its segment and the same count; again, the same segment', async () => {
  await logIn(page, app.email, app.password);
  const list = (await call<{ total: number; days: number }>('GET', '/api/analytics/dormant?limit=1')).body;
  expect(list.total).toBeGreaterThan(0);
  await page.goto('/analytics/dormant');
  await page.getByTestId('dormant-table').waitFor();
  await screenshot(page, 'list-campaigns-dormant');
  await page.getByTestId('list-send-campaign').click();
  const first = await wizardAudience();
  const name = `Dormant for ${list.days} days — from the dormant list`;
  await expect.poll(() => page.getByTestId('audience-include').locator('..').textContent(), poll).toContain(name);
  expect(first.total).toBe(list.total);
  await screenshot(page, 'list-campaigns-dormant-wizard');

  await page.goto('/analytics/dormant');
  await page.getByTestId('list-send-campaign').click();
  const again = await wizardAudience();
  expect(again.segmentId).toBe(first.segmentId);
  const segments = (await call<{ segments: { name: string }[] }>('GET', '/api/segments')).body.segments.filter((s) => s.name === name);
  expect(segments).toHaveLength(1);
  expect(consoleErrors).toEqual([]);
});

it('sends a campaign to the at-risk list, named in Korean for a Korean user', async () => {
  const list = (await call<{ total: number }>('GET', '/api/analytics/at-risk?limit=1')).body;
  await context.close();
  ({ context, page } = await newPage(browser, app.url, { locale: 'ko-KR' }));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await page.goto('/login');
  await page.evaluate(() => localStorage.setItem('rapport.language', 'ko'));
  await page.goto('/login');
  await page.locator('input[name="email"]').fill(app.email);
  await page.locator('input[name="password"]').fill(app.password);
  await page.locator('button[type="submit"]').click();
  await page.getByTestId('navbar').waitFor();
  expect(list.total).toBeGreaterThan(0);
  await page.goto('/analytics/at-risk');
  await page.getByTestId('at-risk-table').waitFor();
  await page.getByTestId('list-send-campaign').click();
  const audience = await wizardAudience();
  expect(audience.total).toBe(list.total);
  await expect.poll(() => page.getByTestId('audience-include').locator('..').textContent(), poll).toContain('이탈 위험 고객 — 이탈 위험 목록에서');
  expect(consoleErrors).toEqual([]);
});

it('sends a campaign from a basket rule to who bought its left side but not its right', async () => {
  // The small demo shop has too few baskets for a rule: three customers buy the same two products, and the rules are mined again.
  type Runs = { runs: { basket?: { id: string; status: string } | null } };
  const products = (await call<{ items: { id: string }[] }>('GET', '/api/products?limit=2')).body.items;
  const buyers = (await call<{ items: { id: string }[] }>('GET', '/api/customers?limit=3')).body.items;
  expect(products).toHaveLength(2);
  for (const [i, buyer] of buyers.entries()) {
    const items = products.map((p) => ({ productId: p.id, unitPrice: 10_000, quantity: 1 }));
    const res = await call('POST', '/api/orders', { externalId: `list-campaigns-${i}`, customerId: buyer.id, items });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const before = (await call<Runs>('GET', '/api/analytics/overview')).body.runs.basket?.id;
  expect((await call('POST', '/api/analytics/refresh', { parts: ['basket'] })).status).toBe(202);
  await eventually(
    'the basket rules run',
    async () => {
      const run = (await call<Runs>('GET', '/api/analytics/overview')).body.runs.basket;
      return run && run.id !== before && run.status === 'succeeded' ? true : undefined;
    },
    120_000,
  );
  const rules = (await call<{ total: number; rules: { antecedent: { name: string }[]; consequent: { name: string } }[] }>('GET', '/api/analytics/basket-rules?level=product&limit=1')).body;
  expect(rules.total).toBeGreaterThan(0);
  const rule = rules.rules[0]!;
  await logIn(page, app.email, app.password);
  await page.goto('/analytics/basket');
  await page.getByTestId('basket-rules').waitFor();
  await screenshot(page, 'list-campaigns-basket');
  await page.getByTestId('basket-rule-campaign').first().click();
  const audience = await wizardAudience();
  const name = `Bought ${rule.antecedent.map((a) => a.name).join(' + ')} but not ${rule.consequent.name}`;
  await expect.poll(() => page.getByTestId('audience-include').locator('..').textContent(), poll).toContain(name);
  const members = (await call<{ size: number }>('GET', `/api/segments/${audience.segmentId}`)).body;
  expect(audience.total).toBe(members.size);
  expect(consoleErrors).toEqual([]);
});

it('shows no "Send a campaign" to a viewer, who may not send', async () => {
  await logIn(page, VIEWER.email, VIEWER.password);
  await page.goto('/analytics/dormant');
  await page.getByTestId('dormant-table').waitFor();
  expect(await page.getByTestId('list-send-campaign').count()).toBe(0);
  await page.goto('/analytics/basket');
  await page.getByTestId('basket-rules').or(page.getByTestId('basket-empty')).or(page.getByTestId('analytics-not-computed')).first().waitFor();
  expect(await page.getByTestId('basket-rule-campaign').count()).toBe(0);
});
