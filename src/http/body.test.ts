// Request bodies as real senders make them: compressed (gzip, deflate, br) on any route that
// takes a body, JSON labelled as anything on /v1, a zip bomb refused within the limit, and JSON
// strings PostgreSQL cannot store refused naming the field. With the real RudderStack Node SDK,
// which gzips its batches, over a socket.
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import Analytics from '@rudderstack/rudder-sdk-node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from '../db/test-helpers.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';
import { contentEncodings, decompress, findUnstorable } from './body.ts';
import { createTwoShops, type TwoShops } from './test-client.ts';

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
let seq = 0;
const nextId = (tag = 'm') => `${tag}-${Date.now()}-${++seq}`;

describe('findUnstorable', () => {
  it.each([
    [{ a: 'fine', b: ['ok', { c: 'x\u0000y' }] }, 'body.b[1].c: contains a NUL character'],
    [{ name: 'a\uD800b' }, 'body.name: contains a lone UTF-16 surrogate'],
    [{ name: 'b\uDC00' }, 'body.name: contains a lone UTF-16 surrogate'],
    [{ 'odd key': { 'k\u0000': 1 } }, 'body["odd key"]["k?"]: the key contains a NUL character'],
    [{ emoji: '😀 한국어 \uD83D\uDE00' }, null],
  ])('%j → %s', (value, expected) => {
    const found = findUnstorable(value);
    if (expected === null) expect(found).toBeNull();
    else expect(found).toContain(expected);
  });

  it('walks any depth without overflowing the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorable(deep)).toMatch(/^body(\[0\]){100000}: contains a NUL/);
  });

  it('reads Content-Encoding, identity aside, and names what it cannot read', () => {
    expect(contentEncodings(undefined)).toEqual([]);
    expect(contentEncodings('identity')).toEqual([]);
    expect(contentEncodings('GZIP')).toEqual(['gzip']);
    expect(() => contentEncodings('zstd')).toThrow('Content-Encoding: "zstd" is not supported');
    expect(() => contentEncodings('gzip, br')).toThrow('Content-Encoding: one encoding at a time');
  });
});

