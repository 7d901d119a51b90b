import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../customers/fields.ts';
import { CATEGORIES, createRandom, generateBehaviour, generateCatalogue, generateCustomers, type BehaviourOptions, type SegmentMessage } from './generate.ts';

describe('synthetic customers', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = [...generateCustomers({ seed: 7, count: 50 })];
    const b = [...generateCustomers({ seed: 7, count: 50 })];
    const c = [...generateCustomers({ seed: 8, count: 50 })];
    expect(a).toEqual(b);
    expect(a.map((x) => x.name)).not.toEqual(c.map((x) => x.name));
  });

  it('makes valid, unique contact data', () => {
    const list = [...generateCustomers({ seed: 1, count: 20_000 })];
    expect(new Set(list.map((c) => c.email)).size).toBe(list.length);
    expect(new Set(list.map((c) => c.externalId)).size).toBe(list.length);
    for (const c of list) {
      expect(c.phone).toMatch(/^\+821[01]\d{8}$/);
      // As an import checks it: written as a Korean shop exports it, it reads back as the same number.
      expect(normalisePhone(`0${c.phone.slice(3, 5)}-${c.phone.slice(5, 9)}-${c.phone.slice(9)}`)).toBe(c.phone);
      expect(c.email).toMatch(/^[a-z]+\.[a-z]+\d+@[a-z.]+$/);
      expect(c.name).toMatch(/^[가-힣]{3}$/);
      expect(Number.isNaN(Date.parse(c.birthday))).toBe(false);
      expect(c.signedUpAt.getTime()).toBeLessThanOrEqual(new Date('2026-11-01T00:00:00Z').getTime());
    }
  });

  it('has believable proportions', () => {
    const list = [...generateCustomers({ seed: 3, count: 20_000 })];
    const share = (pred: (c: (typeof list)[number]) => boolean) => list.filter(pred).length / list.length;
    expect(share((c) => c.name.startsWith('김'))).toBeGreaterThan(0.2); // Kim carries 21.5 of the list's 78.5 weight: ~27 %
    expect(share((c) => c.name.startsWith('김'))).toBeLessThan(0.34);
    expect(share((c) => c.gender === 'F')).toBeCloseTo(0.68, 1);
    expect(share((c) => c.consents.some((k) => k.purpose === 'marketing' && k.status === 'granted'))).toBeGreaterThan(0.4);
    const nightAds = share((c) => c.consents.some((k) => k.purpose === 'night_ads' && k.status === 'granted'));
    expect(nightAds).toBeGreaterThan(0.1);
    expect(nightAds).toBeLessThan(0.3);
  });

  it('uses a uniform PRNG', () => {
    const rnd = createRandom(123);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(rnd.next() * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});

const NOW = new Date('2026-11-01T00:00:00Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('product catalogue', () => {
  it('is deterministic, with unique SKUs, Korean category paths and KRW prices', () => {
    const a = generateCatalogue({ seed: 5, count: 300 });
    expect(generateCatalogue({ seed: 5, count: 300 })).toEqual(a);
    expect(generateCatalogue({ seed: 6, count: 300 }).map((p) => p.name)).not.toEqual(a.map((p) => p.name));
    expect(a).toHaveLength(300);
    expect(new Set(a.map((p) => p.sku)).size).toBe(300);
    expect(new Set(a.map((p) => p.categoryKey))).toEqual(new Set(CATEGORIES));
    for (const p of a) {
      expect(p.sku).toMatch(/^[WMBHK][A-Z]{3}-\d{4}$/);
      expect(p.category).toMatch(/^(여성|남성|뷰티|홈|키즈)( > [^>]+){1,2}$/);
      expect(p.categoryEn.split(' > ')).toHaveLength(p.category.split(' > ').length);
      expect(p.name).toMatch(/[가-힣]/);
      expect(Number.isInteger(p.price)).toBe(true);
      expect(p.price).toBeGreaterThanOrEqual(11_900);
      expect(p.price).toBeLessThanOrEqual(399_000);
      expect(p.price % 100).toBe(0);
      expect(p.currency).toBe('KRW');
      expect(p.url).toBe(`/demo-shop/p/${p.sku}`);
    }
    expect(a.some((p) => p.category === '여성 > 신발 > 스니커즈')).toBe(true);
  });

  it('has every category path even when asked for very few products', () => {
    const few = generateCatalogue({ seed: 1, count: 10 });
    expect(few.length).toBeGreaterThanOrEqual(10);
    expect(new Set(few.map((p) => p.categoryKey))).toEqual(new Set(CATEGORIES));
  });
});

