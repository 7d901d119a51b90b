// Journeys benchmark (`npm run bench -- journeys [--customers 100000] [--probes 300] [--rate 2000]
//                     [--others 20000] [--seconds 60] [--db both|postgres|pglite] [--pglite-scale 0.1]
//                     [--pglite-rate N] [--keep]`):
// a workspace of N customers (default 100,000, external ids j1…jN, e-mail marketing and night-ad
// consent), a static segment of everyone (a shop has other segments: see load), a dynamic segment
// "external id starts with j" that nobody is in yet, journey A
// (segment_entered of that segment, 5 steps: send → delay 1 day → send → delay 2 days → exit),
// journey B (the event `Signed Up`: send → exit) and the job worker as `npm start` runs it
// (startWorker with systemJobHandlers, the system schedules registered; all but the journeys tick
// are put an hour off, so that an analytics run or a sweep does not fall in the timed parts).
// The dispatcher does not run: nothing is delivered. In the same run:
//  (0) the ceiling: a raw INSERT … SELECT of N message rows (the same table, columns and indexes);
//  (1) recomputeSegment makes all N enter journey A at once (its membership hook fills the
//      journeys inbox and asks for the journeys job; the worker runs it) → seconds from the
//      recompute call until every run's first send is logged (its message made, through the gate),
//      runs/s, and the ratio to (0);
//  (2) the N runs waiting at A's first delay made due in the same minute (their due_at moved to
//      the start of this minute; the tables vacuumed as a day of autovacuum would have) → seconds
//      until every run has moved past the delay to its next send (logged), runs/s;
//  (3) while --rate events/s (default 2,000) are ingested through ingestBatch for --others other
//      customers (names nobody listens to, batches of 100 from 8 loops), --probes `Signed Up`
//      events (default 300, over --seconds) each in an ingestBatch call of its own for customers
//      t1…: the time from the call returning (its events committed) to its run of journey B being
//      visible (polled every 20 ms, one query for all probes in flight), p50 / p99, the ingestion
//      rate achieved; and the same from journey_runs.entered_at (the clock read by the journeys job
//      before its drain: a lower bound, as it precedes the commit that makes the run visible).
// Notes give, per timed part, the CPU used by this process and by the database's backends, how
// long no journeys job was running, and the ticks' time. PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/rapport_bench_journeys, dropped
// and created afresh (--keep leaves it afterwards). PGlite: a fresh data directory, at
// --pglite-scale of the entrants and the other customers (--pglite-rate: its ingestion rate, default --rate).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import '../src/areas.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database, type Db } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { uuidv7 } from '../src/db/uuid.ts';
import { ingestBatch } from '../src/events/ingest.ts';
import type { JourneyDefinition } from '../src/journeys/graph.ts';
import { activateJourney, createJourney } from '../src/journeys/journeys.ts';
import { createChannel } from '../src/messaging/channels.ts';
import { createTemplate } from '../src/messaging/templates.ts';
import { recomputeSegment } from '../src/segments/membership.ts';
import { createSegment } from '../src/segments/segments.ts';
import { systemActor } from '../src/workspaces/audit.ts';
import { randomString } from '../src/workspaces/secrets.ts';
import { createUser } from '../src/workspaces/users.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { JOURNEYS_TICK_JOB, JOURNEYS_WORK_JOB } from '../src/journeys/work.ts';
import { registerSystemSchedules, systemJobHandlers } from '../src/worker/handlers.ts';
import { startWorker, type Worker } from '../src/worker/runner.ts';
import { percentile, resetDatabase, type BenchResult, type Figure } from './harness.ts';

export const TARGET_ENTER_S = 60;
export const TARGET_RELEASE_S = 30;
export const TARGET_TRIGGER_P99_MS = 1000;
/** The journeys tick, kept on time; the other system schedules are put off during the bench. */
const TICK_SCHEDULE = 'system:journeys.tick';
const LOOPS = 8;
const BATCH = 100;
const GIVE_UP_S = 900;

