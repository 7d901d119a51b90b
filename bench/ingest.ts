// Ingestion benchmark: Segment batches through POST /v1/batch of the real server (run as
// `npm start` runs it, in its own process), with the effects (commerce, behaviour metrics)
// running, on a PostgreSQL server and on embedded PGlite. Reports events/s, p50/p99 batch
// latency, the metrics rows the run updated, and a raw multi-row INSERT rate into the events
// table on the same database as the ceiling.
//
//   npm run bench -- ingest [--events 1000000] [--batch 100] [--concurrency 8] [--db both|postgres|pglite]
//                           [--pglite-events N] [--raw-events 200000] [--seed 7] [--pool 200000]
//
// Events: src/demo-data/generate.ts's generateBehaviour (page views, product lists and views with dwell,
// carts, checkouts, orders, sign-ups; some visitors anonymous). Generating costs ~60 µs a message,
// so a pool (200k by default) is made before the clock starts and replayed with new people
// (user, anonymous, session and message ids, e-mails) until the count is reached.
// PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/rapport_bench_ingest, dropped
// and created afresh by each run.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import '../src/areas.ts';
import { openDatabase, type Database, type Db } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { systemActor } from '../src/workspaces/audit.ts';
import { randomString } from '../src/workspaces/secrets.ts';
import { createUser } from '../src/workspaces/users.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { generateBehaviour, generateCustomers, type SegmentMessage } from '../src/demo-data/generate.ts';
import { percentile, type BenchResult, type Figure } from './harness.ts';
import { buildServer, postSegment, startServer } from './server.ts';

const TARGET = 20_000;

type Options = {
  events: number;
  pgliteEvents: number;
  rawEvents: number;
  batch: number;
  concurrency: number;
  db: 'both' | 'postgres' | 'pglite';
  seed: number;
  pool: number;
};

function readOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: 'string' },
      'pglite-events': { type: 'string' },
      'raw-events': { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      db: { type: 'string' },
      seed: { type: 'string' },
      pool: { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: must be a whole number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const events = int('events', values.events, 1_000_000, 100);
  const db = values.db ?? 'both';
  if (db !== 'both' && db !== 'postgres' && db !== 'pglite') throw new Error(`--db: both, postgres or pglite, got "${db}"`);
  return {
    events,
    pgliteEvents: int('pglite-events', values['pglite-events'], events, 100),
    rawEvents: int('raw-events', values['raw-events'], Math.min(events, 200_000), 100),
    batch: int('batch', values.batch, 100, 1),
    concurrency: int('concurrency', values.concurrency, 8, 1),
    db,
    seed: int('seed', values.seed, 7, 0),
    pool: int('pool', values.pool, 200_000, 1000),
  };
}

// --- events -----------------------------------------------------------------------------------

/** A message as JSON with `~R~` where the round's suffix goes (ids and e-mails), so rounds are new people. */
type Template = { json: string; userId: boolean };

function makePool(opts: Options, now: Date): Template[] {
  const size = Math.min(opts.pool, Math.max(opts.events, opts.pgliteEvents, opts.rawEvents));
  const customers = [...generateCustomers({ count: Math.max(200, Math.round(size / 40)), seed: opts.seed, now })];
  const pool: Template[] = [];
  const mark = (s: string | undefined) => (s === undefined ? undefined : `${s}~R~`);
  for (const m of generateBehaviour({ customers, seed: opts.seed, now, days: 60, maxEvents: size })) {
    const traits = m.traits && typeof m.traits.email === 'string' ? { ...m.traits, email: m.traits.email.replace('@', '~R~@') } : m.traits;
    const marked: SegmentMessage = {
      ...m,
      messageId: mark(m.messageId)!,
      anonymousId: mark(m.anonymousId)!,
      ...(m.userId ? { userId: mark(m.userId) } : {}),
      ...(traits ? { traits } : {}),
      context: { ...m.context, sessionId: mark(m.context.sessionId)! },
    };
    pool.push({ json: JSON.stringify(marked), userId: Boolean(m.userId) });
  }
  return pool;
}

/** Batch bodies for `count` events, built as they are sent (round r > 0 gets ids ending in -r<r>). */
function batches(pool: Template[], count: number, batchSize: number): { total: number; body: (i: number) => string } {
  const total = Math.ceil(count / batchSize);
  return {
    total,
    body: (i) => {
      const parts: string[] = [];
      const end = Math.min(count, (i + 1) * batchSize);
      for (let n = i * batchSize; n < end; n++) {
        const round = Math.floor(n / pool.length);
        parts.push(pool[n % pool.length]!.json.replaceAll('~R~', round ? `-r${round}` : ''));
      }
      return `{"batch":[${parts.join(',')}],"sentAt":"${new Date().toISOString()}"}`;
    },
  };
}

async function benchWorkspace(db: Db, name: string): Promise<{ workspaceId: string; key: string }> {
  return db.transaction(async (tx) => {
    const owner = await createUser(tx, { email: `bench-${randomString(10).toLowerCase()}@bench.rapport.local`, password: randomString(20), name: 'Bench' });
    const workspace = await createWorkspace(tx, { name, ownerId: owner.id, actor: systemActor });
    // A secret key, as a shop's backend sends: a write key's identify of a known customer changes
    // nothing without userHash (docs/events.md), which would leave that work out of the measure.
    const { key } = await createApiKey(tx, { workspaceId: workspace.id, actor: systemActor, actorRole: 'owner', kind: 'secret', name: 'bench' });
    return { workspaceId: workspace.id, key };
  });
}

// --- load -------------------------------------------------------------------------------------

type LoadResult = { seconds: number; latencies: number[]; retried429: number; errors: number; messageErrors: number; firstError?: string };

async function load(port: number, key: string, work: { total: number; body: (i: number) => string }, concurrency: number, progress: string): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const latencies: number[] = [];
  let next = 0;
  let retried429 = 0;
  let errors = 0;
  let messageErrors = 0;
  let firstError: string | undefined;
  let lastReport = performance.now();
  const t0 = performance.now();
  const worker = async () => {
    for (let i = next++; i < work.total; i = next++) {
      const body = work.body(i);
      for (;;) {
        const start = performance.now();
        const res = await postSegment(agent, port, auth, '/v1/batch', body);
        if (res.status === 429) {
          retried429++;
          await new Promise((r) => setTimeout(r, res.retryAfter * 1000));
          continue;
        }
        latencies.push(performance.now() - start);
        if (res.status !== 200) {
          errors++;
          firstError ??= `${res.status} ${res.text.slice(0, 300)}`;
        } else if (res.text.includes('"errors"')) {
          messageErrors += (JSON.parse(res.text) as { errors: unknown[] }).errors.length;
          firstError ??= res.text.slice(0, 300);
        }
        break;
      }
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        const done = latencies.length;
        process.stderr.write(`${progress}: ${done}/${work.total} batches, ${Math.round((done * 1000) / (performance.now() - t0))} batches/s\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { seconds, latencies: latencies.sort((a, b) => a - b), retried429, errors, messageErrors, firstError };
}

/** The ceiling: plain multi-row INSERTs (100 rows, 13 bind parameters each) into events, `concurrency` at once. */
async function rawInsertRate(pool: pg.Pool, workspaceId: string, templates: Template[], count: number, batchSize: number, concurrency: number): Promise<number> {
  const work = batches(templates, count, batchSize);
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    const client = await pool.connect();
    try {
      for (let i = next++; i < work.total; i = next++) {
        const messages = (JSON.parse(work.body(i)) as { batch: SegmentMessage[] }).batch;
        const values: unknown[] = [];
        const rows = messages.map((m, r) => {
          values.push(workspaceId, crypto.randomUUID(), `raw-${m.messageId}`, m.anonymousId, m.userId ?? null, m.type, m.event ?? m.name ?? null, m.context.sessionId,
            JSON.stringify(m.properties ?? m.traits ?? {}), JSON.stringify(m.context), m.timestamp, new Date().toISOString(), null);
          const b = r * 13;
          return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 10}, $${b + 11}, $${b + 12}, $${b + 13})`;
        });
        await client.query(
          `insert into events (workspace_id, id, message_id, anonymous_id, user_id, type, name, session_id, properties, context, timestamp, received_at, customer_id) values ${rows.join(', ')}`,
          values,
        );
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - t0) / 1000);
}

async function metricsFigures(db: Db, workspaceId: string, since: Date): Promise<{ rows: number; counted: number; events: number; customers: number; orders: number }> {
  const { rows } = await db.execute<{ rows: number; counted: number; events: number; customers: number; orders: number }>(sql`
    select (select count(*)::int from customer_metrics where workspace_id = ${workspaceId} and updated_at >= ${since.toISOString()}::timestamptz) as rows,
           (select coalesce(sum(event_count), 0)::int from customer_metrics where workspace_id = ${workspaceId}) as counted,
           (select count(*)::int from events where workspace_id = ${workspaceId}) as events,
           (select count(*)::int from customers where workspace_id = ${workspaceId}) as customers,
           (select count(*)::int from orders where workspace_id = ${workspaceId}) as orders`);
  return rows[0]!;
}

async function resetDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
  } finally {
    await client.end();
  }
}

function pushLoadFigures(figures: Figure[], label: string, events: number, r: LoadResult, withTarget: boolean): number {
  const rate = events / r.seconds;
  figures.push({ name: `${label} events/s (${events.toLocaleString('en-US')} events)`, value: rate, unit: 'events/s', ...(withTarget ? { target: `≥ ${TARGET}`, ok: rate >= TARGET } : {}) });
  figures.push({ name: `${label} batch latency p50`, value: percentile(r.latencies, 50), unit: 'ms' });
  figures.push({ name: `${label} batch latency p99`, value: percentile(r.latencies, 99), unit: 'ms' });
  figures.push({ name: `${label} 429 answers (retried)`, value: r.retried429, unit: 'requests' });
  figures.push({ name: `${label} failed batches`, value: r.errors, unit: 'batches', target: '0', ok: r.errors === 0 });
  return rate;
}

