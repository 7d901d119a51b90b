// Rebuilds behaviour metrics from history: a customer's events replayed through the same fold as
// the incremental update, with their orders among them. Used after merges and identity stitching
// (the history of a customer changed at once) and by the bulk `metrics.recompute` job.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/connection.ts';
import {
  emptyMetricsState,
  foldMetrics,
  hourInTimeZone,
  mostActiveHour,
  rapportEventSql,
  toMetricEvent,
  type MetricOrder,
  type MetricsState,
} from './fold.ts';
import { ECOMMERCE_EVENTS, type EventType } from '../types.ts';

/** Customers rebuilt per statement group; their events are read in pages of EVENT_PAGE rows. */
export const RECOMPUTE_CHUNK = 500;
const EVENT_PAGE = 20_000;

/** A cart line the abandoned-item count holds: abandoned, and neither ordered nor removed since. */
const abandonedLineSql = sql`abandoned_at is not null and ordered_at is null and removed_at is null`;

type CommerceHistory = { orders: Map<string, MetricOrder[]>; abandonedLines: Map<string, number> };

/**
 * The commerce side of a customer's history, read straight from the commerce area's tables —
 * the one place the metrics read another area's rows, because a rebuild must see the orders and
 * cart lines exactly as stored. An order counts at its total net of refunds, as spend only when
 * it is in the workspace currency (as commerce records it: `spendOf` in src/commerce/orders.ts);
 * a cancelled order still counts, as it did when placed. A cart line counts while it is
 * abandoned and still in the cart (neither ordered nor removed since).
 */
async function readCommerceHistory(db: Queryable, workspaceId: string, customerIds: string[]): Promise<CommerceHistory> {
  const ids = sql.param(customerIds);
  const orderRows = await db.execute<{ customer_id: string; placed_ms: number; net: number }>(sql`
    select o.customer_id, (extract(epoch from o.placed_at) * 1000)::float8 as placed_ms,
           case when o.currency = w.currency then o.total - o.refunded_total else 0 end as net
    from orders o join workspaces w on w.id = o.workspace_id
    where o.workspace_id = ${workspaceId} and o.customer_id = any(${ids}::uuid[])`);
  const cartRows = await db.execute<{ customer_id: string; n: number }>(sql`
    select customer_id, count(*)::int as n from cart_items
    where workspace_id = ${workspaceId} and customer_id = any(${ids}::uuid[]) and ${abandonedLineSql}
    group by customer_id`);
  const orders = new Map<string, MetricOrder[]>();
  for (const r of orderRows.rows) {
    let list = orders.get(r.customer_id);
    if (!list) orders.set(r.customer_id, (list = []));
    list.push({ placedAt: new Date(r.placed_ms), total: r.net });
  }
  return { orders, abandonedLines: new Map(cartRows.rows.map((r) => [r.customer_id, r.n])) };
}

type EventRow = {
  customer_id: string;
  id: string;
  type: EventType;
  name: string | null;
  session_id: string | null;
  ts_ms: number;
  is_order: boolean;
  category: unknown;
  dwell_ms: unknown;
  library: string | null;
};

/**
 * Rebuilds the given customers (sorted, at most RECOMPUTE_CHUNK) into states, in one pass over
 * their events; also gives the greatest event id counted per customer.
 */
