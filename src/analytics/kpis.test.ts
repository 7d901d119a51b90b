// The KPIs computed in the database against the pure code of cohorts.ts over the same orders,
// and the hourly run's way of computing them (the metrics read a range of pages at a time, the
// ranges' sums added up) against the one-statement way.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCustomer } from '../customers/customers.ts';
import { createOrders, type OrderInput } from '../commerce/new-orders.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { acquisitionCohorts, averageOrderValue, repeatPurchaseRate } from './cohorts.ts';
import { computeKpis, computeKpisInBackground } from './kpis.ts';

const DAY = 86_400_000;

describeEachDb('KPIs', (getDb) => {
  it('equal the pure figures, and the hourly way equals the one-statement way', async () => {
    const database = getDb();
    const db = database.db;
    const { workspace } = await createTestWorkspace(database);
    const workspaceId = workspace.id;
    await db.execute(sql`update workspaces set time_zone = 'UTC', currency = 'KRW' where id = ${workspaceId}::uuid`);
    const now = new Date();
    const people: string[] = [];
    for (let i = 0; i < 40; i++) people.push((await createCustomer(db, { workspaceId, actor: systemActor, input: { name: `고객 ${i}` } })).id);
    // Customer i orders i % 4 times (none for every fourth), months apart, for 10,000–45,000 won.
    const orders: { customerId: string; at: Date; amount: number }[] = [];
    people.forEach((customerId, i) => {
      for (let k = 0; k < i % 4; k++) orders.push({ customerId, at: new Date(now.getTime() - (20 + 35 * k + i) * DAY), amount: 10_000 + 5_000 * ((i + k) % 8) });
    });
    const inputs: OrderInput[] = orders.map((o, i) => ({
      externalId: `K-${i}`,
      customerId: o.customerId,
      placedAt: o.at.toISOString(),
      items: [{ sku: `SKU-${i % 3}`, name: `상품 ${i % 3}`, unitPrice: o.amount, quantity: 1 }],
    }));
    await db.transaction((tx) => createOrders(tx, { workspaceId, workspaceCurrency: 'KRW', inputs, source: 'api', pathOf: (i) => `orders[${i}]`, now }));
    // Grades as a scores run would leave them: by the customer's number.
    await db.execute(sql`
      update customer_metrics m set grade = (array['VIP', 'Gold', 'Silver'])[1 + (c.n % 3)::int]
      from (select id, row_number() over (order by id) as n from customers where workspace_id = ${workspaceId}::uuid) c
      where m.workspace_id = ${workspaceId}::uuid and m.customer_id = c.id`);
    const { rows: gradeRows } = await db.execute<{ customer_id: string; grade: string }>(sql`
      select customer_id, grade from customer_metrics where workspace_id = ${workspaceId}::uuid`);
    const gradeOf = new Map(gradeRows.map((r) => [r.customer_id, r.grade]));

    const kpis = await computeKpis(db, { workspaceId, months: 24 });
    expect(kpis.orders).toBe(orders.length);
    expect(kpis.revenue).toBe(orders.reduce((a, o) => a + o.amount, 0));
    expect(kpis.customersWithOrders).toBe(new Set(orders.map((o) => o.customerId)).size);
    expect(kpis.averageOrderValue).toBe(Math.round(averageOrderValue(orders)!));
    expect(kpis.repeatPurchaseRate).toBeCloseTo(repeatPurchaseRate(orders)!, 12);
    // The pure cohorts run to the current month (and add the cumulative revenue per customer); the
    // database's stop at each cohort's last month with an order.
    const pure = acquisitionCohorts(orders, { timeZone: 'UTC', asOf: now, months: 24 });
    expect(kpis.cohorts.map((c) => [c.cohort, c.size])).toEqual(pure.map((c) => [c.cohort, c.size]));
    kpis.cohorts.forEach((c, i) => {
      const p = pure[i]!;
      const span = c.retention.length;
      expect(c.retention).toEqual(p.retention.slice(0, span));
      expect(c.revenue).toEqual(p.revenue.slice(0, span));
      expect([...p.retention.slice(span), ...p.revenue.slice(span)].every((x) => x === 0)).toBe(true);
    });
    expect(kpis.cohorts.length).toBeGreaterThan(2);
    const byGrade = new Map<string, { customers: Set<string>; revenue: number }>();
    for (const o of orders) {
      const g = gradeOf.get(o.customerId)!;
      const row = byGrade.get(g) ?? { customers: new Set<string>(), revenue: 0 };
      row.customers.add(o.customerId);
      row.revenue += o.amount;
      byGrade.set(g, row);
    }
    expect(kpis.revenueByGrade).toEqual(
      [...byGrade].map(([grade, r]) => ({ grade, customers: r.customers.size, revenue: r.revenue })).sort((a, b) => b.revenue - a.revenue),
    );

    // The hourly run's way, in about eight ranges of the metrics' pages (whatever other tests left
    // in them on a shared database): the same figures.
    const { rows: size } = await db.execute<{ pages: number }>(sql`select (pg_relation_size('customer_metrics') / 8192)::int as pages`);
    const pages = Math.max(1, Math.ceil(Number(size[0]!.pages) / 8));
    expect(await computeKpisInBackground(db, { workspaceId, months: 24, pages })).toEqual(kpis);
  });
});
