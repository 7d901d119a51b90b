// The message dispatcher: one loop per lane (transactional, bulk), each claiming due messages in
// batches with FOR UPDATE SKIP LOCKED (any number of workers can share the table), preparing
// them (gate, render, compose; delivery-render.ts), sending them through their channel's provider
// (one per lane) with bounded concurrency per channel and lane, and recording outcomes in
// batches. The next batch is claimed and prepared while the current one is still being sent, so
// the SMTP pool never waits for the database.
//
// Exactly once, as far as a provider lets us: the content is stored before the send, a claim is a
// lease, and a message whose worker died mid-send (its lease ran out while it was `sending`) is
// sent again with the same bytes and Message-ID: the only duplicates are the messages that were
// in flight at the crash, at most the dispatcher's concurrency.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { and, sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { serverKey } from '../events/identity-verification.ts';
import { defaultBackoff, retryDelayMs, type Backoff } from '../worker/queue.ts';
import type { WorkerLogger } from '../worker/runner.ts';
import { channelSecrets, type ChannelRow } from './channels.ts';
import { prepareBatch, type Prepared } from './delivery-render.ts';
import { suppressAddresses } from './gate.ts';
import { providerFor, warmProviders } from './providers/index.ts';
import { messages } from './schema.ts';
import { revokePushSubscriptions } from './push-subscriptions.ts';
import { onMessagesQueued, type MessageRow } from './send.ts';
import { recordStatuses, type StatusChange } from './status.ts';
import type { Lane, Provider, SendResult } from './types.ts';

export type DispatcherOptions = {
  config: Config;
  workerId?: string;
  lanes?: Lane[];
  /** Only these workspaces' messages (a worker dedicated to some workspaces; tests that share one database). All when not given. */
  workspaceIds?: string[];
  /** Messages claimed at a time per lane, at most. After an idle moment a lane claims few first
   * (firstBatchSize) and doubles from claim to claim, so the first message goes out while the rest
   * of a large send is still being prepared. */
  batchSize?: number;
  firstBatchSize?: number;
  /** Sends in flight at once per channel and lane (the SMTP pool queues beyond its connections). */
  concurrency?: number;
  /** Outcomes wait up to this long for others to be written with them (default 20 ms)… */
  recordDelayMs?: number;
  /** …unless this many status changes are waiting (default 100). */
  recordBatch?: number;
  /** Batches of one lane being sent at once: 2 keeps the provider busy while the next is prepared. */
  pipeline?: number;
  /** How long a claim lasts: a crashed worker's messages are taken back after this. */
  leaseMs?: number;
  pollMs?: number;
  /** Attempts before a temporarily failing message is failed for good. */
  maxAttempts?: number;
  backoff?: Backoff;
  logger?: WorkerLogger;
};

export type MessageDispatcher = { stop(): Promise<void>; wakeUp(): void };

const silent: WorkerLogger = { info: () => {}, warn: () => {}, error: () => {} };
const QUEUED_LOOK_MS = [0, 30, 150];

/** A counting semaphore: at most `limit` holders. */
function semaphore(limit: number) {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (held < limit) {
        held++;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else held--;
    },
  };
}

/**
 * Paces a channel to `ratePerSecond`. Measured on the monotonic clock: this is throughput, not
 * business time, and a test's stopped clock must not stop the pacing.
 */
function pacer(ratePerSecond: number) {
  const gap = 1000 / ratePerSecond;
  let next = 0;
  return async (): Promise<void> => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  };
}

type Bounce = Parameters<typeof suppressAddresses>[1][number];
type Gone = { workspaceId: string; endpoint: string };

