// The demo shop in a real Chromium, against Rapport running in this process (so the test moves
// Rapport's clock, src/clock.ts, instead of waiting out the abandonment window): what an
// anonymous shopper sees, the checkout's order of steps, consent before any event, and a cart
// abandoned and then recovered — one line bought, the other removed — leaving the customer's
// abandoned figures and the "Abandoned cart in 24 h" segment.
import fs from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../src/areas.ts';
import { clock } from '../../src/clock.ts';
import { detectAbandonedCarts } from '../../src/commerce/abandoned-carts.ts';
import { openDatabase, type Database } from '../../src/db/connection.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { createTestWorkspace } from '../../src/db/test-helpers.ts';
import { getCustomerMetrics, recomputeCustomers } from '../../src/events/metrics.ts';
import { events } from '../../src/events/schema.ts';
import { createTestApp } from '../../src/http/test-client.ts';
import type { App } from '../../src/http/deps.ts';
import { drainPendingChanges } from '../../src/segments/jobs.ts';
import { segmentMembers, segments } from '../../src/segments/schema.ts';
import { createStarterSegments } from '../../src/segments/starter-segments.ts';
import { createApiKey } from '../../src/workspaces/api-keys.ts';
import { systemActor } from '../../src/workspaces/audit.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, screenshot, eventually } from './browser.ts';

let database: Database;
let app: App;
let url: string;
let browser: Browser;
let workspaceId: string;
let writeKey: string;
const contexts: BrowserContext[] = [];
let current: Page | undefined;

async function shopper(): Promise<Page> {
  const context = await browser.newContext({ baseURL: url, locale: 'en-US', viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  current = await context.newPage();
  return current;
}

const trackerLoaded = (page: Page) => page.waitForFunction(() => (window as unknown as { rapport?: { loaded?: boolean } }).rapport?.loaded === true);

async function storedEvents(where?: (e: typeof events.$inferSelect) => boolean) {
  const rows = await database.db.select().from(events).where(eq(events.workspaceId, workspaceId));
  return where ? rows.filter(where) : rows;
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  database = await openDatabase({ kind: 'pglite', dataDir: null });
  await runMigrations(database);
  const { workspace } = await createTestWorkspace(database, 'Demo shop');
  workspaceId = workspace.id;
  ({ key: writeKey } = await database.db.transaction((tx) =>
    createApiKey(tx, { workspaceId, actor: systemActor, actorRole: null, kind: 'write', name: 'demo shop' }),
  ));
  await createStarterSegments(database.db, { workspaceId, actor: systemActor });
  app = await createTestApp(database);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && current) await screenshot(current, `failed-demo-shop-${ctx.task.name}`).catch(() => undefined);
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  clock.reset();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
});

