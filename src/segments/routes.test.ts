// HTTP tests of the segments API: every endpoint × every role, workspace isolation, definitions
// refused at their node, cycles, deletes refused while referenced, members (paging, masking, CSV),
// preview, overlap, history, recompute and CSV upload of static segments.
import { sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb, TEST_PASSWORD, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, loginClient, type Method } from '../http/test-client.ts';
import { can, ROLES, type Permission, type Role } from '../workspaces/roles.ts';
import { recomputeSegment } from './membership.ts';

const A_NAMES = { type: 'attribute', field: 'name', op: 'starts_with', value: 'A' };

describeEachDb('segments API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;

  beforeAll(async () => {
    ({ app, a, b, ownerA, ownerB, as } = await createTwoShops(getDb()));
  });
  afterAll(async () => {
    await app.close();
  });

  async function customer(client: Client, body: Record<string, unknown>) {
    const res = await client.post('/api/customers', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; email: string };
  }
  async function segment(client: Client, body: Record<string, unknown>) {
    const res = await client.post('/api/segments', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; name: string; kind: string };
  }
  const recompute = (workspaceId: string, segmentId: string) => recomputeSegment(getDb().db, { workspaceId, segmentId });

  describe('roles', () => {
    type Case = { name: string; permission: Permission; extra?: Permission; request: (c: Client) => Promise<{ status: number; body: unknown }>; ok: number };
    let dyn: string;
    let stat: string;
    const cases: Case[] = [
      { name: 'GET /api/segments', permission: 'customers.read', request: (c) => c.get('/api/segments'), ok: 200 },
      { name: 'POST /api/segments', permission: 'messaging.write', request: (c) => c.post('/api/segments', { name: `S ${uuidv7()}`, definition: A_NAMES }), ok: 201 },
      { name: 'POST /api/segments/preview', permission: 'customers.read', request: (c) => c.post('/api/segments/preview', { definition: A_NAMES }), ok: 200 },
      { name: 'POST /api/segments/starters', permission: 'messaging.write', request: (c) => c.post('/api/segments/starters'), ok: 200 },
      { name: 'GET /api/segments/overlap', permission: 'customers.read', request: (c) => c.get(`/api/segments/overlap?a=${dyn}&b=${stat}`), ok: 200 },
      { name: 'GET /api/segments/:id', permission: 'customers.read', request: (c) => c.get(`/api/segments/${dyn}`), ok: 200 },
      { name: 'PATCH /api/segments/:id', permission: 'messaging.write', request: (c) => c.patch(`/api/segments/${dyn}`, { description: 'changed' }), ok: 200 },
      { name: 'GET /api/segments/:id/members', permission: 'customers.read', request: (c) => c.get(`/api/segments/${dyn}/members`), ok: 200 },
      { name: 'GET /api/segments/:id/members?format=csv', permission: 'customers.read', extra: 'customers.export', request: (c) => c.get(`/api/segments/${dyn}/members?format=csv`), ok: 200 },
      { name: 'GET /api/segments/:id/history', permission: 'customers.read', request: (c) => c.get(`/api/segments/${dyn}/history`), ok: 200 },
      { name: 'POST /api/segments/:id/recompute', permission: 'messaging.write', request: (c) => c.post(`/api/segments/${dyn}/recompute`), ok: 202 },
      {
        name: 'POST /api/segments/:id/upload',
        permission: 'messaging.write',
        request: (c) => c.post(`/api/segments/${stat}/upload?mode=append`, 'email\nnobody@example.com\n', { 'content-type': 'text/csv' }),
        ok: 200,
      },
      {
        name: 'DELETE /api/segments/:id',
        permission: 'messaging.write',
        request: async (c) => {
          const s = await segment(ownerA, { name: `Doomed ${uuidv7()}`, kind: 'static' });
          return c.delete(`/api/segments/${s.id}`);
        },
        ok: 204,
      },
    ];
    beforeAll(async () => {
      dyn = (await segment(ownerA, { name: 'Role dyn', definition: A_NAMES })).id;
      stat = (await segment(ownerA, { name: 'Role static', kind: 'static' })).id;
    });
    it.each(cases.flatMap((c) => ROLES.map((role) => [c.name, role, c] as const)))('%s as %s', async (_name, role, c) => {
      const res = await c.request(as[role]!);
      const allowed = can(role, c.permission) && (!c.extra || can(role, c.extra));
      if (allowed) expect(res.status, JSON.stringify(res.body)).toBe(c.ok);
      else expect(res.status, JSON.stringify(res.body)).toBe(403);
    });
  });

  describe('definitions', () => {
    it('creates a dynamic segment and queues its computation; lists and reads it', async () => {
      const res = await ownerA.post('/api/segments', { name: 'A-names', description: 'names with A', definition: A_NAMES });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'A-names', kind: 'dynamic', definition: A_NAMES, size: 0, recomputeJobId: expect.any(String) });
      expect((await ownerA.get(`/api/segments/${res.body.id}`)).body).toMatchObject({ id: res.body.id, name: 'A-names' });
      expect((await ownerA.get('/api/segments')).body.segments.map((s: { id: string }) => s.id)).toContain(res.body.id);
    });

    it.each([
      [{ name: 'x', definition: { and: [{ type: 'attribute', field: 'name', op: 'gt_not_an_op', value: 1 }] } }, 'definition.and[0]'],
      [{ name: 'x', definition: { or: [A_NAMES, { type: 'event', name: 'X', count: { op: 'gte', value: -1 } }] } }, 'definition.or[1]'],
      [{ name: 'x', definition: { type: 'nope' } }, 'definition'],
      [{ name: 'x', kind: 'dynamic' }, 'definition'],
      [{ name: 'x', kind: 'static', definition: A_NAMES }, 'definition'],
      [{ name: '', definition: A_NAMES }, 'body.name'],
      [{ name: 'x', definition: A_NAMES, colour: 'red' }, 'body.colour'],
    ])('refuses %j with a 400 naming %s', async (body, path) => {
      const res = await ownerA.post('/api/segments', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toContain(path);
    });

    it('refuses a reference to a missing or foreign segment, and a cycle, naming the node', async () => {
      const foreign = await segment(ownerB, { name: 'B only', definition: A_NAMES });
      const missing = await ownerA.post('/api/segments', { name: 'ref', definition: { or: [{ type: 'segment', id: foreign.id }] } });
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toBe(`definition.or[0].id: segment ${foreign.id} does not exist in this workspace`);

      const x = await segment(ownerA, { name: 'X', definition: A_NAMES });
      const y = await segment(ownerA, { name: 'Y', definition: { and: [{ type: 'segment', id: x.id }] } });
      const z = await segment(ownerA, { name: 'Z', definition: { and: [{ type: 'segment', id: y.id }] } });
      const self = await ownerA.patch(`/api/segments/${x.id}`, { definition: { or: [{ type: 'segment', id: x.id }] } });
      expect(self.status).toBe(400);
      expect(self.body.error.message).toContain('definition.or[0].id: segment');
      const cycle = await ownerA.patch(`/api/segments/${x.id}`, { definition: { or: [A_NAMES, { type: 'segment', id: z.id }] } });
      expect(cycle.status).toBe(400);
      expect(cycle.body.error.message).toBe(`definition.or[1].id: segment ${z.id} refers back to this segment through ${y.id}`);

      const del = await ownerA.delete(`/api/segments/${x.id}`);
      expect(del.status).toBe(409);
      expect(del.body.error.message).toContain(`"Y" (${y.id})`);
      expect((await ownerA.delete(`/api/segments/${z.id}`)).status).toBe(204);
      expect((await ownerA.delete(`/api/segments/${y.id}`)).status).toBe(204);
      expect((await ownerA.delete(`/api/segments/${x.id}`)).status).toBe(204);
      expect((await ownerA.get(`/api/segments/${x.id}`)).status).toBe(404);
    });

    it('a changed definition queues a recompute; a rename does not', async () => {
      const s = await segment(ownerA, { name: 'Change me', definition: A_NAMES });
      expect((await ownerA.patch(`/api/segments/${s.id}`, { name: 'Renamed' })).body).toMatchObject({ name: 'Renamed', recomputeJobId: null });
      const changed = await ownerA.patch(`/api/segments/${s.id}`, { definition: { type: 'attribute', field: 'name', op: 'starts_with', value: 'B' } });
      expect(changed.body.recomputeJobId).toEqual(expect.any(String));
    });
  });

  describe('members, preview, overlap, history', () => {
    it('pages members, masks PII without pii.read, streams CSV, previews, overlaps and records sizes', async () => {
      const tag = uuidv7().slice(-6);
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await customer(ownerA, { name: `Ax${tag}${i}`, email: `ax${tag}${i}@example.com`, phone: `010-1234-56${10 + i}` }));
      await customer(ownerA, { name: `Bx${tag}`, email: `bx${tag}@example.com` });
      const def = { type: 'attribute', field: 'name', op: 'starts_with', value: `Ax${tag}` };
      const preview = await as.viewer!.post('/api/segments/preview', { definition: def });
      expect(preview.status).toBe(200);
      expect(preview.body.count).toBe(5);
      expect(preview.body.sample).toHaveLength(5);
      expect(preview.body.sample[0].email).toContain('***');

      const s = await segment(ownerA, { name: `Ax ${tag}`, definition: def });
      const small = await segment(ownerA, { name: `Ax0 ${tag}`, definition: { type: 'attribute', field: 'name', op: 'eq', value: `Ax${tag}0` } });
      await recompute(a.workspace.id, s.id);
      await recompute(a.workspace.id, small.id);

      const first = await ownerA.get(`/api/segments/${s.id}/members?limit=3`);
      expect(first.body).toMatchObject({ size: 5, members: expect.any(Array), nextCursor: expect.any(String) });
      expect(first.body.members).toHaveLength(3);
      expect(first.body.members[0].email).toMatch(/@example\.com$/);
      const second = await ownerA.get(`/api/segments/${s.id}/members?limit=3&cursor=${first.body.nextCursor}`);
      expect(second.body.members).toHaveLength(2);
      expect(second.body.nextCursor).toBeNull();
      expect([...first.body.members, ...second.body.members].map((m: { customerId: string }) => m.customerId).sort()).toEqual(made.map((m) => m.id).sort());
      const masked = await as.viewer!.get(`/api/segments/${s.id}/members`);
      expect(masked.body.members.every((m: { email: string; phone: string }) => m.email.includes('***') && m.phone.includes('*'))).toBe(true);
      expect((await ownerA.get(`/api/segments/${s.id}/members?cursor=bad`)).status).toBe(400);
      // Counting by e-mail would reveal who is a customer to a role that may not see e-mails.
      const byEmail = { and: [def, { type: 'attribute', field: 'email', op: 'eq', value: `ax${tag}0@example.com` }] };
      const refused = await as.viewer!.post('/api/segments/preview', { definition: byEmail });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain('definition.and[1].field: your role may not filter on email');
      expect((await ownerA.post('/api/segments/preview', { definition: byEmail })).body.count).toBe(1);

      const csv = await ownerA.get(`/api/segments/${s.id}/members?format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = String(csv.body).trim().split('\r\n');
      expect(lines[0]).toBe('customer_id,external_id,name,email,phone,entered_at');
      expect(lines).toHaveLength(6);
      const analystCsv = await as.analyst!.get(`/api/segments/${s.id}/members?format=csv`);
      expect(analystCsv.status).toBe(200);
      expect(String(analystCsv.body)).toContain('***');

      const overlap = await ownerA.get(`/api/segments/overlap?a=${s.id}&b=${small.id}`);
      expect(overlap.body).toMatchObject({ a: { id: s.id, size: 5 }, b: { id: small.id, size: 1 }, both: 1 });

      const history = await ownerA.get(`/api/segments/${s.id}/history`);
      expect(history.body.points).toEqual([expect.objectContaining({ size: 5, entered: 5, exited: 0 })]);
    });
  });

  describe('static segments from CSV', () => {
    it('replace and append by email, phone and external id, keeping good rows and naming bad lines', async () => {
      const tag = uuidv7().slice(-6);
      const c1 = await customer(ownerA, { name: 'U1', email: `u1${tag}@example.com` });
      const c2 = await customer(ownerA, { name: 'U2', phone: `010-5555-${tag.replace(/[^0-9]/g, '7').padEnd(4, '7').slice(0, 4)}` });
      const c3 = await customer(ownerA, { name: 'U3', externalId: `EXT-${tag}` });
      const c2row = (await ownerA.get(`/api/customers/${c2.id}`)).body as { phone: string };
      const s = await segment(ownerA, { name: `List ${tag}`, kind: 'static' });
      const noMode = await ownerA.post(`/api/segments/${s.id}/upload`, 'email\nx@example.com\n', { 'content-type': 'text/csv' });
      expect(noMode.status).toBe(400);
      expect(noMode.body.error.message).toContain('query.mode');

      const csv = ['email,phone,external_id', `u1${tag}@example.com,,`, `,${c2row.phone},`, 'not-an-email,,', 'ghost@example.com,,'].join('\n');
      const replaced = await ownerA.post(`/api/segments/${s.id}/upload?mode=replace`, csv, { 'content-type': 'text/csv' });
      expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
      expect(replaced.body).toMatchObject({ mode: 'replace', rows: 4, matched: 2, entered: 2, exited: 0, size: 2 });
      expect(replaced.body.errors).toEqual([
        { line: 4, message: 'email "not-an-email" is not an e-mail address' },
        { line: 5, message: 'no customer with email ghost@example.com' },
      ]);

      const appended = await ownerA.post(`/api/segments/${s.id}/upload?mode=append`, `external_id\nEXT-${tag}\n`, { 'content-type': 'text/csv' });
      expect(appended.body).toMatchObject({ matched: 1, entered: 1, exited: 0, size: 3 });

      const again = await ownerA.post(`/api/segments/${s.id}/upload?mode=replace`, `email\nu1${tag}@example.com\n`, { 'content-type': 'text/csv' });
      expect(again.body).toMatchObject({ entered: 0, exited: 2, size: 1 });
      const ids = (await ownerA.get(`/api/segments/${s.id}/members`)).body.members.map((m: { customerId: string }) => m.customerId);
      expect(ids).toEqual([c1.id]);
      expect(c3.id).toBeDefined();

      const dyn = await segment(ownerA, { name: `Dyn ${tag}`, definition: A_NAMES });
      expect((await ownerA.post(`/api/segments/${dyn.id}/upload?mode=append`, 'email\nx@example.com\n', { 'content-type': 'text/csv' })).status).toBe(400);
    });
  });

  describe('isolation', () => {
    it('another workspace sees none of these segments or members', async () => {
      const tag = uuidv7().slice(-6);
      await customer(ownerA, { name: `Iso${tag}`, email: `iso${tag}@example.com` });
      const s = await segment(ownerA, { name: `Secret ${tag}`, definition: { type: 'attribute', field: 'name', op: 'starts_with', value: `Iso${tag}` } });
      await recompute(a.workspace.id, s.id);
      const other = await segment(ownerB, { name: 'B list', kind: 'static' });
      const requests: [Method, string, unknown?, Record<string, string>?][] = [
        ['GET', `/api/segments/${s.id}`],
        ['PATCH', `/api/segments/${s.id}`, { name: 'stolen' }],
        ['DELETE', `/api/segments/${s.id}`],
        ['GET', `/api/segments/${s.id}/members`],
        ['GET', `/api/segments/${s.id}/members?format=csv`],
        ['GET', `/api/segments/${s.id}/history`],
        ['POST', `/api/segments/${s.id}/recompute`, {}],
        ['POST', `/api/segments/${s.id}/upload?mode=append`, `email\niso${tag}@example.com\n`, { 'content-type': 'text/csv' }],
        ['GET', `/api/segments/overlap?a=${s.id}&b=${other.id}`],
      ];
      for (const [method, url, body, headers] of requests) {
        const res = await ownerB.request(method, url, body, headers);
        expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(404);
      }
      expect((await ownerB.get('/api/segments')).body.segments.map((x: { id: string }) => x.id)).not.toContain(s.id);
      const preview = await ownerB.post('/api/segments/preview', { definition: { type: 'attribute', field: 'name', op: 'starts_with', value: `Iso${tag}` } });
      expect(preview.body.count).toBe(0);
      // B's upload of A's customer's e-mail matches nobody.
      const up = await ownerB.post(`/api/segments/${other.id}/upload?mode=append`, `email\niso${tag}@example.com\n`, { 'content-type': 'text/csv' });
      expect(up.body).toMatchObject({ matched: 0, errors: [{ line: 2, message: `no customer with email iso${tag}@example.com` }] });
      const { rows } = await getDb().db.execute(sql`select 1 from segment_members where workspace_id = ${b.workspace.id} and segment_id = ${s.id}`);
      expect(rows).toHaveLength(0);
    });
  });

  describe('starters', () => {
    it('creates the seven starters once, all valid in the definition language', async () => {
      const fresh = await createTestWorkspace(getDb(), 'Fresh');
      const owner = await loginClient(app, fresh.owner.email, TEST_PASSWORD);
      const first = await owner.post('/api/segments/starters');
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.created.map((s: { starterKey: string }) => s.starterKey)).toEqual([
        'vip',
        'at-risk-vip',
        'dormant-30d',
        'new-7d',
        'abandoned-cart-24h',
        'birthday-soon',
        'night-ads-consent',
      ]);
      const again = await owner.post('/api/segments/starters');
      expect(again.body).toMatchObject({ created: [], existing: 7 });
      for (const s of first.body.created as { id: string }[]) await recompute(fresh.workspace.id, s.id);
    });
  });
});
