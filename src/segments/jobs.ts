// The segments area's background work:
// - `segments.live` drains a workspace's pending changes (written by ingestion in its own
//   transaction) and re-evaluates the affected segments for just those customers;
// - `segments.recompute` recomputes one segment fully (on demand, after a definition change),
//   then the segments built on it;
// - `segments.sweep` (every minute, all workspaces) brings the segments that change with time
//   alone (within-last-N windows, birthdays) to the present, for the customers the clock has just
//   moved (src/segments/sweep.ts), and applies changes left pending.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { uuidv7 } from '../db/uuid.ts';
import type { Db, Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { ECOMMERCE_EVENTS, type StoredEvent } from '../events/types.ts';
import { jobs } from '../worker/schema.ts';
import { enqueueJob, enqueueJobs, scheduleRecurring } from '../worker/queue.ts';
import { segmentDependencies, type SegmentDefinition } from './definition.ts';
import { CHANGE_KINDS, dependencyOrder, dependentSegmentIds, EVALUATE_CHUNK, evaluateChangeGroups, evaluateCustomers, recomputeSegment, snapshotSize, type ChangeCause, type ChangedCustomers, type ChangeKind } from './membership.ts';
import { dynamicSegmentRows, type SegmentRow } from './segments.ts';
import { sweepPlan } from './sweep.ts';

export const SEGMENTS_LIVE_JOB = 'segments.live';
export const SEGMENTS_RECOMPUTE_JOB = 'segments.recompute';
export const SEGMENTS_SWEEP_JOB = 'segments.sweep';
/** How often time-dependent segments are recomputed by default. */
export const DEFAULT_SWEEP_SECONDS = 60;
/**
 * Pending rows looked at per transaction by the live job (an ingested batch writes one per kind
 * of change), and how many customers' rows it takes of them: a change is visible once its
 * transaction commits, so a backlog is applied in steps of about a thousand customers, oldest
 * first, rather than all at once after seconds.
 */
const DRAIN_ROWS = 1000;
const DRAIN_CUSTOMERS = 1000;
/** How far back a sweep looks for changes made outside ingestion (two sweep intervals). */
const CATCH_UP_MS = 2 * DEFAULT_SWEEP_SECONDS * 1000;
/**
 * How long a live job keeps looking for new changes once idle, how long it runs before it asks
 * whether another job waits for its slot, and how often it looks.
 */
const LIVE_IDLE_MS = 500;
const LIVE_MAX_MS = 10_000;
const LIVE_TICK_MS = 25;
/** Pending rows older than this are picked up by the sweep (a live job missed them). */
const STALE_PENDING_MS = 5_000;

const ORDER_EVENTS = new Set<string>([ECOMMERCE_EVENTS.orderCompleted, ECOMMERCE_EVENTS.orderRefunded, ECOMMERCE_EVENTS.orderCancelled]);

export const RecomputePayload = Type.Object(
  { segmentId: Type.String({ format: 'uuid' }), cascade: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type RecomputePayload = Static<typeof RecomputePayload>;

function checkPayload(payload: unknown): asserts payload is RecomputePayload {
  if (Value.Check(RecomputePayload, payload)) return;
  const [first] = Value.Errors(RecomputePayload, payload);
  const where = first?.instancePath ? `payload${first.instancePath.replaceAll('/', '.')}` : 'payload';
  throw new AppError('invalid_input', `${where}: ${first?.message ?? 'invalid'}`);
}

const liveKey = (workspaceId: string) => `${SEGMENTS_LIVE_JOB}:${workspaceId}`;

/** Queues a full recomputation of one segment (one at a time per segment). */
export async function enqueueRecompute(db: Queryable, opts: { workspaceId: string; segmentId: string; cascade?: boolean }) {
  const payload: RecomputePayload = { segmentId: opts.segmentId, cascade: opts.cascade ?? true };
  return enqueueJob(db, { type: SEGMENTS_RECOMPUTE_JOB, workspaceId: opts.workspaceId, payload, dedupeKey: `${SEGMENTS_RECOMPUTE_JOB}:${opts.workspaceId}:${opts.segmentId}` });
}

async function hasDynamicSegments(db: Queryable, workspaceId: string): Promise<boolean> {
  const { rows } = await db.execute(sql`select 1 from segments where workspace_id = ${workspaceId}::uuid and kind = 'dynamic' and deleted_at is null limit 1`);
  return rows.length > 0;
}

/**
 * Notes that these customers' data changed, in the caller's transaction, and makes sure a live job
 * will apply it. Other areas call this after profile, consent or score changes; ingestion calls it
 * (through recordSegmentEventChanges) for every stored batch.
 */
export async function noteCustomerChanges(db: Queryable, opts: { workspaceId: string; customerIds: string[]; eventNames?: string[]; changes?: PendingCause[] }): Promise<void> {
  return noteChangeGroups(db, { workspaceId: opts.workspaceId, groups: [{ customerIds: opts.customerIds, eventNames: opts.eventNames ?? [], changes: opts.changes ?? [] }] });
}

/** What a pending row may name besides data kinds: `all`, any segment may now decide otherwise (a customer created, deleted, restored or merged). */
export type PendingCause = ChangeKind | 'all';
type ChangeGroup = { customerIds: string[]; eventNames: string[]; changes: PendingCause[] };

/** One pending row per group of customers with the same change (so each is re-evaluated only for the segments that change can move). */
async function noteChangeGroups(db: Queryable, opts: { workspaceId: string; groups: ChangeGroup[] }): Promise<void> {
  const groups = opts.groups
    .map((g) => ({ customerIds: [...new Set(g.customerIds)], eventNames: [...new Set(g.eventNames)], changes: [...new Set(g.changes)] }))
    .filter((g) => g.customerIds.length > 0);
  if (groups.length === 0) return;
  if (!(await hasDynamicSegments(db, opts.workspaceId))) return;
  const rows = groups.map((g) => ({ id: uuidv7(), customer_ids: g.customerIds, event_names: g.eventNames, causes: g.changes }));
  await db.execute(sql`
    insert into segment_pending_changes (workspace_id, id, customer_ids, event_names, causes)
    select ${opts.workspaceId}::uuid, r.id, array(select jsonb_array_elements_text(r.customer_ids))::uuid[],
      array(select jsonb_array_elements_text(r.event_names)), array(select jsonb_array_elements_text(r.causes))
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, customer_ids jsonb, event_names jsonb, causes jsonb)`);
  // A queued live job will see this row; only enqueue (which waits on the dedupe index) when there is none.
  const [queued] = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.dedupeKey, liveKey(opts.workspaceId)), eq(jobs.status, 'queued')))
    .limit(1);
  if (!queued) await enqueueJob(db, { type: SEGMENTS_LIVE_JOB, workspaceId: opts.workspaceId, dedupeKey: liveKey(opts.workspaceId), maxAttempts: 10 });
}

