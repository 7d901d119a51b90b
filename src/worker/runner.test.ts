import { uuidv7 } from '../db/uuid.ts';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { claimJobs, enqueueJob, enqueueJobs, getJob, listJobs, scheduleRecurring, unscheduleRecurring } from './queue.ts';
import { startWorker, type JobHandler, type Worker, type WorkerLogger } from './runner.ts';

// The server database is shared by all test files: every test uses job types of its own.
const uniqueType = (name: string) => `runner-test.${name}.${uuidv7().slice(-12)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

describeEachDb('job worker', (getDb) => {
  const start = (handlers: Record<string, JobHandler>, opts: Omit<Parameters<typeof startWorker>[1], 'handlers'> = {}) => {
    const worker = startWorker(getDb(), { pollMs: 20, handlers, ...opts });
    workers.push(worker);
    return worker;
  };

  it('runs a committed job exactly once and stores its result; a rolled-back job never runs', async () => {
    const { db } = getDb();
    const type = uniqueType('once');
    const seen: unknown[] = [];
    await db
      .transaction(async (tx) => {
        await enqueueJob(tx, { type, payload: { n: 'rolled back' } });
        throw new Error('roll back');
      })
      .catch(() => {});
    const workspaceId = uuidv7();
    const { id } = await db.transaction((tx) => enqueueJob(tx, { type, payload: { n: 2 }, workspaceId }));
    start({
      [type]: async (job) => {
        seen.push(job.payload);
        expect(job).toMatchObject({ id, type, workspaceId, attempt: 1, maxAttempts: 5 });
        return { doubled: (job.payload as { n: number }).n * 2 };
      },
    });
    await waitFor(async () => (await getJob(db, id))?.status === 'succeeded');
    await sleep(150);
    expect(seen).toEqual([{ n: 2 }]);
    expect(await getJob(db, id)).toMatchObject({ result: { doubled: 4 }, attempts: 1, lockedBy: null });
    expect(await listJobs(db, { type, limit: 10 })).toHaveLength(1);
  });

  it('looks for work as soon as a job ends, so a follow-up it queued does not wait for the next poll', async () => {
    const { db } = getDb();
    const first = uniqueType('first');
    const next = uniqueType('next');
    await enqueueJob(db, { type: first });
    let followUp = '';
    start(
      {
        [first]: async () => {
          await sleep(300); // the loop has looked for more work meanwhile, found none, and sleeps
          followUp = (await enqueueJob(db, { type: next })).id;
          return null;
        },
        [next]: async () => null,
      },
      { pollMs: 60_000 },
    );
    // Within seconds, not at the next poll a minute later.
    await waitFor(async () => followUp !== '' && (await getJob(db, followUp))?.status === 'succeeded', 10_000);
  });

  it('tells a running handler when a job of its types waits for a slot, and not before', async () => {
    const { db } = getDb();
    const long = uniqueType('long');
    const other = uniqueType('other');
    await enqueueJob(db, { type: long });
    const seen: boolean[] = [];
    let release = () => {};
    let slotWanted: (() => boolean) | undefined;
    start(
      {
        [long]: async (_job, ctx) => {
          slotWanted = ctx.slotWanted;
          await new Promise<void>((r) => (release = r));
          return null;
        },
        [other]: async () => null,
      },
      { concurrency: 1, pollMs: 20 },
    );
    await waitFor(async () => slotWanted !== undefined);
    // Several polls with the only slot busy and nothing waiting.
    await sleep(200);
    seen.push(slotWanted!());
    const { id } = await enqueueJob(db, { type: other });
    await waitFor(async () => slotWanted!(), 5_000);
    seen.push(slotWanted!());
    release();
    await waitFor(async () => (await getJob(db, id))?.status === 'succeeded');
    expect(seen).toEqual([false, true]);
  });

  it('retries a failing handler with backoff and dead-letters it after max attempts', async () => {
    const { db } = getDb();
    const type = uniqueType('failing');
    const flaky = uniqueType('flaky');
    const calls: number[] = [];
    const { id } = await enqueueJob(db, { type, maxAttempts: 3 });
    const recovers = await enqueueJob(db, { type: flaky });
    start(
      {
        [type]: async (job) => {
          calls.push(Date.now());
          throw new Error(`boom ${job.attempt}`);
        },
        [flaky]: async (job) => {
          if (job.attempt === 1) throw new Error('transient');
          return 'recovered';
        },
      },
      { backoff: { baseMs: 200, maxMs: 400 } },
    );
    await waitFor(async () => (await getJob(db, id))?.status === 'dead');
    expect(await getJob(db, id)).toMatchObject({ attempts: 3, lastError: 'boom 3', lockedBy: null });
    expect(calls).toHaveLength(3);
    // Backoff: at least half of 200 ms, then half of 400 ms.
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(100);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(200);
    await waitFor(async () => (await getJob(db, recovers.id))?.status === 'succeeded');
    expect(await getJob(db, recovers.id)).toMatchObject({ attempts: 2, result: 'recovered', lastError: 'transient' });
  });

  it('fails an attempt whose result cannot be stored as JSON', async () => {
    const { db } = getDb();
    const type = uniqueType('unstorable');
    const { id } = await enqueueJob(db, { type, maxAttempts: 1 });
    start({ [type]: async () => ({ count: 1n }) });
    await waitFor(async () => (await getJob(db, id))?.status === 'dead');
    expect((await getJob(db, id))?.lastError).toMatch(/BigInt/);
  });

  it('two workers handle each of many jobs exactly once', async () => {
    const { db } = getDb();
    const type = uniqueType('shared');
    const handled = new Map<string, string[]>();
    const handler =
      (name: string): JobHandler =>
      async (job) => {
        handled.set(job.id, [...(handled.get(job.id) ?? []), name]);
        await sleep(Math.random() * 5);
        return name;
      };
    await enqueueJobs(db, Array.from({ length: 200 }, (_, i) => ({ type, payload: { i } })));
    start({ [type]: handler('a') }, { workerId: 'worker-a', concurrency: 4, pollMs: 5 });
    start({ [type]: handler('b') }, { workerId: 'worker-b', concurrency: 4, pollMs: 5 });
    await waitFor(async () => (await listJobs(db, { type, status: 'succeeded', limit: 500 })).length === 200, 30_000);
    expect(handled.size).toBe(200);
    expect([...handled.values()].every((by) => by.length === 1)).toBe(true);
    const done = await listJobs(db, { type, limit: 500 });
    expect(done.every((j) => j.attempts === 1 && j.result === handled.get(j.id)?.[0])).toBe(true);
  });

  it('takes over a job whose worker died once its lease expires', async () => {
    const { db } = getDb();
    const type = uniqueType('orphan');
    const { id } = await enqueueJob(db, { type });
    // A worker that claims and then vanishes without completing or renewing.
    expect(await claimJobs(db, { workerId: 'crashed-worker', types: [type], limit: 1, leaseMs: 400 })).toHaveLength(1);
    const attempts: number[] = [];
    start({ [type]: async (job) => void attempts.push(job.attempt) }, { workerId: 'survivor' });
    await sleep(100);
    expect((await getJob(db, id))?.status).toBe('running'); // not before the lease ends
    await waitFor(async () => (await getJob(db, id))?.status === 'succeeded');
    expect(attempts).toEqual([2]);
  });

  it('renews the lease of a handler that outlives it', async () => {
    const { db } = getDb();
    const type = uniqueType('long');
    const { id } = await enqueueJob(db, { type });
    let runs = 0;
    start({ [type]: async () => void (runs++, await sleep(700)) }, { workerId: 'slow', leaseMs: 150 });
    start({ [type]: async () => void runs++ }, { workerId: 'eager', leaseMs: 150 });
    await waitFor(async () => (await getJob(db, id))?.status === 'succeeded');
    expect(runs).toBe(1);
    expect((await getJob(db, id))?.attempts).toBe(1);
  });

  it('enqueues and runs a recurring job once per slot', async () => {
    const { db } = getDb();
    const type = uniqueType('recurring');
    const name = `test:${type}`;
    let runs = 0;
    await scheduleRecurring(db, { name, type, intervalSeconds: 3600, firstRunAt: new Date(Date.now() - 1000) });
    start({ [type]: async () => ++runs });
    start({ [type]: async () => ++runs });
    await waitFor(async () => (await listJobs(db, { type, status: 'succeeded', limit: 10 })).length === 1);
    await sleep(200);
    expect(runs).toBe(1);
    expect(await listJobs(db, { type, limit: 10 })).toHaveLength(1);
    await unscheduleRecurring(db, name);
  });

  it('never claims jobs it has no handler for, and wakes up on demand', async () => {
    const { db } = getDb();
    const unhandled = uniqueType('unhandled');
    const type = uniqueType('wake');
    const other = await enqueueJob(db, { type: unhandled });
    const worker = start({ [type]: async () => 'ok' }, { pollMs: 60_000 });
    await sleep(100); // the first poll has happened; the next is a minute away
    const { id } = await enqueueJob(db, { type });
    const before = Date.now();
    worker.wakeUp();
    await waitFor(async () => (await getJob(db, id))?.status === 'succeeded', 5_000);
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(await getJob(db, other.id)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('looks for a job this process enqueued soon after, also when its transaction commits later, not at the next poll', async () => {
    const { db } = getDb();
    const type = uniqueType('queued-here');
    start({ [type]: async () => 'ok' }, { pollMs: 60_000 });
    await sleep(100); // the first poll has happened; the next is a minute away
    const direct = await enqueueJob(db, { type });
    await waitFor(async () => (await getJob(db, direct.id))?.status === 'succeeded', 5_000);
    // Enqueued in a transaction that commits ~80 ms later: on PostgreSQL the first look finds
    // nothing and the next one the job (on PGlite the first look waits for the one connection).
    let id = '';
    await db.transaction(async (tx) => {
      id = (await enqueueJob(tx, { type })).id;
      await sleep(80);
    });
    await waitFor(async () => (await getJob(db, id))?.status === 'succeeded', 5_000);
  });

  it('stop() aborts the signal and waits for running handlers', async () => {
    const { db } = getDb();
    const type = uniqueType('stop');
    const { id } = await enqueueJob(db, { type });
    let started = false;
    let sawAbort = false;
    const worker = start({
      [type]: async (_job, { signal }) => {
        started = true;
        await sleep(300); // finishes its work even when asked to stop
        sawAbort = signal.aborted;
        return 'finished';
      },
    });
    await waitFor(async () => started);
    await worker.stop();
    expect(sawAbort).toBe(true);
    expect(await getJob(db, id)).toMatchObject({ status: 'succeeded', result: 'finished' });
  });

  it('stop() gives up on a handler that runs past its bound and leaves the job to lease expiry', async () => {
    const { db } = getDb();
    const type = uniqueType('stuck');
    const { id } = await enqueueJob(db, { type });
    let started = false;
    const worker = start({ [type]: async () => ((started = true), await sleep(2000)) }, { stopTimeoutMs: 100 });
    await waitFor(async () => started);
    const before = Date.now();
    await worker.stop();
    expect(Date.now() - before).toBeLessThan(1000);
    await sleep(2100); // the handler ends after stop(): it must not record anything
    expect(await getJob(db, id)).toMatchObject({ status: 'running', attempts: 1 });
  });
});

it('logs and keeps retrying when the database is unreachable', async () => {
  const database = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none', max: 1 });
  const errors: object[] = [];
  const logger: WorkerLogger = { info: () => {}, warn: () => {}, error: (obj) => void errors.push(obj) };
  const worker = startWorker(database, { handlers: { 'runner-test.unreachable': async () => null }, pollMs: 10, logger });
  await waitFor(async () => errors.length >= 2);
  await worker.stop();
  await database.close();
  expect(errors[0]).toMatchObject({ err: expect.stringMatching(/ECONNREFUSED|connect/) });
});