async function rebuildStates(
  db: Queryable,
  workspaceId: string,
  customerIds: string[],
): Promise<{ states: Map<string, MetricsState>; lastEventIds: Map<string, string> }> {
  const [{ time_zone: timeZone } = { time_zone: 'UTC' }] = (
    await db.execute<{ time_zone: string }>(sql`select time_zone from workspaces where id = ${workspaceId}`)
  ).rows;
  const hourOf = hourInTimeZone(timeZone);
  const commerce = await readCommerceHistory(db, workspaceId, customerIds);
  const states = new Map<string, MetricsState>();
  const lastEventIds = new Map<string, string>();
  const stateOf = (id: string) => states.get(id) ?? emptyMetricsState();

  // Events in the fold's order (time, an Order Completed after the rest of its instant, id), paged
  // on that order. A page may end inside one customer's history: their orders up to the page's
  // last instant (exclusive) are replayed with it, the rest wait for the customer's last page.
  let after: { customerId: string; ms: number; isOrder: boolean; id: string } | null = null;
  for (;;) {
    const { rows }: { rows: EventRow[] } = await db.execute<EventRow>(sql`
      select customer_id, id, type, name, session_id, ts_ms, is_order, category, dwell_ms, library from (
        select customer_id, id, type, name, session_id, (extract(epoch from timestamp) * 1000)::float8 as ts_ms,
               coalesce(name = ${ECOMMERCE_EVENTS.orderCompleted}, false) as is_order,
               properties -> 'category' as category, properties -> 'dwell_ms' as dwell_ms, context -> 'library' ->> 'name' as library
        from events where workspace_id = ${workspaceId} and customer_id = any(${sql.param(customerIds)}::uuid[])
      ) e
      ${after ? sql`where (customer_id, ts_ms, is_order, id) > (${after.customerId}::uuid, ${after.ms}::float8, ${after.isOrder}, ${after.id}::uuid)` : sql``}
      order by customer_id, ts_ms, is_order, id
      limit ${EVENT_PAGE}`);
    const full = rows.length === EVENT_PAGE;
    let start = 0;
    while (start < rows.length) {
      const customerId = rows[start]!.customer_id;
      let end = start;
      while (end < rows.length && rows[end]!.customer_id === customerId) end++;
      const events = rows.slice(start, end).map((r) =>
        toMetricEvent({
          id: r.id,
          type: r.type,
          name: r.name,
          sessionId: r.session_id,
          timestamp: new Date(r.ts_ms),
          properties: { category: r.category, dwell_ms: r.dwell_ms },
          context: { library: { name: r.library } },
        }),
      );
      // Rapport's own events count for nothing (the fold skips them): a customer who has only
      // those has no behaviour history, as on the live path.
      const counted = events.some((e) => !e.byRapport);
      const continues = full && end === rows.length;
      const waiting = commerce.orders.get(customerId) ?? [];
      const lastMs = rows[end - 1]!.ts_ms;
      const now = continues ? waiting.filter((o) => o.placedAt.getTime() < lastMs) : waiting;
      commerce.orders.set(customerId, continues ? waiting.filter((o) => o.placedAt.getTime() >= lastMs) : []);
      if (counted || now.length > 0) states.set(customerId, foldMetrics(stateOf(customerId), events, hourOf, now));
      const maxId = events.reduce((max, e) => (e.id > max ? e.id : max), lastEventIds.get(customerId) ?? '');
      lastEventIds.set(customerId, maxId);
      start = end;
    }
    if (!full) break;
    const last: EventRow = rows[rows.length - 1]!;
    after = { customerId: last.customer_id, ms: last.ts_ms, isOrder: last.is_order, id: last.id };
  }
  // Customers with orders and no events (an order imported or placed through the API).
  for (const [customerId, orders] of commerce.orders) {
    if (orders.length > 0) states.set(customerId, foldMetrics(stateOf(customerId), [], hourOf, orders));
  }
  for (const [customerId, n] of commerce.abandonedLines) states.set(customerId, { ...stateOf(customerId), abandonedCartItems: n });
  return { states, lastEventIds };
}

/**
 * Ingestion stores a batch's events, then applies identify, alias and the like (whose stitching
 * and merges rebuild customers here, counting those events), and only then moves the metrics
 * forward for the batch. So a rebuild leaves a mark for the rest of its transaction: per
 * customer, the greatest event id it counted. `updateMetricsForEvents` skips the events up to
 * it. Event ids are UUIDv7, generated in increasing order, so a later batch of the same
 * transaction still counts.
 */
export const REBUILT_SETTING = 'rapport.metrics_rebuilt';

