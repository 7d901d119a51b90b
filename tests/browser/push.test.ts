// Web push through the browser tracker in a real Chromium, against a real server: the demo shop
// (on Rapport's own origin, so /rapport-sw.js is served to it directly) calls
// rapport('push.subscribe'); the tracker asks for the permission, registers the service worker,
// subscribes with the workspace's VAPID key and sends the subscription, which arrives on the
// identified customer; rapport('push.unsubscribe') drops it; the service worker shows what a push
// message carries.
//
// Headless Chromium has no push service to subscribe at: in Playwright's (off-the-record)
// contexts pushManager.subscribe() fails with "AbortError: Registration failed - permission
// denied" whatever the permission says, and in a persistent profile it never settles (no FCM to
// reach). The first test checks the tracker reports that failure; the others put the push
// service's answer in its place: PushManager.prototype.subscribe / getSubscription, and only
// those, are replaced in the page by a subscription made by the test (real P-256 keys, an FCM
// endpoint), recording the applicationServerKey they were given. Everything else is real: the
// permission, the service worker's registration and activation, the VAPID key request, the
// POST and DELETE, and the push event delivered to the worker through the DevTools protocol.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserKeys, fcmEndpoint } from '../../src/messaging/push-test-fixture.ts';
import { apiAs, eventually, launchBrowser, screenshot, type Api } from './browser.ts';
import { startApp, type RunningApp } from './server.ts';

type PushResult = { ok: boolean; reason?: string; message?: string; id?: string; endpoint?: string };
type Listed = { id: string; anonymousId: string | null; pushService: string };
type Win = Window & { rapport: ((...args: unknown[]) => unknown) & { loaded?: boolean }; __pushCalls: unknown[] };

let app: RunningApp;
let browser: Browser;
let api: Api;
let writeKey: string;
let vapidPublicKey: string;
const contexts: BrowserContext[] = [];
let current: Page | undefined;

async function shopper(opts: { substitutePushService: boolean }): Promise<{ context: BrowserContext; page: Page; sub: { endpoint: string; keys: { p256dh: string; auth: string } } }> {
  const context = await browser.newContext({ baseURL: app.url, locale: 'en-US' });
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  await context.grantPermissions(['notifications'], { origin: app.url });
  const sub = { endpoint: fcmEndpoint(), keys: browserKeys() };
  if (opts.substitutePushService) {
    await context.addInitScript((made) => {
      const w = window as unknown as Win;
      w.__pushCalls = [];
      let current: unknown = null;
      const subscription = (key: Uint8Array) => ({
        endpoint: made.endpoint,
        expirationTime: null,
        options: { userVisibleOnly: true, applicationServerKey: key.buffer },
        toJSON: () => ({ endpoint: made.endpoint, expirationTime: null, keys: made.keys }),
        unsubscribe: () => {
          current = null;
          w.__pushCalls.push('unsubscribe');
          return Promise.resolve(true);
        },
      });
      PushManager.prototype.subscribe = function (options?: PushSubscriptionOptionsInit) {
        const key = new Uint8Array(options!.applicationServerKey as Uint8Array);
        w.__pushCalls.push({ subscribe: { userVisibleOnly: options!.userVisibleOnly, key: Array.from(key) } });
        current = subscription(key);
        return Promise.resolve(current as PushSubscription);
      };
      PushManager.prototype.getSubscription = function () {
        return Promise.resolve(current as PushSubscription | null);
      };
    }, sub);
  }
  const page = await context.newPage();
  current = page;
  await page.goto(`/demo-shop?key=${writeKey}`);
  await page.waitForFunction(() => (window as unknown as Win).rapport?.loaded === true);
  return { context, page, sub };
}

/** Consent given and the visitor identified, as the demo shop's bar and sign-in do. */
async function identified(page: Page, userId: string): Promise<string> {
  return page.evaluate((id) => {
    const w = window as unknown as Win;
    w.rapport('consent', true);
    w.rapport('identify', id);
    w.rapport('flush');
    return localStorage.getItem('rapport_aid')!;
  }, userId);
}

const subscribe = (page: Page) => page.evaluate(() => (window as unknown as Win).rapport('push.subscribe') as Promise<PushResult>);

async function customerOf(anonymousId: string): Promise<string> {
  return eventually(`the customer of ${anonymousId}`, async () => {
    const res = await api<{ items: { customerId: string | null }[] }>('GET', `/api/events?limit=50&anonymousId=${encodeURIComponent(anonymousId)}`);
    return res.body.items?.find((e) => e.customerId)?.customerId ?? undefined;
  });
}

