// The order side of the behaviour metrics: orders, refunds and abandoned cart lines, recorded by
// the commerce area as it creates them. Each call is one set-based statement for the whole list.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/connection.ts';
import { AppError } from '../../errors.ts';

export type OrderMetricsInput = { customerId: string; total: number; placedAt: Date };
export type RefundMetricsInput = { customerId: string; amount: number };
export type AbandonedCartMetricsInput = { customerId: string; count: number };

function checkInteger(value: number, field: string): void {
  if (!Number.isSafeInteger(value)) throw new AppError('invalid_input', `${field}: must be an integer (minor units)`);
}

function checkDate(value: Date, field: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new AppError('invalid_input', `${field}: must be a valid date`);
}

/** Sums per customer, sorted by customer id: rows are then locked in one order by every batch. */
function groupByCustomer<T extends { customerId: string }, A>(list: T[], start: () => A, add: (acc: A, item: T) => void): [string, A][] {
  const groups = new Map<string, A>();
  for (const item of list) {
    let acc = groups.get(item.customerId);
    if (!acc) groups.set(item.customerId, (acc = start()));
    add(acc, item);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * New orders: order count and spend grow, first/last order dates widen, and the product views
 * since the previous order become the views before this purchase (for several orders of one
 * customer in one call, the first takes the views and the rest none).
 */
export async function recordOrderMetrics(
  db: Queryable,
  opts: { workspaceId: string; orders: OrderMetricsInput[] },
): Promise<void> {
  opts.orders.forEach((o, i) => {
    checkInteger(o.total, `orders[${i}].total`);
    checkDate(o.placedAt, `orders[${i}].placedAt`);
  });
  if (opts.orders.length === 0) return;
  const rows = groupByCustomer(
    opts.orders,
    () => ({ n: 0, spend: 0, first: Infinity, last: -Infinity }),
    (acc, o) => {
      acc.n += 1;
      acc.spend += o.total;
      acc.first = Math.min(acc.first, o.placedAt.getTime());
      acc.last = Math.max(acc.last, o.placedAt.getTime());
    },
  ).map(([customerId, a]) => ({
    customer_id: customerId,
    n: a.n,
    spend: a.spend,
    first_at: new Date(a.first).toISOString(),
    last_at: new Date(a.last).toISOString(),
  }));
  await db.execute(sql`
    insert into customer_metrics as m
      (workspace_id, customer_id, order_count, total_spend, first_order_at, last_order_at, purchases_with_views)
    select ${opts.workspaceId}::uuid, x.customer_id, x.n, x.spend, x.first_at, x.last_at, x.n
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(customer_id uuid, n int, spend bigint, first_at timestamptz, last_at timestamptz)
    order by x.customer_id
    on conflict (workspace_id, customer_id) do update set
      order_count = m.order_count + excluded.order_count,
      total_spend = m.total_spend + excluded.total_spend,
      first_order_at = least(m.first_order_at, excluded.first_order_at),
      last_order_at = greatest(m.last_order_at, excluded.last_order_at),
      views_before_purchase_sum = m.views_before_purchase_sum + m.views_since_last_order,
      purchases_with_views = m.purchases_with_views + excluded.purchases_with_views,
      views_since_last_order = 0,
      updated_at = now()`);
}

/** Refunds lower the customer's spend (which is kept net of refunds). */
export async function recordRefundMetrics(
  db: Queryable,
  opts: { workspaceId: string; refunds: RefundMetricsInput[] },
): Promise<void> {
  opts.refunds.forEach((r, i) => checkInteger(r.amount, `refunds[${i}].amount`));
  if (opts.refunds.length === 0) return;
  const rows = groupByCustomer(
    opts.refunds,
    () => ({ amount: 0 }),
    (acc, r) => void (acc.amount += r.amount),
  ).map(([customerId, a]) => ({ customer_id: customerId, amount: a.amount }));
  await db.execute(sql`
    insert into customer_metrics as m (workspace_id, customer_id, total_spend)
    select ${opts.workspaceId}::uuid, x.customer_id, -x.amount
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(customer_id uuid, amount bigint)
    order by x.customer_id
    on conflict (workspace_id, customer_id) do update set
      total_spend = m.total_spend + excluded.total_spend,
      updated_at = now()`);
}

/** Cart lines newly found abandoned (a negative count takes back lines bought or removed since). */
export async function recordAbandonedCartMetrics(
  db: Queryable,
  opts: { workspaceId: string; items: AbandonedCartMetricsInput[] },
): Promise<void> {
  opts.items.forEach((c, i) => checkInteger(c.count, `items[${i}].count`));
  if (opts.items.length === 0) return;
  const rows = groupByCustomer(
    opts.items,
    () => ({ count: 0 }),
    (acc, c) => void (acc.count += c.count),
  ).map(([customerId, a]) => ({ customer_id: customerId, count: a.count }));
  const added = rows.filter((r) => r.count > 0);
  const takenBack = rows.filter((r) => r.count < 0);
  if (added.length > 0) {
    await db.execute(sql`
      insert into customer_metrics as m (workspace_id, customer_id, abandoned_cart_items)
      select ${opts.workspaceId}::uuid, x.customer_id, x.count
      from jsonb_to_recordset(${JSON.stringify(added)}::jsonb) as x(customer_id uuid, count int)
      order by x.customer_id
      on conflict (workspace_id, customer_id) do update set
        abandoned_cart_items = m.abandoned_cart_items + excluded.abandoned_cart_items,
        updated_at = now()`);
  }
  // A customer without a row has nothing to take back.
  if (takenBack.length > 0) {
    await db.execute(sql`
      update customer_metrics as m set
        abandoned_cart_items = greatest(m.abandoned_cart_items + x.count, 0),
        updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(takenBack)}::jsonb) as x(customer_id uuid, count int)
      where m.workspace_id = ${opts.workspaceId}::uuid and m.customer_id = x.customer_id`);
  }
}
