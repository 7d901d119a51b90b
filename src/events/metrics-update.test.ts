// Behaviour metrics on the database: the incremental update on ingestion, and that it always
// agrees with a rebuild from history.
import { and, eq } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { expect, it } from 'vitest';
import type { Queryable } from '../db/connection.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { applyEventEffects } from './effects.ts';
import { ingestBatch } from './ingest.ts';
import { getCustomerMetrics, recomputeCustomerMetrics, recomputeCustomers, updateMetricsForEvents } from './metrics.ts';
import { customerMetrics, events } from './schema.ts';
import type { EventType, StoredEvent } from './types.ts';

type Draft = { customerId: string | null; at: string | Date; type?: EventType; name?: string; sessionId?: string; properties?: Record<string, unknown> };

function storedEvent(d: Draft): StoredEvent {
  const id = uuidv7();
  return {
    id,
    messageId: id,
    customerId: d.customerId,
    anonymousId: d.customerId ? null : 'anon-1',
    userId: null,
    type: d.type ?? (d.name ? 'track' : 'page'),
    name: d.name ?? null,
    sessionId: d.sessionId ?? null,
    properties: d.properties ?? {},
    context: {},
    timestamp: new Date(d.at),
    receivedAt: new Date(),
  };
}

/** Stores the events as ingestion does, then lets their effects run, in one transaction. */
async function ingest(db: Queryable, workspaceId: string, list: StoredEvent[], effects: 'metrics' | 'all' = 'metrics'): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(events).values(list.map((e) => ({ ...e, workspaceId })));
    if (effects === 'all') await applyEventEffects(tx, { workspaceId, events: list });
    else await updateMetricsForEvents(tx, { workspaceId, events: list });
  });
}

async function rowOf(db: Queryable, workspaceId: string, customerId: string) {
  const [row] = await db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, workspaceId), eq(customerMetrics.customerId, customerId)));
  return row;
}