describe('the demo shop', () => {
  it('shows an anonymous shopper "Sign in", not "Sign out"', async () => {
    const page = await shopper();
    await page.goto(`/demo-shop?key=${writeKey}`);
    await expect.poll(() => page.getByTestId('sign-in-link').isVisible()).toBe(true);
    expect(await page.getByTestId('sign-out').isVisible()).toBe(false);
  });

  it('sends nothing, not even the page view, before the shopper allows it; then sends what it held', async () => {
    const page = await shopper();
    // The page's timers run on the test's command: the tracker's sending delay passes without waiting.
    await page.clock.install();
    const before = (await storedEvents()).length;
    const beacons: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/')) beacons.push(r.url());
    });
    await page.goto(`/demo-shop?key=${writeKey}`);
    await trackerLoaded(page);
    await page.clock.runFor(5_000);
    await page.waitForLoadState('networkidle');
    expect(beacons).toEqual([]);
    expect(await storedEvents()).toHaveLength(before);

    const sent = page.waitForRequest((r) => new URL(r.url()).pathname.startsWith('/v1/'));
    await page.getByTestId('consent-allow').click();
    await page.clock.runFor(5_000);
    await sent;
    const pages = await eventually('the held page view', async () => {
      const list = await storedEvents((e) => e.type === 'page' && e.name === 'Home');
      return list.length > 0 ? list : undefined;
    });
    expect(pages).toHaveLength(1);
    // The held page view and what follows are one visit (the tracker kept its session in memory).
    await page.getByTestId('product-link').first().click();
    await page.waitForURL('**/demo-shop/p/**');
    await trackerLoaded(page);
    await page.clock.runFor(5_000);
    const viewed = await eventually('the product view', async () => {
      const list = await storedEvents((e) => e.name === 'Product Viewed' && e.anonymousId === pages[0]!.anonymousId);
      return list.length > 0 ? list : undefined;
    });
    expect(viewed[0]!.sessionId).toBe(pages[0]!.sessionId);
  });

  it('asks for the address before the payment and places no order without one', async () => {
    const page = await shopper();
    await page.goto(`/demo-shop?key=${writeKey}`);
    await page.getByTestId('consent-allow').click();
    await page.getByTestId('product-link').first().click();
    await page.getByTestId('add-to-cart').click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
    await page.goto('/demo-shop/checkout');
    await expect.poll(() => page.getByTestId('shipping-form').isVisible()).toBe(true);
    expect(await page.getByTestId('payment-form').isVisible()).toBe(false);
    expect(await page.getByTestId('place-order').isVisible()).toBe(false);

    // Even a payment submitted by other means (a script, an old tab) is turned back to the address.
    await page.evaluate(() => (document.querySelector('[data-testid="payment-form"]') as HTMLFormElement).requestSubmit());
    await expect.poll(() => page.getByTestId('shipping-form').isVisible()).toBe(true);
    expect(page.url()).toContain('/demo-shop/checkout');
    expect(await page.evaluate(() => localStorage.getItem('demo_shop_last_order'))).toBeNull();

    await page.getByLabel('Recipient').fill('Kim Minji');
    await page.getByLabel('Phone').fill('010-1234-5678');
    await page.getByLabel('Address').fill('1 Sejong-daero, Seoul');
    await page.getByTestId('shipping-next').click();
    await expect.poll(() => page.getByTestId('payment-form').isVisible()).toBe(true);
    expect(await page.getByTestId('shipping-form').isVisible()).toBe(false);
    await page.getByTestId('place-order').click();
    await page.waitForURL('**/demo-shop/order');
    await expect.poll(() => page.getByTestId('order-id').textContent()).toMatch(/^DS-/);
  });

  it('a cart abandoned, then one line bought and the other removed, leaves the abandoned figures and the segment', async () => {
    const page = await shopper();
    const email = `recovered.${Date.now()}@example.com`;
    await page.goto(`/demo-shop/signin?key=${writeKey}`);
    await page.getByTestId('consent-allow').click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Name').fill('Park Jiwoo');
    await page.getByTestId('sign-in').click();
    await page.waitForURL(/\/demo-shop$/);

    // Two products in the cart.
    const cards = page.getByTestId('product-card');
    const skus = [(await cards.nth(0).getAttribute('data-sku'))!, (await cards.nth(1).getAttribute('data-sku'))!];
    for (const [i, sku] of skus.entries()) {
      await page.goto(`/demo-shop/p/${sku}`);
      await page.getByTestId('add-to-cart').click();
      await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe(String(i + 1));
    }
    const customerId = await eventually('the cart lines of the signed-in shopper', async () => {
      const added = await storedEvents((e) => e.name === 'Product Added' && e.customerId !== null);
      return added.length === 2 ? added[0]!.customerId! : undefined;
    });
    const [segment] = await database.db
      .select({ id: segments.id })
      .from(segments)
      .where(and(eq(segments.workspaceId, workspaceId), eq(segments.starterKey, 'abandoned-cart-24h')));
    const inSegment = async () =>
      (await database.db.select().from(segmentMembers).where(and(eq(segmentMembers.segmentId, segment!.id), eq(segmentMembers.customerId, customerId)))).length === 1;
    const abandoned = async () => (await getCustomerMetrics(database.db, { workspaceId, customerId })).abandonedCartItems;

    // The shop's window (60 minutes) passes on Rapport's clock; the detection run finds the cart.
    clock.advance(61 * 60_000);
    // (Other tests' carts in this workspace may be found too: the figures below are this customer's.)
    await detectAbandonedCarts(database.db, { workspaceId });
    await drainPendingChanges(database.db, { workspaceId, now: clock.now() });
    expect(await abandoned()).toBe(2);
    expect(await inSegment()).toBe(true);

    // The shopper comes back: removes the second line and buys the first.
    await page.goto('/demo-shop/cart');
    const lines = page.getByTestId('cart-line');
    await expect.poll(() => lines.count()).toBe(2);
    await page.locator(`[data-testid="cart-line"][data-sku="${skus[1]}"]`).getByTestId('remove').click();
    await expect.poll(() => lines.count()).toBe(1);
    await page.getByTestId('checkout').click();
    await page.getByLabel('Recipient').fill('Park Jiwoo');
    await page.getByLabel('Phone').fill('010-2222-3333');
    await page.getByLabel('Address').fill('2 Teheran-ro, Seoul');
    await page.getByTestId('shipping-next').click();
    await page.getByTestId('place-order').click();
    await page.waitForURL('**/demo-shop/order');
    await eventually('the order and the removal', async () => {
      const done = await storedEvents((e) => e.customerId === customerId && (e.name === 'Order Completed' || e.name === 'Product Removed'));
      return done.length === 2 ? true : undefined;
    });
    await drainPendingChanges(database.db, { workspaceId, now: clock.now() });

    expect(await abandoned()).toBe(0);
    expect(await inSegment()).toBe(false);
    // A rebuild from history says the same.
    await recomputeCustomers(database.db, { workspaceId, customerIds: [customerId] });
    expect(await abandoned()).toBe(0);
  });
});
