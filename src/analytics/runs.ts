// The record of each analytics materialisation run: when it ran, how long, for how many
// customers, and what it found (fitted parameters, cut points, reports). The UI shows the last
// run of each kind; an incremental run reuses what the last full run found.
import { and, desc, eq, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Db, Queryable, Tx } from '../db/connection.ts';
import { liveBacklogMs } from '../segments/jobs.ts';
import { analyticsRuns } from './schema.ts';

export const RUN_KINDS = ['scores', 'cohorts', 'basket', 'recommendations', 'affinity'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
export type RunMode = 'full' | 'incremental';

export type AnalyticsRun = {
  id: string;
  kind: RunKind;
  mode: RunMode;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  customers: number;
  result: Record<string, unknown>;
  error: string | null;
};

/**
 * Runs `fn` in a transaction set for work beside live traffic, as an incremental run is (hourly,
 * while events arrive): no parallel workers, so that its scans keep to one core and leave the
 * others to ingestion and the live segment updates, and no JIT, whose compiling cost more than
 * these statements save (140 ms of each 1,000 customers' signals read by the affinity job).
 */
export function inBackground<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await backgroundSettings(tx);
    return fn(tx);
  });
}

/** The settings of `inBackground`, for a transaction of its own caller. */
export async function backgroundSettings(tx: Tx): Promise<void> {
  await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
  await tx.execute(sql`set local jit = off`);
}

/** A live backlog older than this makes `yieldToLive` wait. */
const LIVE_BEHIND_MS = 250;

/**
 * Before each step of work that can wait (an incremental run, hourly, beside live traffic): waits
 * while the workspace's live segment updates are behind (their oldest pending change older than
 * LIVE_BEHIND_MS), up to `maxMs`, so that the step takes the slack of the machine and not the
 * time of an update a customer is waiting for. Returns how long it waited.
 */
export async function yieldToLive(db: Queryable, workspaceId: string, opts: { maxMs?: number; pollMs?: number } = {}): Promise<number> {
  const started = Date.now();
  const maxMs = opts.maxMs ?? 5_000;
  while (Date.now() - started < maxMs && (await liveBacklogMs(db, { workspaceId })) > LIVE_BEHIND_MS) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
  return Date.now() - started;
}

/** Customers whose metrics changed from `since` until `readAt` (when they were read), and whether each has ordered. */
export type Touched = { since: Date; readAt: Date; customers: { id: string; buyer: boolean }[] };

/**
 * Where the next incremental run of a part takes up after `run`: its start, or the time its
 * touched customers were read when that was earlier (a list found for all the parts of a refresh
 * before this part started; what was touched between the two is the next run's).
 */
export function sinceOf(run: AnalyticsRun): Date {
  const started = new Date(run.startedAt);
  const read = typeof run.result.touchedReadAt === 'string' ? new Date(run.result.touchedReadAt) : null;
  return read && read.getTime() < started.getTime() ? read : started;
}

/**
 * The customers whose metrics changed since `since`: one pass over the metrics, which have no
 * index on `updated_at` (it moves with every event, and an index on it would make every metrics
 * update from an event a non-HOT one). An incremental refresh finds them once for all its parts.
 */
export async function findTouched(db: Db, workspaceId: string, since: Date): Promise<Touched> {
  const readAt = new Date();
  const { rows } = await inBackground(db, (tx) =>
    tx.execute<{ customer_id: string; buyer: boolean }>(sql`
      select customer_id, order_count > 0 as buyer from customer_metrics
      where workspace_id = ${workspaceId}::uuid and updated_at >= ${since.toISOString()}::timestamptz order by customer_id`),
  );
  return { since, readAt, customers: rows.map((r) => ({ id: r.customer_id, buyer: r.buyer })) };
}

/** The touched customers of a part whose own window starts at `since`: the shared list when it covers that window, else read now. */
export async function touchedFor(db: Db, workspaceId: string, since: Date, shared?: Touched): Promise<Touched> {
  return shared && shared.since.getTime() <= since.getTime() ? shared : findTouched(db, workspaceId, since);
}

function toRun(r: typeof analyticsRuns.$inferSelect): AnalyticsRun {
  return {
    id: r.id,
    kind: r.kind as RunKind,
    mode: r.mode as RunMode,
    status: r.status as AnalyticsRun['status'],
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationMs: r.durationMs,
    customers: r.customers,
    result: r.result,
    error: r.error,
  };
}

/**
 * Runs `work` as one recorded run: the row says `running` while it works (in its own statement,
 * so a watcher sees it) and the outcome after. A failure is recorded and thrown again.
 */
export async function recordRun<T extends { customers: number; result: Record<string, unknown> }>(
  db: Queryable,
  opts: { workspaceId: string; kind: RunKind; mode: RunMode; now?: Date },
  work: (run: { id: string; startedAt: Date }) => Promise<T>,
): Promise<T & { runId: string }> {
  const id = uuidv7();
  const startedAt = opts.now ?? new Date();
  const t0 = performance.now();
  await db.insert(analyticsRuns).values({ workspaceId: opts.workspaceId, id, kind: opts.kind, mode: opts.mode, status: 'running', startedAt });
  try {
    const out = await work({ id, startedAt });
    await db
      .update(analyticsRuns)
      .set({ status: 'succeeded', finishedAt: sql`now()`, durationMs: Math.round(performance.now() - t0), customers: out.customers, result: out.result })
      .where(and(eq(analyticsRuns.workspaceId, opts.workspaceId), eq(analyticsRuns.id, id)));
    return { ...out, runId: id };
  } catch (err) {
    await db
      .update(analyticsRuns)
      .set({ status: 'failed', finishedAt: sql`now()`, durationMs: Math.round(performance.now() - t0), error: (err as Error).message.slice(0, 2000) })
      .where(and(eq(analyticsRuns.workspaceId, opts.workspaceId), eq(analyticsRuns.id, id)));
    throw err;
  }
}

/** The newest run of a kind (optionally only successful ones, optionally only full ones). */
export async function lastRun(
  db: Queryable,
  opts: { workspaceId: string; kind: RunKind; succeeded?: boolean; mode?: RunMode },
): Promise<AnalyticsRun | null> {
  const [row] = await db
    .select()
    .from(analyticsRuns)
    .where(
      and(
        eq(analyticsRuns.workspaceId, opts.workspaceId),
        eq(analyticsRuns.kind, opts.kind),
        opts.succeeded ? eq(analyticsRuns.status, 'succeeded') : undefined,
        opts.mode ? eq(analyticsRuns.mode, opts.mode) : undefined,
      ),
    )
    // Runs may share a start (a run at a given `now`, as tests and replays do): the newer id
    // (uuidv7) breaks the tie. Without it the order of the ties was the heap's, and a maintained
    // full run could build on the run before the last.
    .orderBy(desc(analyticsRuns.startedAt), desc(analyticsRuns.id))
    .limit(1);
  return row ? toRun(row) : null;
}

/** The newest run of every kind, for the analytics overview ("last computed …"). */
export async function lastRuns(db: Queryable, opts: { workspaceId: string }): Promise<Partial<Record<RunKind, AnalyticsRun>>> {
  const out: Partial<Record<RunKind, AnalyticsRun>> = {};
  for (const kind of RUN_KINDS) {
    const run = await lastRun(db, { workspaceId: opts.workspaceId, kind });
    // The findings are served by each report; the overview only says when and how it went.
    if (run) out[kind] = { ...run, result: {} };
  }
  return out;
}
