// providerFor: one provider per channel version, a new one when the channel changes, a clear
// temporary failure for an incomplete channel, and the workspace's sandbox channels sending into
// the Sandbox inbox (e-mail through the in-process SMTP server), on both databases.
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uuidv7 } from '../../db/uuid.ts';
import { createTestWorkspace, describeEachDb } from '../../db/test-helpers.ts';
import { ensureSandboxChannels } from '../channels.ts';
import { startSandboxSmtp, type SandboxSmtp } from '../sandbox-smtp.ts';
import { listSandboxMessages } from '../sandbox.ts';
import { messages, type channels } from '../schema.ts';
import { closeProviders, providerFor } from './index.ts';

type ChannelRow = typeof channels.$inferSelect;

function row(overrides: Partial<ChannelRow>): ChannelRow {
  const at = new Date('2026-05-01T00:00:00Z');
  return {
    workspaceId: crypto.randomUUID(),
    id: crypto.randomUUID(),
    kind: 'webhook',
    provider: 'webhook',
    name: 'Orders hook',
    settings: { url: 'https://hooks.example/rapport' },
    secrets: null,
    isDefault: true,
    createdAt: at,
    updatedAt: at,
    archivedAt: null,
    ...overrides,
  };
}

describeEachDb('providerFor', (db) => {
  let sandbox: SandboxSmtp;
  beforeAll(async () => {
    sandbox = await startSandboxSmtp(db().db);
  });
  afterAll(async () => {
    await closeProviders();
    await sandbox.close();
  });

  it('keeps one provider per channel version and makes a new one when the channel changes', () => {
    const first = row({});
    const deps = { db: db().db };
    const a = providerFor(first, { signingSecret: 'whsec_0123456789abcdef' }, deps);
    expect(providerFor({ ...first }, { signingSecret: 'whsec_0123456789abcdef' }, deps)).toBe(a);
    const changed = { ...first, updatedAt: new Date('2026-05-02T00:00:00Z') };
    const b = providerFor(changed, { signingSecret: 'whsec_0123456789abcdef' }, deps);
    expect(b).not.toBe(a);
    expect(b.name).toBe('webhook');
    // A row read before the change does not bring the old set-up back.
    expect(providerFor(first, { signingSecret: 'whsec_0123456789abcdef' }, deps)).toBe(b);
    // Another channel has its own.
    expect(providerFor(row({}), { signingSecret: 'whsec_0123456789abcdef' }, deps)).not.toBe(b);
  });

  it('an incomplete channel answers every send with a temporary failure naming what is missing', async () => {
    const provider = providerFor(row({ kind: 'sms', provider: 'solapi', settings: { from: '0212345678' } }), {}, { db: db().db });
    expect(await provider.send({ workspaceId: 'w', messageId: 'm', to: '01012345678', content: { kind: 'sms', type: 'SMS', from: '', text: 'hi', bytes: 2 } })).toEqual({
      ok: false,
      permanent: false,
      reason: 'secrets.apiKey: a SOLAPI channel needs its API key and secret',
      code: 'channel_config',
    });
  });

  it("sends through the workspace's sandbox channels into its inbox", async () => {
    const { workspace } = await createTestWorkspace(db());
    const rows = await ensureSandboxChannels(db().db, workspace.id);
    const email = rows.find((r) => r.kind === 'email')!;
    const sms = rows.find((r) => r.kind === 'sms')!;
    const mailer = providerFor(email, {}, { db: db().db });
    const texter = providerFor(sms, {}, { db: db().db });
    expect(mailer.name).toBe('sandbox');
    const mail = await mailer.send({
      workspaceId: workspace.id,
      messageId: uuidv7(),
      to: 'kim@example.com',
      content: { kind: 'email', from: '', subject: '환영합니다', html: '<p>안녕하세요</p>', text: '안녕하세요', headers: {}, messageIdHeader: `<${uuidv7()}@rapport.local>` },
    });
    expect(mail).toMatchObject({ ok: true, delivered: true });
    expect(await texter.send({ workspaceId: workspace.id, messageId: uuidv7(), to: '01012345678', content: { kind: 'sms', type: 'SMS', from: '', text: '안녕하세요', bytes: 10 } })).toMatchObject({ ok: true });
    const inbox = await listSandboxMessages(db().db, { workspaceId: workspace.id });
    expect(inbox.items.map((i) => [i.kind, i.subject ?? i.preview])).toEqual([
      ['sms', '안녕하세요'],
      ['email', '환영합니다'],
    ]);
    expect(inbox.items[1]?.fromAddress).toContain('sandbox@rapport.local');
  });

  it('a DSN about a sandbox e-mail, reaching the sandbox server, marks the message bounced and suppresses the address', async () => {
    const { workspace } = await createTestWorkspace(db());
    const email = (await ensureSandboxChannels(db().db, workspace.id)).find((r) => r.kind === 'email')!;
    const id = uuidv7();
    const messageIdHeader = `<${id}@rapport.local>`;
    await db().db.insert(messages).values({ workspaceId: workspace.id, id, idempotencyKey: `dsn:${id}`, channelId: email.id, kind: 'email', purpose: 'marketing', lane: 'bulk', status: 'sent', toAddress: 'gone@example.com', sendAt: new Date(), sentAt: new Date(), providerMessageId: messageIdHeader });
    const mailer = providerFor(email, {}, { db: db().db });
    const content = { kind: 'email' as const, from: '', subject: 's', html: '<p>x</p>', text: 'x', headers: {}, messageIdHeader };
    expect(await mailer.send({ workspaceId: workspace.id, messageId: id, to: 'gone@example.com', content })).toMatchObject({ ok: true });
    const raw = (await listSandboxMessages(db().db, { workspaceId: workspace.id })).items[0]!;
    expect(raw.messageId).toBe(id);
    const dsn = [
      'From: MAILER-DAEMON@mx.example',
      'To: bounces@rapport.local',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example',
      '',
      'Final-Recipient: rfc822; gone@example.com',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 no such user',
      '',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${messageIdHeader}`,
      `X-Rapport-Workspace: ${workspace.id}`,
      `X-Rapport-Message: ${id}`,
      '',
      '--b--',
      '',
    ].join('\r\n');
    const transport = nodemailer.createTransport({ host: sandbox.host, port: sandbox.port, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'MAILER-DAEMON@mx.example', to: ['bounces@rapport.local'] }, raw: dsn });
    transport.close();
    const { rows } = await db().db.execute<{ status: string; reason: string | null }>(sql`select status, reason from messages where workspace_id = ${workspace.id}::uuid and id = ${id}::uuid`);
    expect(rows[0]).toEqual({ status: 'bounced', reason: 'hard_bounce' });
    const { rows: listed } = await db().db.execute<{ n: number }>(sql`select count(*)::int as n from suppressions where workspace_id = ${workspace.id}::uuid and kind = 'email'`);
    expect(listed[0]?.n).toBe(1);
  });
});