async function markRebuilt(db: Queryable, lastEventIds: Map<string, string>): Promise<void> {
  if (lastEventIds.size === 0) return;
  await db.execute(sql`
    select set_config(${REBUILT_SETTING},
      (coalesce(nullif(current_setting(${REBUILT_SETTING}, true), ''), '{}')::jsonb || ${JSON.stringify(Object.fromEntries(lastEventIds))}::jsonb)::text,
      true)`);
}

/** The marks of the rebuilds of this transaction (see REBUILT_SETTING), from the setting's text. */
export function parseRebuiltMarks(text: string | null): Map<string, string> {
  if (!text) return new Map();
  const parsed = JSON.parse(text) as Record<string, string>;
  return new Map(Object.entries(parsed));
}

/** Writes rebuilt states over the rows (columns other areas add are left alone); customers with no history get zeros when they have a row. */
async function writeStates(db: Queryable, workspaceId: string, customerIds: string[], states: Map<string, MetricsState>): Promise<void> {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const rows = customerIds.map((customerId) => {
    const s = states.get(customerId) ?? emptyMetricsState();
    return {
      customer_id: customerId,
      has_history: states.has(customerId),
      first_seen_at: iso(s.firstSeenAt),
      last_seen_at: iso(s.lastSeenAt),
      event_count: s.eventCount,
      sessions: s.sessions,
      bounces: s.bounces,
      current_session_id: s.currentSessionId,
      current_session_last_at: iso(s.currentSessionLastAt),
      current_session_events: s.currentSessionEvents,
      page_views: s.pageViews,
      product_views: s.productViews,
      product_clicks: s.productClicks,
      dwell_ms: s.dwellMs,
      category_dwell_ms: s.categoryDwellMs,
      category_views: s.categoryViews,
      views_since_last_order: s.viewsSinceLastOrder,
      views_before_purchase_sum: s.viewsBeforePurchaseSum,
      purchases_with_views: s.purchasesWithViews,
      cart_adds: s.cartAdds,
      cart_removes: s.cartRemoves,
      abandoned_cart_items: s.abandonedCartItems,
      favourites: s.favourites,
      checkouts_started: s.checkoutsStarted,
      order_count: s.orderCount,
      total_spend: s.totalSpend,
      first_order_at: iso(s.firstOrderAt),
      last_order_at: iso(s.lastOrderAt),
      hour_counts: s.hourCounts,
      most_active_hour: mostActiveHour(s.hourCounts),
    };
  });
  const columns = Object.keys(rows[0]!).filter((c) => c !== 'customer_id' && c !== 'has_history');
  const types: Record<string, string> = {
    first_seen_at: 'timestamptz',
    last_seen_at: 'timestamptz',
    current_session_id: 'text',
    current_session_last_at: 'timestamptz',
    first_order_at: 'timestamptz',
    last_order_at: 'timestamptz',
    dwell_ms: 'bigint',
    total_spend: 'bigint',
    category_dwell_ms: 'jsonb',
    category_views: 'jsonb',
    hour_counts: 'int[]',
  };
  const list = sql.raw(columns.join(', '));
  const recordType = sql.raw(['customer_id uuid', 'has_history boolean', ...columns.map((c) => `${c} ${types[c] ?? 'int'}`)].join(', '));
  const updates = sql.raw(columns.map((c) => `${c} = excluded.${c}`).join(', '));
  // A customer with no history and no row stays without one.
  await db.execute(sql`
    insert into customer_metrics as m (workspace_id, customer_id, ${list})
    select ${workspaceId}::uuid, x.customer_id, ${sql.raw(columns.map((c) => `x.${c}`).join(', '))}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(${recordType})
    where x.has_history or exists (
      select 1 from customer_metrics c where c.workspace_id = ${workspaceId} and c.customer_id = x.customer_id)
    order by x.customer_id
    on conflict (workspace_id, customer_id) do update set ${updates}, updated_at = now()`);
}