async function benchPostgres(opts: Options, templates: Template[], figures: Figure[], notes: string[]): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rapport_bench_ingest';
  if (new URL(url).pathname === '/test') throw new Error('ingest bench: refusing to run on the "test" database');
  await resetDatabase(url);
  const database = await openDatabase({ kind: 'postgres', url, max: opts.concurrency + 2 });
  try {
    await runMigrations(database);
    const { workspaceId, key } = await benchWorkspace(database.db, 'Ingest bench');
    const server = await startServer({ DATABASE_URL: url });
    const since = new Date();
    let result: LoadResult;
    try {
      result = await load(server.port, key, batches(templates, opts.events, opts.batch), opts.concurrency, 'postgres');
    } finally {
      await server.stop();
    }
    const rate = pushLoadFigures(figures, 'postgres', opts.events, result, true);
    const m = await metricsFigures(database.db, workspaceId, since);
    figures.push({ name: 'postgres metrics rows updated', value: m.rows, unit: 'rows' });
    figures.push({ name: 'postgres events stored', value: m.events, unit: 'events' });
    if (result.firstError) notes.push(`postgres: first problem answered: ${result.firstError}`);
    notes.push(`postgres: ${m.customers} customers, ${m.orders} orders made from the events; metrics count ${m.counted} events of known customers; ${result.messageErrors} messages reported`);

    const raw = await benchWorkspace(database.db, 'Raw insert');
    const ceiling = await rawInsertRate(database.pool, raw.workspaceId, templates, opts.rawEvents, opts.batch, opts.concurrency);
    figures.push({ name: `postgres raw multi-row INSERT (${opts.rawEvents.toLocaleString('en-US')} rows)`, value: ceiling, unit: 'rows/s' });
    figures.push({ name: 'postgres ingest / raw INSERT', value: rate / ceiling, unit: 'ratio' });
  } finally {
    await database.close();
    await dropDatabase(url);
  }
}

async function benchPglite(opts: Options, templates: Template[], figures: Figure[], notes: string[]): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-ingest-'));
  try {
    let database: Database = await openDatabase({ kind: 'pglite', dataDir });
    await runMigrations(database);
    const { workspaceId, key } = await benchWorkspace(database.db, 'Ingest bench');
    await database.close(); // the server holds the embedded database while it runs
    const server = await startServer({ RAPPORT_DATA_DIR: dataDir });
    const since = new Date();
    let result: LoadResult;
    try {
      result = await load(server.port, key, batches(templates, opts.pgliteEvents, opts.batch), opts.concurrency, 'pglite');
    } finally {
      await server.stop();
    }
    const rate = pushLoadFigures(figures, 'pglite', opts.pgliteEvents, result, false);
    database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const m = await metricsFigures(database.db, workspaceId, since);
      figures.push({ name: 'pglite metrics rows updated', value: m.rows, unit: 'rows' });
      figures.push({ name: 'pglite events stored', value: m.events, unit: 'events' });
      if (result.firstError) notes.push(`pglite: first problem answered: ${result.firstError}`);
      const raw = await benchWorkspace(database.db, 'Raw insert');
      const count = Math.min(opts.rawEvents, opts.pgliteEvents);
      const ceiling = await rawInsertRate(database.pool, raw.workspaceId, templates, count, opts.batch, 1);
      figures.push({ name: `pglite raw multi-row INSERT (${count.toLocaleString('en-US')} rows)`, value: ceiling, unit: 'rows/s' });
      figures.push({ name: 'pglite ingest / raw INSERT', value: rate / ceiling, unit: 'ratio' });
    } finally {
      await database.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<BenchResult> {
  const opts = readOptions(args);
  const figures: Figure[] = [];
  const notes: string[] = [`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores, shared with the client and the database)`];
  // The server runs as `npm start` runs it: from the bundle.
  buildServer();

  const t0 = performance.now();
  const templates = makePool(opts, new Date());
  const known = templates.filter((t) => t.userId).length;
  notes.push(
    `events: a pool of ${templates.length.toLocaleString('en-US')} generated messages (${Math.round((100 * known) / templates.length)}% with a user id) made in ${((performance.now() - t0) / 1000).toFixed(1)} s, replayed with new ids; batches of ${opts.batch}, ${opts.concurrency} clients`,
  );
  if (opts.db !== 'pglite') await benchPostgres(opts, templates, figures, notes);
  if (opts.db !== 'postgres') await benchPglite(opts, templates, figures, notes);
  notes.push(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  return { bench: 'ingest', figures, notes };
}
