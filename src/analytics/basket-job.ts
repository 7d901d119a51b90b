// Basket analysis of a workspace's orders on a schedule: FP-growth over recent orders, by product
// and by top-level category, and the association rules kept in basket_rules for the "bought
// together" lists and the rules table.
import { sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/connection.ts';
import { associationRules, type AssociationRule } from './association-rules.ts';
import { affinityCategoryKey } from './affinity.ts';
import { frequentItemsetsSteps } from './fp-growth.ts';
import { recordRun } from './runs.ts';
import { runStepsInSlices } from './steps.ts';

export type BasketLevel = 'product' | 'category';

export type BasketOptions = {
  /** Orders of the last N days are the baskets (default 365). */
  days?: number;
  /** Itemset support threshold as a share of baskets (default 0.001), but never fewer than `minCount` baskets (default 3). */
  minSupport?: number;
  minCount?: number;
  minConfidence?: number;
  maxLength?: number;
  /** Rules kept per level, best lift first (default 5,000). */
  maxRules?: number;
};

/** Baskets (one per order with 2+ distinct items) of the last `days` days, newest orders first, at most `limit`. */
async function readBaskets(db: Queryable, opts: { workspaceId: string; level: BasketLevel; days: number; now: Date; limit: number }): Promise<string[][]> {
  const item = opts.level === 'product' ? sql`coalesce(i.product_id::text, 'sku:' || i.sku)` : sql`i.category`;
  const { rows } = await db.execute<{ items: string[] }>(sql`
    select array_agg(distinct ${item}) as items
    from (
      select id from orders
      where workspace_id = ${opts.workspaceId}::uuid and status <> 'cancelled'
        and placed_at > ${opts.now.toISOString()}::timestamptz - make_interval(days => ${opts.days})
      order by placed_at desc limit ${opts.limit}
    ) o
    join order_items i on i.workspace_id = ${opts.workspaceId}::uuid and i.order_id = o.id
    where ${item} is not null
    group by o.id`);
  if (opts.level === 'product') return rows.map((r) => r.items);
  // Category paths are counted at the level the affinity work uses (the top two levels).
  return rows.map((r) => [...new Set(r.items.map((c) => affinityCategoryKey(c)).filter((c): c is string => !!c))]);
}

/** Mines in slices (steps.ts): the worker applies live segment updates in this thread, and `npm start` serves the API. */
export async function rulesFor(baskets: string[][], o: Required<Omit<BasketOptions, 'days'>>): Promise<{ rules: AssociationRule[]; itemsets: number; baskets: number }> {
  const minCount = Math.max(o.minCount, Math.ceil(o.minSupport * baskets.length));
  const found = await runStepsInSlices(frequentItemsetsSteps(baskets, { minCount, maxLength: o.maxLength }));
  return { rules: associationRules(found, { minConfidence: o.minConfidence, maxRules: o.maxRules }), itemsets: found.itemsets.length, baskets: baskets.length };
}

async function storeRules(db: Queryable, opts: { workspaceId: string; level: BasketLevel; rules: AssociationRule[]; now: Date }): Promise<void> {
  await db.execute(sql`delete from basket_rules where workspace_id = ${opts.workspaceId}::uuid and level = ${opts.level}`);
  for (let i = 0; i < opts.rules.length; i += 2000) {
    const chunk = opts.rules.slice(i, i + 2000).map((r, j) => ({ ...r, rank: i + j + 1 }));
    await db.execute(sql`
      insert into basket_rules (workspace_id, level, rank, antecedent, consequent, count, support, confidence, lift, computed_at)
      select ${opts.workspaceId}::uuid, ${opts.level}, r.rank, array(select jsonb_array_elements_text(r.antecedent)), r.consequent, r.count, r.support, r.confidence, r.lift,
        ${opts.now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as r(rank int, antecedent jsonb, consequent text, count int, support float8, confidence float8, lift float8)`);
  }
}

export async function refreshBasketRules(db: Db, opts: { workspaceId: string; now?: Date } & BasketOptions) {
  const now = opts.now ?? new Date();
  const o = {
    minSupport: opts.minSupport ?? 0.001,
    minCount: opts.minCount ?? 3,
    minConfidence: opts.minConfidence ?? 0.1,
    maxLength: opts.maxLength ?? 4,
    maxRules: opts.maxRules ?? 5000,
  };
  return recordRun(db, { workspaceId: opts.workspaceId, kind: 'basket', mode: 'full', now }, async () => {
    const result: Record<string, unknown> = { options: { days: opts.days ?? 365, ...o } };
    for (const level of ['product', 'category'] as const) {
      const t = performance.now();
      const baskets = await readBaskets(db, { workspaceId: opts.workspaceId, level, days: opts.days ?? 365, now, limit: 2_000_000 });
      const found = await rulesFor(baskets, o);
      await db.transaction((tx) => storeRules(tx, { workspaceId: opts.workspaceId, level, rules: found.rules, now }));
      result[level] = { baskets: found.baskets, itemsets: found.itemsets, rules: found.rules.length, ms: Math.round(performance.now() - t) };
    }
    return { customers: 0, result };
  });
}