/** The part of an ingested batch that can move segment membership (called from src/events/effects.ts). */
export async function recordSegmentEventChanges(db: Queryable, opts: { workspaceId: string; events: StoredEvent[] }): Promise<void> {
  // Per customer: the names of their events and what those changed. A page view moves the
  // behaviour metrics (event count, last seen) but not a segment on orders or on other events;
  // customers whose events changed the same things share a pending row.
  const byCustomer = new Map<string, { names: Set<string>; changes: Set<ChangeKind> }>();
  for (const e of opts.events) {
    if (!e.customerId) continue;
    let c = byCustomer.get(e.customerId);
    if (!c) byCustomer.set(e.customerId, (c = { names: new Set(), changes: new Set() }));
    // An event without a name (an identify, an unnamed page) still moves the behaviour metrics.
    c.names.add(e.name ?? '');
    if (e.type === 'identify') c.changes.add('profile');
    if (e.name && ORDER_EVENTS.has(e.name)) c.changes.add('orders');
  }
  const groups = new Map<string, ChangeGroup>();
  for (const [customerId, c] of byCustomer) {
    const { eventNames, changes, key } = changeKey([...c.names], [...c.changes]);
    const group = groups.get(key) ?? { customerIds: [], eventNames, changes };
    group.customerIds.push(customerId);
    groups.set(key, group);
  }
  await noteChangeGroups(db, { workspaceId: opts.workspaceId, groups: [...groups.values()] });
}

