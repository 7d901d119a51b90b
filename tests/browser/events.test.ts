// The event explorer in a real Chromium against a real server: events sent through the
// Segment-compatible /v1/batch appear in the live stream (and stop while it is paused), one
// opens in full with a link to its customer, the volume chart draws, and the commerce pages
// (abandoned carts, products) open.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { v4 as uuidv4 } from 'uuid';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, newPage, screenshot, apiAs, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let call: Api;
let writeKey: string;



/** Sends Segment messages through /v1/batch with the write key, as a shop's server would. */
async function send(...batch: Record<string, unknown>[]): Promise<void> {
  const res = await fetch(`${app.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: batch.map((m) => ({ messageId: uuidv4(), ...m })) }),
  });
  const body = await res.text();
  if (res.status !== 200 || body.includes('"errors"')) throw new Error(`/v1/batch: ${res.status} ${body}`);
}

const track = (event: string, properties: Record<string, unknown>, who: Record<string, unknown>) => ({ type: 'track', event, properties, ...who });

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  const key = await call<{ key: string }>('POST', '/api/keys', { kind: 'write', name: 'shop' });
  expect(key.status).toBe(201);
  writeKey = key.body.key;
  await send(
    { type: 'identify', userId: 'user-minji', traits: { name: '김민지', email: 'minji.kim@naver.com' } },
    track('Product Viewed', { sku: 'SH-1', name: 'Linen shirt', price: 39000, currency: 'KRW', category: 'Women > Tops' }, { anonymousId: 'visitor-1' }),
    track('Product Viewed', { sku: 'SH-1', name: 'Linen shirt', price: 39000, currency: 'KRW', category: 'Women > Tops' }, { userId: 'user-minji' }),
    track('Order Completed', { order_id: 'A-100', total: 39000, currency: 'KRW', products: [{ sku: 'SH-1', name: 'Linen shirt', price: 39000, quantity: 1 }] }, { userId: 'user-minji', context: { page: { path: '/checkout/done' } } }),
  );
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
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-${ctx.task.name}`).catch(() => undefined);
  await context.close();
});

const poll = { timeout: 10_000 };
const rowNames = () => page.getByTestId('event-name').allTextContents();

