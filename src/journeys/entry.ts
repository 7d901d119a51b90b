// Customers entering journeys, and the inbox of events read back: an event may start a journey
// (its trigger), end a wait (the run becomes due at once), reach a journey's goal or take a
// customer out of the segment a journey keeps them in (the run ends). One transaction per batch
// of inbox rows: the rows are deleted as their effects are written, so each is applied once.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { segmentMembersSql } from '../segments/membership.ts';
import { DAY_MS, type JourneyDefinition } from './graph.ts';
import { passesFilters, SEGMENT_EXITED, triggers, type InboxEvent } from './listen.ts';
import { loadVersions, versionKey } from './versions.ts';

export type Entry = { customerId: string; entryKey: string; data: Record<string, unknown> };
export type LiveJourney = { id: string; version: number; definition: JourneyDefinition };

/** Whether an entrant is in the holdout: a stable draw per journey and entry. Pure. */
export function inHoldout(journeyId: string, entryKey: string, share: number): boolean {
  if (share <= 0) return false;
  return createHash('sha1').update(`${journeyId}:${entryKey}`).digest().readUInt32BE(0) % 100 < share;
}

/**
 * Starts runs for the entries that the journey's entry rules let in (live customers, in the entry
 * segment, not already in the journey, once or again after N days) and returns the new runs' ids.
 * A run is due at once at the first step; an entry key already used enters nobody.
 */
export async function enterRuns(db: Queryable, opts: { workspaceId: string; journey: LiveJourney; entries: Entry[]; now?: Date }): Promise<{ id: string; customerId: string }[]> {
  if (opts.entries.length === 0) return [];
  const now = opts.now ?? clock.now();
  const { journey } = opts;
  const def = journey.definition;
  const ws = sql`${opts.workspaceId}::uuid`;
  const j = sql`${journey.id}::uuid`;
  const rows = opts.entries.map((e) => ({
    id: uuidv7(),
    customer_id: e.customerId,
    entry_key: e.entryKey,
    data: e.data,
    holdout: inHoldout(journey.id, e.entryKey, def.holdoutShare),
  }));
  const inSegment = def.entry.segmentId ? sql` and e.customer_id in (${segmentMembersSql(opts.workspaceId)(def.entry.segmentId)})` : sql``;
  const rule =
    def.entry.mode === 'once'
      ? sql` and not exists (select 1 from journey_runs r where r.workspace_id = ${ws} and r.journey_id = ${j} and r.customer_id = e.customer_id)`
      : def.entry.mode === 'again_after'
        ? sql` and not exists (select 1 from journey_runs r where r.workspace_id = ${ws} and r.journey_id = ${j} and r.customer_id = e.customer_id
                 and r.entered_at > ${new Date(now.getTime() - (def.entry.afterDays ?? 1) * DAY_MS).toISOString()}::timestamptz)`
        : sql``;
  const { rows: made } = await db.execute<{ id: string; customer_id: string }>(sql`
    insert into journey_runs (workspace_id, id, journey_id, version, customer_id, status, step_id, seq, waiting, due_at, holdout, data, entry_key, entered_at)
    select ${ws}, e.id, ${j}, ${journey.version}, e.customer_id, 'active', ${def.graph.start}, 0, false, ${now.toISOString()}::timestamptz,
      e.holdout, coalesce(e.data, '{}'::jsonb), e.entry_key, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as e(id uuid, customer_id uuid, entry_key text, data jsonb, holdout boolean)
    where exists (select 1 from customers c where c.workspace_id = ${ws} and c.id = e.customer_id and c.deleted_at is null and c.merged_into_id is null)
      ${inSegment}${rule}
    on conflict do nothing
    returning id, customer_id`);
  return made.map((r) => ({ id: r.id, customerId: r.customer_id }));
}

/** The active journeys of a workspace with their live versions. */
export async function liveJourneys(db: Queryable, workspaceId: string): Promise<LiveJourney[]> {
  const { rows } = await db.execute<{ id: string; version: number; definition: JourneyDefinition }>(sql`
    select j.id, j.version, v.definition from journeys j
    join journey_versions v on v.workspace_id = j.workspace_id and v.journey_id = j.id and v.version = j.version
    where j.workspace_id = ${workspaceId}::uuid and j.status = 'active'`);
  return rows.map((r) => ({ id: r.id, version: Number(r.version), definition: r.definition }));
}

