// Messaging benchmark (`npm run bench -- messaging [--customers 100000] [--db both|postgres|pglite]
//                      [--pglite-customers N] [--connections N] [--tx-rate 5]`):
// a workspace of N customers (default 100,000) with an e-mail address and e-mail marketing consent,
// loaded in bulk, one MJML template with Liquid personalisation, and a local SMTP server (the
// `smtp-server` package, in a process of its own, as a mail relay is) that counts what arrives and
// keeps nothing. In the same run:
//  (a) the ceiling: a pooled nodemailer transport (the same number of connections as Rapport's SMTP
//      provider) sends N pre-rendered messages to that server → messages/s;
//  (b) Rapport: the campaign path creates N messages at once and the dispatcher, in this process as a
//      worker runs it, renders, gates, sends and logs them → messages/s, its ratio to (a), and the
//      time from "send" to the first message at the SMTP server;
//  (c) while (b) runs at full rate, transactional messages through POST /api/messages of the HTTP
//      app (buildApp on a port, a secret API key) at --tx-rate a second → time from the request to
//      the message's arrival at the SMTP server, p50 / p99.
// PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/rapport_bench_messaging, dropped
// and created afresh by each run. PGlite: a fresh data directory under the system's temp directory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Liquid } from 'liquidjs';
import mjml2html from 'mjml';
import nodemailer from 'nodemailer';
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
import { percentile, type BenchResult, type Figure } from './harness.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

const TARGET_RATIO = 0.7;
const TARGET_RATE = 1000;
const TARGET_FIRST_MS = 1000;
const TARGET_TX_P99_MS = 2000;

type Options = {
  customers: number;
  pgliteCustomers: number;
  db: 'both' | 'postgres' | 'pglite';
  connections: number;
  txRate: number;
};

function readOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      customers: { type: 'string' },
      'pglite-customers': { type: 'string' },
      db: { type: 'string' },
      connections: { type: 'string' },
      'tx-rate': { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: must be a whole number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const customers = int('customers', values.customers, 100_000, 100);
  const db = values.db ?? 'both';
  if (db !== 'both' && db !== 'postgres' && db !== 'pglite') throw new Error(`--db: both, postgres or pglite, got "${db}"`);
  return {
    customers,
    pgliteCustomers: int('pglite-customers', values['pglite-customers'], customers, 100),
    db,
    connections: int('connections', values.connections, 5, 1),
    txRate: int('tx-rate', values['tx-rate'], 5, 1),
  };
}

// --- the SMTP server that counts -------------------------------------------------------------

// Plain JavaScript run with `node -e` in a process of its own, so that receiving does not take the
// event loop of the senders it measures. Times are wall-clock milliseconds with a fraction
// (performance.timeOrigin + performance.now()), comparable across the two processes.
const SINK_SOURCE = `
const { SMTPServer } = require('smtp-server');
const now = () => performance.timeOrigin + performance.now();
let phase = '', count = 0, probes = 0, expect = Infinity, first = null;
const server = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], hideSTARTTLS: true, logger: false, maxClients: 10000,
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      const at = now();
      const rcpt = session.envelope.rcptTo.map((r) => r.address);
      if (rcpt.some((a) => a.startsWith('probe-'))) {
        probes++;
        process.send({ type: 'probe', phase, rcpt, at });
      } else {
        count++;
        if (first === null) { first = at; process.send({ type: 'first', phase, at }); }
        if (count === expect) process.send({ type: 'done', phase, count, at });
        else if (count % 10000 === 0) process.send({ type: 'progress', phase, count, at });
      }
      callback(null, 'Queued');
    });
  },
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.server.address().port }));
process.on('message', (m) => {
  if (m.type === 'phase') { phase = m.phase; count = 0; probes = 0; first = null; expect = m.expect; process.send({ type: 'phase', phase }); }
  else if (m.type === 'count') process.send({ type: 'count', phase, count, probes, at: now() });
  else if (m.type === 'close') server.close(() => process.exit(0));
});
`;

type SinkMessage =
  | { type: 'ready'; port: number }
  | { type: 'phase'; phase: string }
  | { type: 'first'; phase: string; at: number }
  | { type: 'done'; phase: string; count: number; at: number }
  | { type: 'progress'; phase: string; count: number; at: number }
  | { type: 'probe'; phase: string; rcpt: string[]; at: number }
  | { type: 'count'; phase: string; count: number; probes: number; at: number };

type Sink = {
  port: number;
  /** Starts counting afresh; resolves with the arrival time of the first and of the `expect`-th message. */
  phase(name: string, expect: number): Promise<{ first: Promise<number>; done: Promise<number> }>;
  /** Arrival time of each probe message, by recipient address. */
  probes: Map<string, number>;
  count(): Promise<{ count: number; probes: number }>;
  close(): Promise<void>;
};

const wallNow = () => performance.timeOrigin + performance.now();

