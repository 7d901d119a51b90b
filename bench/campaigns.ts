// Campaigns benchmark (`npm run bench -- campaigns [--customers 1000000] [--audience 500000]
//                      [--orders 2000000] [--conversions 50000] [--db both|postgres|pglite] [--pglite-scale 0.1]
//                      [--keep]`):
// a workspace of N customers (default 1,000,000) loaded in bulk, a static segment of M of them
// (default 500,000), O orders spread over two years (default 2,000,000), C of which (default 50,000)
// are placed by audience members within the week after the campaign. In the same run:
//  (a) the ceiling: a raw INSERT … SELECT of M message rows (the same columns and indexes) and a
//      raw COPY-free INSERT of M recipient rows → seconds;
//  (b) Rapport: POST-equivalent scheduleCampaign (freeze) then the enqueue job making every
//      message (as the worker runs it) → seconds to freeze, to enqueue, and both;
//  (c) the report of that campaign once its messages are delivered (a fifth opened, 3% clicked):
//      orders in the window, the funnel, uplift, last touch → ms, median of 5.
// PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/rapport_bench_campaigns,
// dropped and created afresh (--keep leaves it afterwards, to look at the plans). PGlite: a fresh data directory, at --pglite-scale of the sizes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import '../src/areas.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database, type Db } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { createCampaign, getCampaign } from '../src/campaigns/campaigns.ts';
import { campaignReport } from '../src/campaigns/report.ts';
import { runCampaignEnqueueJob, scheduleCampaign } from '../src/campaigns/sending.ts';
import { createChannel } from '../src/messaging/channels.ts';
import { createTemplate } from '../src/messaging/templates.ts';
import { createSegment } from '../src/segments/segments.ts';
import { systemActor } from '../src/workspaces/audit.ts';
import { randomString } from '../src/workspaces/secrets.ts';
import { createUser } from '../src/workspaces/users.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { resetDatabase, type BenchResult, type Figure } from './harness.ts';

const TARGET_ENQUEUE_S = 20;
const TARGET_REPORT_MS = 1000;

type Options = { customers: number; audience: number; orders: number; conversions: number; db: 'both' | 'postgres' | 'pglite'; pgliteScale: number; keep: boolean };

function readOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: { customers: { type: 'string' }, audience: { type: 'string' }, orders: { type: 'string' }, conversions: { type: 'string' }, db: { type: 'string' }, 'pglite-scale': { type: 'string' }, keep: { type: 'boolean' } },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: must be a whole number ≥ 1, got "${raw}"`);
    return n;
  };
  const customers = int('customers', values.customers, 1_000_000);
  const audience = Math.min(customers, int('audience', values.audience, Math.floor(customers / 2)));
  const db = values.db ?? 'both';
  if (db !== 'both' && db !== 'postgres' && db !== 'pglite') throw new Error(`--db: both, postgres or pglite, got "${db}"`);
  const scale = values['pglite-scale'] === undefined ? 0.1 : Number(values['pglite-scale']);
  if (!(scale > 0 && scale <= 1)) throw new Error('--pglite-scale: a number in (0, 1]');
  return { customers, audience, orders: int('orders', values.orders, customers * 2), conversions: Math.min(audience, int('conversions', values.conversions, Math.floor(audience / 10))), db, pgliteScale: scale, keep: values.keep ?? false };
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** The shop: customers with e-mail consent, the segment, two templates, a sandbox-free SMTP channel that is never reached (nothing is sent). */
async function load(db: Db, o: Options, start: Date) {
  const { workspaceId } = await db.transaction(async (tx) => {
    const owner = await createUser(tx, { email: `bench-${randomString(10).toLowerCase()}@bench.rapport.local`, password: randomString(20), name: 'Bench' });
    const w = await createWorkspace(tx, { name: 'Campaigns bench', ownerId: owner.id, actor: systemActor, timeZone: 'Asia/Seoul', currency: 'KRW' });
    return { workspaceId: w.id };
  });
  await db.execute(sql`
    insert into customers (workspace_id, id, external_id, email, name, locale, time_zone, created_at, updated_at)
    select ${workspaceId}::uuid, gen_random_uuid(), 'b' || g, 'b' || g || '@bench.rapport.test', '고객 ' || g, 'ko-KR', 'Asia/Seoul', now(), now()
    from generate_series(1, ${o.customers}) g`);
  const segment = await createSegment(db, { workspaceId, actor: systemActor, input: { name: 'Bench audience', kind: 'static' } });
  await db.execute(sql`
    insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
    select workspace_id, ${segment.id}::uuid, id, now() from customers where workspace_id = ${workspaceId}::uuid and substr(external_id, 2)::int <= ${o.audience}`);
  // Orders over the two years before the campaign; then the conversions, within its week.
  await db.execute(sql`
    insert into orders (workspace_id, id, customer_id, currency, total, source, placed_at)
    select ${workspaceId}::uuid, gen_random_uuid(), c.id, 'KRW', 10000 + (g % 50) * 1000, 'bench', ${start}::timestamptz - (g % 730) * interval '1 day' - interval '1 hour'
    from generate_series(1, ${o.orders - o.conversions}) g
    join customers c on c.workspace_id = ${workspaceId}::uuid and c.external_id = 'b' || (1 + g % ${o.customers})`);
  await db.execute(sql`
    insert into orders (workspace_id, id, customer_id, currency, total, source, placed_at)
    select ${workspaceId}::uuid, gen_random_uuid(), c.id, 'KRW', 30000 + (g % 20) * 1000, 'bench', ${start}::timestamptz + (g % 6) * interval '1 day' + interval '2 hours'
    from generate_series(1, ${o.conversions}) g
    join customers c on c.workspace_id = ${workspaceId}::uuid and c.external_id = 'b' || (1 + (g * 7919) % ${o.audience})`);
  for (const t of ['customers', 'segment_members', 'orders']) await db.execute(sql.raw(`analyze ${t}`));
  await createChannel(db, loadConfig({ RAPPORT_DEMO: '0', RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') }), {
    workspaceId,
    actor: systemActor,
    input: { kind: 'email', provider: 'smtp', name: 'Bench SMTP', settings: { host: '127.0.0.1', port: 9, from: 'news@bench.rapport.test' } },
  });
  const template = (v: string) =>
    createTemplate(db, { workspaceId, actor: systemActor, input: { name: `Bench ${v}`, kind: 'email', format: 'html', purpose: 'marketing', subject: `[${v}] {{ customer.name }}님`, body: `<p>${v}</p>` } });
  const [a, b] = [await template('A'), await template('B')];
  return { workspaceId, segmentId: segment.id, templateA: a.id, templateB: b.id };
}

/** The ceiling: the same number of message rows and recipient rows written by plain INSERT … SELECT. */
async function rawCeiling(db: Db, workspaceId: string, segmentId: string, channelId: string): Promise<number> {
  await db.execute(sql`create temporary table raw_recipients (like campaign_recipients including indexes)`);
  const t0 = performance.now();
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into raw_recipients (workspace_id, campaign_id, customer_id, variant, status, seq)
      select workspace_id, ${segmentId}::uuid, customer_id, 'A', 'queued', row_number() over (order by customer_id) from segment_members where workspace_id = ${workspaceId}::uuid and segment_id = ${segmentId}::uuid`);
    await tx.execute(sql`
      insert into messages (workspace_id, id, idempotency_key, customer_id, channel_id, kind, purpose, lane, data, status, send_at, timing, origin, created_at, updated_at)
      select workspace_id, gen_random_uuid(), 'raw:' || customer_id, customer_id, ${channelId}::uuid, 'email', 'marketing', 'bulk', '{}'::jsonb, 'suppressed', now(), 'now', 'raw', now(), now()
      from segment_members where workspace_id = ${workspaceId}::uuid and segment_id = ${segmentId}::uuid`);
  });
  const s = seconds(t0);
  await db.execute(sql`delete from messages where workspace_id = ${workspaceId}::uuid and origin = 'raw'`);
  await db.execute(sql`drop table raw_recipients`);
  await db.execute(sql`vacuum analyze messages`).catch(() => undefined);
  return s;
}