async function subscriptionsOf(customerId: string): Promise<Listed[]> {
  const res = await api<{ items: Listed[] }>('GET', `/api/customers/${customerId}/push-subscriptions`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  api = await apiAs(app.url, app.email, app.password);
  const key = await api<{ key: string }>('POST', '/api/keys', { kind: 'write', name: 'demo shop' });
  expect(key.status).toBe(201);
  writeKey = key.body.key;
  const channel = await api<{ settings: { vapidPublicKey: string } }>('POST', '/api/channels', {
    kind: 'push',
    provider: 'webpush',
    name: 'Web push',
    settings: { subject: 'mailto:shop@example.com' },
    isDefault: true,
  });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  vapidPublicKey = channel.body.settings.vapidPublicKey;
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && current) await screenshot(current, `failed-push-${ctx.task.name}`).catch(() => undefined);
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('web push through the tracker', () => {
  it("reports Chromium's own push registration as it comes out, after the permission and the service worker", async () => {
    const { page } = await shopper({ substitutePushService: false });
    await identified(page, `push-real-${Date.now()}`);
    const result = await subscribe(page);
    const worker = await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.active?.scriptURL ?? null));
    expect(worker).toBe(`${app.url}/rapport-sw.js`);
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');
    if (result.ok) {
      // A Chromium with a reachable push service: the subscription is kept like any other.
      expect(result.endpoint).toMatch(/^https:\/\//);
    } else {
      expect(result).toEqual({ ok: false, reason: 'failed', message: 'Registration failed - permission denied' });
    }
  });

  it('subscribes with the workspace’s VAPID key and the subscription arrives on the identified customer; unsubscribe drops it', async () => {
    const { page, sub } = await shopper({ substitutePushService: true });
    const userId = `push-shopper-${Date.now()}`;
    const anonymousId = await identified(page, userId);
    const sent: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/push/')) sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });

    const result = await subscribe(page);
    expect(result, JSON.stringify(result)).toEqual({ ok: true, id: expect.any(String), endpoint: sub.endpoint });
    const calls = await page.evaluate(() => (window as unknown as Win).__pushCalls);
    expect(calls).toEqual([{ subscribe: { userVisibleOnly: true, key: Array.from(Buffer.from(vapidPublicKey, 'base64url')) } }]);
    expect(sent).toEqual(['GET /v1/push/vapid-public-key', 'POST /v1/push/subscriptions']);
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.active?.scriptURL ?? null))).toBe(`${app.url}/rapport-sw.js`);

    const customerId = await customerOf(anonymousId);
    const rows = await eventually('the subscription on the customer', async () => {
      const items = await subscriptionsOf(customerId);
      return items.length ? items : undefined;
    });
    expect(rows).toEqual([expect.objectContaining({ id: result.id, anonymousId, pushService: 'https://fcm.googleapis.com' })]);

    // Asking again finds the browser's subscription and refreshes the same row.
    const again = await subscribe(page);
    expect(again).toEqual({ ok: true, id: result.id, endpoint: sub.endpoint });
    expect(await page.evaluate(() => (window as unknown as Win).__pushCalls.length)).toBe(1);

    const dropped = await page.evaluate(() => (window as unknown as Win).rapport('push.unsubscribe') as Promise<PushResult>);
    expect(dropped).toEqual({ ok: true });
    expect(sent.at(-1)).toBe('DELETE /v1/push/subscriptions');
    expect(await subscriptionsOf(customerId)).toEqual([]);
  });

  it('does nothing while the shopper has not consented to tracking', async () => {
    const { page } = await shopper({ substitutePushService: true });
    const result = await subscribe(page);
    expect(result).toEqual({ ok: false, reason: 'tracking_off' });
    expect(await page.evaluate(() => (window as unknown as Win).__pushCalls)).toEqual([]);
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r ?? null))).toBeNull();
  });

  it('the service worker shows what a push message carries', async () => {
    const { context, page } = await shopper({ substitutePushService: true });
    await identified(page, `push-sw-${Date.now()}`);
    expect((await subscribe(page)).ok).toBe(true);
    const cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof registrations }) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    const registration = await eventually('the service worker registration', async () => registrations.find((r) => r.scopeURL === `${app.url}/` && !r.isDeleted));
    const message = { title: '봄 신상품 입고', body: '민지님이 보신 스니커즈가 다시 들어왔어요', url: `${app.url}/demo-shop/cart`, icon: `${app.url}/demo-shop/img/x.svg` };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${app.url}/`, registrationId: registration.registrationId, data: JSON.stringify(message) });
    const shown = await eventually('the notification', async () => {
      const list = await page.evaluate(() =>
        navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => ns.map((n) => ({ title: n.title, body: n.body, icon: n.icon, data: n.data as unknown }))),
      );
      return list.length ? list : undefined;
    });
    expect(shown).toEqual([{ title: message.title, body: message.body, icon: message.icon, data: { url: message.url } }]);

    // A link that is not http(s) is not kept for the click.
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${app.url}/`, registrationId: registration.registrationId, data: JSON.stringify({ title: 'x', body: 'y', url: 'javascript:alert(1)' }) });
    const second = await eventually('the second notification', async () => {
      const list = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => ns.map((n) => ({ title: n.title, data: n.data as unknown }))));
      return list.find((n) => n.title === 'x');
    });
    expect(second.data).toEqual({ url: null });
  });
});
