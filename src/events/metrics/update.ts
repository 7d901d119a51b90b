// The incremental update on the ingestion hot path: two statements per batch whatever its size.
// The first locks the batch's customers' rows (in customer-id order, so concurrent batches never
// deadlock on them) and reads the workspace time zone; the events are folded per customer in
// TypeScript; the second writes every customer's changes in one upsert.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/connection.ts';
import type { StoredEvent } from '../types.ts';
import {
  compareEvents,
  emptyMetricsState,
  foldMetrics,
  hourInTimeZone,
  mostActiveHour,
  toMetricEvent,
  type MetricEvent,
  type MetricsState,
} from './fold.ts';
import { parseRebuiltMarks, REBUILT_SETTING } from './recompute.ts';

/** What the fold needs of a stored row: where the customer's current session stands. */
type SessionRow = {
  time_zone: string;
  rebuilt: string | null;
  customer_id: string | null;
  current_session_id: string | null;
  current_session_last_ms: number | null;
  current_session_events: number | null;
};

function mapDelta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

/** What one batch changed for one customer: counters as differences, the session as it now is. */
function changeRow(customerId: string, before: MetricsState, after: MetricsState) {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    customer_id: customerId,
    first_seen_at: iso(after.firstSeenAt),
    last_seen_at: iso(after.lastSeenAt),
    event_count: after.eventCount - before.eventCount,
    sessions: after.sessions - before.sessions,
    bounces: after.bounces - before.bounces,
    current_session_id: after.currentSessionId,
    current_session_last_at: iso(after.currentSessionLastAt),
    current_session_events: after.currentSessionEvents,
    page_views: after.pageViews - before.pageViews,
    product_views: after.productViews - before.productViews,
    product_clicks: after.productClicks - before.productClicks,
    dwell_ms: after.dwellMs - before.dwellMs,
    category_dwell_ms: mapDelta(after.categoryDwellMs, before.categoryDwellMs),
    category_views: mapDelta(after.categoryViews, before.categoryViews),
    views_since_last_order: after.viewsSinceLastOrder - before.viewsSinceLastOrder,
    views_before_purchase_sum: after.viewsBeforePurchaseSum - before.viewsBeforePurchaseSum,
    cart_adds: after.cartAdds - before.cartAdds,
    cart_removes: after.cartRemoves - before.cartRemoves,
    favourites: after.favourites - before.favourites,
    checkouts_started: after.checkoutsStarted - before.checkoutsStarted,
    hour_counts: after.hourCounts.map((n, i) => n - before.hourCounts[i]!),
    most_active_hour: mostActiveHour(after.hourCounts),
  };
}

// Adds two jsonb objects of numbers key by key.
const addMaps = (a: string, b: string) =>
  sql.raw(`case when ${b} = '{}'::jsonb then ${a} else (
    select coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
    from (select key, sum(value::bigint) as total
          from (select * from jsonb_each_text(${a}) union all select * from jsonb_each_text(${b})) as u
          group by key) as s
  ) end`);
const addedHours = sql.raw(
  `array(select a + b from unnest(m.hour_counts, excluded.hour_counts) with ordinality as h(a, b, i) order by i)`,
);

/**
 * Moves the behaviour metrics forward for newly stored events (ingestion calls it in the
 * ingesting transaction, once per event). Events of no known customer are left out; a customer's
 * events are replayed in time order from where their stored session left off.
 */
