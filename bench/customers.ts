// Customers benchmark on a PostgreSQL server: the import rate of a generated CSV (1M rows by
// default), list / search / filter latency over real HTTP at 20 concurrent requests, and merging
// (and undoing the merge of) two customers with 10k events each.
//
//   npm run bench -- customers [--customers 1000000] [--requests 300] [--concurrency 20]
//                              [--events 10000] [--merges 5] [--seed 42] [--fresh] [--explain]
//
// The imported data set is kept (table bench_datasets) and reused by later runs with the same
// size and seed, with the figures of the import run that loaded it; --fresh imports again.
// Database: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/rapport_bench (created if missing).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { and, sql } from 'drizzle-orm';
import '../src/areas.ts';
import { openDatabase, type Database, type Db } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { createAttributeDef, listAttributeDefs } from '../src/customers/attributes.ts';
import { upsertCustomers } from '../src/customers/customers.ts';
import { DEMO_ATTRIBUTES } from '../src/customers/demo.ts';
import { importCustomersFromFile } from '../src/customers/import/run.ts';
import { customerConditions, orderBy, parseSort, type CustomerQuery } from '../src/customers/list.ts';
import { mergeCustomers, undoMerge } from '../src/customers/merge.ts';
import { customers } from '../src/customers/schema.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { systemActor, type Actor } from '../src/workspaces/audit.ts';
import { randomString } from '../src/workspaces/secrets.ts';
import { createUser } from '../src/workspaces/users.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { createRandom, generateCustomers, type SyntheticCustomer } from '../src/demo-data/generate.ts';
import { startServer as startServerProcess } from './server.ts';
import { percentile, type BenchResult, type Figure } from './harness.ts';

const actor: Actor = { type: 'system', label: 'bench' };
const P95_TARGET_MS = 50;

type Options = {
  customers: number;
  requests: number;
  concurrency: number;
  events: number;
  merges: number;
  seed: number;
  fresh: boolean;
  explain: boolean;
};

function readOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      customers: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      events: { type: 'string' },
      merges: { type: 'string' },
      seed: { type: 'string' },
      fresh: { type: 'boolean' },
      explain: { type: 'boolean' },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, env: string, fallback: number, min: number) => {
    const text = raw ?? process.env[env];
    if (text === undefined || text === '') return fallback;
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} (${env}): must be a whole number ≥ ${min}, got "${text}"`);
    return n;
  };
  return {
    customers: int('customers', values.customers, 'BENCH_CUSTOMERS', 1_000_000, 1000),
    requests: int('requests', values.requests, 'BENCH_REQUESTS', 300, 10),
    concurrency: int('concurrency', values.concurrency, 'BENCH_CONCURRENCY', 20, 1),
    events: int('events', values.events, 'BENCH_MERGE_EVENTS', 10_000, 0),
    merges: int('merges', values.merges, 'BENCH_MERGES', 5, 1),
    seed: int('seed', values.seed, 'BENCH_SEED', 42, 0),
    fresh: values.fresh ?? process.env.BENCH_FRESH === '1',
    explain: values.explain ?? process.env.BENCH_EXPLAIN === '1',
  };
}

// --- database -------------------------------------------------------------------------------

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function createBenchWorkspace(db: Db, name: string): Promise<string> {
  return db.transaction(async (tx) => {
    const owner = await createUser(tx, { email: `bench-${randomString(10).toLowerCase()}@bench.rapport.local`, password: randomString(20), name: 'Bench' });
    const workspace = await createWorkspace(tx, { name, ownerId: owner.id, actor: systemActor });
    return workspace.id;
  });
}

/** Removes a bench workspace's rows from every table that has a workspace_id (not the workspace row itself). */
async function purgeWorkspace(db: Db, workspaceId: string): Promise<void> {
  const tables = await db.execute<{ table_name: string }>(sql`
    select table_name from information_schema.columns
    where table_schema = 'public' and column_name = 'workspace_id' and table_name <> 'workspaces'`);
  // Tables referencing others go first; retry the rest until nothing is left or no progress is made.
  let pending = tables.rows.map((r) => r.table_name);
  for (let round = 0; pending.length && round < 5; round++) {
    const failed: string[] = [];
    for (const t of pending) {
      try {
        await db.execute(sql`delete from ${sql.identifier(t)} where workspace_id = ${workspaceId}::uuid`);
      } catch {
        failed.push(t);
      }
    }
    if (failed.length === pending.length) break;
    pending = failed;
  }
}

type ImportFigures = { rows: number; seconds: number; rowsPerSecond: number; created: number; updated: number; failed: number; csvSeconds: number; csvMb: number; at: string };

async function datasetTable(db: Db): Promise<void> {
  await db.execute(sql`
    create table if not exists bench_datasets (key text primary key, workspace_id uuid not null, import jsonb not null, created_at timestamptz not null default now())`);
}

// --- a: import ------------------------------------------------------------------------------

const STAGES = [
  ['lead', 8],
  ['subscriber', 27],
  ['customer', 45],
  ['loyal', 12],
  ['churned', 8],
] as const;

const CSV_COLUMNS = [
  'externalId', 'email', 'phone', 'name', 'birthday', 'gender', 'locale', 'timeZone', 'signedUpAt', 'lifecycleStage', 'tags', 'source',
  'attributes.region', 'attributes.membership_card', 'attributes.preferred_style', 'attributes.height_cm',
  'consent.email.marketing', 'consent.sms.marketing', 'consent.kakao.marketing', 'consent.push.marketing', 'consent.sms.night_ads',
] as const;

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function csvLine(c: SyntheticCustomer, stage: string): string {
  // Phones and times as Korean shops export them: 010-1234-5678, 2025-10-31 22:39:49.
  const national = `0${c.phone.slice(3)}`;
  const phone = `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`;
  const consent = (channel: string, purpose: string) => {
    const s = c.consents.find((k) => k.channel === channel && k.purpose === purpose)?.status;
    return s === 'granted' ? 'yes' : s === 'denied' ? 'no' : '';
  };
  return [
    c.externalId, c.email, phone, c.name, c.birthday, c.gender, c.locale, c.timeZone, c.signedUpAt.toISOString().slice(0, 19).replace('T', ' '), stage, c.tags.join('|'), c.source,
    c.attributes.region, String(c.attributes.membership_card), c.attributes.preferred_style, String(c.attributes.height_cm),
    consent('email', 'marketing'), consent('sms', 'marketing'), consent('kakao', 'marketing'), consent('push', 'marketing'), consent('sms', 'night_ads'),
  ]
    .map(csvCell)
    .join(',');
}

/** Streams `count` generated customers to a CSV file without holding them in memory. */
async function writeCsv(filePath: string, count: number, seed: number): Promise<void> {
  const out = fs.createWriteStream(filePath, { encoding: 'utf8' });
  const stageRnd = createRandom(seed ^ 0x5ea50);
  let chunk = `${CSV_COLUMNS.join(',')}\n`;
  for (const c of generateCustomers({ seed, count })) {
    chunk += `${csvLine(c, stageRnd.weighted(STAGES))}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function importDataset(db: Db, opts: Options, key: string, notes: string[]): Promise<{ workspaceId: string; figures: ImportFigures }> {
  const filePath = path.join(os.tmpdir(), `rapport-bench-customers-${process.pid}.csv`);
  try {
    let t = performance.now();
    await writeCsv(filePath, opts.customers, opts.seed);
    const csvSeconds = (performance.now() - t) / 1000;
    const csvMb = fs.statSync(filePath).size / 1024 / 1024;
    const workspaceId = await createBenchWorkspace(db, `bench customers ${key}`);
    for (const input of DEMO_ATTRIBUTES) await createAttributeDef(db, { workspaceId, actor, input });
    // With autovacuum off (as on this test server) nothing refreshes the planner's statistics
    // while the workspace grows from 0 to 1M rows, and the import's joins go quadratic. Do what
    // autovacuum's autoanalyze would do on a default server.
    const autovacuum = (await db.execute<{ autovacuum: string }>(sql`show autovacuum`)).rows[0]?.autovacuum;
    let analyzing: NodeJS.Timeout | undefined;
    if (autovacuum !== 'on') {
      notes.push('import: autovacuum is off on this server; the bench ran ANALYZE on the customer tables every 15 s during the import, as autoanalyze would');
      let busy = false;
      analyzing = setInterval(() => {
        if (busy) return;
        busy = true;
        db.execute(sql`analyze customers, customer_identities, customer_consents, customer_consent_history`)
          .catch(() => {})
          .finally(() => (busy = false));
      }, 15_000);
    }
    t = performance.now();
    let reported = 0;
    const result = await importCustomersFromFile(db, {
      workspaceId,
      actor,
      filePath,
      fileName: path.basename(filePath),
      mapping: Object.fromEntries(CSV_COLUMNS.map((c) => [c, c])),
      onProgress: (p) => {
        if (p.rowsTotal - reported < Math.max(10_000, opts.customers / 10)) return;
        reported = p.rowsTotal;
        const elapsed = (performance.now() - t) / 1000;
        console.error(`import: ${p.rowsTotal} rows in ${elapsed.toFixed(0)} s (${(p.rowsTotal / elapsed).toFixed(0)} rows/s so far)`);
      },
    }).finally(() => clearInterval(analyzing));
    const seconds = (performance.now() - t) / 1000;
    if (result.errors.length) notes.push(`import: first rejected rows: ${result.errors.slice(0, 3).map((e) => `line ${e.line} ${e.column ?? ''}: ${e.message}`).join('; ')}`);
    // What autovacuum would do shortly after a large load; the latency figures want settled statistics.
    await db.execute(sql`analyze customers`);
    await db.execute(sql`analyze customer_identities`);
    return {
      workspaceId,
      figures: {
        rows: result.rowsTotal,
        seconds,
        rowsPerSecond: result.rowsTotal / seconds,
        created: result.rowsCreated,
        updated: result.rowsUpdated,
        failed: result.rowsFailed,
        csvSeconds,
        csvMb,
        at: new Date().toISOString(),
      },
    };
  } finally {
    fs.rmSync(filePath, { force: true });
  }
}

