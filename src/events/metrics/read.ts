// A customer's behaviour metrics as the API and the profile show them, with the derived figures
// (average order value, bounce rate, mean products viewed before a purchase, top categories).
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/connection.ts';
import { emptyMetricsState, mostActiveHour, type MetricsState } from './fold.ts';
import { stateColumns, stateFromRow } from './row.ts';

export const TOP_CATEGORIES = 5;

export type CategoryFigure = { category: string; dwellMs: number; views: number };

export type CustomerMetrics = {
  customerId: string;
  /** ISO 4217 code of the money figures (minor units). */
  currency: string;
  /** The time zone `hourCounts` and `mostActiveHour` are counted in. */
  timeZone: string;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  eventCount: number;
  sessions: number;
  bounces: number;
  /** Bounces / sessions, 0–1; null before any session. */
  bounceRate: number | null;
  pageViews: number;
  productViews: number;
  productClicks: number;
  dwellMs: number;
  categoryDwellMs: Record<string, number>;
  categoryViews: Record<string, number>;
  /** Categories by dwell time, then views, at most TOP_CATEGORIES. */
  topCategories: CategoryFigure[];
  viewsSinceLastOrder: number;
  /** Product views before each purchase, on average; null before any purchase. */
  meanProductsViewedBeforePurchase: number | null;
  cartAdds: number;
  cartRemoves: number;
  abandonedCartItems: number;
  favourites: number;
  checkoutsStarted: number;
  orderCount: number;
  /** Minor units, net of refunds. */
  totalSpend: number;
  /** Minor units, rounded; null before any order. */
  averageOrderValue: number | null;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  hourCounts: number[];
  mostActiveHour: number | null;
  /** When the row last changed; null when nothing has been recorded for the customer yet. */
  updatedAt: string | null;
};

/** Categories ranked by dwell time, then by views, then by name. */
export function topCategories(dwell: Record<string, number>, views: Record<string, number>, limit = TOP_CATEGORIES): CategoryFigure[] {
  const names = new Set([...Object.keys(dwell), ...Object.keys(views)]);
  return [...names]
    .map((category) => ({ category, dwellMs: dwell[category] ?? 0, views: views[category] ?? 0 }))
    .sort((a, b) => b.dwellMs - a.dwellMs || b.views - a.views || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0))
    .slice(0, limit);
}

/** The derived, presentable figures of a stored state. */
export function describeMetrics(
  s: MetricsState,
  meta: { customerId: string; currency: string; timeZone: string; updatedAt: Date | null },
): CustomerMetrics {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    customerId: meta.customerId,
    currency: meta.currency,
    timeZone: meta.timeZone,
    firstSeenAt: iso(s.firstSeenAt),
    lastSeenAt: iso(s.lastSeenAt),
    eventCount: s.eventCount,
    sessions: s.sessions,
    bounces: s.bounces,
    bounceRate: s.sessions > 0 ? s.bounces / s.sessions : null,
    pageViews: s.pageViews,
    productViews: s.productViews,
    productClicks: s.productClicks,
    dwellMs: s.dwellMs,
    categoryDwellMs: s.categoryDwellMs,
    categoryViews: s.categoryViews,
    topCategories: topCategories(s.categoryDwellMs, s.categoryViews),
    viewsSinceLastOrder: s.viewsSinceLastOrder,
    meanProductsViewedBeforePurchase: s.purchasesWithViews > 0 ? s.viewsBeforePurchaseSum / s.purchasesWithViews : null,
    cartAdds: s.cartAdds,
    cartRemoves: s.cartRemoves,
    abandonedCartItems: s.abandonedCartItems,
    favourites: s.favourites,
    checkoutsStarted: s.checkoutsStarted,
    orderCount: s.orderCount,
    totalSpend: s.totalSpend,
    averageOrderValue: s.orderCount > 0 ? Math.round(s.totalSpend / s.orderCount) : null,
    firstOrderAt: iso(s.firstOrderAt),
    lastOrderAt: iso(s.lastOrderAt),
    hourCounts: s.hourCounts,
    mostActiveHour: mostActiveHour(s.hourCounts),
    updatedAt: iso(meta.updatedAt),
  };
}

/**
 * The customer's metrics (zeros when nothing has been recorded yet). Does not check that the
 * customer exists: callers facing users do.
 */
export async function getCustomerMetrics(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<CustomerMetrics> {
  const { rows } = await db.execute<Parameters<typeof stateFromRow>[0] & { time_zone: string; currency: string; updated_ms: number | null }>(sql`
    select w.time_zone, w.currency, ${stateColumns}, (extract(epoch from m.updated_at) * 1000)::float8 as updated_ms
    from workspaces w
    left join customer_metrics m on m.workspace_id = w.id and m.customer_id = ${opts.customerId}
    where w.id = ${opts.workspaceId}`);
  const row = rows[0];
  if (!row) throw new Error(`workspace ${opts.workspaceId} does not exist`);
  const meta = { customerId: opts.customerId, currency: row.currency, timeZone: row.time_zone };
  if (row.customer_id === null) return describeMetrics(emptyMetricsState(), { ...meta, updatedAt: null });
  return describeMetrics(stateFromRow(row), { ...meta, updatedAt: row.updated_ms === null ? null : new Date(row.updated_ms) });
}
