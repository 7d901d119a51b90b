// Orders and cart lines in a customer's life: merge and its undo, identity stitching, privacy
// erase and export, the timeline.
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { identify } from '../customers/identities.ts';
import { mergeCustomers, undoMerge } from '../customers/merge.ts';
import { eraseCustomer, exportCustomerData } from '../customers/privacy.ts';
import { customerTimeline } from '../customers/timeline.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { customerMetrics } from '../events/schema.ts';
import type { StoredEvent } from '../events/types.ts';
import { systemActor } from '../workspaces/audit.ts';
import { applyRefunds } from './refunds.ts';
import { recordCommerceEvents } from './event-effects.ts';
import { cartItems, orders, refunds } from './schema.ts';
import { trackEvent } from './test-events.ts';

describeEachDb('commerce customer link', (getDb) => {
  async function shop() {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    const workspaceId = workspace.id;
    const person = (name: string, email?: string) => createCustomer(database.db, { workspaceId, actor: systemActor, input: { name, email } });
    const record = (list: StoredEvent[]) => database.db.transaction((tx) => recordCommerceEvents(tx, { workspaceId, events: list }));
    const ordersOf = async (customerId: string) => (await database.db.select().from(orders).where(and(eq(orders.workspaceId, workspaceId), eq(orders.customerId, customerId)))).map((o) => o.externalId).sort();
    const linesOf = async (customerId: string) => (await database.db.select().from(cartItems).where(and(eq(cartItems.workspaceId, workspaceId), eq(cartItems.customerId, customerId)))).map((l) => l.sku).sort();
    return { database, workspaceId, person, record, ordersOf, linesOf };
  }

  it('moves orders and cart lines with a merge, and back with its undo; the metrics follow', async () => {
    const s = await shop();
    const keep = await s.person('유지');
    const gone = await s.person('병합');
    await s.record([
      trackEvent('Order Completed', { order_id: 'K-1', total: 1000 }, { customerId: keep.id }),
      trackEvent('Order Completed', { order_id: 'G-1', total: 2000 }, { customerId: gone.id }),
      trackEvent('Product Added', { sku: 'G-SKU', price: 5 }, { customerId: gone.id }),
    ]);
    const { merge } = await s.database.db.transaction((tx) => mergeCustomers(tx, { workspaceId: s.workspaceId, actor: systemActor, survivorId: keep.id, mergedId: gone.id }));
    expect(await s.ordersOf(keep.id)).toEqual(['G-1', 'K-1']);
    expect(await s.linesOf(keep.id)).toEqual(['G-SKU']);
    const [m] = await s.database.db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, s.workspaceId), eq(customerMetrics.customerId, keep.id)));
    expect(m).toMatchObject({ orderCount: 2, totalSpend: 3000 });
    await s.database.db.transaction((tx) => undoMerge(tx, { workspaceId: s.workspaceId, actor: systemActor, mergeId: merge.id }));
    expect(await s.ordersOf(keep.id)).toEqual(['K-1']);
    expect(await s.ordersOf(gone.id)).toEqual(['G-1']);
    expect(await s.linesOf(gone.id)).toEqual(['G-SKU']);
  });

  it("gives a visitor's orders and cart lines to the customer they turn out to be", async () => {
    const s = await shop();
    const known = await s.person('가입자', 'signup@example.com');
    await s.record([
      trackEvent('Product Added', { sku: 'V-1', price: 100 }, { anonymousId: 'anon-77' }),
      trackEvent('Order Completed', { order_id: 'V-ORDER', total: 100, products: [{ sku: 'V-1', price: 100 }] }, { anonymousId: 'anon-77' }),
      trackEvent('Product Added', { sku: 'V-2', price: 100 }, { anonymousId: 'anon-77' }),
      trackEvent('Product Added', { sku: 'OTHER', price: 100 }, { anonymousId: 'anon-other' }),
    ]);
    await s.database.db.transaction((tx) => identify(tx, { workspaceId: s.workspaceId, actor: systemActor, input: { email: 'signup@example.com', anonymousId: 'anon-77' } }));
    expect(await s.ordersOf(known.id)).toEqual(['V-ORDER']);
    expect(await s.linesOf(known.id)).toEqual(['V-1', 'V-2']);
    const [m] = await s.database.db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, s.workspaceId), eq(customerMetrics.customerId, known.id)));
    expect(m).toMatchObject({ orderCount: 1, totalSpend: 100 });
  });

  it('erase keeps amounts and drops what identifies the person; export holds orders, refunds and cart lines', async () => {
    const s = await shop();
    const c = await s.person('삭제요청', 'erase.me@example.com');
    await s.record([
      trackEvent('Product Added', { sku: 'E-1', price: 700, cart_id: 'cart-xyz' }, { customerId: c.id }),
      trackEvent('Order Completed', { order_id: 'E-ORDER', total: 9900, coupon: 'KIM-BDAY-2024', products: [{ sku: 'E-1', price: 9900 }] }, { customerId: c.id }),
    ]);
    const [o] = await s.database.db.select().from(orders).where(and(eq(orders.workspaceId, s.workspaceId), eq(orders.externalId, 'E-ORDER')));
    await s.database.db.transaction(async (tx) =>
      applyRefunds(tx, { workspaceId: s.workspaceId, workspaceCurrency: 'KRW', refunds: [{ orderId: o!.id, amount: 900, reason: '김민지 고객 요청 010-1234-5678', refundedAt: new Date() }] }),
    );
    const exported = (await exportCustomerData(s.database.db, { workspaceId: s.workspaceId, customerId: c.id })) as { commerce: { orders: { externalId: string; refunds: { amount: number }[] }[]; cartItems: { sku: string }[] } };
    expect(exported.commerce.orders).toMatchObject([{ externalId: 'E-ORDER', coupon: 'KIM-BDAY-2024', refunds: [{ amount: 900, reason: '김민지 고객 요청 010-1234-5678' }] }]);
    expect(exported.commerce.cartItems.map((l) => l.sku)).toEqual(['E-1']);

    await s.database.db.transaction((tx) => eraseCustomer(tx, { workspaceId: s.workspaceId, actor: systemActor, customerId: c.id }));
    const [after] = await s.database.db.select().from(orders).where(eq(orders.id, o!.id));
    expect(after).toMatchObject({ total: 9900, refundedTotal: 900, coupon: null, anonymousId: null, customerId: c.id });
    const [refund] = await s.database.db.select().from(refunds).where(eq(refunds.orderId, o!.id));
    expect(refund).toMatchObject({ amount: 900, reason: null });
    const [line] = await s.database.db.select().from(cartItems).where(eq(cartItems.customerId, c.id));
    expect(line).toMatchObject({ sku: 'E-1', cartId: null, anonymousId: null, price: 700 });
  });

  it('puts orders and refunds on the timeline, newest first, and pages through them', async () => {
    const s = await shop();
    const c = await s.person('타임라인');
    const day = (d: number) => new Date(Date.UTC(2024, 0, d, 9));
    await s.record([
      trackEvent('Order Completed', { order_id: '1001', total: 89000 }, { customerId: c.id, at: day(1) }),
      trackEvent('Order Completed', { order_id: '1002', total: 12.5, currency: 'USD' }, { customerId: c.id, at: day(3) }),
      trackEvent('Order Refunded', { order_id: '1001', total: 9000 }, { customerId: c.id, at: day(2) }),
    ]);
    const full = await customerTimeline(s.database.db, { workspaceId: s.workspaceId, customerId: c.id, limit: 50, pii: true });
    const commerce = full.items.filter((i) => i.area === 'commerce');
    expect(commerce.map((i) => [i.kind, i.title, i.at])).toEqual([
      ['order', 'Order #1002 · $12.50', day(3).toISOString()],
      ['refund', 'Refund · Order #1001 · ₩9,000', day(2).toISOString()],
      ['order', 'Order #1001 · ₩89,000', day(1).toISOString()],
    ]);
    expect(commerce[2]!.data).toMatchObject({ externalId: '1001', status: 'partially_refunded', total: 89000, refundedTotal: 9000, currency: 'KRW' });
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await customerTimeline(s.database.db, { workspaceId: s.workspaceId, customerId: c.id, limit: 1, cursor, pii: true });
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(full.items.map((i) => i.id));
  });
});
