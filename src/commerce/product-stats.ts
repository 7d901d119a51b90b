// How one product does over a time window: views and cart adds from the event stream, orders,
// units and revenue from the orders, and the share of its viewers who bought it.
//
// Cross-area read: views and adds are counted straight from the events area's `events` table
// (by `properties->>'sku'`, else `product_id`, as the catalogue names products), through its
// (workspace, name, timestamp) index. The window is bounded (a year at most) so that a product
// page reads a bounded slice of the stream.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { ECOMMERCE_EVENTS } from '../events/types.ts';

export const MAX_STATS_DAYS = 366;
export const DEFAULT_STATS_DAYS = 30;

export type ProductStats = {
  from: string;
  to: string;
  views: number;
  /** Customers and visitors (by anonymous id) who viewed it. */
  uniqueViewers: number;
  cartAdds: number;
  /** Orders (not cancelled) that hold it, placed in the window. */
  orders: number;
  unitsSold: number;
  /** Σ line amounts of those orders in `currency` (the product's), minor units. */
  revenue: number;
  currency: string;
  /** Viewers in the window who also bought it in the window. */
  viewersWhoBought: number;
  /** viewersWhoBought / uniqueViewers; null without viewers. */
  viewToPurchaseRate: number | null;
};

/** The window: `to` defaults to now, `from` to 30 days before `to`; at most a year. */
export function statsWindow(from: Date | undefined, to: Date | undefined, now = new Date()): { from: Date; to: Date } {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - DEFAULT_STATS_DAYS * 86_400_000);
  if (start.getTime() >= end.getTime()) throw new AppError('invalid_input', 'query.from: must be before query.to');
  if (end.getTime() - start.getTime() > MAX_STATS_DAYS * 86_400_000) throw new AppError('invalid_input', `query.from: the window may span at most ${MAX_STATS_DAYS} days`);
  return { from: start, to: end };
}

export async function productStats(
  db: Queryable,
  opts: { workspaceId: string; productId: string; sku: string; currency: string; from: Date; to: Date },
): Promise<ProductStats> {
  const ws = sql`${opts.workspaceId}::uuid`;
  const from = sql`${opts.from.toISOString()}::timestamptz`;
  const to = sql`${opts.to.toISOString()}::timestamptz`;
  const viewed = ECOMMERCE_EVENTS.productViewed;
  const added = ECOMMERCE_EVENTS.productAdded;
  const { rows } = await db.execute<{
    views: number;
    viewers: number;
    adds: number;
    orders: number;
    units: number;
    revenue: number;
    converted: number;
  }>(sql`
    with ev as (
      select name, coalesce(customer_id::text, 'a:' || anonymous_id) as who
      from events
      where workspace_id = ${ws} and name in (${viewed}, ${added}) and timestamp >= ${from} and timestamp < ${to}
        and coalesce(properties->>'sku', properties->>'product_id') = ${opts.sku}
    ),
    bought as (
      select o.id, coalesce(o.customer_id::text, 'a:' || o.anonymous_id) as who, o.currency, i.quantity, i.amount
      from order_items i
      join orders o on o.workspace_id = i.workspace_id and o.id = i.order_id
      where i.workspace_id = ${ws} and (i.product_id = ${opts.productId}::uuid or i.sku = ${opts.sku})
        and o.placed_at >= ${from} and o.placed_at < ${to} and o.status <> 'cancelled'
    ),
    viewers as (select distinct who from ev where name = ${viewed} and who is not null)
    select
      (select count(*) from ev where name = ${viewed})::int as views,
      (select count(*) from viewers)::int as viewers,
      (select count(*) from ev where name = ${added})::int as adds,
      (select count(distinct id) from bought)::int as orders,
      (select coalesce(sum(quantity), 0) from bought)::bigint as units,
      (select coalesce(sum(amount), 0) from bought where currency = ${opts.currency})::bigint as revenue,
      (select count(*) from viewers v where exists (select 1 from bought b where b.who = v.who))::int as converted`);
  const r = rows[0]!;
  const viewers = Number(r.viewers);
  const converted = Number(r.converted);
  return {
    from: opts.from.toISOString(),
    to: opts.to.toISOString(),
    views: Number(r.views),
    uniqueViewers: viewers,
    cartAdds: Number(r.adds),
    orders: Number(r.orders),
    unitsSold: Number(r.units),
    revenue: Number(r.revenue),
    currency: opts.currency,
    viewersWhoBought: converted,
    viewToPurchaseRate: viewers ? converted / viewers : null,
  };
}
