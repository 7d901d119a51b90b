// The record of each analytics materialisation run: when it ran, how long, for how many
// customers, and what it found (fitted parameters, cut points, reports). The UI shows the last
// run of each kind; an incremental run reuses what the last full run found.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
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

/** Pages of a table that `pagedPass` reads in one statement: 32 MB, 40–80 ms of metrics beside 5,000 events/s. */
const PASS_PAGES = 4096;

/** Whether the database has one connection (PGlite): then nothing runs beside a statement. */
function oneConnection(db: Db): boolean {
  const pool = (db as unknown as { $client?: { options?: { max?: number } } }).$client;
  return pool?.options?.max === 1;
}

/**
 * One read of every row of a table that a run beside live traffic makes (the metrics: a million
 * rows at 1M customers, 1–1.5 s of one core in one statement, while the live segment updates
 * waited for the CPU). On a server it reads a range of pages at a time (`range`, a condition on
 * `ctid` that PostgreSQL answers with a scan of those pages only), all in one snapshot (a
 * repeatable-read transaction: a row that an update moves to another page meanwhile is read once,
 * as it was), and between two ranges it yields to the live updates and rests as long as the
 * range took. With one connection (PGlite) nothing runs beside it, and a transaction would hold
 * the connection the yielding needs: one statement. Returns the rows of all the ranges.
 */
export async function pagedPass<R extends Record<string, unknown>>(
  db: Db,
  opts: { workspaceId: string; table: string; pages?: number },
  query: (range: SQL) => SQL,
): Promise<{ rows: R[]; ranges: number }> {
  if (oneConnection(db)) return { rows: (await inBackground(db, (tx) => tx.execute<R>(query(sql`true`)))).rows as R[], ranges: 1 };
  const step = opts.pages ?? PASS_PAGES;
  return db.transaction(
    async (tx) => {
      await backgroundSettings(tx);
      // Read in the snapshot: every row it sees lies within the table's size now.
      const { rows } = await tx.execute<{ pages: number }>(
        sql`select (pg_relation_size(${opts.table}::regclass) / current_setting('block_size')::int)::int as pages`,
      );
      const pages = Number(rows[0]!.pages);
      const out: R[] = [];
      let ranges = 0;
      for (let from = 0; ; from += step) {
        const last = from + step >= pages;
        const range = last
          ? sql`ctid >= ${`(${from},0)`}::tid`
          : sql`ctid >= ${`(${from},0)`}::tid and ctid < ${`(${from + step},0)`}::tid`;
        const t = performance.now();
        out.push(...((await tx.execute<R>(query(range))).rows as R[]));
        ranges++;
        if (last) break;
        const took = performance.now() - t;
        await yieldToLive(db, opts.workspaceId);
        await new Promise((r) => setTimeout(r, took));
      }
      return { rows: out, ranges };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
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
 * The customers whose metrics changed since `since`: one pass over the metrics (`pagedPass`), which
 * have no index on `updated_at` (it moves with every event, and an index on it would make every
 * metrics update from an event a non-HOT one). An incremental refresh finds them once for all its parts.
 */
export async function findTouched(db: Db, workspaceId: string, since: Date): Promise<Touched> {
  const readAt = new Date();
  const { rows } = await pagedPass<{ customer_id: string; buyer: boolean }>(
    db,
    { workspaceId, table: 'customer_metrics' },
    (range) => sql`
      select customer_id, order_count > 0 as buyer from customer_metrics
      where workspace_id = ${workspaceId}::uuid and updated_at >= ${since.toISOString()}::timestamptz and ${range}`,
  );
  // In the uuids' order (their text sorts as PostgreSQL sorts them): the parts read in that order.
  rows.sort((a, b) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0));
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
