// The live count of a large workspace in a real Chromium: estimated from the 1% customer sample
// while the definition is edited, and counted exactly on request. The server is told to estimate
// from one customer on (RAPPORT_PREVIEW_ESTIMATE_FROM), so that a few hundred customers suffice.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { v4 as uuidv4 } from 'uuid';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { apiAs, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let call: Api;

const poll = { timeout: 20_000 };
/** Customers per identify batch; batches are sent until the sample holds one of them. */
const BATCH = 300;
let customers = 0;
const DEFINITION = { and: [{ type: 'attribute', field: 'email', op: 'contains', value: 'sample' }] };

type Preview = { count: number; estimated: boolean; margin: number; sampledCustomers: number | null };

beforeAll(async () => {
  app = await startApp({ env: { RAPPORT_PREVIEW_ESTIMATE_FROM: '1' } });
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  const key = await call<{ key: string }>('POST', '/api/keys', { kind: 'write', name: 'shop' });
  expect(key.status).toBe(201);
  // Customer ids are the server's to choose: 300 customers hold none of the 1% sample about one
  // time in 20, so more come until one is in it.
  for (let round = 0; round < 6; round++) {
    const batch = Array.from({ length: BATCH }, (_, i) => ({ messageId: uuidv4(), type: 'identify', userId: `s${customers + i}`, traits: { name: `Sample ${customers + i}`, email: `s${customers + i}@sample.kr` } }));
    const res = await fetch(`${app.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${key.body.key}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    expect(res.status).toBe(200);
    customers += BATCH;
    // Ingestion is asynchronous: wait until an exact preview sees every customer.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const exact = await call<Preview>('POST', '/api/segments/preview', { definition: DEFINITION, exact: true });
      if (exact.body.count === customers) break;
      if (Date.now() > deadline) throw new Error(`the preview never saw the customers: ${JSON.stringify(exact.body)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    if ((await call<Preview>('POST', '/api/segments/preview', { definition: DEFINITION })).body.estimated) break;
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

beforeEach(async () => {
  ({ context, page } = await newPage(browser, app.url));
  await logIn(page, app.email, app.password);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-segments-estimate-${ctx.task.name}`).catch(() => undefined);
  await context.close();
});

it('shows the estimate with its margin while editing, and the exact count when asked', async () => {
  const estimate = await call<Preview>('POST', '/api/segments/preview', { definition: DEFINITION });
  expect(estimate.body, JSON.stringify(estimate.body)).toMatchObject({ estimated: true });
  expect(estimate.body.count % 100).toBe(0);
  expect(estimate.body.sampledCustomers).toBeLessThan(customers);

  await page.goto(`${app.url}/segments/new`);
  await page.getByTestId('node-0-op').click();
  await page.getByRole('option', { name: 'contains', exact: true }).click();
  await page.getByTestId('node-0-value').fill('sample');
  const count = page.getByTestId('live-count');
  await expect.poll(() => count.getAttribute('data-estimated'), poll).toBe('true');
  expect(await count.getAttribute('data-count')).toBe(String(estimate.body.count));
  const note = (await page.getByTestId('live-estimate').textContent()) ?? '';
  expect(note).toContain(`sample of ${estimate.body.sampledCustomers} customers`);
  if (estimate.body.count > 0) expect(note).toContain(`± ${estimate.body.margin.toLocaleString('en')}`);
  else expect(await count.textContent()).toContain(`fewer than ${estimate.body.margin}`);
  await screenshot(page, 'segments-builder-estimate');

  await page.getByTestId('live-exact').click();
  await expect.poll(() => count.getAttribute('data-estimated'), poll).toBe('false');
  expect(await count.getAttribute('data-count')).toBe(String(customers));
  expect(await page.getByTestId('live-estimate').count()).toBe(0);

  // An edit goes back to the estimate.
  await page.getByTestId('node-0-value').fill('sampl');
  await expect.poll(() => count.getAttribute('data-estimated'), poll).toBe('true');
});