describe('event explorer', () => {
  it('shows the live stream, pauses and resumes it', async () => {
    await page.getByTestId('nav-events').click();
    await page.getByRole('heading', { name: 'Events', exact: true }).waitFor();
    await expect.poll(rowNames, poll).toEqual(['Order Completed', 'Product Viewed', 'Product Viewed', '']);
    expect(await page.getByTestId('event-live-state').getAttribute('data-state')).toBe('live');
    // Events of a known customer name them; a visitor's show the anonymous id.
    expect(await page.getByTestId('event-customer-link').allTextContents()).toEqual(['김민지', '김민지', '김민지']);
    expect(await page.getByTestId('event-row').nth(2).textContent()).toContain('Visitor visitor-1');

    // A new event arrives while the page is open: the next poll brings it to the top.
    await send(track('Product Added', { sku: 'SH-1', name: 'Linen shirt', price: 39000, currency: 'KRW' }, { anonymousId: 'visitor-1' }));
    await expect.poll(async () => (await rowNames())[0], poll).toBe('Product Added');
    expect(await page.getByTestId('event-row').first().textContent()).toContain('Linen shirt · ₩39,000');

    // Paused, the stream holds still; resumed, it catches up with what came meanwhile.
    await page.getByTestId('event-pause').click();
    await expect.poll(() => page.getByTestId('event-live-state').getAttribute('data-state'), poll).toBe('paused');
    await send(track('Checkout Started', { checkout_id: 'C-1', value: 39000, currency: 'KRW' }, { anonymousId: 'visitor-1' }));
    await page.waitForTimeout(4_500); // two poll intervals: a running stream would have shown it
    expect((await rowNames())[0]).toBe('Product Added');
    await page.getByTestId('event-pause').click();
    await expect.poll(async () => (await rowNames())[0], poll).toBe('Checkout Started');
    await screenshot(page, 'events-stream');
  });

  it('filters by name and opens an event with its properties and customer', async () => {
    await page.goto('/events');
    await page.getByTestId('event-name-filter').click();
    await page.getByRole('option', { name: /^Order Completed/ }).click();
    await expect.poll(rowNames, poll).toEqual(['Order Completed']);
    expect(new URL(page.url()).searchParams.get('name')).toBe('Order Completed');

    await page.getByTestId('event-row').first().click();
    const detail = page.getByTestId('event-detail');
    await detail.waitFor();
    expect(await page.getByTestId('event-detail-name').textContent()).toBe('Order Completed');
    expect(JSON.parse((await page.getByTestId('event-properties').textContent()) ?? '{}')).toMatchObject({ order_id: 'A-100', total: 39000 });
    expect(await page.getByTestId('event-context').textContent()).toContain('/checkout/done');
    await screenshot(page, 'events-detail');
    await page.getByTestId('event-customer-profile').click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    await page.getByTestId('customer-name').filter({ hasText: '김민지' }).waitFor();
  });

  it('draws the volume of an event name per hour and per day', async () => {
    await page.goto('/events');
    const chart = page.getByTestId('event-volume-chart');
    await chart.waitFor();
    // The most frequent name is charted first: two product views this hour.
    expect(await chart.getAttribute('data-name')).toBe('Product Viewed');
    expect(await chart.getAttribute('data-buckets')).toBe('25');
    await expect.poll(() => chart.locator('.recharts-bar-rectangle path').count(), poll).toBeGreaterThan(0);
    expect(await page.getByTestId('event-volume-total').textContent()).toBe('2 in the last 24 hours');

    await page.getByTestId('event-volume-interval').getByText('Last 30 days').click();
    await expect.poll(() => page.getByTestId('event-volume-chart').getAttribute('data-buckets'), poll).toBe('31');
    await page.getByTestId('event-volume-name').click();
    await page.getByRole('option', { name: 'Order Completed' }).click();
    await expect.poll(() => page.getByTestId('event-volume-chart').getAttribute('data-name'), poll).toBe('Order Completed');
    expect(await page.getByTestId('event-volume-total').textContent()).toBe('1 in the last 30 days');
  });
});

describe('commerce pages', () => {
  it('lists abandoned carts once detection has run', async () => {
    // Two hours ago a visitor put two pairs of sneakers in the cart and left (the window is an hour).
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await send(track('Product Added', { sku: 'SN-9', name: 'Sneaker', price: 89000, currency: 'KRW', quantity: 2 }, { anonymousId: 'visitor-2', timestamp: twoHoursAgo }));
    await page.getByTestId('nav-abandoned-carts').click();
    await page.getByRole('heading', { name: 'Abandoned carts', exact: true }).waitFor();
    await page.getByTestId('carts-detect').click();
    const row = page.getByTestId('cart-row').filter({ hasText: 'visitor-2' });
    await row.waitFor();
    expect(await row.getByTestId('cart-items').textContent()).toBe('Sneaker × 2');
    expect(await row.getByTestId('cart-value').textContent()).toBe('₩178,000');
    await screenshot(page, 'abandoned-carts');
  });

  it('lists products and opens one with its views and conversion', async () => {
    await page.getByTestId('nav-products').click();
    await page.getByRole('heading', { name: 'Products', exact: true }).waitFor();
    await page.getByTestId('product-search').fill('linen');
    await expect.poll(() => page.getByTestId('product-link').allTextContents(), poll).toEqual(['Linen shirt']);
    await page.getByTestId('product-link').click();
    await page.getByRole('heading', { name: 'Linen shirt', exact: true }).waitFor();
    expect(await page.getByTestId('product-price').textContent()).toBe('₩39,000');
    // Viewed by a visitor and by 김민지, who bought it: one of two viewers.
    expect(await page.getByTestId('stat-views-value').textContent()).toBe('2');
    expect(await page.getByTestId('stat-orders-value').textContent()).toBe('1');
    expect(await page.getByTestId('stat-conversion-value').textContent()).toBe('50%');
    await screenshot(page, 'product');
  });
});