async function dataset(db: Db, opts: Options, notes: string[]): Promise<{ workspaceId: string; figures: ImportFigures; reused: boolean }> {
  await datasetTable(db);
  const key = `${opts.customers}:seed${opts.seed}`;
  const found = await db.execute<{ workspace_id: string; import: ImportFigures }>(sql`select workspace_id, import from bench_datasets where key = ${key}`);
  const previous = found.rows[0];
  if (previous && !opts.fresh) {
    const live = await db.execute<{ n: number }>(sql`select count(*)::int as n from customers where workspace_id = ${previous.workspace_id}::uuid and deleted_at is null`);
    if (Number(live.rows[0]?.n) >= previous.import.created * 0.99) return { workspaceId: previous.workspace_id, figures: previous.import, reused: true };
  }
  const loaded = await importDataset(db, opts, key, notes);
  await db.execute(sql`
    insert into bench_datasets (key, workspace_id, import) values (${key}, ${loaded.workspaceId}::uuid, ${JSON.stringify(loaded.figures)}::jsonb)
    on conflict (key) do update set workspace_id = excluded.workspace_id, import = excluded.import, created_at = now()`);
  if (previous) await purgeWorkspace(db, previous.workspace_id);
  return { ...loaded, reused: false };
}

// --- b: list latency over HTTP ---------------------------------------------------------------

type Kind = { name: string; paths: string[] };

