// The recommendations the job stores against the pure recommender trained on the same purchases,
// after a full run, a second full run, and an incremental run after one customer bought again;
// the history read a few purchases per fetch and all at once.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { createOrders, type OrderInput } from '../commerce/new-orders.ts';
import { upsertProducts } from '../commerce/products.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import type { Queryable } from '../db/connection.ts';
import { systemActor } from '../workspaces/audit.ts';
import { recommend, trainBlended, type Purchase } from './recommend.ts';
import { RECOMMENDATIONS_PER_CUSTOMER, refreshRecommendations } from './recommendations-job.ts';

const DAY = 86_400_000;

type Stored = { customerId: string; rank: number; productId: string; score: number; reasons: string[] };

async function stored(db: Queryable, workspaceId: string): Promise<Stored[]> {
  const { rows } = await db.execute<{ customer_id: string; rank: number; product_id: string; score: number; reasons: string[] }>(sql`
    select customer_id, rank, product_id, score, reasons from customer_recommendations
    where workspace_id = ${workspaceId}::uuid order by customer_id, rank`);
  // A real comes back as its shortest text; as a float4 it is the value stored.
  return rows.map((r) => ({ customerId: r.customer_id, rank: r.rank, productId: r.product_id, score: Math.fround(Number(r.score)), reasons: r.reasons }));
}

/** What the pure recommender gives every buyer of the history, as the job would store it. */
function expected(history: Purchase[], products: { productId: string; category: string }[], now: Date): Stored[] {
  // In the order the job reads them (by time): ties of popularity go to the product seen first.
  const model = trainBlended([...history].sort((a, b) => a.at.getTime() - b.at.getTime()), { products });
  const out: Stored[] = [];
  for (const customerId of [...new Set(history.map((p) => p.customerId))].sort()) {
    recommend(model, customerId, { k: RECOMMENDATIONS_PER_CUSTOMER, now }).forEach((r, i) =>
      // Scores are stored as real (float4).
      out.push({ customerId, rank: i + 1, productId: r.productId, score: Math.fround(r.score), reasons: r.reasons }),
    );
  }
  return out;
}

describeEachDb('recommendations job', (getDb) => {
  it('stores what the recommender gives each buyer, and an incremental run replaces only the touched buyers’ lists', async () => {
    const database = getDb();
    const db = database.db;
    const { workspace } = await createTestWorkspace(database);
    const workspaceId = workspace.id;
    const products = await upsertProducts(db, {
      workspaceId,
      defaultCurrency: 'KRW',
      products: Array.from({ length: 14 }, (_, i) => ({ sku: `SKU-${i}`, name: `상품 ${i}`, category: `Cat ${i % 3} > Sub`, price: 10_000 })),
    });
    const productIds = products.sort((a, b) => a.sku.localeCompare(b.sku, 'en', { numeric: true })).map((p) => p.id);
    const meta = productIds.map((productId, i) => ({ productId, category: `Cat ${i % 3} > Sub` }));
    const people: string[] = [];
    for (let i = 0; i < 30; i++) people.push((await createCustomer(db, { workspaceId, actor: systemActor, input: { name: `고객 ${i}` } })).id);
    const now = new Date();
    // Customer i buys two to four products of a neighbourhood of their own, days apart (no two at the same time).
    const history: Purchase[] = [];
    people.forEach((customerId, i) => {
      for (let k = 0; k < 2 + (i % 3); k++) history.push({ customerId, productId: productIds[(i + 3 * k) % 14]!, at: new Date(now.getTime() - (40 + 9 * k + i) * DAY - i * 60_000), quantity: 1 });
    });
    const toInputs = (purchases: Purchase[], from: number): OrderInput[] =>
      purchases.map((p, i) => ({
        externalId: `R-${from + i}`,
        customerId: p.customerId,
        placedAt: p.at.toISOString(),
        items: [{ productId: p.productId, unitPrice: 10_000, quantity: 1 }],
      }));
    await db.transaction((tx) => createOrders(tx, { workspaceId, workspaceCurrency: 'KRW', inputs: toInputs(history, 0), source: 'api', pathOf: (i) => `orders[${i}]`, now }));

    // The runs happen after the orders were stored, as the schedule's would.
    const runAt = new Date();
    // The history read 7 purchases at a time, and then all at once: the same rows.
    const full = await refreshRecommendations(db, { workspaceId, mode: 'full', now: runAt, evaluate: false, historyPage: 7 });
    expect(full.customers).toBe(people.length);
    const want = expected(history, meta, runAt);
    expect(want.length).toBeGreaterThan(people.length);
    expect(await stored(db, workspaceId)).toEqual(want);
    // A second full run writes the same rows again (no key clash with the first run's).
    await refreshRecommendations(db, { workspaceId, mode: 'full', now: runAt, evaluate: false });
    expect(await stored(db, workspaceId)).toEqual(want);

    // One customer buys two more products: the incremental run rewrites that customer's list
    // (with the model trained on everything), and leaves the others as they were.
    const later = new Date(runAt.getTime() + 3_600_000);
    const buyer = people[4]!;
    const more: Purchase[] = [
      { customerId: buyer, productId: productIds[13]!, at: new Date(later.getTime() - 60_000), quantity: 1 },
      { customerId: buyer, productId: productIds[12]!, at: new Date(later.getTime() - 30_000), quantity: 1 },
    ];
    await db.transaction((tx) => createOrders(tx, { workspaceId, workspaceCurrency: 'KRW', inputs: toInputs(more, history.length), source: 'api', pathOf: (i) => `orders[${i}]`, now: later }));
    const incremental = await refreshRecommendations(db, { workspaceId, mode: 'incremental', now: later, historyPage: 7 });
    expect(incremental.customers).toBe(1);
    const after = expected([...history, ...more], meta, later).filter((r) => r.customerId === buyer);
    const others = want.filter((r) => r.customerId !== buyer);
    const rows = await stored(db, workspaceId);
    expect(rows.filter((r) => r.customerId === buyer)).toEqual(after);
    expect(rows.filter((r) => r.customerId !== buyer)).toEqual(others);
    expect(after).not.toEqual(want.filter((r) => r.customerId === buyer));
  });
});