export type Options = {
  customers: number;
  others: number;
  probes: number;
  rate: number;
  seconds: number;
  db: 'both' | 'postgres' | 'pglite';
  pgliteScale: number;
  pgliteRate: number;
  keep: boolean;
};

export function readOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      customers: { type: 'string' },
      others: { type: 'string' },
      probes: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      db: { type: 'string' },
      'pglite-scale': { type: 'string' },
      'pglite-rate': { type: 'string' },
      keep: { type: 'boolean' },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, fallback: number, min = 1) => {
    if (raw === undefined) return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: must be a whole number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const db = values.db ?? 'both';
  if (db !== 'both' && db !== 'postgres' && db !== 'pglite') throw new Error(`--db: both, postgres or pglite, got "${db}"`);
  const scale = values['pglite-scale'] === undefined ? 0.1 : Number(values['pglite-scale']);
  if (!(scale > 0 && scale <= 1)) throw new Error('--pglite-scale: a number in (0, 1]');
  const rate = int('rate', values.rate, 2000);
  return {
    customers: int('customers', values.customers, 100_000),
    others: int('others', values.others, 20_000),
    probes: int('probes', values.probes, 300),
    rate,
    seconds: int('seconds', values.seconds, 60),
    db,
    pgliteScale: scale,
    pgliteRate: int('pglite-rate', values['pglite-rate'], rate),
    keep: values.keep ?? false,
  };
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (n: number) => n.toLocaleString('en-US');

/** Polls `done` every `everyMs` until it holds; returns when it was first seen to hold (performance.now()). */
async function until(done: () => Promise<boolean>, everyMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await done()) return performance.now();
    if (seconds(t0) > GIVE_UP_S) throw new Error(`journeys bench: gave up waiting for ${what} after ${GIVE_UP_S} s`);
    await sleep(everyMs);
  }
}

// --- where the CPU goes ------------------------------------------------------------------------

