// Live membership: a segment's compiled query is compared with its current members in one SQL
// statement (new members inserted, departed ones removed, history rows opened and closed, a
// `Segment Entered` / `Segment Exited` event written for each change), either for the whole
// workspace (recomputeSegment) or for a few customers whose data just changed (evaluateCustomers).
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { compileSegment, type CompileContext } from './compile.ts';
import { segmentDependencies, type SegmentDefinition, type SegmentDependencies } from './definition.ts';
import { planSegment } from './plan.ts';
import { dynamicSegmentRows, requireSegmentRow, type SegmentRow } from './segments.ts';
import { runMembershipHooks } from './hooks.ts';

export const SEGMENT_ENTERED_EVENT = 'Segment Entered';
export const SEGMENT_EXITED_EVENT = 'Segment Exited';

export type ChangeKind = 'orders' | 'profile' | 'consent' | 'preferences' | 'metrics';
export const CHANGE_KINDS: readonly ChangeKind[] = ['orders', 'profile', 'consent', 'preferences', 'metrics'];

/**
 * What changed for the customers being re-evaluated: events of these names, data of these
 * kinds, or `everything` (a customer created, deleted, restored or merged: any segment may
 * now hold them or not, even one on events alone).
 */
export type ChangeCause = { eventNames?: string[]; anyEvent?: boolean; changes?: ChangeKind[]; everything?: boolean };

/**
 * For a query over all customers (recompute, preview), in its transaction. The plan is simple
 * and short-lived: compiling it with JIT cost more than running it (as in analytics). 64 MB to
 * hash the customers of each behaviour condition (under `not` or `or` a subplan hashes them only
 * if they fit, else it searches the list once per customer). No parallel workers: each one built
 * the whole hash of a condition again (1M customers / 20M events: 6.8 s with two, 4.1 s without).
 */
