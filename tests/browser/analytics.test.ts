// The analytics pages in a real Chromium against a real server: before the first run every page
// says so; then customers with repeat orders over a year are created through the REST API, a
// refresh runs in the worker, and each page shows what the API reports (RFM cells, segments,
// grades, the CLV charts and holdout, cohorts, basket rules, the recommender evaluation), the
// settings refuse a bad grade rule at its field, the profile shows the customer's scores, and
// members who may not refresh see no button.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember, apiAs, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let call: Api;

type Runs = Record<string, { id: string; status: string } | undefined>;

const PARTS = ['scores', 'cohorts', 'basket', 'affinity', 'recommendations'];
const DAY = 86_400_000;
const poll = { timeout: 15_000 };
const percent = (v: number) => new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(v);
const count = (v: number) => new Intl.NumberFormat('en').format(v);


async function must<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await call<T>(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const PRODUCTS = [
  { sku: 'LIN-01', name: 'Linen shirt', category: 'Men > Shirts', brand: 'Hanil', price: 39000 },
  { sku: 'CHI-02', name: 'Chino trousers', category: 'Men > Trousers', brand: 'Hanil', price: 59000 },
  { sku: 'SNK-03', name: 'Canvas sneakers', category: 'Shoes > Sneakers', brand: 'Dobo', price: 89000 },
  { sku: 'SOC-04', name: 'Cotton socks', category: 'Shoes > Socks', brand: 'Dobo', price: 9000 },
  { sku: 'CAP-05', name: 'Wool cap', category: 'Accessories > Hats', brand: 'Moja', price: 29000 },
  { sku: 'BAG-06', name: 'Tote bag', category: 'Accessories > Bags', brand: 'Moja', price: 49000 },
];

/**
 * 36 customers with 1–6 orders each, spread over the last year with gaps that differ per
 * customer (so BG/NBD and Gamma-Gamma have distinct histories to fit, and the holdout has
 * repeat buyers before 90 days ago); shirts and chinos, sneakers and socks go together.
 */
function orderPlan(): { customer: number; daysAgo: number; items: number[] }[] {
  const plan: { customer: number; daysAgo: number; items: number[] }[] = [];
  for (let i = 0; i < 36; i++) {
    const orders = 1 + (i % 6);
    let daysAgo = 40 + ((i * 37) % 320);
    const gap = 12 + ((i * 17) % 45);
    for (let k = 0; k < orders && daysAgo >= 1; k++) {
      const pick = (i + k) % 4;
      const items = pick === 0 ? [0, 1] : pick === 1 ? [2, 3] : pick === 2 ? [(i + k) % 6] : [0, 1, 4 + ((i + k) % 2)];
      plan.push({ customer: i, daysAgo: daysAgo + (i % 3) * 0.2, items });
      daysAgo -= gap;
    }
  }
  return plan;
}

async function seed(): Promise<void> {
  const products: string[] = [];
  for (const p of PRODUCTS) products.push((await must<{ id: string }>('POST', '/api/products', { ...p, currency: 'KRW' })).id);
  for (let i = 0; i < 36; i++) await must('POST', '/api/customers', { name: `Customer ${String(i).padStart(2, '0')}`, email: `c${i}@example.com` });
  const now = Date.now();
  let n = 0;
  for (const o of orderPlan()) {
    await must('POST', '/api/orders', {
      externalId: `O-${++n}`,
      customer: { email: `c${o.customer}@example.com` },
      items: o.items.map((j) => ({ productId: products[j], unitPrice: PRODUCTS[j]!.price + (o.customer % 4) * 1000, quantity: 1 })),
      currency: 'KRW',
      placedAt: new Date(now - o.daysAgo * DAY).toISOString(),
    });
  }
}

/** Asks for a refresh and waits until every part has a new, successful run. */
async function refreshAndWait(): Promise<void> {
  const before = (await must<{ runs: Runs }>('GET', '/api/analytics/overview')).runs;
  expect((await call('POST', '/api/analytics/refresh', {})).status).toBe(202);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { runs } = await must<{ runs: Runs }>('GET', '/api/analytics/overview');
    const fresh = PARTS.filter((p) => runs[p] && runs[p]!.id !== before[p]?.id && runs[p]!.status !== 'running');
    const failed = fresh.find((p) => runs[p]!.status === 'failed');
    if (failed) throw new Error(`analytics ${failed} failed: ${JSON.stringify(runs[failed])}`);
    if (fresh.length === PARTS.length) return;
    if (Date.now() > deadline) throw new Error(`refresh did not finish: ${JSON.stringify(runs)}\n${app.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  for (const role of ['analyst', 'viewer']) {
    expect(await addMember(app.url, call, { email: `${role}@example.com`, role, name: role, password: `${role}-password-1` })).toBe(200);
  }
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

beforeEach(async () => {
  ({ context, page } = await newPage(browser, app.url));
  await logIn(page, app.email, app.password);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-analytics-${ctx.task.name}`).catch(() => undefined);
  await context.close();
});

