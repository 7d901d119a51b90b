// The job worker: a loop that claims jobs for the types it has handlers for and runs them,
// renewing each lease while its handler runs.
import os from 'node:os';
import { redactErrorText } from '../redaction.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { Database, Db } from '../db/connection.ts';
import {
  claimJobs,
  completeJob,
  defaultBackoff,
  enqueueDueRecurring,
  extendLease,
  failJob,
  jobsWaiting,
  onJobQueued,
  reapExpiredLeases,
  type Backoff,
  type Job,
} from './queue.ts';

/**
 * `slotWanted`: whether a job this worker could run has been waiting for a slot (all of them
 * busy) for two poll intervals or more. A handler that may stop or go on (a live segment job)
 * gives its slot up then.
 */
export type JobContext = { db: Db; signal: AbortSignal; slotWanted?: () => boolean };
export type JobHandler = (
  job: { id: string; type: string; payload: unknown; workspaceId: string | null; attempt: number; maxAttempts: number },
  ctx: JobContext,
) => Promise<unknown>;

type LogFn = (obj: object, msg?: string) => void;
export type WorkerLogger = { info: LogFn; warn: LogFn; error: LogFn };

export type WorkerOptions = {
  handlers: Record<string, JobHandler>;
  concurrency?: number;
  queues?: string[];
  /** How often an idle worker looks for work. */
  pollMs?: number;
  /** How long a claim lasts without renewal; a dead worker's jobs are taken back after this. */
  leaseMs?: number;
  workerId?: string;
  logger?: WorkerLogger;
  backoff?: Backoff;
  /** How long stop() waits for running handlers before leaving their jobs to lease expiry. */
  stopTimeoutMs?: number;
};

export type Worker = { stop(): Promise<void>; wakeUp(): void };

/** After a job is enqueued in this process, the worker looks for work at these delays (ms). */
const QUEUED_LOOK_MS = [30, 150];

const silent: WorkerLogger = { info: () => {}, warn: () => {}, error: () => {} };

// Drizzle wraps driver errors ("Failed query: <sql>"); the cause is what says what went wrong.
// Logged and kept in the job row without the query's parameters (customers' data): the count only.
function message(err: unknown): string {
  if (!(err instanceof Error)) return redactErrorText(String(err));
  const params = (err as { params?: unknown }).params;
  const own = redactErrorText(err.message || err.name, Array.isArray(params) ? params.length : undefined);
  return err.cause instanceof Error ? `${redactErrorText(err.cause.message)} (${own.slice(0, 300)})` : own;
}

