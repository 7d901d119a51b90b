import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { createTestWorkspace, describeEachDb, testConfig } from '../db/test-helpers.ts';
import { addChannel, addCustomers, eventually, granted, startTestSmtp } from './delivery-test-fixture.ts';
import { startMessageDispatcher } from './dispatcher.ts';
import { closeProviders } from './providers/index.ts';
import { createMessage, createMessages } from './send.ts';

const kst = (local: string) => new Date(`${local}+09:00`);
const config = testConfig({ RAPPORT_PUBLIC_URL: 'https://crm.rapport-shop.test', RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' });

describeEachDb('message dispatcher', (getDb) => {
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  beforeAll(async () => {
    smtp = await startTestSmtp({
      answer: (address) =>
        address.startsWith('gone') ? { code: 550, message: '5.1.1 user unknown' } : address.startsWith('busy') ? { code: 451, message: '4.7.1 try again later' } : undefined,
    });
  });
  afterAll(async () => {
    await closeProviders();
    await smtp.close();
  });
  afterEach(() => clock.reset());

  async function shop() {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database, 'Dispatch shop');
    const ws = workspace.id;
    await addChannel(database.db, ws, { kind: 'email', provider: 'smtp', settings: smtp.settings() });
    return { database, db: database.db, ws };
  }
  const email = (ws: string, customerId: string, key: string, purpose: 'marketing' | 'transactional' = 'marketing') => ({
    workspaceId: ws,
    customerId,
    kind: 'email' as const,
    content: { subject: 'Hello {{ customer.name }}', body: '<p>Hi {{ customer.name }}, see <a href="https://shop.test/new">new</a></p>', format: 'html' },
    purpose,
    idempotencyKey: key,
  });
  const statusOf = async (db: ReturnType<typeof getDb>['db'], ws: string, id: string) =>
    (await db.execute<{ status: string; reason: string | null; attempts: number; send_at: string }>(sql`select status, reason, attempts, send_at from messages where workspace_id = ${ws}::uuid and id = ${id}::uuid`)).rows[0]!;
  const arrivedFor = (address: string) => smtp.received.filter((r) => r.to.includes(address));

  it('sends a 23:00 KST ad with night_ads consent at once and defers one without it to 08:00 KST; a transactional message goes without marketing consent', async () => {
    const { database, db, ws } = await shop();
    const [night, day, none] = await addCustomers(db, ws, [
      { email: 'night-owl@example.com', name: '올빼미', consents: granted('email', 'marketing', 'night_ads') },
      { email: 'day-bird@example.com', name: '종달새', consents: granted('email', 'marketing') },
      { email: 'receipt@example.com', name: 'Receipt' },
    ]);
    clock.set(kst('2026-05-01T23:00:00'));
    const dispatcher = startMessageDispatcher(database, { config, pollMs: 50, workspaceIds: [ws] });
    try {
      const [n, d, t] = await createMessages(db, [email(ws, night!, 'n'), email(ws, day!, 'd'), email(ws, none!, 't', 'transactional')]);
      await eventually(() => arrivedFor('night-owl@example.com').length === 1 && arrivedFor('receipt@example.com').length === 1, 20_000, 'the ad and the receipt');
      await eventually(async () => (await statusOf(db, ws, t!.message.id)).status === 'sent' && (await statusOf(db, ws, n!.message.id)).status === 'sent', 10_000, 'recorded');
      const deferred = await statusOf(db, ws, d!.message.id);
      expect(deferred.status).toBe('deferred');
      expect(new Date(deferred.send_at).toISOString()).toBe(kst('2026-05-02T08:00:00').toISOString());
      expect(arrivedFor('day-bird@example.com')).toHaveLength(0);
      // 08:00 KST: it goes.
      clock.set(kst('2026-05-02T08:00:00'));
      dispatcher.wakeUp();
      await eventually(() => arrivedFor('day-bird@example.com').length === 1, 20_000, 'the deferred ad');
      const mail = await simpleParser(arrivedFor('day-bird@example.com')[0]!.raw);
      expect(mail.subject).toBe('(광고) Hello 종달새');
      expect(mail.messageId).toBe(`<${d!.message.id}@rapport-shop.test>`);
      await eventually(async () => (await statusOf(db, ws, d!.message.id)).status === 'sent', 10_000, 'recorded');
      const { rows: history } = await db.execute<{ status: string }>(sql`select status from message_status_history where workspace_id = ${ws}::uuid and message_id = ${d!.message.id}::uuid order by at, id`);
      expect(history.map((h) => h.status)).toEqual(['deferred', 'sending', 'sent']);
    } finally {
      await dispatcher.stop();
    }
  }, 90_000);

  it('claims only the workspaces it is given, when given some', async () => {
    const mine = await shop();
    const other = await shop();
    const [a] = await addCustomers(mine.db, mine.ws, [{ email: 'mine@example.com', name: 'Mine' }]);
    const [b] = await addCustomers(other.db, other.ws, [{ email: 'not-mine@example.com', name: 'Other' }]);
    clock.set(kst('2026-05-01T12:00:00'));
    const dispatcher = startMessageDispatcher(mine.database, { config, pollMs: 50, workspaceIds: [mine.ws] });
    try {
      const m = await createMessage(mine.db, email(mine.ws, a!, 'scoped', 'transactional'));
      const o = await createMessage(other.db, email(other.ws, b!, 'scoped', 'transactional'));
      await eventually(async () => (await statusOf(mine.db, mine.ws, m.message.id)).status === 'sent', 20_000, 'its own message');
      expect(arrivedFor('not-mine@example.com')).toHaveLength(0);
      expect(await statusOf(other.db, other.ws, o.message.id)).toMatchObject({ status: 'queued', attempts: 0 });
    } finally {
      await dispatcher.stop();
    }
  }, 90_000);

  it('sends an order confirmation while every connection of a campaign is stalled on the same channel', async () => {
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const stalling = await startTestSmtp({ hold: (address) => (address.startsWith('stall') ? stalled : undefined) });
    const database = getDb();
    const { workspace } = await createTestWorkspace(database, 'Stalled shop');
    const ws = workspace.id;
    await addChannel(database.db, ws, { kind: 'email', provider: 'smtp', settings: stalling.settings() });
    const people = await addCustomers(
      database.db,
      ws,
      [...Array.from({ length: 24 }, (_, i) => ({ email: `stall-${i}@example.com`, name: `S${i}`, consents: granted('email', 'marketing') })), { email: 'receipt@example.com', name: 'Buyer' }],
    );
    const buyer = people.pop()!;
    clock.set(kst('2026-05-01T12:00:00'));
    const dispatcher = startMessageDispatcher(database, { config, pollMs: 50, workspaceIds: [ws] });
    try {
      await createMessages(database.db, people.map((id, i) => email(ws, id, `campaign-${i}`)));
      // The campaign's sends are at the stalled RCPT TO: all 4 of its connections are busy.
      await eventually(async () => Number((await database.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where workspace_id = ${ws}::uuid and status = 'sending'`)).rows[0]!.n) > 0, 20_000, 'the campaign sending');
      await createMessage(database.db, email(ws, buyer, 'order-7', 'transactional'));
      await eventually(() => stalling.received.some((r) => r.to.includes('receipt@example.com')), 10_000, 'the order confirmation past the stalled campaign');
      expect(stalling.received.filter((r) => r.to.some((t) => t.startsWith('stall')))).toHaveLength(0);
      release();
      await eventually(() => stalling.received.length === 25, 20_000, 'the campaign once the server answers');
    } finally {
      release();
      await dispatcher.stop();
      await closeProviders();
      await stalling.close();
    }
  }, 90_000);

  it('delivers a repeated idempotency key once, retries a temporary failure with backoff, and turns a 550 into a bounce and a suppression', async () => {
    const { database, db, ws } = await shop();
    const [a, busy, gone] = await addCustomers(db, ws, [
      { email: 'once@example.com', name: 'Once', consents: granted('email', 'marketing') },
      { email: 'busy@example.com', name: 'Busy', consents: granted('email', 'marketing') },
      { email: 'gone@example.com', name: 'Gone', consents: granted('email', 'marketing') },
    ]);
    clock.set(kst('2026-05-01T12:00:00'));
    const dispatcher = startMessageDispatcher(database, { config, pollMs: 50, maxAttempts: 2, workspaceIds: [ws] });
    try {
      const first = await createMessage(db, email(ws, a!, 'order-1', 'transactional'));
      const again = await createMessage(db, email(ws, a!, 'order-1', 'transactional'));
      expect(again).toMatchObject({ created: false, message: { id: first.message.id } });
      const b = await createMessage(db, email(ws, busy!, 'b'));
      const g = await createMessage(db, email(ws, gone!, 'g'));
      await eventually(async () => (await statusOf(db, ws, g.message.id)).status === 'bounced', 20_000, 'the bounce');
      await eventually(async () => (await statusOf(db, ws, b.message.id)).status === 'queued' && (await statusOf(db, ws, b.message.id)).attempts === 1, 20_000, 'the retry');
      await eventually(async () => (await statusOf(db, ws, first.message.id)).status === 'sent', 20_000, 'the receipt');
      expect(arrivedFor('once@example.com')).toHaveLength(1);
      const retry = await statusOf(db, ws, b.message.id);
      expect(retry.reason).toMatch(/try again later/);
      expect(new Date(retry.send_at).getTime()).toBeGreaterThan(clock.nowMs());
      // The backoff passes: the second attempt fails too, and that was the last one.
      clock.advance(3_600_000);
      dispatcher.wakeUp();
      await eventually(async () => (await statusOf(db, ws, b.message.id)).status === 'failed', 20_000, 'the last attempt');
      expect((await statusOf(db, ws, b.message.id)).attempts).toBe(2);
      // The bounced address is on the suppression list: the next message to it is refused.
      const next = await createMessage(db, email(ws, gone!, 'g2', 'transactional'));
      expect(next.message).toMatchObject({ status: 'suppressed', reason: 'suppressed_address' });
      expect(arrivedFor('once@example.com')).toHaveLength(1);
    } finally {
      await dispatcher.stop();
    }
  }, 90_000);
});
