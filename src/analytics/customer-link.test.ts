// Recommendations in a customer's life: a merge drops both customers' lists (the next run makes
// the survivor's), an erase drops the person's, and a data export carries scores and list.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { mergeCustomers } from '../customers/merge.ts';
import { eraseCustomer, exportCustomerData } from '../customers/privacy.ts';
import { createOrders } from '../commerce/new-orders.ts';
import { upsertProducts } from '../commerce/products.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { refreshAnalytics } from './jobs.ts';

describeEachDb('analytics customer link', (getDb) => {
  it('merge and erase drop recommendations; export includes scores and recommendations', async () => {
    const database = getDb();
    const db = database.db;
    const { workspace } = await createTestWorkspace(database);
    const workspaceId = workspace.id;
    const people: string[] = [];
    for (let i = 0; i < 12; i++) people.push((await createCustomer(db, { workspaceId, actor: systemActor, input: { name: `고객 ${i}` } })).id);
    const products = await db.transaction((tx) =>
      upsertProducts(tx, { workspaceId, defaultCurrency: 'KRW', products: [0, 1, 2, 3, 4].map((p) => ({ sku: `S-${p}`, name: `상품 ${p}`, price: 20_000 })) }),
    );
    const inputs = people.flatMap((customerId, i) =>
      [0, 1, 2].map((k) => ({
        externalId: `L-${i}-${k}`,
        customerId,
        placedAt: new Date(Date.now() - (20 + i * 9 + k * 40) * 86_400_000).toISOString(),
        items: [{ productId: products[(i + k) % 5]!.id, unitPrice: 20_000, quantity: 1 }],
      })),
    );
    await db.transaction((tx) => createOrders(tx, { workspaceId, workspaceCurrency: 'KRW', inputs, source: 'api', pathOf: (i) => `orders[${i}]` }));
    await refreshAnalytics(db, { workspaceId, parts: ['scores', 'recommendations'] });
    const recs = async (id: string) =>
      Number((await db.execute<{ n: number }>(sql`select count(*) as n from customer_recommendations where workspace_id = ${workspaceId}::uuid and customer_id = ${id}::uuid`)).rows[0]!.n);
    expect(await recs(people[0]!)).toBeGreaterThan(0);
    expect(await recs(people[1]!)).toBeGreaterThan(0);

    const exported = (await exportCustomerData(db, { workspaceId, customerId: people[2]! })) as Record<string, { scores: { grade: string | null } | null; recommendations: unknown[] }>;
    expect(exported.analytics?.scores?.grade).toBeTruthy();
    expect(exported.analytics?.recommendations.length).toBeGreaterThan(0);

    await db.transaction((tx) => mergeCustomers(tx, { workspaceId, actor: systemActor, survivorId: people[0]!, mergedId: people[1]! }));
    expect(await recs(people[0]!)).toBe(0);
    expect(await recs(people[1]!)).toBe(0);

    await db.transaction((tx) => eraseCustomer(tx, { workspaceId, actor: systemActor, customerId: people[2]! }));
    expect(await recs(people[2]!)).toBe(0);
    expect(await recs(people[3]!)).toBeGreaterThan(0);
  });
});
