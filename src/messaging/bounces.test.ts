import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { getConsents, setConsents } from '../customers/consents.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { systemActor } from '../workspaces/audit.ts';
import { handleBounce, handleComplaint, handleDsn, handleFeedbackReport, handleSandboxBounce, parseDsn, parseFeedbackReport } from './bounces.ts';
import { addChannel, addCustomers } from './delivery-test-fixture.ts';
import { startSandboxSmtp } from './sandbox-smtp.ts';
import { messages } from './schema.ts';
import { isSuppressedMany } from './suppressions.ts';

type Recipient = { address: string; action: string; status: string; diagnostic?: string };

function dsn(opts: { workspaceId: string; messageId: string; recipients: Recipient[]; base64?: boolean; headersOnly?: boolean }): string {
  const report = [
    'Reporting-MTA: dns; mx.example',
    'Arrival-Date: Mon, 1 Jun 2026 10:00:00 +0000',
    '',
    ...opts.recipients.flatMap((r) => [
      `Original-Recipient: rfc822;${r.address}`,
      `Final-Recipient: rfc822; ${r.address}`,
      `Action: ${r.action}`,
      `Status: ${r.status} (mailbox)`,
      // Folded, as MTAs write long diagnostics.
      ...(r.diagnostic ? [`Diagnostic-Code: smtp; ${r.diagnostic.replace(/ (?=Recipient|Mailbox)/, '\r\n  ')}`] : []),
      '',
    ]),
  ].join('\r\n');
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example>',
    'To: bounces@shop.example',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="=_rpt.42"',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--=_rpt.42',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Your message could not be delivered.',
    '',
    '--=_rpt.42',
    'Content-Type: message/delivery-status',
    ...(opts.base64 ? ['Content-Transfer-Encoding: base64', '', Buffer.from(report).toString('base64').replace(/.{76}/g, '$&\r\n')] : ['', report]),
    '',
    '--=_rpt.42',
    `Content-Type: ${opts.headersOnly ? 'text/rfc822-headers' : 'message/rfc822'}`,
    '',
    `Message-ID: <${opts.messageId}@shop.example>`,
    `X-Rapport-Workspace: ${opts.workspaceId}`,
    `X-Rapport-Message: ${opts.messageId}`,
    'Subject: 봄 세일',
    '',
    ...(opts.headersOnly ? [] : ['<p>Hello</p>', '']),
    '--=_rpt.42--',
    '',
  ].join('\r\n');
}

/** A complaint report (ARF, RFC 5965) as mailbox providers send them. */
function arf(opts: { workspaceId: string; messageId: string; type: string }): string {
  return [
    'From: Feedback Loop <fbl@mailbox.example>',
    'To: abuse@shop.example',
    'Subject: FW: 봄 세일',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="arf"',
    '',
    '--arf',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is an email abuse report.',
    '',
    '--arf',
    'Content-Type: message/feedback-report',
    '',
    `Feedback-Type: ${opts.type}`,
    'User-Agent: SomeFBL/1.0',
    'Version: 1',
    '',
    '--arf',
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    `Message-ID: <${opts.messageId}@shop.example>`,
    `X-Rapport-Workspace: ${opts.workspaceId}`,
    `X-Rapport-Message: ${opts.messageId}`,
    '',
    'hello',
    '--arf--',
    '',
  ].join('\r\n');
}

const W = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const M = '0193a1b2-c3d4-7e5f-8a9b-aaaaaaaaaaaa';

describe('parseFeedbackReport', () => {
  it('reads the feedback type and the original message; a DSN is not one', () => {
    expect(parseFeedbackReport(arf({ workspaceId: W, messageId: M, type: 'abuse' }))).toEqual({ feedbackType: 'abuse', workspaceId: W, messageId: M, messageIdHeader: `<${M}@shop.example>` });
    expect(parseFeedbackReport(dsn({ workspaceId: W, messageId: M, recipients: [{ address: 'a@example.com', action: 'failed', status: '5.0.0' }] }))).toBeNull();
    expect(parseDsn(arf({ workspaceId: W, messageId: M, type: 'abuse' }))).toBeNull();
  });
});

