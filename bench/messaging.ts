// Messaging benchmark (`npm run bench -- messaging [--customers 100000] [--db both|postgres|pglite]
//                      [--pglite-customers N] [--connections 4] [--tx-rate 5] [--create-batch 1000]`):
// a workspace of N customers (default 100,000) with an e-mail address and e-mail marketing consent,
// loaded in bulk, one MJML template with Liquid personalisation, and a local SMTP server (the
// `smtp-server` package, in a process of its own, as a mail relay is) that counts what arrives and
// keeps nothing. In the same run:
//  (a) the ceiling: a pooled nodemailer transport (the same number of connections as Rapport's SMTP
//      provider) sends N pre-rendered messages to that server → messages/s;
//  (b) Rapport: the campaign path creates the N messages (createMessages, --create-batch a call, as a
//      campaign's cursor walks its audience) while the dispatcher, in this process as a worker runs
//      it, gates, renders, sends and logs them → messages/s, its ratio to (a), and the time from
//      "send" (the first createMessages call) to the first message at the SMTP server;
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
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import '../src/areas.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openDatabase, type Database, type Db } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { buildApp } from '../src/http/app.ts';
import { createChannel } from '../src/messaging/channels.ts';
import { startMessageDispatcher } from '../src/messaging/dispatcher.ts';
import { closeProviders } from '../src/messaging/providers/index.ts';
import { createMessages, type SendRequest } from '../src/messaging/send.ts';
import { setMessagingSettings } from '../src/messaging/settings.ts';
import { loadContexts } from '../src/messaging/template-context.ts';
import { createTemplate, renderTemplate, type TemplateDetail } from '../src/messaging/templates.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { systemActor } from '../src/workspaces/audit.ts';
import { randomString } from '../src/workspaces/secrets.ts';
import { createUser } from '../src/workspaces/users.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { percentile, resetDatabase, type BenchResult, type Figure } from './harness.ts';

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
  createBatch: number;
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
      'create-batch': { type: 'string' },
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
    // Rapport's SMTP provider's default pool (src/messaging/providers/smtp.ts).
    connections: int('connections', values.connections, 4, 1),
    txRate: int('tx-rate', values['tx-rate'], 5, 1),
    createBatch: int('create-batch', values['create-batch'], 1000, 1),
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
  else if (m.type === 'count') { const u = process.cpuUsage(); process.send({ type: 'count', phase, count, probes, at: now(), cpuMs: (u.user + u.system) / 1000 }); }
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
  | { type: 'count'; phase: string; count: number; probes: number; at: number; cpuMs: number };

