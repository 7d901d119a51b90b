// The behaviour metrics have one definition of what a shopper did: whatever order the events of a
// customer arrive in batches (shopper events through ingestion's effects, Rapport's own events —
// Cart Abandoned, Segment Entered, a grade change — written straight into the stream, and
// abandoned-cart runs between them), the row the live path leaves is the row a rebuild from the
// same events, orders and cart lines writes, and the stale check of identity stitching sees
// nothing to rebuild.
import { and, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Queryable } from '../db/connection.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { detectAbandonedCarts } from '../commerce/abandoned-carts.ts';
import { applyEventEffects } from './effects.ts';
import { recomputeCustomers, recomputeIfStale } from './metrics.ts';
import { recordObservedEvents } from './observed-events.ts';
import { customerMetrics, events } from './schema.ts';
import type { EventType, StoredEvent } from './types.ts';

const SHOPPER_NAMES = ['Product Viewed', 'Product Dwell', 'Product Clicked', 'Product Added', 'Product Added', 'Product Removed', 'Product Added to Wishlist', 'Checkout Started', 'Order Completed', 'Signed Up'];
// What Rapport itself writes: the abandoned-cart job, segment membership, the scores run.
const RAPPORT_NAMES = ['Cart Abandoned', 'Segment Entered', 'Segment Exited', 'Grade Changed', 'Churn Risk Detected'];

type Step =
  | { kind: 'shopper'; gapMs: number; customer: number; type: EventType; name: string | null; session: number | null; category: string; sku: string; dwellMs: number | null }
  | { kind: 'rapport'; gapMs: number; customer: number; name: string; offsetMs: number }
  | { kind: 'detect'; gapMs: number };

const START = Date.parse('2024-03-01T00:00:00Z');
const MINUTE = 60_000;
const gap = fc.oneof(fc.integer({ min: 0, max: 5 * MINUTE }), fc.integer({ min: 31 * MINUTE, max: 4 * 60 * MINUTE }), fc.integer({ min: 0, max: 3 * 86_400_000 }));
const shopperStep = fc.record({
  kind: fc.constant('shopper' as const),
  gapMs: gap,
  customer: fc.integer({ min: 0, max: 2 }),
  type: fc.constantFrom<EventType>('track', 'track', 'page', 'identify'),
  name: fc.option(fc.constantFrom(...SHOPPER_NAMES), { nil: null }),
  session: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  category: fc.constantFrom('Women > Shoes', 'Men', 'Kids > Toys'),
  sku: fc.constantFrom('S1', 'S2', 'S3'),
  dwellMs: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: null }),
});
// Rapport's events come at any time: before, among or long after the shopper's (a detection run
// or a recompute at the server's start).
const rapportStep = fc.record({
  kind: fc.constant('rapport' as const),
  gapMs: gap,
  customer: fc.integer({ min: 0, max: 2 }),
  name: fc.constantFrom(...RAPPORT_NAMES),
  offsetMs: fc.integer({ min: -2 * 86_400_000, max: 30 * 86_400_000 }),
});
// An abandoned-cart run: the workspace's open lines untouched for its window become abandoned
// (a Cart Abandoned event each, and the customer's abandoned-item count).
const detectStep = fc.record({ kind: fc.constant('detect' as const), gapMs: fc.integer({ min: 61 * MINUTE, max: 3 * 60 * MINUTE }) });
/** Steps in time order, cut into batches (a batch of shopper events is one ingestion). */
const history = fc.array(
  fc.tuple(fc.oneof({ weight: 6, arbitrary: shopperStep }, { weight: 2, arbitrary: rapportStep }, { weight: 1, arbitrary: detectStep }), fc.boolean()),
  { minLength: 1, maxLength: 40 },
);

async function rowOf(db: Queryable, workspaceId: string, customerId: string) {
  const [row] = await db.select().from(customerMetrics).where(and(eq(customerMetrics.workspaceId, workspaceId), eq(customerMetrics.customerId, customerId)));
  if (!row) return null;
  const { updatedAt: _updated, ...rest } = row;
  return rest;
}

describeEachDb('behaviour metrics: live fold equals rebuild', (getDb) => {
  it('gives the same row live and rebuilt for any events, Rapport’s own included, and the stale check agrees', async () => {
    const { db } = getDb();
    const { workspace } = await createTestWorkspace(getDb());
    const workspaceId = workspace.id;
    const seen = { abandoned: false, ordered: false, sessions: false };
    await fc.assert(
      fc.asyncProperty(history, async (steps) => {
        const customers = [uuidv7(), uuidv7(), uuidv7()];
        let t = START;
        let batch: StoredEvent[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          const list = batch;
          batch = [];
          await db.transaction(async (tx) => {
            await tx.insert(events).values(list.map((e) => ({ ...e, workspaceId })));
            await applyEventEffects(tx, { workspaceId, events: list });
          });
        };
        for (const [step, cut] of steps) {
          t += step.gapMs;
          if (step.kind === 'detect') {
            await flush();
            await detectAbandonedCarts(db, { workspaceId, now: new Date(t) });
            continue;
          }
          const customerId = customers[step.customer]!;
          if (step.kind === 'shopper') {
            const id = uuidv7();
            const properties: Record<string, unknown> = { sku: step.sku, category: step.category, price: 1000 };
            if (step.name === 'Order Completed') Object.assign(properties, { order_id: `o-${id}`, total: 1000, currency: 'KRW', products: [{ sku: step.sku, price: 1000, quantity: 1 }] });
            if (step.dwellMs !== null) properties.dwell_ms = step.dwellMs;
            batch.push({
              id,
              messageId: id,
              customerId,
              anonymousId: null,
              userId: null,
              type: step.type,
              name: step.type === 'identify' ? null : step.name,
              sessionId: step.session === null ? null : `s${step.session}`,
              properties,
              context: { library: { name: 'rapport.js', version: '1' } },
              timestamp: new Date(t),
              receivedAt: new Date(t),
            });
          } else {
            await flush();
            await recordObservedEvents(db, {
              workspaceId,
              name: step.name,
              source: 'test',
              events: [{ messageId: `test:${uuidv7()}`, customerId, properties: { note: 'observed' }, timestamp: new Date(t + step.offsetMs).toISOString() }],
            });
          }
          if (cut) await flush();
        }
        await flush();

        const live = await Promise.all(customers.map((c) => rowOf(db, workspaceId, c)));
        for (const c of customers) expect(await recomputeIfStale(db, { workspaceId, customerId: c })).toBe(false);
        await recomputeCustomers(db, { workspaceId, customerIds: customers });
        const rebuilt = await Promise.all(customers.map((c) => rowOf(db, workspaceId, c)));
        expect(rebuilt).toEqual(live);
        for (const row of live) {
          if (!row) continue;
          seen.abandoned ||= row.abandonedCartItems > 0;
          seen.ordered ||= row.orderCount > 0;
          seen.sessions ||= row.sessions > 1 && row.bounces > 0;
        }
      }),
      { seed: 24, numRuns: 40, endOnFailure: true },
    );
    // The runs reached what they are meant to compare.
    expect(seen).toEqual({ abandoned: true, ordered: true, sessions: true });
  }, 120_000);
});
