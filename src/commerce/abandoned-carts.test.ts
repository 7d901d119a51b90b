// Abandoned-cart detection across workspaces: each workspace's window, one Cart Abandoned event
// per cart however often it runs, the customer's abandoned-item count, recovery by a later order.
import { and, asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { customerMetrics, events } from '../events/schema.ts';
import type { StoredEvent } from '../events/types.ts';
import { systemActor } from '../workspaces/audit.ts';
import { registerSystemSchedules, systemJobHandlers } from '../worker/handlers.ts';
import { recurringJobs } from '../worker/schema.ts';
import { cartAbandonedEvent, DETECT_JOB, detectAbandonedCarts, groupAbandonedLines } from './abandoned-carts.ts';
import { listAbandonedCarts, markLinesOrdered, setCommerceSettings } from './carts.ts';
import { recomputeCustomers } from '../events/metrics.ts';
import { uuidv7 } from '../db/uuid.ts';
import { recordCommerceEvents } from './event-effects.ts';
import { cartItems } from './schema.ts';
import { createOrders } from './new-orders.ts';
import { drainPendingChanges } from '../segments/jobs.ts';
import { segmentMembers, segments } from '../segments/schema.ts';
import { createStarterSegments } from '../segments/starter-segments.ts';
import { trackEvent } from './test-events.ts';

describe('abandoned carts (pure)', () => {
  const line = (id: string, over: Record<string, unknown> = {}) => ({
    workspace_id: 'w',
    id,
    customer_id: null,
    anonymous_id: 'v',
    cart_id: null,
    product_id: null,
    sku: `S${id}`,
    name: null,
    category: null,
    price: 1250,
    currency: 'USD',
    quantity: 2,
    ...over,
  });
  it('groups lines by workspace, customer or visitor, cart and currency, lines in id order', () => {
    const groups = groupAbandonedLines([line('3'), line('1'), line('2', { cart_id: 'c' }), line('4', { customer_id: 'k' }), line('5', { workspace_id: 'x' })]);
    expect(groups.map((g) => g.map((l) => l.id))).toEqual([['1', '3'], ['2'], ['4'], ['5']]);
  });
  it('describes a cart in major units, with a message id from its first line', () => {
    const e = cartAbandonedEvent([line('1'), line('2', { price: null, quantity: 1 })], new Date('2024-01-01T00:00:00Z'));
    expect(e).toMatchObject({
      message_id: 'cart-abandoned:1',
      anonymous_id: 'v',
      properties: { currency: 'USD', value: 25, quantity: 3, items: [{ sku: 'S1', price: 12.5, quantity: 2 }, { sku: 'S2', price: null, quantity: 1 }] },
      timestamp: '2024-01-01T00:00:00.000Z',
    });
  });
});

describeEachDb('abandoned-cart detection', (getDb) => {
  async function shop(minutes?: number) {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    if (minutes) await setCommerceSettings(database.db, { workspaceId: workspace.id, abandonedCartMinutes: minutes });
    const customer = await createCustomer(database.db, { workspaceId: workspace.id, actor: systemActor, input: { name: '장바구니' } });
    const record = (list: StoredEvent[]) => database.db.transaction((tx) => recordCommerceEvents(tx, { workspaceId: workspace.id, events: list }));
    const lines = () => database.db.select().from(cartItems).where(eq(cartItems.workspaceId, workspace.id)).orderBy(asc(cartItems.sku));
    const abandonedEvents = () =>
      database.db
        .select()
        .from(events)
        .where(and(eq(events.workspaceId, workspace.id), eq(events.name, 'Cart Abandoned')))
        .orderBy(asc(events.messageId));
    return { database, workspaceId: workspace.id, customerId: customer.id, record, lines, abandonedEvents };
  }
  const minutes = (n: number) => n * 60_000;

  it("marks lines past each workspace's window, once; one event per cart; counts the customer's items", async () => {
    const t0 = new Date('2024-09-01T10:00:00Z');
    const quick = await shop(10);
    const slow = await shop(); // the default: 60 minutes
    const at = (m: number) => new Date(t0.getTime() + minutes(m));
    await quick.record([
      trackEvent('Product Added', { sku: 'Q1', price: 1000, cart_id: 'cart-1' }, { customerId: quick.customerId, at: at(0) }),
      trackEvent('Product Added', { sku: 'Q2', price: 500, quantity: 2, cart_id: 'cart-1' }, { customerId: quick.customerId, at: at(1) }),
      trackEvent('Product Added', { sku: 'Q3', price: 700 }, { anonymousId: 'visitor-q', at: at(2) }),
      trackEvent('Product Added', { sku: 'Q4', price: 100 }, { anonymousId: 'visitor-late', at: at(15) }),
    ]);
    await slow.record([trackEvent('Product Added', { sku: 'S1', price: 1 }, { customerId: slow.customerId, at: at(0) })]);

    // Limited to the two shops, so that other tests' carts stay out of the counts.
    const run = async (m: number) => ({
      quick: await detectAbandonedCarts(quick.database.db, { workspaceId: quick.workspaceId, now: at(m), batchSize: 2 }),
      slow: await detectAbandonedCarts(slow.database.db, { workspaceId: slow.workspaceId, now: at(m), batchSize: 2 }),
    });
    expect(await run(11)).toEqual({ quick: { lines: 1, carts: 1, workspaces: 1 }, slow: { lines: 0, carts: 0, workspaces: 0 } });
    expect(await run(20)).toEqual({ quick: { lines: 2, carts: 2, workspaces: 1 }, slow: { lines: 0, carts: 0, workspaces: 0 } });
    expect((await quick.lines()).map((l) => [l.sku, l.abandonedAt?.toISOString() ?? null])).toEqual([
      ['Q1', at(11).toISOString()],
      ['Q2', at(20).toISOString()],
      ['Q3', at(20).toISOString()],
      ['Q4', null],
    ]);
    // Q1 and Q2 are one cart but were abandoned in two runs: two events, each once.
    const evs = await quick.abandonedEvents();
    expect(evs).toHaveLength(3);
    expect(evs.find((e) => e.anonymousId === 'visitor-q')).toMatchObject({ customerId: null, type: 'track', properties: { value: 700, currency: 'KRW', items: [{ sku: 'Q3', quantity: 1 }] } });
    expect(evs.filter((e) => e.customerId === quick.customerId).map((e) => (e.properties as { cart_id: string }).cart_id)).toEqual(['cart-1', 'cart-1']);
    const [m] = await quick.database.db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, quick.workspaceId), eq(customerMetrics.customerId, quick.customerId)));
    expect(m!.abandonedCartItems).toBe(2);
    // Q4 passes its window; the slow shop's line passes its own.
    expect(await run(61)).toEqual({ quick: { lines: 1, carts: 1, workspaces: 1 }, slow: { lines: 1, carts: 1, workspaces: 1 } });
    // Running again finds nothing new and writes nothing twice.
    expect(await run(300)).toEqual({ quick: { lines: 0, carts: 0, workspaces: 0 }, slow: { lines: 0, carts: 0, workspaces: 0 } });
    expect(await quick.abandonedEvents()).toHaveLength(4);
    expect(await slow.abandonedEvents()).toHaveLength(1);
  });

  it('a line touched again stays open; an abandoned line ordered later is recovered; one added again after abandonment is a new line', async () => {
    const s = await shop(30);
    const t0 = new Date('2024-09-02T10:00:00Z');
    const at = (m: number) => new Date(t0.getTime() + minutes(m));
    await s.record([trackEvent('Product Added', { sku: 'A', price: 100 }, { customerId: s.customerId, at: at(0) }), trackEvent('Product Added', { sku: 'B', price: 100 }, { customerId: s.customerId, at: at(0) })]);
    await s.record([trackEvent('Product Added', { sku: 'A', price: 100 }, { customerId: s.customerId, at: at(20) })]);
    await detectAbandonedCarts(s.database.db, { workspaceId: s.workspaceId, now: at(40) });
    expect((await s.lines()).map((l) => [l.sku, l.quantity, l.abandonedAt !== null])).toEqual([
      ['A', 2, false],
      ['B', 1, true],
    ]);
    await s.record([trackEvent('Product Added', { sku: 'B', price: 100 }, { customerId: s.customerId, at: at(45) })]);
    await s.record([trackEvent('Order Completed', { order_id: 'REC-1', products: [{ sku: 'B', price: 100, quantity: 2 }] }, { customerId: s.customerId, at: at(50) })]);
    const rows = await s.lines();
    expect(rows.map((l) => [l.sku, l.quantity, l.abandonedAt !== null, l.orderedAt?.toISOString() ?? null])).toEqual([
      ['A', 2, false, null],
      ['B', 1, true, at(50).toISOString()],
      ['B', 1, false, at(50).toISOString()],
    ]);
  });

  it('a line bought or removed after abandonment leaves the abandoned figures, live and rebuilt (API orders too)', async () => {
    const s = await shop(30);
    const t0 = new Date('2024-09-03T10:00:00Z');
    const at = (m: number) => new Date(t0.getTime() + minutes(m));
    const abandoned = async () => {
      const [m] = await s.database.db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, s.workspaceId), eq(customerMetrics.customerId, s.customerId)));
      return m?.abandonedCartItems ?? 0;
    };
    const rebuilt = async () => {
      await recomputeCustomers(s.database.db, { workspaceId: s.workspaceId, customerIds: [s.customerId] });
      return abandoned();
    };
    await s.record([
      trackEvent('Product Added', { sku: 'A', price: 100 }, { customerId: s.customerId, at: at(0) }),
      trackEvent('Product Added', { sku: 'B', price: 100 }, { customerId: s.customerId, at: at(0) }),
      trackEvent('Product Added', { sku: 'C', price: 100 }, { customerId: s.customerId, at: at(0) }),
    ]);
    await detectAbandonedCarts(s.database.db, { workspaceId: s.workspaceId, now: at(40) });
    expect(await abandoned()).toBe(3);
    expect(await rebuilt()).toBe(3);
    await s.record([trackEvent('Order Completed', { order_id: 'REC-A', products: [{ sku: 'A', price: 100, quantity: 1 }] }, { customerId: s.customerId, at: at(50) })]);
    expect(await abandoned()).toBe(2);
    await s.record([trackEvent('Product Removed', { sku: 'B' }, { customerId: s.customerId, at: at(51) })]);
    expect(await abandoned()).toBe(1);
    expect(await rebuilt()).toBe(1);
    await s.database.db.transaction((tx) => markLinesOrdered(tx, { workspaceId: s.workspaceId, orders: [{ orderId: uuidv7(), owner: { customerId: s.customerId, anonymousId: null }, skus: ['C'], at: at(52) }] }));
    expect(await abandoned()).toBe(0);
    expect(await rebuilt()).toBe(0);
    expect(await listAbandonedCarts(s.database.db, { workspaceId: s.workspaceId, limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it('an abandoned line bought through the orders API takes the customer out of "Abandoned cart in 24 h"', async () => {
    const s = await shop(30);
    const { db } = s.database;
    const t0 = new Date('2024-09-04T10:00:00Z');
    const at = (m: number) => new Date(t0.getTime() + minutes(m));
    await createStarterSegments(db, { workspaceId: s.workspaceId, actor: systemActor });
    const [segment] = await db.select({ id: segments.id }).from(segments).where(and(eq(segments.workspaceId, s.workspaceId), eq(segments.starterKey, 'abandoned-cart-24h')));
    const member = async () =>
      (await db.select().from(segmentMembers).where(and(eq(segmentMembers.segmentId, segment!.id), eq(segmentMembers.customerId, s.customerId)))).length === 1;
    await s.record([trackEvent('Product Added', { sku: 'API-1', price: 100 }, { customerId: s.customerId, at: at(0) })]);
    await detectAbandonedCarts(db, { workspaceId: s.workspaceId, now: at(40) });
    await drainPendingChanges(db, { workspaceId: s.workspaceId, now: at(41) });
    expect(await member()).toBe(true);
    const [result] = await db.transaction((tx) =>
      createOrders(tx, {
        workspaceId: s.workspaceId,
        workspaceCurrency: 'KRW',
        inputs: [{ customerId: s.customerId, placedAt: at(50).toISOString(), items: [{ sku: 'API-1', unitPrice: 100, quantity: 1 }] }],
        source: 'api',
        pathOf: (i) => `orders[${i}]`,
        now: at(50),
      }),
    );
    expect(result).toMatchObject({ status: 'created' });
    await drainPendingChanges(db, { workspaceId: s.workspaceId, now: at(51) });
    expect(await member()).toBe(false);
  });

  it('looks at every workspace in one run', async () => {
    // Lines from 1990, and a clock of 1990: no other test's lines are due at that time.
    const one = await shop(5);
    const two = await shop(120);
    const t0 = new Date('1990-01-01T00:00:00Z');
    await one.record([trackEvent('Product Added', { sku: 'X1', price: 1 }, { customerId: one.customerId, at: t0 })]);
    await two.record([trackEvent('Product Added', { sku: 'X2', price: 1 }, { anonymousId: 'v-two', at: t0 })]);
    expect(await detectAbandonedCarts(one.database.db, { now: new Date(t0.getTime() + minutes(60)) })).toEqual({ lines: 1, carts: 1, workspaces: 1 });
    expect(await detectAbandonedCarts(one.database.db, { now: new Date(t0.getTime() + minutes(150)) })).toEqual({ lines: 1, carts: 1, workspaces: 1 });
    expect((await one.lines())[0]!.abandonedAt).toEqual(new Date(t0.getTime() + minutes(60)));
    expect((await two.lines())[0]!.abandonedAt).toEqual(new Date(t0.getTime() + minutes(150)));
  });

  it('runs as a worker job every minute', async () => {
    const s = await shop();
    const { db } = s.database;
    await registerSystemSchedules(db);
    const [schedule] = await db.select().from(recurringJobs).where(eq(recurringJobs.name, 'system:commerce.abandoned-carts'));
    expect(schedule).toMatchObject({ type: DETECT_JOB, intervalSeconds: 60 });
    await s.record([trackEvent('Product Added', { sku: 'J', price: 100 }, { anonymousId: 'job-visitor', at: new Date(Date.now() - minutes(90)) })]);
    const handler = systemJobHandlers()[DETECT_JOB]!;
    const result = await handler({ id: 'j', type: DETECT_JOB, payload: {}, workspaceId: s.workspaceId, attempt: 1, maxAttempts: 5 }, { db, signal: new AbortController().signal });
    expect(result).toEqual({ lines: 1, carts: 1, workspaces: 1 });
    const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from events where workspace_id = ${s.workspaceId} and message_id like 'cart-abandoned:%'`);
    expect(rows[0]!.n).toBe(1);
  });
});
