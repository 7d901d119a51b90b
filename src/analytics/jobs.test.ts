// The hourly analytics schedule: a refresh for every workspace with customer metrics (full when no
// full scores run succeeded in the last 23 hours, else incremental), none for a workspace without.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { ANALYTICS_REFRESH_JOB, runAnalyticsSchedule } from './jobs.ts';

describeEachDb('the hourly analytics schedule', (getDb) => {
  it('queues a refresh for each workspace with metrics, full unless one ran within the day', async () => {
    const database = getDb();
    const db = database.db;
    const { workspace: fresh } = await createTestWorkspace(database, 'Fresh');
    const { workspace: scored } = await createTestWorkspace(database, 'Scored');
    const { workspace: empty } = await createTestWorkspace(database, 'Empty');
    for (const ws of [fresh.id, scored.id]) {
      const id = uuidv7();
      await db.execute(sql`insert into customers (workspace_id, id, name) values (${ws}::uuid, ${id}::uuid, 'c')`);
      await db.execute(sql`insert into customer_metrics (workspace_id, customer_id) values (${ws}::uuid, ${id}::uuid)`);
    }
    const now = new Date();
    await db.execute(sql`
      insert into analytics_runs (id, workspace_id, kind, mode, status, started_at, finished_at, duration_ms, customers, result)
      values (${uuidv7()}::uuid, ${scored.id}::uuid, 'scores', 'full', 'succeeded', ${new Date(now.getTime() - 3_600_000).toISOString()}::timestamptz,
        ${new Date(now.getTime() - 3_500_000).toISOString()}::timestamptz, 100000, 1, '{}'::jsonb)`);

    await runAnalyticsSchedule(db, { now });
    const { rows } = await db.execute<{ workspace_id: string; payload: { mode: string } }>(sql`
      select workspace_id, payload from jobs
      where type = ${ANALYTICS_REFRESH_JOB} and workspace_id in (${fresh.id}::uuid, ${scored.id}::uuid, ${empty.id}::uuid)`);
    const modes = Object.fromEntries(rows.map((r) => [r.workspace_id, r.payload.mode]));
    expect(modes).toEqual({ [fresh.id]: 'full', [scored.id]: 'incremental' });
  });
});
