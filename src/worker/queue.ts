// The job queue: jobs are rows, enqueued in the caller's transaction and claimed with
// FOR UPDATE SKIP LOCKED, so any number of workers can share one table.
//
// A claim is identified by (locked_by, attempts): every claim increments `attempts`, so a
// worker whose lease expired cannot complete or fail a later claim of the same job, even
// one made by a worker with the same id.
import { and, desc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { jobs, recurringJobs } from './schema.ts';

export type Job = typeof jobs.$inferSelect;
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'dead';

export type EnqueueOptions = {
  type: string;
  payload?: unknown;
  workspaceId?: string | null;
  queue?: string;
  /** When the job may run; defaults to now. */
  runAt?: Date;
  /** Alternative to runAt, measured on the database clock. */
  delayMs?: number;
  priority?: number;
  maxAttempts?: number;
  /** While a job with this key is queued or running, enqueueing the same key returns that job. */
  dedupeKey?: string;
};

// The predicate of the partial unique index jobs_dedupe_key; ON CONFLICT must repeat it.
const activeDedupe = sql`status in ('queued', 'running')`;

// Workers of this process, told when a job is enqueued here (see startWorker). A job enqueued in a
// transaction shows when that commits, so they look soon after, not at once.
const queuedListeners = new Set<() => void>();

/** Calls `fn` whenever this process enqueues a job (not one deduplicated away); returns the unsubscribe. */
export function onJobQueued(fn: () => void): () => void {
  queuedListeners.add(fn);
  return () => queuedListeners.delete(fn);
}

function announceQueued(): void {
  for (const fn of queuedListeners) fn();
}

function checkOptions(o: EnqueueOptions): void {
  if (!o.type) throw new AppError('invalid_input', 'job type: must not be empty');
  if (o.maxAttempts !== undefined && (!Number.isInteger(o.maxAttempts) || o.maxAttempts < 1)) {
    throw new AppError('invalid_input', `job ${o.type}: maxAttempts must be an integer ≥ 1`);
  }
  if (o.priority !== undefined && !Number.isInteger(o.priority)) {
    throw new AppError('invalid_input', `job ${o.type}: priority must be an integer`);
  }
}

function runAtValue(o: EnqueueOptions): Date | SQL {
  if (o.runAt) return o.runAt;
  return o.delayMs ? sql`now() + ${o.delayMs}::double precision * interval '1 millisecond'` : sql`now()`;
}

/** Enqueues one job on `db`, which may be an open transaction: the job exists only if it commits. */
export async function enqueueJob(db: Queryable, opts: EnqueueOptions): Promise<{ id: string; deduped: boolean }> {
  checkOptions(opts);
  // A conflicting job can finish between our insert and our select; then the key is free again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insert(jobs)
      .values({
        id: uuidv7(),
        workspaceId: opts.workspaceId ?? null,
        queue: opts.queue ?? 'default',
        type: opts.type,
        payload: opts.payload ?? {},
        priority: opts.priority ?? 0,
        runAt: runAtValue(opts),
        maxAttempts: opts.maxAttempts ?? 5,
        dedupeKey: opts.dedupeKey ?? null,
      })
      .onConflictDoNothing({ target: jobs.dedupeKey, where: activeDedupe })
      .returning({ id: jobs.id });
    if (inserted[0]) {
      announceQueued();
      return { id: inserted[0].id, deduped: false };
    }
    if (opts.dedupeKey === undefined) break;
    const [existing] = await db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.dedupeKey, opts.dedupeKey), activeDedupe))
      .limit(1);
    if (existing) return { id: existing.id, deduped: true };
  }
  throw new Error(`enqueueJob ${opts.type}: could not insert or find job with dedupe key ${opts.dedupeKey}`);
}