/** A small seeded generator (mulberry32): the same seed gives the same stream. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describeEachDb('behaviour metrics: incremental update', (getDb) => {
  it('counts events, sessions, bounces, views, dwell, carts and hours in the workspace time zone', async () => {
    const { workspace } = await createTestWorkspace(getDb()); // Asia/Seoul
    const { db } = getDb();
    const a = uuidv7();
    const b = uuidv7();
    await ingest(db, workspace.id, [
      storedEvent({ customerId: a, at: '2024-05-01T01:00:00Z' }),
      storedEvent({ customerId: a, at: '2024-05-01T01:02:00Z', name: 'Product Viewed', properties: { sku: 'S1', category: 'Women > Shoes > Sneakers' } }),
      storedEvent({ customerId: a, at: '2024-05-01T01:03:00Z', name: 'Product Dwell', properties: { sku: 'S1', category: 'Women > Shoes > Sneakers', dwell_ms: 12_500 } }),
      storedEvent({ customerId: a, at: '2024-05-01T01:04:00Z', name: 'Product Added', properties: { sku: 'S1' } }),
      storedEvent({ customerId: a, at: '2024-05-01T01:05:00Z', name: 'Product Added to Wishlist', properties: { sku: 'S2' } }),
      storedEvent({ customerId: b, at: '2024-05-01T12:00:00Z' }),
      storedEvent({ customerId: null, at: '2024-05-01T12:00:00Z' }),
    ]);
    const ra = await rowOf(db, workspace.id, a);
    expect(ra).toMatchObject({
      eventCount: 5,
      sessions: 1,
      bounces: 0,
      pageViews: 1,
      productViews: 1,
      dwellMs: 12_500,
      categoryDwellMs: { Women: 12_500 },
      categoryViews: { Women: 1 },
      viewsSinceLastOrder: 1,
      cartAdds: 1,
      favourites: 1,
      mostActiveHour: 10, // 01:00 UTC is 10:00 in Seoul
    });
    expect(ra!.hourCounts[10]).toBe(5);
    expect(ra!.firstSeenAt).toEqual(new Date('2024-05-01T01:00:00Z'));
    expect(ra!.lastSeenAt).toEqual(new Date('2024-05-01T01:05:00Z'));
    expect(await rowOf(db, workspace.id, b)).toMatchObject({ eventCount: 1, sessions: 1, bounces: 1, mostActiveHour: 21 });
  });

  it('continues sessions and merges category figures across batches, and takes late events in stride', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const { db } = getDb();
    const a = uuidv7();
    await ingest(db, workspace.id, [storedEvent({ customerId: a, at: '2024-05-01T10:00:00Z', name: 'Product Dwell', properties: { category: 'Men', dwell_ms: 1000 } })]);
    expect(await rowOf(db, workspace.id, a)).toMatchObject({ sessions: 1, bounces: 1 });
    await ingest(db, workspace.id, [
      storedEvent({ customerId: a, at: '2024-05-01T10:10:00Z', name: 'Product Dwell', properties: { category: 'Men > Coats', dwell_ms: 2000 } }),
      storedEvent({ customerId: a, at: '2024-05-01T10:11:00Z', name: 'Product Dwell', properties: { category: 'Kids', dwell_ms: 500 } }),
    ]);
    expect(await rowOf(db, workspace.id, a)).toMatchObject({ sessions: 1, bounces: 0, currentSessionEvents: 3, dwellMs: 3500, categoryDwellMs: { Men: 3000, Kids: 500 } });
    await ingest(db, workspace.id, [storedEvent({ customerId: a, at: '2024-05-01T12:00:00Z' })]);
    await ingest(db, workspace.id, [storedEvent({ customerId: a, at: '2024-04-20T08:00:00Z' })]); // late
    const row = await rowOf(db, workspace.id, a);
    expect(row).toMatchObject({ sessions: 2, bounces: 1, eventCount: 5 });
    expect(row!.firstSeenAt).toEqual(new Date('2024-04-20T08:00:00Z'));
    expect(row!.lastSeenAt).toEqual(new Date('2024-05-01T12:00:00Z'));
    expect(row!.currentSessionLastAt).toEqual(new Date('2024-05-01T12:00:00Z'));
  });

  it('gives the views before an order to that purchase when commerce records the order in the same batch', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const { db } = getDb();
    const a = uuidv7();
    await ingest(db, workspace.id, [storedEvent({ customerId: a, at: '2024-05-01T10:00:00Z', name: 'Product Viewed', properties: { sku: 'S1', price: 1000 } })], 'all');
    await ingest(
      db,
      workspace.id,
      [
        storedEvent({ customerId: a, at: '2024-05-01T10:01:00Z', name: 'Product Viewed', properties: { sku: 'S2', price: 2000 } }),
        storedEvent({ customerId: a, at: '2024-05-01T10:02:00Z', name: 'Order Completed', properties: { order_id: `o-${a}`, total: 3000, currency: 'KRW', products: [{ sku: 'S1', price: 1000, quantity: 1 }, { sku: 'S2', price: 2000, quantity: 1 }] } }),
        storedEvent({ customerId: a, at: '2024-05-01T10:03:00Z', name: 'Product Viewed', properties: { sku: 'S3', price: 500 } }),
      ],
      'all',
    );
    const m = await getCustomerMetrics(db, { workspaceId: workspace.id, customerId: a });
    expect(m).toMatchObject({ orderCount: 1, totalSpend: 3000, averageOrderValue: 3000, meanProductsViewedBeforePurchase: 2, viewsSinceLastOrder: 1, productViews: 3 });
  });

  it('agrees with a rebuild from history over a random event stream (seeded)', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const { db } = getDb();
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
      const customers = Array.from({ length: 4 }, () => uuidv7());
      const names = ['Product Viewed', 'Product Viewed', 'Product Dwell', 'Product Clicked', 'Product Added', 'Product Removed', 'Product Added to Wishlist', 'Checkout Started', 'Order Completed', 'Signed Up'];
      const categories = ['Women > Shoes', 'Men > Coats', 'Kids', 'Beauty > Skin'];
      let t = Date.parse('2024-03-01T00:00:00Z');
      const stream: StoredEvent[] = [];
      for (let i = 0; i < 250; i++) {
        // Mostly short gaps, sometimes longer than a session gap, now and then days.
        const r = next();
        t += r < 0.75 ? Math.floor(next() * 5 * 60_000) : r < 0.95 ? 31 * 60_000 + Math.floor(next() * 3 * 3_600_000) : Math.floor(next() * 4 * 86_400_000);
        const customerId = next() < 0.1 ? null : pick(customers);
        const kind = next();
        const sessionId = next() < 0.5 ? `s${Math.floor(t / 3_600_000)}` : undefined;
        if (kind < 0.3) stream.push(storedEvent({ customerId, at: new Date(t), sessionId }));
        else if (kind < 0.35) stream.push(storedEvent({ customerId, at: new Date(t), type: 'identify' }));
        else {
          const name = pick(names);
          const properties: Record<string, unknown> = { sku: `S${Math.floor(next() * 20)}`, category: pick(categories), price: 1000 };
          if (name === 'Product Dwell' || next() < 0.2) properties.dwell_ms = Math.floor(next() * 60_000);
          if (name === 'Order Completed') Object.assign(properties, { order_id: `o-${seed}-${i}`, total: 1000 + Math.floor(next() * 90) * 1000, currency: 'KRW' });
          stream.push(storedEvent({ customerId, at: new Date(t), name, sessionId, properties }));
        }
      }
      // Batches of random size; inside a batch the events come in any order.
      for (let i = 0; i < stream.length; ) {
        const size = 1 + Math.floor(next() * 15);
        const batch = stream.slice(i, i + size).sort(() => next() - 0.5);
        await ingest(db, workspace.id, batch, 'all');
        i += size;
      }
      const incremental = await Promise.all(customers.map((c) => getCustomerMetrics(db, { workspaceId: workspace.id, customerId: c })));
      // Spoil the rows first, so the rebuild has to get every figure right by itself.
      await db.update(customerMetrics).set({ sessions: 999, dwellMs: 0, categoryViews: {} }).where(eq(customerMetrics.workspaceId, workspace.id));
      // The given customers, or (odd seeds) the whole workspace range by range.
      if (seed % 2 === 0) await recomputeCustomers(db, { workspaceId: workspace.id, customerIds: customers });
      else expect(await recomputeCustomerMetrics(db, { workspaceId: workspace.id })).toBeGreaterThanOrEqual(customers.length);
      const rebuilt = await Promise.all(customers.map((c) => getCustomerMetrics(db, { workspaceId: workspace.id, customerId: c })));
      const strip = (list: typeof rebuilt) => list.map(({ updatedAt: _updated, ...rest }) => rest);
      expect(strip(rebuilt)).toEqual(strip(incremental));
      expect(incremental.some((m) => m.orderCount > 0 && m.sessions > 1 && m.bounces > 0 && m.dwellMs > 0)).toBe(true);
    }
  });

  it('counts each event once when ingestion stitches a visitor to a customer in the middle of a batch', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const { db } = getDb();
    const visitor = `anon-${uuidv7()}`;
    const userId = `u-${uuidv7()}`;
    const msg = (m: Record<string, unknown>) => ({ messageId: uuidv7(), ...m });
    const first = await ingestBatch(db, {
      workspaceId: workspace.id,
      messages: [
        msg({ type: 'page', anonymousId: visitor, timestamp: '2024-05-01T10:00:00Z' }),
        msg({ type: 'track', event: 'Product Viewed', anonymousId: visitor, properties: { sku: 'S1', category: 'Women' }, timestamp: '2024-05-01T10:01:00Z' }),
      ],
    });
    expect(first.errors).toEqual([]);
    // One transaction, two batches: the first links the visitor (a rebuild), the second comes after it.
    await db.transaction(async (tx) => {
      const linked = await ingestBatch(tx, {
        workspaceId: workspace.id,
        messages: [
          msg({ type: 'page', anonymousId: visitor, userId, timestamp: '2024-05-01T10:02:00Z' }),
          msg({ type: 'identify', anonymousId: visitor, userId, traits: { email: `${uuidv7()}@example.com` }, timestamp: '2024-05-01T10:03:00Z' }),
          msg({ type: 'track', event: 'Product Viewed', userId, properties: { sku: 'S2', category: 'Men' }, timestamp: '2024-05-01T10:04:00Z' }),
        ],
      });
      expect(linked.errors).toEqual([]);
      await ingestBatch(tx, { workspaceId: workspace.id, messages: [msg({ type: 'page', userId, timestamp: '2024-05-01T10:05:00Z' })] });
    });
    const [owner] = (await db.select({ customerId: events.customerId }).from(events).where(and(eq(events.workspaceId, workspace.id), eq(events.userId, userId))).limit(1));
    const customerId = owner!.customerId!;
    const incremental = await getCustomerMetrics(db, { workspaceId: workspace.id, customerId });
    expect(incremental).toMatchObject({ eventCount: 6, pageViews: 3, productViews: 2, sessions: 1, categoryViews: { Women: 1, Men: 1 } });
    await recomputeCustomers(db, { workspaceId: workspace.id, customerIds: [customerId] });
    const { updatedAt: _a, ...rebuilt } = await getCustomerMetrics(db, { workspaceId: workspace.id, customerId });
    const { updatedAt: _b, ...counted } = incremental;
    expect(rebuilt).toEqual(counted);
  });

  it('does not count twice the events a rebuild earlier in the same transaction has counted', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const { db } = getDb();
    const a = uuidv7();
    const pending = [storedEvent({ customerId: a, at: '2024-05-01T10:00:00Z' }), storedEvent({ customerId: a, at: '2024-05-01T10:01:00Z' })];
    await db.transaction(async (tx) => {
      await tx.insert(events).values(pending.map((e) => ({ ...e, workspaceId: workspace.id })));
      // A stitch or merge between storing the events and moving the metrics forward.
      await recomputeCustomers(tx, { workspaceId: workspace.id, customerIds: [a] });
      await updateMetricsForEvents(tx, { workspaceId: workspace.id, events: pending });
      // Events stored after the rebuild still count.
      const later = [storedEvent({ customerId: a, at: '2024-05-01T10:02:00Z' })];
      await tx.insert(events).values(later.map((e) => ({ ...e, workspaceId: workspace.id })));
      await updateMetricsForEvents(tx, { workspaceId: workspace.id, events: later });
    });
    expect(await rowOf(db, workspace.id, a)).toMatchObject({ eventCount: 3, pageViews: 3, sessions: 1 });
    // The mark lasts only as long as its transaction: an event with an older id counts later on.
    const old = { ...storedEvent({ customerId: a, at: '2024-05-01T10:03:00Z' }), id: '00000000-0000-7000-8000-000000000001' };
    await ingest(db, workspace.id, [old]);
    expect(await rowOf(db, workspace.id, a)).toMatchObject({ eventCount: 4 });
  });
});
