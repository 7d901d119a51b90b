// HTTP tests of the commerce area: products and their statistics, orders and refunds, abandoned
// carts, settings; every endpoint's roles, workspace isolation and malformed bodies.
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTestMember, createTestWorkspace, describeEachDb, TEST_PASSWORD, type TestWorkspace } from '../db/test-helpers.ts';
import type { Database } from '../db/connection.ts';
import { customerMetrics } from '../events/schema.ts';
import type { StoredEvent } from '../events/types.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, loginClient, makeClient, type Method } from '../http/test-client.ts';
import { can, ROLES, type Role } from '../workspaces/roles.ts';
import { recordCommerceEvents } from './event-effects.ts';
import { cartItems } from './schema.ts';
import { trackEvent } from './test-events.ts';

async function insertEvents(db: Database, workspaceId: string, rows: { customerId?: string | null; anonymousId?: string; name: string; properties?: Record<string, unknown>; at?: Date }[]) {
  for (const r of rows) {
    await db.db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, anonymous_id, type, name, properties, context, timestamp)
      values (${workspaceId}, ${uuidv7()}, ${uuidv7()}, ${r.customerId ?? null}, ${r.anonymousId ?? null}, 'track', ${r.name},
        ${JSON.stringify(r.properties ?? {})}::jsonb, '{}'::jsonb, ${(r.at ?? new Date()).toISOString()}::timestamptz)`);
  }
}

describeEachDb('commerce API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;
  let seq = 0;

  beforeAll(async () => {
    ({ app, a, b, ownerA, ownerB, as } = await createTwoShops(getDb()));
  });
  afterAll(async () => {
    await app.close();
  });

  async function customer(client: Client, body: Record<string, unknown> = {}) {
    seq++;
    const res = await client.post('/api/customers', { name: `고객${seq}`, email: `buyer${seq}-${uuidv7().slice(-8)}@example.com`, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; email: string };
  }
  async function product(client: Client, body: Record<string, unknown> = {}) {
    seq++;
    const res = await client.post('/api/products', { sku: `SKU-${seq}-${uuidv7().slice(-6)}`, name: `상품 ${seq}`, price: 10000, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; sku: string; name: string };
  }
  async function order(client: Client, body: Record<string, unknown>) {
    const res = await client.post('/api/orders', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; externalId: string; total: number; items: unknown[] };
  }
  const record = (workspaceId: string, events: StoredEvent[]) => getDb().db.transaction((tx) => recordCommerceEvents(tx, { workspaceId, events }));

  describe('products', () => {
    it('creates by SKU (201), updates the given fields of the same SKU (200), restores a deleted one', async () => {
      const created = await ownerA.post('/api/products', { sku: 'LIN-01', name: '린넨 셔츠', brand: 'Rapport', category: 'Men>Shirts', price: 59000, attributes: { colour: 'navy' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ sku: 'LIN-01', name: '린넨 셔츠', category: 'Men > Shirts', price: 59000, currency: 'KRW', attributes: { colour: 'navy' }, deletedAt: null });
      const updated = await ownerA.post('/api/products', { sku: 'LIN-01', price: 49000 });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ id: created.body.id, name: '린넨 셔츠', brand: 'Rapport', price: 49000 });
      expect((await ownerA.delete(`/api/products/${created.body.id}`)).status).toBe(200);
      expect((await ownerA.get(`/api/products/${created.body.id}`)).status).toBe(404);
      const deleted = await ownerA.get('/api/products?deleted=true&limit=200');
      expect(deleted.body.items.map((p: { id: string }) => p.id)).toContain(created.body.id);
      const restored = await ownerA.post('/api/products', { sku: 'LIN-01', name: '린넨 셔츠 2' });
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ id: created.body.id, deletedAt: null, name: '린넨 셔츠 2' });
    });

    it.each([
      [{ sku: 'NEW-1' }, 'body.name: is required for a new product'],
      [{ sku: 'X', name: 'x', price: -1 }, 'body.price'],
      [{ sku: 'X', name: 'x', price: 12.5 }, 'body.price'],
      [{ sku: 'X', name: 'x', currency: 'WON!' }, 'body.currency'],
      [{ sku: '', name: 'x' }, 'body.sku'],
      [{ name: 'x' }, 'body.sku: is required'],
      [{ sku: 'X', name: 'x', colour: 'red' }, 'body.colour: is not a known field'],
    ])('answers %j with a 400 naming the field', async (body, message) => {
      const res = await ownerA.post('/api/products', body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    });

    it('PATCH changes and clears fields; a SKU another product has is a conflict', async () => {
      const p = await product(ownerA, { brand: 'Old' });
      const other = await product(ownerA);
      const res = await ownerA.patch(`/api/products/${p.id}`, { brand: null, price: 15000, imageUrl: 'https://img.example/p.jpg' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ brand: null, price: 15000, imageUrl: 'https://img.example/p.jpg', name: p.name });
      const clash = await ownerA.patch(`/api/products/${p.id}`, { sku: other.sku });
      expect(clash.status).toBe(409);
      expect(clash.body.error.message).toContain('body.sku');
      expect((await ownerA.patch(`/api/products/${p.id}`, { price: 'cheap' })).status).toBe(400);
    });

    it('bulk upserts rows on their own: created, updated, failed with the field named', async () => {
      const existing = await product(ownerA);
      const res = await ownerA.post('/api/products/bulk', {
        products: [{ sku: `B-${seq}-1`, name: 'one' }, { sku: existing.sku, price: 777 }, { sku: `B-${seq}-2` }, { sku: `B-${seq}-1`, name: 'again' }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ created: 1, updated: 1, failed: 2 });
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'updated', 'failed', 'failed']);
      expect(res.body.results[2].error).toContain('products[2].name: is required for a new product');
      expect(res.body.results[3].error).toContain('products[3].sku');
      expect((await ownerA.get(`/api/products/${existing.id}`)).body.price).toBe(777);
      expect((await ownerA.post('/api/products/bulk', { products: [] })).status).toBe(400);
      expect((await ownerA.post('/api/products/bulk', { products: [{ sku: 'x', price: 'a lot' }] })).body.error.message).toContain('body.products.0.price');
    });

    it('lists by name, searches name and SKU, filters a category and what is under it, pages once through all', async () => {
      const ws = await createTestWorkspace(getDb(), 'Catalogue');
      const owner = await loginClient(app, ws.owner.email, TEST_PASSWORD);
      for (const [sku, name, category] of [
        ['W-SNK-1', '러닝화', 'Women > Shoes > Sneakers'],
        ['W-SHO-2', '로퍼', 'Women > Shoes'],
        ['W-TOP-3', '블라우스', 'Women > Tops'],
        ['M-SHO-4', 'Derby', 'Men > Shoes'],
        ['ACC-5', 'Cap', null],
      ] as const) {
        expect((await owner.post('/api/products', { sku, name, category })).status).toBe(201);
      }
      const names = async (q: string) => (await owner.get(`/api/products?${q}`)).body.items.map((p: { name: string }) => p.name);
      expect(await names('category=Women%20%3E%20Shoes')).toEqual(['러닝화', '로퍼']);
      expect(await names('q=sho')).toEqual(['Derby', '로퍼']);
      expect(await names('q=러닝')).toEqual(['러닝화']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { name: string }[]; nextCursor: string | null } } = await owner.get(`/api/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...res.body.items.map((p) => p.name));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['Cap', 'Derby', '러닝화', '로퍼', '블라우스']);
      expect((await owner.get('/api/products?cursor=garbage')).status).toBe(400);
    });

    it('shows views, viewers, cart adds, orders, units, revenue and the view→purchase rate over a window', async () => {
      const p = await product(ownerA, { price: 20000 });
      const buyer = await customer(ownerA);
      const now = Date.now();
      await insertEvents(getDb(), a.workspace.id, [
        { customerId: buyer.id, name: 'Product Viewed', properties: { sku: p.sku } },
        { customerId: buyer.id, name: 'Product Viewed', properties: { sku: p.sku } },
        { anonymousId: 'visitor-1', name: 'Product Viewed', properties: { product_id: p.sku } },
        { anonymousId: 'visitor-1', name: 'Product Added', properties: { sku: p.sku } },
        { anonymousId: 'visitor-2', name: 'Product Viewed', properties: { sku: 'another' } },
        { anonymousId: 'visitor-3', name: 'Product Viewed', properties: { sku: p.sku }, at: new Date(now - 40 * 86_400_000) },
      ]);
      await order(ownerA, { customerId: buyer.id, items: [{ sku: p.sku, unitPrice: 20000, quantity: 2 }] });
      const res = await ownerA.get(`/api/products/${p.id}`);
      expect(res.status).toBe(200);
      expect(res.body.stats).toMatchObject({ views: 3, uniqueViewers: 2, cartAdds: 1, orders: 1, unitsSold: 2, revenue: 40000, currency: 'KRW', viewersWhoBought: 1, viewToPurchaseRate: 0.5 });
      const wide = await ownerA.get(`/api/products/${p.id}?from=${new Date(now - 60 * 86_400_000).toISOString()}`);
      expect(wide.body.stats).toMatchObject({ views: 4, uniqueViewers: 3 });
      expect((await ownerA.get(`/api/products/${p.id}?from=2020-01-01`)).body.error.message).toContain('query.from: the window may span at most 366 days');
      expect((await ownerA.get(`/api/products/${p.id}?to=yesterday`)).body.error.message).toContain('query.to');
    });
  });

  describe('orders', () => {
    it('records an order for a customer found by e-mail, computes the total, and is idempotent on externalId', async () => {
      const c = await customer(ownerA);
      const p = await product(ownerA, { price: 30000, category: 'Men > Shirts' });
      const body = {
        externalId: `A-${uuidv7()}`,
        customer: { email: c.email.toUpperCase() },
        items: [
          { productId: p.id, unitPrice: 30000, quantity: 2 },
          { name: '포장', unitPrice: 1000, quantity: 1 },
        ],
        discount: 5000,
        shipping: 3000,
        coupon: 'WELCOME',
        placedAt: '2024-05-01T10:00:00+09:00',
      };
      const first = await ownerA.post('/api/orders', body);
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(first.body).toMatchObject({ customerId: c.id, subtotal: 61000, discount: 5000, shipping: 3000, total: 59000, currency: 'KRW', status: 'completed', source: 'api', placedAt: '2024-05-01T01:00:00.000Z', refunds: [] });
      expect(first.body.items[0]).toMatchObject({ line: 1, productId: p.id, sku: p.sku, name: p.name, category: 'Men > Shirts', amount: 60000 });
      const again = await ownerA.post('/api/orders', { ...body, total: 1 });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, total: 59000 });
      const [m] = await getDb().db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, a.workspace.id), eq(customerMetrics.customerId, c.id)));
      expect(m).toMatchObject({ orderCount: 1, totalSpend: 59000 });
    });

    it.each([
      [{ items: [] }, 'body.items: give the items, or at least the total'],
      [{ customer: { email: 'nobody@nowhere.example' }, total: 100, items: [] }, 'body.customer.email: no customer has the e-mail "nobody@nowhere.example"'],
      [{ customer: { email: 'not-an-email' }, total: 100, items: [] }, 'body.customer.email'],
      [{ customerId: uuidv7(), total: 100, items: [] }, 'body.customerId: customer'],
      [{ items: [{ unitPrice: 100, quantity: 1 }] }, 'body.items[0]: give a sku, a productId or a name'],
      [{ items: [{ sku: 'x', unitPrice: 100, quantity: 0 }] }, 'body.items.0.quantity'],
      [{ items: [{ productId: uuidv7(), unitPrice: 100, quantity: 1 }] }, 'body.items[0].productId: product'],
      [{ items: [{ sku: 'x', unitPrice: 100, quantity: 1 }], discount: 500 }, 'body.discount: is more than'],
      [{ items: [{ sku: 'x', unitPrice: 100, quantity: 1 }], placedAt: 'soon' }, 'body.placedAt'],
      [{ items: [{ sku: 'x', unitPrice: 100, quantity: 1 }], currency: 'dollars' }, 'body.currency'],
      [{ items: [{ sku: 'x', unitPrice: 1.5, quantity: 1 }] }, 'body.items.0.unitPrice'],
      [{ items: [{ sku: 'x', unitPrice: 100, quantity: 1 }], giftWrap: true }, 'body.giftWrap: is not a known field'],
    ])('answers %j with a 400 naming the field', async (body, message) => {
      const res = await ownerA.post('/api/orders', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.message).toContain(message);
    });

    it("closes the customer's open and abandoned cart lines of the ordered SKUs", async () => {
      const c = await customer(ownerA);
      const t = Date.now() - 3 * 3_600_000;
      await record(a.workspace.id, [
        trackEvent('Product Added', { sku: 'CART-A', price: 100 }, { customerId: c.id, at: new Date(t) }),
        trackEvent('Product Added', { sku: 'CART-B', price: 200 }, { customerId: c.id, at: new Date(t) }),
      ]);
      expect((await ownerA.post('/api/carts/abandoned/detect')).status).toBe(200);
      await record(a.workspace.id, [trackEvent('Product Added', { sku: 'CART-C', price: 300 }, { customerId: c.id, at: new Date() })]);
      const o = await order(ownerA, { customerId: c.id, items: [{ sku: 'CART-A', unitPrice: 100, quantity: 1 }, { sku: 'CART-C', unitPrice: 300, quantity: 1 }] });
      const lines = await getDb().db.select().from(cartItems).where(and(eq(cartItems.workspaceId, a.workspace.id), eq(cartItems.customerId, c.id)));
      const bySku = Object.fromEntries(lines.map((l) => [l.sku, [l.orderId, l.abandonedAt !== null]]));
      expect(bySku).toEqual({ 'CART-A': [o.id, true], 'CART-B': [null, true], 'CART-C': [o.id, false] });
      const cart = await ownerA.get(`/api/customers/${c.id}/carts`);
      expect(cart.body.items.map((l: { sku: string; status: string }) => [l.sku, l.status])).toEqual([['CART-B', 'abandoned']]);
      const recovered = await ownerA.get('/api/carts/abandoned?recovered=true&limit=200');
      const mine = recovered.body.items.find((x: { customerId: string }) => x.customerId === c.id);
      expect(mine.items.map((i: { sku: string }) => i.sku)).toEqual(['CART-A']);
    });

    it('lists newest first with filters and pages through every order once', async () => {
      const c = await customer(ownerA);
      const ids: string[] = [];
      for (let day = 1; day <= 5; day++) ids.push((await order(ownerA, { customerId: c.id, total: day * 1000, items: [], placedAt: `2023-01-0${day}T12:00:00Z` })).id);
      const other = await customer(ownerA);
      await order(ownerA, { customerId: other.id, total: 5, items: [], placedAt: '2023-01-03T12:00:00Z' });
      const list = (q: string) => ownerA.get(`/api/orders?customerId=${c.id}&${q}`);
      expect((await list('')).body.items.map((o: { id: string }) => o.id)).toEqual([...ids].reverse());
      expect((await list('from=2023-01-02&to=2023-01-04')).body.items.map((o: { total: number }) => o.total)).toEqual([3000, 2000]);
      await ownerA.post(`/api/orders/${ids[0]}/cancel`);
      expect((await list('status=cancelled')).body.items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
      expect((await list('status=completed&status=refunded')).body.items).toHaveLength(4);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await ownerA.get(`/api/customers/${c.id}/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...res.body.items.map((o) => o.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual([...ids].reverse());
      expect((await ownerA.get('/api/orders?status=lost')).status).toBe(400);
      expect((await ownerA.get('/api/orders?from=someday')).body.error.message).toContain('query.from');
    });

    it('refunds by amount and by line, refuses more than is left, is idempotent on the refund id, and cancels', async () => {
      const c = await customer(ownerA);
      const o = await order(ownerA, { customerId: c.id, items: [{ sku: 'R-A', unitPrice: 20000, quantity: 2 }, { sku: 'R-B', unitPrice: 10000, quantity: 1 }] });
      const byLine = await ownerA.post(`/api/orders/${o.id}/refunds`, { items: [{ line: 1, quantity: 1 }], reason: '사이즈 교환', externalId: 'RF-1' });
      expect(byLine.status, JSON.stringify(byLine.body)).toBe(201);
      expect(byLine.body.refund).toMatchObject({ amount: 20000, items: [{ line: 1, quantity: 1 }], reason: '사이즈 교환', externalId: 'RF-1' });
      expect(byLine.body.order).toMatchObject({ status: 'partially_refunded', refundedTotal: 20000 });
      const retry = await ownerA.post(`/api/orders/${o.id}/refunds`, { items: [{ line: 1, quantity: 1 }], externalId: 'RF-1' });
      expect(retry.status).toBe(200);
      expect(retry.body.refund.id).toBe(byLine.body.refund.id);
      const tooMuch = await ownerA.post(`/api/orders/${o.id}/refunds`, { amount: 30001 });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.error.message).toBe('body.amount: ₩30,001 is more than the ₩30,000 left to refund');
      expect((await ownerA.post(`/api/orders/${o.id}/refunds`, { items: [{ line: 1, quantity: 2 }] })).body.error.message).toBe('body.items[0].quantity: line 1 has 1 left to refund, not 2');
      expect((await ownerA.post(`/api/orders/${o.id}/refunds`, { items: [{ line: 9, quantity: 1 }] })).body.error.message).toContain('body.items[0].line');
      const rest = await ownerA.post(`/api/orders/${o.id}/refunds`, {});
      expect(rest.body.refund.amount).toBe(30000);
      expect(rest.body.order).toMatchObject({ status: 'refunded', refundedTotal: 50000 });
      expect((await ownerA.post(`/api/orders/${o.id}/refunds`, {})).body.error.message).toContain('already fully refunded');
      const [m] = await getDb().db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, a.workspace.id), eq(customerMetrics.customerId, c.id)));
      expect(m).toMatchObject({ orderCount: 1, totalSpend: 0 });
      const full = await ownerA.get(`/api/orders/${o.id}`);
      expect(full.body.refunds.map((r: { amount: number }) => r.amount)).toEqual([20000, 30000]);
      const cancelled = await ownerA.post(`/api/orders/${o.id}/cancel`);
      expect(cancelled.body.status).toBe('cancelled');
      expect((await ownerA.post(`/api/orders/${o.id}/refunds`, { amount: 'all' })).status).toBe(400);
    });

    it('shows orders and refunds on the customer timeline', async () => {
      const c = await customer(ownerA);
      const o = await order(ownerA, { customerId: c.id, externalId: `T-${seq}`, total: 89000, items: [] });
      await ownerA.post(`/api/orders/${o.id}/refunds`, { amount: 9000 });
      const tl = await ownerA.get(`/api/customers/${c.id}/timeline`);
      const titles = tl.body.items.filter((i: { area: string }) => i.area === 'commerce').map((i: { kind: string; title: string }) => [i.kind, i.title]);
      expect(titles).toEqual([
        ['refund', `Refund · Order #T-${seq} · ₩9,000`],
        ['order', `Order #T-${seq} · ₩89,000`],
      ]);
    });
  });

  describe('abandoned carts', () => {
    it('lists carts workspace-wide newest first with who, items and value; filters by value; masks e-mail without pii.read', async () => {
      const ws = await createTestWorkspace(getDb(), 'Carts');
      const owner = await loginClient(app, ws.owner.email, TEST_PASSWORD);
      const viewerUser = await addTestMember(getDb(), ws.workspace.id, 'viewer');
      const viewer = await loginClient(app, viewerUser.email, TEST_PASSWORD, ws.workspace.id);
      const c = await customer(owner, { email: 'cart.owner@example.com' });
      const old = Date.now() - 5 * 3_600_000;
      await record(ws.workspace.id, [
        trackEvent('Product Added', { sku: 'K-1', name: '코트', price: 150000, quantity: 1 }, { customerId: c.id, at: new Date(old) }),
        trackEvent('Product Added', { sku: 'K-2', price: 20000, quantity: 2 }, { customerId: c.id, at: new Date(old + 1000) }),
        trackEvent('Product Added', { sku: 'K-3', price: 5000 }, { anonymousId: 'guest-7', at: new Date(old + 2000) }),
        trackEvent('Product Added', { sku: 'K-4', price: 5000 }, { anonymousId: 'guest-8', at: new Date() }),
      ]);
      const detected = await owner.post('/api/carts/abandoned/detect');
      expect(detected.body).toEqual({ lines: 3, carts: 2, workspaces: 1 });
      const list = await owner.get('/api/carts/abandoned');
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(2);
      // Abandoned in the same run: ordered by who, customers ("c:…") before visitors ("a:…").
      const [known, guest] = list.body.items;
      expect(known).toMatchObject({ customerId: c.id, anonymousId: null, value: 190000, quantity: 3, currency: 'KRW', customer: { id: c.id, email: 'cart.owner@example.com' } });
      expect(known.items.map((i: { sku: string; name: string | null }) => [i.sku, i.name])).toEqual([
        ['K-1', '코트'],
        // Never named by an event: the catalogue calls it by its SKU.
        ['K-2', 'K-2'],
      ]);
      expect(guest).toMatchObject({ customerId: null, anonymousId: 'guest-7', value: 5000, customer: null });
      expect((await owner.get('/api/carts/abandoned?minValue=10000')).body.items.map((x: { customerId: string }) => x.customerId)).toEqual([c.id]);
      const masked = await viewer.get('/api/carts/abandoned');
      expect(masked.body.items[0].customer.email).toBe('ca***@example.com');
      const page1 = await owner.get('/api/carts/abandoned?limit=1');
      const page2 = await owner.get(`/api/carts/abandoned?limit=1&cursor=${page1.body.nextCursor}`);
      expect([...page1.body.items, ...page2.body.items].map((x: { key: string }) => x.key)).toEqual(list.body.items.map((x: { key: string }) => x.key));
      expect(page2.body.nextCursor).toBeNull();
    });
  });

  describe('settings', () => {
    it('has a 60-minute window by default; PUT changes it, with an audit entry', async () => {
      const ws = await createTestWorkspace(getDb(), 'Settings');
      const owner = await loginClient(app, ws.owner.email, TEST_PASSWORD);
      expect((await owner.get('/api/commerce/settings')).body).toMatchObject({ abandonedCartMinutes: 60, currency: 'KRW', updatedAt: null });
      const put = await owner.put('/api/commerce/settings', { abandonedCartMinutes: 15 });
      expect(put.status).toBe(200);
      expect((await owner.get('/api/commerce/settings')).body.abandonedCartMinutes).toBe(15);
      const audit = await owner.get('/api/audit?action=commerce.settings');
      expect(audit.body.items[0].diff).toEqual({ abandonedCartMinutes: { from: 60, to: 15 } });
      for (const bad of [{ abandonedCartMinutes: 0 }, { abandonedCartMinutes: 50_000 }, { abandonedCartMinutes: '15' + 'x' }, {}]) {
        const res = await owner.put('/api/commerce/settings', bad);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('body.abandonedCartMinutes');
      }
    });
  });

  describe('roles', () => {
    const writes: [string, (c: Client, ids: { product: string; order: string }) => Promise<{ status: number }>][] = [
      ['POST /api/products', (c) => c.post('/api/products', { sku: `R-${uuidv7()}`, name: 'r' })],
      ['POST /api/products/bulk', (c) => c.post('/api/products/bulk', { products: [{ sku: `R-${uuidv7()}`, name: 'r' }] })],
      ['PATCH /api/products/:id', (c, ids) => c.patch(`/api/products/${ids.product}`, { brand: 'b' })],
      ['POST /api/orders', (c) => c.post('/api/orders', { total: 100, items: [] })],
      ['POST /api/orders/:id/refunds', (c, ids) => c.post(`/api/orders/${ids.order}/refunds`, { amount: 1 })],
      ['PUT /api/commerce/settings', (c) => c.put('/api/commerce/settings', { abandonedCartMinutes: 60 })],
      ['POST /api/carts/abandoned/detect', (c) => c.post('/api/carts/abandoned/detect')],
      ['POST /api/orders/:id/cancel', (c, ids) => c.post(`/api/orders/${ids.order}/cancel`)],
      ['DELETE /api/products/:id', (c, ids) => c.delete(`/api/products/${ids.product}`)],
    ];
    it.each(ROLES.map((r) => [r]))('%s: reads always, writes only with commerce.write', async (role) => {
      const client = as[role]!;
      const c = await customer(ownerA);
      const ids = { product: (await product(ownerA)).id, order: (await order(ownerA, { customerId: c.id, total: 1000, items: [] })).id };
      for (const url of ['/api/products', `/api/products/${ids.product}`, '/api/orders', `/api/orders/${ids.order}`, `/api/customers/${c.id}/orders`, `/api/customers/${c.id}/carts`, '/api/carts/abandoned', '/api/commerce/settings']) {
        expect((await client.get(url)).status, `${role} GET ${url}`).toBe(200);
      }
      const mayWrite = can(role, 'commerce.write');
      expect(mayWrite).toBe(['owner', 'admin', 'marketer', 'sales'].includes(role));
      for (const [name, call] of writes) {
        const res = await call(client, ids);
        expect(res.status < 300, `${role} ${name}: ${res.status}`).toBe(mayWrite);
        if (!mayWrite) expect(res.status).toBe(403);
      }
    });

    it('refuses calls without credentials', async () => {
      for (const url of ['/api/products', '/api/orders', '/api/carts/abandoned', '/api/commerce/settings']) expect((await makeClient(app, {}).get(url)).status).toBe(401);
    });
  });

  describe('workspace isolation', () => {
    let foreign: { product: string; order: string; customer: string };
    beforeAll(async () => {
      const c = await customer(ownerB);
      const p = await product(ownerB, { sku: 'SHARED-SKU', name: '다른가게상품' });
      const o = await order(ownerB, { customerId: c.id, externalId: 'SHARED-ORDER', items: [{ productId: p.id, unitPrice: 100, quantity: 1 }] });
      foreign = { product: p.id, order: o.id, customer: c.id };
    });

    it('never lists another workspace’s products, orders or carts; SKUs and order ids are per workspace', async () => {
      expect((await ownerA.get('/api/products?q=다른가게')).body.items).toHaveLength(0);
      expect(JSON.stringify((await ownerA.get('/api/orders?limit=200')).body)).not.toContain(foreign.order);
      expect((await ownerA.get(`/api/orders?customerId=${foreign.customer}`)).body.items).toHaveLength(0);
      expect((await ownerA.post('/api/products', { sku: 'SHARED-SKU', name: 'mine' })).status).toBe(201);
      const mine = await ownerA.post('/api/orders', { externalId: 'SHARED-ORDER', total: 5, items: [] });
      expect(mine.status).toBe(201);
      expect(mine.body.id).not.toBe(foreign.order);
      expect((await ownerA.post('/api/orders', { customerId: foreign.customer, total: 5, items: [] })).status).toBe(400);
      expect((await ownerA.post('/api/orders', { items: [{ productId: foreign.product, unitPrice: 1, quantity: 1 }] })).status).toBe(400);
    });

    const bodies: Partial<Record<Method, unknown>> = { PATCH: { brand: 'hijack' }, POST: { amount: 1 } };
    it.each([
      ['GET', '/api/products/:product'],
      ['PATCH', '/api/products/:product'],
      ['DELETE', '/api/products/:product'],
      ['GET', '/api/orders/:order'],
      ['POST', '/api/orders/:order/refunds'],
      ['POST', '/api/orders/:order/cancel'],
      ['GET', '/api/customers/:customer/orders'],
      ['GET', '/api/customers/:customer/carts'],
    ] as const)('%s %s with another workspace’s id is 404', async (method, path) => {
      const url = path.replace(':product', foreign.product).replace(':order', foreign.order).replace(':customer', foreign.customer);
      const res = await ownerA.request(method, url, method === 'GET' || method === 'DELETE' ? undefined : (bodies[method] ?? {}));
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      const still = await ownerB.get(`/api/orders/${foreign.order}`);
      expect(still.body).toMatchObject({ status: 'completed', refundedTotal: 0 });
      expect((await ownerB.get(`/api/products/${foreign.product}`)).body.brand).toBeNull();
    });
  });

  it('documents every commerce endpoint in the OpenAPI description', async () => {
    const res = await makeClient(app, {}).get('/api/openapi.json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    for (const p of ['/api/products', '/api/products/{id}', '/api/products/bulk', '/api/orders', '/api/orders/{id}', '/api/orders/{id}/refunds', '/api/orders/{id}/cancel', '/api/customers/{id}/orders', '/api/customers/{id}/carts', '/api/carts/abandoned', '/api/carts/abandoned/detect', '/api/commerce/settings', '/api/commerce/imports']) {
      expect(paths, p).toContain(p);
    }
    expect(res.body.paths['/api/orders'].post.requestBody.content['application/json'].schema.properties.items.items.required).toEqual(['unitPrice', 'quantity']);
  });

  describe('malformed bodies', () => {
    it.each([
      ['POST', '/api/products'],
      ['POST', '/api/products/bulk'],
      ['POST', '/api/orders'],
      ['PUT', '/api/commerce/settings'],
    ] as const)('%s %s with broken JSON is a 400', async (method, url) => {
      const res = await ownerA.request(method, url, '{"sku": ', { 'content-type': 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    });
    it('PATCH /api/products/:id and POST /api/orders/:id/refunds with broken JSON are 400', async () => {
      const p = await product(ownerA);
      const o = await order(ownerA, { total: 10, items: [] });
      expect((await ownerA.request('PATCH', `/api/products/${p.id}`, '[', { 'content-type': 'application/json' })).status).toBe(400);
      expect((await ownerA.request('POST', `/api/orders/${o.id}/refunds`, 'nope', { 'content-type': 'application/json' })).status).toBe(400);
      expect((await ownerA.get('/api/products/not-a-uuid')).status).toBe(400);
    });
  });
});
