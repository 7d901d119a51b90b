// Channels on both databases, below the HTTP layer: sandbox channels made once even when asked
// concurrently, and default only where a kind has none; one default per kind held by the database;
// secrets sealed under the server key (another key cannot read them); the per-provider checks.
import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb, testConfig } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { systemActor } from '../workspaces/audit.ts';
import { checkChannelConfig, koreanSenderNumber } from './channel-settings.ts';
import { archiveChannel, channelSecrets, createChannel, defaultChannel, ensureSandboxChannels, listChannels } from './channels.ts';
import { channels } from './schema.ts';

const config = testConfig({ RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') });
const otherKey = testConfig({ RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') });

describeEachDb('channels', (getDb) => {
  it('makes the sandbox channels once, even when asked concurrently, default only where a kind has none', async () => {
    const { workspace } = await createTestWorkspace(getDb(), 'Sandbox channels');
    const db = getDb().db;
    const smtp = await createChannel(db, config, {
      workspaceId: workspace.id,
      actor: systemActor,
      input: { kind: 'email', provider: 'smtp', name: 'Mail', settings: { host: 'smtp.example.com', port: 25, from: 'a@example.com' } },
    });
    expect(smtp.channel.isDefault).toBe(true);
    // Open the pool's connections first, so the calls below really overlap on a server.
    await Promise.all(Array.from({ length: 5 }, () => db.execute(sql`select pg_sleep(0.05)`)));
    await Promise.all(Array.from({ length: 8 }, () => ensureSandboxChannels(db, workspace.id)));
    const rows = await listChannels(db, workspace.id);
    expect(rows.map((r) => `${r.kind}/${r.provider}/${r.isDefault}`).sort()).toEqual(['email/sandbox/false', 'email/smtp/true', 'kakao/sandbox/true', 'push/sandbox/true', 'sms/sandbox/true']);
    expect((await defaultChannel(db, workspace.id, 'email'))?.id).toBe(smtp.channel.id);
    expect(await defaultChannel(db, workspace.id, 'webhook')).toBeUndefined();

    // Archiving the SMTP default hands the default to the sandbox e-mail channel.
    await archiveChannel(db, config, { workspaceId: workspace.id, actor: systemActor, id: smtp.channel.id });
    expect((await defaultChannel(db, workspace.id, 'email'))?.provider).toBe('sandbox');
  });

  it('lets the database hold one default per kind', async () => {
    const { workspace } = await createTestWorkspace(getDb(), 'One default');
    const db = getDb().db;
    await ensureSandboxChannels(db, workspace.id);
    const second = { workspaceId: workspace.id, id: uuidv7(), kind: 'sms', provider: 'sandbox', name: 'Second', isDefault: true };
    await expect(db.insert(channels).values(second)).rejects.toThrow();
    await db.insert(channels).values({ ...second, isDefault: false });
    expect((await db.select().from(channels).where(and(eq(channels.workspaceId, workspace.id), eq(channels.kind, 'sms')))).length).toBe(2);
  });

  it('seals secrets under the server key: the row holds no plaintext, another key cannot open it', async () => {
    const { workspace } = await createTestWorkspace(getDb(), 'Sealed');
    const db = getDb().db;
    const { channel } = await createChannel(db, config, {
      workspaceId: workspace.id,
      actor: systemActor,
      input: { kind: 'kakao', provider: 'solapi', name: 'Kakao', settings: { from: '010-1234-5678', pfId: 'KA01PF' }, secrets: { apiKey: 'NCS-KEY', apiSecret: 'very-secret-value' } },
    });
    expect(channel.secretsSet).toEqual({ apiKey: true, apiSecret: true });
    const [row] = await db.select().from(channels).where(and(eq(channels.workspaceId, workspace.id), eq(channels.id, channel.id)));
    expect(row!.secrets).not.toContain('very-secret-value');
    expect(row!.secrets).not.toContain('NCS-KEY');
    expect(channelSecrets(config, row!)).toEqual({ apiKey: 'NCS-KEY', apiSecret: 'very-secret-value' });
    expect(() => channelSecrets(otherKey, row!)).toThrow();
    expect(channelSecrets(config, { secrets: null })).toEqual({});
  });
});

describe('channel settings checks', () => {
  it.each([
    ['010-1234-5678', '01012345678'],
    ['+82 10 1234 5678', '01012345678'],
    ['02-123-4567', '021234567'],
    ['1588-1234', '15881234'],
  ])('reads the sender number %s as %s', (given, digits) => {
    expect(koreanSenderNumber(given, 'from')).toBe(digits);
  });
  it.each(['12345', '+1 415 555 0100', '010-1234-5678-9', 'call me'])('refuses the sender number %s', (given) => {
    expect(() => koreanSenderNumber(given, 'body.settings.from')).toThrow('body.settings.from');
  });

  it('keeps a given VAPID pair when it is valid and refuses one that is not', () => {
    const made = checkChannelConfig('webpush', { settings: { subject: 'https://shop.example' }, secrets: {} });
    const kept = checkChannelConfig('webpush', { settings: made.settings, secrets: made.secrets });
    expect(kept.settings.vapidPublicKey).toBe(made.settings.vapidPublicKey);
    expect(kept.secrets.vapidPrivateKey).toBe(made.secrets.vapidPrivateKey);
    expect(() => checkChannelConfig('webpush', { settings: { ...made.settings, vapidPublicKey: 'short' }, secrets: made.secrets })).toThrow('body.settings.vapidPublicKey');
  });

  it('refuses a DKIM key that is no private key, and a webhook URL with credentials', () => {
    const settings = { host: 'smtp.example.com', port: 465, secure: true, from: 'a@example.com', dkimDomain: 'example.com', dkimSelector: 's1' };
    expect(() => checkChannelConfig('smtp', { settings, secrets: { dkimPrivateKey: 'not a key' } })).toThrow('body.secrets.dkimPrivateKey');
    expect(() => checkChannelConfig('webhook', { settings: { url: 'https://user:pw@hooks.example.com' }, secrets: {} })).toThrow('body.settings.url');
    expect(checkChannelConfig('webhook', { settings: { url: 'https://hooks.example.com' }, secrets: { signingSecret: 'given-secret-0123456789' } }).generated).toEqual({});
  });
});
