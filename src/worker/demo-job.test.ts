import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import '../areas.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { DEMO_BEHAVIOUR_JOB } from '../events/demo.ts';
import { DEMO_WORKSPACE_JOB, runDemoWorkspaceJob } from './demo-job.ts';

describeEachDb('the first start demo job', (database) => {
  const one = async (q: ReturnType<typeof sql>) => Number((await database().db.execute<{ n: number }>(q)).rows[0]!.n);

  it('loads the demo customers, then the starter segments, then queues the behaviour; a retry adds nothing', async () => {
    const { workspace } = await createTestWorkspace(database());
    const job = { workspaceId: workspace.id, payload: { customers: 40, behaviourCustomers: 10, customersAsOf: '2026-11-01T00:00:00Z' } };
    const first = await runDemoWorkspaceJob(database().db, job);
    expect(first.customers).toBe(40);
    expect(first.segments).toBeGreaterThan(0);
    expect(first.journeys).toBe(2);
    const ws = sql`workspace_id = ${workspace.id}`;
    expect(await one(sql`select count(*) as n from journeys where ${ws} and status = 'active'`)).toBe(2);
    expect(await one(sql`select count(*) as n from customers where ${ws} and merged_into_id is null`)).toBe(40 + first.duplicates);
    expect(await one(sql`select count(*) as n from segments where ${ws} and starter_key is not null`)).toBe(first.segments);
    const behaviour = await database().db.execute<{ payload: { customers: number } }>(
      sql`select payload from jobs where ${ws} and type = ${DEMO_BEHAVIOUR_JOB}`,
    );
    expect(behaviour.rows.map((r) => r.payload.customers)).toEqual([10]);

    const again = await runDemoWorkspaceJob(database().db, job);
    expect(again).toMatchObject({ customers: 0, segments: 0, journeys: 0 });
    expect(await one(sql`select count(*) as n from customers where ${ws} and merged_into_id is null`)).toBe(40 + first.duplicates);
    expect(await one(sql`select count(*) as n from jobs where ${ws} and type = ${DEMO_BEHAVIOUR_JOB}`)).toBe(1);
  });

  it('refuses a payload without a workspace, counts or date, naming what it expects', async () => {
    const { workspace } = await createTestWorkspace(database());
    await expect(runDemoWorkspaceJob(database().db, { workspaceId: null, payload: { customers: 1, behaviourCustomers: 0, customersAsOf: '2026-11-01' } })).rejects.toThrow(
      DEMO_WORKSPACE_JOB,
    );
    await expect(runDemoWorkspaceJob(database().db, { workspaceId: workspace.id, payload: { customers: '5', behaviourCustomers: 0, customersAsOf: '2026-11-01' } })).rejects.toThrow(
      /customers, behaviourCustomers, customersAsOf/,
    );
    await expect(runDemoWorkspaceJob(database().db, { workspaceId: workspace.id, payload: { customers: 5, behaviourCustomers: 0, customersAsOf: 'yesterday' } })).rejects.toThrow(
      /customersAsOf/,
    );
  });
});
