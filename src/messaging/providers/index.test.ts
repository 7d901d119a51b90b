// providerFor: one provider per channel version, a new one when the channel changes, a clear
// temporary failure for an incomplete channel, and the workspace's sandbox channels sending into
// the Sandbox inbox (e-mail through the in-process SMTP server), on both databases.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uuidv7 } from '../../db/uuid.ts';
import { createTestWorkspace, describeEachDb } from '../../db/test-helpers.ts';
import { ensureSandboxChannels } from '../channels.ts';
import { startSandboxSmtp, type SandboxSmtp } from '../sandbox-smtp.ts';
import { listSandboxMessages } from '../sandbox.ts';
import type { channels } from '../schema.ts';
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
});
