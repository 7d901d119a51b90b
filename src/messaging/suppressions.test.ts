import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { createTwoShops, type TwoShops } from '../http/test-client.ts';
import { ROLES } from '../workspaces/roles.ts';
import { addCustomers, addChannel } from './delivery-test-fixture.ts';
import { checkMessages } from './gate.ts';
import { addSuppression, isSuppressedMany, listSuppressions, maskHint, removeSuppression, suppressionKindOf } from './suppressions.ts';

describe('suppressionKindOf', () => {
  it.each([
    ['email', 'email'],
    ['sms', 'sms'],
    ['kakao', 'sms'],
    ['push', 'push'],
    ['webhook', null],
  ] as const)('%s → %s', (kind, expected) => expect(suppressionKindOf(kind)).toBe(expected));
});

describeEachDb('suppression list', (getDb) => {
  it('keeps a hash and a hint, finds addresses however they are written, and is what the gate refuses', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    const first = await addSuppression(db, { workspaceId: ws, kind: 'email', address: 'Kim.Minji@Example.com', reason: 'hard_bounce', detail: '5.1.1' });
    expect(first.created).toBe(true);
    expect(first.suppression).toMatchObject({ kind: 'email', hint: 'ki***@example.com', reason: 'hard_bounce', detail: '5.1.1' });
    expect(first.suppression.addressHash).toMatch(/^[0-9a-f]{64}$/);
    // Listed again: the first reason stays.
    const again = await addSuppression(db, { workspaceId: ws, kind: 'email', address: ' kim.minji@example.com ', reason: 'complaint' });
    expect(again).toMatchObject({ created: false, suppression: { reason: 'hard_bounce' } });
    // KakaoTalk and SMS share the phone number's entry.
    await addSuppression(db, { workspaceId: ws, kind: 'kakao', address: '+821012345678', reason: 'manual' });

    const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from suppressions where workspace_id = ${ws}::uuid and (hint ilike '%minji%' or detail ilike '%minji%')`);
    expect(Number(rows[0]!.n)).toBe(0);

    expect([...(await isSuppressedMany(db, ws, 'email', ['KIM.MINJI@example.com', 'other@example.com', 'kim.minji@example.com']))]).toEqual(['KIM.MINJI@example.com', 'kim.minji@example.com']);
    expect([...(await isSuppressedMany(db, ws, 'sms', ['+821012345678', '+821099998888']))]).toEqual(['+821012345678']);
    expect([...(await isSuppressedMany(db, ws, 'kakao', ['+821012345678']))]).toEqual(['+821012345678']);
    expect((await isSuppressedMany(db, ws, 'push', ['+821012345678'])).size).toBe(0);
    expect((await isSuppressedMany(db, ws, 'webhook', ['https://x.example/'])).size).toBe(0);
    // Another workspace's list is its own.
    const other = (await createTestWorkspace(getDb(), 'Other')).workspace.id;
    expect((await isSuppressedMany(db, other, 'email', ['kim.minji@example.com'])).size).toBe(0);

    // The gate refuses what the list holds, even a transactional message.
    const [customerId] = await addCustomers(db, ws, [{ email: 'kim.minji@example.com', name: 'Minji' }]);
    await addChannel(db, ws, { kind: 'email', provider: 'sandbox' });
    const [result] = await checkMessages(db, [{ workspaceId: ws, customerId: customerId!, kind: 'email', purpose: 'transactional' }]);
    expect(result!.verdict).toEqual({ status: 'suppressed', reason: 'suppressed_address' });
    await removeSuppression(db, { workspaceId: ws, kind: 'email', addressHash: first.suppression.addressHash });
    const [after] = await checkMessages(db, [{ workspaceId: ws, customerId: customerId!, kind: 'email', purpose: 'transactional' }]);
    expect(after!.verdict).toBeNull();
  });

  it('pages newest first and finds one address by hash', async () => {
    const { db } = getDb();
    const ws = (await createTestWorkspace(getDb())).workspace.id;
    for (let i = 0; i < 7; i++) await addSuppression(db, { workspaceId: ws, kind: 'email', address: `p${i}@example.com`, reason: i % 2 ? 'complaint' : 'manual' });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 10; n++) {
      const page = await listSuppressions(db, { workspaceId: ws, limit: 3, cursor });
      seen.push(...page.items.map((s) => s.hint));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect((await listSuppressions(db, { workspaceId: ws, reason: 'complaint', limit: 50 })).items).toHaveLength(3);
    const found = await listSuppressions(db, { workspaceId: ws, address: 'P3@Example.com', limit: 50 });
    expect(found.items.map((s) => s.hint)).toEqual(['p3***@example.com']);
    expect(maskHint(found.items[0]!).hint).toBe('***@example.com');
    await expect(listSuppressions(db, { workspaceId: ws, limit: 3, cursor: 'junk' })).rejects.toThrow(/query.cursor/);
  });
});

describeEachDb('suppression routes', (getDb) => {
  let shops: TwoShops;
  // A member per role, each logged in (password hashing): slow when the machine is busy.
  beforeAll(async () => {
    shops = await createTwoShops(getDb());
  }, 180_000);
  afterAll(async () => {
    await shops.app.close();
  });

  it('lists, adds and removes; a bad address is a 400 naming the field', async () => {
    const { ownerA } = shops;
    const added = await ownerA.post('/api/suppressions', { kind: 'sms', address: '010-1234-5678', detail: 'asked by phone' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ kind: 'sms', hint: '+8210****5678', reason: 'manual', detail: 'asked by phone' });
    expect((await ownerA.post('/api/suppressions', { kind: 'sms', address: '+82 10 1234 5678' })).status).toBe(200);
    const bad = await ownerA.post('/api/suppressions', { kind: 'email', address: 'not an address' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.address');
    const list = await ownerA.get('/api/suppressions?kind=sms');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect((await ownerA.get('/api/suppressions?address=01012345678')).body.items).toHaveLength(1);
    const del = await ownerA.delete(`/api/suppressions/sms/${added.body.addressHash}`);
    expect(del.status).toBe(200);
    expect((await ownerA.delete(`/api/suppressions/sms/${added.body.addressHash}`)).status).toBe(404);
    expect((await ownerA.get('/api/suppressions')).body.items).toHaveLength(0);
    // Added and removed are in the audit log, with the hint only.
    const { rows } = await getDb().db.execute<{ action: string; text: string }>(
      sql`select action, a::text as text from audit_log a where workspace_id = ${shops.a.workspace.id}::uuid and entity_type = 'suppression' order by at`,
    );
    expect(rows.map((r) => r.action)).toEqual(['suppression.add', 'suppression.remove']);
    expect(rows.some((r) => r.text.includes('12345678'))).toBe(false);
  });

  it('answers bad input with a 4xx naming it, never a 5xx', async () => {
    const { ownerA } = shops;
    const cases: [string, string, unknown, RegExp][] = [
      ['GET', '/api/suppressions?cursor=bm90IGEgY3Vyc29y', undefined, /query.cursor/],
      ['GET', '/api/suppressions?kind=kakao', undefined, /kind/],
      ['GET', '/api/suppressions?limit=0', undefined, /limit/],
      ['POST', '/api/suppressions', { kind: 'sms', address: 'call me' }, /body.address/],
      ['POST', '/api/suppressions', { kind: 'push', address: '   ' }, /body.address/],
      ['POST', '/api/suppressions', { kind: 'email', address: 'a@example.com', extra: 1 }, /extra|body/],
      ['POST', '/api/suppressions', { kind: 'email', address: 'a\u0000b@example.com' }, /address|body/],
      ['DELETE', '/api/suppressions/email/not-a-hash', undefined, /addressHash/],
      ['DELETE', `/api/suppressions/webhook/${'a'.repeat(64)}`, undefined, /kind/],
    ];
    for (const [method, url, body, named] of cases) {
      const res = await ownerA.request(method as 'GET', url, body);
      expect(res.status, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${url}`).toBeLessThan(500);
      expect(JSON.stringify(res.body), `${method} ${url}`).toMatch(named);
    }
    // An address that looks like nothing is still looked up (and found nowhere).
    expect((await ownerA.get(`/api/suppressions?address=${encodeURIComponent('🙂'.repeat(100))}`)).body.items).toEqual([]);
  });

  it("keeps each workspace's list to itself", async () => {
    const { ownerA, ownerB } = shops;
    const theirs = await ownerB.post('/api/suppressions', { kind: 'email', address: 'b-only@example.com' });
    expect(theirs.status).toBe(201);
    expect((await ownerA.get('/api/suppressions?address=b-only@example.com')).body.items).toEqual([]);
    expect((await ownerA.get('/api/suppressions')).body.items.map((s: { addressHash: string }) => s.addressHash)).not.toContain(theirs.body.addressHash);
    expect((await ownerA.delete(`/api/suppressions/email/${theirs.body.addressHash}`)).status).toBe(404);
    expect((await ownerB.get('/api/suppressions?address=b-only@example.com')).body.items).toHaveLength(1);
  });

  it('lets every role read (hints masked without pii.read) and only messaging.write change', async () => {
    const { ownerA, as } = shops;
    const added = await ownerA.post('/api/suppressions', { kind: 'email', address: 'roles@example.com' });
    expect(added.status).toBe(201);
    const changers = new Set(['owner', 'admin', 'marketer']);
    const seesPii = new Set(['owner', 'admin', 'marketer', 'sales', 'support']);
    for (const role of ROLES) {
      const client = as[role];
      const list = await client.get('/api/suppressions?kind=email');
      expect(list.status, role).toBe(200);
      const hint = list.body.items.find((s: { addressHash: string }) => s.addressHash === added.body.addressHash)?.hint;
      expect(hint, role).toBe(seesPii.has(role) ? 'ro***@example.com' : '***@example.com');
      const post = await client.post('/api/suppressions', { kind: 'email', address: `${role}@example.com` });
      expect(post.status, role).toBe(changers.has(role) ? 201 : 403);
      const del = await client.delete(`/api/suppressions/email/${'0'.repeat(64)}`);
      expect(del.status, role).toBe(changers.has(role) ? 404 : 403);
    }
  }, 120_000);
});
