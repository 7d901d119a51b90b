// Roles and workspace isolation across the messaging API on both databases: every route of
// channels, sending rules, messages, stats and the Sandbox inbox × every role; a marketer sends
// but cannot change a channel's secrets; another workspace's channel, message and inbox ids answer
// 404 and change nothing.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, testConfig, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, keyClient } from '../http/test-client.ts';
import { can, ROLES, type Permission, type Role } from '../workspaces/roles.ts';
import { channelSecrets, getChannel } from './channels.ts';
import { createSandboxProvider } from './providers/sandbox.ts';

const env = { RAPPORT_SECRET_KEY: crypto.randomBytes(32).toString('base64') };
const keyConfig = testConfig(env);
const solapi = (name: string) => ({ kind: 'sms', provider: 'solapi', name, settings: { from: '02-123-4567' }, secrets: { apiKey: 'KEY', apiSecret: 'ORIGINAL-SECRET' } });

describeEachDb('messaging API roles and isolation', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;
  let channelId: string;
  let messageId: string;
  let sandboxId: string;
  let customerId: string;

  beforeAll(async () => {
    ({ app, a, ownerA, ownerB, as } = await createTwoShops(getDb(), { env, names: ['Roles A', 'Roles B'] }));
    const made = await ownerA.post('/api/channels', solapi('Solapi'));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    channelId = made.body.id;
    customerId = (await ownerA.post('/api/customers', { name: '역할', email: 'roles@example.com' })).body.id;
    const sent = await ownerA.post('/api/messages', { customerId, channel: 'email', content: { subject: 's', body: 'b' }, purpose: 'transactional', idempotencyKey: 'roles-1' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    messageId = sent.body.id;
    await createSandboxProvider('sms', {}, { db: getDb().db }).send({ workspaceId: a.workspace.id, messageId, to: '+821012345678', content: { kind: 'sms', type: 'SMS', from: '021234567', text: 'hi', bytes: 2 } });
    sandboxId = (await ownerA.get('/api/sandbox/messages')).body.items[0].id;
  });
  afterAll(async () => {
    await app.close();
  });

  describe('roles', () => {
    type Case = { name: string; permission: Permission; request: (c: Client) => Promise<{ status: number; body: unknown }>; ok: number };
    const cases: Case[] = [
      { name: 'GET /api/channels', permission: 'messaging.write', request: (c) => c.get('/api/channels'), ok: 200 },
      { name: 'POST /api/channels', permission: 'workspace.manage', request: (c) => c.post('/api/channels', solapi(`S ${crypto.randomUUID()}`)), ok: 201 },
      { name: 'GET /api/channels/:id', permission: 'messaging.write', request: (c) => c.get(`/api/channels/${channelId}`), ok: 200 },
      { name: 'PATCH /api/channels/:id', permission: 'workspace.manage', request: (c) => c.patch(`/api/channels/${channelId}`, { name: 'Renamed' }), ok: 200 },
      {
        name: 'DELETE /api/channels/:id',
        permission: 'workspace.manage',
        request: async (c) => c.delete(`/api/channels/${(await ownerA.post('/api/channels', solapi('Doomed'))).body.id}`),
        ok: 200,
      },
      { name: 'POST /api/channels/:id/test', permission: 'messaging.write', request: (c) => c.post(`/api/channels/${channelId}/test`, { to: '010-2222-3333' }), ok: 202 },
      { name: 'GET /api/messaging/settings', permission: 'messaging.write', request: (c) => c.get('/api/messaging/settings'), ok: 200 },
      { name: 'PUT /api/messaging/settings', permission: 'workspace.manage', request: (c) => c.put('/api/messaging/settings', { senderName: '상점' }), ok: 200 },
      {
        name: 'POST /api/messages',
        permission: 'messaging.write',
        request: (c) => c.post('/api/messages', { customerId, channel: 'email', content: { subject: 's', body: 'b' }, purpose: 'transactional', idempotencyKey: crypto.randomUUID() }),
        ok: 202,
      },
      { name: 'GET /api/messages', permission: 'customers.read', request: (c) => c.get('/api/messages'), ok: 200 },
      { name: 'GET /api/messages/:id', permission: 'customers.read', request: (c) => c.get(`/api/messages/${messageId}`), ok: 200 },
      { name: 'GET /api/messaging/stats', permission: 'customers.read', request: (c) => c.get('/api/messaging/stats'), ok: 200 },
      { name: 'GET /api/sandbox/messages', permission: 'messaging.write', request: (c) => c.get('/api/sandbox/messages'), ok: 200 },
      { name: 'GET /api/sandbox/messages/:id', permission: 'messaging.write', request: (c) => c.get(`/api/sandbox/messages/${sandboxId}`), ok: 200 },
    ];
    it.each(cases.flatMap((c) => ROLES.map((role) => [c.name, role, c] as const)))('%s as %s', async (_name, role, c) => {
      const res = await c.request(as[role]);
      expect(res.status, JSON.stringify(res.body)).toBe(can(role, c.permission) ? c.ok : 403);
    });

    it('DELETE /api/sandbox/messages: viewers and analysts cannot empty the inbox, marketers can', async () => {
      expect((await as.viewer.delete('/api/sandbox/messages')).status).toBe(403);
      expect((await as.analyst.delete('/api/sandbox/messages')).status).toBe(403);
      expect((await as.support.delete('/api/sandbox/messages')).status).toBe(403);
      const res = await as.marketer.delete('/api/sandbox/messages');
      expect(res.status).toBe(200);
      expect(res.body.deleted).toBeGreaterThanOrEqual(1);
    });

    it('a marketer sends and reads channels but cannot change a channel’s secrets', async () => {
      const res = await as.marketer.patch(`/api/channels/${channelId}`, { secrets: { apiSecret: 'STOLEN' } });
      expect(res.status).toBe(403);
      const row = await getChannel(getDb().db, a.workspace.id, channelId);
      expect(channelSecrets(keyConfig, row!).apiSecret).toBe('ORIGINAL-SECRET');
      expect((await as.marketer.post('/api/channels', solapi('Mine'))).status).toBe(403);
      expect((await as.marketer.put('/api/messaging/settings', { optOutNumber: '080-000-0000' })).status).toBe(403);
    });

    it('an API key acts with its role: a viewer key cannot send, a marketer key can', async () => {
      const viewerKey = (await ownerA.post('/api/keys', { kind: 'secret', role: 'viewer', name: 'viewer key' })).body.key;
      const marketerKey = (await ownerA.post('/api/keys', { kind: 'secret', role: 'marketer', name: 'marketer key' })).body.key;
      const body = { customerId, channel: 'email', content: { subject: 's', body: 'b' }, purpose: 'transactional', idempotencyKey: crypto.randomUUID() };
      expect((await keyClient(app, viewerKey).post('/api/messages', body)).status).toBe(403);
      expect((await keyClient(app, marketerKey).post('/api/messages', body)).status).toBe(202);
      expect((await keyClient(app, viewerKey).get('/api/messages')).status).toBe(200);
    });
  });

  describe('isolation', () => {
    it('answers 404 for another workspace’s channel and changes nothing', async () => {
      const before = await getChannel(getDb().db, a.workspace.id, channelId);
      for (const res of [
        await ownerB.get(`/api/channels/${channelId}`),
        await ownerB.patch(`/api/channels/${channelId}`, { name: 'taken', secrets: { apiSecret: 'STOLEN' } }),
        await ownerB.delete(`/api/channels/${channelId}`),
        await ownerB.post(`/api/channels/${channelId}/test`, { to: '010-2222-3333' }),
        await ownerB.post('/api/messages', { to: '010-2222-3333', channel: channelId, content: { body: 'x' }, purpose: 'transactional', idempotencyKey: crypto.randomUUID() }),
      ]) {
        expect(res.status, JSON.stringify(res.body)).toBe(404);
      }
      const after = await getChannel(getDb().db, a.workspace.id, channelId);
      expect(after).toEqual(before);
      expect((await ownerB.get('/api/channels')).body.items.map((c: { id: string }) => c.id)).not.toContain(channelId);
    });

    it('answers 404 for another workspace’s message and sandbox message, and lists none of them', async () => {
      expect((await ownerB.get(`/api/messages/${messageId}`)).status).toBe(404);
      expect((await ownerB.get(`/api/messages?customerId=${customerId}`)).body.items).toEqual([]);
      expect((await ownerB.get(`/api/sandbox/messages/${sandboxId}`)).status).toBe(404);
    });
  });
});