describe('parseDsn', () => {
  it.each([false, true])('reads every recipient and the original message (base64 report: %s)', (base64) => {
    const parsed = parseDsn(
      dsn({
        workspaceId: W,
        messageId: M,
        base64,
        recipients: [
          { address: 'kim@example.com', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <kim@example.com>: Recipient address rejected: User unknown' },
          { address: 'lee@example.com', action: 'failed', status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' },
          { address: 'park@example.com', action: 'delayed', status: '4.4.1' },
          { address: 'choi@example.com', action: 'delivered', status: '2.0.0' },
        ],
      }),
    );
    expect(parsed).toMatchObject({ workspaceId: W, messageId: M, messageIdHeader: `<${M}@shop.example>` });
    expect(parsed!.recipients.map((r) => [r.recipient, r.action, r.status, r.outcome])).toEqual([
      ['kim@example.com', 'failed', '5.1.1', 'hard'],
      ['lee@example.com', 'failed', '4.2.2', 'soft'],
      ['park@example.com', 'delayed', '4.4.1', 'pending'],
      ['choi@example.com', 'delivered', '2.0.0', 'delivered'],
    ]);
    expect(parsed!.recipients[0]!.diagnostic).toBe('smtp; 550 5.1.1 <kim@example.com>: Recipient address rejected: User unknown');
  });

  it('takes the original from its headers alone, and refuses what is not a DSN', () => {
    expect(parseDsn(dsn({ workspaceId: W, messageId: M, headersOnly: true, recipients: [{ address: 'a@example.com', action: 'failed', status: '5.0.0' }] }))).toMatchObject({ messageId: M });
    expect(parseDsn('From: a@example.com\r\nSubject: hi\r\n\r\nhello')).toBeNull();
    expect(parseDsn('Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nAction: failed\r\n--x--\r\n')).toBeNull();
  });
});

async function message(db: Queryable, workspaceId: string, opts: { channelId: string; customerId?: string | null; kind?: string; to: string }): Promise<string> {
  const id = uuidv7();
  await db.insert(messages).values({
    workspaceId,
    id,
    idempotencyKey: `bounce:${id}`,
    customerId: opts.customerId ?? null,
    channelId: opts.channelId,
    kind: opts.kind ?? 'email',
    purpose: 'marketing',
    lane: 'bulk',
    status: 'sent',
    toAddress: opts.to,
    providerMessageId: `<${id}@shop.example>`,
    sendAt: new Date(),
    sentAt: new Date(),
  });
  return id;
}

async function historyOf(db: Queryable, workspaceId: string, id: string) {
  const { rows } = await db.execute<{ status: string; reason: string | null; detail: Record<string, unknown> | null; mstatus: string; mreason: string | null }>(sql`
    select h.status, h.reason, h.detail, m.status as mstatus, m.reason as mreason from message_status_history h
    join messages m on m.workspace_id = h.workspace_id and m.id = h.message_id
    where h.workspace_id = ${workspaceId}::uuid and h.message_id = ${id}::uuid order by h.at, h.id`);
  return rows;
}

describeEachDb('bounces and complaints', (getDb) => {
  it('a hard bounce marks the message and lists the address once; a soft one does not list it', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const channelId = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const hard = await message(db, ws, { channelId, to: 'Gone.Person@example.com' });
    const soft = await message(db, ws, { channelId, to: 'full@example.com' });
    const raw = dsn({ workspaceId: ws, messageId: hard, recipients: [{ address: 'gone.person@example.com', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <gone.person@example.com>: User unknown' }] });
    expect(await handleDsn(db, raw)).toEqual([{ found: true, recorded: true, suppressed: true }]);
    // The same report again: nothing new in the history.
    expect(await handleDsn(db, raw)).toEqual([{ found: true, recorded: false, suppressed: true }]);
    const h = await historyOf(db, ws, hard);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ status: 'bounced', reason: 'hard_bounce', mstatus: 'bounced', mreason: 'hard_bounce' });
    expect(h[0]!.detail!.code).toBe('5.1.1');
    expect(JSON.stringify(h[0]!.detail)).not.toContain('gone.person');
    expect([...(await isSuppressedMany(db, ws, 'email', ['gone.person@example.com']))]).toEqual(['gone.person@example.com']);

    await handleDsn(db, dsn({ workspaceId: ws, messageId: soft, recipients: [{ address: 'full@example.com', action: 'failed', status: '4.2.2' }] }));
    expect((await historyOf(db, ws, soft)).map((r) => [r.status, r.reason])).toEqual([['bounced', 'soft_bounce']]);
    expect((await isSuppressedMany(db, ws, 'email', ['full@example.com'])).size).toBe(0);

    // Another workspace cannot bounce this one's message by naming it.
    const other = (await createTestWorkspace(getDb(), 'Other')).workspace.id;
    const fresh = await message(db, ws, { channelId, to: 'fresh@example.com' });
    expect(await handleBounce(db, { workspaceId: other, messageId: fresh, status: 'hard' })).toEqual({ found: false, recorded: false, suppressed: false });
    expect(await historyOf(db, ws, fresh)).toEqual([]);
  });

  it('a DSN mailed to the sandbox SMTP server bounces the message through its hook', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const channelId = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const id = await message(db, ws, { channelId, to: 'nobody@example.com' });
    const server = await startSandboxSmtp(db, { onBounce: async (b) => void (await handleSandboxBounce(db, b)) });
    const transport = nodemailer.createTransport({ host: server.host, port: server.port, secure: false, ignoreTLS: true });
    try {
      const raw = dsn({ workspaceId: ws, messageId: id, recipients: [{ address: 'nobody@example.com', action: 'failed', status: '5.1.1' }] });
      await transport.sendMail({ envelope: { from: '', to: 'bounces@shop.example' }, raw });
    } finally {
      transport.close();
      await server.close();
    }
    expect((await historyOf(db, ws, id)).map((r) => [r.status, r.reason])).toEqual([['bounced', 'hard_bounce']]);
    expect((await isSuppressedMany(db, ws, 'email', ['nobody@example.com'])).size).toBe(1);
  });

  it('a complaint marks the message, lists the address and withdraws marketing consent on that channel', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const [customerId] = await addCustomers(db, ws, [{ email: 'angry@example.com', phone: '010-2222-3333', name: 'Angry' }]);
    await setConsents(db, {
      workspaceId: ws,
      customerId: customerId!,
      actor: systemActor,
      consents: [
        { channel: 'sms', purpose: 'marketing', status: 'granted', source: 'test' },
        { channel: 'sms', purpose: 'night_ads', status: 'granted', source: 'test' },
        { channel: 'email', purpose: 'marketing', status: 'granted', source: 'test' },
      ],
    });
    const channelId = await addChannel(db, ws, { kind: 'sms', provider: 'sandbox' });
    const id = await message(db, ws, { channelId, customerId, kind: 'sms', to: '+821022223333' });
    expect(await handleComplaint(db, { workspaceId: ws, messageId: id, detail: 'reported by +821022223333' })).toEqual({ found: true, recorded: true, suppressed: true, consentWithdrawn: true });
    const h = await historyOf(db, ws, id);
    expect(h.map((r) => [r.status, r.mstatus])).toEqual([['complained', 'complained']]);
    expect(JSON.stringify(h[0]!.detail)).not.toContain('22223333');
    // KakaoTalk shares the phone's entry.
    expect((await isSuppressedMany(db, ws, 'kakao', ['+821022223333'])).size).toBe(1);
    const consents = await getConsents(db, { workspaceId: ws, customerId: customerId! });
    const status = (channel: string, purpose: string) => consents.find((c) => c.channel === channel && c.purpose === purpose)!.status;
    expect([status('sms', 'marketing'), status('sms', 'night_ads'), status('email', 'marketing')]).toEqual(['denied', 'denied', 'granted']);
    expect(consents.find((c) => c.channel === 'sms' && c.purpose === 'marketing')!.source).toBe('complaint');
    expect((await handleComplaint(db, { workspaceId: ws, messageId: id })).recorded).toBe(false);
  });

  it('a mailbox provider\'s abuse report is a complaint; a not-spam report changes nothing', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const [customerId] = await addCustomers(db, ws, [{ email: 'fbl@example.com', name: 'Fbl' }]);
    await setConsents(db, { workspaceId: ws, customerId: customerId!, actor: systemActor, consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', source: 'test' }] });
    const channelId = await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const id = await message(db, ws, { channelId, customerId, to: 'fbl@example.com' });
    expect(await handleFeedbackReport(db, arf({ workspaceId: ws, messageId: id, type: 'not-spam' }))).toBeNull();
    expect(await historyOf(db, ws, id)).toEqual([]);
    expect(await handleFeedbackReport(db, arf({ workspaceId: ws, messageId: id, type: 'abuse' }))).toMatchObject({ found: true, recorded: true, suppressed: true, consentWithdrawn: true });
    expect((await historyOf(db, ws, id)).map((r) => r.status)).toEqual(['complained']);
    const consents = await getConsents(db, { workspaceId: ws, customerId: customerId! });
    expect(consents.find((c) => c.channel === 'email' && c.purpose === 'marketing')!.status).toBe('denied');
  });
});