export async function segmentQuerySettings(tx: Queryable): Promise<void> {
  // One round trip (a preview runs as the user edits); `true`: for this transaction only, as `set local`.
  await tx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('max_parallel_workers_per_gather', '0', true)`);
}

/**
 * Around a query over all customers with conditions evaluated per customer (plan.ts): a parallel
 * worker, and no nested-loop joins. The worker hashes the narrow conditions again (a fraction of
 * a second), but it shares the scan of customers and the joins with the leader. The planner
 * underestimates how many customers a behaviour condition lets through (3× here) and looked up
 * their metrics rows one by one: 1.25 s for 178k customers, where a hash join over all metrics
 * rows took 0.6 s. At 1M customers / 20M events, on 2 cores, the target of the 4-condition bench
 * segment took 2.1–2.8 s this way, 2.5–3.9 s with two workers and 3.4–3.8 s with none
 * (alternating runs). `false` restores the defaults of segmentQuerySettings.
 */
export async function perCustomerQuerySettings(tx: Queryable, on: boolean): Promise<void> {
  await tx.execute(sql`select set_config('max_parallel_workers_per_gather', ${on ? '1' : '0'}::text, true), set_config('enable_nestloop', ${on ? 'off' : 'on'}::text, true)`);
}

export type DiffResult = { entered: number; exited: number };

/** A stored segment's members, as the compiler embeds them when another segment refers to it. */
export function segmentMembersSql(workspaceId: string) {
  return (segmentId: string): SQL =>
    sql`select sm.customer_id from segment_members sm where sm.workspace_id = ${workspaceId}::uuid and sm.segment_id = ${segmentId}::uuid`;
}

export function compileContext(opts: { workspaceId: string; now: Date; customerIds?: string[]; sample?: number }): CompileContext {
  return {
    workspaceId: opts.workspaceId,
    now: opts.now,
    segmentMembers: segmentMembersSql(opts.workspaceId),
    ...(opts.customerIds ? { customerIds: opts.customerIds } : {}),
    ...(opts.sample !== undefined ? { sample: opts.sample } : {}),
  };
}

/** Whether a change can move customers in or out of a segment with these dependencies. Pure. */
export function isAffected(deps: SegmentDependencies, cause: ChangeCause, changedSegments: ReadonlySet<string>): boolean {
  if (cause.everything) return true;
  const names = cause.eventNames ?? [];
  // Any event moves the behaviour metrics (event count, last seen…); only orders move the order ones.
  if ((deps.anyEvent || deps.eventMetrics) && (names.length > 0 || cause.anyEvent)) return true;
  if (names.some((n) => deps.eventNames.includes(n))) return true;
  for (const kind of cause.changes ?? []) if (deps[kind] || (kind === 'orders' && deps.orderMetrics)) return true;
  return deps.segments.some((id) => changedSegments.has(id));
}

/** Segments ordered so that every segment comes after the ones it refers to. Pure. */
export function dependencyOrder<T extends { id: string; refs: readonly string[] }>(rows: readonly T[]): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (r: T) => {
    if (state.get(r.id)) return; // a cycle cannot be stored; 'visiting' here would only repeat one
    state.set(r.id, 'visiting');
    for (const ref of r.refs) {
      const dep = byId.get(ref);
      if (dep) visit(dep);
    }
    state.set(r.id, 'done');
    out.push(r);
  };
  rows.forEach(visit);
  return out;
}

// A UUIDv7 made in SQL from a time (PostgreSQL 15 has no uuidv7()): 48 bits of milliseconds,
// the version and variant bits, the rest random.
const uuidv7At = (at: SQL) =>
  sql`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send((extract(epoch from ${at}) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;

/**
 * Takes the segment's lock for the rest of the transaction: a live update and a full recompute of
 * one segment never interleave. An evaluation that chose its time (`now`) before waiting here could
 * read events newer than that time and leave them out (as not yet happened): a customer a live
 * update had just let in would be put out again, with no change left pending to correct it. So
 * an evaluation asks the clock once it holds the lock (`evaluationTime`).
 */
export async function lockSegment(tx: Queryable, opts: { workspaceId: string; segmentId: string }): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`segment:${opts.workspaceId}:${opts.segmentId}`}, 0))`);
}

/**
 * The time an evaluation of a segment holds membership for: the caller's (a test, a replay) or,
 * taken once the segment's lock is held, now. Every event stored before then is counted; one
 * stored after has a pending change that a later live update applies, after this one.
 */
async function evaluationTime(tx: Queryable, opts: { workspaceId: string; segmentId: string; now?: Date }): Promise<Date> {
  await lockSegment(tx, opts);
  return opts.now ?? new Date();
}

/**
 * Applies `target` (rows with a customer_id column) to the segment's current members: only
 * `customerIds` when given, every member otherwise. Runs in a transaction holding the segment's
 * advisory lock, so a live update and a full recompute of one segment never interleave.
 */
export async function applyTarget(
  db: Queryable,
  opts: { workspaceId: string; segment: { id: string; name: string }; target: SQL; now: Date; customerIds?: string[] },
): Promise<DiffResult> {
  const { workspaceId, segment, now } = opts;
  const ws = sql`${workspaceId}::uuid`;
  const seg = sql`${segment.id}::uuid`;
  const at = sql`${now.toISOString()}::timestamptz`;
  const ids = opts.customerIds ? sql`${sql.param(opts.customerIds)}::uuid[]` : undefined;
  const scopeTarget = ids ? sql`where t.customer_id = any(${ids})` : sql``;
  const scopeMembers = ids ? sql`and m.customer_id = any(${ids})` : sql``;
  // Over the whole segment, new members are found by an anti-join with the current ones (a
  // conflict per existing member would cost more). For a few customers, ON CONFLICT alone finds
  // them: the anti-join needs nothing of the statistics, which lag behind a segment that just
  // filled up (planned as if it had one member, every target customer scanned all 62k members).
  const newOnly = ids
    ? sql``
    : sql`where not exists (select 1 from segment_members m where m.workspace_id = ${ws} and m.segment_id = ${seg} and m.customer_id = t.customer_id)`;
  const props = sql`jsonb_build_object('segment_id', ${segment.id}::text, 'segment_name', ${segment.name}::text)`;
  const context = sql`'{"library":{"name":"rapport","version":"segments"}}'::jsonb`;
  return db.transaction(async (tx) => {
    await lockSegment(tx, { workspaceId, segmentId: segment.id });
    const { rows } = await tx.execute<{ entered: number; exited: number }>(sql`
      with target as materialized (select distinct t.customer_id from (${opts.target}) t ${scopeTarget}),
      gone as (
        delete from segment_members m
        where m.workspace_id = ${ws} and m.segment_id = ${seg} ${scopeMembers}
          and not exists (select 1 from target t where t.customer_id = m.customer_id)
        returning m.customer_id, m.entered_at),
      added as (
        insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
        select ${ws}, ${seg}, t.customer_id, ${at} from target t ${newOnly}
        on conflict do nothing
        returning customer_id),
      closed as (
        update segment_membership_history h set exited_at = ${at}
        from gone g
        where h.workspace_id = ${ws} and h.segment_id = ${seg} and h.customer_id = g.customer_id and h.exited_at is null),
      opened as (
        insert into segment_membership_history (workspace_id, segment_id, customer_id, entered_at)
        select ${ws}, ${seg}, a.customer_id, ${at} from added a
        on conflict do nothing),
      -- Rapport's own observation, written straight into the stream like Cart Abandoned: one
      -- event per stay and direction (the message id names the stay), so a retry adds nothing.
      written as (
        insert into events (workspace_id, id, message_id, customer_id, type, name, properties, context, timestamp, received_at)
        select ${ws}, ${uuidv7At(at)}, 'segment-entered:' || ${segment.id}::text || ':' || a.customer_id::text || ':' || (extract(epoch from ${at}) * 1000)::bigint::text,
          a.customer_id, 'track', ${SEGMENT_ENTERED_EVENT}, ${props}, ${context}, ${at}, ${at}
        from added a
        union all
        select ${ws}, ${uuidv7At(at)}, 'segment-exited:' || ${segment.id}::text || ':' || g.customer_id::text || ':' || (extract(epoch from g.entered_at) * 1000)::bigint::text,
          g.customer_id, 'track', ${SEGMENT_EXITED_EVENT}, ${props}, ${context}, ${at}, ${at}
        from gone g
        on conflict (workspace_id, message_id) do nothing)
      select (select count(*) from added)::int as entered, (select count(*) from gone)::int as exited`);
    const diff = { entered: Number(rows[0]?.entered ?? 0), exited: Number(rows[0]?.exited ?? 0) };
    await runMembershipHooks(tx, { workspaceId, segmentId: segment.id, at: now, ...diff, ...(opts.customerIds ? { customerIds: opts.customerIds } : {}) });
    if (opts.customerIds) {
      if (diff.entered !== diff.exited) {
        await tx.execute(sql`update segments set size = greatest(0, size + ${diff.entered - diff.exited}) where workspace_id = ${ws} and id = ${seg}`);
      }
    } else {
      await tx.execute(sql`
        update segments set size = (select count(*) from segment_members where workspace_id = ${ws} and segment_id = ${seg}), last_computed_at = ${at}
        where workspace_id = ${ws} and id = ${seg}`);
      await snapshotSize(tx, { workspaceId, segmentId: segment.id, at: now, ...diff });
    }
    return diff;
  });
}

/** Records the segment's size now (size over time), with what moved since the last full computation. */
export async function snapshotSize(db: Queryable, opts: { workspaceId: string; segmentId: string; at: Date; entered?: number; exited?: number }): Promise<void> {
  await db.execute(sql`
    insert into segment_sizes (workspace_id, segment_id, at, size, entered, exited)
    select workspace_id, id, ${opts.at.toISOString()}::timestamptz, size, ${opts.entered ?? 0}, ${opts.exited ?? 0}
    from segments where workspace_id = ${opts.workspaceId}::uuid and id = ${opts.segmentId}::uuid
    on conflict (workspace_id, segment_id, at) do update set size = excluded.size, entered = excluded.entered, exited = excluded.exited`);
}

/** Recomputes a dynamic segment over the whole workspace. A static segment is left as it is. */
export async function recomputeSegment(
  db: Queryable,
  opts: { workspaceId: string; segmentId: string; now?: Date; plan?: Parameters<typeof planSegment>[3] },
): Promise<DiffResult & { size: number; ms: number }> {
  const started = Date.now();
  const row = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.segmentId });
  if (row.kind !== 'dynamic' || !row.definition) return { entered: 0, exited: 0, size: row.size, ms: Date.now() - started };
  // Fresh statistics first: with stale ones (a segment that just filled up) the planner takes
  // segment_members for tiny and anti-joins it to the target by nested loop, 55 s instead of 4 s
  // at 30k members. ANALYZE samples a fixed number of rows, so it costs tens of milliseconds.
  await db.execute(sql`analyze segment_members`);
  const diff = await db.transaction(async (tx) => {
    const now = await evaluationTime(tx, { workspaceId: opts.workspaceId, segmentId: row.id, now: opts.now });
    await segmentQuerySettings(tx);
    const def = row.definition as SegmentDefinition;
    const ctx = compileContext({ workspaceId: opts.workspaceId, now });
    const { correlate } = await planSegment(tx, def, ctx, opts.plan);
    const query = compileSegment(def, { ...ctx, correlate });
    if (correlate.size === 0) return applyTarget(tx, { workspaceId: opts.workspaceId, segment: row, target: query, now });
    // With conditions evaluated per customer, the target is computed on its own, by a statement
    // that may use parallel workers (one with data-modifying CTEs, as the diff, never does) and
    // hash joins (see perCustomerQuerySettings); then the diff reads it.
    await perCustomerQuerySettings(tx, true);
    await tx.execute(sql`create temp table segment_target on commit drop as ${query}`);
    await perCustomerQuerySettings(tx, false);
    const diff = await applyTarget(tx, { workspaceId: opts.workspaceId, segment: row, target: sql`select customer_id from segment_target`, now });
    await tx.execute(sql`drop table segment_target`);
    return diff;
  });
  // And after: a live update plans its statements on them (a few customers' rows by the key).
  if (diff.entered + diff.exited > 0) await db.execute(sql`analyze segment_members`);
  const [after] = (await db.execute<{ size: number }>(sql`select size from segments where workspace_id = ${opts.workspaceId}::uuid and id = ${opts.segmentId}::uuid`)).rows;
  return { ...diff, size: Number(after?.size ?? 0), ms: Date.now() - started };
}

export type EvaluateResult = { segments: number; entered: number; exited: number; changed: string[] };

/** Customers whose data changed in one way (the same cause). */
export type ChangedCustomers = { customerIds: string[]; cause: ChangeCause };

/**
 * Customers per evaluation statement. Callers outside a transaction (the sweep) also commit per
 * chunk: a segment's lock is then held for one chunk, not for all of them.
 *
 * 500, not more: at 1M customers / 20M events, 5,000 random customers took 0.9–1.5 s as one
 * statement and 0.32–0.45 s as ten of 500 (250: about the same; 100: 0.5 s, the statements' own
 * cost shows). A statement over 5,000 customers reads as many pages as shared_buffers holds
 * (128 MB), so it pushes out the pages it needs again.
 */
export const EVALUATE_CHUNK = 500;

/**
 * Re-evaluates, for these customers only, the dynamic segments the change can affect (by
 * segmentDependencies), in dependency order so a segment built on another sees its new members.
 */
export async function evaluateCustomers(
  db: Queryable,
  opts: { workspaceId: string; customerIds: string[]; now?: Date; cause: ChangeCause; rows?: SegmentRow[] },
): Promise<EvaluateResult> {
  return evaluateChangeGroups(db, { workspaceId: opts.workspaceId, groups: [{ customerIds: opts.customerIds, cause: opts.cause }], now: opts.now, rows: opts.rows });
}

/**
 * Re-evaluates several groups of changed customers at once: each segment once, for the customers
 * of every group whose change can move it, and a segment built on another for the customers that
 * other one was re-evaluated for when its membership moved. A live drain holds many groups (one
 * per mix of event names in a batch); evaluated group by group, each segment ran once per group.
 */
export async function evaluateChangeGroups(
  db: Queryable,
  opts: { workspaceId: string; groups: ChangedCustomers[]; now?: Date; rows?: SegmentRow[] },
): Promise<EvaluateResult> {
  const result: EvaluateResult = { segments: 0, entered: 0, exited: 0, changed: [] };
  const groups = opts.groups.filter((g) => g.customerIds.length > 0);
  if (groups.length === 0) return result;
  const rows = dependencyOrder(opts.rows ?? (await dynamicSegmentRows(db, { workspaceId: opts.workspaceId })));
  const none = new Set<string>();
  const candidates = rows.flatMap((row) => {
    const def = row.definition as SegmentDefinition | null;
    if (!def) return [];
    const deps = segmentDependencies(def);
    const ids = new Set<string>();
    for (const g of groups) if (isAffected(deps, g.cause, none)) for (const id of g.customerIds) ids.add(id);
    return [{ row, def, deps, ids }];
  });
  // A segment built on another is affected only once that one changed: none directly, none at all.
  if (!candidates.some((c) => c.ids.size > 0)) return result;
  const moved = new Map<string, Set<string>>();
  await db.transaction(async (tx) => {
    // Without it, thousands of customers' estimated rows put the query over the JIT threshold:
    // 30 ms of compiling for a query that runs in hundreds.
    await segmentQuerySettings(tx);
    for (const { row, def, deps, ids } of candidates) {
      for (const ref of deps.segments) for (const id of moved.get(ref) ?? []) ids.add(id);
      if (ids.size === 0) continue;
      const now = await evaluationTime(tx, { workspaceId: opts.workspaceId, segmentId: row.id, now: opts.now });
      const all = [...ids];
      let diff = { entered: 0, exited: 0 };
      for (let i = 0; i < all.length; i += EVALUATE_CHUNK) {
        const customerIds = all.slice(i, i + EVALUATE_CHUNK);
        const target = compileSegment(def, compileContext({ workspaceId: opts.workspaceId, now, customerIds }));
        const d = await applyTarget(tx, { workspaceId: opts.workspaceId, segment: row, target, now, customerIds });
        diff = { entered: diff.entered + d.entered, exited: diff.exited + d.exited };
      }
      result.segments++;
      result.entered += diff.entered;
      result.exited += diff.exited;
      if (diff.entered + diff.exited > 0) moved.set(row.id, ids);
    }
  });
  result.changed = [...moved.keys()];
  return result;
}

/** Segments whose definitions refer to one of these (directly), for recomputing what depends on a change. */
export async function dependentSegmentIds(db: Queryable, opts: { workspaceId: string; segmentIds: string[] }): Promise<string[]> {
  if (opts.segmentIds.length === 0) return [];
  const { rows } = await db.execute<{ id: string }>(sql`
    select id from segments
    where workspace_id = ${opts.workspaceId}::uuid and deleted_at is null and kind = 'dynamic' and refs && ${sql.param(opts.segmentIds)}::uuid[]`);
  return rows.map((r) => r.id);
}
