// Cohorts and KPIs of a workspace, aggregated in the database (orders can be millions of rows):
// monthly acquisition cohorts with retention and revenue by month since the first order, the
// repeat-purchase rate, the average order value and revenue by grade. The same figures as the
// pure `acquisitionCohorts` of cohorts.ts, which the tests hold them to.
import { sql, type SQL } from 'drizzle-orm';
import type { Db, Queryable } from '../db/connection.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { inBackground, pagedPass } from './runs.ts';

export type CohortRow = {
  /** YYYY-MM of the first order, in the workspace time zone. */
  cohort: string;
  size: number;
  /** Share of the cohort ordering in month k after the first (k = 0 is 1). */
  retention: number[];
  /** Revenue (minor units) in month k after the first. */
  revenue: number[];
};

export type Kpis = {
  currency: string;
  timeZone: string;
  customersWithOrders: number;
  orders: number;
  revenue: number;
  averageOrderValue: number | null;
  /** Share of buyers with two or more orders. */
  repeatPurchaseRate: number | null;
  revenueByGrade: { grade: string | null; customers: number; revenue: number }[];
  cohorts: CohortRow[];
};

type CellRow = { cohort: string; k: number; n: number; revenue: number };
type GradeRow = { grade: string | null; customers: number; repeaters: number; orders: number; revenue: number };
/** How the two statements run: `cells` the cohorts' one, `metrics` the pass over the metrics given the condition that keeps to a range of them. */
type Reader = { cells: (q: SQL) => Promise<CellRow[]>; metrics: (q: (range: SQL) => SQL) => Promise<GradeRow[]> };

/** Computes the KPIs of a workspace; `months` limits the cohorts to the newest N first-order months. */
export async function computeKpis(db: Queryable, opts: { workspaceId: string; months?: number }): Promise<Kpis> {
  return kpisWith(db, opts, {
    cells: async (q) => (await db.execute<CellRow>(q)).rows,
    metrics: async (q) => (await db.execute<GradeRow>(q(sql`true`))).rows,
  });
}

/**
 * The KPIs as the hourly analytics run computes them, beside live traffic: the cohorts without
 * parallel workers or JIT (`inBackground`), the metrics a range of pages at a time (`pagedPass`;
 * `pages` per range, its default unless a test asks for less).
 */
export async function computeKpisInBackground(db: Db, opts: { workspaceId: string; months?: number; pages?: number }): Promise<Kpis> {
  return kpisWith(db, opts, {
    cells: async (q) => (await inBackground(db, (tx) => tx.execute<CellRow>(q))).rows,
    metrics: async (q) => (await pagedPass<GradeRow>(db, { workspaceId: opts.workspaceId, table: 'customer_metrics', pages: opts.pages }, q)).rows,
  });
}

async function kpisWith(db: Queryable, opts: { workspaceId: string; months?: number }, read: Reader): Promise<Kpis> {
  const ws = opts.workspaceId;
  const workspace = await getWorkspace(db, ws);
  const timeZone = workspace?.timeZone ?? 'UTC';
  const currency = workspace?.currency ?? 'KRW';
  const cells = await read.cells(sql`
    with o as (
      select customer_id, date_trunc('month', placed_at at time zone ${timeZone}) as m, total - refunded_total as amount
      from orders
      where workspace_id = ${ws}::uuid and customer_id is not null and status <> 'cancelled' and currency = ${currency}
    ), f as (
      select customer_id, min(m) as c from o group by customer_id
    )
    select to_char(f.c, 'YYYY-MM') as cohort,
      ((extract(year from o.m) - extract(year from f.c)) * 12 + extract(month from o.m) - extract(month from f.c))::int as k,
      count(distinct o.customer_id)::int as n, coalesce(sum(o.amount), 0)::bigint as revenue
    from o join f using (customer_id)
    group by 1, 2 order by 1, 2`);
  const byCohort = new Map<string, { k: number; n: number; revenue: number }[]>();
  for (const c of cells) {
    const list = byCohort.get(c.cohort) ?? [];
    list.push({ k: Number(c.k), n: Number(c.n), revenue: Number(c.revenue) });
    byCohort.set(c.cohort, list);
  }
  let cohorts: CohortRow[] = [...byCohort].map(([cohort, list]) => {
    const size = list.find((x) => x.k === 0)?.n ?? 0;
    const span = Math.max(...list.map((x) => x.k)) + 1;
    const retention = Array.from({ length: span }, () => 0);
    const revenue = Array.from({ length: span }, () => 0);
    for (const x of list) {
      retention[x.k] = size ? x.n / size : 0;
      revenue[x.k] = x.revenue;
    }
    return { cohort, size, retention, revenue };
  });
  if (opts.months) cohorts = cohorts.slice(-opts.months);

  // The totals and the revenue by grade from one pass over the buyers' metrics (or one per range
  // of pages, added up here).
  const byGrade = new Map<string | null, GradeRow>();
  const passed = await read.metrics(
    (range) => sql`
      select grade, count(*)::int as customers, count(*) filter (where order_count >= 2)::int as repeaters,
        coalesce(sum(order_count), 0)::bigint as orders, coalesce(sum(total_spend), 0)::bigint as revenue
      from customer_metrics where workspace_id = ${ws}::uuid and order_count > 0 and ${range}
      group by grade`,
  );
  for (const g of passed) {
    const to = byGrade.get(g.grade) ?? { grade: g.grade, customers: 0, repeaters: 0, orders: 0, revenue: 0 };
    to.customers += Number(g.customers);
    to.repeaters += Number(g.repeaters);
    to.orders += Number(g.orders);
    to.revenue += Number(g.revenue);
    byGrade.set(g.grade, to);
  }
  const grades = [...byGrade.values()].sort((a, b) => b.revenue - a.revenue);
  const sum = (f: (g: (typeof grades)[number]) => number) => grades.reduce((a, g) => a + Number(f(g)), 0);
  const t = { buyers: sum((g) => g.customers), repeaters: sum((g) => g.repeaters), orders: sum((g) => g.orders), revenue: sum((g) => g.revenue) };
  const buyers = Number(t.buyers);
  const orders = Number(t.orders);
  return {
    currency,
    timeZone,
    customersWithOrders: buyers,
    orders,
    revenue: Number(t.revenue),
    averageOrderValue: orders ? Math.round(Number(t.revenue) / orders) : null,
    repeatPurchaseRate: buyers ? Number(t.repeaters) / buyers : null,
    revenueByGrade: grades.map((g) => ({ grade: g.grade, customers: Number(g.customers), revenue: Number(g.revenue) })),
    cohorts,
  };
}