type PendingRow = { customer_ids: string[]; event_names: string[]; causes: string[] };

/** A change's names and kinds in a fixed order, and a key for grouping customers with the same change. */
function changeKey<K extends string>(eventNames: string[], changes: K[]): { eventNames: string[]; changes: K[]; key: string } {
  const sorted = { eventNames: [...eventNames].sort(), changes: [...changes].sort() };
  return { ...sorted, key: JSON.stringify([sorted.eventNames, sorted.changes]) };
}

/** The pending rows of one drain, by change: each change's customers, once each. */
function groupPendingRows(rows: PendingRow[]): ChangedCustomers[] {
  const groups = new Map<string, { customerIds: Set<string>; cause: ChangeCause }>();
  for (const r of rows) {
    const everything = r.causes.includes('all');
    const kinds = r.causes.filter((c): c is ChangeKind => (CHANGE_KINDS as readonly string[]).includes(c));
    const { eventNames, changes, key: changed } = changeKey(r.event_names, kinds);
    const key = everything ? 'all' : changed;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { customerIds: new Set(), cause: everything ? { everything: true } : { eventNames, changes } }));
    for (const id of r.customer_ids) g.customerIds.add(id);
  }
  return [...groups.values()].map((g) => ({ customerIds: [...g.customerIds], cause: g.cause }));
}

/** Applies a workspace's pending changes, about DRAIN_CUSTOMERS customers per transaction, until none are left. */
/**
 * How long (ms) the oldest change still waiting for the live updates of a workspace has waited
 * since it was stored: 0 when none waits. Work that can wait (the hourly analytics run) asks it
 * before each step and lets the live updates catch up first (`yieldToLive` in analytics).
 */
export async function liveBacklogMs(db: Queryable, opts: { workspaceId: string }): Promise<number> {
  const { rows } = await db.execute<{ ms: number }>(sql`
    select extract(epoch from clock_timestamp() - created_at) * 1000 as ms from segment_pending_changes
    where workspace_id = ${opts.workspaceId}::uuid order by id limit 1`);
  return rows.length ? Math.max(0, Number(rows[0]!.ms)) : 0;
}

export async function drainPendingChanges(db: Db, opts: { workspaceId: string; now?: Date }): Promise<{ batches: number; customers: number; entered: number; exited: number }> {
  const out = { batches: 0, customers: 0, entered: 0, exited: 0 };
  for (;;) {
    const step = await drainPendingStep(db, opts);
    out.batches += step.batches;
    out.customers += step.customers;
    out.entered += step.entered;
    out.exited += step.exited;
    if (step.done) return out;
  }
}

/** One transaction of a drain: the oldest pending rows up to DRAIN_CUSTOMERS customers; `done` when none are left after them. */
export async function drainPendingStep(db: Db, opts: { workspaceId: string; now?: Date }) {
  return db.transaction(async (tx) => {
    // At least one row; `picked`: how many were looked at, so that the caller knows whether more
    // are left.
    const { rows } = await tx.execute<PendingRow & { picked: number }>(sql`
      with picked as (
        select id, cardinality(customer_ids) as n from segment_pending_changes
        where workspace_id = ${opts.workspaceId}::uuid
        order by id limit ${DRAIN_ROWS} for update skip locked),
      taken as (
        select id, picked from (select id, n, sum(n) over (order by id) as running, count(*) over () as picked from picked) p
        where running <= ${DRAIN_CUSTOMERS} or running = n)
      delete from segment_pending_changes p
      using taken t
      where p.workspace_id = ${opts.workspaceId}::uuid and p.id = t.id
      returning p.customer_ids, p.event_names, p.causes, t.picked`);
    if (rows.length === 0) return { batches: 0, customers: 0, entered: 0, exited: 0, done: true };
    const segmentRows = await dynamicSegmentRows(tx, { workspaceId: opts.workspaceId });
    // Each segment once, for the customers of every kind of change that can move it.
    const r = await evaluateChangeGroups(tx, { workspaceId: opts.workspaceId, groups: groupPendingRows(rows), now: opts.now, rows: segmentRows });
    const picked = Number(rows[0]!.picked);
    return {
      batches: rows.length,
      customers: new Set(rows.flatMap((row) => row.customer_ids)).size,
      entered: r.entered,
      exited: r.exited,
      done: rows.length === picked && picked < DRAIN_ROWS,
    };
  });
}

