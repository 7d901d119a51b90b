// HTTP tests of the Segment-compatible API: paths, auth by write key or secret key, browser
// requests (text/plain, CORS), partial batches, malformed bodies, limits, back-pressure,
// workspace isolation, and the real @segment/analytics-node client over a socket.
import { Analytics } from '@segment/analytics-node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { createTestApp } from '../http/test-client.ts';
import { createApiKey, revokeApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';
import type { Role } from '../workspaces/roles.ts';

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
let seq = 0;
const nextId = (tag = 'm') => `${tag}-${Date.now()}-${++seq}`;

describeEachDb('events API (/v1)', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let keyA: string;
  let keyB: string;

  const makeKey = async (workspaceId: string, kind: 'write' | 'secret', role?: Role) =>
    (await createApiKey(getDb().db, { workspaceId, actor: systemActor, actorRole: 'owner', kind, role, name: `${kind} ${role ?? ''}` })).key;

  beforeAll(async () => {
    // A low API rate limit: event ingestion must not be subject to it.
    app = await createTestApp(getDb(), { RAPPORT_API_RATE_LIMIT: '2' });
    a = await createTestWorkspace(getDb(), 'Shop A');
    b = await createTestWorkspace(getDb(), 'Shop B');
    keyA = await makeKey(a.workspace.id, 'write');
    keyB = await makeKey(b.workspace.id, 'write');
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) });
  const countEvents = async (workspaceId: string, where = sql`true`) =>
    ((await getDb().db.execute<{ n: number }>(sql`select count(*)::int as n from events where workspace_id = ${workspaceId} and ${where}`)).rows[0]!.n);
  const ownerOf = async (workspaceId: string, kind: string, value: string) =>
    (await getDb().db.execute<{ customer_id: string }>(sql`select customer_id from customer_identities where workspace_id = ${workspaceId} and kind = ${kind} and value = ${value}`)).rows[0]?.customer_id;

  describe('paths and auth', () => {
    it('takes a batch with Basic auth and answers {"success":true}', async () => {
      const ids = [nextId(), nextId()];
      const res = await post(
        '/v1/batch',
        { batch: [{ type: 'track', messageId: ids[0], userId: 'u-basic', event: 'Signed Up' }, { type: 'page', messageId: ids[1], anonymousId: 'anon-basic', name: 'Home' }] },
        { authorization: basic(keyA) },
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ success: true });
      expect(await countEvents(a.workspace.id, sql`message_id in (${ids[0]}, ${ids[1]})`)).toBe(2);
    });

    it.each([
      ['/v1/track', { event: 'Clicked' }, 'track', 'Clicked'],
      ['/v1/t', { event: 'Clicked' }, 'track', 'Clicked'],
      ['/v1/page', { name: 'Home' }, 'page', 'Home'],
      ['/v1/p', { name: 'Home' }, 'page', 'Home'],
      ['/v1/screen', { name: 'Main' }, 'screen', 'Main'],
      ['/v1/s', { name: 'Main' }, 'screen', 'Main'],
      ['/v1/identify', { traits: { plan: 'pro' } }, 'identify', null],
      ['/v1/i', { traits: { plan: 'pro' } }, 'identify', null],
      ['/v1/group', { groupId: 'g-path' }, 'group', null],
      ['/v1/g', { groupId: 'g-path' }, 'group', null],
      ['/v1/alias', { previousId: 'prev-path' }, 'alias', null],
      ['/v1/a', { previousId: 'prev-path' }, 'alias', null],
      ['/v1/b', { batch: [{ type: 'track', event: 'Batched', userId: 'u-path', messageId: 'inner' }] }, 'track', 'Batched'],
      ['/v1/import', { batch: [{ type: 'track', event: 'Imported', userId: 'u-path', messageId: 'inner' }] }, 'track', 'Imported'],
    ])('%s stores a %s call (browser form: text/plain, writeKey in the body)', async (path, fields, type, name) => {
      const messageId = nextId('path');
      const body = 'batch' in fields ? { batch: fields.batch.map((m) => ({ ...m, messageId })), writeKey: keyA } : { ...fields, userId: 'u-path', messageId, writeKey: keyA };
      const res = await post(path, JSON.stringify(body), { 'content-type': 'text/plain' });
      expect(res.statusCode, res.payload).toBe(200);
      const { rows } = await getDb().db.execute<{ type: string; name: string | null }>(sql`select type, name from events where workspace_id = ${a.workspace.id} and message_id = ${messageId}`);
      expect(rows).toEqual([{ type, name }]);
    });

    it('accepts a secret key whose role may write customers, refuses one that may not', async () => {
      const admin = await makeKey(a.workspace.id, 'secret', 'admin');
      const marketer = await makeKey(a.workspace.id, 'secret', 'marketer');
      const viewer = await makeKey(a.workspace.id, 'secret', 'viewer');
      const analyst = await makeKey(a.workspace.id, 'secret', 'analyst');
      const message = () => ({ type: 'track', event: 'X', userId: 'u-secret', messageId: nextId() });
      expect((await post('/v1/track', message(), { authorization: basic(admin) })).statusCode).toBe(200);
      expect((await post('/v1/track', message(), { authorization: `Bearer ${marketer}` })).statusCode).toBe(200);
      for (const key of [viewer, analyst]) {
        const res = await post('/v1/track', message(), { authorization: basic(key) });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
    });

    it.each([
      ['no key', {}, {}],
      ['an unknown key', { authorization: basic('wk_doesnotexist') }, {}],
      ['a key that is not a key', { authorization: basic('hello') }, {}],
      ['an unknown key in the body', {}, { writeKey: 'wk_nope' }],
      ['a session-style header', { authorization: 'Digest abc' }, {}],
    ])('answers 401 with the error envelope for %s', async (_what, headers, extra) => {
      const res = await post('/v1/track', { event: 'X', userId: 'u', messageId: nextId(), ...extra }, headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    });

    it('refuses a revoked key', async () => {
      const { key, apiKey } = await createApiKey(getDb().db, { workspaceId: a.workspace.id, actor: systemActor, actorRole: 'owner', kind: 'write', name: 'old' });
      await revokeApiKey(getDb().db, { workspaceId: a.workspace.id, actor: systemActor, id: apiKey.id });
      expect((await post('/v1/track', { event: 'X', userId: 'u', messageId: nextId() }, { authorization: basic(key) })).statusCode).toBe(401);
    });

    it('is not limited by the per-key API rate limit', async () => {
      for (let i = 0; i < 4; i++) {
        expect((await post('/v1/track', { event: 'X', userId: 'u-rate', messageId: nextId() }, { authorization: basic(keyA) })).statusCode).toBe(200);
      }
    });
  });

  describe('browsers', () => {
    it('answers the CORS preflight and sets Access-Control-Allow-Origin on answers', async () => {
      const pre = await app.inject({
        method: 'OPTIONS',
        url: '/v1/batch',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('*');
      expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      const ok = await post('/v1/t', JSON.stringify({ event: 'X', anonymousId: 'a', writeKey: keyA, messageId: nextId() }), { 'content-type': 'text/plain', origin: 'https://shop.example' });
      expect(ok.headers['access-control-allow-origin']).toBe('*');
      const refused = await post('/v1/t', '{}', { 'content-type': 'text/plain', origin: 'https://shop.example' });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBe('*');
    });
  });

  describe('validation and limits', () => {
    it('keeps the valid messages of a batch and reports the invalid ones', async () => {
      const good = nextId();
      const res = await post(
        '/v1/batch',
        { batch: [{ type: 'track', userId: 'u', messageId: nextId() }, { type: 'track', event: 'Ok', userId: 'u', messageId: good }, { type: 'nope', userId: 'u' }] },
        { authorization: basic(keyA) },
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        success: true,
        errors: [
          { index: 0, message: 'batch[0].event: required for a track call' },
          { index: 2, message: 'batch[2].type: must be one of track, identify, page, screen, group, alias' },
        ],
      });
      expect(await countEvents(a.workspace.id, sql`message_id = ${good}`)).toBe(1);
    });

    it('answers 400 and writes nothing when no message is valid', async () => {
      const before = await countEvents(a.workspace.id);
      const res = await post('/v1/batch', { batch: [{ type: 'track', userId: 'u' }, { type: 'page' }] }, { authorization: basic(keyA) });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toBe('no valid message in the batch (2 of 2 invalid): batch[0].event: required for a track call; batch[1]: needs a userId or an anonymousId');
      expect(res.json().error.details).toHaveLength(2);
      const single = await post('/v1/track', { userId: 'u' }, { authorization: basic(keyA) });
      expect(single.statusCode).toBe(400);
      expect(single.json().error.message).toBe('body.event: required for a track call');
      expect(await countEvents(a.workspace.id)).toBe(before);
    });

    it('names an event over 32 KB', async () => {
      const res = await post(
        '/v1/batch',
        { batch: [{ type: 'track', event: 'Big', userId: 'u', properties: { blob: 'x'.repeat(40_000) } }] },
        { authorization: basic(keyA) },
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/batch\[0\]: event is 40,\d{3} bytes; the limit is 32 KB/);
    });

    it.each([
      ['not JSON', '{"batch": [', 'body: is not valid JSON'],
      ['bad UTF-8', Buffer.concat([Buffer.from('{"batch":[{"type":"track","event":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","userId":"u"}]}')]), 'body: is not valid UTF-8'],
      ['an array', '[]', 'body: must be a JSON object, not an array'],
      ['too deep', `{"batch":[{"type":"track","event":"x","userId":"u","properties":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}]}`, 'body: nests deeper than 32 levels'],
      ['without batch', '{"events":[]}', 'body.batch: must be an array of messages'],
      ['over 500 KB', JSON.stringify({ batch: Array.from({ length: 20 }, () => ({ type: 'track', event: 'x', userId: 'u', properties: { blob: 'y'.repeat(30_000) } })) }), 'the limit is 500 KB'],
    ])('answers 400 to a malformed body: %s', async (_what, payload, message) => {
      const res = await post('/v1/batch', payload, { authorization: basic(keyA) });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain(message);
    });

    it('answers 413 to a body over the hard limit, and 400 to an empty one', async () => {
      const huge = await post('/v1/batch', `{"batch":"${'z'.repeat(1_100_000)}"}`, { authorization: basic(keyA) });
      expect(huge.statusCode).toBe(413);
      const empty = await app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(keyA) } });
      expect(empty.statusCode).toBe(400);
    });
  });

  describe('workspaces', () => {
    it('a key writes only to its own workspace', async () => {
      const messageId = nextId('iso');
      const before = await countEvents(a.workspace.id);
      expect((await post('/v1/track', { event: 'X', userId: 'shared-user', messageId }, { authorization: basic(keyB) })).statusCode).toBe(200);
      expect(await countEvents(b.workspace.id, sql`message_id = ${messageId}`)).toBe(1);
      expect(await countEvents(a.workspace.id)).toBe(before);
      // The same messageId in the other workspace is not a duplicate there.
      expect((await post('/v1/track', { event: 'X', userId: 'shared-user', messageId }, { authorization: basic(keyA) })).statusCode).toBe(200);
      expect(await countEvents(a.workspace.id, sql`message_id = ${messageId}`)).toBe(1);
      // Each workspace has its own customer for the user id.
      const inA = await ownerOf(a.workspace.id, 'user_id', 'shared-user');
      const inB = await ownerOf(b.workspace.id, 'user_id', 'shared-user');
      expect(inA && inB && inA !== inB).toBe(true);
    });
  });

  describe('back-pressure', () => {
    it('answers 429 with Retry-After when every slot is busy and no queue is allowed', async () => {
      const tight = await createTestApp(getDb(), { RAPPORT_INGEST_CONCURRENCY: '1', RAPPORT_INGEST_QUEUE_MB: '0' });
      try {
        const send = () =>
          tight.inject({
            method: 'POST',
            url: '/v1/batch',
            headers: { authorization: basic(keyA), 'content-type': 'application/json' },
            payload: JSON.stringify({ batch: Array.from({ length: 50 }, (_, i) => ({ type: 'track', event: 'X', userId: `u-load-${i}`, messageId: nextId('load') })) }),
          });
        // Resolve the key first so both requests reach the gate without waiting on the database.
        expect((await send()).statusCode).toBe(200);
        const results = await Promise.all([send(), send()]);
        const statuses = results.map((r) => r.statusCode).sort();
        expect(statuses).toEqual([200, 429]);
        const refused = results.find((r) => r.statusCode === 429)!;
        expect(refused.headers['retry-after']).toBe('1');
        expect(refused.json().error.code).toBe('rate_limited');
      } finally {
        await tight.close();
      }
    });
  });

  describe('@segment/analytics-node over a real socket', () => {
    it('delivers identify, track and page to the right customer, and a retried batch is stored once', async () => {
      const server = await createTestApp(getDb());
      try {
        await server.listen({ port: 0, host: '127.0.0.1' });
        const address = server.server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        const host = `http://127.0.0.1:${port}`;
        const bodies: string[] = [];
        const analytics = new Analytics({ writeKey: keyA, host, path: '/v1/batch', flushAt: 10, flushInterval: 50, maxRetries: 3 });
        analytics.on('http_request', (req) => bodies.push(req.body));
        const failures: unknown[] = [];
        analytics.on('error', (err) => failures.push(err));
        analytics.identify({ userId: 'node-user', anonymousId: 'node-anon', traits: { email: 'node.user@example.com', name: 'Node User' } });
        analytics.track({ userId: 'node-user', event: 'Order Completed', properties: { order_id: 'o-1', total: 12000, currency: 'KRW' } });
        analytics.page({ anonymousId: 'node-anon', name: 'Home', properties: { path: '/' } });
        await analytics.closeAndFlush({ timeout: 20_000 });
        expect(failures).toEqual([]);
        expect(bodies.length).toBeGreaterThan(0);

        const customer = await ownerOf(a.workspace.id, 'user_id', 'node-user');
        expect(customer).toBeDefined();
        expect(await ownerOf(a.workspace.id, 'email', 'node.user@example.com')).toBe(customer);
        expect(await ownerOf(a.workspace.id, 'anonymous_id', 'node-anon')).toBe(customer);
        const { rows } = await getDb().db.execute<{ type: string; name: string | null; customer_id: string }>(
          sql`select type, name, customer_id from events where workspace_id = ${a.workspace.id} and (user_id = 'node-user' or anonymous_id = 'node-anon') order by type`,
        );
        expect(rows).toEqual([
          { type: 'identify', name: null, customer_id: customer },
          { type: 'page', name: 'Home', customer_id: customer },
          { type: 'track', name: 'Order Completed', customer_id: customer },
        ]);
        const [profile] = (await getDb().db.execute<{ name: string }>(sql`select name from customers where workspace_id = ${a.workspace.id} and id = ${customer}`)).rows;
        expect(profile?.name).toBe('Node User');

        // The client sending its batch again (as after a lost response) stores nothing new.
        const before = await countEvents(a.workspace.id);
        const again = await fetch(`${host}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(keyA) }, body: bodies[0] });
        expect(again.status).toBe(200);
        expect(await countEvents(a.workspace.id)).toBe(before);
      } finally {
        await server.close();
      }
    });
  });
});