/** Enqueues many jobs in one statement; returns how many were inserted (deduplicated ones are not). */
export async function enqueueJobs(db: Queryable, list: EnqueueOptions[]): Promise<number> {
  if (list.length === 0) return 0;
  list.forEach(checkOptions);
  // unnest keeps the statement at nine parameters however many rows there are.
  const col = <T>(f: (o: EnqueueOptions) => T) => sql.param(list.map(f));
  const result = await db.execute(sql`
    insert into jobs (id, workspace_id, queue, type, payload, priority, run_at, max_attempts, dedupe_key)
    select id, workspace_id, queue, type, payload::jsonb, priority,
           coalesce(run_at, now() + coalesce(delay_ms, 0) * interval '1 millisecond'), max_attempts, dedupe_key
    from unnest(
      ${col(() => uuidv7())}::uuid[], ${col((o) => o.workspaceId ?? null)}::uuid[], ${col((o) => o.queue ?? 'default')}::text[],
      ${col((o) => o.type)}::text[], ${col((o) => JSON.stringify(o.payload ?? {}))}::text[], ${col((o) => o.priority ?? 0)}::int[],
      ${col((o) => o.runAt ?? null)}::timestamptz[], ${col((o) => o.delayMs ?? null)}::double precision[],
      ${col((o) => o.maxAttempts ?? 5)}::int[], ${col((o) => o.dedupeKey ?? null)}::text[]
    ) as t(id, workspace_id, queue, type, payload, priority, run_at, delay_ms, max_attempts, dedupe_key)
    on conflict (dedupe_key) where ${activeDedupe} do nothing`);
  if (result.rowCount) announceQueued();
  return result.rowCount ?? 0;
}

export type RecurringOptions = {
  name: string;
  type: string;
  payload?: unknown;
  intervalSeconds: number;
  workspaceId?: string | null;
  queue?: string;
  /** First slot; on an existing schedule, moves its next run. Defaults to now for a new one. */
  firstRunAt?: Date;
};

/** Creates or updates a named schedule. Updating keeps its next run unless firstRunAt is given. */
export async function scheduleRecurring(db: Queryable, opts: RecurringOptions): Promise<void> {
  if (!Number.isInteger(opts.intervalSeconds) || opts.intervalSeconds < 1) {
    throw new AppError('invalid_input', `recurring job ${opts.name}: intervalSeconds must be an integer ≥ 1`);
  }
  const values = {
    type: opts.type,
    payload: opts.payload ?? {},
    intervalSeconds: opts.intervalSeconds,
    workspaceId: opts.workspaceId ?? null,
    queue: opts.queue ?? 'default',
  };
  await db
    .insert(recurringJobs)
    .values({ name: opts.name, ...values, nextRunAt: opts.firstRunAt ?? sql`now()` })
    .onConflictDoUpdate({ target: recurringJobs.name, set: opts.firstRunAt ? { ...values, nextRunAt: opts.firstRunAt } : values });
}

export async function unscheduleRecurring(db: Queryable, name: string): Promise<boolean> {
  const rows = await db.delete(recurringJobs).where(eq(recurringJobs.name, name)).returning({ name: recurringJobs.name });
  return rows.length > 0;
}

/**
 * Enqueues one job for each due schedule and moves it to its first slot after `now`, so a
 * worker that was down for a day enqueues one job, not a day of them.
 */
export async function enqueueDueRecurring(db: Queryable, now: Date = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(recurringJobs)
      .where(lte(recurringJobs.nextRunAt, now))
      .for('update', { skipLocked: true });
    let enqueued = 0;
    for (const r of due) {
      const intervalMs = r.intervalSeconds * 1000;
      const slot = new Date(r.nextRunAt.getTime() + Math.floor((now.getTime() - r.nextRunAt.getTime()) / intervalMs) * intervalMs);
      const { deduped } = await enqueueJob(tx, {
        type: r.type,
        payload: r.payload,
        workspaceId: r.workspaceId,
        queue: r.queue,
        dedupeKey: `recurring:${r.name}:${slot.toISOString()}`,
      });
      if (!deduped) enqueued++;
      await tx
        .update(recurringJobs)
        .set({ nextRunAt: new Date(slot.getTime() + intervalMs), lastEnqueuedAt: now })
        .where(eq(recurringJobs.name, r.name));
    }
    return enqueued;
  });
}

export type ClaimOptions = { workerId: string; types: string[]; queues?: string[]; limit: number; leaseMs: number };