/** CPU seconds so far of this process (on PGlite the database's thread too) and of this database's PostgreSQL backends (from /proc). */
async function cpuNow(database: Database): Promise<{ node: number; postgres: Map<number, number> }> {
  const u = process.cpuUsage();
  const postgres = new Map<number, number>();
  if (database.kind === 'postgres') {
    const { rows } = await database.db.execute<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database()`);
    for (const { pid } of rows) {
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        postgres.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        /* another machine's server, or the backend is gone */
      }
    }
  }
  return { node: (u.user + u.system) / 1e6, postgres };
}

async function cpuSince(database: Database, a: Awaited<ReturnType<typeof cpuNow>>): Promise<string> {
  const b = await cpuNow(database);
  let pg = 0;
  for (const [pid, s] of b.postgres) pg += s - (a.postgres.get(pid) ?? 0);
  return database.kind === 'postgres' ? `CPU node ${(b.node - a.node).toFixed(1)} s, postgres backends ${pg.toFixed(1)} s` : `CPU node + PGlite ${(b.node - a.node).toFixed(1)} s`;
}

/** When the journeys job ran (end: Infinity while it runs). */
type Span = { start: number; end: number };

/** How many journeys jobs ran between `from` and `to`, and for how long none was running. */
function jobsBetween(spans: Span[], from: number, to: number): string {
  const inside = spans.filter((s) => s.end > from && s.start < to).sort((a, b) => a.start - b.start);
  let idle = 0;
  let at = from;
  for (const s of inside) {
    if (s.start > at) idle += s.start - at;
    at = Math.max(at, s.end);
  }
  if (to > at) idle += to - at;
  return `${inside.length} journeys jobs ran; none was running for ${(idle / 1000).toFixed(1)} s of it`;
}

/** The journeys ticks between `from` and `to` and the time they took (each reads which workspaces have work). */
function ticksBetween(ticks: Span[], from: number, to: number): string {
  const inside = ticks.filter((s) => s.start >= from && s.end <= to);
  const ms = inside.map((s) => s.end - s.start).sort((a, b) => a - b);
  return `${inside.length} ticks took ${(ms.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s in all (median ${ms.length ? percentile(ms, 50).toFixed(0) : '-'} ms)`;
}

// --- the shop ----------------------------------------------------------------------------------

export type Shop = { workspaceId: string; segmentId: string; journeyA: string; journeyB: string; channelId: string };

export async function load(db: Db, o: Options): Promise<Shop> {
  const { workspaceId } = await db.transaction(async (tx) => {
    const owner = await createUser(tx, { email: `bench-${randomString(10).toLowerCase()}@bench.rapport.local`, password: randomString(20), name: 'Bench' });
    const w = await createWorkspace(tx, { name: 'Journeys bench', ownerId: owner.id, actor: systemActor, timeZone: 'Asia/Seoul', currency: 'KRW' });
    return { workspaceId: w.id };
  });
  const ws = sql`${workspaceId}::uuid`;
  // j…: journey A's entrants; t…: the probes of journey B; o…: the background ingestion's customers.
  for (const [prefix, n] of [['j', o.customers], ['t', o.probes], ['o', o.others]] as const) {
    await db.execute(sql`
      insert into customers (workspace_id, id, external_id, email, name, locale, time_zone, created_at, updated_at)
      select ${ws}, gen_random_uuid(), ${prefix} || g, ${prefix} || g || '@bench.rapport.test', '고객 ' || ${prefix} || g, 'ko-KR', 'Asia/Seoul', now(), now()
      from generate_series(1, ${n}) g`);
  }
  // Their user ids, as the shop's tracker sends them (the external id).
  await db.execute(sql`
    insert into customer_identities (workspace_id, id, customer_id, kind, value, source)
    select workspace_id, gen_random_uuid(), id, 'user_id', external_id, 'bench' from customers where workspace_id = ${ws} and external_id !~ '^j'`);
  // E-mail marketing consent, and night-ad consent so that the quiet hours do not defer ads at night.
  await db.execute(sql`
    insert into customer_consents (workspace_id, customer_id, channel, purpose, status, source, updated_at)
    select workspace_id, id, 'email', p, 'granted', 'bench', now() from customers, unnest(array['marketing', 'night_ads']) p
    where workspace_id = ${ws} and external_id !~ '^o'`);
  for (const t of ['customers', 'customer_identities', 'customer_consents']) await db.execute(sql.raw(`vacuum analyze ${t}`));
  const { channel } = await createChannel(db, loadConfig({ RAPPORT_DEMO: '0', RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') }), {
    workspaceId,
    actor: systemActor,
    input: { kind: 'email', provider: 'smtp', name: 'Bench SMTP', settings: { host: '127.0.0.1', port: 9, from: 'news@bench.rapport.test' } },
  });
  const template = async (v: string) =>
    (await createTemplate(db, { workspaceId, actor: systemActor, input: { name: `Bench ${v}`, kind: 'email', format: 'html', purpose: 'marketing', subject: `[${v}] {{ customer.name }}님`, body: `<p>${v}</p>` } })).id;
  const [first, second, hello] = [await template('first'), await template('second'), await template('hello')];
  // A shop has other segments: a static one of everyone, loaded in bulk as an upload leaves it.
  // Without other members segment_members is empty when the timed recompute plans its diff, and
  // the planner (fresh statistics: no rows) anti-joins the 100,000 new members to it by a nested
  // loop that scans the pages the same statement is inserting: O(n²), 116–232 s at 100,000 here.
  const everyone = await createSegment(db, { workspaceId, actor: systemActor, input: { name: 'Everyone', kind: 'static' } });
  await db.execute(sql`
    insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
    select workspace_id, ${everyone.id}::uuid, id, now() from customers where workspace_id = ${ws}`);
  await db.execute(sql`vacuum analyze segment_members`);
  const segment = await createSegment(db, {
    workspaceId,
    actor: systemActor,
    input: { name: 'Bench entrants', kind: 'dynamic', definition: { type: 'attribute', field: 'external_id', op: 'starts_with', value: 'j' } },
  });
  const send = (id: string, templateId: string, next: string | null) => ({ id, type: 'send' as const, kind: 'email' as const, templateId, purpose: 'marketing' as const, next });
  const a: JourneyDefinition = {
    trigger: { type: 'segment_entered', segmentId: segment.id },
    entry: { mode: 'once', segmentId: null },
    exit: { goal: null, leaveSegmentId: null },
    holdoutShare: 0,
    graph: {
      start: 'first',
      steps: [
        send('first', first, 'wait1'),
        { id: 'wait1', type: 'delay', mode: 'duration', duration: { days: 1 }, next: 'second' },
        send('second', second, 'wait2'),
        { id: 'wait2', type: 'delay', mode: 'duration', duration: { days: 2 }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  };
  const b: JourneyDefinition = {
    trigger: { type: 'event', event: 'Signed Up', filters: [] },
    entry: { mode: 'once', segmentId: null },
    exit: { goal: null, leaveSegmentId: null },
    holdoutShare: 0,
    graph: { start: 'hello', steps: [send('hello', hello, 'end'), { id: 'end', type: 'exit' }] },
  };
  const journey = async (name: string, definition: JourneyDefinition) => {
    const j = await createJourney(db, { workspaceId, actor: systemActor, input: { name, definition } });
    await db.transaction((tx) => activateJourney(tx, { workspaceId, actor: systemActor, id: j.id }));
    return j.id;
  };
  return { workspaceId, segmentId: segment.id, journeyA: await journey('Bench welcome series', a), journeyB: await journey('Bench sign-up', b), channelId: channel.id };
}

/** The ceiling: N message rows of the journey's kind written by one plain INSERT … SELECT, then taken out again. */
async function rawCeiling(db: Db, shop: Shop): Promise<number> {
  const ws = sql`${shop.workspaceId}::uuid`;
  const t0 = performance.now();
  await db.execute(sql`
    insert into messages (workspace_id, id, idempotency_key, customer_id, channel_id, kind, purpose, lane, template_id, template_version, data, status, send_at, timing,
      origin, origin_id, created_by_label, created_at, updated_at)
    select workspace_id, gen_random_uuid(), 'raw:' || id, id, ${shop.channelId}::uuid, 'email', 'marketing', 'bulk', null, null, '{}'::jsonb, 'queued', now(), 'now',
      'raw', ${shop.journeyA}::uuid, 'Bench welcome series', now(), now()
    from customers where workspace_id = ${ws} and external_id ~ '^j'`);
  const s = seconds(t0);
  await db.execute(sql`delete from messages where workspace_id = ${ws} and origin = 'raw'`);
  await db.execute(sql`vacuum analyze messages`);
  return s;
}

// --- the figures -------------------------------------------------------------------------------

async function benchOne(label: string, database: Database, o: Options, figures: Figure[], notes: string[]): Promise<void> {
  await runMigrations(database);
  const db = database.db;
  const t0 = performance.now();
  const shop = await load(db, o);
  const ws = sql`${shop.workspaceId}::uuid`;
  const A = sql`${shop.journeyA}::uuid`;
  notes.push(`${label}: ${count(o.customers)} entrants, ${count(o.probes)} probe and ${count(o.others)} other customers loaded in ${seconds(t0).toFixed(1)} s`);

  const raw = await rawCeiling(db, shop);
  figures.push({ name: `${label} (0) ceiling: raw INSERT … SELECT of ${count(o.customers)} messages`, value: raw, unit: 's' });

  // The worker, as `npm start` runs it; the schedules other than the journeys tick are put off.
  await registerSystemSchedules(db);
  await db.execute(sql`update recurring_jobs set next_run_at = now() + interval '1 hour' where name like 'system:%' and name <> ${TICK_SCHEDULE}`);
  // The journeys job's handler, timed as it runs (when it ran is all this adds).
  const handlers = systemJobHandlers();
  const journeysWork = handlers[JOURNEYS_WORK_JOB]!;
  const spans: Span[] = [];
  handlers[JOURNEYS_WORK_JOB] = async (job, ctx) => {
    const span = { start: performance.now(), end: Infinity };
    spans.push(span);
    try {
      return await journeysWork(job, ctx);
    } finally {
      span.end = performance.now();
    }
  };
  const tick = handlers[JOURNEYS_TICK_JOB]!;
  const ticks: Span[] = [];
  handlers[JOURNEYS_TICK_JOB] = async (job, ctx) => {
    const span = { start: performance.now(), end: Infinity };
    ticks.push(span);
    try {
      return await tick(job, ctx);
    } finally {
      span.end = performance.now();
    }
  };
  const worker: Worker = startWorker(database, { handlers, concurrency: 4 });
  try {
    // Nothing left to do: an empty inbox and no run of A due. Ordered by due_at with a limit so that
    // it reads journey_runs_due_idx from its start (a few pages) rather than every run (25–45 ms a
    // look at 100,000 runs, a share of the CPU the figure is about).
    const quiet = async () => {
      const { rows } = await db.execute<{ inbox: boolean; due: boolean }>(sql`
        select exists (select 1 from journey_inbox where workspace_id = ${ws}) as inbox,
          exists (select 1 from (select due_at from journey_runs where status = 'active' and due_at is not null and due_at <= ${new Date().toISOString()}::timestamptz
                                  and workspace_id = ${ws} and journey_id = ${A} order by due_at limit 1) d) as due`);
      return !rows[0]!.inbox && !rows[0]!.due;
    };
    const logged = async (step: string) =>
      Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from journey_run_steps where workspace_id = ${ws} and journey_id = ${A} and step_id = ${step}`)).rows[0]!.n);

    // (1) Everyone enters at once.
    await sleep(1000); // the worker's first look at the queue (the tick) is behind it
    const cpu1 = await cpuNow(database);
    const t1 = performance.now();
    const recompute = await recomputeSegment(db, { workspaceId: shop.workspaceId, segmentId: shop.segmentId });
    const recomputeS = seconds(t1);
    let firstSendS = NaN;
    const end1 = await until(
      async () => {
        if (Number.isNaN(firstSendS)) {
          const { rows } = await db.execute(sql`select 1 from journey_run_steps where workspace_id = ${ws} and journey_id = ${A} limit 1`);
          if (rows.length) firstSendS = seconds(t1);
        }
        return quiet();
      },
      100,
      'the entrants’ first sends',
    );
    const enterS = (end1 - t1) / 1000;
    notes.push(`${label} (1): ${await cpuSince(database, cpu1)} over ${enterS.toFixed(1)} s; ${jobsBetween(spans, t1 + recomputeS * 1000, end1)}; ${ticksBetween(ticks, t1, end1)}`);
    const firsts = await logged('first');
    const { rows: outcomes } = await db.execute<{ status: string; n: number }>(sql`
      select status, count(*)::int as n from messages where workspace_id = ${ws} and origin = 'journey' and origin_id = ${A} group by status order by status`);
    if (recompute.entered !== o.customers || firsts !== o.customers) throw new Error(`journeys bench: ${recompute.entered} entered the segment, ${firsts} first sends logged, of ${o.customers}`);
    notes.push(`${label} (1): the recompute (${count(recompute.entered)} entered) took ${recomputeS.toFixed(1)} s; first send logged at ${firstSendS.toFixed(1)} s; messages ${outcomes.map((r) => `${r.status} ${count(Number(r.n))}`).join(', ')}`);
    figures.push({ name: `${label} (1) recompute → all ${count(o.customers)} first sends logged`, value: enterS, unit: 's', target: `≤ ${TARGET_ENTER_S}`, ok: enterS <= TARGET_ENTER_S });
    figures.push({ name: `${label} (1) runs/s`, value: o.customers / enterS, unit: 'runs/s' });
    figures.push({ name: `${label} (1) Rapport / raw ceiling`, value: enterS / raw, unit: 'ratio' });

    // (2) The first delay ends for everyone in the same minute: the start of a minute at least 30 s
    // away, so that the tables are vacuumed (as a day of autovacuum would have) before it comes and
    // the worker, running all along, finds them due only then.
    const { rows: minute } = await db.execute<{ at: Date | string }>(sql`select date_trunc('minute', now() + interval '90 seconds') as at`);
    const dueAt = new Date(minute[0]!.at).getTime();
    await db.execute(sql`
      update journey_runs set due_at = ${new Date(dueAt).toISOString()}::timestamptz
      where workspace_id = ${ws} and journey_id = ${A} and status = 'active' and step_id = 'wait1' and waiting`);
    for (const t of ['journey_runs', 'journey_run_steps', 'journey_inbox', 'messages', 'message_status_history', 'jobs']) await db.execute(sql.raw(`vacuum analyze ${t}`)).catch(() => undefined);
    if (Date.now() >= dueAt) notes.push(`${label} (2): the vacuum ended after the runs came due: the figure starts late`);
    const t2 = performance.now() + (dueAt - Date.now());
    await sleep(dueAt - Date.now());
    const cpu2 = await cpuNow(database);
    const end2 = await until(quiet, 100, 'the delay’s release');
    const releaseS = (end2 - t2) / 1000;
    notes.push(`${label} (2): ${await cpuSince(database, cpu2)} over ${releaseS.toFixed(1)} s; ${jobsBetween(spans, t2, end2)}; ${ticksBetween(ticks, t2, end2)}`);
    const seconds2 = await logged('second');
    if (seconds2 !== o.customers) throw new Error(`journeys bench: ${seconds2} second sends logged of ${o.customers}`);
    figures.push({ name: `${label} (2) delay due for ${count(o.customers)} → all past it (next send logged)`, value: releaseS, unit: 's', target: `≤ ${TARGET_RELEASE_S}`, ok: releaseS <= TARGET_RELEASE_S });
    figures.push({ name: `${label} (2) runs/s`, value: o.customers / releaseS, unit: 'runs/s' });

    // (3) Trigger → entry under background ingestion.
    await triggerToEntry(label, database, shop, o, figures, notes);
  } finally {
    await worker.stop();
  }
}