async function startSink(label: string): Promise<Sink> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SINK_SOURCE], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const listeners = new Set<(m: SinkMessage) => void>();
  const probes = new Map<string, number>();
  child.on('message', (m: SinkMessage) => {
    if (m.type === 'probe') for (const a of m.rcpt) probes.set(a, m.at);
    if (m.type === 'progress') process.stderr.write(`${label}: ${m.phase}: ${m.count} messages at the SMTP server\n`);
    for (const l of [...listeners]) l(m);
  });
  const next = <T extends SinkMessage['type']>(type: T, phase?: string) =>
    new Promise<Extract<SinkMessage, { type: T }>>((resolve, reject) => {
      const onExit = () => reject(new Error(`messaging bench: the SMTP server exited with ${child.exitCode}`));
      const l = (m: SinkMessage) => {
        if (m.type !== type || (phase !== undefined && 'phase' in m && m.phase !== phase)) return;
        listeners.delete(l);
        child.off('exit', onExit);
        resolve(m as Extract<SinkMessage, { type: T }>);
      };
      listeners.add(l);
      child.once('exit', onExit);
    });
  const { port } = await next('ready');
  return {
    port,
    probes,
    async phase(name, expect) {
      const set = next('phase', name);
      child.send({ type: 'phase', phase: name, expect });
      await set;
      return { first: next('first', name).then((m) => m.at), done: next('done', name).then((m) => m.at) };
    },
    async count() {
      const answer = next('count');
      child.send({ type: 'count' });
      const m = await answer;
      return { count: m.count, probes: m.probes };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

// --- data --------------------------------------------------------------------------------------

/** The one template: a shop's MJML newsletter, personalised with Liquid. */
export const BENCH_TEMPLATE = {
  subject: '{{ customer.name | default: "고객" }}님, 이번 주 추천 상품',
  body: `<mjml>
  <mj-head><mj-title>이번 주 추천 상품</mj-title><mj-preview>{{ customer.name | default: "고객" }}님을 위한 이번 주 추천</mj-preview></mj-head>
  <mj-body background-color="#f4f4f4">
    <mj-section background-color="#ffffff"><mj-column>
      <mj-text font-size="20px" font-weight="bold">{{ customer.name | default: "고객" }}님, 안녕하세요</mj-text>
      <mj-text>가을 신상품이 입고되었습니다. {{ customer.name | default: "고객" }}님이 좋아하실 만한 상품을 골라 보았어요.</mj-text>
      <mj-button href="https://shop.example.com/new?utm_source=rapport">신상품 보기</mj-button>
    </mj-column></mj-section>
    <mj-section background-color="#ffffff"><mj-column>
      <mj-text>이번 주 인기 상품: 울 블렌드 코트, 캐시미어 니트, 와이드 데님</mj-text>
      <mj-button href="https://shop.example.com/best?utm_source=rapport" background-color="#444444">베스트 보기</mj-button>
    </mj-column></mj-section>
    <mj-section><mj-column>
      <mj-text font-size="11px" color="#888888">본 메일은 {{ customer.email }} 주소로 발송되었습니다.</mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>`,
};

const NAMES = ['김민준', '이서연', '박지호', '최수아', '정하준', '강지우', '조서준', '윤하은', '장도윤', '임지민'];

/**
 * The workspace and its customers, in bulk (a few INSERT … SELECT): bench customers b1…bN with an
 * e-mail address and e-mail marketing consent, and probe customers (probe-1…) who receive the
 * transactional messages and have no marketing consent, as a buyer who never subscribed.
 */
async function loadWorkspace(db: Db, opts: { customers: number; probes: number }): Promise<{ workspaceId: string; key: string }> {
  const { workspaceId, key } = await db.transaction(async (tx) => {
    const owner = await createUser(tx, { email: `bench-${randomString(10).toLowerCase()}@bench.rapport.local`, password: randomString(20), name: 'Bench' });
    const workspace = await createWorkspace(tx, { name: 'Messaging bench', ownerId: owner.id, actor: systemActor, timeZone: 'Asia/Seoul', currency: 'KRW' });
    const { key } = await createApiKey(tx, { workspaceId: workspace.id, actor: systemActor, actorRole: 'owner', kind: 'secret', name: 'messaging bench' });
    return { workspaceId: workspace.id, key };
  });
  const names = sql.raw(`array[${NAMES.map((n) => `'${n}'`).join(', ')}]`);
  await db.execute(sql`
    insert into customers (workspace_id, id, external_id, email, name, locale, time_zone, created_at, updated_at)
    select ${workspaceId}::uuid, gen_random_uuid(), 'b' || g, 'b' || g || '@bench.rapport.test', (${names})[1 + g % 10], 'ko-KR', 'Asia/Seoul', now(), now()
    from generate_series(1, ${opts.customers}) g`);
  await db.execute(sql`
    insert into customers (workspace_id, id, external_id, email, name, locale, time_zone, created_at, updated_at)
    select ${workspaceId}::uuid, gen_random_uuid(), 'probe-' || g, 'probe-' || g || '@bench.rapport.test', '주문고객 ' || g, 'ko-KR', 'Asia/Seoul', now(), now()
    from generate_series(1, ${opts.probes}) g`);
  await db.execute(sql`
    insert into customer_identities (workspace_id, id, customer_id, kind, value, source)
    select workspace_id, gen_random_uuid(), id, 'email', email, 'bench' from customers where workspace_id = ${workspaceId}::uuid`);
  await db.execute(sql`
    insert into customer_consents (workspace_id, customer_id, channel, purpose, status, source, updated_at)
    select workspace_id, id, 'email', 'marketing', 'granted', 'bench', now() from customers
    where workspace_id = ${workspaceId}::uuid and external_id like 'b%'`);
  for (const t of ['customers', 'customer_identities', 'customer_consents']) await db.execute(sql.raw(`analyze ${t}`));
  return { workspaceId, key };
}

// --- (a) the ceiling -----------------------------------------------------------------------------

/**
 * Renders `distinct` personalised messages before the clock starts (a copy per customer would hold
 * gigabytes), then sends `count` of them, cycling, each to its own recipient, through one pooled
 * transport with `connections` connections.
 */
async function rawCeiling(sink: Sink, opts: { count: number; connections: number; distinct: number }): Promise<{ rate: number; seconds: number; firstMs: number }> {
  const liquid = new Liquid({ strictVariables: true, strictFilters: true, outputEscape: 'escape' });
  const compiled = (await mjml2html(BENCH_TEMPLATE.body, { validationLevel: 'strict' })).html;
  const html = liquid.parse(compiled);
  const subject = liquid.parse(BENCH_TEMPLATE.subject);
  const rendered: { subject: string; html: string; text: string }[] = [];
  for (let i = 1; i <= Math.min(opts.distinct, opts.count); i++) {
    const customer = { name: NAMES[i % 10], email: `b${i}@bench.rapport.test` };
    const body = await liquid.render(html, { customer });
    rendered.push({ subject: await liquid.render(subject, { customer }), html: body, text: body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() });
  }
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, maxConnections: opts.connections, maxMessages: Infinity });
  try {
    const { first, done } = await sink.phase('raw', opts.count);
    const t0 = wallNow();
    let next = 0;
    // A window of sends in flight (nodemailer's pool queues the rest itself); each message is sent once.
    const sender = async () => {
      for (let i = next++; i < opts.count; i = next++) {
        const m = rendered[i % rendered.length]!;
        await transport.sendMail({
          from: '"Bench Shop" <news@bench.rapport.test>',
          to: `b${i + 1}@bench.rapport.test`,
          subject: m.subject,
          html: m.html,
          text: m.text,
          messageId: `<raw-${i}@bench.rapport.test>`,
          headers: { 'List-Unsubscribe': `<https://bench.rapport.test/u/${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
      }
    };
    await Promise.all(Array.from({ length: opts.connections * 20 }, sender));
    const end = await done;
    const seconds = (end - t0) / 1000;
    return { rate: opts.count / seconds, seconds, firstMs: (await first) - t0 };
  } finally {
    transport.close();
  }
}

// --- the runs ----------------------------------------------------------------------------------

async function resetDatabase(url: string, drop = false): Promise<void> {
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
    if (!drop) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function benchOne(label: string, database: Database, opts: Options, customers: number, figures: Figure[], notes: string[]): Promise<void> {
  const probes = 1000;
  await runMigrations(database);
  const t0 = performance.now();
  await loadWorkspace(database.db, { customers, probes });
  notes.push(`${label}: ${customers.toLocaleString('en-US')} customers (+ ${probes} for transactional messages) loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const sink = await startSink(label);
  try {
    const raw = await rawCeiling(sink, { count: customers, connections: opts.connections, distinct: 1000 });
    figures.push({ name: `${label} (a) raw nodemailer pooled send, ${opts.connections} connections (${customers.toLocaleString('en-US')} msgs)`, value: raw.rate, unit: 'msgs/s' });
    figures.push({ name: `${label} (a) raw: first message at the SMTP server`, value: raw.firstMs, unit: 'ms' });
  } finally {
    await sink.close();
  }
}

export async function run(args: string[]): Promise<BenchResult> {
  const opts = readOptions(args);
  const figures: Figure[] = [];
  const notes: string[] = [`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores, shared with the SMTP server and the database)`];
  if (opts.db !== 'pglite') {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rapport_bench_messaging';
    if (new URL(url).pathname === '/test') throw new Error('messaging bench: refusing to run on the "test" database');
    await resetDatabase(url);
    const database = await openDatabase({ kind: 'postgres', url, max: 10 });
    try {
      await benchOne('postgres', database, opts, opts.customers, figures, notes);
    } finally {
      await database.close();
      await resetDatabase(url, true);
    }
  }
  if (opts.db !== 'postgres') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-messaging-'));
    try {
      const database = await openDatabase({ kind: 'pglite', dataDir });
      try {
        await benchOne('pglite', database, opts, opts.pgliteCustomers, figures, notes);
      } finally {
        await database.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  notes.push(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  return { bench: 'messaging', figures, notes };
}