describeEachDb('request bodies', (getDb) => {
  let shops: TwoShops;
  let writeKey: string;

  beforeAll(async () => {
    shops = await createTwoShops(getDb());
    writeKey = (await createApiKey(getDb().db, { workspaceId: shops.a.workspace.id, actor: systemActor, actorRole: 'owner', kind: 'write', name: 'site' })).key;
  });
  afterAll(async () => {
    await shops.app.close();
  });

  const stored = async (messageId: string) =>
    (await getDb().db.execute<{ n: number }>(sql`select count(*)::int as n from events where workspace_id = ${shops.a.workspace.id} and message_id = ${messageId}`)).rows[0]!.n;
  const v1 = (payload: Buffer | string, headers: Record<string, string>) =>
    shops.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(writeKey), ...headers }, payload });
  const batchOf = (messageId: string) => JSON.stringify({ batch: [{ type: 'track', messageId, anonymousId: 'anon-body', event: 'Compressed' }] });

  describe('compressed bodies', () => {
    it.each([
      ['gzip', (b: Buffer) => zlib.gzipSync(b)],
      ['x-gzip', (b: Buffer) => zlib.gzipSync(b)],
      ['deflate', (b: Buffer) => zlib.deflateSync(b)],
      ['deflate', (b: Buffer) => zlib.deflateRawSync(b)], // raw deflate under the same name, as some clients send
      ['br', (b: Buffer) => zlib.brotliCompressSync(b)],
    ])('/v1 takes a %s body', async (encoding, compress) => {
      const id = nextId(encoding);
      const res = await v1(compress(Buffer.from(batchOf(id))), { 'content-type': 'application/json', 'content-encoding': encoding });
      expect(res.statusCode, res.payload).toBe(200);
      expect(await stored(id)).toBe(1);
    });

    it('/api routes take compressed JSON too', async () => {
      const email = `${nextId('gz')}@body.kr`;
      const res = await shops.app.inject({
        method: 'POST',
        url: '/api/customers',
        headers: { ...(await ownerHeaders()), 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: zlib.gzipSync(Buffer.from(JSON.stringify({ email, name: '압축 고객' }))),
      });
      expect(res.statusCode, res.payload).toBe(201);
      expect(res.json()).toMatchObject({ email, name: '압축 고객' });
    });

    it('a zip bomb gets a 413, counted on the decompressed bytes', async () => {
      // 64 MB of zeros, ~64 KB compressed: well under the limit on the wire.
      const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
      expect(bomb.length).toBeLessThan(200 * 1024);
      const res = await v1(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('payload_too_large');
      // Decompression stops at the limit: what comes out of the stream is at most the limit.
      let out = 0;
      const error = await new Promise<unknown>((resolve) => {
        const stream = decompress(Readable.from([bomb]), 'gzip', 1024 * 1024);
        stream.on('data', (chunk: Buffer) => (out += chunk.length));
        stream.on('error', resolve);
        stream.on('end', () => resolve(null));
      });
      expect(error).toMatchObject({ code: 'payload_too_large', statusCode: 413 });
      expect(out).toBeLessThanOrEqual(1024 * 1024);
      const api = await shops.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
        payload: zlib.brotliCompressSync(Buffer.alloc(16 * 1024 * 1024, 0x20)),
      });
      expect(api.statusCode).toBe(413);
    });

    it('a compressed multipart upload is a 400 naming Content-Encoding (multipart is read past the hook)', async () => {
      const res = await shops.app.inject({
        method: 'POST',
        url: '/api/imports',
        headers: { ...(await ownerHeaders()), 'content-type': 'multipart/form-data; boundary=x', 'content-encoding': 'gzip' },
        payload: zlib.gzipSync(Buffer.from('--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemail\r\n--x--\r\n')),
      });
      expect(res.statusCode, res.payload).toBe(400);
      expect(res.json().error.message).toMatch(/^Content-Encoding: not supported for multipart uploads/);
    });

    it('a body that is not what its encoding says, or an unknown encoding, is a 400 naming Content-Encoding', async () => {
      const bad = await v1(Buffer.from(batchOf(nextId())), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toBe('Content-Encoding: the body is not valid gzip data');
      const unknown = await v1(Buffer.from(batchOf(nextId())), { 'content-type': 'application/json', 'content-encoding': 'zstd' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.message).toMatch(/^Content-Encoding: "zstd" is not supported/);
    });
  });

  describe('JSON labelled as anything on /v1', () => {
    it.each([['text/plain'], ['text/plain;charset=UTF-8'], ['application/x-www-form-urlencoded'], ['application/octet-stream'], [undefined]])('takes JSON sent as %s', async (type) => {
      const id = nextId('ct');
      const res = await v1(batchOf(id), type ? { 'content-type': type } : {});
      expect(res.statusCode, res.payload).toBe(200);
      expect(await stored(id)).toBe(1);
    });

    it('and compressed, labelled text/plain (a beacon of a compressing tracker)', async () => {
      const id = nextId('ct-gz');
      const res = await v1(zlib.gzipSync(Buffer.from(batchOf(id))), { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      expect(res.statusCode, res.payload).toBe(200);
      expect(await stored(id)).toBe(1);
    });
  });

  describe('strings PostgreSQL cannot store', () => {
    it.each([
      ['a NUL', '"x\\u0000@example.com"', 'NUL character'],
      ['a lone surrogate', '"\\ud800x@example.com"', 'lone UTF-16 surrogate'],
    ])('%s in the unauthenticated login is a 400 naming the field', async (_what, email, words) => {
      const res = await shops.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: `{"email":${email},"password":"irrelevant-password"}` });
      expect(res.statusCode, res.payload).toBe(400);
      expect(res.json().error.message).toContain(`body.email: contains a ${words}`);
    });

    it('in a customer, and in a compressed one, is a 400 naming the field', async () => {
      const headers = { ...(await ownerHeaders()), 'content-type': 'application/json' };
      const payload = `{"email":"${nextId('nul')}@body.kr","name":"Kim\\u0000","attributes":{"note\\ud800":"x"}}`;
      const plain = await shops.app.inject({ method: 'POST', url: '/api/customers', headers, payload });
      expect(plain.statusCode, plain.payload).toBe(400);
      expect(plain.json().error.message).toMatch(/^body\.name: contains a NUL character/);
      const gz = await shops.app.inject({ method: 'POST', url: '/api/customers', headers: { ...headers, 'content-encoding': 'gzip' }, payload: zlib.gzipSync(Buffer.from(payload)) });
      expect(gz.statusCode).toBe(400);
    });

    it('in a /v1 message refuses that message, named by its path, and keeps the others', async () => {
      const [bad, good] = [nextId('nul'), nextId('ok')];
      const res = await v1(
        `{"batch":[{"type":"track","messageId":"${bad}","anonymousId":"a","event":"X","properties":{"title":"a\\u0000b"}},{"type":"track","messageId":"${good}","anonymousId":"a","event":"Y"}]}`,
        { 'content-type': 'text/plain' },
      );
      expect(res.statusCode, res.payload).toBe(200);
      expect(res.json().errors).toEqual([{ index: 0, message: expect.stringMatching(/^batch\[0\]\.properties\.title: contains a NUL character/) }]);
      expect(await stored(bad)).toBe(0);
      expect(await stored(good)).toBe(1);
      // In the batch's context (merged into every message) or its writeKey: a 4xx, never a 500.
      const inContext = await v1(`{"context":{"note":"\\u0000"},"batch":[{"type":"track","messageId":"${nextId()}","anonymousId":"a","event":"X"}]}`, { 'content-type': 'text/plain' });
      expect(inContext.statusCode, inContext.payload).toBe(400);
      const inKey = await shops.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'text/plain' }, payload: `{"writeKey":"wk_\\u0000\\ud800","batch":[{"type":"track","anonymousId":"a","event":"X"}]}` });
      expect(inKey.statusCode, inKey.payload).toBe(401);
    });
  });

  describe('@rudderstack/rudder-sdk-node (gzips every batch) over a real socket', () => {
    it('delivers identify and track, compressed, to the customer', async () => {
      await shops.app.listen({ port: 0, host: '127.0.0.1' });
      const address = shops.app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const userId = nextId('rudder-user');
      const client = new Analytics(writeKey, { dataPlaneUrl: `http://127.0.0.1:${port}`, flushAt: 10, flushInterval: 100, retryCount: 0, logLevel: 'error' });
      // What the SDK put on the wire: its own axios instance's requests.
      const encodings: unknown[] = [];
      type Interceptable = { axiosInstance: { interceptors: { request: { use(f: (c: { headers: Record<string, unknown> }) => unknown): void } } } };
      (client as unknown as Interceptable).axiosInstance.interceptors.request.use((config) => {
        encodings.push(config.headers['Content-Encoding']);
        return config;
      });
      client.identify({ userId, traits: { email: `${userId}@rudder.kr`, name: 'Rudder User' } });
      client.track({ userId, event: 'Order Completed', properties: { order_id: `o-${userId}`, total: 15000, currency: 'KRW' } });
      await client.flush();
      expect(encodings.length).toBeGreaterThan(0);
      expect(new Set(encodings)).toEqual(new Set(['gzip']));
      const { rows } = await getDb().db.execute<{ type: string; name: string | null; customer_id: string | null }>(
        sql`select type, name, customer_id from events where workspace_id = ${shops.a.workspace.id} and user_id = ${userId} order by type`,
      );
      expect(rows.map((r) => r.type)).toEqual(['identify', 'track']);
      expect(rows[0]!.customer_id).not.toBeNull();
      const [profile] = (await getDb().db.execute<{ name: string }>(sql`select name from customers where workspace_id = ${shops.a.workspace.id} and id = ${rows[0]!.customer_id}`)).rows;
      expect(profile?.name).toBe('Rudder User');
    });
  });

  async function ownerHeaders(): Promise<Record<string, string>> {
    const login = await shops.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: shops.a.owner.email, password: shops.a.password } });
    const cookie = login.cookies.find((c) => c.name === 'rapport_session')!;
    return { cookie: `rapport_session=${cookie.value}`, 'x-csrf-token': login.json().csrfToken, 'x-workspace-id': shops.a.workspace.id };
  }
});