describe('before the first run', () => {
  it('every page says the figures are not computed yet, with a refresh for the owner', async () => {
    await page.getByTestId('nav-analytics').click();
    await page.getByRole('heading', { name: 'Analytics', exact: true }).waitFor();
    await page.getByTestId('analytics-not-computed').waitFor();
    expect(await page.getByTestId('analytics-refresh-empty').isVisible()).toBe(true);
    for (const tab of ['rfm', 'grades', 'clv', 'at-risk', 'dormant', 'cohorts', 'basket', 'recommendations']) {
      await page.getByTestId(`analytics-tab-${tab}`).click();
      await page.waitForURL(`**/analytics/${tab}`);
      await page.getByTestId('analytics-not-computed').getByText('Not computed yet').waitFor();
    }
    await screenshot(page, 'analytics-not-computed');
  });

  it('tells a viewer that an owner or admin can start the run', async () => {
    const other = await newPage(browser, app.url);
    try {
      await logIn(other.page, 'viewer@example.com', 'viewer-password-1');
      await other.page.goto('/analytics/rfm');
      await other.page.getByText('An owner or admin can start one now').waitFor();
      expect(await other.page.getByTestId('analytics-refresh-empty').count()).toBe(0);
      expect(await other.page.getByTestId('analytics-refresh').count()).toBe(0);
    } finally {
      await other.context.close();
    }
  });
});

