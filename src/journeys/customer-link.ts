// The journeys area's part in a customer's life. A merge moves the merged customer's runs to the
// survivor (a run in a journey the survivor is already walking ends as `merged`); an erase ends
// the customer's runs and clears what came with their entries (event properties) and their
// waiting inbox rows; an access request lists the journeys they walked and the steps they took.
import { sql } from 'drizzle-orm';
import type { CustomerLink } from '../customers/links.ts';

type Moved = { moved: string[]; ended: string[] };

export const journeysCustomerLink: CustomerLink = {
  area: 'journeys',

  async reassign(db, { workspaceId, fromId, toId }): Promise<Moved> {
    const ws = sql`${workspaceId}::uuid`;
    const { rows: ended } = await db.execute<{ id: string }>(sql`
      update journey_runs f set status = 'exited', exit_reason = 'merged', finished_at = now(), due_at = null
      where f.workspace_id = ${ws} and f.customer_id = ${fromId}::uuid and f.status = 'active'
        and exists (select 1 from journey_runs t where t.workspace_id = f.workspace_id and t.journey_id = f.journey_id and t.customer_id = ${toId}::uuid and t.status = 'active')
      returning f.id`);
    const { rows: moved } = await db.execute<{ id: string }>(sql`
      update journey_runs set customer_id = ${toId}::uuid where workspace_id = ${ws} and customer_id = ${fromId}::uuid returning id`);
    await db.execute(sql`update journey_inbox set customer_id = ${toId}::uuid where workspace_id = ${ws} and customer_id = ${fromId}::uuid`);
    return { moved: moved.map((r) => r.id), ended: ended.map((r) => r.id) };
  },

  async undoReassign(db, { workspaceId, fromId, moved }) {
    const m = moved as Moved;
    if (m.moved.length) {
      await db.execute(sql`
        update journey_runs set customer_id = ${fromId}::uuid where workspace_id = ${workspaceId}::uuid and id = any(${sql.param(m.moved)}::uuid[])`);
    }
    if (m.ended.length) {
      await db.execute(sql`
        update journey_runs set status = 'active', exit_reason = null, finished_at = null, due_at = now()
        where workspace_id = ${workspaceId}::uuid and id = any(${sql.param(m.ended)}::uuid[]) and exit_reason = 'merged'`);
    }
  },

  async erase(db, { workspaceId, customerId }) {
    const ws = sql`${workspaceId}::uuid`;
    await db.execute(sql`
      update journey_runs set data = '{}'::jsonb,
        status = case when status = 'active' then 'exited' else status end,
        exit_reason = case when status = 'active' then 'erased' else exit_reason end,
        finished_at = case when status = 'active' then now() else finished_at end,
        due_at = null
      where workspace_id = ${ws} and customer_id = ${customerId}::uuid`);
    await db.execute(sql`delete from journey_inbox where workspace_id = ${ws} and customer_id = ${customerId}::uuid`);
  },

  async exportData(db, { workspaceId, customerId }) {
    const { rows } = await db.execute<{ id: string; journey: string; status: string; entered_at: Date | string; finished_at: Date | string | null; steps: { step: string; outcome: string; at: string }[] | null }>(sql`
      select r.id, j.name as journey, r.status, r.entered_at, r.finished_at,
        (select jsonb_agg(jsonb_build_object('step', s.step_id, 'outcome', s.outcome, 'at', s.at) order by s.seq)
         from journey_run_steps s where s.workspace_id = r.workspace_id and s.run_id = r.id) as steps
      from journey_runs r join journeys j on j.workspace_id = r.workspace_id and j.id = r.journey_id
      where r.workspace_id = ${workspaceId}::uuid and r.customer_id = ${customerId}::uuid
      order by r.entered_at`);
    return rows.map((r) => ({
      journey: r.journey,
      status: r.status,
      enteredAt: new Date(r.entered_at).toISOString(),
      finishedAt: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
      steps: r.steps ?? [],
    }));
  },
};
