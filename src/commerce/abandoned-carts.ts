// Abandoned-cart detection: open cart lines untouched for longer than their workspace's window
// (commerce_settings, default 60 minutes) are marked abandoned, across all workspaces in one
// statement per batch of lines. Each customer's or visitor's cart that was abandoned becomes one
// `Cart Abandoned` event on their timeline (journeys start from it), and the customer's
// abandoned-item count grows. Run every minute by the worker, and on demand.
import { sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Db, Queryable } from '../db/connection.ts';
import { recordAbandonedCartMetrics } from '../events/metrics.ts';
import { recordObservedEvents } from '../events/observed-events.ts';
import { fromMinorUnits } from './money.ts';

export const CART_ABANDONED_EVENT = 'Cart Abandoned';
export const DETECT_JOB = 'commerce.abandoned-carts';
const BATCH = 5000;

type AbandonedLine = {
  workspace_id: string;
  id: string;
  customer_id: string | null;
  anonymous_id: string | null;
  cart_id: string | null;
  product_id: string | null;
  sku: string;
  name: string | null;
  category: string | null;
  price: number | null;
  currency: string;
  quantity: number;
};

export type DetectionResult = { lines: number; carts: number; workspaces: number };

/**
 * The carts of lines abandoned together: one per workspace, customer (or visitor), cart id and
 * currency, its lines in id (time) order. Pure.
 */
export function groupAbandonedLines<T extends Omit<AbandonedLine, 'product_id' | 'name' | 'category'>>(lines: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const l of [...lines].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const owner = l.customer_id ? `c:${l.customer_id}` : `a:${l.anonymous_id ?? ''}`;
    const key = `${l.workspace_id}|${owner}|${l.cart_id ?? ''}|${l.currency}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  return [...groups.values()];
}

/** The `Cart Abandoned` event of one cart: amounts in major units, as Segment's e-commerce events carry them. */
export function cartAbandonedEvent(lines: AbandonedLine[], at: Date) {
  const first = lines[0]!;
  const value = lines.reduce((s, l) => s + (l.price ?? 0) * l.quantity, 0);
  return {
    message_id: `cart-abandoned:${first.id}`,
    customer_id: first.customer_id,
    anonymous_id: first.customer_id ? null : first.anonymous_id,
    properties: {
      cart_id: first.cart_id,
      currency: first.currency,
      value: fromMinorUnits(value, first.currency),
      quantity: lines.reduce((s, l) => s + l.quantity, 0),
      items: lines.map((l) => ({
        sku: l.sku,
        product_id: l.product_id,
        name: l.name,
        category: l.category,
        price: l.price === null ? null : fromMinorUnits(l.price, l.currency),
        quantity: l.quantity,
      })),
    },
    timestamp: at.toISOString(),
  };
}

/**
 * Marks due lines abandoned, `BATCH` lines per transaction, until none are left. `workspaceId`
 * limits it to one workspace (the on-demand run); `now` defaults to Rapport's clock (src/clock.ts).
 */
export async function detectAbandonedCarts(db: Db, opts: { workspaceId?: string; now?: Date; batchSize?: number } = {}): Promise<DetectionResult> {
  const now = opts.now ?? clock.now();
  const batch = opts.batchSize ?? BATCH;
  const total: DetectionResult = { lines: 0, carts: 0, workspaces: 0 };
  const seen = new Set<string>();
  for (;;) {
    const lines = await db.transaction(async (tx) => {
      const found = await markDue(tx, { workspaceId: opts.workspaceId, now, limit: batch });
      await recordAbandonment(tx, { lines: found, now });
      return found;
    });
    total.lines += lines.length;
    total.carts += groupAbandonedLines(lines).length;
    for (const l of lines) seen.add(l.workspace_id);
    if (lines.length < batch) break;
  }
  total.workspaces = seen.size;
  return total;
}

async function markDue(db: Queryable, opts: { workspaceId?: string; now: Date; limit: number }): Promise<AbandonedLine[]> {
  // Lines being changed by an ingesting batch right now are left for the next run.
  const { rows } = await db.execute<AbandonedLine>(sql`
    with due as (
      select c.workspace_id, c.id
      from cart_items c
      left join commerce_settings s on s.workspace_id = c.workspace_id
      where c.removed_at is null and c.ordered_at is null and c.abandoned_at is null
        and c.updated_at < ${opts.now.toISOString()}::timestamptz - make_interval(mins => coalesce(s.abandoned_cart_minutes, 60))
        ${opts.workspaceId ? sql`and c.workspace_id = ${opts.workspaceId}::uuid` : sql``}
      order by c.workspace_id, c.id
      limit ${opts.limit}
      for update of c skip locked
    )
    update cart_items c set abandoned_at = ${opts.now.toISOString()}::timestamptz
    from due
    where c.workspace_id = due.workspace_id and c.id = due.id
    returning c.workspace_id, c.id, c.customer_id, c.anonymous_id, c.cart_id, c.product_id, c.sku, c.name, c.category, c.price, c.currency, c.quantity`);
  return rows.map((r) => ({ ...r, price: r.price === null ? null : Number(r.price), quantity: Number(r.quantity) }));
}

async function recordAbandonment(db: Queryable, opts: { lines: AbandonedLine[]; now: Date }): Promise<void> {
  if (opts.lines.length === 0) return;
  const byWorkspace = new Map<string, AbandonedLine[]>();
  for (const l of opts.lines) byWorkspace.set(l.workspace_id, [...(byWorkspace.get(l.workspace_id) ?? []), l]);
  for (const [workspaceId, lines] of byWorkspace) {
    const counts = new Map<string, number>();
    for (const l of lines) if (l.customer_id) counts.set(l.customer_id, (counts.get(l.customer_id) ?? 0) + 1);
    await recordAbandonedCartMetrics(db, { workspaceId, items: [...counts].map(([customerId, count]) => ({ customerId, count })) });
    // One event per cart (recordObservedEvents says why not through ingestion).
    const events = groupAbandonedLines(lines).map((cart) => cartAbandonedEvent(cart, opts.now));
    await recordObservedEvents(db, {
      workspaceId,
      name: CART_ABANDONED_EVENT,
      source: 'abandoned-carts',
      events: events.map((e) => ({ messageId: e.message_id, customerId: e.customer_id, anonymousId: e.anonymous_id, properties: e.properties, timestamp: e.timestamp })),
    });
  }
}
