// Segments benchmark (`npm run bench -- segments [--customers N] [--events-per-customer N] [--probes N] [--rate N] [--seconds N] [--reuse]`):
// (--reuse keeps the data of the previous run instead of generating it again)
// on PostgreSQL (a fresh rapport_bench_segments database), N customers (default 1M) with
// ~20 behaviour events each (default 20M) over the last 90 days and their metrics rows, brought
// to a running shop's state before the clock starts (analytics run, vacuum, checkpoint), then
// - a full recompute of a 4-condition behavioural segment: the first one (everyone enters, an
//   event each) and a steady-state one (target ≤ 3 s);
// - a preview of the same definition as the API runs it, count and a sample of 20 (target ≤ 500 ms):
//   an estimate from the 1% customer sample at this size, then the exact count (`exact: true`);
// - live updates: a worker runs as `npm start` runs it (poll 500 ms) while 16 senders post
//   batches of 100 events to POST /v1/batch of the server (`npm start`'s command, in a process of
//   its own) at --rate events/s in all (default 5,000); probe customers who lack only the cart
//   condition get a `Product Added` event through POST /v1/track, and the time until they are
//   members is measured (target p99 ≤ 1 s), for --probes probes (default 300) or --seconds
//   (default 60), whichever ends first. The worker's hourly analytics run is made due as the
//   timed part starts, so that it runs beside it (a running shop's worst minute of the hour).
import http from 'node:http';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { uuidv7 } from '../src/db/uuid.ts';
import type { BenchResult, Figure } from './harness.ts';
import { percentile } from './harness.ts';
import { buildServer, postSegment, startServer } from './server.ts';
import '../src/areas.ts';
import { openDatabase, type Db } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { refreshAnalytics, scheduledMode } from '../src/analytics/jobs.ts';
import { compileSegment } from '../src/segments/compile.ts';
import { previewSegment } from '../src/segments/reports.ts';
import type { SegmentDefinition } from '../src/segments/definition.ts';
import { compileContext, recomputeSegment } from '../src/segments/membership.ts';
import { createSegment } from '../src/segments/segments.ts';
import { systemJobHandlers } from '../src/worker/handlers.ts';
import { startWorker } from '../src/worker/runner.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { createUser } from '../src/workspaces/users.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { systemActor } from '../src/workspaces/audit.ts';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Senders of batches of 100 at once (a shop's browsers and backend send many small requests at the same time). */
const LOOPS = 16;
const CART = { type: 'event', name: 'Product Added', within: { days: 7 } } as const;
/** Viewed 3+ products in 30 days, added to cart in 7 days, no order in 7 days, a buyer before. */
const BEHAVIOURAL: SegmentDefinition = {
  and: [
    { type: 'event', name: 'Product Viewed', within: { days: 30 }, count: { op: 'gte', value: 3 } },
    CART,
    { not: { type: 'event', name: 'Order Completed', within: { days: 7 } } },
    { type: 'metric', field: 'order_count', op: 'gte', value: 1 },
  ],
};

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
};