/** Claims up to `limit` ready jobs of the given types, highest priority first, then oldest run_at. */
export async function claimJobs(db: Queryable, opts: ClaimOptions): Promise<Job[]> {
  if (opts.types.length === 0 || opts.limit < 1 || opts.queues?.length === 0) return [];
  const ready = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.status, 'queued'),
        lte(jobs.runAt, sql`now()`),
        sql`${jobs.type} = any(${sql.param(opts.types)}::text[])`,
        opts.queues ? sql`${jobs.queue} = any(${sql.param(opts.queues)}::text[])` : undefined,
      ),
    )
    .orderBy(desc(jobs.priority), jobs.runAt)
    .limit(opts.limit)
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(jobs)
    .set({
      status: 'running',
      attempts: sql`${jobs.attempts} + 1`,
      lockedBy: opts.workerId,
      lockedUntil: sql`now() + ${opts.leaseMs}::double precision * interval '1 millisecond'`,
      updatedAt: sql`now()`,
    })
    // The status check again: another claimer may have taken a row between snapshot and lock.
    .where(and(inArray(jobs.id, ready), eq(jobs.status, 'queued')))
    .returning();
  // RETURNING has no order; hand them out in claim order.
  return claimed.sort((a, b) => b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime());
}

/**
 * Whether a job of these types (and queues) has been due for at least `forMs` without any worker
 * taking it: every slot that could run it is busy.
 */
export async function jobsWaiting(db: Queryable, opts: { types: string[]; queues?: string[]; forMs: number }): Promise<boolean> {
  if (opts.types.length === 0 || opts.queues?.length === 0) return false;
  const { rows } = await db.execute(sql`
    select 1 from jobs
    where status = 'queued' and run_at <= now() - ${opts.forMs}::double precision * interval '1 millisecond'
      and type = any(${sql.param(opts.types)}::text[])
      ${opts.queues ? sql`and queue = any(${sql.param(opts.queues)}::text[])` : sql``}
    limit 1`);
  return rows.length > 0;
}

/**
 * Takes back jobs whose worker stopped renewing its lease (it died or hung): they are queued
 * again, or dead-lettered when that was their last attempt. `exceptIds` are jobs the caller
 * itself is still running.
 */
export async function reapExpiredLeases(db: Queryable, opts: { exceptIds?: string[]; limit?: number } = {}): Promise<number> {
  const expired = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.status, 'running'),
        sql`${jobs.lockedUntil} < now()`,
        opts.exceptIds?.length ? sql`not (${jobs.id} = any(${sql.param(opts.exceptIds)}::uuid[]))` : undefined,
      ),
    )
    .limit(opts.limit ?? 100)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(jobs)
    .set({
      status: sql`case when ${jobs.attempts} >= ${jobs.maxAttempts} then 'dead' else 'queued' end`,
      finishedAt: sql`case when ${jobs.attempts} >= ${jobs.maxAttempts} then now() end`,
      lastError: sql`'lease expired: worker ' || ${jobs.lockedBy} || ' stopped responding'`,
      lockedBy: null,
      lockedUntil: null,
      runAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(inArray(jobs.id, expired), eq(jobs.status, 'running'), sql`${jobs.lockedUntil} < now()`))
    .returning({ id: jobs.id });
  return rows.length;
}

export type LeaseRef = { id: string; workerId: string; attempt: number };

function held(ref: LeaseRef): SQL | undefined {
  return and(eq(jobs.id, ref.id), eq(jobs.status, 'running'), eq(jobs.lockedBy, ref.workerId), eq(jobs.attempts, ref.attempt));
}

/** Renews the lease; false when it was lost (the job was reclaimed or finished elsewhere). */
export async function extendLease(db: Queryable, ref: LeaseRef & { leaseMs: number }): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ lockedUntil: sql`now() + ${ref.leaseMs}::double precision * interval '1 millisecond'`, updatedAt: sql`now()` })
    .where(held(ref))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Marks the job succeeded with its result; false when this claim no longer holds the job. */
