// HTTP tests of channels and sending rules: create, read, change and archive channels of each
// provider; secrets checked per provider, encrypted in the table, never in an answer or the audit
// log; one default per kind; the test send; the sending rules with their checks.
import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, testConfig, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops } from '../http/test-client.ts';
import { auditLog } from '../workspaces/schema.ts';
import { channelSecrets, defaultChannel, getChannel } from './channels.ts';
import { channels, messages } from './schema.ts';

const SECRET_KEY = crypto.randomBytes(32).toString('base64');
const env = { RAPPORT_SECRET_KEY: SECRET_KEY };
const keyConfig = testConfig(env);
const PASSWORD = 'smtp-pa55word-Ω-never-shown';
const DKIM_KEY = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describeEachDb('channels API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;

  beforeAll(async () => {
    ({ app, a, ownerA } = await createTwoShops(getDb(), { env, names: ['Channels A', 'Channels B'] }));
  });
  afterAll(async () => {
    await app.close();
  });

  const db = () => getDb().db;
  const auditOf = (entityId: string) => db().select().from(auditLog).where(and(eq(auditLog.workspaceId, a.workspace.id), eq(auditLog.entityId, entityId)));
  const rowOf = async (id: string) => (await db().select().from(channels).where(and(eq(channels.workspaceId, a.workspace.id), eq(channels.id, id))))[0]!;

  const smtp = (extra: Record<string, unknown> = {}) => ({
    kind: 'email',
    provider: 'smtp',
    name: 'Shop mail',
    settings: { host: 'smtp.example.com', port: 587, requireTLS: true, from: 'Shop <shop@example.com>', dkimDomain: 'example.com', dkimSelector: 's1' },
    secrets: { user: 'mailer', password: PASSWORD, dkimPrivateKey: DKIM_KEY },
    ...extra,
  });

  it('gives a workspace without channels the sandbox channels, each its kind’s default, on its first list', async () => {
    const res = await ownerA.get('/api/channels');
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { kind: string; provider: string; isDefault: boolean }) => `${c.kind}/${c.provider}/${c.isDefault}`).sort()).toEqual([
      'email/sandbox/true',
      'kakao/sandbox/true',
      'push/sandbox/true',
      'sms/sandbox/true',
    ]);
    expect((await ownerA.get('/api/channels')).body.items).toHaveLength(4);
  });

  it('creates an SMTP channel: secrets answered as set, encrypted in the table, absent from every answer and the audit log', async () => {
    const res = await ownerA.post('/api/channels', smtp());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'email', provider: 'smtp', name: 'Shop mail', isDefault: false, secretsSet: { user: true, password: true, dkimPrivateKey: true }, generatedSecrets: {} });
    expect(res.body.settings).toMatchObject({ host: 'smtp.example.com', port: 587, from: 'Shop <shop@example.com>' });
    const id = res.body.id as string;

    const answers = [res, await ownerA.get(`/api/channels/${id}`), await ownerA.get('/api/channels')].map((r) => JSON.stringify(r.body));
    for (const text of answers) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('BEGIN PRIVATE KEY');
      expect(text).not.toContain('"mailer"');
    }
    const row = await rowOf(id);
    expect(row.secrets).toMatch(/^v1:/);
    expect(row.secrets).not.toContain(PASSWORD);
    expect(row.secrets).not.toContain('mailer');
    expect(channelSecrets(keyConfig, row)).toEqual({ user: 'mailer', password: PASSWORD, dkimPrivateKey: DKIM_KEY });

    const patched = await ownerA.patch(`/api/channels/${id}`, { secrets: { password: 'new-Pa55' }, settings: { port: 2525 } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.settings.port).toBe(2525);
    expect(JSON.stringify(patched.body)).not.toContain('new-Pa55');
    expect(channelSecrets(keyConfig, await rowOf(id))).toMatchObject({ user: 'mailer', password: 'new-Pa55' });

    const audit = await auditOf(id);
    expect(audit.map((e) => e.action).sort()).toEqual(['channel.create', 'channel.update']);
    const auditText = JSON.stringify(audit);
    expect(auditText).not.toContain(PASSWORD);
    expect(auditText).not.toContain('new-Pa55');
    expect(auditText).not.toContain('PRIVATE KEY');
    expect(auditText).toContain('"password":true');
  });

  it('makes a webhook signing secret when none is given and shows it only once', async () => {
    const res = await ownerA.post('/api/channels', { kind: 'webhook', provider: 'webhook', name: 'Hook', settings: { url: 'https://hooks.example.com/in' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const secret = res.body.generatedSecrets.signingSecret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(res.body.secretsSet).toEqual({ signingSecret: true });
    expect(res.body.isDefault).toBe(true); // the first webhook channel
    const again = await ownerA.get(`/api/channels/${res.body.id}`);
    expect(JSON.stringify(again.body)).not.toContain(secret);
    expect(channelSecrets(keyConfig, await rowOf(res.body.id))).toEqual({ signingSecret: secret });
    expect(JSON.stringify(await auditOf(res.body.id))).not.toContain(secret);

    // Removing it makes a new one, shown once in the change's answer.
    const rotated = await ownerA.patch(`/api/channels/${res.body.id}`, { secrets: { signingSecret: null } });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const fresh = rotated.body.generatedSecrets.signingSecret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect(channelSecrets(keyConfig, await rowOf(res.body.id))).toEqual({ signingSecret: fresh });
    expect((await ownerA.patch(`/api/channels/${res.body.id}`, { name: 'Hook 2' })).body.generatedSecrets).toEqual({});
  });

  it('makes a VAPID key pair for web push when none is given', async () => {
    const res = await ownerA.post('/api/channels', { kind: 'push', provider: 'webpush', name: 'Push', settings: { subject: 'mailto:ops@example.com' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.settings.vapidPublicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(res.body.secretsSet).toEqual({ vapidPrivateKey: true });
    const held = channelSecrets(keyConfig, await rowOf(res.body.id));
    expect(held.vapidPrivateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(res.body)).not.toContain(held.vapidPrivateKey);
  });

  it('stores a Solapi sender number as digits', async () => {
    const res = await ownerA.post('/api/channels', { kind: 'sms', provider: 'solapi', name: 'SMS', settings: { from: '02-123-4567' }, secrets: { apiKey: 'NCSKEY', apiSecret: 'SOLAPI-SECRET-XYZ' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.settings.from).toBe('021234567');
    expect(JSON.stringify(res.body)).not.toContain('SOLAPI-SECRET-XYZ');
  });

  it.each([
    [{ kind: 'email', provider: 'smtp', name: 'x', settings: { port: 25, from: 'a@b.co' } }, 'body.settings.host'],
    [{ kind: 'email', provider: 'smtp', name: 'x', settings: { host: 'h.example', port: 0, from: 'a@b.co' } }, 'body.settings.port'],
    [{ kind: 'email', provider: 'smtp', name: 'x', settings: { host: 'h.example', port: 25, from: 'not an address' } }, 'body.settings.from'],
    [{ kind: 'email', provider: 'smtp', name: 'x', settings: { host: 'h.example', port: 25, from: 'a@b.co', colour: 'red' } }, 'body.settings.colour'],
    [{ kind: 'email', provider: 'smtp', name: 'x', settings: { host: 'h.example', port: 25, from: 'a@b.co', dkimDomain: 'b.co', dkimSelector: 's' } }, 'body.secrets.dkimPrivateKey'],
    [{ kind: 'email', provider: 'smtp', name: 'x', settings: { host: 'h.example', port: 25, from: 'a@b.co' }, secrets: { user: 'u' } }, 'body.secrets.password'],
    [{ kind: 'email', provider: 'smtp', name: 'x', settings: { host: 'h.example', port: 25, from: 'a@b.co' }, secrets: { password: 7 } }, 'body.secrets.password'],
    [{ kind: 'email', provider: 'solapi', name: 'x', settings: { from: '01012345678' } }, 'body.provider'],
    [{ kind: 'sms', provider: 'solapi', name: 'x', settings: { from: '01012345678' }, secrets: { apiKey: 'k' } }, 'body.secrets.apiSecret'],
    [{ kind: 'sms', provider: 'solapi', name: 'x', settings: { from: '12345' }, secrets: { apiKey: 'k', apiSecret: 's' } }, 'body.settings.from'],
    [{ kind: 'webhook', provider: 'webhook', name: 'x', settings: { url: 'ftp://x.example' } }, 'body.settings.url'],
    [{ kind: 'push', provider: 'webpush', name: 'x', settings: { subject: 'nobody' } }, 'body.settings.subject'],
    [{ kind: 'push', provider: 'webpush', name: 'x', settings: { subject: 'mailto:a@b.co', vapidPublicKey: 'abc' } }, 'body.secrets.vapidPrivateKey'],
    [{ kind: 'fax', provider: 'sandbox', name: 'x' }, 'body.kind'],
  ])('refuses %j with a 400 naming %s', async (body, path) => {
    const res = await ownerA.post('/api/channels', body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(path);
  });

  it('keeps one default per kind: the first is the default, a new default takes over, archiving the default hands it on', async () => {
    const list = await ownerA.get('/api/channels?kind=sms');
    const sandboxSms = list.body.items.find((c: { provider: string }) => c.provider === 'sandbox');
    expect(sandboxSms).toMatchObject({ isDefault: true });
    const made = await ownerA.post('/api/channels', { kind: 'sms', provider: 'solapi', name: 'SMS 2', settings: { from: '1588-1234' }, secrets: { apiKey: 'k', apiSecret: 's' }, isDefault: true });
    expect(made.body.isDefault).toBe(true);
    expect((await defaultChannel(db(), a.workspace.id, 'sms'))?.id).toBe(made.body.id);
    expect((await getChannel(db(), a.workspace.id, sandboxSms.id))?.isDefault).toBe(false);
    const refused = await ownerA.patch(`/api/channels/${made.body.id}`, { isDefault: false });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('body.isDefault');

    const archived = await ownerA.delete(`/api/channels/${made.body.id}`);
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ isDefault: false, archivedAt: expect.any(String) });
    const next = await defaultChannel(db(), a.workspace.id, 'sms');
    expect(next).toBeDefined();
    expect(next!.id).not.toBe(made.body.id);
    expect((await ownerA.get('/api/channels?kind=sms')).body.items.map((c: { id: string }) => c.id)).not.toContain(made.body.id);
    expect((await ownerA.get('/api/channels?kind=sms&archived=true')).body.items.map((c: { id: string }) => c.id)).toContain(made.body.id);
    expect((await ownerA.patch(`/api/channels/${made.body.id}`, { name: 'again' })).status).toBe(409);
  });

  it('sends a test message through a channel to the caller’s own e-mail address', async () => {
    const list = await ownerA.get('/api/channels?kind=email');
    const sandbox = list.body.items.find((c: { provider: string }) => c.provider === 'sandbox');
    const res = await ownerA.post(`/api/channels/${sandbox.id}/test`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ kind: 'email', channelId: sandbox.id, to: a.owner.email, purpose: 'transactional', origin: 'test', status: 'queued' });
    const [row] = await db().select().from(messages).where(and(eq(messages.workspaceId, a.workspace.id), eq(messages.id, res.body.id)));
    expect(row).toMatchObject({ toAddress: a.owner.email, channelId: sandbox.id });

    const smsChannel = (await ownerA.get('/api/channels?kind=sms')).body.items[0];
    const noPhone = await ownerA.post(`/api/channels/${smsChannel.id}/test`, {});
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.error.message).toContain('body.to');
    const withPhone = await ownerA.post(`/api/channels/${smsChannel.id}/test`, { to: '010-2345-6789' });
    expect(withPhone.status, JSON.stringify(withPhone.body)).toBe(202);
    expect(withPhone.body.to).toBe('+821023456789');
  });

  describe('sending rules', () => {
    it('answers the defaults, then changes what is given and keeps the rest', async () => {
      const initial = await ownerA.get('/api/messaging/settings');
      expect(initial.status).toBe(200);
      expect(initial.body).toMatchObject({ senderName: null, optOutNumber: null, quietHours: { start: '21:00', end: '08:00' }, nightPolicy: 'defer', bestHour: null, updatedAt: null });
      expect(initial.body.caps).toEqual([
        { purpose: 'marketing', channel: null, per: 'day', max: 2 },
        { purpose: 'marketing', channel: null, per: 'week', max: 5 },
      ]);
      const put = await ownerA.put('/api/messaging/settings', { senderName: '라포르상점', optOutNumber: '080-123-4567', quietHours: { start: '20:30', end: '09:00' } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body).toMatchObject({ senderName: '라포르상점', optOutNumber: '080-123-4567', quietHours: { start: '20:30', end: '09:00' }, quietStartMinute: 1230, quietEndMinute: 540, nightPolicy: 'defer' });
      const second = await ownerA.put('/api/messaging/settings', { nightPolicy: 'skip', bestHour: 19, caps: [{ purpose: 'marketing', channel: 'sms', per: 'day', max: 1 }] });
      expect(second.body).toMatchObject({ senderName: '라포르상점', quietHours: { start: '20:30', end: '09:00' }, nightPolicy: 'skip', bestHour: 19, caps: [{ purpose: 'marketing', channel: 'sms', per: 'day', max: 1 }] });
      expect((await ownerA.get('/api/messaging/settings')).body).toEqual(second.body);
      const audit = await db().select().from(auditLog).where(and(eq(auditLog.workspaceId, a.workspace.id), eq(auditLog.action, 'messaging.settings')));
      expect(audit).toHaveLength(2);
    });

    it.each([
      [{ optOutNumber: '123' }, 'body.optOutNumber'],
      [{ optOutNumber: '080 123 4567 call us' }, 'body.optOutNumber'],
      [{ quietHours: { start: '25:00', end: '08:00' } }, 'body.quietHours.start'],
      [{ quietHours: { start: '21:00', end: '21:00' } }, 'body.quietHours.end'],
      [{ nightPolicy: 'drop' }, 'body.nightPolicy'],
      [{ caps: [{ purpose: 'marketing', channel: null, per: 'day', max: 1 }, { purpose: 'marketing', channel: null, per: 'day', max: 3 }] }, 'body.caps[1]'],
      [{ caps: [{ purpose: 'marketing', channel: 'fax', per: 'day', max: 1 }] }, 'body.caps.0.channel'],
      [{ bestHour: 24 }, 'body.bestHour'],
    ])('refuses %j with a 400 naming %s', async (body, path) => {
      const res = await ownerA.put('/api/messaging/settings', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toContain(path);
    });
  });
});
