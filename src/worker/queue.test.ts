import { eq, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { describe, expect, it } from 'vitest';
import { describeEachDb } from '../db/test-helpers.ts';
import {
  deleteOldRecurringRuns,
  claimJobs,
  completeJob,
  enqueueDueRecurring,
  enqueueJob,
  enqueueJobs,
  extendLease,
  failJob,
  getJob,
  listJobs,
  reapExpiredLeases,
  retryDeadJob,
  retryDelayMs,
  scheduleRecurring,
  unscheduleRecurring,
} from './queue.ts';
import { recurringJobs } from './schema.ts';

// The server database is shared by all test files: every test uses job types of its own.
const uniqueType = (name: string) => `queue-test.${name}.${uuidv7().slice(-12)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const claim = (db: Parameters<typeof claimJobs>[0], type: string, workerId = 'w1', limit = 10, leaseMs = 60_000) =>
  claimJobs(db, { workerId, types: [type], limit, leaseMs });

// Workers of other test files reap too, and may hold the row for a moment: wait for the outcome.
async function reapUntil(db: Parameters<typeof claimJobs>[0], id: string, status: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await reapExpiredLeases(db);
    if ((await getJob(db, id))?.status === status) return;
    await sleep(20);
  }
  throw new Error(`job ${id} never became ${status}`);
}

describe('retryDelayMs', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [3, 0, 2000],
    [3, 1, 4000],
    [30, 1, 3_600_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, { baseMs: 1000, maxMs: 3_600_000 }, () => random)).toBe(expected);
  });
});

describeEachDb('job queue', (getDb) => {
  it('enqueues inside the caller transaction: a rollback leaves no job', async () => {
    const { db } = getDb();
    const type = uniqueType('tx');
    let rolledBackId = '';
    await expect(
      db.transaction(async (tx) => {
        rolledBackId = (await enqueueJob(tx, { type })).id;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const committed = await db.transaction((tx) => enqueueJob(tx, { type, payload: { n: 1 } }));
    expect(await getJob(db, rolledBackId)).toBeUndefined();
    const claimed = await claim(db, type);
    expect(claimed.map((j) => j.id)).toEqual([committed.id]);
    expect(claimed[0]?.payload).toEqual({ n: 1 });
  });

  it('returns the queued job for a repeated dedupe key, and frees the key when it finishes', async () => {
    const { db } = getDb();
    const type = uniqueType('dedupe');
    const dedupeKey = `key-${uuidv7()}`;
    const first = await enqueueJob(db, { type, dedupeKey });
    const again = await enqueueJob(db, { type, dedupeKey, payload: { ignored: true } });
    expect(again).toEqual({ id: first.id, deduped: true });
    expect(await enqueueJobs(db, [{ type, dedupeKey }, { type }])).toBe(1);

    const [job] = await claim(db, type, 'w1', 1);
    expect(job?.id).toBe(first.id);
    expect(await enqueueJob(db, { type, dedupeKey })).toEqual({ id: first.id, deduped: true }); // running counts too
    await completeJob(db, { id: first.id, workerId: 'w1', attempt: 1 });
    const next = await enqueueJob(db, { type, dedupeKey });
    expect(next.deduped).toBe(false);
    expect(next.id).not.toBe(first.id);
  });

  it('bulk-enqueues many jobs in one statement', async () => {
    const { db } = getDb();
    const type = uniqueType('bulk');
    const workspaceId = uuidv7();
    const list = Array.from({ length: 2000 }, (_, i) => ({ type, workspaceId, payload: { i }, priority: i % 3 }));
    expect(await enqueueJobs(db, [...list, { type, workspaceId, delayMs: 60_000, payload: { later: true } }])).toBe(2001);
    const claimed = await claimJobs(db, { workerId: 'bulk', types: [type], limit: 5000, leaseMs: 60_000 });
    expect(claimed).toHaveLength(2000); // the delayed one is not ready
    expect(new Set(claimed.map((j) => (j.payload as { i: number }).i)).size).toBe(2000);
    expect(claimed[0]?.priority).toBe(2);
    expect(claimed.every((j) => j.workspaceId === workspaceId)).toBe(true);
  });

  it('does not claim a job before its run_at', async () => {
    const { db } = getDb();
    const type = uniqueType('later');
    await enqueueJob(db, { type, runAt: new Date(Date.now() + 60_000) });
    const soon = await enqueueJob(db, { type, delayMs: 400 });
    expect(await claim(db, type)).toEqual([]);
    await sleep(600);
    expect((await claim(db, type)).map((j) => j.id)).toEqual([soon.id]);
    expect(await claim(db, type)).toEqual([]);
  });

  it('claims higher priority first, then the earliest run_at', async () => {
    const { db } = getDb();
    const type = uniqueType('priority');
    const now = Date.now();
    const low = await enqueueJob(db, { type, priority: 0, runAt: new Date(now - 3000) });
    const high = await enqueueJob(db, { type, priority: 10, runAt: new Date(now - 1000) });
    const midLate = await enqueueJob(db, { type, priority: 5, runAt: new Date(now - 1000) });
    const midEarly = await enqueueJob(db, { type, priority: 5, runAt: new Date(now - 2000) });
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push(...(await claim(db, type, 'w1', 1)).map((j) => j.id));
    expect(order).toEqual([high.id, midEarly.id, midLate.id, low.id]);
    const queues = uniqueType('queues');
    await enqueueJob(db, { type: queues, queue: 'slow' });
    const fast = await enqueueJob(db, { type: queues, queue: 'fast' });
    const fromFast = await claimJobs(db, { workerId: 'w', types: [queues], queues: ['fast'], limit: 10, leaseMs: 1000 });
    expect(fromFast.map((j) => j.id)).toEqual([fast.id]);
  });

  it('never gives the same job to two concurrent claimers', async () => {
    const { db } = getDb();
    const type = uniqueType('race');
    await enqueueJobs(db, Array.from({ length: 300 }, () => ({ type })));
    const claimer = async (workerId: string) => {
      const got: string[] = [];
      for (;;) {
        const batch = await claim(db, type, workerId, 7);
        if (batch.length === 0) return got;
        got.push(...batch.map((j) => j.id));
        expect(batch.every((j) => j.lockedBy === workerId && j.attempts === 1)).toBe(true);
      }
    };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claimer(`w${i}`)));
    const all = results.flat();
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
  });

  it('retries a failed job after a backoff and dead-letters it after max attempts', async () => {
    const { db } = getDb();
    const type = uniqueType('fail');
    const { id } = await enqueueJob(db, { type, maxAttempts: 2 });
    const [first] = await claim(db, type);
    expect(first?.attempts).toBe(1);
    const retry = await failJob(db, { id, workerId: 'w1', attempt: 1, error: 'first failure', backoff: { baseMs: 60_000, maxMs: 600_000 } });
    expect(retry?.status).toBe('queued');
    const queued = await getJob(db, id);
    const delay = queued!.runAt.getTime() - queued!.updatedAt.getTime();
    expect(delay).toBeGreaterThanOrEqual(30_000);
    expect(delay).toBeLessThanOrEqual(60_000);
    expect(queued).toMatchObject({ status: 'queued', lastError: 'first failure', lockedBy: null });
    expect(await claim(db, type)).toEqual([]); // still backing off

    await db.execute(sql`update jobs set run_at = now() where id = ${id}`);
    const [second] = await claim(db, type, 'w2');
    expect(second?.attempts).toBe(2);
    expect((await failJob(db, { id, workerId: 'w2', attempt: 2, error: 'second failure' }))?.status).toBe('dead');
    expect(await getJob(db, id)).toMatchObject({ status: 'dead', attempts: 2, lastError: 'second failure' });
    expect((await getJob(db, id))?.finishedAt).toBeInstanceOf(Date);
    expect(await claim(db, type)).toEqual([]);
  });

  it('takes back a job whose lease expired, and the stale worker can no longer finish it', async () => {
    const { db } = getDb();
    const type = uniqueType('lease');
    const { id } = await enqueueJob(db, { type });
    await claim(db, type, 'dying', 10, 100);
    expect(await claim(db, type, 'other')).toEqual([]); // lease still held
    await sleep(200);
    await reapUntil(db, id, 'queued');
    expect(await getJob(db, id)).toMatchObject({ lockedBy: null, lockedUntil: null });
    expect((await getJob(db, id))?.lastError).toContain('dying');
    const [again] = await claim(db, type, 'other');
    expect(again).toMatchObject({ id, attempts: 2, lockedBy: 'other' });

    const stale = { id, workerId: 'dying', attempt: 1 };
    expect(await completeJob(db, { ...stale, result: 'stale' })).toBe(false);
    expect(await failJob(db, { ...stale, error: 'stale' })).toBeUndefined();
    expect(await extendLease(db, { ...stale, leaseMs: 60_000 })).toBe(false);
    expect(await extendLease(db, { id, workerId: 'other', attempt: 2, leaseMs: 60_000 })).toBe(true);
    expect(await completeJob(db, { id, workerId: 'other', attempt: 2, result: { ok: 1 } })).toBe(true);
    expect(await getJob(db, id)).toMatchObject({ status: 'succeeded', result: { ok: 1 }, lockedBy: null });
  });

  it('tells two claims of the same worker apart, and dead-letters an expired last attempt', async () => {
    const { db } = getDb();
    const type = uniqueType('same-worker');
    const { id } = await enqueueJob(db, { type, maxAttempts: 2 });
    await claim(db, type, 'w', 10, 50);
    await sleep(120);
    await reapUntil(db, id, 'queued');
    expect(await claim(db, type, 'w', 10, 50)).toHaveLength(1);
    expect(await completeJob(db, { id, workerId: 'w', attempt: 1 })).toBe(false);
    await sleep(120);
    await reapUntil(db, id, 'dead');
    expect(await getJob(db, id)).toMatchObject({ attempts: 2 });
    expect((await getJob(db, id))?.lastError).toMatch(/lease expired/);
  });

  it('enqueues a recurring job once per slot, with no catch-up burst', async () => {
    const { db } = getDb();
    const type = uniqueType('recurring');
    const name = `test:${type}`;
    const start = new Date(Date.now() - 10 * 60_000 - 500);
    await scheduleRecurring(db, { name, type, intervalSeconds: 60, payload: { v: 1 }, firstRunAt: start });
    const now = new Date();
    await Promise.all([enqueueDueRecurring(db, now), enqueueDueRecurring(db, now), enqueueDueRecurring(db, now)]);
    const jobs = await listJobs(db, { type, limit: 50 });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ payload: { v: 1 }, dedupeKey: `recurring:${name}:${new Date(start.getTime() + 600_000).toISOString()}` });
    const [row] = await db.select().from(recurringJobs).where(eq(recurringJobs.name, name));
    expect(row?.nextRunAt.getTime()).toBe(start.getTime() + 660_000);

    await enqueueDueRecurring(db, now);
    expect(await listJobs(db, { type, limit: 50 })).toHaveLength(1);
    // Changing the interval keeps the next run; the next slot then enqueues once more.
    await scheduleRecurring(db, { name, type, intervalSeconds: 120, payload: { v: 2 } });
    const [changed] = await db.select().from(recurringJobs).where(eq(recurringJobs.name, name));
    expect(changed).toMatchObject({ intervalSeconds: 120, payload: { v: 2 } });
    expect(changed?.nextRunAt.getTime()).toBe(start.getTime() + 660_000);
    await enqueueDueRecurring(db, new Date(start.getTime() + 661_000));
    const after = await listJobs(db, { type, limit: 50 });
    expect(after.map((j) => j.payload)).toEqual([{ v: 2 }, { v: 1 }]);

    expect(await unscheduleRecurring(db, name)).toBe(true);
    expect(await unscheduleRecurring(db, name)).toBe(false);
  });

  it('deletes the finished runs of recurring schedules after a while, and keeps one-off and dead jobs', async () => {
    const { db } = getDb();
    const type = uniqueType('cleanup');
    const name = `test:${type}`;
    await scheduleRecurring(db, { name, type, intervalSeconds: 60, firstRunAt: new Date(Date.now() - 1000) });
    await enqueueDueRecurring(db, new Date());
    await enqueueJob(db, { type });
    for (const j of await claim(db, type)) await completeJob(db, { id: j.id, workerId: 'w1', attempt: j.attempts });
    expect(await deleteOldRecurringRuns(db, new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await deleteOldRecurringRuns(db, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    const left = await listJobs(db, { type, limit: 50 });
    expect(left).toHaveLength(1);
    expect(left[0]!.dedupeKey).toBeNull();
    await unscheduleRecurring(db, name);
  });

  it('lists jobs for an admin view and retries dead ones', async () => {
    const { db } = getDb();
    const type = uniqueType('admin');
    const workspaceId = uuidv7();
    const otherWorkspace = uuidv7();
    const dedupeKey = `admin-${uuidv7()}`;
    const { id } = await enqueueJob(db, { type, workspaceId, maxAttempts: 1, dedupeKey });
    await enqueueJob(db, { type, workspaceId: otherWorkspace });
    await claim(db, type, 'w', 1);
    await failJob(db, { id, workerId: 'w', attempt: 1, error: 'broken' });

    expect((await listJobs(db, { workspaceId, limit: 10 })).map((j) => j.id)).toEqual([id]);
    expect((await listJobs(db, { type, status: 'dead', limit: 10 })).map((j) => j.id)).toEqual([id]);
    expect(await getJob(db, id, { workspaceId: otherWorkspace })).toBeUndefined();
    expect(await retryDeadJob(db, id, { workspaceId: otherWorkspace })).toEqual({ status: 'not_found' });

    const blocker = await enqueueJob(db, { type: uniqueType('blocker'), dedupeKey });
    expect(await retryDeadJob(db, id)).toEqual({ status: 'duplicate' });
    await db.execute(sql`delete from jobs where id = ${blocker.id}`);

    const retried = await retryDeadJob(db, id, { workspaceId });
    expect(retried.status).toBe('retried');
    expect(await getJob(db, id)).toMatchObject({ status: 'queued', attempts: 1, maxAttempts: 2, finishedAt: null });
    expect(await retryDeadJob(db, id)).toEqual({ status: 'not_dead' });
    const again = await claim(db, type, 'w2');
    expect(again.find((j) => j.id === id)).toMatchObject({ attempts: 2, lockedBy: 'w2' });
    expect(await retryDeadJob(db, uuidv7())).toEqual({ status: 'not_found' });
  });
});
