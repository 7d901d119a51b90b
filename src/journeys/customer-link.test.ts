import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import '../areas.ts';
import { mergeCustomers, undoMerge } from '../customers/merge.ts';
import { eraseCustomer, exportCustomerData } from '../customers/privacy.ts';
import type { Database } from '../db/connection.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { addCustomers } from '../messaging/delivery-test-fixture.ts';
import { systemActor } from '../workspaces/audit.ts';
import { enterRuns, liveJourneys } from './entry.ts';
import { activateJourney, createJourney } from './journeys.ts';

describeEachDb('journeys in a customer’s life', (getDb) => {
  async function setup(database: Database) {
    const { workspace } = await createTestWorkspace(database, 'Journey life');
    const ws = workspace.id;
    const ids = await addCustomers(database.db, ws, [{ email: 'keep@life.test', name: '남는 고객' }, { email: 'gone@life.test', name: '지울 고객' }]);
    const journey = async (name: string) => {
      const j = await createJourney(database.db, {
        workspaceId: ws,
        actor: systemActor,
        input: { name, definition: { trigger: { type: 'api' }, entry: { mode: 'always' }, graph: { start: 'wait', steps: [{ id: 'wait', type: 'delay', mode: 'duration', duration: { days: 3 }, next: 'end' }, { id: 'end', type: 'exit' }] } } },
      });
      await activateJourney(database.db, { workspaceId: ws, actor: systemActor, id: j.id });
      return j.id;
    };
    return { ws, ids, journey };
  }
  const runs = (database: Database, ws: string, customerId: string) =>
    database.db.execute<{ journey_id: string; status: string; exit_reason: string | null; data: Record<string, unknown> }>(
      sql`select journey_id, status, exit_reason, data from journey_runs where workspace_id = ${ws}::uuid and customer_id = ${customerId}::uuid order by journey_id`,
    );

  it('erase ends the customer’s runs and clears what came with them and their inbox rows; export lists the journeys', async () => {
    const database = getDb();
    const { ws, ids, journey } = await setup(database);
    await journey('장바구니');
    const [live] = await liveJourneys(database.db, ws);
    await enterRuns(database.db, { workspaceId: ws, journey: live!, entries: [{ customerId: ids[1]!, entryKey: 'cart-1', data: { email: 'gone@life.test', items: [{ name: '운동화' }] } }] });
    await database.db.execute(sql`
      insert into journey_inbox (workspace_id, customer_id, name, properties, event_key, at)
      values (${ws}::uuid, ${ids[1]!}::uuid, 'Order Completed', '{"email":"gone@life.test"}'::jsonb, 'o-1', now())`);
    const exported = (await exportCustomerData(database.db, { workspaceId: ws, customerId: ids[1]! })) as { journeys: { journey: string; status: string }[] };
    expect(exported.journeys).toEqual([expect.objectContaining({ journey: '장바구니', status: 'active' })]);

    await database.db.transaction((tx) => eraseCustomer(tx, { workspaceId: ws, actor: systemActor, customerId: ids[1]! }));
    const after = (await runs(database, ws, ids[1]!)).rows;
    expect(after).toEqual([expect.objectContaining({ status: 'exited', exit_reason: 'erased', data: {} })]);
    const inbox = await database.db.execute(sql`select 1 from journey_inbox where workspace_id = ${ws}::uuid and customer_id = ${ids[1]!}::uuid`);
    expect(inbox.rows).toHaveLength(0);
    const anywhere = await database.db.execute(sql`
      select 1 from journey_runs where workspace_id = ${ws}::uuid and data::text like '%gone@life.test%'
      union all select 1 from journey_run_steps where workspace_id = ${ws}::uuid and coalesce(detail::text, '') like '%gone@life.test%'`);
    expect(anywhere.rows).toHaveLength(0);
  });

  it('a merge moves the runs to the survivor (ending one in a journey the survivor already walks), and the undo puts them back', async () => {
    const database = getDb();
    const { ws, ids, journey } = await setup(database);
    const [keep, other] = ids as [string, string];
    const shared = await journey('둘 다');
    const onlyOther = await journey('한 명만');
    const lives = await liveJourneys(database.db, ws);
    const of = (id: string) => lives.find((j) => j.id === id)!;
    await enterRuns(database.db, { workspaceId: ws, journey: of(shared), entries: [{ customerId: keep, entryKey: 'k1', data: {} }, { customerId: other, entryKey: 'o1', data: {} }] });
    await enterRuns(database.db, { workspaceId: ws, journey: of(onlyOther), entries: [{ customerId: other, entryKey: 'o2', data: {} }] });

    const { merge } = await database.db.transaction((tx) => mergeCustomers(tx, { workspaceId: ws, actor: systemActor, survivorId: keep, mergedId: other }));
    const moved = (await runs(database, ws, keep)).rows;
    expect(moved.filter((r) => r.status === 'active').map((r) => r.journey_id).sort()).toEqual([shared, onlyOther].sort());
    expect(moved.filter((r) => r.exit_reason === 'merged').map((r) => r.journey_id)).toEqual([shared]);
    expect((await runs(database, ws, other)).rows).toEqual([]);

    await database.db.transaction((tx) => undoMerge(tx, { workspaceId: ws, actor: systemActor, mergeId: merge.id }));
    expect((await runs(database, ws, keep)).rows.map((r) => [r.journey_id, r.status])).toEqual([[shared, 'active']]);
    expect((await runs(database, ws, other)).rows.map((r) => r.status)).toEqual(['active', 'active']);
  });
});
