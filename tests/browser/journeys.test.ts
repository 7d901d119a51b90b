// Journeys in a real Chromium against a real server started as a newcomer starts it (the embedded
// demo: its demo shop has a write key, its sandbox e-mail channel delivers into the Sandbox inbox,
// and its clock may be fast-forwarded). The owner turns on the starter "Abandoned cart" from the
// New journey dialog and activates it in the editor; a shopper signs in to the demo shop with an
// e-mail and leaves a product in the cart; the owner moves the demo clock on an hour (the cart is
// found abandoned, the shopper enters the journey and waits at its 1-hour delay) and another hour
// (the reminder goes), finds the reminder addressed to the shopper in the Sandbox inbox with the
// product in it, and the journey's report counts it sent.
//
// The demo shop's sign-in calls rapport('identify', userId, { email, name }): identify traits set
// the profile's fields (docs/events.md) but never a consent, so the shopper's e-mail marketing
// consent is recorded the way a member records it, through the customer's consent API.
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, eventually, launchBrowser, logIn, newPage, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

let app: RunningApp;
let browser: Browser;
let call: Api;
const contexts: BrowserContext[] = [];
let current: Page | undefined;

const poll = { timeout: 60_000, interval: 500 };
const HOUR_MS = 3_600_000;

/** The demo has settled: its shop behaviour (and the catalogue the demo shop sells) loaded and scored, the last step of the demo. */
async function demoLoaded(): Promise<void> {
  await eventually(
    'the demo behaviour and its analytics run',
    async () => ((await call<{ runs: { scores?: { status: string } | null } }>('GET', '/api/analytics/overview')).body.runs?.scores?.status === 'succeeded' ? true : undefined),
    180_000,
  );
}

