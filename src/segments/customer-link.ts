// The segments area's part in a customer's life. On a merge the memberships unite (the earlier
// entry wins where both belonged) and the survivor is re-evaluated live; an erase removes the
// customer's memberships and their history; an export lists them. The timeline needs nothing
// here: entering and leaving a segment are `Segment Entered` / `Segment Exited` events.
import { sql } from 'drizzle-orm';
import { eraseMentions, personLikePatterns, personPattern } from '../customers/erased-person.ts';
import type { CustomerLink } from '../customers/links.ts';
import type { Queryable } from '../db/connection.ts';
import { noteCustomerChanges } from './jobs.ts';
import type { ChangeKind } from './membership.ts';

type Moved = { segments: string[] };

async function refreshSizes(db: Queryable, workspaceId: string, segmentIds: string[]): Promise<void> {
  if (segmentIds.length === 0) return;
  await db.execute(sql`
    update segments s set size = (select count(*) from segment_members m where m.workspace_id = s.workspace_id and m.segment_id = s.id)
    where s.workspace_id = ${workspaceId}::uuid and s.id = any(${sql.param(segmentIds)}::uuid[])`);
}

async function moveMemberships(db: Queryable, opts: { workspaceId: string; fromId: string; toId: string; only?: string[] }): Promise<string[]> {
  const ws = sql`${opts.workspaceId}::uuid`;
  const only = opts.only ? sql`and segment_id = any(${sql.param(opts.only)}::uuid[])` : sql``;
  const { rows } = await db.execute<{ segment_id: string }>(sql`
    with taken as (
      delete from segment_members where workspace_id = ${ws} and customer_id = ${opts.fromId}::uuid ${only}
      returning segment_id, entered_at),
    united as (
      insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
      select ${ws}, segment_id, ${opts.toId}::uuid, entered_at from taken
      on conflict (workspace_id, segment_id, customer_id) do update set entered_at = least(segment_members.entered_at, excluded.entered_at)
      returning segment_id)
    select segment_id from taken`);
  await db.execute(sql`
    with taken as (
      delete from segment_membership_history where workspace_id = ${ws} and customer_id = ${opts.fromId}::uuid ${only}
      returning segment_id, entered_at, exited_at)
    insert into segment_membership_history (workspace_id, segment_id, customer_id, entered_at, exited_at)
    select ${ws}, segment_id, ${opts.toId}::uuid, entered_at, exited_at from taken
    on conflict do nothing`);
  const segments = [...new Set(rows.map((r) => r.segment_id))];
  await refreshSizes(db, opts.workspaceId, segments);
  return segments;
}

export const segmentsCustomerLink: CustomerLink = {
  area: 'segments',
  async reassign(db, { workspaceId, fromId, toId }) {
    const segments = await moveMemberships(db, { workspaceId, fromId, toId });
    // The survivor's data is now the union of both: dynamic segments decide again, live.
    await noteCustomerChanges(db, { workspaceId, customerIds: [toId], changes: ['all'] });
    return { segments } satisfies Moved;
  },
  async undoReassign(db, { workspaceId, fromId, toId, moved }) {
    const m = moved as Moved | undefined;
    if (m?.segments?.length) {
      // Static lists get the restored profile back; dynamic ones are re-evaluated for both.
      await db.execute(sql`
        insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
        select workspace_id, segment_id, ${fromId}::uuid, entered_at from segment_members
        where workspace_id = ${workspaceId}::uuid and customer_id = ${toId}::uuid and segment_id = any(${sql.param(m.segments)}::uuid[])
        on conflict do nothing`);
      await refreshSizes(db, workspaceId, m.segments);
    }
    await noteCustomerChanges(db, { workspaceId, customerIds: [fromId, toId], changes: ['all'] });
  },
  async changed(db, { workspaceId, customerIds, changes }) {
    await noteCustomerChanges(db, { workspaceId, customerIds, changes: changes.includes('all') ? ['all'] : (changes as ChangeKind[]) });
  },
  async erase(db, { workspaceId, customerId, person }) {
    // A definition (or name) that names them, `email in [...]` say, keeps working without them.
    const mentions = person ? personPattern(person) : null;
    if (person && mentions) {
      const { emails, digits } = personLikePatterns(person);
      const text = sql`concat_ws(' ', name, description, definition::text)`;
      const { rows: quoting } = await db.execute<{ id: string; name: string; description: string | null; definition: unknown }>(sql`
        select id, name, description, definition from segments where workspace_id = ${workspaceId}::uuid
          and (${text} ilike any(${sql.param(emails)}::text[]) or regexp_replace(${text}, '[^0-9]', '', 'g') like any(${sql.param(digits)}::text[]))`);
      for (const s of quoting) {
        await db.execute(sql`
          update segments set name = ${eraseMentions(s.name, mentions)}, description = ${eraseMentions(s.description, mentions)},
            definition = ${JSON.stringify(eraseMentions(s.definition, mentions))}::jsonb
          where workspace_id = ${workspaceId}::uuid and id = ${s.id}::uuid`);
      }
    }
    const { rows } = await db.execute<{ segment_id: string }>(sql`
      delete from segment_members where workspace_id = ${workspaceId}::uuid and customer_id = ${customerId}::uuid returning segment_id`);
    await db.execute(sql`delete from segment_membership_history where workspace_id = ${workspaceId}::uuid and customer_id = ${customerId}::uuid`);
    await refreshSizes(db, workspaceId, rows.map((r) => r.segment_id));
  },
  async exportData(db, { workspaceId, customerId }) {
    const { rows } = await db.execute<{ segment_id: string; name: string; entered_at: Date | string; exited_at: Date | string | null; current: boolean }>(sql`
      select h.segment_id, s.name, h.entered_at, h.exited_at, h.exited_at is null as current
      from segment_membership_history h
      join segments s on s.workspace_id = h.workspace_id and s.id = h.segment_id
      where h.workspace_id = ${workspaceId}::uuid and h.customer_id = ${customerId}::uuid
      order by h.entered_at`);
    const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
    const stays = rows.map((r) => ({ segmentId: r.segment_id, name: r.name, enteredAt: iso(r.entered_at), exitedAt: iso(r.exited_at) }));
    return { current: stays.filter((s) => s.exitedAt === null), history: stays };
  },
};
