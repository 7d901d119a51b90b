// Which behaviour and order conditions a query over all customers evaluates per customer
// (CompileContext.correlate), from the planner's estimates of the rows each condition reads.
//
// Grouped, a condition reads every row of its window and hashes them by customer: "viewed 3+
// products in 30 days" at 1M customers / 20M events is 3.7M index entries into ~1M groups. When
// another top-level condition lets few customers through ("added to cart in 7 days": 200k rows),
// reading the wide window's rows of just those customers, by the customer index, costs less.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { aggregateRowsSql, conjuncts, eventParts, ordersParts, type AggregateParts, type CompileContext } from './compile.ts';
import { walk, type SegmentDefinition, type SegmentLeafNode } from './definition.ts';

/**
 * A condition is evaluated per customer when it reads this many times the rows of the narrowest
 * top-level condition. Per customer costs a probe of the customer index (a few rows' pages) where
 * grouped costs a row read and hashed; measured at 1M customers / 20M events (docs/segments-membership.md).
 */
export const CORRELATE_FACTOR = 8;
/** Below this many rows a grouped condition takes a few tens of milliseconds: no plan is worth it. */
export const CORRELATE_MIN_ROWS = 100_000;

/** The planner's estimate of a query's rows (EXPLAIN, nothing run). */
export async function estimatedRows(db: Queryable, query: SQL): Promise<number> {
  const { rows } = await db.execute<Record<string, unknown>>(sql`explain (format json) ${query}`);
  const raw = Object.values(rows[0] ?? {})[0];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { 'Plan Rows': number } }[];
  return Number(plan[0]?.Plan['Plan Rows'] ?? 0);
}

export type SegmentPlan = { correlate: Set<SegmentLeafNode>; rows: Map<SegmentLeafNode, number> };

/**
 * The aggregate leaves to evaluate per customer in a query over all customers: those that read
 * at least `factor` times (and at least `minRows`) the rows of the narrowest top-level aggregate
 * leaf that a customer needs rows to pass (the driver: it stays grouped and hashed, and the
 * others run only for the customers it lets through). None without such a driver.
 */
export async function planSegment(
  db: Queryable,
  def: SegmentDefinition,
  ctx: CompileContext,
  opts: { factor?: number; minRows?: number } = {},
): Promise<SegmentPlan> {
  const plan: SegmentPlan = { correlate: new Set(), rows: new Map() };
  if (ctx.customerIds || ctx.sample !== undefined) return plan;
  const leaves: { leaf: SegmentLeafNode; parts: AggregateParts }[] = [];
  walk(def, (leaf) => {
    if (leaf.type === 'event') leaves.push({ leaf, parts: eventParts(leaf, ctx) });
    else if (leaf.type === 'orders') leaves.push({ leaf, parts: ordersParts(leaf, ctx) });
  });
  const top = new Set(conjuncts(def));
  if (leaves.length < 2 || !leaves.some((l) => top.has(l.leaf) && !l.parts.zeroMatches)) return plan;
  for (const l of leaves) plan.rows.set(l.leaf, await estimatedRows(db, aggregateRowsSql(l.parts)));
  const rowsOf = (leaf: SegmentLeafNode) => plan.rows.get(leaf)!;
  const driver = leaves
    .filter((l) => top.has(l.leaf) && !l.parts.zeroMatches)
    .reduce((best, l) => (rowsOf(l.leaf) < rowsOf(best.leaf) ? l : best));
  const least = Math.max(1, rowsOf(driver.leaf));
  const factor = opts.factor ?? CORRELATE_FACTOR;
  const minRows = opts.minRows ?? CORRELATE_MIN_ROWS;
  for (const { leaf } of leaves) if (leaf !== driver.leaf && rowsOf(leaf) >= minRows && rowsOf(leaf) >= factor * least) plan.correlate.add(leaf);
  return plan;
}