export function startWorker(database: Database, opts: WorkerOptions): Worker {
  const db = database.db;
  const log = opts.logger ?? silent;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const pollMs = opts.pollMs ?? 500;
  const leaseMs = opts.leaseMs ?? 60_000;
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${uuidv7().slice(-12)}`;
  const backoff = opts.backoff ?? defaultBackoff;
  const types = Object.keys(opts.handlers);

  const stopController = new AbortController();
  const running = new Map<string, { done: Promise<void>; heartbeat: NodeJS.Timeout }>();
  let stopping = false;
  // After stop() returns the caller may close the database: late handlers must not touch it.
  let detached = false;
  let wake: (() => void) | undefined;
  // A wake-up that arrives while the loop is busy must still cut its next sleep short.
  let woken = false;
  let lastMaintenance = 0;
  let stopped: Promise<void> | undefined;
  let slotWanted = false;

  const wakeUp = () => {
    woken = true;
    wake?.();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        woken = false;
        resolve();
      }
      wake = done;
    });

  async function runJob(job: Job): Promise<void> {
    const handler = opts.handlers[job.type];
    const ref = { id: job.id, workerId, attempt: job.attempts };
    const lost = new AbortController();
    let settled = false;
    const signal = AbortSignal.any([stopController.signal, lost.signal]);
    const beat = async () => {
      if (detached) return;
      try {
        // A renewal racing with completion finds the job finished: that is no lost lease.
        if (!(await extendLease(db, { ...ref, leaseMs })) && !settled) {
          log.warn({ jobId: job.id, type: job.type }, 'job lease lost; another worker may run it');
          lost.abort(new Error('job lease lost'));
        }
      } catch (err) {
        log.warn({ jobId: job.id, err: message(err) }, 'could not renew job lease');
      }
    };
    const heartbeat = setInterval(() => void beat(), Math.max(10, Math.floor(leaseMs / 3)));
    const done = (async () => {
      let outcome: { ok: true; result: unknown } | { ok: false; error: string };
      try {
        if (!handler) throw new Error(`no handler for job type ${job.type}`);
        const result = await handler(
          { id: job.id, type: job.type, payload: job.payload, workspaceId: job.workspaceId, attempt: job.attempts, maxAttempts: job.maxAttempts },
          { db, signal, slotWanted: () => slotWanted },
        );
        // Checked here so that an unstorable result fails the attempt instead of leaving it running.
        JSON.stringify(result);
        outcome = { ok: true, result };
      } catch (err) {
        outcome = { ok: false, error: message(err) };
      }
      settled = true;
      clearInterval(heartbeat);
      if (detached || lost.signal.aborted) return;
      try {
        if (outcome.ok) {
          if (!(await completeJob(db, { ...ref, result: outcome.result }))) {
            log.warn({ jobId: job.id, type: job.type }, 'job finished after its lease was lost; result discarded');
          }
        } else {
          // A handler cut short by shutdown did not fail on its own: retry it without delay.
          const failed = await failJob(db, { ...ref, error: outcome.error, backoff, delayMs: stopController.signal.aborted ? 0 : undefined });
          const details = { jobId: job.id, type: job.type, attempt: job.attempts, error: outcome.error, status: failed?.status };
          if (failed?.status === 'dead') log.error(details, 'job failed for the last time');
          else log.warn(details, 'job failed');
        }
      } catch (err) {
        // The lease will expire and the job will be taken back.
        log.error({ jobId: job.id, err: message(err) }, 'could not record job outcome');
      }
    })();
    running.set(job.id, { done, heartbeat });
    await done;
    running.delete(job.id);
    // Look for work at once: a slot is free, and a job often leaves a follow-up queued (a live
    // segment job that stopped at its time limit while changes kept coming) that would otherwise
    // wait for the next poll.
    wakeUp();
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let wait = pollMs;
      try {
        if (Date.now() - lastMaintenance >= pollMs) {
          lastMaintenance = Date.now();
          await reapExpiredLeases(db, { exceptIds: [...running.keys()] });
          await enqueueDueRecurring(db);
        }
        const free = concurrency - running.size;
        if (free > 0 && !stopping) {
          slotWanted = false;
          const claimed = await claimJobs(db, { workerId, types, queues: opts.queues, limit: free, leaseMs });
          for (const job of claimed) void runJob(job);
          // Found work with slots to spare: look again at once (a finishing job wakes the loop too).
          if (claimed.length > 0 && claimed.length < free) wait = 0;
        } else if (!stopping) {
          // Every slot busy: does a job wait for one (for longer than a free worker would leave it)?
          slotWanted = await jobsWaiting(db, { types, queues: opts.queues, forMs: 2 * pollMs });
        }
        failures = 0;
      } catch (err) {
        failures++;
        wait = Math.min(pollMs * 2 ** failures, 30_000);
        log.error({ err: message(err), retryInMs: wait }, 'job worker loop failed');
      }
      if (!stopping && wait > 0) await sleep(wait);
    }
  }

  // A job enqueued by this process (a live segment job after an ingested batch, say) is looked
  // for 30 and 150 ms later, when the transaction that enqueued it has usually committed, instead
  // of at the next poll (up to pollMs). Jobs enqueued by other processes wait for the poll.
  const soonTimers = new Set<NodeJS.Timeout>();
  let lastQueued = 0;
  const unsubscribe = onJobQueued(() => {
    // Jobs enqueued within the first delay of one another share its looks.
    if (stopping || Date.now() - lastQueued < QUEUED_LOOK_MS[0]!) return;
    lastQueued = Date.now();
    for (const ms of QUEUED_LOOK_MS) {
      const timer = setTimeout(() => {
        soonTimers.delete(timer);
        wakeUp();
      }, ms);
      timer.unref();
      soonTimers.add(timer);
    }
  });

  log.info({ workerId, types, concurrency }, 'job worker started');
  const looping = loop();

  return {
    wakeUp,
    stop() {
      stopped ??= shutDown();
      return stopped;
    },
  };

  async function shutDown(): Promise<void> {
    stopping = true;
    unsubscribe();
    for (const timer of soonTimers) clearTimeout(timer);
    soonTimers.clear();
    wakeUp();
    await looping;
    stopController.abort(new Error('worker stopping'));
    const timeoutMs = opts.stopTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.allSettled([...running.values()].map((r) => r.done)).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      log.warn({ jobs: [...running.keys()] }, 'handlers still running at shutdown; their jobs return after lease expiry');
      for (const r of running.values()) clearInterval(r.heartbeat);
    }
    detached = true;
    log.info({ workerId }, 'job worker stopped');
  }
}
