// How journeys hear of what customers do. The event names (and segments) the running journeys
// listen for are kept in journey_interest; when events are stored (ingested or observed) or
// customers move in or out of a segment, the hooks registered in src/areas.ts copy the ones of
// interest into journey_inbox, in the same transaction, and ask for the workspace's journeys
// job. Events nobody listens for cost one primary-key lookup per batch.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { EventsHook } from '../events/hooks.ts';
import type { MembershipHook } from '../segments/hooks.ts';
import { enqueueJob } from '../worker/queue.ts';
import type { JourneyDefinition, PropertyFilter } from './graph.ts';

export const JOURNEYS_WORK_JOB = 'journeys.work';
export const SEGMENT_ENTERED = 'Segment Entered';
export const SEGMENT_EXITED = 'Segment Exited';
export const segmentInterest = (segmentId: string) => `segment:${segmentId}`;

/** The names a journey version listens for: its trigger, its waits, its goal, the segments it enters or leaves by. */
export function interestOf(def: JourneyDefinition, opts: { triggers: boolean }): string[] {
  const names = new Set<string>();
  if (opts.triggers) {
    const t = def.trigger;
    if (t.type === 'event') names.add(t.event);
    if (t.type === 'segment_entered' || t.type === 'segment_exited') names.add(segmentInterest(t.segmentId));
  }
  for (const s of def.graph.steps) if (s.type === 'wait_event') names.add(s.event);
  if (def.exit.goal) names.add(def.exit.goal.event);
  if (def.exit.leaveSegmentId) names.add(segmentInterest(def.exit.leaveSegmentId));
  return [...names];
}

/**
 * Rebuilds the workspace's interest from its active journeys (live versions, with their triggers)
 * and the versions that still have runs in progress (waits and goals only). Run in the
 * transaction that activates, pauses or archives a journey.
 */
export async function refreshInterest(db: Queryable, opts: { workspaceId: string }): Promise<void> {
  const ws = sql`${opts.workspaceId}::uuid`;
  const { rows } = await db.execute<{ definition: JourneyDefinition; live: boolean }>(sql`
    select v.definition, true as live from journeys j
    join journey_versions v on v.workspace_id = j.workspace_id and v.journey_id = j.id and v.version = j.version
    where j.workspace_id = ${ws} and j.status = 'active'
    union all
    select v.definition, false from journey_versions v
    where v.workspace_id = ${ws} and exists (
      select 1 from journey_runs r where r.workspace_id = v.workspace_id and r.journey_id = v.journey_id and r.version = v.version and r.status = 'active')`);
  const names = new Set<string>();
  for (const r of rows) for (const n of interestOf(r.definition, { triggers: r.live })) names.add(n);
  await db.execute(sql`delete from journey_interest where workspace_id = ${ws}`);
  if (names.size) {
    await db.execute(sql`insert into journey_interest (workspace_id, name) select ${ws}, unnest(${sql.param([...names])}::text[]) on conflict do nothing`);
  }
}

async function interested(db: Queryable, workspaceId: string, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const { rows } = await db.execute<{ name: string }>(sql`
    select name from journey_interest where workspace_id = ${workspaceId}::uuid and name = any(${sql.param(names)}::text[])`);
  return new Set(rows.map((r) => r.name));
}

/** Asks for the workspace's journeys job (one queued at a time). */
export async function wakeJourneys(db: Queryable, workspaceId: string): Promise<void> {
  await enqueueJob(db, { type: JOURNEYS_WORK_JOB, workspaceId, dedupeKey: `${JOURNEYS_WORK_JOB}:${workspaceId}`, maxAttempts: 1000 });
}

export const journeysEventsHook: EventsHook = async (db, { workspaceId, events }) => {
  const names = [...new Set(events.filter((e) => e.customerId && e.name).map((e) => e.name!))];
  const wanted = await interested(db, workspaceId, names);
  if (wanted.size === 0) return;
  const rows = events
    .filter((e) => e.customerId && e.name && wanted.has(e.name))
    .map((e) => ({ customer_id: e.customerId, name: e.name, properties: e.properties, event_key: e.messageId, at: e.timestamp.toISOString() }));
  await db.execute(sql`
    insert into journey_inbox (workspace_id, customer_id, name, properties, event_key, at)
    select ${workspaceId}::uuid, r.customer_id, r.name, coalesce(r.properties, '{}'::jsonb), r.event_key, r.at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(customer_id uuid, name text, properties jsonb, event_key text, at timestamptz)`);
  await wakeJourneys(db, workspaceId);
};

export const journeysMembershipHook: MembershipHook = async (db, change) => {
  const wanted = await interested(db, change.workspaceId, [segmentInterest(change.segmentId)]);
  if (wanted.size === 0) return;
  const ws = sql`${change.workspaceId}::uuid`;
  const at = sql`${change.at.toISOString()}::timestamptz`;
  const props = sql`jsonb_build_object('segment_id', ${change.segmentId}::text)`;
  // The same message ids as the Segment Entered / Exited events of segments/membership.ts.
  const key = (direction: string) => sql`${`segment-${direction}:${change.segmentId}:`}::text || t.customer_id::text || ':' || ${String(change.at.getTime())}::text`;
  await db.execute(sql`
    insert into journey_inbox (workspace_id, customer_id, name, properties, event_key, at)
    select ${ws}, t.customer_id, ${SEGMENT_ENTERED}, ${props}, ${key('entered')}, ${at} from (${change.entered}) t
    union all
    select ${ws}, t.customer_id, ${SEGMENT_EXITED}, ${props}, ${key('exited')}, ${at} from (${change.exited}) t`);
  await wakeJourneys(db, change.workspaceId);
};

/** Whether an event's properties pass every filter (missing properties fail all but neq). Pure. */
export function passesFilters(filters: readonly PropertyFilter[] | undefined, properties: Record<string, unknown>): boolean {
  for (const f of filters ?? []) {
    let v: unknown = properties;
    for (const part of f.property.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    switch (f.op) {
      case 'exists':
        if (v === undefined || v === null) return false;
        break;
      case 'eq':
        if (String(v) !== String(f.value)) return false;
        break;
      case 'neq':
        if (v !== undefined && v !== null && String(v) === String(f.value)) return false;
        break;
      case 'contains':
        if (typeof v === 'string' ? !v.includes(String(f.value)) : !Array.isArray(v) || !v.map(String).includes(String(f.value))) return false;
        break;
      default: {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        const x = Number(f.value);
        if (!Number.isFinite(n)) return false;
        if ((f.op === 'gte' && !(n >= x)) || (f.op === 'gt' && !(n > x)) || (f.op === 'lte' && !(n <= x)) || (f.op === 'lt' && !(n < x))) return false;
      }
    }
  }
  return true;
}

export type InboxEvent = { customerId: string; name: string; properties: Record<string, unknown>; eventKey: string; at: Date };

/** Whether the event starts a journey with this trigger. Pure. */
export function triggers(def: JourneyDefinition, e: InboxEvent): boolean {
  const t = def.trigger;
  if (t.type === 'event') return e.name === t.event && passesFilters(t.filters, e.properties);
  if (t.type === 'segment_entered') return e.name === SEGMENT_ENTERED && e.properties.segment_id === t.segmentId;
  if (t.type === 'segment_exited') return e.name === SEGMENT_EXITED && e.properties.segment_id === t.segmentId;
  return false;
}
