// Property-based test of the /v1 API: 10,000 malformed payloads (not JSON, bad UTF-8, wrong
// types, deep nesting, huge strings, missing fields, bad keys) each get a 4xx, the server keeps
// answering, and nothing at all is written.
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { createTestApp } from '../http/test-client.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';

const RUNS = 10_000;
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

type Payload = { path: string; body: Buffer; contentType: string; auth: 'good' | 'body' | 'wrong' | 'none' };

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

// A valid message, then one change that makes it invalid.
const validMessage = fc.record({
  type: fc.constant('track'),
  event: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '' && !s.includes('\u0000')),
  userId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '' && !s.includes('\u0000')),
  messageId: fc.uuid(),
  properties: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.boolean())),
});

const notObject = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const notString = fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { minKeys: 1, maxKeys: 2 }), fc.boolean(), fc.array(fc.string(), { minLength: 1, maxLength: 2 }));
const nested = (depth: number) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

const breakMessage: fc.Arbitrary<(m: Record<string, unknown>) => unknown> = fc.oneof(
  fc.constant((m: Record<string, unknown>) => ({ ...m, type: undefined })),
  fc.string({ maxLength: 12 }).filter((t) => !['track', 'identify', 'page', 'screen', 'group', 'alias'].includes(t)).map((t) => (m: Record<string, unknown>) => ({ ...m, type: t })),
  fc.constant((m: Record<string, unknown>) => ({ ...m, event: undefined })),
  fc.constant((m: Record<string, unknown>) => ({ ...m, userId: undefined })),
  notString.map((v) => (m: Record<string, unknown>) => ({ ...m, userId: v })),
  notString.map((v) => (m: Record<string, unknown>) => ({ ...m, event: v })),
  notString.map((v) => (m: Record<string, unknown>) => ({ ...m, messageId: v })),
  notObject.filter((v) => v !== null).map((v) => (m: Record<string, unknown>) => ({ ...m, properties: v })),
  notObject.filter((v) => v !== null).map((v) => (m: Record<string, unknown>) => ({ ...m, context: v })),
  fc.string({ maxLength: 15 }).filter((s) => !/^\d{4}-\d{2}-\d{2}/.test(s) && s !== '').map((s) => (m: Record<string, unknown>) => ({ ...m, timestamp: s })),
  fc.integer({ min: 33_000, max: 60_000 }).map((n) => (m: Record<string, unknown>) => ({ ...m, properties: { blob: 'x'.repeat(n) } })),
  fc.integer({ min: 321, max: 2000 }).map((n) => (m: Record<string, unknown>) => ({ ...m, userId: 'u'.repeat(n) })),
  fc.constantFrom('\u0000', '\uD800', '\uDFFF', 'a\u0000b').map((s) => (m: Record<string, unknown>) => ({ ...m, properties: { note: s } })),
  fc.constant((m: Record<string, unknown>) => ({ ...m, type: 'identify', traits: 'not an object' })),
  fc.constant((m: Record<string, unknown>) => ({ ...m, type: 'group', groupId: undefined })),
  fc.constant((m: Record<string, unknown>) => ({ ...m, type: 'alias', previousId: undefined })),
  notObject.map((v) => () => v),
);

const invalidMessage = fc.tuple(validMessage, breakMessage).map(([m, change]) => change(m));

const auth = fc.constantFrom<Payload['auth']>('good', 'good', 'good', 'body', 'wrong', 'none');
const batchPath = fc.constantFrom('/v1/batch', '/v1/b', '/v1/import');
const singlePath = fc.constantFrom('/v1/track', '/v1/t');
const contentType = fc.constantFrom('application/json', 'text/plain', 'text/plain;charset=UTF-8', 'application/octet-stream');

