// What e-commerce events do to the catalogue, carts and orders, on both databases.
import { and, asc, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import type { Database } from '../db/connection.ts';
import { ingestBatch } from '../events/ingest.ts';
import { customerMetrics } from '../events/schema.ts';
import type { StoredEvent } from '../events/types.ts';
import { systemActor } from '../workspaces/audit.ts';
import { recordCommerceEvents } from './event-effects.ts';
import { cartItems, orderItems, orders, products, refunds } from './schema.ts';
import { trackEvent } from './test-events.ts';

describeEachDb('commerce event effects', (getDb) => {
  async function setup(currency?: string) {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    if (currency) await database.db.execute(sql`update workspaces set currency = ${currency} where id = ${workspace.id}`);
    const customer = await createCustomer(database.db, { workspaceId: workspace.id, actor: systemActor, input: { name: '김하나' } });
    const record = (events: StoredEvent[]) => database.db.transaction((tx) => recordCommerceEvents(tx, { workspaceId: workspace.id, events }));
    return { database, workspaceId: workspace.id, customerId: customer.id, record };
  }
  const lines = (database: Database, workspaceId: string) =>
    database.db.select().from(cartItems).where(eq(cartItems.workspaceId, workspaceId)).orderBy(asc(cartItems.addedAt), asc(cartItems.id));
  const productRows = (database: Database, workspaceId: string) => database.db.select().from(products).where(eq(products.workspaceId, workspaceId)).orderBy(asc(products.sku));

  it('learns the catalogue from product properties and products[], in minor units of the currency', async () => {
    const { database, workspaceId, record } = await setup();
    await record([
      trackEvent('Product Viewed', { product_id: 'P-1', name: '린넨 셔츠', brand: 'Rapport', category: 'Men > Shirts', price: 59000, image_url: 'https://img/1.jpg', url: 'https://shop/p1' }, { anonymousId: 'v1' }),
      trackEvent('Product List Viewed', { products: [{ sku: 'S-2', name: 'Denim', price: '12.99' }, { product_id: 77, price: 1000 }, { name: 'no id' }], currency: 'USD' }, { anonymousId: 'v1' }),
      trackEvent('Page Viewed', { sku: 'IGNORED' }),
    ]);
    const rows = await productRows(database, workspaceId);
    expect(rows.map((r) => [r.sku, r.name, r.price, r.currency, r.category])).toEqual([
      ['77', '77', 100000, 'USD', null],
      ['P-1', '린넨 셔츠', 59000, 'KRW', 'Men > Shirts'],
      ['S-2', 'Denim', 1299, 'USD', null],
    ]);
    // A later event without a name or price keeps them; one with new facts changes them.
    const before = rows.find((r) => r.sku === 'P-1')!;
    await record([trackEvent('Product Clicked', { sku: 'P-1' }), trackEvent('Product Viewed', { sku: '77', name: 'Cap', category: ['Acc', 'Caps'] })]);
    const after = await productRows(database, workspaceId);
    expect(after.find((r) => r.sku === 'P-1')).toMatchObject({ name: '린넨 셔츠', price: 59000, updatedAt: before.updatedAt });
    expect(after.find((r) => r.sku === '77')).toMatchObject({ name: 'Cap', category: 'Acc > Caps', price: 100000, currency: 'USD' });
  });

  it('builds cart lines: the same SKU adds up, removal lowers or removes, a visitor and a customer have separate carts', async () => {
    const { database, workspaceId, customerId, record } = await setup();
    await record([
      trackEvent('Product Added', { product_id: 'A', name: '셔츠', price: 30000, quantity: 1, cart_id: 'c1' }, { anonymousId: 'v1' }),
      trackEvent('Product Added', { product_id: 'A', quantity: 2, cart_id: 'c1' }, { anonymousId: 'v1' }),
      trackEvent('Product Added', { product_id: 'B', price: 10000 }, { anonymousId: 'v1' }),
      trackEvent('Product Added', { product_id: 'A', price: 30000 }, { customerId }),
    ]);
    await record([trackEvent('Product Removed', { product_id: 'A', quantity: 1 }, { anonymousId: 'v1' }), trackEvent('Product Removed', { product_id: 'B' }, { anonymousId: 'v1' })]);
    const rows = await lines(database, workspaceId);
    expect(rows.map((r) => [r.anonymousId ?? r.customerId, r.sku, r.quantity, r.price, r.cartId, r.removedAt !== null])).toEqual([
      ['v1', 'A', 2, 30000, 'c1', false],
      ['v1', 'B', 1, 10000, null, true],
      [customerId, 'A', 1, 30000, null, false],
    ]);
    expect(rows[0]!.productId).toBe((await productRows(database, workspaceId)).find((p) => p.sku === 'A')!.id);
  });

  it('plays a batch in time order: add, remove all, add again leaves one new line of one', async () => {
    const { database, workspaceId, record } = await setup();
    const t = Date.parse('2024-07-01T10:00:00Z');
    await record([
      trackEvent('Product Added', { sku: 'X', price: 5000, quantity: 1 }, { anonymousId: 'v2', at: new Date(t + 2000) }),
      trackEvent('Product Removed', { sku: 'X' }, { anonymousId: 'v2', at: new Date(t + 1000) }),
      trackEvent('Product Added', { sku: 'X', price: 5000, quantity: 3 }, { anonymousId: 'v2', at: new Date(t) }),
    ]);
    const rows = await lines(database, workspaceId);
    expect(rows.map((r) => [r.quantity, r.removedAt?.getTime() ?? null])).toEqual([
      [3, t + 1000],
      [1, null],
    ]);
  });

  it('stores an order once per order id, with items, and closes the cart lines it bought', async () => {
    const { database, workspaceId, customerId, record } = await setup();
    await record([
      trackEvent('Product Added', { sku: 'A', price: 30000 }, { customerId }),
      trackEvent('Product Added', { sku: 'B', price: 12000 }, { customerId }),
    ]);
    const completed = trackEvent(
      'Order Completed',
      { order_id: '1234', total: 45000, subtotal: 42000, shipping: 3000, coupon: 'WELCOME', currency: 'KRW', products: [{ sku: 'A', name: '셔츠', price: 30000, quantity: 1 }, { sku: 'C', price: 6000, quantity: 2 }] },
      { customerId },
    );
    await record([completed]);
    // The same order again (the browser and the server both sent it) is not stored twice.
    await record([trackEvent('Order Completed', { order_id: '1234', total: 45000 }, { customerId })]);
    const stored = await database.db.select().from(orders).where(eq(orders.workspaceId, workspaceId));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ externalId: '1234', customerId, total: 45000, subtotal: 42000, shipping: 3000, coupon: 'WELCOME', source: 'event', eventId: completed.id, status: 'completed', placedAt: completed.timestamp });
    const items = await database.db.select().from(orderItems).where(eq(orderItems.orderId, stored[0]!.id)).orderBy(asc(orderItems.line));
    expect(items.map((i) => [i.line, i.sku, i.unitPrice, i.quantity, i.amount, i.productId !== null])).toEqual([
      [1, 'A', 30000, 1, 30000, true],
      [2, 'C', 6000, 2, 12000, true],
    ]);
    const cart = await lines(database, workspaceId);
    expect(cart.map((l) => [l.sku, l.orderId])).toEqual([
      ['A', stored[0]!.id],
      ['B', null],
    ]);
    const [metrics] = await database.db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, workspaceId), eq(customerMetrics.customerId, customerId)));
    expect(metrics).toMatchObject({ orderCount: 1, totalSpend: 45000 });
  });

  it('an order that names no products closes the whole cart; an anonymous order keeps the visitor id', async () => {
    const { database, workspaceId, record } = await setup();
    await record([trackEvent('Product Added', { sku: 'A', price: 100 }, { anonymousId: 'v9' }), trackEvent('Product Added', { sku: 'B', price: 100 }, { anonymousId: 'v9' })]);
    await record([trackEvent('Order Completed', { order_id: 'o-anon', revenue: 200 }, { anonymousId: 'v9' })]);
    const [order] = await database.db.select().from(orders).where(eq(orders.workspaceId, workspaceId));
    expect(order).toMatchObject({ anonymousId: 'v9', customerId: null, total: 200 });
    expect((await lines(database, workspaceId)).every((l) => l.orderId === order!.id)).toBe(true);
  });

  it('computes the total when none is given and converts USD to cents', async () => {
    const { database, workspaceId, record } = await setup('USD');
    await record([trackEvent('Order Completed', { order_id: 'u1', discount: 2, shipping: '4.50', tax: 1.25, products: [{ sku: 'T', price: 19.99, quantity: 2 }] }, { anonymousId: 'v' })]);
    const [order] = await database.db.select().from(orders).where(eq(orders.workspaceId, workspaceId));
    expect(order).toMatchObject({ currency: 'USD', subtotal: 3998, discount: 200, shipping: 450, tax: 125, total: 3998 - 200 + 450 + 125 });
  });

  it('refunds by amount or by products, caps at what is left, and cancels', async () => {
    const { database, workspaceId, customerId, record } = await setup();
    await record([
      trackEvent('Order Completed', { order_id: 'R1', total: 50000, products: [{ sku: 'A', price: 20000, quantity: 2 }, { sku: 'B', price: 10000 }] }, { customerId }),
      trackEvent('Order Completed', { order_id: 'R2', total: 8000 }, { customerId }),
    ]);
    await record([
      trackEvent('Order Refunded', { order_id: 'R1', products: [{ sku: 'A', quantity: 1 }] }, { customerId }),
      trackEvent('Order Refunded', { order_id: 'R2', total: 3000, reason: '사이즈' }, { customerId }),
      trackEvent('Order Refunded', { order_id: 'NEVER-SEEN', total: 1000 }, { customerId }),
    ]);
    const byId = async () => new Map((await database.db.select().from(orders).where(eq(orders.workspaceId, workspaceId))).map((o) => [o.externalId, o]));
    let o = await byId();
    expect(o.get('R1')).toMatchObject({ status: 'partially_refunded', refundedTotal: 20000 });
    expect(o.get('R2')).toMatchObject({ status: 'partially_refunded', refundedTotal: 3000 });
    const r1 = await database.db.select().from(refunds).where(eq(refunds.orderId, o.get('R1')!.id));
    expect(r1.map((r) => [r.amount, r.items])).toEqual([[20000, [{ line: 1, quantity: 1 }]]]);
    // More than is left is cut to what is left.
    await record([trackEvent('Order Refunded', { order_id: 'R2', total: 99999 }, { customerId }), trackEvent('Order Cancelled', { order_id: 'R1' }, { customerId })]);
    o = await byId();
    expect(o.get('R2')).toMatchObject({ status: 'refunded', refundedTotal: 8000 });
    expect(o.get('R1')).toMatchObject({ status: 'cancelled', refundedTotal: 20000 });
    const [metrics] = await database.db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, workspaceId), eq(customerMetrics.customerId, customerId)));
    expect(metrics).toMatchObject({ orderCount: 2, totalSpend: 58000 - 20000 - 8000 });
  });

  it('does nothing, not even a query, for a batch without commerce events', async () => {
    const { database, workspaceId, record } = await setup();
    let queries = 0;
    const counting = new Proxy(database.db, {
      get(target, prop, receiver) {
        if (prop === 'execute' || prop === 'select' || prop === 'insert' || prop === 'update') queries++;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    await recordCommerceEvents(counting, { workspaceId, events: [trackEvent('Page Viewed', { sku: 'x' }), { ...trackEvent('Product Viewed', { sku: 'y' }), type: 'page' }] });
    expect(queries).toBe(0);
    await record([]);
    expect(await productRows(database, workspaceId)).toHaveLength(0);
  });
});

describeEachDb('commerce effects through ingestion', (getDb) => {
  it('a Segment batch builds the catalogue, the cart and the order of the customer it resolves', async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    const t = Date.parse('2024-08-01T10:00:00Z');
    const at = (s: number) => new Date(t + s * 1000).toISOString();
    const result = await ingestBatch(database.db, {
      workspaceId: workspace.id,
      messages: [
        { type: 'track', messageId: 'm1', userId: 'shopper-1', event: 'Product Viewed', properties: { product_id: 'SEG-1', name: '니트', price: 45000, category: 'Women > Knit' }, timestamp: at(0) },
        { type: 'track', messageId: 'm2', userId: 'shopper-1', event: 'Product Added', properties: { product_id: 'SEG-1', quantity: 1, cart_id: 'cart-9' }, timestamp: at(10) },
        { type: 'track', messageId: 'm3', userId: 'shopper-1', event: 'Order Completed', properties: { order_id: 'SEG-ORDER-1', total: 48000, shipping: 3000, products: [{ product_id: 'SEG-1', price: 45000, quantity: 1 }] }, timestamp: at(20) },
      ],
    });
    expect(result).toMatchObject({ stored: 3, duplicates: 0, errors: [] });
    const [order] = await database.db.select().from(orders).where(eq(orders.workspaceId, workspace.id));
    expect(order).toMatchObject({ externalId: 'SEG-ORDER-1', total: 48000, source: 'event' });
    expect(order!.customerId).not.toBeNull();
    const [line] = await database.db.select().from(cartItems).where(eq(cartItems.workspaceId, workspace.id));
    expect(line).toMatchObject({ sku: 'SEG-1', name: '니트', price: 45000, cartId: 'cart-9', customerId: order!.customerId, orderId: order!.id });
    const [p] = await database.db.select().from(products).where(eq(products.workspaceId, workspace.id));
    expect(p).toMatchObject({ sku: 'SEG-1', name: '니트', category: 'Women > Knit' });
    // A retried batch runs no effect twice.
    const again = await ingestBatch(database.db, { workspaceId: workspace.id, messages: [{ type: 'track', messageId: 'm3', userId: 'shopper-1', event: 'Order Completed', properties: { order_id: 'SEG-ORDER-2', total: 1 }, timestamp: at(20) }] });
    expect(again.duplicates).toBe(1);
    expect(await database.db.select().from(orders).where(eq(orders.workspaceId, workspace.id))).toHaveLength(1);
  });
});