async function triggerToEntry(label: string, database: Database, shop: Shop, o: Options, figures: Figure[], notes: string[]): Promise<void> {
  const db = database.db;
  const ws = sql`${shop.workspaceId}::uuid`;
  let stop = false;
  let ingested = 0;
  const names = ['Page Viewed', 'Product Viewed', 'Product Viewed', 'Product List Viewed'];
  // Each loop sends batches of 100 at its share of the rate; a late batch is not made up for by bursts beyond the next one.
  const background = async () => {
    const interval = (BATCH / o.rate) * 1000 * LOOPS;
    let next = performance.now() + Math.random() * interval;
    while (!stop) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else next = performance.now();
      if (stop) break;
      const messages = Array.from({ length: BATCH }, (_, i) => ({
        type: 'track',
        event: names[i % names.length],
        userId: `o${1 + Math.floor(Math.random() * o.others)}`,
        messageId: uuidv7(),
        properties: { path: `/p/${i}` },
      }));
      const r = await ingestBatch(db, { workspaceId: shop.workspaceId, messages });
      if (r.errors.length) throw new Error(`journeys bench: background batch refused: ${r.errors[0]!.message}`);
      ingested += r.stored;
      next += interval;
    }
  };
  const loops = Array.from({ length: LOOPS }, () => background());
  const sent = new Map<string, { returned: number; wall: number }>();
  const seen = new Map<string, number>();
  const enteredLag: number[] = [];
  const stored: number[] = [];
  const started = performance.now();
  let loadSeconds = 0;
  let pollStop = false;
  // One query a round for every probe in flight.
  const poller = (async () => {
    while (!pollStop) {
      const waiting = [...sent.keys()].filter((k) => !seen.has(k));
      if (waiting.length) {
        const { rows } = await db.execute<{ entry_key: string; entered_at: Date | string }>(sql`
          select entry_key, entered_at from journey_runs where workspace_id = ${ws} and journey_id = ${shop.journeyB}::uuid and entry_key = any(${sql.param(waiting)}::text[])`);
        const at = performance.now();
        for (const r of rows) {
          seen.set(r.entry_key, at);
          enteredLag.push(new Date(r.entered_at).getTime() - sent.get(r.entry_key)!.wall);
        }
      }
      await sleep(20);
    }
  })();
  try {
    await sleep(2000); // the load settles
    const every = (o.seconds * 1000) / o.probes;
    const probes: Promise<void>[] = [];
    for (let i = 1; i <= o.probes; i++) {
      const key = uuidv7();
      probes.push(
        (async () => {
          const t = performance.now();
          await ingestBatch(db, { workspaceId: shop.workspaceId, messages: [{ type: 'track', event: 'Signed Up', userId: `t${i}`, messageId: key }] });
          const returned = performance.now();
          stored.push(returned - t);
          sent.set(key, { returned, wall: Date.now() });
        })(),
      );
      await sleep(every);
    }
    await Promise.all(probes);
    const t = performance.now();
    while (seen.size < sent.size && seconds(t) < 60) await sleep(50);
  } finally {
    stop = true;
    pollStop = true;
    await Promise.allSettled(loops);
    loadSeconds = seconds(started);
    await poller;
  }
  await Promise.all(loops); // a failed batch fails the run
  const latencies = [...seen].map(([k, at]) => at - sent.get(k)!.returned).sort((x, y) => x - y);
  enteredLag.sort((x, y) => x - y);
  stored.sort((x, y) => x - y);
  const p99 = percentile(latencies, 99);
  const missing = sent.size - seen.size;
  figures.push({ name: `${label} (3) background ingestion achieved`, value: ingested / loadSeconds, unit: 'events/s', target: `${o.rate}` });
  figures.push({ name: `${label} (3) trigger → run visible, p50`, value: percentile(latencies, 50), unit: 'ms' });
  figures.push({ name: `${label} (3) trigger → run visible, p99`, value: p99, unit: 'ms', target: `≤ ${TARGET_TRIGGER_P99_MS}`, ok: missing === 0 && p99 <= TARGET_TRIGGER_P99_MS });
  figures.push({ name: `${label} (3) trigger → entered_at, p50`, value: percentile(enteredLag, 50), unit: 'ms' });
  figures.push({ name: `${label} (3) trigger → entered_at, p99`, value: percentile(enteredLag, 99), unit: 'ms' });
  figures.push({ name: `${label} (3) the probe's ingestBatch call, p99`, value: percentile(stored, 99), unit: 'ms' });
  notes.push(`${label} (3): ${sent.size} probes, ${missing} never entered within 60 s, the slowest ${latencies.length ? latencies[latencies.length - 1]!.toFixed(0) : '-'} ms; ${count(ingested)} background events in ${loadSeconds.toFixed(1)} s`);
}

export async function run(args: string[]): Promise<BenchResult> {
  const o = readOptions(args);
  const figures: Figure[] = [];
  const notes: string[] = [`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`];
  if (o.db !== 'pglite') {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rapport_bench_journeys';
    if (new URL(url).pathname === '/test') throw new Error('journeys bench: refusing to run on the "test" database');
    await resetDatabase(url);
    const database = await openDatabase({ kind: 'postgres', url, max: 12 });
    try {
      await benchOne('postgres', database, o, figures, notes);
    } finally {
      await database.close();
      if (o.keep) notes.push(`postgres: kept ${url}`);
      else await resetDatabase(url, true);
    }
  }
  if (o.db !== 'postgres') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-journeys-'));
    const s = o.pgliteScale;
    // The probes are not scaled: a p99 needs a few hundred of them, and 5 a second add little load.
    const scaled: Options = { ...o, customers: Math.round(o.customers * s), others: Math.max(100, Math.round(o.others * s)), rate: o.pgliteRate };
    try {
      const database = await openDatabase({ kind: 'pglite', dataDir });
      try {
        await benchOne('pglite', database, scaled, figures, notes);
      } finally {
        await database.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  notes.push(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  return { bench: 'journeys', figures, notes };
}