/**
 * Drains, then stays a little while (LIVE_IDLE_MS after the last change) and drains again every
 * LIVE_TICK_MS: under steady ingestion a change waits tens of milliseconds instead of the worker's
 * poll interval, and rows committed while the job finishes are not left for the sweep.
 *
 * Every LIVE_MAX_MS it gives its slot up if another job waits for one (`slotWanted`, told by the
 * worker; without it, always); otherwise it goes on.
 * It used to stop there regardless: no successor can be queued while it runs (one live job per
 * workspace), so the next one came with the next ingested batch and the worker's next poll. At
 * 3,800 events/s, that half second of pending rows took the next drains over a second each, and
 * changes waited up to 3 s until the backlog was gone (1M customers / 20M events).
 */
export async function runLiveJob(
  db: Db,
  job: { workspaceId: string | null },
  opts: { signal?: AbortSignal; idleMs?: number; maxMs?: number; slotWanted?: () => boolean } = {},
) {
  if (!job.workspaceId) throw new AppError('invalid_input', `workspaceId: a ${SEGMENTS_LIVE_JOB} job belongs to a workspace`);
  let started = Date.now();
  const total = { batches: 0, customers: 0, entered: 0, exited: 0 };
  let lastWork = Date.now();
  for (;;) {
    const r = await drainPendingChanges(db, { workspaceId: job.workspaceId });
    total.batches += r.batches;
    total.customers += r.customers;
    total.entered += r.entered;
    total.exited += r.exited;
    if (r.batches > 0) lastWork = Date.now();
    const now = Date.now();
    if (opts.signal?.aborted || now - lastWork >= (opts.idleMs ?? LIVE_IDLE_MS)) return total;
    if (now - started >= (opts.maxMs ?? LIVE_MAX_MS)) {
      if (opts.slotWanted?.() ?? true) return total;
      started = now;
    }
    await new Promise((resolve) => setTimeout(resolve, LIVE_TICK_MS));
  }
}

/**
 * After a score run, which moves many customers' scores at once: a full recompute of each dynamic
 * segment that reads a score, queued (one job per segment at a time).
 */
export async function recomputeScoreSegments(db: Queryable, opts: { workspaceId: string }): Promise<void> {
  for (const row of await dynamicSegmentRows(db, { workspaceId: opts.workspaceId })) {
    const def = row.definition as SegmentDefinition | null;
    if (def && segmentDependencies(def).scores) await enqueueRecompute(db, { workspaceId: opts.workspaceId, segmentId: row.id });
  }
}

/** Recomputes a segment and, when its membership moved, the segments that refer to it (in turn, by job). */
export async function runRecomputeJob(db: Db, job: { workspaceId: string | null; payload: unknown }) {
  if (!job.workspaceId) throw new AppError('invalid_input', `workspaceId: a ${SEGMENTS_RECOMPUTE_JOB} job belongs to a workspace`);
  checkPayload(job.payload);
  const result = await recomputeSegment(db, { workspaceId: job.workspaceId, segmentId: job.payload.segmentId });
  let dependents: string[] = [];
  if (job.payload.cascade !== false && result.entered + result.exited > 0) {
    dependents = await dependentSegmentIds(db, { workspaceId: job.workspaceId, segmentIds: [job.payload.segmentId] });
    for (const segmentId of dependents) await enqueueRecompute(db, { workspaceId: job.workspaceId, segmentId });
  }
  return { ...result, dependents };
}

/**
 * Changes made outside ingestion that no caller reported through noteCustomerChanges (profile,
 * consent and preference writes are reported, but a direct SQL edit is not): the customers changed
 * within the window are re-evaluated for the segments that read those data. Windows of
 * consecutive sweeps overlap; evaluating a customer twice changes nothing. Score runs are not
 * looked for here: they change many customers at once, and the analytics refresh asks for a
 * recompute of the segments reading scores (recomputeScoreSegments). Looking for them meant
 * reading every metrics row each minute (0.9–2.9 s at 1M customers). Preferences, inferred ones
 * included (replacePreferencesBulk), are always reported.
 */
