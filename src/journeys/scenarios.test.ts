// The seed scenarios end to end on both databases, on a set clock: the events come in through
// ingestion (or Rapport's own observations, or a segment's recompute), the journeys job runs as
// the worker would, and the messages go through the dispatcher to a real SMTP server.
import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import '../areas.ts';
import { clock } from '../clock.ts';
import type { Database } from '../db/connection.ts';
import { createTestWorkspace, describeEachDb, testConfig } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { ingestBatch } from '../events/ingest.ts';
import { recordObservedEvents } from '../events/observed-events.ts';
import { addChannel, addCustomers, eventually, granted, startTestSmtp } from '../messaging/delivery-test-fixture.ts';
import { startMessageDispatcher } from '../messaging/dispatcher.ts';
import { closeProviders } from '../messaging/providers/index.ts';
import { createTemplate } from '../messaging/templates.ts';
import { recomputeSegment } from '../segments/membership.ts';
import { createSegment } from '../segments/segments.ts';
import { systemActor } from '../workspaces/audit.ts';
import { DAY_MS, HOUR_MS, type JourneyDefinition } from './graph.ts';
import { activateJourney, createJourney } from './journeys.ts';
import { runJourneysWork } from './work.ts';

const config = testConfig({ RAPPORT_PUBLIC_URL: 'https://crm.rapport-shop.test', RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' });
const T0 = new Date('2026-11-02T01:00:00Z'); // a Monday, 10:00 in Seoul

describeEachDb('journeys: the seed scenarios', (getDb) => {
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  beforeAll(async () => {
    smtp = await startTestSmtp();
  });
  afterAll(async () => {
    await closeProviders();
    await smtp.close();
  });
  afterEach(() => clock.reset());

  async function shop(database: Database, domain: string, n: number) {
    const { workspace, owner } = await createTestWorkspace(database, 'Journey shop');
    const ws = workspace.id;
    await addChannel(database.db, ws, { kind: 'email', provider: 'smtp', settings: smtp.settings() });
    const ids = await addCustomers(
      database.db,
      ws,
      Array.from({ length: n }, (_, i) => ({ externalId: `u${i}-${domain}`, email: `c${i}@${domain}`, name: `고객${i}`, consents: granted('email', 'marketing', 'night_ads') })),
    );
    // The shop's user ids, as its sign-up form sends them.
    await database.db.execute(sql`
      insert into customer_identities (workspace_id, id, customer_id, kind, value, source)
      select ${ws}::uuid, gen_random_uuid(), c, 'user_id', 'u' || (i - 1)::text || '-' || ${domain}::text, 'test'
      from unnest(${sql.param(ids)}::uuid[]) with ordinality as t(c, i)`);
    const template = async (name: string) =>
      (await createTemplate(database.db, { workspaceId: ws, actor: systemActor, input: { name, kind: 'email', format: 'html', purpose: 'marketing', subject: `[${name}] {{ customer.name }}`, body: `<p>${name}</p>` } })).id;
    return { ws, ids, owner, template };
  }

  // Subjects are MIME-encoded (the (광고) prefix of an ad is Korean): read them as a mail client would.
  const subjects = new Map<string, string>();
  async function mailsTo(address: string, subjectPart: string): Promise<number> {
    let n = 0;
    for (const m of smtp.received) {
      if (!m.to.includes(address)) continue;
      if (!subjects.has(m.raw)) subjects.set(m.raw, (await simpleParser(m.raw)).subject ?? '');
      if (subjects.get(m.raw)!.includes(subjectPart)) n++;
    }
    return n;
  }

  async function deliver(database: Database, ws: string, expected: () => boolean | Promise<boolean>) {
    const dispatcher = startMessageDispatcher(database, { config, pollMs: 20, workspaceIds: [ws] });
    try {
      await eventually(expected, 20_000, 'the journey e-mails');
    } finally {
      await dispatcher.stop();
    }
  }

  async function journey(database: Database, ws: string, name: string, definition: JourneyDefinition) {
    const j = await createJourney(database.db, { workspaceId: ws, actor: systemActor, input: { name, definition } });
    await database.db.transaction((tx) => activateJourney(tx, { workspaceId: ws, actor: systemActor, id: j.id }));
    return j.id;
  }

  it('sign-up → the welcome e-mail at once; the second after 3 days only to those who did not order', async () => {
    const database = getDb();
    const domain = `welcome-${Date.now()}.test`;
    const s = await shop(database, domain, 2);
    clock.set(T0);
    const welcome = await s.template('welcome');
    const second = await s.template('second');
    await journey(database, s.ws, '가입 환영', {
      trigger: { type: 'event', event: 'Signed Up', filters: [] },
      entry: { mode: 'once', segmentId: null },
      exit: { goal: null, leaveSegmentId: null },
      holdoutShare: 0,
      graph: {
        start: 'welcome',
        steps: [
          { id: 'welcome', type: 'send', kind: 'email', templateId: welcome, purpose: 'marketing', next: 'wait' },
          { id: 'wait', type: 'wait_event', event: 'Order Completed', filters: [], timeout: { days: 3 }, next: 'end', timeoutNext: 'second' },
          { id: 'second', type: 'send', kind: 'email', templateId: second, purpose: 'marketing', next: 'end' },
          { id: 'end', type: 'exit' },
        ],
      },
    });
    const signUp = (i: number) => ({ type: 'track', event: 'Signed Up', userId: `u${i}-${domain}`, messageId: uuidv7(), timestamp: T0.toISOString() });
    await ingestBatch(database.db, { workspaceId: s.ws, messages: [signUp(0), signUp(1), signUp(0)] });
    const first = await runJourneysWork(database.db, { workspaceId: s.ws });
    expect(first).toMatchObject({ entered: 2 });
    await deliver(database, s.ws, async () => (await mailsTo(`c0@${domain}`, '[welcome]')) === 1 && (await mailsTo(`c1@${domain}`, '[welcome]')) === 1);

    // Customer 1 orders on day 2; on day 3 only customer 0 gets the second e-mail.
    clock.set(T0.getTime() + 2 * DAY_MS);
    await ingestBatch(database.db, {
      workspaceId: s.ws,
      messages: [{ type: 'track', event: 'Order Completed', userId: `u1-${domain}`, messageId: uuidv7(), properties: { order_id: 'o-1', total: 30000, currency: 'KRW' } }],
    });
    await runJourneysWork(database.db, { workspaceId: s.ws });
    clock.set(T0.getTime() + 3 * DAY_MS - HOUR_MS);
    expect(await runJourneysWork(database.db, { workspaceId: s.ws })).toMatchObject({ advanced: 0 });
    clock.set(T0.getTime() + 3 * DAY_MS + 1000);
    await runJourneysWork(database.db, { workspaceId: s.ws });
    await deliver(database, s.ws, async () => (await mailsTo(`c0@${domain}`, '[second]')) === 1);
    expect(await mailsTo(`c1@${domain}`, '[second]')).toBe(0);
    expect(await mailsTo(`c0@${domain}`, '[welcome]')).toBe(1);
    const { rows } = await database.db.execute<{ status: string; n: number }>(sql`
      select status, count(*)::int as n from journey_runs where workspace_id = ${s.ws}::uuid group by status order by status`);
    expect(rows).toEqual([{ status: 'completed', n: 2 }]);
    const { journeyReport } = await import('./report.ts');
    const { rows: def } = await database.db.execute<{ id: string; definition: JourneyDefinition }>(sql`select id, definition from journeys where workspace_id = ${s.ws}::uuid`);
    const report = await journeyReport(database.db, { workspaceId: s.ws, journeyId: def[0]!.id, definition: def[0]!.definition });
    const step = (id: string) => report.steps.find((x) => x.stepId === id)!;
    expect(step('welcome')).toMatchObject({ reached: 2, outcomes: { sent: 2 }, messages: { sent: 2 } });
    expect(step('wait')).toMatchObject({ reached: 2, outcomes: { event: 1, timeout: 1 } });
    expect(step('second')).toMatchObject({ reached: 1, messages: { sent: 1 } });
    expect(report.totals).toMatchObject({ entered: 2, completed: 2 });
  });

  it('no open in 7 days → a reminder on the 7th day, and none to whoever opened', async () => {
    const database = getDb();
    const domain = `open-${Date.now()}.test`;
    const s = await shop(database, domain, 2);
    clock.set(T0);
    const news = await s.template('news');
    const reminder = await s.template('reminder');
    const id = await journey(database, s.ws, '미열람 리마인드', {
      trigger: { type: 'api' },
      entry: { mode: 'always', segmentId: null },
      exit: { goal: null, leaveSegmentId: null },
      holdoutShare: 0,
      graph: {
        start: 'news',
        steps: [
          { id: 'news', type: 'send', kind: 'email', templateId: news, purpose: 'marketing', next: 'wait' },
          { id: 'wait', type: 'wait_event', event: 'Message Opened', filters: [], timeout: { days: 7 }, next: 'end', timeoutNext: 'reminder' },
          { id: 'reminder', type: 'send', kind: 'email', templateId: reminder, purpose: 'marketing', next: 'end' },
          { id: 'end', type: 'exit' },
        ],
      },
    });
    const { enterJourney } = await import('./journeys.ts');
    for (const c of s.ids) await enterJourney(database.db, { workspaceId: s.ws, id, customerId: c });
    await runJourneysWork(database.db, { workspaceId: s.ws });
    await deliver(database, s.ws, async () => (await mailsTo(`c0@${domain}`, '[news]')) === 1 && (await mailsTo(`c1@${domain}`, '[news]')) === 1);
    // Customer 0 opens it on day 2 (Rapport's own observation, as the tracking pixel records it).
    clock.set(T0.getTime() + 2 * DAY_MS);
    await recordObservedEvents(database.db, {
      workspaceId: s.ws,
      name: 'Message Opened',
      source: 'messaging',
      events: [{ messageId: `open-${uuidv7()}`, customerId: s.ids[0]!, properties: { channel: 'email' }, timestamp: clock.now().toISOString() }],
    });
    await runJourneysWork(database.db, { workspaceId: s.ws });
    clock.set(T0.getTime() + 6 * DAY_MS);
    await runJourneysWork(database.db, { workspaceId: s.ws });
    expect(await mailsTo(`c1@${domain}`, '[reminder]')).toBe(0);
    clock.set(T0.getTime() + 7 * DAY_MS + 60_000);
    await runJourneysWork(database.db, { workspaceId: s.ws });
    await deliver(database, s.ws, async () => (await mailsTo(`c1@${domain}`, '[reminder]')) === 1);
    expect(await mailsTo(`c0@${domain}`, '[reminder]')).toBe(0);
    const { rows } = await database.db.execute<{ customer_id: string; outcome: string }>(sql`
      select r.customer_id, s.outcome from journey_run_steps s join journey_runs r on r.workspace_id = s.workspace_id and r.id = s.run_id
      where s.workspace_id = ${s.ws}::uuid and s.step_id = 'wait'`);
    expect(Object.fromEntries(rows.map((r) => [r.customer_id, r.outcome]))).toEqual({ [s.ids[0]!]: 'event', [s.ids[1]!]: 'timeout' });
  });

  it('30 days without a visit → win-back when the customer enters the dormant segment; the holdout gets nothing', async () => {
    const database = getDb();
    const domain = `dormant-${Date.now()}.test`;
    const s = await shop(database, domain, 40);
    clock.set(T0);
    const winback = await s.template('winback');
    const segment = await createSegment(database.db, {
      workspaceId: s.ws,
      actor: systemActor,
      input: { name: '30일 휴면', kind: 'dynamic', definition: { and: [{ type: 'metric', field: 'last_seen_at', op: 'exists' }, { not: { type: 'metric', field: 'last_seen_at', op: 'within_last_days', value: 30 } }] } },
    });
    const id = await journey(database, s.ws, 'winback', {
      trigger: { type: 'segment_entered', segmentId: segment.id },
      entry: { mode: 'once', segmentId: null },
      exit: { goal: null, leaveSegmentId: segment.id },
      holdoutShare: 25,
      graph: { start: 'winback', steps: [{ id: 'winback', type: 'send', kind: 'email', templateId: winback, purpose: 'marketing', next: 'end' }, { id: 'end', type: 'exit' }] },
    });
    // Every customer visits on day 0; 31 days later they are dormant.
    await ingestBatch(database.db, {
      workspaceId: s.ws,
      messages: s.ids.map((_, i) => ({ type: 'page', name: 'Home', userId: `u${i}-${domain}`, messageId: uuidv7(), timestamp: T0.toISOString() })),
      receivedAt: T0,
    });
    await recomputeSegment(database.db, { workspaceId: s.ws, segmentId: segment.id, now: clock.now() });
    expect(await runJourneysWork(database.db, { workspaceId: s.ws })).toMatchObject({ entered: 0 });
    clock.set(T0.getTime() + 31 * DAY_MS);
    await recomputeSegment(database.db, { workspaceId: s.ws, segmentId: segment.id, now: clock.now() });
    const work = await runJourneysWork(database.db, { workspaceId: s.ws });
    expect(work.entered).toBe(40);
    const { rows } = await database.db.execute<{ holdout: boolean; n: number }>(sql`
      select holdout, count(*)::int as n from journey_runs where workspace_id = ${s.ws}::uuid and journey_id = ${id}::uuid group by holdout`);
    const held = rows.find((r) => r.holdout)?.n ?? 0;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(40);
    const winbacks = async () => {
      let n = 0;
      for (let i = 0; i < 40; i++) n += await mailsTo(`c${i}@${domain}`, '[winback]');
      return n;
    };
    await deliver(database, s.ws, async () => (await winbacks()) === 40 - held);
    const { rows: steps } = await database.db.execute<{ outcome: string; n: number }>(sql`
      select outcome, count(*)::int as n from journey_run_steps where workspace_id = ${s.ws}::uuid and step_id = 'winback' group by outcome order by outcome`);
    expect(steps).toEqual([{ outcome: 'held_out', n: held }, { outcome: 'sent', n: 40 - held }].filter((r) => r.n > 0));
  });

  it('a VIP flagged at churn risk → their owner is told by e-mail and the customer gets a personal message; others do not enter', async () => {
    const database = getDb();
    const domain = `vip-${Date.now()}.test`;
    const s = await shop(database, domain, 2);
    clock.set(T0);
    const personal = await s.template('thanks');
    const vip = await createSegment(database.db, { workspaceId: s.ws, actor: systemActor, input: { name: 'VIP', kind: 'static' } });
    await database.db.execute(sql`insert into segment_members (workspace_id, segment_id, customer_id, entered_at) values (${s.ws}::uuid, ${vip.id}::uuid, ${s.ids[0]!}::uuid, now())`);
    await journey(database, s.ws, 'VIP 케어', {
      trigger: { type: 'event', event: 'Churn Risk Flagged', filters: [] },
      entry: { mode: 'again_after', afterDays: 30, segmentId: vip.id },
      exit: { goal: null, leaveSegmentId: null },
      holdoutShare: 0,
      graph: {
        start: 'tell',
        steps: [
          { id: 'tell', type: 'notify', memberEmail: null, subject: 'VIP 이탈 위험: {{ data.customer_name }}', body: '{{ data.customer_name }} 고객에게 연락해 주세요.', next: 'personal' },
          { id: 'personal', type: 'send', kind: 'email', templateId: personal, purpose: 'marketing', next: 'end' },
          { id: 'end', type: 'exit' },
        ],
      },
    });
    await recordObservedEvents(database.db, {
      workspaceId: s.ws,
      name: 'Churn Risk Flagged',
      source: 'analytics',
      events: s.ids.map((c) => ({ messageId: `churn-risk:${c}:test`, customerId: c, properties: { grade: 'VIP' }, timestamp: T0.toISOString() })),
    });
    expect(await runJourneysWork(database.db, { workspaceId: s.ws })).toMatchObject({ entered: 1 });
    await deliver(database, s.ws, async () => (await mailsTo(s.owner.email, '')) === 1 && (await mailsTo(`c0@${domain}`, '[thanks]')) === 1);
    const toOwner = smtp.received.filter((m) => m.to.includes(s.owner.email));
    expect(toOwner).toHaveLength(1);
    expect(await mailsTo(`c1@${domain}`, '[thanks]')).toBe(0);
  });
});