async function benchOne(label: string, database: Database, o: Options, figures: Figure[], notes: string[]): Promise<void> {
  await runMigrations(database);
  const db = database.db;
  const start = new Date();
  const t0 = performance.now();
  const shop = await load(db, o, start);
  const count = (n: number) => n.toLocaleString('en-US');
  notes.push(`${label}: ${count(o.customers)} customers, a segment of ${count(o.audience)}, ${count(o.orders)} orders (${count(o.conversions)} in the campaign's week) loaded in ${seconds(t0).toFixed(0)} s`);
  const channelId = (await db.execute<{ id: string }>(sql`select id from channels where workspace_id = ${shop.workspaceId}::uuid`)).rows[0]!.id;
  const raw = await rawCeiling(db, shop.workspaceId, shop.segmentId, channelId);
  figures.push({ name: `${label} (a) raw INSERT … SELECT of ${count(o.audience)} messages + recipients`, value: raw, unit: 's' });

  const campaign = await createCampaign(db, {
    workspaceId: shop.workspaceId,
    actor: systemActor,
    input: { name: 'Bench campaign', kind: 'email', audience: { segmentIds: [shop.segmentId] }, variants: [{ templateId: shop.templateA, share: 45 }, { templateId: shop.templateB, share: 45 }], holdoutShare: 10 },
  });
  // The campaign starts at `start` (its window holds the week's orders); the dispatcher is not running: nothing is sent.
  const t1 = performance.now();
  await scheduleCampaign(db, { workspaceId: shop.workspaceId, actor: systemActor, id: campaign.id });
  const freeze = seconds(t1);
  await db.execute(sql`update campaigns set started_at = ${start} where workspace_id = ${shop.workspaceId}::uuid and id = ${campaign.id}::uuid`);
  const t2 = performance.now();
  await runCampaignEnqueueJob(db, { workspaceId: shop.workspaceId, payload: { campaignId: campaign.id } });
  const enqueue = seconds(t2);
  const made = Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from messages where workspace_id = ${shop.workspaceId}::uuid and origin_id = ${campaign.id}::uuid`)).rows[0]!.n);
  figures.push({ name: `${label} (b) freeze the audience (${count(o.audience)})`, value: freeze, unit: 's' });
  figures.push({ name: `${label} (b) make its ${count(made)} messages (enqueue job)`, value: enqueue, unit: 's' });
  figures.push({ name: `${label} (b) freeze + enqueue`, value: freeze + enqueue, unit: 's', target: `≤ ${TARGET_ENQUEUE_S}`, ok: freeze + enqueue <= TARGET_ENQUEUE_S });
  figures.push({ name: `${label} (b) freeze + enqueue / raw`, value: (freeze + enqueue) / raw, unit: 'ratio' });

  // What the report reads after a send: every message delivered, a fifth opened, 3% clicked
  // (the dispatcher is not running: the outcomes are written as it would record them).
  const h = sql`(abs(hashtext(id::text)) % 100)`;
  await db.execute(sql`
    update messages set status = case when ${h} < 3 then 'clicked' when ${h} < 20 then 'opened' else 'delivered' end,
      sent_at = ${start}::timestamptz + interval '1 minute', delivered_at = ${start}::timestamptz + interval '2 minutes',
      opened_at = case when ${h} < 20 then ${start}::timestamptz + interval '1 hour' end, clicked_at = case when ${h} < 3 then ${start}::timestamptz + interval '1 hour' end
    where workspace_id = ${shop.workspaceId}::uuid and origin = 'campaign' and origin_id = ${campaign.id}::uuid`);
  await db.execute(sql`vacuum analyze campaign_recipients`).catch(() => undefined);
  await db.execute(sql`vacuum analyze messages`).catch(() => undefined);
  const c = await getCampaign(db, shop.workspaceId, campaign.id);
  const times: number[] = [];
  let converted = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const report = await campaignReport(db, c);
    times.push(performance.now() - t);
    converted = report.groups.reduce((s, g) => s + g.converted, 0);
  }
  times.sort((a, b) => a - b);
  figures.push({ name: `${label} (c) report (${count(converted)} converted recipients), median of 5`, value: times[2]!, unit: 'ms', target: `≤ ${TARGET_REPORT_MS}`, ok: times[2]! <= TARGET_REPORT_MS });
}


export async function run(args: string[]): Promise<BenchResult> {
  const o = readOptions(args);
  const figures: Figure[] = [];
  const notes: string[] = [`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`];
  if (o.db !== 'pglite') {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rapport_bench_campaigns';
    if (new URL(url).pathname === '/test') throw new Error('campaigns bench: refusing to run on the "test" database');
    await resetDatabase(url);
    const database = await openDatabase({ kind: 'postgres', url, max: 4 });
    try {
      await benchOne('postgres', database, o, figures, notes);
    } finally {
      await database.close();
      if (o.keep) notes.push(`postgres: kept ${url}`);
      else await resetDatabase(url, true);
    }
  }
  if (o.db !== 'postgres') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-bench-campaigns-'));
    const s = o.pgliteScale;
    const scaled = { ...o, customers: Math.round(o.customers * s), audience: Math.round(o.audience * s), orders: Math.round(o.orders * s), conversions: Math.round(o.conversions * s) };
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
  return { bench: 'campaigns', figures, notes };
}
