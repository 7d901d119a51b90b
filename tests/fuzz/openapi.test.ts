// Fuzz run over every operation of /api/openapi.json, in the spirit of Schemathesis: requests
// made from each operation's own schemas (valid values and invalid ones), sent as the owner, a
// viewer and an API key of a seeded workspace, with path ids of its real records. No answer may
// be a 5xx; every status must be documented, every body must match its documented schema, and
// the response schema's serialiser must send what the handler returned (not drop or convert it).
// `npm run test:fuzz` (in .ci/run); FUZZ_SEED replays a run, FUZZ_RUNS sets requests per
// operation, FUZZ_OPS (a substring such as "GET /api/customers") narrows it.
import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, TEST_PASSWORD, addTestMember, createTestWorkspace, testConfig, type TestWorkspace } from '../../src/db/test-helpers.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { keyClient, loginClient, makeClient, type Client, type Method, type TestResponse } from '../../src/http/test-client.ts';
import { inputOf, type Pools, type Schema } from './arbitraries.ts';
import { seedWorkspace, type Seeded } from './seed.ts';
import { UNDESCRIBED } from './undescribed.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const ONLY = process.env.FUZZ_OPS;

type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema: Schema };
type Operation = {
  method: Method;
  path: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Problem = { op: string; request: string; status: number; problem: string; body: string };

/** Operations that take a file: sent as multipart (or text/csv) with CSV text, random text or binary bytes. */
const UPLOADS = new Set(['POST /api/imports', 'POST /api/commerce/imports', 'POST /api/segments/{id}/upload']);
/** Operations that end the caller's own session: sent from a session of their own. */
const OWN_SESSION = new Set(['POST /api/auth/logout']);
const ORDER: Record<string, number> = { GET: 0, POST: 1, PUT: 1, PATCH: 1, DELETE: 2 };

function operations(spec: { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) ops.push({ ...op, method: method.toUpperCase() as Method, path });
  }
  // Reads first, deletions last, so the real ids are there for most requests.
  return ops.sort((a, b) => ORDER[a.method]! - ORDER[b.method]!);
}

const csvArb = fc.oneof(
  fc.constantFrom('email,name,phone\nfuzz@example.com,퍼즈,010-1234-5678\n', 'sku,name,price\nFZ-1,Mug,1000\n', 'order_id,sku,quantity,unit_price\nO-1,FZ-1,1,1000\n', ''),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
);