async function generate(db: Db, opts: { ws: string; n: number; eventsPerCustomer: number }): Promise<void> {
  const { ws, n } = opts;
  await db.execute(sql`
    insert into customers (workspace_id, id, name, created_at, updated_at)
    select ${ws}::uuid, (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-000000000000')::uuid, '고객 ' || g, now() - random() * interval '400 days', now()
    from generate_series(1, ${n}) g`);
  await db.execute(sql`
    insert into customer_identities (workspace_id, id, customer_id, kind, value)
    select ${ws}::uuid, gen_random_uuid(), (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-000000000000')::uuid, 'user_id', 'u' || g
    from generate_series(1, ${n}) g`);
  // Events in chunks of 1M so the load stays within memory.
  const total = n * opts.eventsPerCustomer;
  for (let done = 0; done < total; done += 1_000_000) {
    const size = Math.min(1_000_000, total - done);
    await db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, user_id, type, name, properties, context, timestamp, received_at)
      select ${ws}::uuid, gen_random_uuid(), 'gen-' || (${done} + g), c, null, 'track',
        case when r < 0.55 then 'Product Viewed' when r < 0.80 then 'Page Viewed' when r < 0.93 then 'Product Added' else 'Order Completed' end,
        '{}'::jsonb, '{}'::jsonb, t, t
      from (select g, (lpad(to_hex(1 + floor(random() * ${n})::int), 8, '0') || '-0000-7000-8000-000000000000')::uuid as c, random() as r,
                   now() - random() * interval '90 days' as t
            from generate_series(1, ${size}) g) x`);
  }
  await db.execute(sql`
    insert into customer_metrics (workspace_id, customer_id, event_count, order_count, last_seen_at, last_order_at)
    select ${ws}::uuid, customer_id, count(*), count(*) filter (where name = 'Order Completed'), max(timestamp), max(timestamp) filter (where name = 'Order Completed')
    from events where workspace_id = ${ws}::uuid group by customer_id`);
  // Vacuum as well as analyze: behaviour conditions read events from the index alone only where the
  // visibility map says the pages are all visible (autovacuum does it in time on a running server).
  for (const t of ['customers', 'customer_identities', 'events', 'customer_metrics']) await db.execute(sql.raw(`vacuum (analyze) ${t}`));
}

/**
 * Brings the workspace to the state of a shop that has been running: its scores and inferences
 * as of its last analytics run (a full one when none ran in the last 23 hours, as the hourly
 * schedule decides), vacuumed, and a checkpoint. Otherwise the worker's first schedule starts a
 * full run over 1M customers during the timed part (every metrics row rewritten, then the
 * affinities: a minute of work and a checkpoint every 6 s), and the load, the vacuum and that
 * run leave gigabytes of dirty pages for the checkpointer to write then (the bench's role is a
 * superuser's).
 */
async function settle(db: Db, ws: string): Promise<void> {
  await refreshAnalytics(db, { workspaceId: ws, mode: await scheduledMode(db, { workspaceId: ws }) });
  for (const t of ['customer_metrics', 'customer_preferences', 'jobs']) await db.execute(sql.raw(`vacuum (analyze) ${t}`));
  await db.execute(sql`checkpoint`);
}

async function databaseFigures(opts: { customers: number; eventsPerCustomer: number; probes: number; rate: number; seconds: number; reuse: boolean; notes: string[] }): Promise<Figure[]> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = 'rapport_bench_segments';
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount === 1;
  const reuse = opts.reuse && exists;
  if (!reuse) {
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
  }
  await admin.end();
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), max: 8 });
  const figures: Figure[] = [];
  try {
    await runMigrations(database);
    const db = database.db;
    let ws: string;
    let n = opts.customers;
    if (reuse) {
      // The data of an earlier run (--reuse): its segments, members and their events go first.
      const { rows } = await db.execute<{ id: string }>(sql`select id from workspaces where name = 'Segments bench' limit 1`);
      ws = rows[0]!.id;
      n = Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from customers where workspace_id = ${ws}::uuid`)).rows[0]!.n);
      for (const t of ['segment_members', 'segment_membership_history', 'segment_sizes', 'segment_pending_changes', 'segments']) await db.execute(sql.raw(`delete from ${t}`));
      await db.execute(sql`delete from events where workspace_id = ${ws}::uuid and (name in ('Segment Entered', 'Segment Exited') or message_id not like 'gen-%')`);
      await db.execute(sql`delete from jobs`);
      // What the deletes left (dead rows, pages no longer all-visible) would make index-only
      // scans read the table: on a server autovacuum clears it, here it may be off.
      for (const t of ['events', 'segment_members', 'segment_membership_history', 'customer_metrics', 'segment_pending_changes', 'jobs']) await db.execute(sql.raw(`vacuum (analyze) ${t}`));
      opts.notes.push(`reused the data of an earlier run (${n} customers)`);
    } else {
      const workspace = await db.transaction(async (tx) => {
        const owner = await createUser(tx, { email: 'bench-segments@rapport.local', password: 'bench-segments-password', name: 'Bench' });
        return createWorkspace(tx, { name: 'Segments bench', ownerId: owner.id, actor: systemActor });
      });
      ws = workspace.id;
      const [, loadMs] = await time(() => generate(db, { ws, n, eventsPerCustomer: opts.eventsPerCustomer }));
      figures.push({ name: 'db: data load', value: loadMs, unit: 'ms' });
    }
    const [, settleMs] = await time(() => settle(db, ws));
    figures.push({ name: 'db: analytics brought up to date, vacuum, checkpoint', value: settleMs, unit: 'ms' });
    const { rows: counted } = await db.execute<{ n: number }>(sql`select count(*)::int as n from events where workspace_id = ${ws}::uuid`);
    figures.push({ name: 'db: customers', value: n, unit: 'rows' });
    figures.push({ name: 'db: events', value: Number(counted[0]!.n), unit: 'rows' });

    const segment = await createSegment(db, { workspaceId: ws, actor: systemActor, input: { name: 'Browsing buyers with a cart', kind: 'dynamic', definition: BEHAVIOURAL } });
    const ctx = compileContext({ workspaceId: ws, now: new Date() });
    // As POST /api/segments/preview runs it: at 1M customers an estimate from the 1% customer
    // sample (src/db/sample.ts) with a sample of 20, and the exact count when asked for.
    const previews: number[] = [];
    let estimate = { count: 0, margin: 0, estimated: false, sampledCustomers: null as number | null };
    for (let i = 0; i < 5; i++) {
      const [r, ms] = await time(() => previewSegment(db, { workspaceId: ws, definition: BEHAVIOURAL, pii: true, timeoutMs: 120_000 }));
      estimate = r;
      previews.push(ms);
    }
    previews.sort((x, y) => x - y);
    figures.push({ name: 'preview: count and sample of 20 (median of 5)', value: percentile(previews, 50), unit: 'ms', target: '≤ 500', ok: percentile(previews, 50) <= 500 });
    if (estimate.estimated) {
      figures.push({ name: 'preview: estimated members', value: estimate.count, unit: 'customers' });
      figures.push({ name: 'preview: estimate margin (95%, ±)', value: estimate.margin, unit: 'customers' });
      figures.push({ name: 'preview: customers in the sample', value: estimate.sampledCustomers ?? 0, unit: 'customers' });
    } else {
      figures.push({ name: 'preview count: members', value: estimate.count, unit: 'customers' });
    }
    const exacts: number[] = [];
    let exactCount = 0;
    for (let i = 0; i < 3; i++) {
      const [r, ms] = await time(() => previewSegment(db, { workspaceId: ws, definition: BEHAVIOURAL, pii: true, timeoutMs: 120_000, exact: true }));
      exactCount = r.count;
      exacts.push(ms);
    }
    exacts.sort((x, y) => x - y);
    figures.push({ name: 'preview, exact: true (median of 3)', value: percentile(exacts, 50), unit: 'ms' });
    figures.push({ name: 'preview, exact: members', value: exactCount, unit: 'customers' });
    if (estimate.estimated) {
      figures.push({ name: 'preview: estimate − exact', value: estimate.count - exactCount, unit: 'customers', target: `within ±${estimate.margin}`, ok: Math.abs(estimate.count - exactCount) <= estimate.margin });
    }

    const [first, firstMs] = await time(() => recomputeSegment(db, { workspaceId: ws, segmentId: segment.id }));
    figures.push({ name: 'first full recompute (everyone enters, an event each)', value: firstMs, unit: 'ms' });
    figures.push({ name: 'first recompute: members entered', value: first.entered, unit: 'customers' });
    const steady: number[] = [];
    for (let i = 0; i < 3; i++) steady.push((await time(() => recomputeSegment(db, { workspaceId: ws, segmentId: segment.id })))[1]);
    steady.sort((x, y) => x - y);
    figures.push({ name: 'full recompute, 4-condition behavioural (median of 3)', value: percentile(steady, 50), unit: 'ms', target: '≤ 3000', ok: percentile(steady, 50) <= 3000 });

    // Probes: members-to-be who lack only the cart condition.
    const withoutCart: SegmentDefinition = { and: [(BEHAVIOURAL as { and: SegmentDefinition[] }).and[0]!, { not: CART }, ...(BEHAVIOURAL as { and: SegmentDefinition[] }).and.slice(2)] };
    const { rows: candidates } = await db.execute<{ customer_id: string }>(sql`select customer_id from (${compileSegment(withoutCart, ctx)}) t limit ${opts.probes}`);
    const userIdOf = (customerId: string) => `u${parseInt(customerId.slice(0, 8), 16)}`;

    // Ingestion as a shop's tracker and backend send it: Segment batches through POST /v1/batch of
    // the server, run as `npm start` runs it in a process of its own (its worker off), so that
    // concurrent requests are written together (src/events/ingest-queue.ts). The worker, as
    // `npm start` runs it, is in this process: a `rapport worker` beside the server.
    // A secret key, as a shop's backend sends: a write key's identify of a known customer changes
    // nothing without userHash (docs/events.md), which would leave that work out of the measure.
    const { key } = await createApiKey(db, { workspaceId: ws, actor: systemActor, actorRole: 'owner', kind: 'secret', name: `segments bench ${Date.now()}` });
    buildServer();
    const server = await startServer({ DATABASE_URL: url.toString() });
    const agent = new http.Agent({ keepAlive: true, maxSockets: LOOPS + 1 });
    const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
    const send = async (path: string, body: unknown) => {
      const res = await postSegment(agent, server.port, auth, path, JSON.stringify(body));
      if (res.status !== 200) throw new Error(`segments bench: ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    };
    // The worker's hourly analytics run falls in the timed part, as it does in one minute of every
    // hour of a running shop (the worst minute): due now, whether this database is new (the worker
    // registers the schedule as due) or reused (the last run left it due within the hour).
    await db.execute(sql`update recurring_jobs set next_run_at = now() where name = 'system:analytics.schedule'`);
    const liveFrom = new Date();
    const worker = startWorker(database, { handlers: systemJobHandlers(), concurrency: 4 });
    let stop = false;
    let ingested = 0;
    const names = ['Page Viewed', 'Product Viewed', 'Product Viewed', 'Product Added', 'Page Viewed'];
    const background = async () => {
      const perBatch = 100;
      const interval = (perBatch / opts.rate) * 1000 * LOOPS; // the loops share the rate
      let next = performance.now();
      while (!stop) {
        const batch = Array.from({ length: perBatch }, (_, i) => ({
          type: 'track',
          event: names[i % names.length],
          userId: `u${1 + Math.floor(Math.random() * n)}`,
          messageId: uuidv7(),
        }));
        await send('/v1/batch', { batch });
        ingested += perBatch;
        next += interval;
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };
    const loops = Array.from({ length: LOOPS }, () => background());
    const latencies: number[] = [];
    // The part of each latency until the probe's own event was stored (the API answered).
    const stored: number[] = [];
    const started = performance.now();
    let loadSeconds = 0; // until every batch sent has been answered
    try {
      await new Promise((r) => setTimeout(r, 2000)); // let the load settle
      for (const { customer_id: id } of candidates) {
        const t = performance.now();
        await send('/v1/track', { type: 'track', event: 'Product Added', userId: userIdOf(id), messageId: uuidv7() });
        stored.push(performance.now() - t);
        for (;;) {
          const { rows } = await db.execute(sql`select 1 from segment_members where workspace_id = ${ws}::uuid and segment_id = ${segment.id}::uuid and customer_id = ${id}::uuid`);
          if (rows.length > 0) break;
          if (performance.now() - t > 30_000) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        latencies.push(performance.now() - t);
        if (performance.now() - started > opts.seconds * 1000) break;
      }
    } finally {
      stop = true;
      await Promise.allSettled(loops);
      loadSeconds = (performance.now() - started) / 1000;
      await worker.stop();
      await server.stop();
    }
    await Promise.all(loops); // a failed request fails the run
    latencies.sort((x, y) => x - y);
    figures.push({ name: 'background ingest rate achieved', value: ingested / loadSeconds, unit: 'events/s', target: `${opts.rate}` });
    figures.push({ name: 'live: event → member, p50', value: percentile(latencies, 50), unit: 'ms' });
    figures.push({ name: 'live: event → member, p99', value: percentile(latencies, 99), unit: 'ms', target: '≤ 1000', ok: percentile(latencies, 99) <= 1000 });
    figures.push({ name: 'live: probes', value: latencies.length, unit: 'probes' });
    const { rows: runs } = await db.execute<{ kind: string; mode: string; status: string; customers: number; ms: number | null }>(sql`
      select kind, mode, status, customers, duration_ms as ms from analytics_runs
      where workspace_id = ${ws}::uuid and started_at >= ${liveFrom.toISOString()}::timestamptz order by started_at`);
    figures.push({ name: 'live: hourly analytics run alongside (its parts, in all)', value: runs.reduce((a, r) => a + Number(r.ms ?? 0), 0), unit: 'ms' });
    opts.notes.push(
      `analytics during the timed part: ${runs.map((r) => `${r.kind} ${r.mode} ${r.status} ${r.customers} customers ${r.ms ?? '-'} ms`).join('; ') || 'none'}`,
    );
    stored.sort((x, y) => x - y);
    figures.push({ name: "live: the probe's event stored (ingested), p50", value: percentile(stored, 50), unit: 'ms' });
    figures.push({ name: "live: the probe's event stored (ingested), p99", value: percentile(stored, 99), unit: 'ms' });
  } finally {
    await database.close();
  }
  return figures;
}

export async function run(args: string[] = []): Promise<BenchResult> {
  const customers = Number(flag(args, 'customers') ?? 1_000_000);
  const eventsPerCustomer = Number(flag(args, 'events-per-customer') ?? 20);
  const probes = Number(flag(args, 'probes') ?? 300);
  const rate = Number(flag(args, 'rate') ?? 5000);
  const seconds = Number(flag(args, 'seconds') ?? 60);
  const notes: string[] = [];
  const figures = await databaseFigures({ customers, eventsPerCustomer, probes, rate, seconds, reuse: args.includes('--reuse'), notes });
  return { bench: 'segments', figures, notes };
}
