// Cohort and KPI maths over orders: monthly acquisition cohorts in the workspace's time zone,
// repeat purchase rate, average order value and revenue by grade. Pure; each takes an iterable
// and reads it once, so a caller can stream orders from the database.
import { AppError } from '../errors.ts';
import type { GradeDefinition } from './grades.ts';

export type Order = { customerId: string; at: Date; amount: number };

export type CohortRow = {
  /** Month of the customers' first order, 'YYYY-MM' in the time zone asked for. */
  cohort: string;
  size: number;
  /** retention[k]: share of the cohort that ordered in month cohort + k (retention[0] is 1). */
  retention: number[];
  /** revenue[k]: the cohort's order amounts in month cohort + k. */
  revenue: number[];
  /** cumulativeRevenuePerCustomer[k]: revenue[0] + … + revenue[k], divided by size. */
  cumulativeRevenuePerCustomer: number[];
};

const FIFTEEN_MINUTES = 900_000;

/**
 * A function from a date to its month in `timeZone`, as year × 12 + month − 1. Memoised per
 * 15-minute slot: every UTC offset in use today is a multiple of 15 minutes, so a month boundary
 * never falls inside a slot, and Intl formatting is the slow part of a large run.
 */
export function monthOfDate(timeZone: string): (at: Date) => number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric' });
  } catch {
    throw new AppError('invalid_input', `timeZone: "${timeZone}" is not an IANA time zone`);
  }
  const cache = new Map<number, number>();
  return (at) => {
    const slot = Math.floor(at.getTime() / FIFTEEN_MINUTES);
    let month = cache.get(slot);
    if (month === undefined) {
      let year = 0;
      let m = 0;
      for (const part of format.formatToParts(at)) {
        if (part.type === 'year') year = Number(part.value);
        else if (part.type === 'month') m = Number(part.value);
      }
      month = year * 12 + m - 1;
      cache.set(slot, month);
    }
    return month;
  };
}

const monthLabel = (month: number) => `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;

/**
 * Monthly acquisition cohorts: a customer belongs to the month of their first order (in
 * `timeZone`), and each cohort row runs from that month to the month of `asOf`. Orders after
 * `asOf` are ignored. `months` keeps only the cohorts of the last `months` months up to `asOf`'s
 * (older orders still decide who is new). Cohorts without customers are left out.
 */
export function acquisitionCohorts(orders: Iterable<Order>, o: { timeZone: string; asOf: Date; months?: number }): CohortRow[] {
  const monthOf = monthOfDate(o.timeZone);
  const asOf = o.asOf.getTime();
  const lastMonth = monthOf(o.asOf);
  // Per customer: revenue by month. Its smallest key is the cohort.
  const byCustomer = new Map<string, Map<number, number>>();
  let i = 0;
  for (const order of orders) {
    const at = order.at.getTime();
    if (!Number.isFinite(at)) throw new AppError('invalid_input', `orders[${i}].at: must be a valid date`);
    if (!Number.isFinite(order.amount)) throw new AppError('invalid_input', `orders[${i}].amount: must be a finite number`);
    i++;
    if (at > asOf) continue;
    const month = monthOf(order.at);
    let months = byCustomer.get(order.customerId);
    if (!months) byCustomer.set(order.customerId, (months = new Map()));
    months.set(month, (months.get(month) ?? 0) + order.amount);
  }
  const firstMonth = o.months === undefined ? -Infinity : lastMonth - o.months + 1;
  const cohorts = new Map<number, { size: number; active: number[]; revenue: number[] }>();
  for (const months of byCustomer.values()) {
    let cohort = Infinity;
    for (const month of months.keys()) if (month < cohort) cohort = month;
    if (cohort < firstMonth) continue;
    let c = cohorts.get(cohort);
    if (!c) {
      const width = lastMonth - cohort + 1;
      cohorts.set(cohort, (c = { size: 0, active: new Array<number>(width).fill(0), revenue: new Array<number>(width).fill(0) }));
    }
    c.size++;
    for (const [month, amount] of months) {
      c.active[month - cohort]!++;
      c.revenue[month - cohort]! += amount;
    }
  }
  return [...cohorts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([cohort, c]) => {
      let sum = 0;
      return {
        cohort: monthLabel(cohort),
        size: c.size,
        retention: c.active.map((n) => n / c.size),
        revenue: c.revenue,
        cumulativeRevenuePerCustomer: c.revenue.map((r) => (sum += r) / c.size),
      };
    });
}

/** Share of the customers with an order who ordered at least twice; null with no orders. */
export function repeatPurchaseRate(orders: Iterable<{ customerId: string }>): number | null {
  const counts = new Map<string, number>();
  for (const order of orders) counts.set(order.customerId, (counts.get(order.customerId) ?? 0) + 1);
  if (counts.size === 0) return null;
  let repeat = 0;
  for (const n of counts.values()) if (n >= 2) repeat++;
  return repeat / counts.size;
}

/** Total amount over the number of orders; null with no orders. */
export function averageOrderValue(orders: Iterable<{ amount: number }>): number | null {
  let count = 0;
  let total = 0;
  for (const order of orders) {
    count++;
    total += order.amount;
  }
  return count ? total / count : null;
}

export type GradeRevenue = { grade: string | null; customers: number; orders: number; revenue: number; share: number };

/**
 * Customers, orders and revenue per grade, with each grade's share of the revenue (0 when the
 * total is 0). Customers absent from `grades` count as ungraded (null). Rows follow the
 * definition's order, every grade listed even when empty, when one is given, otherwise revenue
 * from high to low; the ungraded row comes last when there is one.
 */
export function revenueByGrade(o: { grades: ReadonlyMap<string, string | null>; orders: Iterable<Order>; definition?: GradeDefinition }): GradeRevenue[] {
  const rows = new Map<string | null, GradeRevenue>();
  const row = (grade: string | null) => {
    let r = rows.get(grade);
    if (!r) rows.set(grade, (r = { grade, customers: 0, orders: 0, revenue: 0, share: 0 }));
    return r;
  };
  for (const g of o.definition?.grades ?? []) row(g.name);
  for (const grade of o.grades.values()) row(grade).customers++;
  const ungradedBuyers = new Set<string>();
  let total = 0;
  for (const order of o.orders) {
    const grade = o.grades.get(order.customerId);
    if (grade === undefined) ungradedBuyers.add(order.customerId);
    const r = row(grade ?? null);
    r.orders++;
    r.revenue += order.amount;
    total += order.amount;
  }
  if (ungradedBuyers.size) row(null).customers += ungradedBuyers.size;
  const out = [...rows.values()];
  for (const r of out) r.share = total ? r.revenue / total : 0;
  const rank = new Map((o.definition?.grades ?? []).map((g, i) => [g.name, i]));
  return out.sort((a, b) => {
    if (a.grade === null || b.grade === null) return a.grade === null ? (b.grade === null ? 0 : 1) : -1;
    if (o.definition) return (rank.get(a.grade) ?? rank.size) - (rank.get(b.grade) ?? rank.size) || b.revenue - a.revenue;
    return b.revenue - a.revenue;
  });
}