describe('synthetic behaviour', () => {
  const customers = (count: number, seed = 4) => generateCustomers({ seed, count, now: NOW });
  const run = (opts: Partial<BehaviourOptions> = {}) => [...generateBehaviour({ seed: 4, customers: customers(300), now: NOW, days: 365, ...opts })];
  const all = run();
  const tracks = (event: string) => all.filter((m) => m.type === 'track' && m.event === event);

  it('is deterministic for a seed and differs across seeds', () => {
    expect(run({ maxEvents: 3_000 })).toEqual(all.slice(0, 3_000));
    const other = [...generateBehaviour({ seed: 5, customers: customers(300), now: NOW, days: 365, maxEvents: 3_000 })];
    expect(other.map((m) => m.messageId)).not.toEqual(all.slice(0, 3_000).map((m) => m.messageId));
  });

  it('sends Segment messages in time order, within the window, with unique ids', () => {
    expect(all.length).toBeGreaterThan(10_000);
    expect(new Set(all.map((m) => m.messageId)).size).toBe(all.length);
    const from = NOW.getTime() - 365 * 86_400_000;
    // Checked by hand and reported at once: an expect() per message would be slow.
    const problems: string[] = [];
    const check = (ok: boolean, what: string, m: SegmentMessage) => {
      if (!ok && problems.length < 10) problems.push(`${what}: ${JSON.stringify(m).slice(0, 300)}`);
    };
    let last = 0;
    for (const m of all) {
      const at = Date.parse(m.timestamp);
      check(at >= last, 'out of time order', m);
      last = at;
      check(at >= from && at < NOW.getTime(), 'outside the window', m);
      check(m.timestamp === new Date(at).toISOString(), 'timestamp not ISO', m);
      check(UUID.test(m.messageId) && UUID.test(m.anonymousId) && UUID.test(m.context.sessionId), 'ids not UUIDs', m);
      check(m.context.page.url.startsWith('http://localhost:3000/demo-shop') && m.context.library.name === 'rapport-generator', 'context', m);
      if (m.type === 'track') check(typeof m.event === 'string' && m.name === undefined && typeof m.properties === 'object', 'track shape', m);
      else if (m.type === 'page') check(m.properties?.path === m.context.page.path && m.properties?.url === m.context.page.url && typeof m.name === 'string', 'page shape', m);
      else if (m.type === 'identify') check(typeof m.userId === 'string' && String(m.traits?.email).includes('@') && typeof m.traits?.name === 'string', 'identify shape', m);
      else check(false, 'type', m);
    }
    expect(problems).toEqual([]);
    expect(run({ maxEvents: 1234 })).toHaveLength(1234);
  });

  it('uses the Segment e-commerce events with their v2 properties', () => {
    const names = new Set(all.filter((m) => m.type === 'track').map((m) => m.event));
    for (const name of [
      'Product List Viewed', 'Product Clicked', 'Product Viewed', 'Product Dwell', 'Product Added', 'Product Removed',
      'Product Added to Wishlist', 'Cart Viewed', 'Checkout Started', 'Checkout Step Completed', 'Order Completed', 'Signed Up',
    ]) {
      expect(names, name).toContain(name);
    }
    for (const m of tracks('Product Viewed').slice(0, 200)) {
      expect(m.properties).toMatchObject({ product_id: expect.any(String), sku: expect.any(String), category: expect.stringContaining(' > '), price: expect.any(Number), currency: 'KRW' });
    }
    for (const m of tracks('Product List Viewed').slice(0, 200)) {
      const products = m.properties!.products as { position: number; sku: string }[];
      expect(products.length).toBeGreaterThanOrEqual(1);
      expect(products.map((p) => p.position)).toEqual(products.map((_, i) => i + 1));
    }
    const orders = tracks('Order Completed');
    expect(new Set(orders.map((o) => o.properties!.order_id)).size).toBe(orders.length);
    for (const o of orders) {
      const p = o.properties as { subtotal: number; discount: number; shipping: number; total: number; revenue: number; products: { price: number; quantity: number }[] };
      expect(p.products.length).toBeGreaterThan(0);
      expect(p.subtotal).toBe(p.products.reduce((s, l) => s + l.price * l.quantity, 0));
      expect(p.total).toBe(p.subtotal - p.discount + p.shipping);
      expect(p.revenue).toBe(p.subtotal - p.discount);
      expect(p.shipping).toBe(p.subtotal - p.discount >= 50_000 ? 0 : 3_000);
    }
  });

  it('measures dwell as the time between the product view and leaving the page', () => {
    const viewed = new Map<string, number>();
    let checked = 0;
    for (const m of all) {
      if (m.event === 'Product Viewed') viewed.set(`${m.context.sessionId}:${m.properties!.sku}`, Date.parse(m.timestamp));
      if (m.event === 'Product Dwell') {
        const dwell = m.properties!.dwell_ms as number;
        expect(Number.isInteger(dwell)).toBe(true);
        expect(dwell).toBeGreaterThanOrEqual(1_500);
        expect(dwell).toBeLessThanOrEqual(480_000);
        expect(Date.parse(m.timestamp) - viewed.get(`${m.context.sessionId}:${m.properties!.sku}`)!).toBe(dwell);
        checked++;
      }
    }
    expect(checked).toBe(tracks('Product Viewed').length);
  });

  it('orders what was put in the cart, and leaves other carts abandoned', () => {
    const carts = new Map<string, Map<string, number>>(); // cart id → sku → quantity
    for (const m of all) {
      const p = m.properties as { cart_id?: string; checkout_id?: string; sku?: string; quantity?: number; products?: { sku: string; quantity: number }[] } | undefined;
      if (m.event === 'Product Added') {
        const cart = carts.get(p!.cart_id!) ?? new Map<string, number>();
        cart.set(p!.sku!, (cart.get(p!.sku!) ?? 0) + p!.quantity!);
        carts.set(p!.cart_id!, cart);
      }
      if (m.event === 'Product Removed') carts.get(p!.cart_id!)!.delete(p!.sku!);
      if (m.event === 'Order Completed') {
        const cart = carts.get(p!.checkout_id!)!;
        expect(Object.fromEntries(p!.products!.map((l) => [l.sku, l.quantity]))).toEqual(Object.fromEntries(cart));
        carts.delete(p!.checkout_id!);
      }
    }
    const abandoned = [...carts.values()].filter((c) => c.size > 0);
    expect(abandoned.length).toBeGreaterThan(60);
  });

  it('identifies people before sending their user id, and stitches anonymous visits', () => {
    const identifiedDevices = new Set<string>();
    const anonymousBefore = new Set<string>();
    let stitched = 0;
    for (const m of all) {
      if (m.type === 'identify') {
        expect(m.userId).toMatch(/^[CV]\d{7}$/);
        if (anonymousBefore.has(m.anonymousId) && !identifiedDevices.has(m.anonymousId)) stitched++;
        identifiedDevices.add(m.anonymousId);
      } else if (m.userId) {
        expect(identifiedDevices, `${m.userId} sent before its identify`).toContain(m.anonymousId);
      } else {
        anonymousBefore.add(m.anonymousId);
      }
    }
    expect(stitched).toBeGreaterThan(150);
    // Visitors who signed up (V…) as well as known customers (C…).
    const users = new Set(all.filter((m) => m.type === 'identify').map((m) => m.userId![0]));
    expect(users).toEqual(new Set(['C', 'V']));
    // Some visitors never identify at all.
    expect([...anonymousBefore].filter((a) => !identifiedDevices.has(a)).length).toBeGreaterThan(60);
  });

  it('sends only orders (after an identify) in the order history before the browsing window', () => {
    const from = NOW.getTime() - 30 * 86_400_000;
    const messages = [...generateBehaviour({ seed: 4, customers: customers(300), now: NOW, days: 30, orderHistoryDays: 730 })];
    const before = messages.filter((m) => Date.parse(m.timestamp) < from);
    expect(new Set(before.map((m) => m.event ?? m.type))).toEqual(new Set(['identify', 'Order Completed']));
    const orders = before.filter((m) => m.event === 'Order Completed');
    expect(orders.length).toBeGreaterThan(100);
    expect(Math.min(...orders.map((m) => Date.parse(m.timestamp)))).toBeLessThan(NOW.getTime() - 365 * 86_400_000);
    // Repeat buyers show in the history, each order on its own identified user.
    const perUser = new Map<string, number>();
    for (const o of orders) perUser.set(o.userId!, (perUser.get(o.userId!) ?? 0) + 1);
    expect([...perUser.values()].filter((n) => n >= 3).length).toBeGreaterThan(10);
    expect(new Set(orders.map((o) => o.properties!.order_id)).size).toBe(orders.length);
  });

  it('plants loyal, one-off and churned buyers (BG/NBD)', () => {
    // Two years of 600 customers: per customer order count and last order.
    const orders = new Map<string, number[]>();
    for (const m of generateBehaviour({ seed: 9, customers: customers(600, 9), now: NOW, anonymousVisitors: 0 })) {
      if (m.event !== 'Order Completed' || !m.userId) continue;
      const list = orders.get(m.userId) ?? [];
      list.push(Date.parse(m.timestamp));
      orders.set(m.userId, list);
    }
    const counts = [...orders.values()].map((o) => o.length);
    const buyers = counts.length;
    expect(buyers / 600).toBeGreaterThan(0.5);
    expect(buyers / 600).toBeLessThan(0.85); // a quarter never buy
    expect(counts.filter((n) => n === 1).length / buyers).toBeGreaterThan(0.4); // one-off
    expect(counts.filter((n) => n >= 5).length).toBeGreaterThan(20); // loyal
    const halfYear = 182 * 86_400_000;
    const churned = [...orders.values()].filter((o) => o.length >= 3 && NOW.getTime() - o[o.length - 1]! > halfYear);
    expect(churned.length).toBeGreaterThan(10); // repeat buyers who stopped
  });
});
