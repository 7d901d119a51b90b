// A `customer_metrics` row read back into the fold's state (for the read API).
import { sql } from 'drizzle-orm';
import { emptyMetricsState, type MetricsState } from './fold.ts';

export type StoredStateRow = {
  customer_id: string | null;
  first_seen_ms: number | null;
  last_seen_ms: number | null;
  event_count: number;
  sessions: number;
  bounces: number;
  current_session_id: string | null;
  current_session_last_ms: number | null;
  current_session_events: number;
  page_views: number;
  product_views: number;
  product_clicks: number;
  dwell_ms: number;
  category_dwell_ms: Record<string, number>;
  category_views: Record<string, number>;
  views_since_last_order: number;
  views_before_purchase_sum: number;
  purchases_with_views: number;
  cart_adds: number;
  cart_removes: number;
  abandoned_cart_items: number;
  favourites: number;
  checkouts_started: number;
  order_count: number;
  total_spend: number;
  first_order_ms: number | null;
  last_order_ms: number | null;
  hour_counts: number[];
};

const ms = (column: string) => sql.raw(`(extract(epoch from m.${column}) * 1000)::float8`);
const date = (value: number | null) => (value === null ? null : new Date(value));

/** The columns of a `customer_metrics` row `m` as `StoredStateRow` reads them. */
export const stateColumns = sql`m.customer_id, ${ms('first_seen_at')} as first_seen_ms, ${ms('last_seen_at')} as last_seen_ms,
  m.event_count, m.sessions, m.bounces, m.current_session_id, ${ms('current_session_last_at')} as current_session_last_ms,
  m.current_session_events, m.page_views, m.product_views, m.product_clicks, m.dwell_ms, m.category_dwell_ms, m.category_views,
  m.views_since_last_order, m.views_before_purchase_sum, m.purchases_with_views, m.cart_adds, m.cart_removes,
  m.abandoned_cart_items, m.favourites, m.checkouts_started, m.order_count, m.total_spend,
  ${ms('first_order_at')} as first_order_ms, ${ms('last_order_at')} as last_order_ms, m.hour_counts`;

export function stateFromRow(r: StoredStateRow): MetricsState {
  return {
    firstSeenAt: date(r.first_seen_ms),
    lastSeenAt: date(r.last_seen_ms),
    eventCount: r.event_count,
    sessions: r.sessions,
    bounces: r.bounces,
    currentSessionId: r.current_session_id,
    currentSessionLastAt: date(r.current_session_last_ms),
    currentSessionEvents: r.current_session_events,
    pageViews: r.page_views,
    productViews: r.product_views,
    productClicks: r.product_clicks,
    dwellMs: r.dwell_ms,
    categoryDwellMs: r.category_dwell_ms,
    categoryViews: r.category_views,
    viewsSinceLastOrder: r.views_since_last_order,
    viewsBeforePurchaseSum: r.views_before_purchase_sum,
    purchasesWithViews: r.purchases_with_views,
    cartAdds: r.cart_adds,
    cartRemoves: r.cart_removes,
    abandonedCartItems: r.abandoned_cart_items,
    favourites: r.favourites,
    checkoutsStarted: r.checkouts_started,
    orderCount: r.order_count,
    totalSpend: r.total_spend,
    firstOrderAt: date(r.first_order_ms),
    lastOrderAt: date(r.last_order_ms),
    hourCounts: r.hour_counts.length === 24 ? r.hour_counts : emptyMetricsState().hourCounts,
  };
}