/** Quiet hours of one minute, half a day from Rapport's time (the demo customers' Seoul clock): the reminder, an ad, goes when it is due whatever time the test runs. */
async function quietHoursElsewhere(): Promise<void> {
  const hm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Seoul', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  const start = new Date(Date.now() + 12 * HOUR_MS);
  const res = await call('PUT', '/api/messaging/settings', { quietHours: { start: hm(start), end: hm(new Date(start.getTime() + 60_000)) } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function open(locale = 'en-US'): Promise<Page> {
  const { context, page } = await newPage(browser, app.url.replace('127.0.0.1', 'localhost'), { locale });
  context.setDefaultTimeout(20_000);
  contexts.push(context);
  current = page;
  return page;
}

beforeAll(async () => {
  app = await startApp({ env: { RAPPORT_DEMO: '1', RAPPORT_DEMO_CUSTOMERS: '40' } });
  browser = await launchBrowser();
  call = await apiAs(app.url, app.email, app.password);
  await demoLoaded();
  await quietHoursElsewhere();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    if (current) await screenshot(current, `failed-journeys-${ctx.task.name}`).catch(() => undefined);
    console.error(app.output().slice(-4000));
  }
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
});

describe('journeys', () => {
  // Up to minutes on a loaded machine (the CI run): the cart, its detection and the journeys jobs run in the background.
  it('a newcomer turns on the abandoned-cart starter, a demo-shop shopper leaves a cart, and the fast-forward brings the reminder to the Sandbox inbox', async () => {
    const consoleErrors: string[] = [];
    const page = await open();
    await logIn(page, app.email, app.password);
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));

    // Journeys: the demo clock is there, in words (no ISO time), not moved yet.
    await page.getByTestId('nav-messages-journeys').click();
    await page.getByRole('heading', { name: 'Journeys', exact: true }).waitFor();
    const demoClock = page.getByTestId('demo-clock');
    await demoClock.waitFor();
    expect(await demoClock.textContent()).toContain('Demo clock');
    expect(await demoClock.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(await demoClock.getAttribute('data-ahead-minutes')).toBe('0');

    // The starter from the New journey dialog opens in the editor; activating it is two clicks.
    await page.getByTestId('new-journey').click();
    await page.getByTestId('starter-abandoned_cart').click();
    await page.waitForURL(/\/journeys\/[0-9a-f-]{36}$/);
    const journeyId = page.url().split('/').pop()!;
    await expect.poll(() => page.getByTestId('journey-status').getAttribute('data-status'), poll).toBe('draft');
    await page.getByTestId('step-node-reminder').waitFor();
    await page.getByTestId('journey-activate').click();
    await page.getByTestId('activate-confirm').click();
    await expect.poll(() => page.getByTestId('journey-status').getAttribute('data-status'), poll).toBe('active');
    expect(await page.getByTestId('journey-version').textContent()).toBe('Live: version 1');
    await screenshot(page, 'journeys-abandoned-cart-active');

    // The shopper: the demo shop, tracking allowed, signed in with an e-mail, one product in the cart.
    const shop = await open();
    const email = `cart.${Date.now()}@example.com`;
    await shop.goto('/demo-shop/signin');
    expect(await shop.getByTestId('no-key').count()).toBe(0);
    await shop.getByTestId('consent-allow').click();
    await shop.getByLabel('E-mail').fill(email);
    await shop.getByLabel('Name').fill('Han Seoyeon');
    await shop.getByTestId('sign-in').click();
    await shop.waitForURL(/\/demo-shop$/);
    await shop.getByTestId('product-link').first().click();
    await shop.waitForURL('**/demo-shop/p/**');
    // The cart line carries the catalogue's name, whatever the page's language: the e-mail lists that.
    const productName = (await shop.locator('[data-rapport-product]').getAttribute('data-name'))!;
    expect(productName).toBeTruthy();
    await shop.getByTestId('add-to-cart').click();
    await expect.poll(() => shop.getByTestId('cart-count').textContent(), poll).toBe('1');

    // Rapport made the customer from the sign-in and holds the open cart line.
    type Found = { items: { id: string; email: string | null }[] };
    const customerId = await eventually(
      'the shopper as a customer, with the open cart line',
      async () => {
        const found = (await call<Found>('GET', `/api/customers?q=${encodeURIComponent(email)}`)).body.items?.find((c) => c.email === email);
        if (!found) return undefined;
        const lines = (await call<{ items: { sku: string; abandonedAt: string | null }[] }>('GET', `/api/customers/${found.id}/carts`)).body.items ?? [];
        return lines.length === 1 ? found.id : undefined;
      },
      60_000,
    );
    // Identify traits carry no consent: e-mail marketing consent as a member records it.
    const consent = await call('PUT', `/api/customers/${customerId}/consents`, { consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', source: 'demo shop sign-in' }] });
    expect(consent.status, JSON.stringify(consent.body)).toBe(200);

    // Back in Rapport: an hour on the demo clock. The cart is found abandoned (after 60 minutes)
    // and the shopper enters the journey, to wait an hour at its first step.
    await page.getByTestId('demo-clock-hour').click();
    await expect.poll(() => page.getByTestId('demo-clock').getAttribute('data-ahead-minutes'), poll).toBe('60');
    expect(await page.getByTestId('demo-clock-ahead').textContent()).toBe('1 hour ahead of real time');
    const delayFigures = page.getByTestId('step-node-wait_1h').getByTestId('step-figures');
    await expect.poll(() => delayFigures.textContent().catch(() => ''), poll).toBe('1 reached · 1 waiting');

    // Another hour: the delay is over, the reminder goes.
    await page.getByTestId('demo-clock-hour').click();
    await expect.poll(() => page.getByTestId('demo-clock').getAttribute('data-ahead-minutes'), poll).toBe('120');
    const reminderFigures = page.getByTestId('step-node-reminder').getByTestId('step-figures');
    await expect.poll(() => reminderFigures.textContent().catch(() => ''), poll).toBe('1 reached · 0 waiting');
    await screenshot(page, 'journeys-abandoned-cart-after');

    // The Sandbox inbox: the reminder, addressed to the shopper, with the product.
    await page.getByTestId('nav-messages-sandbox').click();
    await page.getByRole('heading', { name: 'Sandbox inbox' }).waitFor();
    const item = page.getByTestId('sandbox-item').filter({ hasText: email });
    await item.first().waitFor({ timeout: 60_000 });
    expect(await item.count()).toBe(1);
    await item.first().click();
    await expect.poll(() => page.getByTestId('sandbox-email-subject').textContent(), poll).toContain('You left something in your cart');
    const body = page.frameLocator('[data-testid="sandbox-email"]').locator('body');
    await expect.poll(() => body.textContent(), poll).toContain(productName);
    expect(await body.textContent()).toContain('Han Seoyeon');
    expect(await page.getByTestId('sandbox-view').textContent()).toContain(email);
    await screenshot(page, 'journeys-sandbox-reminder');

    // The journey's report: one entered, one message sent, the reminder step's one message.
    await page.goto(`/journeys/${journeyId}`);
    await page.getByTestId('tab-report').click();
    await expect.poll(() => page.getByTestId('report-entered-value').textContent(), poll).toBe('1');
    await expect.poll(() => page.getByTestId('report-sent-value').textContent(), poll).toBe('1');
    // The reminder's row names its template (the coupon's is another "Send a message"), and its one message.
    const reminderRow = page.getByTestId('report-step-reminder');
    expect(await reminderRow.textContent()).toContain('Abandoned cart · reminder');
    await expect.poll(() => reminderRow.textContent(), poll).toMatch(/Sent: 1/);
    await expect.poll(() => page.getByTestId('report-step-messages-reminder').textContent(), poll).toMatch(/^1 sent/);
    expect(await page.getByTestId('report-step-coupon').textContent()).not.toContain('reminder');
    await page.getByTestId('report-steps-chart').locator('svg').first().waitFor();
    await screenshot(page, 'journeys-report');

    expect(consoleErrors).toEqual([]);
  }, 240_000);
});