function get(agent: http.Agent, port: number, key: string, pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const listPath = (params: Record<string, string>) => `/api/customers?${new URLSearchParams({ limit: '50', ...params }).toString()}`;
const filterParam = (conditions: unknown[]) => JSON.stringify(conditions);

/** Search terms and cursors taken from the data, so every request asks for something that exists. */
async function buildKinds(db: Db, workspaceId: string, fetchPage: (p: string) => Promise<{ nextCursor: string | null }>): Promise<Kind[]> {
  const sample = await db.execute<{ name: string; email: string; phone: string }>(sql`
    select name, email, phone from customers tablesample system (1)
    where workspace_id = ${workspaceId}::uuid and deleted_at is null and email is not null and phone is not null limit 200`);
  const rows = sample.rows.length >= 20 ? sample.rows : (await db.execute<{ name: string; email: string; phone: string }>(sql`
    select name, email, phone from customers where workspace_id = ${workspaceId}::uuid and deleted_at is null and email is not null and phone is not null limit 200`)).rows;
  const nameParts = [...new Set(rows.map((r) => r.name.slice(0, 2)))].slice(0, 30); // surname + first syllable: 김민, 이서, …
  const phoneTails = [...new Set(rows.map((r) => r.phone.slice(-4)))].slice(0, 50);
  const emailPrefixes = [...new Set(rows.map((r) => r.email.slice(0, r.email.indexOf('.') + 4)))].slice(0, 50); // "minji.kim"
  const secondPageSources = [
    listPath({}),
    listPath({ sort: 'name' }),
    listPath({ filter: filterParam([{ field: 'attributes.region', op: 'eq', value: '서울' }]) }),
    listPath({ stage: 'loyal' }),
    listPath({ q: nameParts[0] ?? '김민' }),
  ];
  const second: string[] = [];
  for (const p of secondPageSources) {
    const page = await fetchPage(p);
    if (page.nextCursor) second.push(`${p}&cursor=${encodeURIComponent(page.nextCursor)}`);
  }
  return [
    { name: 'first page', paths: [listPath({})] },
    { name: 'search name part', paths: nameParts.map((q) => listPath({ q })) },
    { name: 'search phone tail', paths: phoneTails.map((q) => listPath({ q })) },
    { name: 'search email prefix', paths: emailPrefixes.map((q) => listPath({ q })) },
    { name: 'filter stage', paths: ['loyal', 'churned', 'lead'].map((stage) => listPath({ stage })) },
    { name: 'filter tag', paths: ['influencer', 'newsletter', 'student'].map((tag) => listPath({ tag })) },
    { name: 'filter gender', paths: ['M', 'F'].map((value) => listPath({ filter: filterParam([{ field: 'gender', op: 'eq', value }]) })) },
    { name: 'filter attribute region', paths: ['서울', '부산', '제주'].map((value) => listPath({ filter: filterParam([{ field: 'attributes.region', op: 'eq', value }]) })) },
    { name: 'sort by name', paths: [listPath({ sort: 'name' }), listPath({ sort: '-name' })] },
    { name: 'second page (cursor)', paths: second },
  ];
}

/** Latencies sorted, and the path that was slowest at its median (the one worth an EXPLAIN). */
async function runKind(kind: Kind, n: number, concurrency: number, send: (p: string) => Promise<void>): Promise<{ latencies: number[]; slowestPath: string }> {
  const latencies: number[] = [];
  const byPath = new Map<string, number[]>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const p = kind.paths[i % kind.paths.length]!;
        const t = performance.now();
        await send(p);
        const ms = performance.now() - t;
        latencies.push(ms);
        byPath.set(p, [...(byPath.get(p) ?? []), ms]);
      }
    }),
  );
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  const slowestPath = [...byPath].sort((a, b) => median(b[1]) - median(a[1]))[0]?.[0] ?? kind.paths[0]!;
  return { latencies: latencies.sort((a, b) => a - b), slowestPath };
}

