// SOLAPI delivery reports: only with the channel's token, only for messages sent through that
// channel, 4000 → delivered, other final codes → bounced (a bad number hard: suppressed), steps
// on the way ignored, fallback (replacement) kept; on both databases.
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb, testConfig } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { App } from '../http/deps.ts';
import { createTestApp } from '../http/test-client.ts';
import { addChannel } from './delivery-test-fixture.ts';
import { solapiOutcome, solapiReceiptToken, solapiReceiptUrl } from './receipt-routes.ts';
import { messages } from './schema.ts';

const SECRET = crypto.randomBytes(32).toString('base64');
const config = testConfig({ RAPPORT_SECRET_KEY: SECRET, RAPPORT_PUBLIC_URL: 'https://crm.example.com' });

describeEachDb('SOLAPI receipt route', (getDb) => {
  let app: App;
  let ws: string;
  let channelId: string;
  let otherChannelId: string;
  let otherWs: string;
  let foreignChannelId: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), { RAPPORT_SECRET_KEY: SECRET });
    ws = (await createTestWorkspace(getDb())).workspace.id;
    otherWs = (await createTestWorkspace(getDb())).workspace.id;
    const settings = { from: '0212345678' };
    channelId = await addChannel(getDb().db, ws, { kind: 'sms', provider: 'solapi', settings });
    otherChannelId = await addChannel(getDb().db, ws, { kind: 'kakao', provider: 'solapi', settings });
    foreignChannelId = await addChannel(getDb().db, otherWs, { kind: 'sms', provider: 'solapi', settings });
  });
  afterAll(async () => {
    await app.close();
  });

  async function sent(workspaceId: string, channel: string, kind = 'sms'): Promise<{ id: string; providerId: string }> {
    const id = uuidv7();
    const providerId = `M4V${crypto.randomBytes(12).toString('hex').toUpperCase()}`;
    await getDb().db.insert(messages).values({
      workspaceId,
      id,
      idempotencyKey: `receipt:${id}`,
      channelId: channel,
      kind,
      purpose: 'transactional',
      lane: 'transactional',
      status: 'sent',
      toAddress: '01012345678',
      sendAt: new Date(),
      sentAt: new Date(),
      providerMessageId: providerId,
    });
    return { id, providerId };
  }

  async function state(workspaceId: string, id: string) {
    const { rows } = await getDb().db.execute<{ status: string; reason: string | null; delivered_at: string | null }>(
      sql`select status, reason, delivered_at from messages where workspace_id = ${workspaceId}::uuid and id = ${id}::uuid`,
    );
    const { rows: history } = await getDb().db.execute<{ status: string; detail: Record<string, unknown> | null }>(
      sql`select status, detail from message_status_history where workspace_id = ${workspaceId}::uuid and message_id = ${id}::uuid order by at`,
    );
    return { ...rows[0]!, history };
  }

  const post = (channel: string, token: string, body: unknown) =>
    app.inject({ method: 'POST', url: `/api/messaging/receipts/solapi/${channel}?token=${encodeURIComponent(token)}`, payload: body as object });

  it('records delivered, bounced with the reason, and a fallback, for the messages of this channel', async () => {
    const delivered = await sent(ws, channelId);
    const failed = await sent(ws, channelId);
    const soft = await sent(ws, channelId);
    const pending = await sent(ws, channelId);
    const fellBack = await sent(ws, channelId, 'kakao');
    const token = solapiReceiptToken(config, ws, channelId);
    const res = await post(channelId, token, [
      { messageId: delivered.providerId, statusCode: '4000', statusMessage: '수신완료', type: 'SMS', dateReceived: '2026-05-01T03:00:05.000Z' },
      { messageId: failed.providerId, statusCode: '3032', statusMessage: '미가입자', type: 'SMS' },
      { messageId: soft.providerId, statusCode: '3043', statusMessage: '단말기 Power off', type: 'SMS' },
      { messageId: pending.providerId, statusCode: '3000', statusMessage: '이통사로 접수', type: 'SMS' },
      { messageId: fellBack.providerId, statusCode: '4000', statusMessage: '수신완료', type: 'LMS', replacement: true, groupId: 'G4V1' },
      { messageId: 'M4VUNKNOWN', statusCode: '4000' },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: 6, recorded: 4, ignored: 2 });

    const d = await state(ws, delivered.id);
    expect(d.status).toBe('delivered');
    expect(new Date(d.delivered_at!).toISOString()).toBe('2026-05-01T03:00:05.000Z');
    expect(d.history.at(-1)).toEqual({ status: 'delivered', detail: { provider: 'solapi', code: '4000', type: 'SMS' } });
    expect(await state(ws, failed.id)).toMatchObject({ status: 'bounced', reason: 'hard_bounce' });
    expect((await state(ws, failed.id)).history.at(-1)?.detail).toMatchObject({ code: '3032', diagnostic: '3032: 미가입자' });
    expect(await state(ws, soft.id)).toMatchObject({ status: 'bounced', reason: 'soft_bounce' });
    // The hard bounce put the number on the suppression list; the soft one did not add another.
    const { rows: listed } = await getDb().db.execute<{ n: number }>(sql`select count(*)::int as n from suppressions where workspace_id = ${ws}::uuid and kind = 'sms' and reason = 'hard_bounce'`);
    expect(listed[0]?.n).toBe(1);
    expect(await state(ws, pending.id)).toMatchObject({ status: 'sent', history: [] });
    expect((await state(ws, fellBack.id)).history.at(-1)).toEqual({ status: 'delivered', detail: { provider: 'solapi', code: '4000', type: 'LMS', fellBack: true } });
  });

  it("refuses a wrong token, another channel's token and an unknown channel; never touches another channel's or workspace's messages", async () => {
    const mine = await sent(ws, channelId);
    const report = [{ messageId: mine.providerId, statusCode: '4000' }];
    expect((await post(channelId, 'not-the-token', report)).statusCode).toBe(401);
    expect((await post(channelId, solapiReceiptToken(config, ws, otherChannelId), report)).statusCode).toBe(401);
    expect((await post(channelId, solapiReceiptToken(config, otherWs, channelId), report)).statusCode).toBe(401);
    expect((await post(uuidv7(), solapiReceiptToken(config, ws, channelId), report)).statusCode).toBe(404);
    expect((await state(ws, mine.id)).status).toBe('sent');

    // The other workspace's channel, with its own valid token, reporting this workspace's message id: ignored.
    const res = await post(foreignChannelId, solapiReceiptToken(config, otherWs, foreignChannelId), report);
    expect(res.json()).toEqual({ received: 1, recorded: 0, ignored: 1 });
    // The same workspace's other channel: ignored too.
    expect((await post(otherChannelId, solapiReceiptToken(config, ws, otherChannelId), report)).json()).toMatchObject({ recorded: 0 });
    expect((await state(ws, mine.id)).status).toBe('sent');

    // The URL the console is given carries the token that works.
    const url = new URL(solapiReceiptUrl(config, { workspaceId: ws, id: channelId }));
    expect(url.origin).toBe('https://crm.example.com');
    const ok = await app.inject({ method: 'POST', url: `${url.pathname}${url.search}`, payload: report });
    expect(ok.json()).toEqual({ received: 1, recorded: 1, ignored: 0 });
    expect((await state(ws, mine.id)).status).toBe('delivered');
  });

  it('answers 400 naming the field for a body that is not a report list', async () => {
    const token = solapiReceiptToken(config, ws, channelId);
    const res = await post(channelId, token, [{ statusCode: '4000' }]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('messageId');
    expect((await app.inject({ method: 'POST', url: `/api/messaging/receipts/solapi/${channelId}`, payload: [] })).statusCode).toBe(400);
  });

  it.each([
    ['4000', 'delivered'],
    ['2000', null],
    ['3000', null],
    ['3104', 'bounced'],
    ['1062', 'bounced'],
  ])('status code %s → %s', (code, expected) => {
    expect(solapiOutcome({ statusCode: code, statusMessage: 'x' })?.status ?? null).toBe(expected);
  });
});
