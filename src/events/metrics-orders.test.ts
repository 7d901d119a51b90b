// The order side of the behaviour metrics: orders, refunds and abandoned cart lines.
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { customerMetrics } from './schema.ts';
import { recordAbandonedCartMetrics, recordOrderMetrics, recordRefundMetrics } from './metrics.ts';

describeEachDb('behaviour metrics: orders', (getDb) => {
  async function row(workspaceId: string, customerId: string) {
    const [found] = await getDb()
      .db.select()
      .from(customerMetrics)
      .where(and(eq(customerMetrics.workspaceId, workspaceId), eq(customerMetrics.customerId, customerId)));
    return found;
  }

  it('adds orders per customer, widens the order dates and hands the views since the last order to the first order', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const a = uuidv7();
    const b = uuidv7();
    const { db } = getDb();
    await db.execute(sql`insert into customer_metrics (workspace_id, customer_id, views_since_last_order) values (${workspace.id}, ${a}, 7)`);
    await recordOrderMetrics(db, {
      workspaceId: workspace.id,
      orders: [
        { customerId: a, total: 30_000, placedAt: new Date('2024-05-02T10:00:00Z') },
        { customerId: b, total: 5_000, placedAt: new Date('2024-05-01T10:00:00Z') },
        { customerId: a, total: 12_000, placedAt: new Date('2024-05-01T09:00:00Z') },
      ],
    });
    expect(await row(workspace.id, a)).toMatchObject({
      orderCount: 2,
      totalSpend: 42_000,
      firstOrderAt: new Date('2024-05-01T09:00:00Z'),
      lastOrderAt: new Date('2024-05-02T10:00:00Z'),
      viewsSinceLastOrder: 0,
      viewsBeforePurchaseSum: 7,
      purchasesWithViews: 2,
    });
    expect(await row(workspace.id, b)).toMatchObject({ orderCount: 1, totalSpend: 5_000, purchasesWithViews: 1, viewsBeforePurchaseSum: 0 });

    await recordOrderMetrics(db, { workspaceId: workspace.id, orders: [{ customerId: a, total: 1_000, placedAt: new Date('2024-04-01T00:00:00Z') }] });
    expect(await row(workspace.id, a)).toMatchObject({ orderCount: 3, totalSpend: 43_000, firstOrderAt: new Date('2024-04-01T00:00:00Z'), lastOrderAt: new Date('2024-05-02T10:00:00Z') });
  });

  it('subtracts refunds from the spend', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const a = uuidv7();
    const { db } = getDb();
    await recordOrderMetrics(db, { workspaceId: workspace.id, orders: [{ customerId: a, total: 10_000, placedAt: new Date() }] });
    await recordRefundMetrics(db, { workspaceId: workspace.id, refunds: [{ customerId: a, amount: 2_500 }, { customerId: a, amount: 500 }] });
    expect(await row(workspace.id, a)).toMatchObject({ orderCount: 1, totalSpend: 7_000 });
  });

  it('counts abandoned cart lines and takes back lines ordered later, never below zero', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    const a = uuidv7();
    const stranger = uuidv7();
    const { db } = getDb();
    await recordAbandonedCartMetrics(db, { workspaceId: workspace.id, items: [{ customerId: a, count: 2 }, { customerId: a, count: 1 }] });
    expect(await row(workspace.id, a)).toMatchObject({ abandonedCartItems: 3 });
    await recordAbandonedCartMetrics(db, { workspaceId: workspace.id, items: [{ customerId: a, count: -1 }, { customerId: stranger, count: -4 }] });
    expect(await row(workspace.id, a)).toMatchObject({ abandonedCartItems: 2 });
    expect(await row(workspace.id, stranger)).toBeUndefined();
    await recordAbandonedCartMetrics(db, { workspaceId: workspace.id, items: [{ customerId: a, count: -5 }] });
    expect(await row(workspace.id, a)).toMatchObject({ abandonedCartItems: 0 });
  });

  it('names the bad field of an order', async () => {
    const { workspace } = await createTestWorkspace(getDb());
    await expect(
      recordOrderMetrics(getDb().db, { workspaceId: workspace.id, orders: [{ customerId: uuidv7(), total: 1, placedAt: new Date() }, { customerId: uuidv7(), total: 1.5, placedAt: new Date() }] }),
    ).rejects.toThrow('orders[1].total: must be an integer');
  });

  it('keeps workspaces apart', async () => {
    const one = await createTestWorkspace(getDb());
    const two = await createTestWorkspace(getDb());
    const a = uuidv7();
    await recordOrderMetrics(getDb().db, { workspaceId: one.workspace.id, orders: [{ customerId: a, total: 100, placedAt: new Date() }] });
    expect(await row(two.workspace.id, a)).toBeUndefined();
    expect(await row(one.workspace.id, a)).toMatchObject({ orderCount: 1 });
  });
});