/** The page query of a list request as the server runs it, for EXPLAIN. */
function queryOfPath(p: string): CustomerQuery {
  const u = new URL(p, 'http://x');
  const filter = u.searchParams.get('filter');
  return {
    q: u.searchParams.get('q') ?? undefined,
    stages: u.searchParams.getAll('stage'),
    tags: u.searchParams.getAll('tag'),
    filters: filter ? (JSON.parse(filter) as CustomerQuery['filters']) : undefined,
    sort: u.searchParams.get('sort') ?? undefined,
  };
}

async function explain(db: Db, workspaceId: string, p: string): Promise<string> {
  const defs = await listAttributeDefs(db, { workspaceId });
  const query = queryOfPath(p);
  const { field, desc } = parseSort(query.sort);
  const where = and(...customerConditions(workspaceId, query, defs, true))!;
  const page = await db.execute<{ 'QUERY PLAN': string }>(
    sql`explain (analyze, buffers) select * from ${customers} where ${where} order by ${orderBy(field, desc)} limit 51`,
  );
  // A cursor page runs without the count; its keyset condition is left out here.
  if (p.includes('cursor=')) return [`-- page query (without its cursor condition) for ${decodeURIComponent(p)}`, ...page.rows.map((r) => r['QUERY PLAN'])].join('\n');
  const count = await db.execute<{ 'QUERY PLAN': string }>(
    sql`explain (analyze, buffers) select count(*)::int as n from (select 1 from ${customers} where ${where} limit 10001) t`,
  );
  return [`-- page query for ${decodeURIComponent(p)}`, ...page.rows.map((r) => r['QUERY PLAN']), '-- count query', ...count.rows.map((r) => r['QUERY PLAN'])].join('\n');
}