async function catchUpChanges(db: Db, opts: { workspaceId: string; since: Date; evaluateAt?: Date }): Promise<number> {
  const ws = sql`${opts.workspaceId}::uuid`;
  const since = sql`${opts.since.toISOString()}::timestamptz`;
  const { rows } = await db.execute<{ customer_id: string; kind: ChangeKind }>(sql`
    select id as customer_id, 'profile' as kind from customers where workspace_id = ${ws} and updated_at > ${since} and deleted_at is null
    union all
    select customer_id, 'consent' from customer_consents where workspace_id = ${ws} and updated_at > ${since}
    limit 200000`);
  const byKind = new Map<ChangeKind, string[]>();
  for (const r of rows) {
    const list = byKind.get(r.kind) ?? [];
    list.push(r.customer_id);
    byKind.set(r.kind, list);
  }
  const segmentRows = await dynamicSegmentRows(db, { workspaceId: opts.workspaceId });
  for (const [kind, ids] of byKind) {
    for (let i = 0; i < ids.length; i += EVALUATE_CHUNK) {
      await evaluateCustomers(db, { workspaceId: opts.workspaceId, customerIds: ids.slice(i, i + EVALUATE_CHUNK), now: opts.evaluateAt, cause: { changes: [kind] }, rows: segmentRows });
    }
  }
  return new Set(rows.map((r) => r.customer_id)).size;
}

/** The customers of a sweep plan's queries, with those re-evaluated for the segments this one refers to. */
async function sweepCandidates(db: Queryable, queries: SQL[], referred: Set<string>[]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const set of referred) for (const id of set) ids.add(id);
  if (queries.length === 0) return ids;
  const { rows } = await db.execute<{ customer_id: string }>(sql`select distinct customer_id from (${sql.join(queries, sql` union all `)}) c`);
  for (const r of rows) ids.add(r.customer_id);
  return ids;
}

/**
 * Re-evaluates one segment for these customers, a transaction per chunk (live updates of the
 * segment wait for one chunk at most), each at the time it holds the segment's lock (or
 * `evaluateAt`), then records that its membership is current as of `now` (the sweep's time, which
 * the chunks are at or after: the next sweep looks for what the clock moved from there).
 */
async function evaluateSwept(db: Db, opts: { workspaceId: string; row: SegmentRow; customerIds: string[]; now: Date; evaluateAt?: Date }): Promise<{ entered: number; exited: number }> {
  const out = { entered: 0, exited: 0 };
  for (let i = 0; i < opts.customerIds.length; i += EVALUATE_CHUNK) {
    const r = await evaluateCustomers(db, { workspaceId: opts.workspaceId, customerIds: opts.customerIds.slice(i, i + EVALUATE_CHUNK), now: opts.evaluateAt, cause: { everything: true }, rows: [opts.row] });
    out.entered += r.entered;
    out.exited += r.exited;
  }
  await db.execute(sql`
    update segments set last_computed_at = greatest(last_computed_at, ${opts.now.toISOString()}::timestamptz)
    where workspace_id = ${opts.workspaceId}::uuid and id = ${opts.row.id}::uuid`);
  return out;
}

/** A sweep re-evaluates at most this many customers of a segment; past it, a full recompute. */
const SWEEP_MAX_CUSTOMERS = 200_000;

/**
 * One workspace's sweep: time-dependent segments (and those built on them), in dependency order,
 * brought to `now`: for the customers whose times the clock has just passed (sweepPlan), or in
 * full when that is not known (never computed, definition changed, a calendar day turned for a
 * birthday condition, a long gap); sizes of the others recorded hourly; pending changes a live job
 * missed applied.
 */
