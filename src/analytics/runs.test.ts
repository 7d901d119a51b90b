// Work that can wait yields to the live segment updates: `yieldToLive` waits while the
// workspace's oldest pending change is older than a quarter second, and goes on once it is gone;
// `pagedPass` reads a table a range of pages at a time, in one snapshot.
import { sql, type SQL } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { liveBacklogMs } from '../segments/jobs.ts';
import { findTouched, pagedPass, yieldToLive } from './runs.ts';

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

describeEachDb('a pass over a table a range of pages at a time', (getDb, backend) => {
  it('reads every row once, while updates move rows to other pages', async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    const db = database.db;
    const ws = workspace.id;
    // A table of its own, so that the pass's pages are this test's (the metrics of a shared
    // database hold other tests' rows): 2,000 rows of three groups, about 100 pages.
    const table = `paged_pass_${uuidv7().replaceAll('-', '')}`;
    await db.execute(sql.raw(`create table ${table} (workspace_id uuid not null, id int not null, grp text not null, pad text not null)`));
    try {
      await db.execute(sql`
        insert into ${sql.identifier(table)} (workspace_id, id, grp, pad)
        select ${ws}::uuid, g, (array['A', 'B', 'C'])[1 + g % 3], repeat('x', 300) from generate_series(1, 2000) g`);
      const count = (range: SQL) => sql`
        select grp, count(*)::int as n from ${sql.identifier(table)} where workspace_id = ${ws}::uuid and ${range} group by grp`;

      // Updates that move every row to another page while the pass reads: each round makes the
      // rows too long for the room left where they were.
      let passing = true;
      let rounds = 0;
      const mover = (async () => {
        while (passing) {
          await db.execute(sql`update ${sql.identifier(table)} set pad = repeat(md5(random()::text), 12 + ${rounds % 2})`);
          rounds++;
        }
      })();
      const pass = await pagedPass<{ grp: string; n: number }>(db, { workspaceId: ws, table, pages: 1 }, count).finally(() => {
        passing = false;
      });
      await mover;
      const got = new Map<string, number>();
      for (const r of pass.rows) got.set(r.grp, (got.get(r.grp) ?? 0) + Number(r.n));
      expect(Object.fromEntries(got)).toEqual({ A: 666, B: 667, C: 667 });
      if (backend === 'postgres') {
        // A page at a time, with the moves going on between them.
        expect(pass.ranges).toBeGreaterThan(50);
        expect(rounds).toBeGreaterThan(1);
      } else {
        expect(pass.ranges).toBe(1);
      }
    } finally {
      await db.execute(sql.raw(`drop table ${table}`));
    }
  });

  it('finds the customers whose metrics changed since a time, each once, in their order', async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    const db = database.db;
    const ws = workspace.id;
    await db.execute(sql`insert into customers (workspace_id, id, name) select ${ws}::uuid, gen_random_uuid(), 'c' || g from generate_series(1, 300) g`);
    await db.execute(sql`
      insert into customer_metrics (workspace_id, customer_id, order_count, updated_at)
      select ${ws}::uuid, id, n % 3, now() - n % 2 * interval '2 days'
      from (select id, row_number() over (order by id) as n from customers where workspace_id = ${ws}::uuid) c`);
    const since = new Date(Date.now() - 3_600_000);
    const { rows: recent } = await db.execute<{ customer_id: string; buyer: boolean }>(sql`
      select customer_id, order_count > 0 as buyer from customer_metrics
      where workspace_id = ${ws}::uuid and updated_at >= ${since.toISOString()}::timestamptz order by customer_id`);
    expect(recent.length).toBe(150);
    const touched = await findTouched(db, ws, since);
    expect(touched.customers).toEqual(recent.map((r) => ({ id: r.customer_id, buyer: r.buyer })));
  });
});