export async function updateMetricsForEvents(db: Queryable, opts: { workspaceId: string; events: StoredEvent[] }): Promise<void> {
  const byCustomer = new Map<string, MetricEvent[]>();
  for (const e of opts.events) {
    if (!e.customerId) continue;
    let list = byCustomer.get(e.customerId);
    if (!list) byCustomer.set(e.customerId, (list = []));
    list.push(toMetricEvent(e));
  }
  if (byCustomer.size === 0) return;
  const customerIds = [...byCustomer.keys()].sort();

  const { rows } = await db.execute<SessionRow>(sql`
    with locked as materialized (
      select m.customer_id, m.current_session_id, m.current_session_events,
             (extract(epoch from m.current_session_last_at) * 1000)::float8 as current_session_last_ms
      from customer_metrics m
      where m.workspace_id = ${opts.workspaceId} and m.customer_id = any(${sql.param(customerIds)}::uuid[])
      order by m.customer_id
      for update
    )
    select w.time_zone, current_setting(${REBUILT_SETTING}, true) as rebuilt, locked.*
    from workspaces w left join locked on true where w.id = ${opts.workspaceId}`);
  if (rows.length === 0) throw new Error(`workspace ${opts.workspaceId} does not exist`);
  const hourOf = hourInTimeZone(rows[0]!.time_zone);
  // Every figure but the session moves by what the events add, whatever it stood at: the fold
  // starts from the stored session and zeros, and the upsert adds the differences to the row.
  const stored = new Map(
    rows
      .filter((r) => r.customer_id !== null)
      .map((r): [string, MetricsState] => [
        r.customer_id!,
        {
          ...emptyMetricsState(),
          currentSessionId: r.current_session_id,
          currentSessionLastAt: r.current_session_last_ms === null ? null : new Date(r.current_session_last_ms),
          currentSessionEvents: r.current_session_events ?? 0,
        },
      ]),
  );

  // Events a rebuild earlier in this transaction has counted already.
  const rebuilt = parseRebuiltMarks(rows[0]!.rebuilt);
  const changes = customerIds.flatMap((customerId) => {
    const mark = rebuilt.get(customerId);
    const list = byCustomer.get(customerId)!.filter((e) => mark === undefined || e.id > mark);
    if (list.length === 0) return [];
    const before = stored.get(customerId) ?? emptyMetricsState();
    const after = foldMetrics(before, list.sort(compareEvents), hourOf);
    return [changeRow(customerId, before, after)];
  });
  if (changes.length === 0) return;

  await db.execute(sql`
    insert into customer_metrics as m (
      workspace_id, customer_id, first_seen_at, last_seen_at, event_count, sessions, bounces,
      current_session_id, current_session_last_at, current_session_events, page_views, product_views,
      product_clicks, dwell_ms, category_dwell_ms, category_views, views_since_last_order,
      views_before_purchase_sum, cart_adds, cart_removes, favourites, checkouts_started, hour_counts, most_active_hour)
    select ${opts.workspaceId}::uuid, x.customer_id, x.first_seen_at, x.last_seen_at, x.event_count, x.sessions, x.bounces,
      x.current_session_id, x.current_session_last_at, x.current_session_events, x.page_views, x.product_views,
      x.product_clicks, x.dwell_ms, x.category_dwell_ms, x.category_views, x.views_since_last_order,
      x.views_before_purchase_sum, x.cart_adds, x.cart_removes, x.favourites, x.checkouts_started, x.hour_counts, x.most_active_hour
    from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as x(
      customer_id uuid, first_seen_at timestamptz, last_seen_at timestamptz, event_count int, sessions int, bounces int,
      current_session_id text, current_session_last_at timestamptz, current_session_events int, page_views int,
      product_views int, product_clicks int, dwell_ms bigint, category_dwell_ms jsonb, category_views jsonb,
      views_since_last_order int, views_before_purchase_sum int, cart_adds int, cart_removes int, favourites int,
      checkouts_started int, hour_counts int[], most_active_hour int)
    order by x.customer_id
    on conflict (workspace_id, customer_id) do update set
      first_seen_at = least(m.first_seen_at, excluded.first_seen_at),
      last_seen_at = greatest(m.last_seen_at, excluded.last_seen_at),
      event_count = m.event_count + excluded.event_count,
      sessions = m.sessions + excluded.sessions,
      bounces = m.bounces + excluded.bounces,
      current_session_id = excluded.current_session_id,
      current_session_last_at = excluded.current_session_last_at,
      current_session_events = excluded.current_session_events,
      page_views = m.page_views + excluded.page_views,
      product_views = m.product_views + excluded.product_views,
      product_clicks = m.product_clicks + excluded.product_clicks,
      dwell_ms = m.dwell_ms + excluded.dwell_ms,
      category_dwell_ms = ${addMaps('m.category_dwell_ms', 'excluded.category_dwell_ms')},
      category_views = ${addMaps('m.category_views', 'excluded.category_views')},
      views_since_last_order = m.views_since_last_order + excluded.views_since_last_order,
      views_before_purchase_sum = m.views_before_purchase_sum + excluded.views_before_purchase_sum,
      cart_adds = m.cart_adds + excluded.cart_adds,
      cart_removes = m.cart_removes + excluded.cart_removes,
      favourites = m.favourites + excluded.favourites,
      checkouts_started = m.checkouts_started + excluded.checkouts_started,
      hour_counts = ${addedHours},
      most_active_hour = (
        select h.i - 1 from unnest(${addedHours}) with ordinality as h(c, i) where h.c > 0 order by h.c desc, h.i limit 1),
      updated_at = now()`);
}
