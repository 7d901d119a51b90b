// Per-customer product recommendations of a workspace: the blended recommender (recommend.ts)
// trained on the last year of purchases, top 10 per buyer written to customer_recommendations,
// and an offline evaluation on a time split (last 30 days held out) of the blended model against
// the popularity and item-kNN baselines, kept with the run for the report.
import { sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/connection.ts';
import { addPurchase, packedPurchases, type PackedPurchases } from './purchase-index.ts';
import {
  blendedRecommender,
  evaluateRecommendersSteps,
  itemKnnRecommender,
  popularityRecommender,
  recommendForAll,
  trainBlendedSteps,
  type ProductMeta,
} from './recommend.ts';
import { lastRun, recordRun, sinceOf, touchedFor, type RunMode, type Touched } from './runs.ts';
import { runStepsInSlices } from './steps.ts';

const HISTORY_DAYS = 365;
const HOLDOUT_DAYS = 30;
export const RECOMMENDATIONS_PER_CUSTOMER = 10;

type HistoryRow = { customer_id: string; product_id: string; at: Date; quantity: number };

/** Rows fetched from the history's cursor at a time. */
const HISTORY_PAGE = 50_000;

/**
 * A year of purchases, oldest first, read through a cursor a page at a time and packed as they
 * come (PackedPurchases): as the driver's rows, 1M order lines held 220 MB of heap that every
 * garbage collection walked (0.3 s pauses beside the live updates).
 */
async function readHistory(db: Db, opts: { workspaceId: string; now: Date; page?: number }): Promise<{ history: PackedPurchases; products: ProductMeta[] }> {
  const page = opts.page ?? HISTORY_PAGE;
  const from = new Date(opts.now.getTime() - HISTORY_DAYS * 86_400_000).toISOString();
  const history = packedPurchases();
  await db.transaction(async (tx) => {
    // Planned for all its rows, as the one statement was: by default a cursor's plan favours its
    // first tenth, and took 9–12 s instead of 2.4–3.3 s for 1M order lines.
    await tx.execute(sql`set local cursor_tuple_fraction = 1`);
    await tx.execute(sql`
      declare rapport_history no scroll cursor for
      select o.customer_id, i.product_id, o.placed_at as at, i.quantity
      from orders o join order_items i on i.workspace_id = o.workspace_id and i.order_id = o.id
      where o.workspace_id = ${opts.workspaceId}::uuid and o.customer_id is not null and i.product_id is not null
        and o.status <> 'cancelled' and o.placed_at > ${from}::timestamptz and o.placed_at <= ${opts.now.toISOString()}::timestamptz
      order by o.placed_at`);
    for (;;) {
      const { rows } = await tx.execute<HistoryRow>(sql`fetch ${sql.raw(String(Math.max(1, Math.floor(page))))} from rapport_history`);
      for (const r of rows) addPurchase(history, r.customer_id, r.product_id, new Date(r.at).getTime(), Number(r.quantity));
      if (rows.length < page) break;
    }
    await tx.execute(sql`close rapport_history`);
  });
  const { rows: products } = await db.execute<{ id: string; category: string | null; brand: string | null; price: number | null }>(
    sql`select id, category, brand, price from products where workspace_id = ${opts.workspaceId}::uuid and deleted_at is null`,
  );
  return {
    history,
    products: products.map((p) => ({ productId: p.id, category: p.category ?? '', brand: p.brand ?? undefined, price: p.price === null ? undefined : Number(p.price) })),
  };
}

/**
 * Writes the rows' recommendations, replacing what those customers had unless `fresh` (a full run
 * deleted every row before its first batch). Parallel arrays unnested, not a JSON document: the
 * JSON way (a subquery per row for its reasons), with a delete per batch through an index full of
 * the rows the full run had just deleted, wrote ~20k rows/s.
 */
async function writeRecommendations(
  db: Queryable,
  opts: { workspaceId: string; rows: { customerId: string; recommendations: { productId: string; score: number; reasons: string[] }[] }[]; now: Date; fresh: boolean },
): Promise<void> {
  if (!opts.fresh) {
    const ids = opts.rows.map((r) => r.customerId);
    await db.execute(sql`delete from customer_recommendations where workspace_id = ${opts.workspaceId}::uuid and customer_id = any(${sql.param(ids)}::uuid[])`);
  }
  const customers: string[] = [];
  const ranks: number[] = [];
  const productIds: string[] = [];
  const scores: number[] = [];
  // Reasons are words of the Reason union (no commas): one text per row, split again in SQL.
  const reasons: string[] = [];
  for (const r of opts.rows) {
    for (const [i, x] of r.recommendations.entries()) {
      customers.push(r.customerId);
      ranks.push(i + 1);
      productIds.push(x.productId);
      scores.push(x.score);
      reasons.push(x.reasons.join(','));
    }
  }
  if (customers.length === 0) return;
  await db.execute(sql`
    insert into customer_recommendations (workspace_id, customer_id, rank, product_id, score, reasons, computed_at)
    select ${opts.workspaceId}::uuid, r.c, r.r, r.p, r.s, string_to_array(r.why, ','), ${opts.now.toISOString()}::timestamptz
    from unnest(${sql.param(customers)}::uuid[], ${sql.param(ranks)}::smallint[], ${sql.param(productIds)}::uuid[], ${sql.param(scores)}::real[], ${sql.param(reasons)}::text[])
      as r(c, r, p, s, why)
    -- A run beside this one (a refresh asked for by hand) may have written the same customer.
    on conflict (workspace_id, customer_id, rank) do update
      set product_id = excluded.product_id, score = excluded.score, reasons = excluded.reasons, computed_at = excluded.computed_at`);
}

/**
 * Trains the models and writes recommendations: for every buyer (full) or for buyers whose
 * metrics changed since the last run (incremental). The evaluation runs with full runs only.
 */
/** `historyPage`: purchases read per fetch (tests). */
export async function refreshRecommendations(db: Db, opts: { workspaceId: string; mode?: RunMode; now?: Date; evaluate?: boolean; touched?: Touched; historyPage?: number }) {
  const now = opts.now ?? new Date();
  const ws = opts.workspaceId;
  const previous = opts.mode === 'incremental' ? await lastRun(db, { workspaceId: ws, kind: 'recommendations', succeeded: true }) : null;
  const since = previous ? sinceOf(previous) : null;
  return recordRun(db, { workspaceId: ws, kind: 'recommendations', mode: since ? 'incremental' : 'full', now }, async () => {
    const timings: Record<string, number> = {};
    let t = performance.now();
    let touched: string[] | null = null;
    let touchedReadAt: string | undefined;
    if (since) {
      const list = await touchedFor(db, ws, since, opts.touched);
      touchedReadAt = list.readAt.toISOString();
      touched = list.customers.filter((c) => c.buyer).map((c) => c.id);
      timings.touched = Math.round(performance.now() - t);
      // No buyer moved: nothing to recommend anew, and no reason to read and train on a year of purchases.
      if (touched.length === 0) return { customers: 0, result: { purchases: null, products: null, evaluation: null, timingsMs: timings, touchedReadAt } };
      t = performance.now();
    }
    const { history, products } = await readHistory(db, { workspaceId: ws, now, page: opts.historyPage });
    timings.read = Math.round(performance.now() - t);
    t = performance.now();
    // In slices: the worker applies live segment updates (and `npm start` serves the API) in this thread.
    const model = await runStepsInSlices(trainBlendedSteps(history, { products }));
    timings.train = Math.round(performance.now() - t);
    let customerIds: string[];
    if (touched) {
      customerIds = touched;
    } else {
      // Every buyer of the history, in the order of their first purchase in it.
      customerIds = [...model.index.customerIndex.keys()];
      await db.execute(sql`delete from customer_recommendations where workspace_id = ${ws}::uuid`);
    }
    t = performance.now();
    let batch: { customerId: string; recommendations: { productId: string; score: number; reasons: string[] }[] }[] = [];
    for (const row of recommendForAll(model, customerIds, RECOMMENDATIONS_PER_CUSTOMER, { now })) {
      batch.push(row);
      if (batch.length >= 1000) {
        const rows = batch;
        await db.transaction((tx) => writeRecommendations(tx, { workspaceId: ws, rows, now, fresh: !touched }));
        batch = [];
      }
    }
    if (batch.length) await db.transaction((tx) => writeRecommendations(tx, { workspaceId: ws, rows: batch, now, fresh: !touched }));
    timings.recommend = Math.round(performance.now() - t);
    let evaluation: unknown = null;
    if (!since && opts.evaluate !== false && history.n > 0) {
      t = performance.now();
      const splitAt = new Date(now.getTime() - HOLDOUT_DAYS * 86_400_000);
      evaluation = {
        k: 10,
        splitAt: splitAt.toISOString(),
        rows: await runStepsInSlices(
          evaluateRecommendersSteps({
            history,
            splitAt,
            k: 10,
            recommenders: [popularityRecommender({ products }), itemKnnRecommender({ products }), blendedRecommender({ products })],
          }),
        ),
      };
      timings.evaluate = Math.round(performance.now() - t);
    }
    return { customers: customerIds.length, result: { purchases: history.n, products: products.length, evaluation, timingsMs: timings, ...(touchedReadAt ? { touchedReadAt } : {}) } };
  });
}