/** The endpoint of a push message's `to` (the subscription as JSON, see pushAddress); null when it is not one. */
function pushEndpoint(to: string): string | null {
  try {
    const endpoint = (JSON.parse(to) as { endpoint?: unknown }).endpoint;
    return typeof endpoint === 'string' ? endpoint : null;
  } catch {
    return null;
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

export function startMessageDispatcher(database: Database, opts: DispatcherOptions): MessageDispatcher {
  const db = database.db;
  const log = opts.logger ?? silent;
  const lanes = opts.lanes ?? ['transactional', 'bulk'];
  const onlyWorkspaces = opts.workspaceIds ? sql`and workspace_id = any(${sql.param(opts.workspaceIds)}::uuid[])` : sql``;
  const batchSize = Math.max(1, opts.batchSize ?? 200);
  const firstBatchSize = Math.min(batchSize, Math.max(1, opts.firstBatchSize ?? 16));
  const concurrency = Math.max(1, opts.concurrency ?? 64);
  const recordDelayMs = Math.max(0, opts.recordDelayMs ?? 20);
  const recordBatch = Math.max(1, opts.recordBatch ?? 100);
  const pipeline = Math.max(1, opts.pipeline ?? 2);
  const leaseMs = opts.leaseMs ?? 120_000;
  const pollMs = opts.pollMs ?? 500;
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoff = opts.backoff ?? defaultBackoff;
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${uuidv7().slice(-12)}`;
  const baseUrl = (opts.config.publicUrl ?? `http://localhost:${opts.config.port}`).replace(/\/+$/, '');
  const trackingKey = serverKey(opts.config);

  let stopping = false;
  // Secrets decrypted once per channel version, not once per message.
  const secrets = new Map<string, { updatedAt: number; value: Record<string, string> }>();
  const secretsOf = (channel: ChannelRow) => {
    const held = secrets.get(channel.id);
    if (held && held.updatedAt === channel.updatedAt.getTime()) return held.value;
    const value = channelSecrets(opts.config, channel);
    secrets.set(channel.id, { updatedAt: channel.updatedAt.getTime(), value });
    return value;
  };
  const slots = new Map<string, ReturnType<typeof semaphore>>();
  const pacers = new Map<string, { rate: number; wait: () => Promise<void> }>();
  const wakers = new Set<() => void>();
  let woken = new Set<Lane>();

  const wakeUp = () => {
    for (const lane of lanes) woken.add(lane);
    for (const w of [...wakers]) w();
  };

  function sleep(lane: Lane, ms: number, also?: Promise<unknown>): Promise<void> {
    if (woken.has(lane) || stopping) {
      woken.delete(lane);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        woken.delete(lane);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
      void also?.then(done, done);
    });
  }

  async function claim(lane: Lane, limit: number): Promise<MessageRow[]> {
    const now = clock.now();
    const until = new Date(now.getTime() + leaseMs);
    const rows = await db
      .update(messages)
      .set({ status: 'sending', attempts: sql`${messages.attempts} + 1`, lockedBy: workerId, lockedUntil: until, updatedAt: now })
      .where(
        and(
          sql`(${messages.workspaceId}, ${messages.id}) in (
            select workspace_id, id from messages
            where lane = ${lane} and status in ('queued', 'deferred', 'sending') and send_at <= ${now}
              and (status <> 'sending' or locked_until < ${now}) ${onlyWorkspaces}
            order by send_at
            limit ${limit}
            for update skip locked)`,
          // Again after the lock: another claimer may have taken a row between snapshot and lock.
          sql`(${messages.status} in ('queued', 'deferred') or (${messages.status} = 'sending' and ${messages.lockedUntil} < ${now}))`,
        ),
      )
      .returning();
    return rows.sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime());
  }

  // Outcomes are written in groups as they come (one recordStatuses for whatever finished while
  // the previous write ran), and a send's slot is given back only once its outcome is committed:
  // so at any moment at most `concurrency` messages per channel are sent but not yet recorded as
  // sent, which bounds the duplicates a crash can cause.
  let pending: { changes: StatusChange[]; bounces: Bounce[]; gone: Gone[]; done: () => void }[] = [];
  let pendingChanges = 0;
  let flushing: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  // A write costs about the same for 5 outcomes as for 100: outcomes wait up to recordDelayMs for
  // others to join them unless enough are already waiting.
  const startFlush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    flushing ??= flush();
  };
  const scheduleFlush = () => {
    if (flushing) return;
    if (stopping || pendingChanges >= recordBatch) startFlush();
    else flushTimer ??= setTimeout(startFlush, recordDelayMs);
  };
  function record(changes: StatusChange[], bounces: Bounce[] = [], gone: Gone[] = []): Promise<void> {
    return new Promise<void>((resolve) => {
      pending.push({ changes, bounces, gone, done: resolve });
      pendingChanges += changes.length;
      scheduleFlush();
    });
  }
  async function flush(): Promise<void> {
    while (pending.length) {
      const group = pending;
      pending = [];
      pendingChanges = 0;
      try {
        await suppressAddresses(db, group.flatMap((g) => g.bounces));
        await revokeGone(group.flatMap((g) => g.gone));
        await recordStatuses(db, group.flatMap((g) => g.changes));
      } catch (err) {
        // Left `sending`: the claims run out and the messages are sent again, same bytes, same Message-ID.
        log.error({ messages: group.length, err: errorText(err) }, 'could not record message outcomes');
      }
      for (const g of group) g.done();
      if (!stopping && pendingChanges < recordBatch) break;
    }
    flushing = undefined;
    if (pending.length) scheduleFlush();
  }

  // A browser that dropped its subscription (the push service answered 404/410) is not sent to again:
  // without this every later push to that customer would go to a dead endpoint and fail the same way.
  async function revokeGone(gone: Gone[]): Promise<void> {
    const byWorkspace = new Map<string, string[]>();
    for (const g of gone) byWorkspace.set(g.workspaceId, [...(byWorkspace.get(g.workspaceId) ?? []), g.endpoint]);
    for (const [workspaceId, endpoints] of byWorkspace) await revokePushSubscriptions(db, { workspaceId, endpoints: [...new Set(endpoints)] });
  }

  async function sendOne(lane: Lane, p: Extract<Prepared, { outcome: 'send' }>, claimedAt: Date): Promise<void> {
    const channel: ChannelRow = p.channel;
    const m = p.message;
    // Slots per lane and channel: a campaign filling its channel's slots leaves the transactional lane's free.
    const slotKey = `${lane}:${channel.id}`;
    let slot = slots.get(slotKey);
    if (!slot) slots.set(slotKey, (slot = semaphore(concurrency)));
    const rate = typeof channel.settings.ratePerSecond === 'number' && channel.settings.ratePerSecond > 0 ? channel.settings.ratePerSecond : 0;
    let pace = pacers.get(channel.id);
    if (rate && pace?.rate !== rate) pacers.set(channel.id, (pace = { rate, wait: pacer(rate) }));
    await slot.acquire();
    try {
      const base = { workspaceId: m.workspaceId, messageId: m.id };
      if (stopping) return await record([{ ...base, status: 'queued', reason: 'worker stopping', sendAt: clock.now() }]);
      if (rate && pace) await pace.wait();
      let result: SendResult;
      try {
        const provider: Provider = providerFor(channel, secretsOf(channel), { db, config: opts.config }, lane);
        result = await provider.send({ workspaceId: m.workspaceId, messageId: m.id, to: p.to, content: p.content });
      } catch (err) {
        result = { ok: false, permanent: false, reason: errorText(err), code: 'exception' };
      }
      const at = clock.now();
      const changes: StatusChange[] = [{ ...base, status: 'sending', at: claimedAt, detail: { attempt: m.attempts, worker: workerId } }];
      const bounces: Bounce[] = [];
      const gone: Gone[] = [];
      if (result.ok) {
        changes.push({ ...base, status: 'sent', at, providerMessageId: result.providerMessageId, detail: result.fellBack ? { fellBack: true } : null });
        if (result.delivered) changes.push({ ...base, status: 'delivered', at });
      } else if (result.permanent) {
        const bounced = m.kind === 'email' && result.code === 'recipient_rejected';
        changes.push({ ...base, status: bounced ? 'bounced' : 'failed', reason: result.reason, detail: { code: result.code ?? null } });
        if (bounced && p.to) bounces.push({ workspaceId: m.workspaceId, kind: 'email', address: p.to, reason: 'hard_bounce', detail: result.reason.slice(0, 500) });
        const endpoint = m.kind === 'push' && result.code === 'subscription_gone' ? pushEndpoint(p.to) : null;
        if (endpoint) gone.push({ workspaceId: m.workspaceId, endpoint });
      } else if (m.attempts >= maxAttempts) {
        changes.push({ ...base, status: 'failed', reason: `gave up after ${m.attempts} attempts: ${result.reason}`, detail: { code: result.code ?? null } });
      } else {
        const sendAt = new Date(at.getTime() + retryDelayMs(m.attempts, backoff));
        changes.push({ ...base, status: 'queued', reason: result.reason, sendAt, detail: { code: result.code ?? null, retry: true } });
      }
      await record(changes, bounces, gone);
    } finally {
      slot.release();
    }
  }

  async function processBatch(lane: Lane, rows: MessageRow[], claimedAt: Date): Promise<void> {
    const prepared = await prepareBatch(db, rows, { baseUrl, trackingKey, now: claimedAt });
    const refused: StatusChange[] = [];
    for (const p of prepared) {
      const base = { workspaceId: p.message.workspaceId, messageId: p.message.id };
      if (p.outcome === 'suppressed') refused.push({ ...base, status: 'suppressed', reason: p.reason });
      else if (p.outcome === 'deferred') refused.push({ ...base, status: 'deferred', reason: p.reason, sendAt: p.until });
      else if (p.outcome === 'failed') refused.push({ ...base, status: 'sending', at: claimedAt }, { ...base, status: 'failed', reason: p.reason });
    }
    const done: Promise<void>[] = refused.length ? [record(refused)] : [];
    for (const p of prepared) if (p.outcome === 'send') done.push(sendOne(lane, p, claimedAt));
    await Promise.all(done);
  }

  async function loop(lane: Lane): Promise<void> {
    const inflight = new Set<Promise<void>>();
    let failures = 0;
    let limit = firstBatchSize;
    while (!stopping) {
      if (inflight.size >= pipeline) {
        await Promise.race(inflight);
        continue;
      }
      let rows: MessageRow[];
      const claimedAt = clock.now();
      try {
        rows = await claim(lane, limit);
        failures = 0;
      } catch (err) {
        failures++;
        const wait = Math.min(pollMs * 2 ** failures, 30_000);
        log.error({ lane, err: errorText(err), retryInMs: wait }, 'message dispatcher could not claim');
        await sleep(lane, wait);
        continue;
      }
      if (rows.length > 0) {
        const batch = processBatch(lane, rows, claimedAt).catch((err: unknown) => {
          // The claims run out and the messages are taken back (same content, same Message-ID).
          log.error({ lane, messages: rows.length, err: errorText(err) }, 'message batch failed');
        });
        const tracked = batch.finally(() => inflight.delete(tracked));
        inflight.add(tracked);
        if (rows.length === limit) {
          limit = Math.min(batchSize, limit * 2);
          continue;
        }
      }
      limit = firstBatchSize;
      // Nothing (more) due: wait for a wake-up, the poll, or a batch to finish (it may leave retries due).
      await sleep(lane, pollMs, inflight.size ? Promise.race(inflight) : undefined);
    }
    await Promise.allSettled(inflight);
  }

  const timers = new Set<NodeJS.Timeout>();
  const unsubscribe = onMessagesQueued(() => {
    if (stopping) return;
    // createMessages may run in a transaction that commits a moment later: look again soon after.
    for (const ms of QUEUED_LOOK_MS) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        wakeUp();
      }, ms);
      timer.unref();
      timers.add(timer);
    }
  });

  // The SMTP thread (~20 MB) loads now rather than with the first e-mails: loading it then, under
  // the load of a campaign being created, put ~0.4 s before the first message (the benchmark).
  warmProviders();
  log.info({ workerId, lanes, batchSize, concurrency }, 'message dispatcher started');
  const loops = lanes.map((lane) => loop(lane));
  let stopped: Promise<void> | undefined;
  return {
    wakeUp,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        unsubscribe();
        for (const t of timers) clearTimeout(t);
        wakeUp();
        if (flushTimer) startFlush();
        await Promise.all(loops);
        woken = new Set();
        log.info({ workerId }, 'message dispatcher stopped');
      })();
      return stopped;
    },
  };
}