export async function completeJob(db: Queryable, ref: LeaseRef & { result?: unknown }): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({
      status: 'succeeded',
      result: ref.result ?? null,
      lockedBy: null,
      lockedUntil: null,
      finishedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(held(ref))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/**
 * Deletes the succeeded runs of recurring schedules finished before `before` (a schedule that runs
 * every few seconds would otherwise add tens of thousands of rows a day). One-off jobs and dead
 * jobs stay, for the jobs page and their retry.
 */
export async function deleteOldRecurringRuns(db: Queryable, before: Date): Promise<number> {
  const rows = await db
    .delete(jobs)
    .where(and(eq(jobs.status, 'succeeded'), lte(jobs.finishedAt, before), sql`${jobs.dedupeKey} like 'recurring:%'`))
    .returning({ id: jobs.id });
  return rows.length;
}

export type Backoff = { baseMs: number; maxMs: number };
export const defaultBackoff: Backoff = { baseMs: 1000, maxMs: 3_600_000 };

/**
 * Delay before retrying after failed attempt number `attempt` (1-based): exponential, capped,
 * with jitter in its upper half so that jobs failing together do not retry together.
 */
export function retryDelayMs(attempt: number, backoff: Backoff = defaultBackoff, random: () => number = Math.random): number {
  const delay = Math.min(backoff.baseMs * 2 ** Math.max(0, attempt - 1), backoff.maxMs);
  return Math.round(delay / 2 + (random() * delay) / 2);
}

/**
 * Records a failed attempt: the job is queued again after a backoff, or dead-lettered when it
 * has used all its attempts. Undefined when this claim no longer holds the job.
 */
export async function failJob(
  db: Queryable,
  ref: LeaseRef & { error: string; backoff?: Backoff; delayMs?: number },
): Promise<{ status: 'queued' | 'dead'; runAt: Date } | undefined> {
  const delayMs = ref.delayMs ?? retryDelayMs(ref.attempt, ref.backoff);
  const exhausted = sql`${jobs.attempts} >= ${jobs.maxAttempts}`;
  const rows = await db
    .update(jobs)
    .set({
      status: sql`case when ${exhausted} then 'dead' else 'queued' end`,
      runAt: sql`case when ${exhausted} then ${jobs.runAt} else now() + ${delayMs}::double precision * interval '1 millisecond' end`,
      finishedAt: sql`case when ${exhausted} then now() end`,
      lastError: ref.error.slice(0, 4000),
      lockedBy: null,
      lockedUntil: null,
      updatedAt: sql`now()`,
    })
    .where(held(ref))
    .returning({ status: jobs.status, runAt: jobs.runAt });
  const row = rows[0];
  return row ? { status: row.status === 'dead' ? 'dead' : 'queued', runAt: row.runAt } : undefined;
}

/** For an admin view: newest first. `workspaceId: null` lists system jobs only. */
export async function listJobs(
  db: Queryable,
  opts: { workspaceId?: string | null; status?: JobStatus; type?: string; limit?: number },
): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(
      and(
        opts.workspaceId === undefined ? undefined : opts.workspaceId === null ? sql`${jobs.workspaceId} is null` : eq(jobs.workspaceId, opts.workspaceId),
        opts.status ? eq(jobs.status, opts.status) : undefined,
        opts.type ? eq(jobs.type, opts.type) : undefined,
      ),
    )
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(Math.min(Math.max(opts.limit ?? 50, 1), 500));
}

/** `workspaceId` scopes the lookup, so a workspace's view cannot read another's job by id. */
export async function getJob(db: Queryable, id: string, scope: { workspaceId?: string } = {}): Promise<Job | undefined> {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), scope.workspaceId ? eq(jobs.workspaceId, scope.workspaceId) : undefined));
  return row;
}

export type RetryResult = { status: 'retried'; job: Job } | { status: 'not_found' | 'not_dead' | 'duplicate' };

/**
 * Queues a dead job again with a fresh budget of attempts. `attempts` keeps counting (it is
 * part of the claim's identity), so the budget is raised instead of the count reset.
 * 'duplicate': a job with the same dedupe key is already queued or running.
 */
export async function retryDeadJob(db: Queryable, id: string, scope: { workspaceId?: string } = {}): Promise<RetryResult> {
  const [row] = await db
    .update(jobs)
    .set({
      status: 'queued',
      maxAttempts: sql`${jobs.attempts} + ${jobs.maxAttempts}`,
      runAt: sql`now()`,
      finishedAt: null,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(jobs.id, id),
        eq(jobs.status, 'dead'),
        scope.workspaceId ? eq(jobs.workspaceId, scope.workspaceId) : undefined,
        // Written out in full: inside the subquery an unqualified dedupe_key would mean j's.
        sql`(jobs.dedupe_key is null or not exists (
          select 1 from jobs j where j.dedupe_key = jobs.dedupe_key and j.status in ('queued', 'running')))`,
      ),
    )
    .returning();
  if (row) return { status: 'retried', job: row };
  const existing = await getJob(db, id, scope);
  if (!existing) return { status: 'not_found' };
  return { status: existing.status === 'dead' ? 'duplicate' : 'not_dead' };
}