function multipart(file: string | Buffer, fields: Record<string, string>): { payload: Buffer; contentType: string } {
  const boundary = '----rapportfuzz';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="fuzz.csv"\r\nContent-Type: text/csv\r\n\r\n`), Buffer.from(file), Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));

type Who = 'owner' | 'viewer' | 'key' | 'write' | 'none';
type Request = { who: Who; url: string; body?: unknown; raw?: { payload: Buffer | string; contentType: string } };

/** What one request of `op` may be: path ids (real ones mostly), query values and a body from the schemas. */
function requestArb(op: Operation, seeded: Seeded, pools: Pools): fc.Arbitrary<Request> {
  const key = `${op.method} ${op.path}`;
  const params = op.parameters ?? [];
  const pathArbs = params
    .filter((p) => p.in === 'path')
    .map((p) => {
      const real = seeded.idsFor(op.path, p.name);
      const generated = inputOf(p.schema, pools, 0.15).map(asText);
      return fc.tuple(fc.constant(p.name), real.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: generated }) : generated);
    });
  const queryArbs = params
    .filter((p) => p.in === 'query')
    .map((p) => fc.tuple(fc.constant(p.name), p.required ? inputOf(p.schema, pools, 0.2) : fc.option(inputOf(p.schema, pools, 0.2), { nil: undefined, freq: 2 })));
  const json = op.requestBody?.content['application/json']?.schema;
  const bodyArb: fc.Arbitrary<Pick<Request, 'body' | 'raw'>> = UPLOADS.has(key)
    ? fc.tuple(csvArb, fc.boolean(), fc.dictionary(fc.constantFrom('encoding', 'matchBy', 'mapping'), fc.oneof(fc.constantFrom('auto', 'utf-8', 'cp949', '{"email":"email"}'), fc.string({ maxLength: 20 })), { maxKeys: 2 })).map(
        ([file, asMultipart, fields]) => ({ raw: asMultipart ? multipart(file, fields) : { payload: file, contentType: 'text/csv' } }),
      )
    : json
      ? fc.oneof(
          { weight: 12, arbitrary: inputOf(json, pools, 0.25).map((body) => ({ body })) },
          { weight: 1, arbitrary: fc.constantFrom('{', '[]', 'null', '{"a":"\\u0000"}', '{"__proto__":{"x":1}}').map((payload) => ({ raw: { payload, contentType: 'application/json' } })) },
        )
      : fc.constant({});
  const whoArb: fc.Arbitrary<Who> = op.path.startsWith('/v1/')
    ? fc.constantFrom<Who>('write', 'write', 'key', 'none')
    : fc.constantFrom<Who>('owner', 'owner', 'owner', 'owner', 'viewer', 'key');
  return fc.record({ who: whoArb, path: fc.tuple(...pathArbs), query: fc.tuple(...queryArbs), body: bodyArb }).map(({ who, path, query, body }) => {
    let url = op.path;
    for (const [name, value] of path) url = url.replace(`{${name}}`, encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD')));
    const qs = new URLSearchParams();
    for (const [name, value] of query) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) qs.append(name, asText(v));
    }
    const search = qs.toString();
    return { who, url: search ? `${url}?${search}` : url, ...body };
  });
}

/** The documented schema of a response, undefined when the status is not documented at all. */
function documented(op: Operation, status: number): { schema?: Schema } | undefined {
  const r = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses[`${String(status)[0]}xx`] ?? op.responses.default;
  if (!r) return undefined;
  return { schema: r.content?.['application/json']?.schema };
}

describeEachDb('OpenAPI fuzz', (getDb, backend) => {
  let app: App;
  let shop: TestWorkspace;
  let seeded: Seeded;
  let viewerEmail: string;
  const clients = {} as Record<Who, Client>;
  /** Answers the serialiser changed since the last request (a dropped key, a converted value). */
  const serialiserChanges: string[] = [];

  beforeAll(async () => {
    app = await buildApp({ database: getDb(), config: testConfig({ RAPPORT_LOGIN_RATE_LIMIT: '10000' }) }, { logger: false });
    // What each handler returned, to compare with what its response schema's serialiser sent.
    const returned = new WeakMap<object, string>();
    app.addHook('preSerialization', async (request, _reply, payload) => {
      try {
        returned.set(request, JSON.stringify(payload));
      } catch {
        /* not JSON as it is: the serialiser's own business */
      }
      return payload;
    });
    app.addHook('onSend', async (request, _reply, payload) => {
      const before = returned.get(request);
      if (before !== undefined && typeof payload === 'string') {
        try {
          if (!isDeepStrictEqual(JSON.parse(before), JSON.parse(payload))) serialiserChanges.push(`returned ${before.slice(0, 300)}`);
        } catch {
          serialiserChanges.push(`returned ${before.slice(0, 300)}, sent what is not JSON`);
        }
      }
      return payload;
    });
    await app.ready();
    shop = await createTestWorkspace(getDb(), 'Fuzz shop');
    clients.owner = await loginClient(app, shop.owner.email, TEST_PASSWORD, shop.workspace.id);
    viewerEmail = (await addTestMember(getDb(), shop.workspace.id, 'viewer')).email;
    clients.viewer = await loginClient(app, viewerEmail, TEST_PASSWORD, shop.workspace.id);
    seeded = await seedWorkspace(app, getDb(), shop, clients.owner);
    expect(serialiserChanges.splice(0), 'answers the response schemas changed while seeding').toEqual([]);
    clients.key = keyClient(app, seeded.secretKey);
    clients.write = makeClient(app, { authorization: `Basic ${Buffer.from(`${seeded.writeKey}:`).toString('base64')}` });
    clients.none = makeClient(app, {});
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('describes the success body of every operation but the ones still listed in undescribed.ts', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const undescribed = operations(spec)
      // A documented 204 describes its answer too: no body.
      .filter((op) => !Object.entries(op.responses).some(([status, r]) => status.startsWith('2') && (r.content || status === '204')))
      .map((op) => `${op.method} ${op.path}`)
      .sort();
    console.log(`fuzz [${backend}]: ${undescribed.length} operations do not describe their success body yet`);
    // A new route describes its answer (schema.response); one that now does leaves the list.
    const listed = new Set(UNDESCRIBED);
    const added = undescribed.filter((op) => !listed.has(op));
    const described = UNDESCRIBED.filter((op) => !undescribed.includes(op));
    expect(added, 'operations without a response schema (give them schema.response: 2xx with its body)').toEqual([]);
    expect(described, 'operations that describe their answer now: remove them from tests/fuzz/undescribed.ts').toEqual([]);
  });

  it('answers every operation without a 5xx, with a documented status and body', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const ops = operations(spec).filter((op) => !ONLY || `${op.method} ${op.path}`.includes(ONLY));
    expect(ops.length).toBeGreaterThan(0);
    const ajv = new Ajv({ strict: false, allErrors: false, formats: fullFormats });
    const validators = new Map<Schema, ValidateFunction>();
    const validate = (schema: Schema, body: unknown) => {
      let v = validators.get(schema);
      if (!v) validators.set(schema, (v = ajv.compile(schema)));
      return v(body) ? undefined : ajv.errorsText(v.errors);
    };
    const pools: Pools = { uuids: () => seeded.allIds() };
    const problems: Problem[] = [];
    let requests = 0;
    let serverErrors = 0;
    const started = Date.now();

    for (const [i, op] of ops.entries()) {
      const key = `${op.method} ${op.path}`;
      const runs = OWN_SESSION.has(key) || key === 'POST /api/auth/login' ? Math.ceil(RUNS / 4) : RUNS;
      const samples = fc.sample(requestArb(op, seeded, pools), { seed: SEED + i, numRuns: runs });
      for (const req of samples) {
        const client = OWN_SESSION.has(key) ? await loginClient(app, shop.owner.email, TEST_PASSWORD, shop.workspace.id) : clients[req.who];
        let res: TestResponse;
        if (req.raw) res = await client.request(op.method, req.url, req.raw.payload, { 'content-type': req.raw.contentType });
        else res = await client.request(op.method, req.url, req.body);
        requests++;
        const shown = `${op.method} ${req.url} as ${req.who}${req.raw ? ` with ${req.raw.contentType} ${JSON.stringify(String(req.raw.payload).slice(0, 200))}` : req.body !== undefined ? ` with ${JSON.stringify(req.body)?.slice(0, 400)}` : ''}`;
        const report = (problem: string) => problems.push({ op: key, request: shown, status: res.status, problem, body: JSON.stringify(res.body)?.slice(0, 300) ?? '' });
        for (const change of serialiserChanges.splice(0)) report(`the response schema changed the answer: the handler ${change}`);
        if (res.status >= 500) {
          serverErrors++;
          report('server error');
          continue;
        }
        const doc = documented(op, res.status);
        if (!doc) report(`status ${res.status} is not documented (${Object.keys(op.responses).join(', ')})`);
        else if (res.status === 204 && res.body !== '') report('a 204 answer has a body');
        else if (doc.schema && String(res.headers['content-type'] ?? '').includes('application/json')) {
          const error = validate(doc.schema, res.body);
          if (error) report(`body does not match the documented schema: ${error}`);
        }
        if (res.status === 401 && (req.who === 'owner' || req.who === 'viewer')) {
          // A request that ended the session (a password change, a removed member): log in again.
          clients[req.who] = await loginClient(app, req.who === 'owner' ? shop.owner.email : viewerEmail, TEST_PASSWORD, shop.workspace.id);
        }
      }
    }
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz [${backend}]: seed ${SEED} (replay: FUZZ_SEED=${SEED} npm run test:fuzz), ${requests} requests over ${ops.length} operations in ${seconds} s, ` +
        `${serverErrors} server errors, ${problems.length - serverErrors} other problems`,
    );
    for (const p of problems.slice(0, 40)) console.log(`  ${p.status} ${p.problem}\n    ${p.request}\n    → ${p.body}`);
    expect(health.statusCode).toBe(200);
    expect(serverErrors, `server errors (seed ${SEED})`).toBe(0);
    expect(problems, `problems (seed ${SEED})`).toEqual([]);
  }, 600_000);

});
