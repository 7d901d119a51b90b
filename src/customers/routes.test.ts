// HTTP tests of the customers area: profiles, identities, stitching, duplicates and merge,
// consent, preferences, notes, timeline, privacy, roles and workspace isolation.
import { sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb, TEST_PASSWORD, type TestWorkspace } from '../db/test-helpers.ts';
import type { Database } from '../db/connection.ts';
import type { App } from '../http/deps.ts';
import { type Client, createTwoShops, loginClient, makeClient } from '../http/test-client.ts';
import type { Role } from '../workspaces/roles.ts';

async function insertEvents(db: Database, workspaceId: string, rows: { customerId?: string | null; anonymousId?: string; name: string; properties?: Record<string, unknown>; at?: Date }[]) {
  for (const r of rows) {
    await db.db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, anonymous_id, type, name, properties, context, timestamp)
      values (${workspaceId}, ${uuidv7()}, ${uuidv7()}, ${r.customerId ?? null}, ${r.anonymousId ?? null}, 'track', ${r.name},
        ${JSON.stringify(r.properties ?? {})}::jsonb, '{}'::jsonb, ${(r.at ?? new Date()).toISOString()}::timestamptz)`);
  }
}

async function eventCount(db: Database, workspaceId: string, customerId: string): Promise<number> {
  const { rows } = await db.db.execute<{ n: number }>(sql`select count(*)::int as n from events where workspace_id = ${workspaceId} and customer_id = ${customerId}`);
  return rows[0]!.n;
}

describeEachDb('customers API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;
  let as: Record<Role, Client>;

  beforeAll(async () => {
    ({ app, a, b, ownerA, ownerB, as } = await createTwoShops(getDb()));
    const attr = (body: object) => ownerA.post('/api/customer-attributes', body);
    expect((await attr({ key: 'region', label: 'Region', type: 'enum', options: ['서울', '경기', '부산'], purpose: 'service' })).status).toBe(201);
    expect((await attr({ key: 'height_cm', label: 'Height', type: 'number', purpose: 'analytics' })).status).toBe(201);
    expect((await attr({ key: 'styles', label: 'Styles', type: 'list', purpose: 'marketing' })).status).toBe(201);
  });
  afterAll(async () => {
    await app.close();
  });

  let seq = 0;
  async function create(client: Client, body: Record<string, unknown> = {}) {
    seq++;
    const res = await client.post('/api/customers', { name: `고객${seq}`, email: `c${seq}-${Date.now()}@example.com`, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  describe('profiles', () => {
    it('creates a customer with normalised e-mail and phone, attributes and identities', async () => {
      const res = await ownerA.post('/api/customers', {
        name: '김민지',
        email: '  MinJi.Kim@Naver.com ',
        phone: '010-1234-5678',
        birthday: '1994-03-07',
        gender: 'F',
        lifecycleStage: 'customer',
        tags: ['vip', 'vip', 'newsletter'],
        attributes: { region: '서울', height_cm: 162 },
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted' }],
        preferences: [{ category: 'shoes', weight: 0.8 }],
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: '김민지', email: 'minji.kim@naver.com', phone: '+821012345678', tags: ['vip', 'newsletter'], attributes: { region: '서울', height_cm: 162 }, masked: false });
      expect(res.body.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort()).toEqual(['email:minji.kim@naver.com', 'phone:+821012345678']);
      expect(res.body.consents.find((c: { channel: string; purpose: string }) => c.channel === 'email' && c.purpose === 'marketing').status).toBe('granted');
      expect(res.body.consents).toHaveLength(16);
      expect(res.body.preferences).toEqual([expect.objectContaining({ category: 'shoes', weight: 0.8, source: 'survey' })]);
    });

    it('refuses an e-mail, phone or external id another customer holds, naming the holder', async () => {
      const first = await create(ownerA, { externalId: 'EXT-1', phone: '+82 10 2222 3333' });
      const dup = await ownerA.post('/api/customers', { name: 'x', email: first.email.toUpperCase() });
      expect(dup.status).toBe(409);
      expect(dup.body.error.details).toEqual({ field: 'email', customerId: first.id });
      expect((await ownerA.post('/api/customers', { phone: '01022223333' })).body.error.details.customerId).toBe(first.id);
      expect((await ownerA.post('/api/customers', { externalId: 'EXT-1' })).status).toBe(409);
      // Another workspace may hold the same values.
      expect((await ownerB.post('/api/customers', { email: first.email, externalId: 'EXT-1' })).status).toBe(201);
    });

    it.each([
      [{ email: 'not-an-email' }, 'body.email: "not-an-email" is not an e-mail address'],
      [{ phone: '12' }, 'body.phone: "12" is not a phone number'],
      [{ birthday: '2999-01-01' }, 'body.birthday:'],
      [{ birthday: '1990-02-30' }, 'body.birthday:'],
      [{ timeZone: 'Mars/Olympus' }, 'body.timeZone:'],
      [{ attributes: { region: '제주' } }, 'body.attributes.region: must be one of 서울, 경기, 부산'],
      [{ attributes: { height_cm: 'tall' } }, 'body.attributes.height_cm: must be a number'],
      [{ attributes: { shoe_size: 240 } }, 'body.attributes.shoe_size: is not a defined custom attribute'],
      [{ gender: 'female' }, 'body.gender'],
      [{ lifecycleStage: 'whale' }, 'body.lifecycleStage'],
      [{ nickname: 'x' }, 'body.nickname: is not a known field'],
    ])('answers bad input %j with a 400 naming the field', async (body, message) => {
      const res = await ownerA.post('/api/customers', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.message).toContain(message);
    });

    it('PATCH changes given fields, null clears, attributes merge key by key, e-mail identity follows', async () => {
      const c = await create(ownerA, { attributes: { region: '경기', height_cm: 170 }, styles: undefined });
      const res = await ownerA.patch(`/api/customers/${c.id}`, { email: 'new.address@example.com', name: null, attributes: { height_cm: null, styles: ['minimal', 'casual'] } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ email: 'new.address@example.com', name: null, attributes: { region: '경기', styles: ['minimal', 'casual'] } });
      expect(res.body.attributes).not.toHaveProperty('height_cm');
      const emails = res.body.identities.filter((i: { kind: string }) => i.kind === 'email').map((i: { value: string }) => i.value);
      expect(emails).toEqual(['new.address@example.com']);
      // The old address is free again.
      expect((await ownerA.post('/api/customers', { email: c.email })).status).toBe(201);
      const audit = await ownerA.get(`/api/audit?entityType=customer&entityId=${c.id}`);
      expect(audit.body.items[0].action).toBe('customer.update');
      expect(audit.body.items[0].diff.email).toEqual({ from: c.email, to: 'new.address@example.com' });
    });

    it('soft-deletes and restores; a deleted customer is 404 and leaves the list', async () => {
      const c = await create(ownerA);
      expect((await ownerA.delete(`/api/customers/${c.id}`)).status).toBe(200);
      expect((await ownerA.get(`/api/customers/${c.id}`)).status).toBe(404);
      const deleted = await ownerA.get('/api/customers?deleted=true&limit=200');
      expect(deleted.body.items.map((x: { id: string }) => x.id)).toContain(c.id);
      expect((await ownerA.post(`/api/customers/${c.id}/restore`)).body.deletedAt).toBeNull();
      expect((await ownerA.get(`/api/customers/${c.id}`)).status).toBe(200);
    });
  });

  describe('list', () => {
    let ws: TestWorkspace;
    let owner: Client;
    beforeAll(async () => {
      ws = await createTestWorkspace(getDb(), 'List shop');
      owner = await loginClient(app, ws.owner.email, TEST_PASSWORD);
      await owner.post('/api/customer-attributes', { key: 'region', label: 'Region', type: 'enum', options: ['서울', '경기'], purpose: 'service' });
      await owner.post('/api/customer-attributes', { key: 'height_cm', label: 'Height', type: 'number', purpose: 'analytics' });
      const people = [
        { name: '김민지', email: 'minji@naver.com', phone: '010-1111-5678', gender: 'F', lifecycleStage: 'customer', tags: ['vip'], attributes: { region: '서울', height_cm: 160 } },
        { name: '김민준', email: 'minjun@gmail.com', phone: '010-2222-0001', gender: 'M', lifecycleStage: 'lead', tags: [], attributes: { region: '경기', height_cm: 175 } },
        { name: '이서연', email: 'seoyeon@daum.net', phone: '010-3333-0002', gender: 'F', lifecycleStage: 'customer', tags: ['vip', 'student'], attributes: { region: '경기', height_cm: 165 } },
        { name: null, email: 'anon@kakao.com', gender: 'X', lifecycleStage: 'subscriber', tags: ['newsletter'] },
        { name: '박지호', email: 'jiho@naver.com', gender: 'M', lifecycleStage: 'churned', attributes: { height_cm: 180 } },
      ];
      for (const p of people) expect((await owner.post('/api/customers', p)).status).toBe(201);
    });
    const ids = (res: { body: { items: { name: string | null }[] } }) => res.body.items.map((i) => i.name);

    it.each([
      ['q=김민', ['김민준', '김민지']],
      ['q=민지', ['김민지']],
      [`q=${encodeURIComponent('+82 10-1111-5678')}`, ['김민지']],
      ['q=010-1111', ['김민지']],
      ['q=5678', ['김민지']],
      ['q=NAVER.COM', ['박지호', '김민지']],
      ['stage=customer', ['이서연', '김민지']],
      ['stage=customer&stage=lead', ['이서연', '김민준', '김민지']],
      ['tag=vip&tag=student', ['이서연']],
      [`filter=${encodeURIComponent(JSON.stringify([{ field: 'gender', op: 'eq', value: 'F' }]))}`, ['이서연', '김민지']],
      [`filter=${encodeURIComponent(JSON.stringify([{ field: 'attributes.region', op: 'eq', value: '경기' }]))}`, ['이서연', '김민준']],
      [`filter=${encodeURIComponent(JSON.stringify([{ field: 'attributes.height_cm', op: 'gte', value: 170 }]))}`, ['박지호', '김민준']],
      [`filter=${encodeURIComponent(JSON.stringify([{ field: 'attributes.region', op: 'not_exists' }]))}`, ['박지호', null]],
      [`filter=${encodeURIComponent(JSON.stringify([{ field: 'name', op: 'starts_with', value: '이' }]))}`, ['이서연']],
      [`filter=${encodeURIComponent(JSON.stringify([{ field: 'tags', op: 'in', value: ['student', 'newsletter'] }]))}`, [null, '이서연']],
      [`filter=${encodeURIComponent(JSON.stringify([{ field: 'email', op: 'contains', value: 'gmail' }]))}`, ['김민준']],
    ])('GET /api/customers?%s', async (query, expected) => {
      const res = await owner.get(`/api/customers?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(ids(res)).toEqual(expected);
      expect(res.body.total).toBe(expected.length);
      expect(res.body.totalExact).toBe(true);
    });

    it('sorts by name with nulls last and pages through every row exactly once', async () => {
      const seen: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const res: { status: number; body: { items: { name: string | null }[]; nextCursor: string | null } } = await owner.get(`/api/customers?sort=name&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...ids(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['김민준', '김민지', '박지호', '이서연', null]);
      const desc: (string | null)[] = [];
      cursor = null;
      do {
        const res: { body: { items: { name: string | null }[]; nextCursor: string | null } } = await owner.get(`/api/customers?sort=-name&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        desc.push(...ids(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(desc).toEqual([null, '이서연', '박지호', '김민지', '김민준']);
    });

    it('pages through customers created by one statement (same created_at to the microsecond)', async () => {
      const ws2 = await createTestWorkspace(getDb(), 'Bulk paging');
      const client = await loginClient(app, ws2.owner.email, TEST_PASSWORD);
      const bulk = await client.post('/api/customers/bulk', { customers: Array.from({ length: 7 }, (_, i) => ({ name: `일괄${i}` })) });
      expect(bulk.body.created).toBe(7);
      for (const sort of ['-createdAt', 'createdAt', 'updatedAt']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await client.get(`/api/customers?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...res.body.items.map((i) => i.id));
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(new Set(seen).size).toBe(7);
        expect(seen).toHaveLength(7);
      }
    });

    it.each([
      ['sort=age', 'query.sort: must be one of'],
      ['filter=nope', 'query.filter: is not JSON'],
      [`filter=${encodeURIComponent('[{"field":"shoe","op":"eq","value":1}]')}`, 'query.filter[0].field: "shoe" is not a customer field'],
      [`filter=${encodeURIComponent('[{"field":"name","op":"like","value":1}]')}`, 'query.filter[0].op: must be one of'],
      [`filter=${encodeURIComponent('[{"field":"name","op":"eq"}]')}`, 'query.filter[0].value: is required'],
      ['cursor=garbage', 'query.cursor:'],
      ['limit=1000', 'query.limit'],
      ['stage=whale', 'query.stage: must be one of'],
    ])('answers a bad list query (%s) with 400', async (query, message) => {
      const res = await owner.get(`/api/customers?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    });
  });

  describe('bulk upsert', () => {
    it('creates, updates by e-mail or external id, and reports failed rows while keeping the good ones', async () => {
      const existing = await create(ownerA, { externalId: 'BULK-1' });
      const res = await ownerA.post('/api/customers/bulk', {
        customers: [
          { externalId: 'BULK-1', name: '갱신됨' },
          { email: 'bulk-new@example.com', name: '신규', consents: [{ channel: 'sms', purpose: 'marketing', status: 'granted' }] },
          { email: 'broken@', name: '오류' },
          { email: 'bulk-new@example.com', lifecycleStage: 'customer' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ created: 1, updated: 2, failed: 1 });
      expect(res.body.results[0]).toMatchObject({ status: 'updated', id: existing.id });
      expect(res.body.results[2].error).toContain('customers[2].email');
      expect(res.body.results[3].id).toBe(res.body.results[1].id);
      const created = await ownerA.get(`/api/customers/${res.body.results[1].id}`);
      expect(created.body).toMatchObject({ name: '신규', lifecycleStage: 'customer' });
      expect((await ownerA.get(`/api/customers/${existing.id}`)).body.name).toBe('갱신됨');
      expect((await ownerA.post('/api/customers/bulk', { customers: [] })).status).toBe(400);
    });
  });

  describe('consent', () => {
    it('keeps the current state and an append-only history; unchanged decisions add nothing', async () => {
      const c = await create(ownerA);
      const put = (consents: object[]) => ownerA.put(`/api/customers/${c.id}/consents`, { consents });
      await put([{ channel: 'sms', purpose: 'marketing', status: 'granted', source: 'signup_form' }]);
      await put([{ channel: 'sms', purpose: 'marketing', status: 'granted' }]);
      const res = await put([
        { channel: 'sms', purpose: 'marketing', status: 'denied' },
        { channel: 'kakao', purpose: 'night_ads', status: 'granted' },
      ]);
      expect(res.status).toBe(200);
      const state = (ch: string, p: string) => res.body.current.find((x: { channel: string; purpose: string }) => x.channel === ch && x.purpose === p).status;
      expect(state('sms', 'marketing')).toBe('denied');
      expect(state('kakao', 'night_ads')).toBe('granted');
      expect(state('push', 'transactional')).toBe('unknown');
      expect(res.body.history.map((h: { channel: string; status: string; previousStatus: string | null }) => `${h.channel}:${h.previousStatus}→${h.status}`)).toEqual(
        expect.arrayContaining(['sms:null→granted', 'sms:granted→denied', 'kakao:null→granted']),
      );
      expect(res.body.history).toHaveLength(3);
      expect((await put([{ channel: 'fax', purpose: 'marketing', status: 'granted' }])).status).toBe(400);
    });

    it('one-click unsubscribe denies marketing on the channel; a forged token is refused', async () => {
      const c = await create(ownerA, { consents: [{ channel: 'email', purpose: 'marketing', status: 'granted' }] });
      const link = await ownerA.get(`/api/customers/${c.id}/unsubscribe-link?channel=email`);
      expect(link.status).toBe(200);
      expect(link.body.url).toContain(`/u/${link.body.token}`);
      const page = await app.inject({ method: 'GET', url: `/u/${link.body.token}` });
      expect(page.statusCode).toBe(200);
      expect(page.payload).toContain('<form method="post"');
      const done = await app.inject({ method: 'POST', url: `/u/${link.body.token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      expect(done.statusCode).toBe(200);
      const consents = await ownerA.get(`/api/customers/${c.id}/consents`);
      expect(consents.body.current.find((x: { channel: string; purpose: string }) => x.channel === 'email' && x.purpose === 'marketing')).toMatchObject({ status: 'denied', source: 'unsubscribe_link' });
      const forged = link.body.token.slice(0, -3) + (link.body.token.endsWith('AAA') ? 'BBB' : 'AAA');
      expect((await app.inject({ method: 'POST', url: `/u/${forged}` })).statusCode).toBe(404);
      // A token of workspace A names A's customer only: B's key cannot be used to forge one.
      expect((await app.inject({ method: 'GET', url: '/u/not-a-real-token-at-all' })).statusCode).toBe(404);
    });
  });

  describe('preferences and notes', () => {
    it('keeps stated and inferred preferences apart', async () => {
      const c = await create(ownerA, { preferences: [{ category: 'outer', weight: 0.9 }] });
      await ownerA.put(`/api/customers/${c.id}/preferences`, { source: 'inferred', preferences: [{ category: 'shoes', weight: 0.4 }] });
      const res = await ownerA.put(`/api/customers/${c.id}/preferences`, { source: 'survey', preferences: [{ category: 'bag', weight: 0.7 }] });
      expect(res.body.items.map((p: { source: string; category: string }) => `${p.source}:${p.category}`)).toEqual(['inferred:shoes', 'survey:bag']);
      expect((await ownerA.put(`/api/customers/${c.id}/preferences`, { source: 'survey', preferences: [{ category: 'x', weight: 2 }] })).status).toBe(400);
    });

    it('adds and deletes notes', async () => {
      const c = await create(ownerA);
      const note = await ownerA.post(`/api/customers/${c.id}/notes`, { body: '사이즈 교환 문의' });
      expect(note.status).toBe(201);
      expect((await ownerA.get(`/api/customers/${c.id}/notes`)).body.items).toHaveLength(1);
      expect((await ownerA.delete(`/api/customers/${c.id}/notes/${note.body.id}`)).status).toBe(200);
      expect((await ownerA.get(`/api/customers/${c.id}/notes`)).body.items).toHaveLength(0);
      expect((await ownerA.post(`/api/customers/${c.id}/notes`, { body: '   ' })).status).toBe(400);
    });
  });

  describe('identities and stitching', () => {
    it('an identified anonymous visitor becomes the known customer, with their earlier events', async () => {
      const known = await create(ownerA, { externalId: `U-${seq}` });
      const anonymousId = `anon-${uuidv7()}`;
      await insertEvents(getDb(), a.workspace.id, [
        { anonymousId, name: 'Product Viewed', properties: { sku: 'A1' } },
        { anonymousId, name: 'Product Added' },
      ]);
      const res = await ownerA.post('/api/customers/identify', { anonymousId, userId: 'user-77', email: known.email });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.customer.id).toBe(known.id);
      expect(res.body.created).toBe(false);
      expect(await eventCount(getDb(), a.workspace.id, known.id)).toBe(2);
      const identities = await ownerA.get(`/api/customers/${known.id}/identities`);
      expect(identities.body.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['anonymous_id', 'email', 'external', 'user_id']);
    });

    it('an anonymous profile is merged into the known one when the visitor identifies', async () => {
      const anonymousId = `anon-${uuidv7()}`;
      const first = await ownerA.post('/api/customers/identify', { anonymousId });
      expect(first.body.created).toBe(true);
      const anonProfile = first.body.customer.id;
      await insertEvents(getDb(), a.workspace.id, [{ customerId: anonProfile, anonymousId, name: 'Page Viewed' }]);
      const known = await create(ownerA);
      const res = await ownerA.post('/api/customers/identify', { anonymousId, email: known.email, traits: { name: '확인된 고객' } });
      expect(res.body.customer.id).toBe(known.id);
      expect(res.body.merged).toEqual([anonProfile]);
      expect(res.body.customer.name).toBe('확인된 고객');
      expect(await eventCount(getDb(), a.workspace.id, known.id)).toBe(1);
      const gone = await ownerA.get(`/api/customers/${anonProfile}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.details.mergedIntoId).toBe(known.id);
    });

    it('links and unlinks identities; another customer’s identity is a 409', async () => {
      const x = await create(ownerA);
      const y = await create(ownerA);
      const added = await ownerA.post(`/api/customers/${x.id}/identities`, { kind: 'phone', value: '010 9876 5432' });
      expect(added.status).toBe(201);
      expect(added.body.value).toBe('+821098765432');
      expect((await ownerA.post(`/api/customers/${y.id}/identities`, { kind: 'phone', value: '+821098765432' })).status).toBe(409);
      expect((await ownerA.delete(`/api/customers/${x.id}/identities/${added.body.id}`)).status).toBe(200);
      const own = (await ownerA.get(`/api/customers/${x.id}/identities`)).body.items.find((i: { kind: string }) => i.kind === 'email');
      expect((await ownerA.delete(`/api/customers/${x.id}/identities/${own.id}`)).status).toBe(409);
      expect((await ownerA.post('/api/customers/identify', {})).status).toBe(400);
    });
  });

  describe('duplicates and merge', () => {
    it('finds likely duplicates with reasons and a score, and forgets dismissed pairs', async () => {
      const tag = uuidv7().slice(-8);
      const x = await create(ownerA, { name: '정하은', email: `ha.eun.jung${tag}@gmail.com`, birthday: '1995-05-05' });
      const y = await create(ownerA, { name: '정하은', email: `haeunjung${tag}+shop@gmail.com`, birthday: '1995-05-05' });
      const res = await ownerA.get(`/api/customers/duplicates?customerId=${x.id}`);
      expect(res.status).toBe(200);
      const pair = res.body.items.find((p: { a: { id: string }; b: { id: string } }) => [p.a.id, p.b.id].includes(y.id));
      expect(pair.reasons).toEqual(['email', 'name_birthday']);
      expect(pair.score).toBeCloseTo(1 - 0.05 * 0.2, 3);
      const all = await ownerA.get('/api/customers/duplicates?limit=500');
      expect(all.body.items.some((p: { a: { id: string }; b: { id: string } }) => [p.a.id, p.b.id].sort().join() === [x.id, y.id].sort().join())).toBe(true);
      expect((await ownerA.post('/api/customers/duplicates/dismiss', { aId: y.id, bId: x.id })).status).toBe(200);
      expect((await ownerA.get(`/api/customers/duplicates?customerId=${x.id}`)).body.items).toHaveLength(0);
    });

    it('merges everything into the survivor, settles fields by rule or choice, and undoes it', async () => {
      const db = getDb();
      const survivor = await create(ownerA, { name: '한지민', phone: '010-5555-0001', tags: ['vip'], attributes: { region: '서울' }, consents: [{ channel: 'sms', purpose: 'marketing', status: 'granted' }] });
      const other = await create(ownerA, { name: '한지민B', birthday: '1990-01-01', tags: ['newsletter'], attributes: { region: '부산', height_cm: 158 } });
      // The other profile changed last: its non-empty values win unless chosen otherwise.
      await ownerA.put(`/api/customers/${other.id}/consents`, { consents: [{ channel: 'sms', purpose: 'marketing', status: 'denied' }] });
      await ownerA.patch(`/api/customers/${other.id}`, { lifecycleStage: 'loyal' });
      await ownerA.post(`/api/customers/${other.id}/notes`, { body: '메모' });
      await insertEvents(db, a.workspace.id, [{ customerId: survivor.id, name: 'Order Completed' }, { customerId: other.id, name: 'Product Viewed' }, { customerId: other.id, name: 'Product Viewed' }]);

      const res = await ownerA.post(`/api/customers/${survivor.id}/merge`, { otherId: other.id, fields: { name: 'survivor' } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const merged = res.body.customer;
      expect(merged).toMatchObject({ id: survivor.id, name: '한지민', birthday: '1990-01-01', lifecycleStage: 'loyal', phone: '+821055550001', email: other.email });
      expect(merged.tags.sort()).toEqual(['newsletter', 'vip']);
      expect(merged.attributes).toEqual({ region: '부산', height_cm: 158 });
      expect(merged.identities.filter((i: { kind: string }) => i.kind === 'email')).toHaveLength(2);
      expect(merged.consents.find((c: { channel: string; purpose: string }) => c.channel === 'sms' && c.purpose === 'marketing').status).toBe('denied');
      expect(await eventCount(db, a.workspace.id, survivor.id)).toBe(3);
      expect((await ownerA.get(`/api/customers/${survivor.id}/notes`)).body.items).toHaveLength(1);
      expect((await ownerA.get(`/api/customers/${other.id}`)).body.error.details.mergedIntoId).toBe(survivor.id);
      expect(res.body.merge.undoableUntil > new Date(Date.now() + 29 * 86_400_000).toISOString()).toBe(true);

      const undo = await ownerA.post(`/api/customers/merges/${res.body.merge.id}/undo`);
      expect(undo.status, JSON.stringify(undo.body)).toBe(200);
      expect(undo.body.survivor).toMatchObject({ name: '한지민', birthday: null, lifecycleStage: null, email: survivor.email, tags: ['vip'], attributes: { region: '서울' } });
      expect(undo.body.restored).toMatchObject({ id: other.id, name: '한지민B', lifecycleStage: 'loyal', deletedAt: null });
      expect(await eventCount(db, a.workspace.id, survivor.id)).toBe(1);
      expect(await eventCount(db, a.workspace.id, other.id)).toBe(2);
      const back = await ownerA.get(`/api/customers/${other.id}`);
      expect(back.body.identities.map((i: { value: string }) => i.value)).toEqual([other.email]);
      expect(back.body.consents.find((c: { channel: string; purpose: string }) => c.channel === 'sms' && c.purpose === 'marketing').status).toBe('denied');
      const s = await ownerA.get(`/api/customers/${survivor.id}`);
      expect(s.body.consents.find((c: { channel: string; purpose: string }) => c.channel === 'sms' && c.purpose === 'marketing').status).toBe('granted');
      expect((await ownerA.get(`/api/customers/${other.id}/notes`)).body.items).toHaveLength(1);
      expect((await ownerA.post(`/api/customers/merges/${res.body.merge.id}/undo`)).status).toBe(409);
      const merges = await ownerA.get(`/api/customers/${survivor.id}/merges`);
      expect(merges.body.items[0].undoneAt).not.toBeNull();
    });

    it('refuses to merge a customer with itself or with a missing one', async () => {
      const x = await create(ownerA);
      expect((await ownerA.post(`/api/customers/${x.id}/merge`, { otherId: x.id })).status).toBe(400);
      expect((await ownerA.post(`/api/customers/${x.id}/merge`, { otherId: uuidv7() })).status).toBe(400);
      expect((await ownerA.post(`/api/customers/${x.id}/merge`, { otherId: 'nope' })).status).toBe(400);
    });
  });

  describe('timeline', () => {
    it('interleaves profile changes, notes, consent and events newest first, and pages without gaps', async () => {
      const c = await create(ownerA);
      await ownerA.patch(`/api/customers/${c.id}`, { lifecycleStage: 'customer' });
      await ownerA.post(`/api/customers/${c.id}/notes`, { body: '첫 구매 감사 전화' });
      await ownerA.put(`/api/customers/${c.id}/consents`, { consents: [{ channel: 'push', purpose: 'marketing', status: 'granted' }] });
      await insertEvents(getDb(), a.workspace.id, [
        { customerId: c.id, name: 'Order Completed', at: new Date(Date.now() + 1000) },
        { customerId: c.id, name: 'Product Viewed', at: new Date(Date.now() - 86_400_000) },
      ]);
      const full = await ownerA.get(`/api/customers/${c.id}/timeline?limit=100`);
      expect(full.status).toBe(200);
      const kinds = full.body.items.map((i: { kind: string }) => i.kind);
      expect(kinds[0]).toBe('event');
      expect(kinds).toEqual(expect.arrayContaining(['profile.created', 'profile.updated', 'note', 'consent', 'event', 'profile.first_seen']));
      expect(kinds.at(-1)).toBe('event');
      const times = full.body.items.map((i: { at: string }) => i.at);
      expect([...times].sort().reverse()).toEqual(times);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await ownerA.get(`/api/customers/${c.id}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...res.body.items.map((i) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(full.body.items.map((i: { id: string }) => i.id));
    });
  });

  describe('privacy', () => {
    it('erase removes personal data everywhere and leaves a tombstone without it', async () => {
      const db = getDb();
      const c = await create(ownerA, { name: '삭제요청', phone: '010-7777-8888', attributes: { region: '서울' } });
      await ownerA.post(`/api/customers/${c.id}/notes`, { body: `연락처 ${c.email}` });
      await insertEvents(db, a.workspace.id, [{ customerId: c.id, name: 'Order Completed', properties: { email: c.email, total: 39000 } }]);
      expect((await as.marketer!.post(`/api/customers/${c.id}/erase`)).status).toBe(403);
      const res = await ownerA.post(`/api/customers/${c.id}/erase`);
      expect(res.status).toBe(200);
      expect((await ownerA.get(`/api/customers/${c.id}`)).status).toBe(404);
      const { rows } = await db.db.execute(sql`
        select (select count(*)::int from customers where workspace_id = ${a.workspace.id} and (email = ${c.email} or name = '삭제요청')) as profiles,
               (select count(*)::int from customer_identities where workspace_id = ${a.workspace.id} and customer_id = ${c.id}) as identities,
               (select count(*)::int from customer_notes where workspace_id = ${a.workspace.id} and customer_id = ${c.id}) as notes,
               (select count(*)::int from audit_log where workspace_id = ${a.workspace.id} and (before::text like ${`%${c.email}%`} or after::text like ${`%${c.email}%`} or diff::text like ${`%${c.email}%`})) as audit,
               (select count(*)::int from events where workspace_id = ${a.workspace.id} and properties::text like ${`%${c.email}%`}) as event_pii,
               (select count(*)::int from events where workspace_id = ${a.workspace.id} and customer_id = ${c.id} and (properties->>'total')::int = 39000) as kept_events`);
      expect(rows[0]).toEqual({ profiles: 0, identities: 0, notes: 0, audit: 0, event_pii: 0, kept_events: 1 });
      const tomb = await ownerA.get(`/api/audit?entityType=customer&entityId=${c.id}&action=customer.erase`);
      expect(tomb.body.items).toHaveLength(1);
      expect(JSON.stringify(tomb.body.items[0])).not.toContain(c.email);
      // The address can sign up again as someone new.
      expect((await ownerA.post('/api/customers', { email: c.email })).status).toBe(201);
    });

    it('export returns everything held about the customer', async () => {
      const c = await create(ownerA, { consents: [{ channel: 'email', purpose: 'marketing', status: 'granted' }] });
      await ownerA.post(`/api/customers/${c.id}/notes`, { body: 'VIP 응대' });
      await insertEvents(getDb(), a.workspace.id, [{ customerId: c.id, name: 'Product Viewed' }]);
      const res = await ownerA.get(`/api/customers/${c.id}/export`);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toContain('attachment');
      expect(res.body.profile.email).toBe(c.email);
      expect(res.body.identities.length).toBeGreaterThan(0);
      expect(res.body.consentHistory).toHaveLength(1);
      expect(res.body.notes[0].body).toBe('VIP 응대');
      expect(res.body.events[0].name).toBe('Product Viewed');
      expect((await as.viewer!.get(`/api/customers/${c.id}/export`)).status).toBe(403);
    });
  });

  describe('roles', () => {
    it('masks e-mail and phone for roles without pii.read, and keeps them out of search', async () => {
      const c = await create(ownerA, { name: '마스킹', email: 'masking.test@naver.com', phone: '010-4321-9876' });
      for (const role of ['analyst', 'viewer'] as const) {
        const res = await as[role]!.get(`/api/customers/${c.id}`);
        expect(res.body).toMatchObject({ email: 'ma***@naver.com', phone: '+8210****9876', masked: true });
        expect(JSON.stringify(res.body)).not.toContain('masking.test');
        expect((await as[role]!.get('/api/customers?q=masking.test')).body.items).toHaveLength(0);
        expect((await as[role]!.get('/api/customers?q=마스킹')).body.items).toHaveLength(1);
        expect((await as[role]!.get(`/api/customers?filter=${encodeURIComponent('[{"field":"email","op":"eq","value":"masking.test@naver.com"}]')}`)).status).toBe(403);
      }
      expect((await as.support!.get(`/api/customers/${c.id}`)).body.email).toBe('masking.test@naver.com');
    });

    const writes: [string, (c: Client, id: string) => Promise<{ status: number }>][] = [
      ['create', (c) => c.post('/api/customers', { name: 'x' })],
      ['patch', (c, id) => c.patch(`/api/customers/${id}`, { name: 'y' })],
      ['consents', (c, id) => c.put(`/api/customers/${id}/consents`, { consents: [{ channel: 'email', purpose: 'marketing', status: 'denied' }] })],
      ['notes', (c, id) => c.post(`/api/customers/${id}/notes`, { body: 'n' })],
      ['bulk', (c) => c.post('/api/customers/bulk', { customers: [{ name: 'z' }] })],
    ];
    it.each(['owner', 'admin', 'marketer', 'sales', 'support', 'analyst', 'viewer'] as const)('%s: reads always, writes only with customers.write', async (role) => {
      const c = await create(ownerA);
      const client = as[role]!;
      expect((await client.get('/api/customers')).status).toBe(200);
      expect((await client.get(`/api/customers/${c.id}/timeline`)).status).toBe(200);
      const mayWrite = !['analyst', 'viewer'].includes(role);
      for (const [, call] of writes) expect((await call(client, c.id)).status < 300).toBe(mayWrite);
      const attr = await client.post('/api/customer-attributes', { key: `k_${role}`, label: 'k', type: 'text', purpose: 'service' });
      expect(attr.status).toBe(['owner', 'admin'].includes(role) ? 201 : 403);
    });

    it('refuses calls without credentials', async () => {
      expect((await makeClient(app, {}).get('/api/customers')).status).toBe(401);
    });
  });

  describe('workspace isolation', () => {
    let foreign: { id: string; email: string };
    beforeAll(async () => {
      foreign = await create(ownerB, { name: '다른가게고객', phone: '010-1212-3434' });
    });

    it('never lists or finds another workspace’s customers', async () => {
      expect((await ownerA.get('/api/customers?q=다른가게고객')).body.items).toHaveLength(0);
      expect((await ownerA.get(`/api/customers?q=${encodeURIComponent(foreign.email)}`)).body.items).toHaveLength(0);
      const pairs = await ownerA.get('/api/customers/duplicates?limit=500');
      expect(JSON.stringify(pairs.body)).not.toContain(foreign.id);
    });

    it.each([
      ['GET', '/api/customers/:id'],
      ['PATCH', '/api/customers/:id'],
      ['DELETE', '/api/customers/:id'],
      ['GET', '/api/customers/:id/identities'],
      ['GET', '/api/customers/:id/consents'],
      ['PUT', '/api/customers/:id/consents'],
      ['GET', '/api/customers/:id/preferences'],
      ['GET', '/api/customers/:id/notes'],
      ['POST', '/api/customers/:id/notes'],
      ['GET', '/api/customers/:id/timeline'],
      ['GET', '/api/customers/:id/merges'],
      ['GET', '/api/customers/:id/export'],
      ['POST', '/api/customers/:id/erase'],
      ['POST', '/api/customers/:id/restore'],
      ['GET', '/api/customers/:id/unsubscribe-link?channel=email'],
    ] as const)('%s %s with another workspace’s id is 404', async (method, path) => {
      const bodies: Record<string, unknown> = {
        PATCH: { name: 'hijack' },
        PUT: { consents: [{ channel: 'email', purpose: 'marketing', status: 'denied' }] },
        POST: { body: 'x' },
      };
      const res = await ownerA.request(method, path.replace(':id', foreign.id), path.endsWith('/erase') || path.endsWith('/restore') ? {} : bodies[method]);
      expect(res.status).toBe(404);
      const still = await ownerB.get(`/api/customers/${foreign.id}`);
      expect(still.body.name).toBe('다른가게고객');
    });

    it('cannot merge, link or dismiss across workspaces', async () => {
      const mine = await create(ownerA);
      expect((await ownerA.post(`/api/customers/${mine.id}/merge`, { otherId: foreign.id })).status).toBe(400);
      expect((await ownerA.post('/api/customers/duplicates/dismiss', { aId: mine.id, bId: foreign.id })).status).toBe(404);
      // The same phone in workspace A is free: identities are per workspace.
      expect((await ownerA.post(`/api/customers/${mine.id}/identities`, { kind: 'phone', value: '010-1212-3434' })).status).toBe(201);
      const attrs = await ownerB.get('/api/customer-attributes');
      expect(attrs.body.items).toHaveLength(0);
    });
  });
});