async function listLatency(database: Database, workspaceId: string, opts: Options, figures: Figure[], notes: string[]): Promise<void> {
  // The server runs as `npm start` runs it, in a process of its own: the load generator must not
  // share its event loop.
  const server = await startServer(database);
  const port = server.port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  try {
    const { key } = await database.db.transaction((tx) =>
      createApiKey(tx, { workspaceId, actor, actorRole: null, kind: 'secret', role: 'admin', name: `bench ${new Date().toISOString()}` }),
    );
    const send = async (p: string) => {
      const res = await get(agent, port, key, p);
      if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}: ${res.body.slice(0, 300)}`);
      return JSON.parse(res.body) as { items: unknown[]; nextCursor: string | null; total: number | null };
    };
    const kinds = await buildKinds(database.db, workspaceId, send);
    const all: number[] = [];
    const slow: { kind: Kind; path: string }[] = [];
    for (const kind of kinds) {
      if (kind.paths.length === 0) {
        notes.push(`${kind.name}: no requests (nothing to ask for)`);
        continue;
      }
      await runKind(kind, Math.min(40, opts.requests), opts.concurrency, async (p) => void (await send(p))); // warm-up
      const { latencies, slowestPath } = await runKind(kind, opts.requests, opts.concurrency, async (p) => void (await send(p)));
      all.push(...latencies);
      const p95 = percentile(latencies, 95);
      figures.push({ name: `${kind.name} p50`, value: percentile(latencies, 50), unit: 'ms' });
      figures.push({ name: `${kind.name} p95`, value: p95, unit: 'ms', target: `≤ ${P95_TARGET_MS}`, ok: p95 <= P95_TARGET_MS });
      figures.push({ name: `${kind.name} p99`, value: percentile(latencies, 99), unit: 'ms' });
      if (p95 > P95_TARGET_MS) slow.push({ kind, path: slowestPath });
    }
    all.sort((a, b) => a - b);
    figures.push({ name: 'all list requests p50', value: percentile(all, 50), unit: 'ms' });
    figures.push({ name: 'all list requests p95', value: percentile(all, 95), unit: 'ms', target: `≤ ${P95_TARGET_MS}`, ok: percentile(all, 95) <= P95_TARGET_MS });
    figures.push({ name: 'all list requests p99', value: percentile(all, 99), unit: 'ms' });
    figures.push({ name: 'list requests measured', value: all.length, unit: 'req' });
    notes.push(`list latency: ${opts.requests} requests per kind at ${opts.concurrency} concurrent over HTTP keep-alive (after ${Math.min(40, opts.requests)} warm-up requests per kind)`);
    if (slow.length) {
      notes.push(`p95 over ${P95_TARGET_MS} ms: ${slow.map((s) => s.kind.name).join(', ')}${opts.explain ? ' (plans below)' : ' (run with --explain for their plans)'}`);
      if (opts.explain) for (const s of slow) console.log(`\n${await explain(database.db, workspaceId, s.path)}`);
    }
  } finally {
    agent.destroy();
    await server.stop();
  }
}

async function startServer(database: Database): Promise<{ port: number; stop: () => Promise<void> }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { stdio: 'ignore' });
  const url = (database.pool.options as { connectionString?: string }).connectionString;
  if (!url) throw new Error('bench: the server needs the connection string of the bench database');
  return startServerProcess({ DATABASE_URL: url, RAPPORT_API_RATE_LIMIT: '10000000' });
}

// --- c: merge ------------------------------------------------------------------------------

async function insertEvents(db: Db, workspaceId: string, customerId: string, n: number): Promise<void> {
  if (n === 0) return;
  await db.execute(sql`
    insert into events (workspace_id, id, message_id, customer_id, anonymous_id, user_id, type, name, properties, context, timestamp, received_at)
    select ${workspaceId}::uuid, gen_random_uuid(), ${customerId} || '-' || g, ${customerId}::uuid, null, null, 'track',
      (array['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'])[1 + g % 4],
      jsonb_build_object('sku', 'SKU-' || (g % 400), 'price', 19000 + (g % 50) * 1000),
      jsonb_build_object('page', jsonb_build_object('path', '/products/' || (g % 400))),
      now() - make_interval(mins => g), now()
    from generate_series(1, ${n}) g`);
}

async function mergeFigures(db: Db, opts: Options, figures: Figure[], notes: string[]): Promise<void> {
  const workspaceId = await createBenchWorkspace(db, `bench merge ${new Date().toISOString()}`);
  try {
    for (const input of DEMO_ATTRIBUTES) await createAttributeDef(db, { workspaceId, actor, input });
    const people = [...generateCustomers({ seed: opts.seed + 1, count: opts.merges })];
    const mergeMs: number[] = [];
    const undoMs: number[] = [];
    for (const [i, c] of people.entries()) {
      // Two profiles of one person: the shop account and an offline sign-up.
      const rows = [
        { ...c, consents: c.consents, preferences: c.preferences },
        { ...c, externalId: `${c.externalId}-B`, email: c.email.replace('@', `+store${i}@`), phone: null, consents: [{ channel: 'email', purpose: 'marketing', status: 'denied' }], preferences: [{ category: 'shoes', weight: 0.9 }] },
      ];
      const results = await db.transaction((tx) => upsertCustomers(tx, { workspaceId, actor, rows, matchBy: 'none' }));
      const [a, b] = results.map((r) => r.id!);
      if (!a || !b) throw new Error(`merge set-up: could not create customers: ${JSON.stringify(results)}`);
      await insertEvents(db, workspaceId, a, opts.events);
      await insertEvents(db, workspaceId, b, opts.events);
      await db.execute(sql`analyze events`);
      let t = performance.now();
      const { merge } = await db.transaction((tx) => mergeCustomers(tx, { workspaceId, actor, survivorId: a, mergedId: b }));
      mergeMs.push(performance.now() - t);
      const moved = await db.execute<{ n: number }>(sql`select count(*)::int as n from events where workspace_id = ${workspaceId}::uuid and customer_id = ${a}::uuid`);
      if (Number(moved.rows[0]?.n) !== 2 * opts.events) throw new Error(`merge moved ${moved.rows[0]?.n} events, expected ${2 * opts.events}`);
      t = performance.now();
      await db.transaction((tx) => undoMerge(tx, { workspaceId, actor, mergeId: merge.id }));
      undoMs.push(performance.now() - t);
      const back = await db.execute<{ n: number }>(sql`select count(*)::int as n from events where workspace_id = ${workspaceId}::uuid and customer_id = ${b}::uuid`);
      if (Number(back.rows[0]?.n) !== opts.events) throw new Error(`undo moved back ${back.rows[0]?.n} events, expected ${opts.events}`);
    }
    const median = (xs: number[]) => percentile([...xs].sort((x, y) => x - y), 50);
    figures.push({ name: `merge (${opts.events} + ${opts.events} events) median`, value: median(mergeMs), unit: 'ms', target: '≤ 200', ok: median(mergeMs) <= 200 });
    figures.push({ name: 'merge max', value: Math.max(...mergeMs), unit: 'ms' });
    figures.push({ name: 'undo merge median', value: median(undoMs), unit: 'ms' });
    figures.push({ name: 'undo merge max', value: Math.max(...undoMs), unit: 'ms' });
    notes.push(`merge: ${opts.merges} fresh pairs, each merge and undo timed as its own transaction (commit included); runs ${mergeMs.map((m) => m.toFixed(0)).join(', ')} ms / undo ${undoMs.map((m) => m.toFixed(0)).join(', ')} ms`);
  } finally {
    await purgeWorkspace(db, workspaceId);
  }
}

// --- run -------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<BenchResult> {
  const opts = readOptions(args);
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rapport_bench';
  if (new URL(url).pathname === '/test') throw new Error('customers bench: refusing to run on the "test" database; set DATABASE_URL to another one');
  await ensureDatabase(url);
  const database = await openDatabase({ kind: 'postgres', url, max: opts.concurrency + 5 });
  const figures: Figure[] = [];
  const notes: string[] = [];
  notes.push(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  try {
    await runMigrations(database);
    const { db } = database;

    const data = await dataset(db, opts, notes);
    const imp = data.figures;
    figures.push({ name: `import rows/s (${imp.rows} rows${data.reused ? ', earlier run' : ''})`, value: imp.rowsPerSecond, unit: 'rows/s', target: '≥ 20000', ok: imp.rowsPerSecond >= 20_000 });
    figures.push({ name: 'import duration', value: imp.seconds, unit: 's' });
    figures.push({ name: 'import rows created', value: imp.created, unit: 'rows' });
    figures.push({ name: 'import rows updated', value: imp.updated, unit: 'rows' });
    figures.push({ name: 'import rows failed', value: imp.failed, unit: 'rows' });
    notes.push(
      data.reused
        ? `import: data set reused; its import figures are from the real import run of ${imp.at} (--fresh to import again)`
        : `import: measured in this run (CSV of ${imp.csvMb.toFixed(0)} MB written in ${imp.csvSeconds.toFixed(1)} s, not counted)`,
    );
    if (imp.updated > 0) notes.push(`import: ${imp.updated} rows matched an earlier row by phone (the generator repeats phone numbers past ~12.6k customers) and updated it`);

    await listLatency(database, data.workspaceId, opts, figures, notes);
    await mergeFigures(db, opts, figures, notes);
    const live = await db.execute<{ n: number }>(sql`select count(*)::int as n from customers where workspace_id = ${data.workspaceId}::uuid and deleted_at is null`);
    notes.push(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    notes.push(`data set: ${live.rows[0]?.n} live customers in workspace ${data.workspaceId} (${new URL(url).host}${new URL(url).pathname})`);
  } finally {
    await database.close();
  }
  return { bench: 'customers', figures, notes };
}