export async function sweepWorkspace(db: Db, opts: { workspaceId: string; now?: Date; windowMs?: number }) {
  const now = opts.now ?? new Date();
  const { workspaceId } = opts;
  const rows = dependencyOrder(await dynamicSegmentRows(db, { workspaceId }));
  // Per segment brought to now: the customers it re-evaluated, or 'all' (recomputed in full).
  const swept = new Map<string, Set<string> | 'all'>();
  let recomputed = 0;
  let incremental = 0;
  let entered = 0;
  let exited = 0;
  for (const row of rows) {
    if (!row.definition) continue;
    const def = row.definition as SegmentDefinition;
    const deps = segmentDependencies(def);
    const refs = deps.segments.filter((id) => swept.has(id));
    if (!deps.timeDependent && refs.length === 0) continue;
    const from = row.lastComputedAt;
    let ids: Set<string> | 'all' = 'all';
    // Incremental only from a membership computed with this definition.
    if (from && from.getTime() > row.updatedAt.getTime() && !refs.some((id) => swept.get(id) === 'all')) {
      const plan = deps.timeDependent ? sweepPlan(def, { workspaceId, from, to: now }) : { full: false as const, candidates: [] };
      if (!plan.full) ids = await sweepCandidates(db, plan.candidates, refs.map((id) => swept.get(id) as Set<string>));
    }
    if (ids !== 'all' && ids.size > SWEEP_MAX_CUSTOMERS) ids = 'all';
    swept.set(row.id, ids);
    const r =
      ids === 'all'
        ? await recomputeSegment(db, { workspaceId, segmentId: row.id, now: opts.now })
        : await evaluateSwept(db, { workspaceId, row, customerIds: [...ids], now, evaluateAt: opts.now });
    if (ids === 'all') recomputed++;
    else incremental++;
    entered += r.entered;
    exited += r.exited;
  }
  // Sizes over time for the segments that move only with new data: one point an hour.
  const { rows: stale } = await db.execute<{ id: string }>(sql`
    select s.id from segments s
    where s.workspace_id = ${opts.workspaceId}::uuid and s.deleted_at is null
      and not exists (select 1 from segment_sizes z where z.workspace_id = s.workspace_id and z.segment_id = s.id and z.at > ${now.toISOString()}::timestamptz - interval '1 hour')`);
  for (const { id } of stale) await snapshotSize(db, { workspaceId: opts.workspaceId, segmentId: id, at: now });
  // Changes stored while the sweep ran are applied at the time each evaluation holds its segment's
  // lock, not at the sweep's start: at that time their events had not happened yet, and the
  // changes would be gone with the customers left out (a test's fixed `now` stays).
  const pending = await drainPendingChanges(db, { workspaceId: opts.workspaceId, now: opts.now });
  const caughtUp = await catchUpChanges(db, { workspaceId: opts.workspaceId, since: new Date(now.getTime() - (opts.windowMs ?? CATCH_UP_MS)), evaluateAt: opts.now });
  return { recomputed, swept: incremental, entered, exited, snapshots: stale.length, pending: pending.batches, caughtUp };
}

/** Every minute: a sweep job for each workspace with dynamic segments or pending changes. */
export async function runSweepSchedule(db: Db) {
  const { rows } = await db.execute<{ workspace_id: string }>(sql`
    select distinct workspace_id from segments where deleted_at is null and kind = 'dynamic'
    union
    select distinct workspace_id from segment_pending_changes where created_at < now() - ${STALE_PENDING_MS}::double precision * interval '1 millisecond'`);
  const queued = await enqueueJobs(
    db,
    rows.map((r) => ({ type: SEGMENTS_SWEEP_JOB, workspaceId: r.workspace_id, dedupeKey: `${SEGMENTS_SWEEP_JOB}:${r.workspace_id}` })),
  );
  return { workspaces: rows.length, queued };
}

export async function runSweepJob(db: Db, job: { workspaceId: string | null }) {
  if (!job.workspaceId) return runSweepSchedule(db);
  return sweepWorkspace(db, { workspaceId: job.workspaceId });
}

/** The recurring sweep (idempotent; run at every start). */
export async function registerSegmentSchedules(db: Queryable, opts: { sweepSeconds?: number } = {}): Promise<void> {
  await scheduleRecurring(db, { name: 'system:segments.sweep', type: SEGMENTS_SWEEP_JOB, intervalSeconds: opts.sweepSeconds ?? DEFAULT_SWEEP_SECONDS });
}
