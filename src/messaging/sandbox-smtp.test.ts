// The Sandbox: e-mail over real SMTP into the in-process server and from there into the inbox;
// SMS, KakaoTalk and push straight into it; refusals, bounces (at RCPT and as DSNs) and the
// inbox's list, detail and clearing, per workspace, on both databases.
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uuidv7 } from '../db/uuid.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { createSandboxProvider } from './providers/sandbox.ts';
import { createSmtpProvider } from './providers/smtp.ts';
import { startSandboxSmtp, type SandboxBounce, type SandboxSmtp } from './sandbox-smtp.ts';
import { clearSandboxMessages, countSandboxMessages, getSandboxMessage, listSandboxMessages } from './sandbox.ts';
import type { EmailContent, Provider } from './types.ts';

function email(overrides: Partial<EmailContent> = {}): EmailContent {
  return {
    kind: 'email',
    from: 'Shop <news@shop.example>',
    subject: '(광고) 김민수님을 위한 추천',
    html: '<h1>안녕하세요 김민수님</h1><p><a href="https://crm.example/r/abc">보기</a></p>',
    text: '안녕하세요 김민수님\n보기: https://crm.example/r/abc',
    headers: { 'List-Unsubscribe': '<https://crm.example/u/tok>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    messageIdHeader: `<${crypto.randomUUID()}@shop.example>`,
    ...overrides,
  };
}

function dsn(opts: { workspaceId: string; messageId: string; messageIdHeader: string; status: string; action: string }): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example>',
    'To: bounces@shop.example',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="rpt"',
    '',
    '--rpt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Your message could not be delivered.',
    '',
    '--rpt',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example',
    '',
    'Final-Recipient: rfc822; kim@example.com',
    `Action: ${opts.action}`,
    `Status: ${opts.status}`,
    `Diagnostic-Code: smtp; ${opts.status.startsWith('5') ? '550' : '451'} ${opts.status} mailbox problem`,
    '',
    '--rpt',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${opts.messageIdHeader}`,
    `X-Rapport-Workspace: ${opts.workspaceId}`,
    `X-Rapport-Message: ${opts.messageId}`,
    'Subject: hello',
    '',
    '--rpt--',
    '',
  ].join('\r\n');
}

describeEachDb('Sandbox SMTP server and inbox', (db) => {
  let server: SandboxSmtp;
  let emailProvider: Provider;
  const bounces: SandboxBounce[] = [];

  beforeAll(async () => {
    server = await startSandboxSmtp(db().db, {
      onBounce: async (bounce) => {
        if (bounce.diagnostic?.includes('explode')) throw new Error('the pipeline is down');
        bounces.push(bounce);
      },
    });
    emailProvider = createSandboxProvider('email', {}, { db: db().db });
  });
  afterAll(async () => {
    await emailProvider.close();
    await server.close();
  });

  it('stores an e-mail sent over SMTP as the customer receives it, delivered, in its own workspace only', async () => {
    const { workspace } = await createTestWorkspace(db());
    const { workspace: other } = await createTestWorkspace(db());
    const messageId = uuidv7();
    const content = email();
    const result = await emailProvider.send({ workspaceId: workspace.id, messageId, to: 'kim@example.com', content });
    expect(result).toEqual({ ok: true, providerMessageId: content.messageIdHeader, delivered: true });

    const list = await listSandboxMessages(db().db, { workspaceId: workspace.id });
    expect(list.items).toHaveLength(1);
    const line = list.items[0]!;
    expect(line).toMatchObject({ kind: 'email', messageId, toAddress: 'kim@example.com', subject: '(광고) 김민수님을 위한 추천' });
    expect(line.fromAddress).toContain('news@shop.example');
    expect(line.preview).toContain('안녕하세요 김민수님');
    expect(line.meta).toMatchObject({ messageIdHeader: content.messageIdHeader });
    expect(line.meta.listUnsubscribe).toEqual(['List-Unsubscribe: <https://crm.example/u/tok>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click']);

    const detail = await getSandboxMessage(db().db, { workspaceId: workspace.id, id: line.id });
    expect(detail?.html).toContain('<h1>안녕하세요 김민수님</h1>');
    expect(detail?.raw).toMatch(/^X-Rapport-Message: /m);
    expect(await getSandboxMessage(db().db, { workspaceId: other.id, id: line.id })).toBeUndefined();
    expect((await listSandboxMessages(db().db, { workspaceId: other.id })).items).toEqual([]);
  });

  it('refuses mail not sent by Rapport or for an unknown workspace (550), and bounces @bounce.test at RCPT', async () => {
    const plain = createSmtpProvider({ host: server.host, port: server.port }, {});
    try {
      const noHeaders = await plain.send({ workspaceId: 'w', messageId: 'm', to: 'kim@example.com', content: email() });
      expect(noHeaders).toMatchObject({ ok: false, permanent: true });
      expect(noHeaders.ok === false && noHeaders.reason).toMatch(/^550 .*X-Rapport-Workspace/);

      const unknown = await plain.send({
        workspaceId: 'w',
        messageId: 'm',
        to: 'kim@example.com',
        content: email({ headers: { 'X-Rapport-Workspace': crypto.randomUUID(), 'X-Rapport-Message': crypto.randomUUID() } }),
      });
      expect(unknown).toMatchObject({ ok: false, permanent: true });
      expect(unknown.ok === false && unknown.reason).toMatch(/^550 .*No such workspace/);
    } finally {
      await plain.close();
    }
    const { workspace } = await createTestWorkspace(db());
    const bounced = await emailProvider.send({ workspaceId: workspace.id, messageId: uuidv7(), to: 'nobody@bounce.test', content: email() });
    expect(bounced).toMatchObject({ ok: false, permanent: true, code: 'recipient_rejected' });
    expect((await listSandboxMessages(db().db, { workspaceId: workspace.id })).items).toEqual([]);
  });

  it('reads a DSN into the onBounce hook; a hook that fails makes the sender try again (451)', async () => {
    const workspaceId = crypto.randomUUID();
    const messageId = crypto.randomUUID();
    const transport = nodemailer.createTransport({ host: server.host, port: server.port, ignoreTLS: true });
    try {
      await transport.sendMail({
        envelope: { from: 'MAILER-DAEMON@mx.example', to: ['bounces@shop.example'] },
        raw: dsn({ workspaceId, messageId, messageIdHeader: '<orig@shop.example>', status: '5.1.1', action: 'failed' }),
      });
      expect(bounces.at(-1)).toEqual({
        workspaceId,
        messageId,
        messageIdHeader: '<orig@shop.example>',
        recipient: 'kim@example.com',
        action: 'failed',
        status: '5.1.1',
        diagnostic: 'smtp; 550 5.1.1 mailbox problem',
        permanent: true,
      });
      await transport.sendMail({
        envelope: { from: 'MAILER-DAEMON@mx.example', to: ['bounces@shop.example'] },
        raw: dsn({ workspaceId, messageId, messageIdHeader: '<orig@shop.example>', status: '4.2.2', action: 'delayed' }),
      });
      expect(bounces.at(-1)).toMatchObject({ action: 'delayed', status: '4.2.2', permanent: false });
      const failing = transport.sendMail({
        envelope: { from: 'MAILER-DAEMON@mx.example', to: ['bounces@shop.example'] },
        raw: dsn({ workspaceId, messageId, messageIdHeader: '<orig@shop.example>', status: '5.0.0', action: 'failed' }).replace('mailbox problem', 'explode'),
      });
      await expect(failing).rejects.toMatchObject({ responseCode: 451 });
      expect(bounces).toHaveLength(2);
    } finally {
      transport.close();
    }
  });

  it('reads a DSN as bounces.ts does: one hook call per recipient, also when the report part is base64 (as some mail servers send it)', async () => {
    const workspaceId = crypto.randomUUID();
    const messageId = crypto.randomUUID();
    const report = [
      'Reporting-MTA: dns; mx.example',
      '',
      'Final-Recipient: rfc822; first@example.com',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 no such user',
      '',
      'Final-Recipient: rfc822; second@example.com',
      'Action: failed',
      'Status: 4.2.2',
      'Diagnostic-Code: smtp; 452 4.2.2 mailbox full',
      '',
    ].join('\r\n');
    const raw = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example>',
      'To: bounces@shop.example',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="rpt"',
      '',
      '--rpt',
      'Content-Type: message/delivery-status',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(report).toString('base64'),
      '',
      '--rpt',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <two@shop.example>`,
      `X-Rapport-Workspace: ${workspaceId}`,
      `X-Rapport-Message: ${messageId}`,
      '',
      '--rpt--',
      '',
    ].join('\r\n');
    const before = bounces.length;
    const transport = nodemailer.createTransport({ host: server.host, port: server.port, ignoreTLS: true });
    try {
      await transport.sendMail({ envelope: { from: 'MAILER-DAEMON@mx.example', to: ['bounces@shop.example'] }, raw });
    } finally {
      transport.close();
    }
    expect(bounces.slice(before)).toEqual([
      { workspaceId, messageId, messageIdHeader: '<two@shop.example>', recipient: 'first@example.com', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 no such user', permanent: true },
      { workspaceId, messageId, messageIdHeader: '<two@shop.example>', recipient: 'second@example.com', action: 'failed', status: '4.2.2', diagnostic: 'smtp; 452 4.2.2 mailbox full', permanent: false },
    ]);
  });

  it('writes SMS, KakaoTalk and push straight into the inbox with what the inbox shows beside the text', async () => {
    const { workspace } = await createTestWorkspace(db());
    const sms = createSandboxProvider('sms', { from: '02-123-4567' }, { db: db().db });
    const kakao = createSandboxProvider('kakao', {}, { db: db().db });
    const push = createSandboxProvider('push', {}, { db: db().db });
    const smsId = uuidv7();
    const smsResult = await sms.send({ workspaceId: workspace.id, messageId: smsId, to: '01012345678', content: { kind: 'sms', type: 'LMS', from: '', text: '(광고)샵\n긴 안내문', title: '안내', bytes: 120 } });
    expect(smsResult).toMatchObject({ ok: true, delivered: true });
    await kakao.send({
      workspaceId: workspace.id,
      messageId: uuidv7(),
      to: '01012345678',
      content: {
        kind: 'kakao',
        type: 'alimtalk',
        pfId: 'KA01PF',
        templateCode: 'ORDER_OK',
        text: '주문이 접수되었습니다',
        buttons: [{ name: '배송조회', type: 'DS' }],
        fallback: { kind: 'sms', type: 'SMS', from: '0212345678', text: '주문이 접수되었습니다', bytes: 22 },
      },
    });
    await push.send({
      workspaceId: workspace.id,
      messageId: uuidv7(),
      to: JSON.stringify({ endpoint: 'https://push.example/abc', keys: { p256dh: 'x', auth: 'y' } }),
      content: { kind: 'push', title: '세일 시작', body: '지금 확인하세요', url: 'https://shop.example/sale' },
    });
    // A channel of one kind refuses another kind's content.
    expect(await sms.send({ workspaceId: workspace.id, messageId: uuidv7(), to: 'x', content: { kind: 'push', title: 't', body: 'b' } })).toMatchObject({ ok: false, permanent: true });

    const { items } = await listSandboxMessages(db().db, { workspaceId: workspace.id });
    expect(items.map((i) => i.kind)).toEqual(['push', 'kakao', 'sms']);
    expect(items[2]).toMatchObject({ messageId: smsId, toAddress: '01012345678', fromAddress: '02-123-4567', subject: '안내', meta: { type: 'LMS', bytes: 120 } });
    expect(items[1]?.meta).toMatchObject({ type: 'alimtalk', templateCode: 'ORDER_OK', buttons: [{ name: '배송조회', type: 'DS' }], fallback: { type: 'SMS', bytes: 22 } });
    expect(items[0]).toMatchObject({ toAddress: 'https://push.example/abc', subject: '세일 시작', meta: { url: 'https://shop.example/sale' } });

    expect(await countSandboxMessages(db().db, { workspaceId: workspace.id })).toEqual({ sms: 1, kakao: 1, push: 1 });
    const page = await listSandboxMessages(db().db, { workspaceId: workspace.id, limit: 2 });
    expect(page.items).toHaveLength(2);
    const rest = await listSandboxMessages(db().db, { workspaceId: workspace.id, limit: 2, before: page.nextCursor! });
    expect(rest.items.map((i) => i.kind)).toEqual(['sms']);
    expect(rest.nextCursor).toBeNull();
    expect((await listSandboxMessages(db().db, { workspaceId: workspace.id, kind: 'kakao' })).items).toHaveLength(1);

    expect(await clearSandboxMessages(db().db, { workspaceId: workspace.id, kind: 'sms' })).toBe(1);
    expect(await clearSandboxMessages(db().db, { workspaceId: workspace.id })).toBe(2);
    expect((await listSandboxMessages(db().db, { workspaceId: workspace.id })).items).toEqual([]);
  });
});