/** Rebuilds the metrics of these customers (any number) from their history. */
export async function recomputeCustomers(db: Queryable, opts: { workspaceId: string; customerIds: string[] }): Promise<number> {
  const ids = [...new Set(opts.customerIds)].sort();
  for (let i = 0; i < ids.length; i += RECOMPUTE_CHUNK) {
    const chunk = ids.slice(i, i + RECOMPUTE_CHUNK);
    // Lock the rows first, in customer-id order, as every other writer does.
    await db.execute(sql`
      select 1 from customer_metrics where workspace_id = ${opts.workspaceId} and customer_id = any(${sql.param(chunk)}::uuid[])
      order by customer_id for update`);
    const { states, lastEventIds } = await rebuildStates(db, opts.workspaceId, chunk);
    await writeStates(db, opts.workspaceId, chunk, states);
    await markRebuilt(db, lastEventIds);
  }
  return ids.length;
}

/**
 * The next customers after `after` (in id order) that have events, orders, cart lines or a
 * metrics row: one range of the bulk rebuild.
 */
export async function nextCustomerRange(
  db: Queryable,
  opts: { workspaceId: string; after: string | null; limit: number },
): Promise<string[]> {
  const ws = opts.workspaceId;
  const from = opts.after ? sql`and customer_id > ${opts.after}::uuid` : sql``;
  const take = (table: string) =>
    sql`(select distinct customer_id from ${sql.raw(table)} where workspace_id = ${ws} and customer_id is not null ${from} order by customer_id limit ${opts.limit})`;
  const { rows } = await db.execute<{ customer_id: string }>(sql`
    select customer_id from (
      ${take('events')} union ${take('orders')} union ${take('cart_items')} union ${take('customer_metrics')}
    ) ids order by customer_id limit ${opts.limit}`);
  return rows.map((r) => r.customer_id);
}

/**
 * Rebuilds a customer whose stored counts no longer match their history (events, orders or
 * abandoned lines were attached to them without passing through the metrics, as identity
 * stitching does); a customer whose counts match is left as is, which keeps a repeated identify
 * call cheap. Returns whether it rebuilt.
 */
export async function recomputeIfStale(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<boolean> {
  const ws = opts.workspaceId;
  const id = opts.customerId;
  const { rows } = await db.execute<{ stale: boolean }>(sql`
    select
      (select count(*) from events where workspace_id = ${ws} and customer_id = ${id} and not ${rapportEventSql}) <> coalesce(m.event_count, 0)
      or (select count(*) from orders where workspace_id = ${ws} and customer_id = ${id}) <> coalesce(m.order_count, 0)
      or (select count(*) from cart_items where workspace_id = ${ws} and customer_id = ${id} and ${abandonedLineSql})
         <> coalesce(m.abandoned_cart_items, 0) as stale
    from (select 1) one left join customer_metrics m on m.workspace_id = ${ws} and m.customer_id = ${id}`);
  if (!rows[0]?.stale) return false;
  await recomputeCustomers(db, { workspaceId: ws, customerIds: [id] });
  return true;
}

/**
 * Rebuilds behaviour metrics from history: the given customers, or every customer of the
 * workspace range by range (in the caller's transaction; the `metrics.recompute` job runs the
 * ranges as separate jobs instead). Returns how many customers were rebuilt.
 */
export async function recomputeCustomerMetrics(db: Queryable, opts: { workspaceId: string; customerIds?: string[] }): Promise<number> {
  if (opts.customerIds) return recomputeCustomers(db, { workspaceId: opts.workspaceId, customerIds: opts.customerIds });
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const ids = await nextCustomerRange(db, { workspaceId: opts.workspaceId, after, limit: RECOMPUTE_CHUNK });
    total += await recomputeCustomers(db, { workspaceId: opts.workspaceId, customerIds: ids });
    if (ids.length < RECOMPUTE_CHUNK) return total;
    after = ids[ids.length - 1]!;
  }
}