describe('after a refresh', () => {
  beforeAll(async () => {
    await seed();
    await refreshAndWait();
  }, 240_000);

  it('shows the KPIs and last runs on the overview, and refreshes from the button', async () => {
    const overview = await must<{ customers: { buyers: number; atRisk: number }; kpis: { orders: number } }>('GET', '/api/analytics/overview');
    await page.goto('/analytics');
    await page.getByTestId('analytics-kpis').waitFor();
    expect(await page.getByTestId('kpi-buyers-value').textContent()).toBe(count(overview.customers.buyers));
    expect(await page.getByTestId('kpi-at-risk-value').textContent()).toBe(count(overview.customers.atRisk));
    expect(await page.getByTestId('kpi-revenue').textContent()).toContain(`Orders: ${count(overview.kpis.orders)}`);
    expect(await page.getByTestId('kpi-revenue-value').textContent()).toMatch(/^₩[\d,]+$/);
    const runs = page.getByTestId('analytics-run');
    expect(await runs.evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-part')}:${r.getAttribute('data-status')}`))).toEqual(PARTS.map((p) => `${p}:succeeded`));

    const firstId = (await must<{ runs: Runs }>('GET', '/api/analytics/overview')).runs.scores!.id;
    await page.getByTestId('analytics-refresh').click();
    await page.getByText('Refresh started').waitFor();
    await page.getByText('Analytics refreshed').waitFor({ timeout: 90_000 });
    expect((await must<{ runs: Runs }>('GET', '/api/analytics/overview')).runs.scores!.id).not.toBe(firstId);
    await expect.poll(() => page.getByTestId('analytics-refreshing').count(), poll).toBe(0);
    await screenshot(page, 'analytics-overview');
  });

  it('draws the R × F heat map with the counts the API reports, and the segments', async () => {
    const rfm = await must<{ cells: { r: number; f: number; customers: number }[]; segments: { segment: string; customers: number }[] }>('GET', '/api/analytics/rfm');
    await page.goto('/analytics/rfm');
    await page.getByTestId('rfm-heatmap').waitFor();
    const cells = page.getByTestId('rfm-cell');
    expect(await cells.count()).toBe(25);
    for (const c of rfm.cells) {
      const cell = page.locator(`[data-testid="rfm-cell"][data-r="${c.r}"][data-f="${c.f}"]`);
      expect(await cell.getByTestId('rfm-cell-count').textContent()).toBe(count(c.customers));
    }
    const shown = await cells.evaluateAll((all) => all.reduce((a, el) => a + Number(el.getAttribute('data-customers')), 0));
    expect(shown).toBe(rfm.cells.reduce((a, c) => a + c.customers, 0));
    expect(shown).toBe(36);
    // The fullest cell is the darkest.
    const top = [...rfm.cells].sort((a, b) => b.customers - a.customers)[0]!;
    const bg = await page.locator(`[data-testid="rfm-cell"][data-r="${top.r}"][data-f="${top.f}"]`).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgba(34, 139, 230, 0.9)');

    const rows = page.getByTestId('rfm-segment-row');
    expect(await rows.evaluateAll((r) => r.map((el) => el.getAttribute('data-segment')))).toEqual(rfm.segments.map((s) => s.segment));
    expect(await rows.first().getByTestId('rfm-segment-customers').textContent()).toBe(count(rfm.segments[0]!.customers));
    if (rfm.segments.some((s) => s.segment === 'Champions')) await page.getByTestId('rfm-segments').getByText('Champions', { exact: true }).waitFor();
    await screenshot(page, 'analytics-rfm');
  });

  it('lists customers per grade with a chart', async () => {
    const grades = await must<{ distribution: { grade: string; customers: number }[] }>('GET', '/api/analytics/grades?days=30');
    await page.goto('/analytics/grades');
    await page.getByTestId('grades-table').waitFor();
    const rows = page.getByTestId('grade-row');
    expect(await rows.evaluateAll((r) => r.map((el) => `${el.getAttribute('data-grade')}:${el.getAttribute('data-customers')}`))).toEqual(
      grades.distribution.map((d) => `${d.grade}:${d.customers}`),
    );
    expect(grades.distribution.map((d) => d.grade)).toEqual(['VIP', 'Gold', 'Silver', 'Bronze']);
    await expect.poll(() => page.getByTestId('grades-chart').locator('.recharts-bar-rectangle path').count(), poll).toBeGreaterThan(0);
    // The first grading is no change of grade (the settings test below makes some).
    await page.getByTestId('grades-no-movements').waitFor();
  });

  it('draws the CLV and P(alive) histograms, the fitted models and the holdout check', async () => {
    const clv = await must<{ histogram: unknown[]; models: { bgnbd: { r: number } | null }; holdout: { buckets: unknown[] } | null }>('GET', '/api/analytics/clv');
    expect(clv.models.bgnbd).not.toBeNull();
    expect(clv.holdout).not.toBeNull();
    await page.goto('/analytics/clv');
    const histogram = page.getByTestId('clv-histogram');
    await histogram.waitFor();
    expect(await histogram.getAttribute('data-bars')).toBe(String(clv.histogram.length));
    await expect.poll(() => histogram.locator('.recharts-bar-rectangle path').count(), poll).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('clv-palive').locator('.recharts-bar-rectangle path').count(), poll).toBeGreaterThan(0);
    expect(await page.getByTestId('clv-bgnbd').textContent()).toContain(new Intl.NumberFormat('en', { maximumFractionDigits: 3 }).format(clv.models.bgnbd!.r));
    expect(await page.getByTestId('clv-holdout-row').count()).toBe(clv.holdout!.buckets.length);
    await expect.poll(() => page.getByTestId('clv-holdout-chart').locator('.recharts-bar-rectangle path').count(), poll).toBeGreaterThan(0);
    expect(await page.getByTestId('clv-total-value').textContent()).toMatch(/^₩[\d,]+$/);
    await screenshot(page, 'analytics-clv');
  });

  it('lists at-risk customers, most valuable first, linking to their profiles', async () => {
    const list = await must<{ total: number; customers: { customerId: string; name: string; pAlive: number | null }[] }>('GET', '/api/analytics/at-risk?limit=25');
    expect(list.total).toBeGreaterThan(0);
    await page.goto('/analytics/at-risk');
    await page.getByTestId('at-risk-table').waitFor();
    const rows = page.getByTestId('at-risk-row');
    expect(await rows.count()).toBe(Math.min(25, list.total));
    expect(await rows.getByTestId('analytics-customer-link').allTextContents()).toEqual(list.customers.map((c) => c.name));
    const first = list.customers[0]!;
    expect(await rows.first().getByTestId('at-risk-palive').textContent()).toBe(first.pAlive === null ? '—' : percent(first.pAlive));
    await screenshot(page, 'analytics-at-risk');
    await rows.first().getByTestId('analytics-customer-link').click();
    await page.waitForURL(`**/customers/${first.customerId}`);
    await page.getByTestId('customer-analytics').waitFor();
  });

  it('lists dormant customers for the number of days asked', async () => {
    const wide = await must<{ total: number }>('GET', '/api/analytics/dormant?days=30');
    const narrow = await must<{ total: number }>('GET', '/api/analytics/dormant?days=200');
    await page.goto('/analytics/dormant');
    await page.getByTestId('dormant-table').waitFor();
    expect(await page.getByTestId('dormant-table').getAttribute('data-days')).toBe('30');
    expect(await page.getByTestId('dormant-pager-range').textContent()).toContain(`of ${count(wide.total)}`);
    await page.getByTestId('dormant-days').fill('200');
    await expect.poll(() => page.getByTestId('dormant-table').getAttribute('data-days'), poll).toBe('200');
    expect(await page.getByTestId('dormant-row').count()).toBe(Math.min(25, narrow.total));
  });

  it('shows the cohort retention table and switches to revenue', async () => {
    const { kpis } = await must<{ kpis: { cohorts: { cohort: string; retention: number[] }[] } }>('GET', '/api/analytics/cohorts');
    await page.goto('/analytics/cohorts');
    const table = page.getByTestId('cohort-table');
    await table.waitFor();
    const rows = page.getByTestId('cohort-row');
    expect(await rows.evaluateAll((r) => r.map((el) => el.getAttribute('data-cohort')))).toEqual(kpis.cohorts.map((c) => c.cohort));
    // Month 0 is the whole cohort; month 1 of the first cohort is what the API says.
    expect(await rows.first().getByTestId('cohort-cell').first().textContent()).toBe('100%');
    const m1 = kpis.cohorts[0]!.retention[1] ?? 0;
    expect(await rows.first().getByTestId('cohort-cell').nth(1).textContent()).toBe(new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 }).format(m1));
    await page.getByTestId('cohort-mode').getByText('Revenue').click();
    await expect.poll(() => table.getAttribute('data-mode'), poll).toBe('revenue');
    expect(await rows.first().getByTestId('cohort-cell').first().textContent()).toMatch(/^₩[\d,]+$/);
    await screenshot(page, 'analytics-cohorts');
  });

  it('lists basket rules, by product and by category, and filters by an item', async () => {
    const products = await must<{ total: number; rules: { consequent: { name: string } }[] }>('GET', '/api/analytics/basket-rules?level=product&limit=50');
    const categories = await must<{ total: number }>('GET', '/api/analytics/basket-rules?level=category&limit=50');
    expect(products.total).toBeGreaterThan(0);
    await page.goto('/analytics/basket');
    await page.getByTestId('basket-rules').waitFor();
    expect(await page.getByTestId('basket-rule').count()).toBe(Math.min(50, products.total));
    expect(await page.getByTestId('basket-rule-then').first().textContent()).toBe(products.rules[0]!.consequent.name);
    // Clicking an item keeps the rules holding it.
    await page.getByTestId('basket-rule-then').first().getByRole('button').click();
    const item = products.rules[0]!.consequent.name;
    await expect
      .poll(async () => (await page.getByTestId('basket-rule').allTextContents()).every((t) => t.includes(item)), poll)
      .toBe(true);
    await page.getByTestId('basket-level').getByText('Categories').click();
    await expect.poll(() => page.getByTestId('basket-rules').getAttribute('data-level'), poll).toBe('category');
    expect(await page.getByTestId('basket-rule').count()).toBe(Math.min(50, categories.total));
    await screenshot(page, 'analytics-basket');
    await page.getByTestId('basket-min-lift').fill('100');
    await page.getByTestId('basket-empty').waitFor();
  });

  it('compares the three recommenders, best values highlighted', async () => {
    const { evaluation } = await must<{ evaluation: { rows: ({ name: string } & Record<string, number>)[] } }>('GET', '/api/analytics/recommendations/evaluation');
    expect(evaluation.rows).toHaveLength(3);
    await page.goto('/analytics/recommendations');
    await page.getByTestId('evaluation-table').waitFor();
    expect(await page.getByTestId('evaluation-row').evaluateAll((r) => r.map((el) => el.getAttribute('data-model')))).toEqual(['popularity', 'item-knn', 'blended']);
    expect(await page.getByTestId('evaluation-row').first().textContent()).toContain('Popularity');
    // The best of each measure is highlighted, unless all three score the same.
    for (const metric of ['mapAtK', 'ndcgAtK', 'mrr', 'precisionAtK', 'recallAtK']) {
      const best = Math.max(...evaluation.rows.map((r) => r[metric]!));
      const winners = evaluation.rows.filter((r) => r[metric] === best && best > 0).map((r) => r.name);
      const expected = winners.length === 3 ? [] : winners;
      const shown = await page
        .locator(`[data-testid="evaluation-${metric}"][data-best="true"]`)
        .evaluateAll((cells) => cells.map((c) => c.closest('tr')!.getAttribute('data-model')));
      expect(shown.sort()).toEqual(expected.sort());
    }
    await screenshot(page, 'analytics-recommendations');
  });

  it('shows the customer’s scores, grade and P(alive) on the profile', async () => {
    const list = await must<{ items: { id: string; name: string }[] }>('GET', '/api/customers?q=Customer%2005&limit=5');
    const id = list.items[0]!.id;
    const a = await must<{ scores: { grade: string; pAlive: number; r: number; segment: string }; recommendations: unknown[] }>('GET', `/api/customers/${id}/analytics`);
    await page.goto(`/customers/${id}`);
    const panel = page.getByTestId('customer-analytics');
    await panel.getByTestId('customer-grade').waitFor();
    expect(await panel.getByTestId('customer-grade').textContent()).toBe(a.scores.grade);
    expect(await panel.getByTestId('customer-palive-value').textContent()).toBe(percent(a.scores.pAlive));
    expect(await panel.getByTestId('customer-rfm-r').textContent()).toBe(`R ${a.scores.r}`);
    expect(await panel.getByTestId('segment-badge').getAttribute('data-segment')).toBe(a.scores.segment);
    expect(await panel.getByTestId('customer-recommendation').count()).toBe(Math.min(5, a.recommendations.length));
    await screenshot(page, 'analytics-profile');
  });

  it('refuses a bad grade rule at its field, saves a good one, and the next refresh moves customers', async () => {
    await page.goto('/analytics/settings');
    await page.getByTestId('grade-editor').waitFor();
    const gold = page.locator('[data-testid="grade-rule-min"][data-path="body.grades[1].rule"]');
    await gold.fill('2');
    await page.getByTestId('analytics-settings-save').click();
    await page.getByText('must be a whole number from 3 to 15').waitFor();
    expect(await gold.getAttribute('aria-invalid')).toBe('true');
    await gold.fill('12');
    await page.getByTestId('setting-dormantDays').fill('45');
    await page.getByTestId('analytics-settings-save').click();
    await page.getByText('Analytics settings saved').waitFor();
    const saved = await must<{ dormantDays: number; grades: { rule: { min?: number } }[] }>('GET', '/api/analytics/settings');
    expect(saved.dormantDays).toBe(45);
    expect(saved.grades[1]!.rule.min).toBe(12);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'analytics-settings');

    // A stricter Gold: after the next run some Gold customers are graded down.
    await refreshAndWait();
    const grades = await must<{ movements: { from: string; to: string; customers: number; direction: string }[] }>('GET', '/api/analytics/grades?days=30');
    expect(grades.movements.length).toBeGreaterThan(0);
    await page.goto('/analytics/grades');
    await page.getByTestId('grades-movements').waitFor();
    const rows = await page.getByTestId('grade-movement').allTextContents();
    expect(rows).toEqual(grades.movements.map((m) => `${m.from}${m.to}${m.direction === 'down' ? 'Down' : m.direction === 'up' ? 'Up' : 'New'}${m.customers}`));
    expect(grades.movements.some((m) => m.from === 'Gold' && m.direction === 'down')).toBe(true);
  }, 180_000);

  it('reads in Korean on a phone-sized screen without the page scrolling sideways', async () => {
    await context.close();
    ({ context, page } = await newPage(browser, app.url, { width: 390, height: 844 }));
    await logIn(page, app.email, app.password);
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-ko').click();
    await page.goto('/analytics/rfm');
    await page.getByTestId('rfm-heatmap').waitFor();
    expect(await page.getByTestId('analytics-tab-overview').textContent()).toBe('개요');
    expect(await page.getByTestId('analytics-refresh').textContent()).toBe('지금 새로 계산');
    const champions = page.locator('[data-testid="rfm-segment-row"][data-segment="Champions"] [data-testid="segment-badge"]');
    if (await champions.count()) expect(await champions.textContent()).toBe('챔피언');
    // Wide tables scroll inside their frame; the page itself stays as wide as the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'analytics-rfm-ko-phone');
    await page.goto('/analytics/cohorts');
    await page.getByTestId('cohort-table').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.getByTestId('cohort-mode').textContent()).toContain('유지율');
  });

  it('shows no refresh button or settings controls to an analyst', async () => {
    const other = await newPage(browser, app.url);
    try {
      await logIn(other.page, 'analyst@example.com', 'analyst-password-1');
      await other.page.getByTestId('nav-analytics').click();
      await other.page.getByTestId('analytics-kpis').waitFor();
      expect(await other.page.getByTestId('analytics-refresh').count()).toBe(0);
      await other.page.getByTestId('analytics-tab-settings').click();
      await other.page.getByTestId('analytics-settings-readonly').waitFor();
      expect(await other.page.getByTestId('analytics-settings-save').count()).toBe(0);
      expect(await other.page.getByTestId('setting-dormantDays').isDisabled()).toBe(true);
    } finally {
      await other.context.close();
    }
  });
});
