// HTTP tests of the event explorer: list and live stream, one event with its customer, names,
// volume; personal data masked by role, workspaces isolated, malformed queries refused.
import { sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connection.ts';
import { describeEachDb, TEST_PASSWORD, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, keyClient, loginClient, makeClient } from '../http/test-client.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { ROLES, type Role } from '../workspaces/roles.ts';

type Row = { type?: string; name: string | null; at?: string; customerId?: string | null; anonymousId?: string; userId?: string; properties?: Record<string, unknown>; context?: Record<string, unknown> };

async function insertEvents(db: Database, workspaceId: string, rows: Row[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of rows) {
    const id = uuidv7();
    ids.push(id);
    await db.db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, anonymous_id, user_id, type, name, properties, context, timestamp)
      values (${workspaceId}, ${id}, ${uuidv7()}, ${r.customerId ?? null}, ${r.anonymousId ?? null}, ${r.userId ?? null}, ${r.type ?? 'track'}, ${r.name},
        ${JSON.stringify(r.properties ?? {})}::jsonb, ${JSON.stringify(r.context ?? {})}::jsonb, ${r.at ?? new Date().toISOString()}::timestamptz)`);
  }
  return ids;
}

const PII_ROLES: readonly Role[] = ['owner', 'admin', 'marketer', 'sales', 'support'];

describeEachDb('event explorer API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;
  let customerId: string;
  let orderId: string;
  let identifyId: string;
  let bEventId: string;

  beforeAll(async () => {
    const db = getDb();
    ({ app, a, b, ownerA, ownerB, as } = await createTwoShops(db));
    const created = await ownerA.post('/api/customers', { name: '김민지', email: 'minji.kim@naver.com', phone: '010-1234-5678' });
    expect(created.status).toBe(201);
    customerId = created.body.id;
    const ids = await insertEvents(db, a.workspace.id, [
      {
        name: 'Order Completed',
        customerId,
        userId: 'minji.kim@naver.com',
        at: '2025-05-02T01:00:00Z',
        properties: { order_id: 'A-1', total: 39000, email: 'minji.kim@naver.com', products: [{ sku: 'SH-1', name: 'Linen shirt' }] },
        context: { ip: '203.0.113.7', traits: { email: 'minji.kim@naver.com', name: '김민지' }, page: { path: '/checkout' } },
      },
      { type: 'identify', name: null, customerId, userId: 'u-1', at: '2025-05-02T00:30:00Z', properties: { name: '김민지', plan: 'gold' } },
      { name: 'Product Viewed', anonymousId: 'anon-a', at: '2025-05-01T10:00:00Z', properties: { sku: 'SH-1', name: 'Linen shirt' } },
    ]);
    [orderId, identifyId] = [ids[0]!, ids[1]!];
    bEventId = (await insertEvents(db, b.workspace.id, [{ name: 'Secret B Event', at: '2025-05-02T00:00:00Z', properties: { sku: 'B-1' } }]))[0]!;
  });
  afterAll(async () => {
    await app.close();
  });

  describe('GET /api/events', () => {
    it('lists newest received first with a cursor for older ones and one for the stream', async () => {
      const first = await ownerA.get('/api/events?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.items.map((e: { name: string | null }) => e.name)).toEqual(['Product Viewed', null]);
      expect(first.body.streamCursor).toEqual(expect.any(String));
      const rest = await ownerA.get(`/api/events?limit=2&cursor=${first.body.nextCursor}`);
      expect(rest.body.items.map((e: { id: string }) => e.id)).toEqual([orderId]);
      expect(rest.body.items[0].customer).toMatchObject({ id: customerId, name: '김민지' });
      expect(first.body.items[0].customer).toBeNull();
      expect(rest.body.nextCursor).toBeNull();
    });

    it('streams events received after the stream cursor, with the filters of the list', async () => {
      const start = await ownerA.get('/api/events?name=Cart%20Viewed');
      expect(start.body.items).toEqual([]);
      const [fresh] = await insertEvents(getDb(), a.workspace.id, [{ name: 'Cart Viewed', anonymousId: 'anon-s' }, { name: 'Other Thing' }]);
      const next = await ownerA.get(`/api/events?name=Cart%20Viewed&after=${start.body.streamCursor}`);
      expect(next.status).toBe(200);
      expect(next.body.items.map((e: { id: string }) => e.id)).toEqual([fresh]);
      expect(next.body).toMatchObject({ truncated: false, nextCursor: null });
    });

    it('filters by type, name, customer, anonymous id and event time', async () => {
      const ids = async (qs: string) => ((await ownerA.get(`/api/events?${qs}`)).body.items as { id: string }[]).map((e) => e.id);
      expect(await ids('type=identify')).toEqual([identifyId]);
      expect(await ids(`customerId=${customerId}`)).toEqual([identifyId, orderId]);
      expect(await ids(`customerId=${customerId}&name=Order%20Completed`)).toEqual([orderId]);
      expect((await ids('anonymousId=anon-a')).length).toBe(1);
      expect(await ids(`from=${encodeURIComponent('2025-05-02T00:00:00Z')}&to=${encodeURIComponent('2025-05-02T01:00:00Z')}`)).toEqual([identifyId]);
    });

    it.each([
      ['type=click', 'query.type'],
      ['customerId=42', 'query.customerId'],
      ['from=yesterday', 'query.from'],
      ['limit=0', 'query.limit'],
      ['limit=1000', 'query.limit'],
      ['colour=red', 'query.colour: is not a known field'],
      ['cursor=garbage', 'query.cursor: is not a cursor of this list'],
      ['after=garbage', 'query.after: is not a cursor of this list'],
      [`cursor=${Buffer.from(JSON.stringify({ before: uuidv7() })).toString('base64url')}&after=${Buffer.from(JSON.stringify({ after: uuidv7() })).toString('base64url')}`, 'query.after: cannot be combined'],
      [`from=${encodeURIComponent('2025-05-02T00:00:00Z')}&to=${encodeURIComponent('2025-05-01T00:00:00Z')}`, 'query.to: must be later than query.from'],
    ])('refuses %s with a 400 naming the field', async (qs, message) => {
      const res = await ownerA.get(`/api/events?${qs}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.message).toContain(message);
    });
  });

  describe('GET /api/events/:id', () => {
    it('gives the full event with its context and customer', async () => {
      const res = await ownerA.get(`/api/events/${orderId}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: orderId,
        type: 'track',
        name: 'Order Completed',
        userId: 'minji.kim@naver.com',
        properties: { order_id: 'A-1', total: 39000, email: 'minji.kim@naver.com' },
        context: { ip: '203.0.113.7', page: { path: '/checkout' } },
        customer: { id: customerId, name: '김민지', email: 'minji.kim@naver.com', phone: '+821012345678', masked: false },
      });
      expect(res.body.messageId).toEqual(expect.any(String));
    });

    it('answers 404 for an unknown event and 400 for an id that is not one', async () => {
      expect((await ownerA.get(`/api/events/${uuidv7()}`)).status).toBe(404);
      const bad = await ownerA.get('/api/events/not-an-id');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('params.id');
    });
  });

  describe('roles', () => {
    it.each(ROLES)('a %s reads events; personal data is masked without pii.read', async (role) => {
      const client = as[role]!;
      const pii = PII_ROLES.includes(role);
      const one = await client.get(`/api/events/${orderId}`);
      expect(one.status).toBe(200);
      expect(one.body.customer.masked).toBe(!pii);
      expect(one.body.customer.email).toBe(pii ? 'minji.kim@naver.com' : 'mi***@naver.com');
      expect(one.body.userId).toBe(pii ? 'minji.kim@naver.com' : 'mi***@naver.com');
      expect(one.body.properties.email).toBe(pii ? 'minji.kim@naver.com' : 'mi***@naver.com');
      expect(one.body.properties.products[0].name).toBe('Linen shirt');
      expect(one.body.context.ip).toBe(pii ? '203.0.113.7' : '***');
      expect(one.body.context.traits.name).toBe(pii ? '김민지' : '***');
      const list = await client.get(`/api/events?customerId=${customerId}`);
      expect(list.status).toBe(200);
      const identify = list.body.items.find((e: { id: string }) => e.id === identifyId);
      expect(identify.properties).toEqual(pii ? { name: '김민지', plan: 'gold' } : { name: '***', plan: 'gold' });
      expect(identify.customer).toEqual({ id: customerId, name: '김민지', email: pii ? 'minji.kim@naver.com' : 'mi***@naver.com', externalId: null });
      for (const path of ['/api/events/names', '/api/events/volume?name=Order%20Completed']) expect((await client.get(path)).status).toBe(200);
    });

    it('refuses callers without a session, write keys, and secret keys mask by their role', async () => {
      const anonymous = makeClient(app, {});
      for (const path of ['/api/events', `/api/events/${orderId}`, '/api/events/names', '/api/events/volume?name=x']) {
        expect((await anonymous.get(path)).status).toBe(401);
      }
      const write = await createApiKey(getDb().db, { workspaceId: a.workspace.id, actor: systemActor, actorRole: 'owner', kind: 'write', name: 'site' });
      expect((await keyClient(app, write.key).get('/api/events')).status).toBe(403);
      const secret = await createApiKey(getDb().db, { workspaceId: a.workspace.id, actor: systemActor, actorRole: 'owner', kind: 'secret', role: 'analyst', name: 'bi' });
      const res = await keyClient(app, secret.key).get(`/api/events/${orderId}`);
      expect(res.status).toBe(200);
      expect(res.body.properties.email).toBe('mi***@naver.com');
    });
  });

  describe('workspace isolation', () => {
    it("never shows one workspace's events, names or volume to another", async () => {
      const listA = await ownerA.get('/api/events?limit=200');
      expect(listA.body.items.map((e: { id: string }) => e.id)).not.toContain(bEventId);
      expect((await ownerA.get(`/api/events/${bEventId}`)).status).toBe(404);
      expect((await ownerB.get(`/api/events/${orderId}`)).status).toBe(404);
      const listB = await ownerB.get('/api/events');
      expect(listB.body.items.map((e: { id: string }) => e.id)).toEqual([bEventId]);
      expect((await ownerB.get(`/api/events?customerId=${customerId}`)).body.items).toEqual([]);
      const namesA = (await ownerA.get('/api/events/names?days=365')).body.items.map((n: { name: string }) => n.name);
      expect(namesA).not.toContain('Secret B Event');
      expect((await ownerB.get('/api/events/names')).body.items.map((n: { name: string }) => n.name)).toEqual(['Secret B Event']);
      const range = `from=${encodeURIComponent('2025-05-01T00:00:00Z')}&to=${encodeURIComponent('2025-05-03T00:00:00Z')}`;
      expect((await ownerA.get(`/api/events/volume?name=Secret%20B%20Event&${range}`)).body.total).toBe(0);
      expect((await ownerB.get(`/api/events/volume?name=Secret%20B%20Event&${range}`)).body.total).toBe(1);
      // A member of B naming workspace A is refused outright.
      const sneaky = await loginClient(app, b.owner.email, TEST_PASSWORD, a.workspace.id).catch((err: Error) => err);
      if (sneaky instanceof Error) throw sneaky;
      expect((await sneaky.get('/api/events')).status).toBe(403);
      expect((await sneaky.get(`/api/events/${orderId}`)).status).toBe(403);
    });
  });

  describe('GET /api/events/names and /volume', () => {
    it('lists names with counts over the last days asked for, and when each was last seen', async () => {
      await insertEvents(getDb(), a.workspace.id, [{ name: 'Recent Name' }, { name: 'Recent Name' }]);
      const res = await ownerA.get('/api/events/names?days=1');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ days: 1, truncated: false });
      expect(res.body.items[0]).toMatchObject({ name: 'Recent Name', count: 2 });
      expect(res.body.items).toContainEqual({ name: 'Order Completed', count: 0, lastSeenAt: '2025-05-02T01:00:00.000Z' });
    });

    it('counts one name per day of the workspace time zone', async () => {
      const range = `from=${encodeURIComponent('2025-04-30T15:00:00Z')}&to=${encodeURIComponent('2025-05-02T15:00:00Z')}`;
      const res = await ownerA.get(`/api/events/volume?name=Order%20Completed&interval=day&${range}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Order Completed', interval: 'day', timeZone: 'Asia/Seoul', total: 1 });
      expect(res.body.buckets).toEqual([
        { start: '2025-04-30T15:00:00.000Z', count: 0 },
        { start: '2025-05-01T15:00:00.000Z', count: 1 },
      ]);
    });

    it.each([
      ['/api/events/names?days=0', 'query.days'],
      ['/api/events/names?days=many', 'query.days'],
      ['/api/events/volume', 'query.name: is required'],
      ['/api/events/volume?name=x&interval=week', 'query.interval'],
      ['/api/events/volume?name=x&from=soon', 'query.from'],
      [`/api/events/volume?name=x&interval=hour&from=${encodeURIComponent('2025-01-01T00:00:00Z')}&to=${encodeURIComponent('2025-03-01T00:00:00Z')}`, 'at most 31 days'],
    ])('refuses %s with a 400 naming the field', async (path, message) => {
      const res = await ownerA.get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    });
  });
});