type Sink = {
  port: number;
  /** Starts counting afresh; resolves with the arrival time of the first and of the `expect`-th message. */
  phase(name: string, expect: number): Promise<{ first: Promise<number>; done: Promise<number> }>;
  /** Arrival time of each probe message, by recipient address. */
  probes: Map<string, number>;
  count(): Promise<{ count: number; probes: number; cpuMs: number }>;
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
      return { count: m.count, probes: m.probes, cpuMs: m.cpuMs };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

// --- where the CPU goes ----------------------------------------------------------------------------

/**
 * CPU time used so far (ms) by this process (Rapport: dispatcher, HTTP app, and on PGlite the
 * database's thread), by the SMTP server's process, and by this database's PostgreSQL backends
 * (read from /proc; 0 when the server is not on this machine). On a shared 2-core machine the
 * wall-clock rates move with the load; CPU per message does not, and it says which part costs.
 */
type Cpu = { node: number; sink: number; postgres: Map<number, number> };

async function cpuNow(database: Database, sink: Sink): Promise<Cpu> {
  const u = process.cpuUsage();
  const postgres = new Map<number, number>();
  if (database.kind === 'postgres') {
    const { rows } = await database.db.execute<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database()`);
    for (const { pid } of rows) {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 a second).
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        postgres.set(pid, ((Number(fields[11]) + Number(fields[12])) / 100) * 1000);
      } catch {
        /* another machine's server, or the backend is gone */
      }
    }
  }
  return { node: (u.user + u.system) / 1000, sink: (await sink.count()).cpuMs, postgres };
}

/** CPU ms per message between two readings (a backend that started in between counts from 0). */
function cpuPerMessage(a: Cpu, b: Cpu, n: number): { node: number; sink: number; postgres: number } {
  let postgres = 0;
  for (const [pid, ms] of b.postgres) postgres += ms - (a.postgres.get(pid) ?? 0);
  return { node: (b.node - a.node) / n, sink: (b.sink - a.sink) / n, postgres: postgres / n };
}

// --- data --------------------------------------------------------------------------------------

/** The campaign's template: a shop's MJML newsletter, personalised with Liquid (name, three recommended products). */
const NEWSLETTER = {
  name: 'Bench newsletter',
  kind: 'email' as const,
  format: 'mjml' as const,
  purpose: 'marketing' as const,
  subject: '{{ customer.name | default: "고객" }}님, 이번 주 추천 상품',
  body: `<mjml>
  <mj-head><mj-title>이번 주 추천 상품</mj-title><mj-preview>{{ customer.first_name | default: "고객" }}님을 위한 이번 주 추천</mj-preview></mj-head>
  <mj-body background-color="#f4f4f4">
    <mj-section background-color="#ffffff"><mj-column>
      <mj-text font-size="20px" font-weight="bold">{{ customer.name | default: "고객" }}님, 안녕하세요</mj-text>
      <mj-text>가을 신상품이 입고되었습니다. {{ customer.first_name | default: "고객" }}님이 좋아하실 만한 상품을 골라 보았어요.</mj-text>
      <mj-button href="https://shop.example.com/new?utm_source=rapport">신상품 보기</mj-button>
    </mj-column></mj-section>
    <mj-section background-color="#ffffff"><mj-column>
      <mj-text font-size="15px" line-height="1.8">{% for p in recommendations limit:3 %}<a href="{{ p.url }}">{{ p.name }}</a> {{ p.price_formatted }}<br>{% endfor %}</mj-text>
      <mj-button href="https://shop.example.com/best?utm_source=rapport" background-color="#444444">베스트 보기</mj-button>
    </mj-column></mj-section>
    <mj-section><mj-column>
      <mj-text font-size="11px" color="#888888">본 메일은 {{ customer.email }} 주소로 발송되었습니다.</mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>`,
};

/** The transactional messages' template: an order confirmation. */
const ORDER_CONFIRMATION = {
  name: 'Bench order confirmation',
  kind: 'email' as const,
  format: 'html' as const,
  purpose: 'transactional' as const,
  subject: '[주문 완료] 주문번호 {{ data.order_id }}',
  body: '<p>{{ customer.name | default: "고객" }}님, 주문해 주셔서 감사합니다.</p><p>주문번호 {{ data.order_id }}</p>',
};

const NAMES = ['김민준', '이서연', '박지호', '최수아', '정하준', '강지우', '조서준', '윤하은', '장도윤', '임지민'];

type BenchWorkspace = { workspaceId: string; key: string; customerIds: string[]; probeIds: string[]; newsletter: TemplateDetail; order: TemplateDetail };

/**
 * The workspace and its customers, in bulk (a few INSERT … SELECT): bench customers b1…bN with an
 * e-mail address, e-mail marketing consent and night_ads consent (so the run does not depend on the
 * hour it starts at: the quiet hours defer ads at night), three product recommendations each; and
 * probe customers (probe-1…) who receive the transactional messages and have no marketing
 * consent, as a buyer who never subscribed.
 */
async function loadWorkspace(db: Db, opts: { customers: number; probes: number }): Promise<BenchWorkspace> {
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
    select workspace_id, id, 'email', p, 'granted', 'bench', now() from customers, unnest(array['marketing', 'night_ads']) p
    where workspace_id = ${workspaceId}::uuid and external_id like 'b%'`);
  await db.execute(sql`
    insert into products (workspace_id, id, sku, name, category, price, currency, url, image_url)
    select ${workspaceId}::uuid, gen_random_uuid(), 'SKU-' || g, '가을 신상품 ' || g, '여성 > 아우터', 39000 + g * 1000, 'KRW',
      'https://shop.example.com/p/' || g, 'https://shop.example.com/img/' || g || '.jpg'
    from generate_series(1, 30) g`);
  await db.execute(sql`
    insert into customer_recommendations (workspace_id, customer_id, rank, product_id, score, reasons, computed_at)
    select c.workspace_id, c.id, r, p.id, 1.0 / r, array['popular'], now()
    from customers c cross join generate_series(1, 3) r
    join products p on p.workspace_id = c.workspace_id and p.sku = 'SKU-' || (1 + (abs(hashtext(c.id::text)) + r * 7) % 30)
    where c.workspace_id = ${workspaceId}::uuid and c.external_id like 'b%'`);
  for (const t of ['customers', 'customer_identities', 'customer_consents', 'products', 'customer_recommendations']) await db.execute(sql.raw(`analyze ${t}`));
  const ids = async (prefix: string) =>
    (await db.execute<{ id: string }>(sql`select id from customers where workspace_id = ${workspaceId}::uuid and external_id like ${`${prefix}%`} order by substr(external_id, ${prefix.length + 1})::int`)).rows.map((r) => r.id);
  const customerIds = await ids('b');
  const probeIds = await ids('probe-');
  await setMessagingSettings(db, { workspaceId, actor: systemActor, input: { senderName: '벤치샵', optOutNumber: '080-123-4567' } });
  const newsletter = await createTemplate(db, { workspaceId, actor: systemActor, input: NEWSLETTER });
  const order = await createTemplate(db, { workspaceId, actor: systemActor, input: ORDER_CONFIRMATION });
  return { workspaceId, key, customerIds, probeIds, newsletter, order };
}

// --- (a) the ceiling -----------------------------------------------------------------------------

/**
 * Renders `distinct` messages with Rapport's renderer before the clock starts (a copy per
 * customer would hold gigabytes), then sends `count` of them, cycling, each to its own recipient,
 * through one pooled transport with `connections` connections, as Rapport's SMTP provider does.
 */
async function rawCeiling(database: Database, sink: Sink, ws: BenchWorkspace, opts: { count: number; connections: number; distinct: number }): Promise<{ rate: number; seconds: number; firstMs: number; cpu: ReturnType<typeof cpuPerMessage> }> {
  const db = database.db;
  const v = ws.newsletter.version;
  const source = { workspaceId: ws.workspaceId, templateId: ws.newsletter.id, version: v.version, kind: 'email' as const, format: v.format, subject: v.subject, body: v.body, compiled: v.compiled, options: v.options };
  const ids = ws.customerIds.slice(0, Math.min(opts.distinct, opts.count));
  const contexts = await loadContexts(db, ws.workspaceId, ids);
  const rendered: { subject: string; html: string; text: string }[] = [];
  for (const id of ids) {
    const r = await renderTemplate(source, { ...contexts.get(id)!, message: { unsubscribe_url: `https://crm.bench.rapport.test/u/${id}` } });
    rendered.push({ subject: `(광고) ${r.subject ?? ''}`, html: r.body, text: r.text ?? '' });
  }
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, maxConnections: opts.connections, maxMessages: 10_000 });
  try {
    const { first, done } = await sink.phase('raw', opts.count);
    const cpu0 = await cpuNow(database, sink);
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
          headers: { 'List-Unsubscribe': `<https://crm.bench.rapport.test/u/${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
      }
    };
    await Promise.all(Array.from({ length: opts.connections * 20 }, sender));
    const end = await done;
    const cpu = cpuPerMessage(cpu0, await cpuNow(database, sink), opts.count);
    const seconds = (end - t0) / 1000;
    return { rate: opts.count / seconds, seconds, firstMs: (await first) - t0, cpu };
  } finally {
    transport.close();
  }
}

// --- (b) Rapport's campaign send, (c) transactional messages beside it ------------------------------

type RapportResult = {
  rate: number;
  seconds: number;
  firstMs: number;
  createSeconds: number;
  cpu: ReturnType<typeof cpuPerMessage>;
  statuses: Record<string, number>;
  arrived: number;
  probes: { sent: number; latencies: number[]; lost: number; refused: number; firstRefusal?: string };
};

async function rapportSend(database: Database, config: Config, sink: Sink, ws: BenchWorkspace, opts: { createBatch: number; txRate: number }): Promise<RapportResult> {
  const db = database.db;
  const n = ws.customerIds.length;
  // The HTTP app, as `npm start` serves it, in this process (the worker is this process too).
  const app = await buildApp({ database, config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  // The dispatcher as a worker runs it: both lanes, its default batch size and concurrency. A
  // moment to settle first, as a worker that is already running when a campaign is sent (its SMTP
  // thread loaded): "send → first message" times the send, not the worker's start.
  const dispatcher = startMessageDispatcher(database, { config });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  let probing = true;
  const probes: { address: string; at: number; status: number; text: string }[] = [];
  try {
    const { first, done } = await sink.phase('rapport', n);
    const cpu0 = await cpuNow(database, sink);
    const t0 = wallNow();
    // (c) An order confirmation through POST /api/messages every 1/txRate s while the campaign runs.
    const probeLoop = (async () => {
      const gap = 1000 / opts.txRate;
      let next = performance.now() + gap;
      for (let i = 0; probing && i < ws.probeIds.length; i++) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next += gap;
        if (!probing) break;
        const at = wallNow();
        const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ customerId: ws.probeIds[i], channel: 'email', templateId: ws.order.id, purpose: 'transactional', data: { order_id: `B-${i + 1}` }, idempotencyKey: `bench-order-${i + 1}` }),
        });
        probes.push({ address: `probe-${i + 1}@bench.rapport.test`, at, status: res.status, text: res.status === 202 ? '' : (await res.text()).slice(0, 300) });
        if (res.status === 202) await res.arrayBuffer();
      }
    })();
    // (b) The campaign: every recipient's message created, a batch at a time, as a campaign's cursor walks its audience.
    for (let i = 0; i < n; i += opts.createBatch) {
      const reqs: SendRequest[] = ws.customerIds.slice(i, i + opts.createBatch).map((customerId) => ({
        workspaceId: ws.workspaceId,
        customerId,
        kind: 'email',
        templateId: ws.newsletter.id,
        purpose: 'marketing',
        idempotencyKey: `campaign:bench:customer:${customerId}`,
        origin: 'campaign',
      }));
      await createMessages(db, reqs);
    }
    const createSeconds = (wallNow() - t0) / 1000;
    const end = await Promise.race([done, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('messaging bench: the campaign did not arrive in 30 minutes')), 1_800_000))]);
    const cpu = cpuPerMessage(cpu0, await cpuNow(database, sink), n);
    probing = false;
    await probeLoop;
    // Transactional messages still on their way.
    const sent = probes.filter((p) => p.status === 202);
    const until = performance.now() + 30_000;
    while (sent.some((p) => !sink.probes.has(p.address)) && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    // The last outcomes are recorded once the dispatcher has stopped.
    await dispatcher.stop();
    const { rows } = await db.execute<{ status: string; n: number }>(sql`select status, count(*)::int as n from messages where workspace_id = ${ws.workspaceId}::uuid and origin = 'campaign' group by status`);
    const counted = await sink.count();
    const refused = probes.filter((p) => p.status !== 202);
    return {
      rate: n / ((end - t0) / 1000),
      seconds: (end - t0) / 1000,
      firstMs: (await first) - t0,
      createSeconds,
      cpu,
      statuses: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
      arrived: counted.count,
      probes: {
        sent: sent.length,
        latencies: sent.filter((p) => sink.probes.has(p.address)).map((p) => sink.probes.get(p.address)! - p.at).sort((a, b) => a - b),
        lost: sent.filter((p) => !sink.probes.has(p.address)).length,
        refused: refused.length,
        firstRefusal: refused[0] ? `${refused[0].status} ${refused[0].text}` : undefined,
      },
    };
  } finally {
    probing = false;
    await dispatcher.stop();
    await app.close();
    await closeProviders();
  }
}

// --- the runs ----------------------------------------------------------------------------------


function benchConfig(env: Record<string, string>): Config {
  return loadConfig({
    RAPPORT_DEMO: '0',
    RAPPORT_WORKER: '0',
    LOG_LEVEL: 'warn',
    RAPPORT_PUBLIC_URL: 'https://crm.bench.rapport.test',
    RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
    RAPPORT_API_RATE_LIMIT: '1000000',
    ...env,
  });
}

async function benchOne(label: string, database: Database, config: Config, opts: Options, customers: number, figures: Figure[], notes: string[]): Promise<void> {
  const probes = Math.max(100, opts.txRate * 600);
  await runMigrations(database);
  const t0 = performance.now();
  const ws = await loadWorkspace(database.db, { customers, probes });
  notes.push(`${label}: ${customers.toLocaleString('en-US')} customers (+ ${probes} for transactional messages) loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const sink = await startSink(label);
  const count = customers.toLocaleString('en-US');
  try {
    await createChannel(database.db, config, {
      workspaceId: ws.workspaceId,
      actor: systemActor,
      input: { kind: 'email', provider: 'smtp', name: 'Bench SMTP', settings: { host: '127.0.0.1', port: sink.port, from: '"Bench Shop" <news@bench.rapport.test>', maxConnections: opts.connections } },
    });
    const raw = await rawCeiling(database, sink, ws, { count: customers, connections: opts.connections, distinct: 1000 });
    figures.push({ name: `${label} (a) raw nodemailer pooled send, ${opts.connections} connections (${count} msgs)`, value: raw.rate, unit: 'msgs/s' });
    const r = await rapportSend(database, config, sink, ws, { createBatch: opts.createBatch, txRate: opts.txRate });
    figures.push({ name: `${label} (b) Rapport: campaign created, gated, rendered, sent, logged (${count} msgs)`, value: r.rate, unit: 'msgs/s', target: `≥ ${TARGET_RATE}`, ok: r.rate >= TARGET_RATE });
    figures.push({ name: `${label} (b) Rapport / raw`, value: r.rate / raw.rate, unit: 'ratio', target: `≥ ${TARGET_RATIO}`, ok: r.rate / raw.rate >= TARGET_RATIO });
    figures.push({ name: `${label} (b) "send" → first message at the SMTP server`, value: r.firstMs, unit: 'ms', target: `≤ ${TARGET_FIRST_MS}`, ok: r.firstMs <= TARGET_FIRST_MS });
    figures.push({ name: `${label} (b) all ${count} messages created (createMessages, ${opts.createBatch} a call)`, value: r.createSeconds, unit: 's' });
    figures.push({ name: `${label} (b) messages at the SMTP server`, value: r.arrived, unit: 'msgs', target: `${customers}`, ok: r.arrived === customers });
    const p = r.probes;
    figures.push({ name: `${label} (c) transactional, request → SMTP server, p50 (${p.latencies.length} msgs at ${opts.txRate}/s)`, value: percentile(p.latencies, 50), unit: 'ms' });
    figures.push({ name: `${label} (c) transactional, request → SMTP server, p99`, value: percentile(p.latencies, 99), unit: 'ms', target: `≤ ${TARGET_TX_P99_MS}`, ok: percentile(p.latencies, 99) <= TARGET_TX_P99_MS && p.lost === 0 && p.refused === 0 });
    const cpu = (name: string, c: RapportResult['cpu']) => {
      figures.push({ name: `${label} ${name} CPU per message: this process`, value: c.node, unit: 'ms' });
      figures.push({ name: `${label} ${name} CPU per message: SMTP server`, value: c.sink, unit: 'ms' });
      if (database.kind === 'postgres') figures.push({ name: `${label} ${name} CPU per message: PostgreSQL backends`, value: c.postgres, unit: 'ms' });
    };
    cpu('(a) raw', raw.cpu);
    cpu('(b) Rapport', r.cpu);
    notes.push(`${label}: campaign statuses ${JSON.stringify(r.statuses)}; transactional: ${p.sent} accepted, ${p.lost} not arrived within 30 s, ${p.refused} refused${p.firstRefusal ? ` (first: ${p.firstRefusal})` : ''}`);
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
      await benchOne('postgres', database, benchConfig({ DATABASE_URL: url }), opts, opts.customers, figures, notes);
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
        await benchOne('pglite', database, benchConfig({ RAPPORT_DATA_DIR: dataDir }), opts, opts.pgliteCustomers, figures, notes);
      } finally {
        await database.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  notes.push(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // Something the in-process app or dispatcher starts (not found yet: no socket or child is left
  // open) keeps the event loop alive after everything is closed, and `npm run bench` would not
  // return: once the figures are printed, end the process. Unref'd: it never delays an exit.
  setTimeout(() => process.exit(), 10_000).unref();
  return { bench: 'messaging', figures, notes };
}