const payload: fc.Arbitrary<Payload> = fc.oneof(
  // A batch whose every message is invalid.
  { weight: 6, arbitrary: fc.record({ path: batchPath, body: fc.array(invalidMessage, { minLength: 1, maxLength: 5 }).map((batch) => json({ batch })), contentType, auth }) },
  // A single call that is invalid.
  fc.record({ path: singlePath, body: invalidMessage.filter((m) => typeof m === 'object' && m !== null && !Array.isArray(m)).map((m) => json({ ...(m as object), type: undefined, event: undefined })), contentType, auth }),
  // Not JSON at all.
  fc.record({ path: batchPath, body: fc.string({ maxLength: 60 }).map((s) => Buffer.from(`{"batch":[${s}`)), contentType, auth }),
  // Bad UTF-8 inside a string.
  fc.record({
    path: batchPath,
    body: fc.uint8Array({ minLength: 1, maxLength: 4 }).map((bytes) => Buffer.concat([Buffer.from('{"batch":[{"type":"track","event":"'), Buffer.from([0xc0, ...bytes]), Buffer.from('","userId":"u"}]}')])),
    contentType,
    auth,
  }),
  // Wrong top-level types.
  fc.record({ path: fc.oneof(batchPath, singlePath), body: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer()), fc.boolean()).map(json), contentType, auth }),
  // The batch is not a non-empty array.
  fc.record({ path: batchPath, body: fc.oneof(notObject.filter((v) => !Array.isArray(v) || v.length === 0), fc.constant([])).map((batch) => json({ batch })), contentType, auth }),
  // Nested deeper than 32 levels.
  fc.record({
    path: batchPath,
    body: fc.integer({ min: 33, max: 3000 }).map((depth) => json({ batch: [{ type: 'track', event: 'x', userId: 'u', properties: { deep: nested(depth) } }] })),
    contentType,
    auth,
  }),
  // A batch over 500 KB (its messages each valid: the size alone is wrong). Costly to make: rarer.
  {
    weight: 1,
    arbitrary: fc.record({
      path: batchPath,
      body: fc.integer({ min: 17, max: 30 }).map((n) => json({ batch: Array.from({ length: n }, (_, i) => ({ type: 'track', event: 'x', userId: `u${i}`, properties: { blob: 'y'.repeat(31_000) } })) })),
      contentType,
      auth,
    }),
  },
);

describeEachDb('events API fuzzing', (getDb) => {
  let app: App;
  let workspaceId: string;
  let key: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    workspaceId = (await createTestWorkspace(getDb())).workspace.id;
    key = (await createApiKey(getDb().db, { workspaceId, actor: systemActor, actorRole: 'owner', kind: 'write', name: 'fuzz' })).key;
  });
  afterAll(async () => {
    await app.close();
  });

  const counts = async () =>
    (
      await getDb().db.execute<{ events: number; customers: number; identities: number; companies: number }>(sql`
        select (select count(*)::int from events where workspace_id = ${workspaceId}) as events,
               (select count(*)::int from customers where workspace_id = ${workspaceId}) as customers,
               (select count(*)::int from customer_identities where workspace_id = ${workspaceId}) as identities,
               (select count(*)::int from companies where workspace_id = ${workspaceId}) as companies`)
    ).rows[0]!;

  it(`answers every one of ${RUNS.toLocaleString('en-US')} malformed payloads with a 4xx and writes nothing`, async () => {
    const before = await counts();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        let body = p.body;
        if (p.auth === 'body' && body[0] === 0x7b /* { */ && body.length < 400_000) {
          // Put the key in the body, keeping whatever is wrong with the rest.
          body = Buffer.concat([Buffer.from(`{"writeKey":${JSON.stringify(key)},`), body.subarray(1)]);
          if (body.subarray(-2).toString() === ',}') body = Buffer.concat([body.subarray(0, -2), Buffer.from('}')]);
        }
        const headers: Record<string, string> = { 'content-type': p.contentType };
        if (p.auth === 'good') headers.authorization = basic(key);
        if (p.auth === 'wrong') headers.authorization = basic('wk_wrongwrongwrong');
        const res = await app.inject({ method: 'POST', url: p.path, headers, payload: body });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode < 400 || res.statusCode >= 500) throw new Error(`${res.statusCode} for ${p.path} ${body.subarray(0, 300).toString()}: ${res.payload.slice(0, 300)}`);
        expect(res.json()).toHaveProperty('error.code');
      }),
      { numRuns: RUNS },
    );
    expect(await counts()).toEqual(before);
    // Every kind of refusal was exercised.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401]));

    // Still up, and still storing.
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basic(key), 'content-type': 'application/json' },
      payload: { batch: [{ type: 'track', event: 'After the storm', userId: 'survivor', messageId: 'after-fuzz' }] },
    });
    expect(ok.statusCode).toBe(200);
    expect((await counts()).events).toBe(before.events + 1);
  }, 600_000);
});