type ActiveRun = { id: string; journey_id: string; version: number; customer_id: string; step_id: string | null; waiting: boolean; entered_at: Date };

/** Applies up to `limit` inbox rows of the workspace; returns how many it read (0: the inbox is empty). */
export async function drainInbox(db: Queryable, opts: { workspaceId: string; now?: Date; limit?: number }): Promise<{ read: number; entered: number }> {
  const now = opts.now ?? clock.now();
  const ws = sql`${opts.workspaceId}::uuid`;
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ id: number; customer_id: string; name: string; properties: Record<string, unknown>; event_key: string; at: Date | string }>(sql`
      delete from journey_inbox where id in (
        select id from journey_inbox where workspace_id = ${ws} order by id limit ${opts.limit ?? 2000} for update skip locked)
      returning id, customer_id, name, properties, event_key, at`);
    if (rows.length === 0) return { read: 0, entered: 0 };
    const events: InboxEvent[] = rows
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((r) => ({ customerId: r.customer_id, name: r.name, properties: r.properties ?? {}, eventKey: r.event_key, at: new Date(r.at) }));
    // Runs in progress of these customers: waits to end, goals reached, segments left.
    const customerIds = [...new Set(events.map((e) => e.customerId))];
    const { rows: runs } = await tx.execute<ActiveRun>(sql`
      select id, journey_id, version, customer_id, step_id, waiting, entered_at from journey_runs
      where workspace_id = ${ws} and customer_id = any(${sql.param(customerIds)}::uuid[]) and status = 'active'`);
    const defs = await loadVersions(tx, opts.workspaceId, runs.map((r) => ({ journeyId: r.journey_id, version: Number(r.version) })));
    const runsOf = new Map<string, ActiveRun[]>();
    for (const r of runs) runsOf.set(r.customer_id, [...(runsOf.get(r.customer_id) ?? []), r]);
    const matched = new Set<string>();
    const converted = new Set<string>();
    const left = new Set<string>();
    for (const e of events) {
      for (const r of runsOf.get(e.customerId) ?? []) {
        const def = defs.get(versionKey(r.journey_id, Number(r.version)));
        if (!def) continue;
        const step = def.graph.steps.find((s) => s.id === r.step_id);
        if (r.waiting && step?.type === 'wait_event' && e.name === step.event && passesFilters(step.filters, e.properties)) matched.add(r.id);
        const goal = def.exit.goal;
        if (goal && e.name === goal.event && passesFilters(goal.filters, e.properties) && e.at.getTime() <= new Date(r.entered_at).getTime() + goal.windowDays * DAY_MS) {
          converted.add(r.id);
        }
        if (def.exit.leaveSegmentId && e.name === SEGMENT_EXITED && e.properties.segment_id === def.exit.leaveSegmentId) left.add(r.id);
      }
    }
    const at = sql`${now.toISOString()}::timestamptz`;
    if (converted.size) {
      await tx.execute(sql`
        update journey_runs set status = 'converted', exit_reason = 'goal', finished_at = ${at}, due_at = null, waiting = false
        where workspace_id = ${ws} and id = any(${sql.param([...converted])}::uuid[]) and status = 'active'`);
    }
    const leaving = [...left].filter((id) => !converted.has(id));
    if (leaving.length) {
      await tx.execute(sql`
        update journey_runs set status = 'exited', exit_reason = 'left_segment', finished_at = ${at}, due_at = null, waiting = false
        where workspace_id = ${ws} and id = any(${sql.param(leaving)}::uuid[]) and status = 'active'`);
    }
    const waking = [...matched].filter((id) => !converted.has(id) && !left.has(id));
    if (waking.length) {
      await tx.execute(sql`
        update journey_runs set matched = true, due_at = ${at}
        where workspace_id = ${ws} and id = any(${sql.param(waking)}::uuid[]) and status = 'active' and waiting`);
    }
    let entered = 0;
    for (const journey of await liveJourneys(tx, opts.workspaceId)) {
      const entries = events.filter((e) => triggers(journey.definition, e)).map((e) => ({ customerId: e.customerId, entryKey: e.eventKey, data: e.properties }));
      entered += (await enterRuns(tx, { workspaceId: opts.workspaceId, journey, entries, now })).length;
    }
    return { read: rows.length, entered };
  });
}
