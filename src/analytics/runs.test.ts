// Work that can wait yields to the live segment updates: `yieldToLive` waits while the
// workspace's oldest pending change is older than a quarter second, and goes on once it is gone.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { liveBacklogMs } from '../segments/jobs.ts';
import { yieldToLive } from './runs.ts';

describeEachDb('yielding to the live segment updates', (getDb) => {
  it('waits while a change has waited too long, and not when none waits', async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    const { workspace: other } = await createTestWorkspace(database, 'Other');
    const db = database.db;
    expect(await liveBacklogMs(db, { workspaceId: workspace.id })).toBe(0);
    // With nothing waiting it goes on at once, long before its cap.
    expect(await yieldToLive(db, workspace.id, { maxMs: 60_000 })).toBeLessThan(60_000);

    const id = uuidv7();
    await db.execute(sql`
      insert into segment_pending_changes (workspace_id, id, customer_ids, created_at)
      values (${workspace.id}::uuid, ${id}::uuid, array[${uuidv7()}::uuid], now() - interval '2 seconds')`);
    expect(await liveBacklogMs(db, { workspaceId: workspace.id })).toBeGreaterThanOrEqual(2000);
    // Another workspace's backlog is its own.
    expect(await liveBacklogMs(db, { workspaceId: other.id })).toBe(0);
    // Behind: it waits up to its cap.
    expect(await yieldToLive(db, workspace.id, { maxMs: 300 })).toBeGreaterThanOrEqual(300);
    // It goes on once the live updates have taken the change.
    let drained = false;
    const waiting = yieldToLive(db, workspace.id, { maxMs: 60_000 }).then((ms) => ({ ms, drained }));
    await new Promise((r) => setTimeout(r, 200));
    await db.execute(sql`delete from segment_pending_changes where workspace_id = ${workspace.id}::uuid and id = ${id}::uuid`);
    drained = true;
    const r = await waiting;
    expect(r.drained).toBe(true);
    expect(r.ms).toBeLessThan(60_000);
  });
});
