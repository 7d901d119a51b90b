// The browser tracker (/t.js) in a real Chromium, driven through the demo shop against a real
// server: a shopper browses, views a product (its dwell time measured while visible, paused while
// the page sits in the back/forward cache), adds it to the cart, signs in and orders; the events
// arrive on the identified customer. Retries keep their messageIds (the server stores each once),
// and Do-Not-Track or a refused consent send nothing.
//
// Headless Chromium reports every page as visible, whatever tab is in front (Playwright
// #2286), so the product page is hidden for real by leaving it and coming back from the
// back/forward cache (which Playwright turns off by default, hence our own launch).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, screenshot, eventually } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: T }>;
type Listed = { id: string; type: string; name: string | null; customerId: string | null; anonymousId: string | null; userId: string | null; sessionId: string | null; properties: Record<string, unknown> };

let app: RunningApp;
let browser: Browser;
let call: Api;
let writeKey: string;
/** A second workspace whose key the privacy tests use: any event in it is one too many. */
let quiet: { id: string; key: string };
const contexts: BrowserContext[] = [];
let current: Page | undefined;

async function apiAs(url: string, email: string, password: string): Promise<Api> {
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method, p, body, headers = {}) => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as never };
  };
}

async function events(query: string, workspaceId?: string): Promise<Listed[]> {
  const res = await call<{ items: Listed[] }>('GET', `/api/events?limit=200&${query}`, undefined, workspaceId ? { 'x-workspace-id': workspaceId } : {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

async function newShopper(opts: { locale?: string } = {}): Promise<{ context: BrowserContext; page: Page; beacons: Request[] }> {
  const context = await browser.newContext({ baseURL: app.url, locale: opts.locale ?? 'en-US', viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  current = page;
  const beacons: Request[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/')) beacons.push(r);
  });
  return { context, page, beacons };
}

beforeAll(async () => {
  app = await startApp();
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  call = await apiAs(app.url, app.email, app.password);
  const key = await call<{ key: string }>('POST', '/api/keys', { kind: 'write', name: 'demo shop' });
  expect(key.status).toBe(201);
  writeKey = key.body.key;
  const ws = await call<{ id: string }>('POST', '/api/workspaces', { name: 'Quiet shop' });
  expect(ws.status).toBe(201);
  const quietKey = await call<{ key: string }>('POST', '/api/keys', { kind: 'write', name: 'quiet shop' }, { 'x-workspace-id': ws.body.id });
  expect(quietKey.status).toBe(201);
  quiet = { id: ws.body.id, key: quietKey.body.key };
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && current) await screenshot(current, `failed-${ctx.task.name}`).catch(() => undefined);
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the tracker in the demo shop', () => {
  it('sends a visit, dwell time while visible, cart, sign-in and order to the identified customer', async () => {
    const { page } = await newShopper();
    const email = `minji.${Date.now()}@example.com`;
    await page.goto(`/demo-shop?key=${writeKey}`);
    await page.getByTestId('consent-allow').click();

    // The front page's list: scrolled through, its products are impressions.
    const cards = page.getByTestId('product-card');
    await cards.last().scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    const first = cards.first();
    const sku = (await first.getAttribute('data-sku'))!;
    const price = Number(await first.getAttribute('data-price'));
    // The page's visible stretches are bracketed by the test's clock: from before each action that
    // shows or hides it to after it took effect. A loaded machine widens the brackets, not the check.
    const clickedAt = Date.now();
    await first.getByTestId('product-link').click();
    await page.waitForURL(`**/demo-shop/p/${sku}`);
    await page.waitForFunction(() => (window as unknown as { rapport?: { loaded?: boolean } }).rapport?.loaded === true);
    const shownAt = Date.now();
    await page.waitForTimeout(2_500);

    // Away to the cart page for a while: the product page is hidden (kept in the back/forward cache)...
    await page.evaluate(() => ((window as unknown as { visitMark: string }).visitMark = 'product page'));
    const leftAt = Date.now();
    await page.getByTestId('cart-link').click();
    await page.waitForURL('**/demo-shop/cart');
    const awayAt = Date.now();
    await page.waitForTimeout(3_000);
    // ...and back: the same page, shown again.
    const returningAt = Date.now();
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as { visitMark?: string }).visitMark === 'product page', undefined, { timeout: 5_000 });
    const backAt = Date.now();
    await page.waitForTimeout(1_500);
    await page.getByTestId('add-to-cart').click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
    const goneAt = Date.now();
    // At least the time between the page surely being shown and the actions that hide it; at most
    // from the actions that show it to the hiding having surely happened.
    const visibleAtLeast = leftAt - shownAt + (goneAt - backAt);

    await page.getByTestId('sign-in-link').click();
    await page.locator('input[name="email"]').waitFor();
    const visibleAtMost = awayAt - clickedAt + (Date.now() - returningAt);
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="name"]').fill('김민지');
    await page.getByTestId('sign-in').click();
    await page.waitForURL(/\/demo-shop$/);
    await page.getByTestId('cart-link').click();
    await page.getByTestId('checkout').click();
    await page.locator('input[name="recipient"]').fill('김민지');
    await page.locator('input[name="phone"]').fill('010-1234-5678');
    await page.locator('input[name="address"]').fill('서울 마포구 양화로 45');
    await page.getByTestId('shipping-next').click();
    await page.getByTestId('place-order').click();
    await page.waitForURL('**/demo-shop/order');
    const orderId = (await page.getByTestId('order-id').textContent())!;
    expect(orderId).toMatch(/^DS-\d{8}-[0-9A-F]{6}$/);

    // The sign-in made the customer; every event of the visit, the anonymous ones included, is theirs.
    const customerId = await eventually('the signed-in customer', async () => {
      const res = await call<{ items: { id: string; email: string; name: string }[] }>('GET', `/api/customers?q=${encodeURIComponent(email)}`);
      return res.body.items?.[0]?.email === email ? res.body.items[0]!.id : undefined;
    });
    const mine = await eventually('the order event', async () => {
      const list = await events(`customerId=${customerId}`);
      return list.some((e) => e.name === 'Order Completed') ? list : undefined;
    });
    const names = new Set(mine.map((e) => (e.type === 'track' ? e.name : e.type)));
    for (const name of ['page', 'identify', 'Product List Viewed', 'Product Clicked', 'Product Viewed', 'Product Dwell', 'Product Added', 'Cart Viewed', 'Checkout Started', 'Checkout Step Completed', 'Order Completed']) {
      expect(names, name).toContain(name);
    }
    const all = await events(`anonymousId=${encodeURIComponent(mine[0]!.anonymousId!)}`);
    expect(all.filter((e) => e.customerId !== customerId)).toEqual([]);
    expect(new Set(mine.map((e) => e.sessionId)).size).toBe(1);
    expect(mine.filter((e) => e.type === 'identify')[0]).toMatchObject({ userId: expect.stringMatching(/^shop-[0-9a-f]{16}$/) });

    const ofProduct = (name: string) => mine.filter((e) => e.name === name && e.properties.sku === sku);
    // Viewed once: coming back from the back/forward cache is the same view, resumed.
    expect(ofProduct('Product Viewed')).toHaveLength(1);
    expect(ofProduct('Product Viewed')[0]!.properties).toMatchObject({ product_id: sku, price, currency: 'KRW', category: expect.stringContaining(' > ') });
    expect(ofProduct('Product Clicked')[0]!.properties).toMatchObject({ position: 1, list_id: 'home-new-arrivals' });
    const impressions = mine.filter((e) => e.name === 'Product List Viewed').flatMap((e) => e.properties.products as { sku: string }[]);
    expect(impressions.map((p) => p.sku)).toContain(sku);
    expect(impressions.length).toBeGreaterThanOrEqual(8);
    // Dwell: one report per visible stretch; together the time the page was in view, not the 3 s away.
    const dwell = ofProduct('Product Dwell').map((e) => e.properties.dwell_ms as number);
    expect(dwell.length).toBe(2);
    const dwellMs = dwell.reduce((a, b) => a + b, 0);
    // The 3 s away are not counted: the upper bound excludes them, and sits well below the whole visit.
    expect(dwellMs, `dwell ${dwellMs} ms, visible ${visibleAtLeast}–${visibleAtMost} ms`).toBeGreaterThanOrEqual(visibleAtLeast - 300);
    expect(dwellMs, `dwell ${dwellMs} ms, visible ${visibleAtLeast}–${visibleAtMost} ms`).toBeLessThanOrEqual(visibleAtMost + 300);

    expect(mine.find((e) => e.name === 'Order Completed')!.properties).toMatchObject({
      order_id: orderId,
      currency: 'KRW',
      total: price + (price >= 50_000 ? 0 : 3_000),
      products: [expect.objectContaining({ sku, product_id: sku, quantity: 1, price })],
    });

    // The library and the messages, in full.
    const detail = await call<{ messageId: string; context: { library: { name: string }; sessionId: string; page: { path: string }; locale: string } }>(
      'GET',
      `/api/events/${ofProduct('Product Viewed')[0]!.id}`,
    );
    expect(detail.body.context).toMatchObject({ library: { name: 'rapport.js' }, locale: 'en-US', page: { path: `/demo-shop/p/${sku}` } });
    expect(detail.body.messageId).toMatch(/^[0-9a-f-]{36}$/);

    // What ingestion made of it: the order, and behaviour metrics with the dwell time.
    const orders = await call<{ items: { externalId: string; total: number; customerId: string }[] }>('GET', `/api/orders?customerId=${customerId}`);
    expect(orders.body.items).toEqual([expect.objectContaining({ externalId: orderId, total: price + (price >= 50_000 ? 0 : 3_000), customerId })]);
    const metrics = await call<{ dwellMs: number; productViews: number; cartAdds: number; orderCount: number }>('GET', `/api/customers/${customerId}/metrics`);
    expect(metrics.body).toMatchObject({ productViews: 1, cartAdds: 1, orderCount: 1 });
    expect(metrics.body.dwellMs).toBe(dwellMs);
  });

  it('retries failed sends with the same messageIds, and the server stores each message once', async () => {
    const { page } = await newShopper();
    const attempts: string[][] = [];
    await page.route('**/v1/batch', async (route) => {
      const ids = ((route.request().postDataJSON() as { batch: { messageId: string }[] }).batch ?? []).map((m) => m.messageId);
      attempts.push(ids);
      if (attempts.length <= 2) {
        // The server gets the batch, but the answer is lost: a 503 comes back instead.
        await route.fetch();
        await route.fulfill({ status: 503, body: 'unavailable' });
      } else {
        await route.continue();
      }
    });
    await page.goto(`/demo-shop/p/${(await firstSku())}?key=${writeKey}`);
    // The demo shop asks for consent first (data-require-consent): the calls held until then go together.
    await page.getByTestId('consent-allow').click();
    await expect.poll(() => attempts.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    const firstIds = attempts[0]!;
    expect(firstIds.length).toBeGreaterThanOrEqual(2); // the page view and the product view
    expect(attempts[1]).toEqual(expect.arrayContaining(firstIds));
    expect(attempts[2]).toEqual(expect.arrayContaining(firstIds));
    const anonymousId = (await page.evaluate(() => localStorage.getItem('rapport_aid')))!;
    const sent = new Set(attempts.flat());
    const stored = await eventually('the stored events', async () => {
      const list = await events(`anonymousId=${encodeURIComponent(anonymousId)}`);
      return list.length >= sent.size ? list : undefined;
    });
    expect(stored).toHaveLength(sent.size);
    expect(stored.filter((e) => e.name === 'Product Viewed')).toHaveLength(1);
  });

  it('sends nothing at all when the browser asks not to be tracked', async () => {
    // Chromium's own "Send a Do Not Track request" setting, in a profile of its own.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-dnt-'));
    fs.mkdirSync(path.join(profile, 'Default'));
    fs.writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify({ enable_do_not_track: true }));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, baseURL: app.url });
    contexts.push(context);
    try {
      const page = await context.newPage();
      current = page;
      const sent: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/v1/')) sent.push(r.url());
      });
      await page.goto(`/demo-shop?key=${quiet.key}`);
      expect(await page.evaluate(() => navigator.doNotTrack)).toBe('1');
      await page.getByTestId('product-link').first().click();
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('cart-link').click();
      await page.waitForURL('**/demo-shop/cart');
      await page.waitForTimeout(1_500);
      expect(sent).toEqual([]);
      const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rapport_')).concat(Object.keys(sessionStorage).filter((k) => k.startsWith('rapport_'))));
      expect(stored).toEqual([]);
      expect((await context.cookies()).filter((c) => c.name.startsWith('rapport_aid'))).toEqual([]);
      expect(await events('', quiet.id)).toEqual([]);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  it('stops sending, and forgets the visitor, once consent is refused', async () => {
    const { page, beacons } = await newShopper({ locale: 'ko-KR' });
    await page.goto(`/demo-shop?key=${quiet.key}`);
    await page.getByTestId('consent-deny').click();
    const before = beacons.length;
    await page.getByTestId('product-link').first().click();
    await page.getByTestId('add-to-cart').click();
    await page.getByTestId('cart-link').click();
    await page.waitForURL('**/demo-shop/cart');
    await page.waitForTimeout(1_500);
    expect(beacons.slice(before).map((r) => r.url())).toEqual([]);
    expect(await page.evaluate(() => [localStorage.getItem('rapport_consent'), localStorage.getItem('rapport_aid'), sessionStorage.getItem('rapport_queue')])).toEqual(['denied', null, null]);
    // Whatever reached the server came before the refusal: at most the front page's view.
    const stored = await events('', quiet.id);
    expect(stored.every((e) => e.type === 'page' && e.properties.path === '/demo-shop')).toBe(true);
  });

  it('with data-require-consent, holds everything until consent is given, then sends it', async () => {
    const { page, beacons } = await newShopper();
    // A page of the shop's own site embedding the snippet (served here by the browser's router).
    await page.route('**/landing', (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><title>Landing</title>
<button id="yes" onclick="rapport('consent', true)">OK</button>
<script>window.rapport=window.rapport||function(){(rapport.q=rapport.q||[]).push(arguments)};rapport('track','Newsletter Shown',{placement:'top'});</script>
<script src="/t.js" data-write-key="${writeKey}" data-require-consent="true"></script>`,
      }),
    );
    await page.goto('/landing');
    await page.waitForFunction(() => (window as unknown as { rapport?: { loaded?: boolean } }).rapport?.loaded === true);
    await page.waitForTimeout(1_000);
    expect(beacons).toEqual([]);
    expect(await page.evaluate(() => [localStorage.getItem('rapport_aid'), sessionStorage.getItem('rapport_queue')])).toEqual([null, null]);
    await page.locator('#yes').click();
    const anonymousId = await eventually('the stored anonymous id', async () => (await page.evaluate(() => localStorage.getItem('rapport_aid'))) ?? undefined);
    const stored = await eventually('the held events', async () => {
      const list = await events(`anonymousId=${encodeURIComponent(anonymousId)}`);
      return list.length >= 2 ? list : undefined;
    });
    expect(stored.map((e) => (e.type === 'track' ? e.name : e.type)).sort()).toEqual(['Newsletter Shown', 'page']);
    expect(stored.find((e) => e.name === 'Newsletter Shown')!.properties).toEqual({ placement: 'top' });
  });
});

async function firstSku(): Promise<string> {
  const res = await fetch(`${app.url}/demo-shop`);
  const html = await res.text();
  return /data-sku="([^"]+)"/.exec(html)![1]!;
}
