import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import '../areas.ts';
import { loadDemoCustomers } from '../customers/demo.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { loadDemoBehaviour } from './demo.ts';

const actor = { ...systemActor, label: 'demo data' };
const asOf = new Date('2026-11-01T00:00:00Z');
const now = new Date('2026-11-01T06:00:00Z');

describeEachDb('demo behaviour', (database) => {
  const one = async (q: ReturnType<typeof sql>) => Number((await database().db.execute<{ n: number }>(q)).rows[0]!.n);

  async function demoWorkspace() {
    const { workspace } = await createTestWorkspace(database());
    await loadDemoCustomers(database().db, { workspaceId: workspace.id, actor, count: 60, seed: 7, now: asOf, behaviourCustomers: 0, notes: 0 });
    return workspace.id;
  }
  const load = (workspaceId: string) =>
    loadDemoBehaviour(database().db, { workspaceId, customers: 40, seed: 7, customersAsOf: asOf, now, anonymousVisitors: 15 });

  it('sends the behaviour through ingestion onto the demo customers: products, orders, carts, metrics', async () => {
    const workspaceId = await demoWorkspace();
    const customersBefore = await one(sql`select count(*) as n from customers where workspace_id = ${workspaceId}`);
    const r = await load(workspaceId);
    expect(r).toMatchObject({ loaded: true, products: 240, linked: 40, errors: [] });
    expect(r.messages).toBeGreaterThan(500);
    expect(r.stored).toBe(r.messages);

    const ws = sql`workspace_id = ${workspaceId}`;
    expect(await one(sql`select count(*) as n from products where ${ws}`)).toBe(240);
    // Besides the messages: the Cart Abandoned events abandoned-cart detection records.
    expect(await one(sql`select count(*) as n from events where ${ws} and name is distinct from 'Cart Abandoned'`)).toBe(r.messages);
    expect(await one(sql`select count(*) as n from events where ${ws} and name = 'Cart Abandoned'`)).toBeGreaterThan(0);
    // Known customers' events land on the demo profiles, not on new customers made for their user ids.
    const onDemoCustomers = await one(sql`
      select count(distinct e.customer_id) as n from events e
      join customer_identities i on i.workspace_id = e.workspace_id and i.customer_id = e.customer_id and i.kind = 'external'
      where e.workspace_id = ${workspaceId} and e.user_id like 'C%'`);
    expect(onDemoCustomers).toBeGreaterThan(10);
    expect(await one(sql`select count(*) as n from events where ${ws} and user_id like 'C%' and customer_id is null`)).toBe(0);
    const madeForDemoIds = await one(sql`
      select count(*) as n from customer_identities i
      where i.workspace_id = ${workspaceId} and i.kind = 'user_id' and i.value like 'C%'
        and not exists (select 1 from customer_identities x where x.workspace_id = i.workspace_id and x.customer_id = i.customer_id and x.kind = 'external')`);
    expect(madeForDemoIds).toBe(0);
    // Visitors stay anonymous: the demo keeps exactly its customers.
    expect(await one(sql`select count(*) as n from customers where ${ws}`)).toBe(customersBefore);
    // Anonymous visits of demo customers were stitched to them when they signed up or logged in.
    const stitched = await one(sql`
      select count(*) as n from events e where e.workspace_id = ${workspaceId} and e.user_id is null and e.customer_id is not null`);
    expect(stitched).toBeGreaterThan(5);

    // Two years of orders, a month of browsing.
    expect(await one(sql`select count(*) as n from orders where ${ws}`)).toBeGreaterThan(40);
    expect(await one(sql`select count(*) as n from orders where ${ws} and placed_at < ${new Date(now.getTime() - 365 * 86_400_000).toISOString()}::timestamptz`)).toBeGreaterThan(5);
    expect(await one(sql`select min(timestamp) > ${new Date(now.getTime() - 31 * 86_400_000).toISOString()}::timestamptz as n from events where ${ws} and type = 'page'`)).toBe(1);
    expect(await one(sql`select count(*) as n from orders where ${ws} and customer_id is not null`)).toBeGreaterThan(5);
    expect(await one(sql`select count(*) as n from order_items where ${ws}`)).toBeGreaterThan(5);
    expect(await one(sql`select count(*) as n from cart_items where ${ws}`)).toBeGreaterThan(10);
    expect(r.abandonedCartLines).toBeGreaterThan(0);
    expect(await one(sql`select count(*) as n from cart_items where ${ws} and abandoned_at is not null`)).toBe(r.abandonedCartLines);
    expect(await one(sql`select count(*) as n from customer_metrics where ${ws} and dwell_ms > 0 and product_views > 0`)).toBeGreaterThan(10);
    expect(await one(sql`select count(*) as n from customer_metrics where ${ws} and order_count > 0 and total_spend > 0`)).toBeGreaterThan(3);
  });

  it('sends nothing when loaded again, and the same behaviour into another workspace', async () => {
    const a = await demoWorkspace();
    const b = await demoWorkspace();
    const first = await load(a);
    const again = await load(a);
    expect(again).toMatchObject({ loaded: false, messages: 0, stored: 0 });
    expect(await one(sql`select count(*) as n from events where workspace_id = ${a} and name is distinct from 'Cart Abandoned'`)).toBe(first.messages);
    const other = await load(b);
    expect(other).toEqual(first);
    const fingerprint = async (workspaceId: string) =>
      (
        await database().db.execute<{ f: string }>(sql`
          select string_agg(message_id || ':' || coalesce(name, type), ',' order by message_id) as f from events
          where workspace_id = ${workspaceId} and name is distinct from 'Cart Abandoned'`)
      ).rows[0]!.f;
    expect(await fingerprint(b)).toBe(await fingerprint(a));
  });
});
