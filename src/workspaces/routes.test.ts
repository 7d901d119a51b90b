// HTTP tests of the workspaces area: login, CSRF, keys, members, audit, roles and isolation.
// The role and isolation tables at the bottom are the pattern every later area follows.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addTestMember, createTestWorkspace, describeEachDb, TEST_PASSWORD, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/deps.ts';
import { createTestApp, keyClient, loginClient, makeClient, type Client, type Method } from '../http/test-client.ts';
import { can, ROLES, type Permission, type Role } from './roles.ts';

describeEachDb('workspaces API', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let ownerB: Client;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    a = await createTestWorkspace(getDb(), 'Shop A');
    b = await createTestWorkspace(getDb(), 'Shop B');
    ownerA = await loginClient(app, a.owner.email, TEST_PASSWORD);
    ownerB = await loginClient(app, b.owner.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app.close();
  });

  describe('login and session', () => {
    it('sets an HTTP-only SameSite session cookie and returns a CSRF token', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.owner.email.toUpperCase(), password: TEST_PASSWORD } });
      expect(res.statusCode).toBe(200);
      const cookie = res.cookies.find((c) => c.name === 'rapport_session')!;
      expect(cookie.httpOnly).toBe(true);
      expect(String(cookie.sameSite).toLowerCase()).toBe('lax');
      const body = res.json();
      expect(body.csrfToken).toMatch(/^[0-9a-f]{40}$/);
      expect(body.currentWorkspaceId).toBe(a.workspace.id);
      expect(body.user.email).toBe(a.owner.email);
      expect(JSON.stringify(body)).not.toContain('passwordHash');
    });

    it('refuses a wrong password without saying which part was wrong', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.owner.email, password: 'wrong password' } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'unauthenticated', message: 'E-mail or password is wrong' } });
      const unknown = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'nobody@x.io', password: 'wrong password' } });
      expect(unknown.json()).toEqual(res.json());
    });

    it('answers a malformed login body with 400 naming the field', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 42 } });
      expect(res.statusCode).toBe(400);
      const { error } = res.json();
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('body.password: is required');
      const notJson = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json().error.code).toBe('invalid_input');
    });

    it('stores passwords as argon2id hashes and sessions only as hashes', async () => {
      const { rows } = await getDb().db.execute(sql`select password_hash from users where email = ${a.owner.email}`);
      expect(String(rows[0]!.password_hash)).toMatch(/^\$argon2id\$/);
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.owner.email, password: TEST_PASSWORD } });
      const token = res.cookies.find((c) => c.name === 'rapport_session')!.value;
      const found = await getDb().db.execute(sql`select count(*)::int as n from sessions where token_hash = ${token}`);
      expect(found.rows[0]!.n).toBe(0);
    });

    it('GET /api/me describes the caller; without credentials it is 401', async () => {
      const me = await ownerA.get('/api/me');
      expect(me.status).toBe(200);
      expect(me.body.user.email).toBe(a.owner.email);
      expect(me.body.workspace.id).toBe(a.workspace.id);
      expect(me.body.role).toBe('owner');
      expect(me.body.permissions).toContain('keys.manage');
      const anon = await makeClient(app, {}).get('/api/me');
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('unauthenticated');
    });

    it('logout ends the session', async () => {
      const c = await loginClient(app, a.owner.email, TEST_PASSWORD);
      expect((await c.post('/api/auth/logout')).status).toBe(200);
      expect((await c.get('/api/me')).status).toBe(401);
    });
  });

  describe('session resolution', () => {
    const sessionsOf = (email: string) => sql`token_hash in (select s.token_hash from sessions s join users u on u.id = s.user_id where u.email = ${email})`;

    it('an expired session is 401 even with a valid cookie', async () => {
      const c = await loginClient(app, b.owner.email, TEST_PASSWORD);
      expect((await c.get('/api/me')).status).toBe(200);
      await getDb().db.execute(sql`update sessions set expires_at = now() - interval '1 second' where ${sessionsOf(b.owner.email)}`);
      const res = await c.get('/api/me');
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/expired/);
      ownerB = await loginClient(app, b.owner.email, TEST_PASSWORD);
    });

    it('X-Workspace-Id picks another workspace the user belongs to, with that role; one they are not in is 403', async () => {
      const user = await addTestMember(getDb(), a.workspace.id, 'viewer');
      const second = await createTestWorkspace(getDb(), 'Shop C');
      await getDb().db.execute(sql`insert into memberships (workspace_id, user_id, role) values (${second.workspace.id}, ${user.id}, 'analyst')`);
      const c = await loginClient(app, user.email, TEST_PASSWORD);
      expect((await c.get('/api/me', { 'x-workspace-id': a.workspace.id })).body.role).toBe('viewer');
      const other = await c.get('/api/me', { 'x-workspace-id': second.workspace.id });
      expect(other.status).toBe(200);
      expect(other.body).toMatchObject({ workspace: { id: second.workspace.id }, role: 'analyst' });
      const foreign = await c.get('/api/members', { 'x-workspace-id': b.workspace.id });
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.message).toMatch(/not a member/);
    });

    it('a session whose chosen workspace was deleted has no workspace until another is chosen', async () => {
      const gone = await createTestWorkspace(getDb(), 'Shop D');
      const c = await loginClient(app, gone.owner.email, TEST_PASSWORD);
      expect((await c.get('/api/members')).status).toBe(200);
      await getDb().db.execute(sql`update workspaces set deleted_at = now() where id = ${gone.workspace.id}`);
      const res = await c.get('/api/members');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/No workspace selected/);
      expect((await c.get('/api/me')).status).toBe(200);
    });
  });

  describe('CSRF', () => {
    it('refuses a cookie-authenticated write without the CSRF token', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.owner.email, password: TEST_PASSWORD } });
      const cookie = `rapport_session=${res.cookies.find((c) => c.name === 'rapport_session')!.value}`;
      const noToken = makeClient(app, { cookie });
      const attempt = await noToken.post('/api/keys', { kind: 'secret', name: 'csrf' });
      expect(attempt.status).toBe(403);
      expect(attempt.body.error.message).toContain('X-CSRF-Token');
      const wrong = makeClient(app, { cookie, 'x-csrf-token': 'f'.repeat(40) });
      expect((await wrong.post('/api/keys', { kind: 'secret', name: 'csrf' })).status).toBe(403);
      // Reads need no token.
      expect((await noToken.get('/api/keys')).status).toBe(200);
      const right = makeClient(app, { cookie, 'x-csrf-token': res.json().csrfToken });
      expect((await right.post('/api/keys', { kind: 'secret', name: 'csrf' })).status).toBe(201);
    });
  });

  describe('workspaces', () => {
    it('creates a workspace whose creator is owner, and lists only your own', async () => {
      const created = await ownerA.post('/api/workspaces', { name: 'Second shop' });
      expect(created.status).toBe(201);
      expect(created.body.role).toBe('owner');
      const listA = await ownerA.get('/api/workspaces');
      expect(listA.body.items.map((w: { name: string }) => w.name)).toEqual(expect.arrayContaining(['Shop A', 'Second shop']));
      const listB = await ownerB.get('/api/workspaces');
      expect(listB.body.items.map((w: { id: string }) => w.id)).toEqual([b.workspace.id]);
      const switched = await ownerA.put('/api/me/workspace', { workspaceId: created.body.id });
      expect(switched.status).toBe(200);
      expect((await ownerA.get('/api/me')).body.workspace.id).toBe(created.body.id);
      await ownerA.put('/api/me/workspace', { workspaceId: a.workspace.id });
    });

    it('rejects bad workspace input with 400', async () => {
      expect((await ownerA.post('/api/workspaces', { name: '' })).status).toBe(400);
      const tz = await ownerA.patch('/api/workspace', { timeZone: 'Mars/Olympus' });
      expect(tz.status).toBe(400);
      expect(tz.body.error.message).toContain('timeZone');
      const extra = await ownerA.patch('/api/workspace', { colour: 'red' });
      expect(extra.status).toBe(400);
      expect(extra.body.error.message).toContain('body.colour: is not a known field');
    });

    it('cannot switch to a workspace you are not in', async () => {
      const res = await ownerA.put('/api/me/workspace', { workspaceId: b.workspace.id });
      expect(res.status).toBe(403);
    });
  });

  describe('API keys', () => {
    it('shows a secret key once, stores only its hash, and the key works as Bearer until revoked', async () => {
      const created = await ownerA.post('/api/keys', { kind: 'secret', role: 'analyst', name: 'Reporting' });
      expect(created.status).toBe(201);
      const key: string = created.body.key;
      expect(key).toMatch(/^rk_[A-Za-z0-9]{40}$/);
      const list = await ownerA.get('/api/keys');
      expect(JSON.stringify(list.body)).not.toContain(key);
      expect(list.body.items.find((k: { id: string }) => k.id === created.body.id).prefix).toBe(key.slice(0, 9));
      const stored = await getDb().db.execute(sql`select key_hash from api_keys where id = ${created.body.id}`);
      expect(stored.rows[0]!.key_hash).not.toBe(key);

      const asKey = keyClient(app, key);
      const me = await asKey.get('/api/me');
      expect(me.status).toBe(200);
      expect(me.body.role).toBe('analyst');
      expect(me.body.workspace.id).toBe(a.workspace.id);
      expect((await asKey.get('/api/members')).status).toBe(200);
      expect((await asKey.get('/api/keys')).status).toBe(403); // analyst cannot manage keys

      expect((await ownerA.delete(`/api/keys/${created.body.id}`)).status).toBe(200);
      const after = await asKey.get('/api/me');
      expect(after.status).toBe(401);
      expect((await ownerA.delete(`/api/keys/${created.body.id}`)).status).toBe(404);
    });

    it('write keys cannot call the REST API', async () => {
      const created = await ownerA.post('/api/keys', { kind: 'write', name: 'Website' });
      expect(created.body.key).toMatch(/^wk_/);
      expect(created.body.role).toBeNull();
      const res = await keyClient(app, created.body.key).get('/api/members');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('write key');
    });

    it('validates key input', async () => {
      expect((await ownerA.post('/api/keys', { kind: 'public', name: 'x' })).status).toBe(400);
      expect((await ownerA.post('/api/keys', { kind: 'write', role: 'admin', name: 'x' })).status).toBe(400);
      expect((await ownerA.post('/api/keys', { kind: 'secret', role: 'owner', name: 'x' })).status).toBe(400);
      expect((await ownerA.post('/api/keys', { kind: 'secret' })).body.error.message).toContain('body.name: is required');
      expect((await ownerA.delete('/api/keys/not-a-uuid')).status).toBe(400);
      const garbage = await keyClient(app, 'rk_doesnotexist').get('/api/me');
      expect(garbage.status).toBe(401);
      const badScheme = await makeClient(app, { authorization: 'Token abc' }).get('/api/me');
      expect(badScheme.status).toBe(401);
    });
  });

  describe('members', () => {
    it('adds an invited member who can then log in with their role; keeps at least one owner', async () => {
      const email = `new-${Date.now()}@test.rapport.local`;
      const invited = await ownerA.post('/api/invitations', { email, role: 'marketer' });
      expect(invited.status).toBe(201);
      const joined = await app.inject({ method: 'POST', url: '/api/invitations/register', payload: { token: invited.body.url.split('#')[1], password: 'first password', name: 'Min-ji' } });
      expect(joined.statusCode).toBe(200);
      const added = { body: { userId: joined.json().user.id as string } };
      const member = await loginClient(app, email, 'first password');
      expect((await member.get('/api/me')).body.role).toBe('marketer');
      expect((await member.post('/api/keys', { kind: 'write', name: 'nope' })).status).toBe(403);

      const changed = await ownerA.patch(`/api/members/${added.body.userId}`, { role: 'viewer' });
      expect(changed.status).toBe(200);
      expect((await member.get('/api/me')).body.role).toBe('viewer');

      const lastOwner = await ownerA.patch(`/api/members/${a.owner.id}`, { role: 'admin' });
      expect(lastOwner.status).toBe(409);
      expect((await ownerA.post('/api/invitations', { email, role: 'viewer' })).status).toBe(409);
      expect((await ownerA.post('/api/invitations', { email: 'not-an-email', role: 'viewer' })).status).toBe(400);
      expect((await ownerA.post('/api/invitations', { email, role: 'emperor' })).status).toBe(400);

      expect((await ownerA.delete(`/api/members/${added.body.userId}`)).status).toBe(200);
      expect((await member.get('/api/me')).body.role).toBeNull();
      expect((await member.get('/api/members')).status).toBe(403);
    });

    it('an admin cannot make owners or demote an owner', async () => {
      const admin = await addTestMember(getDb(), a.workspace.id, 'admin');
      const asAdmin = await loginClient(app, admin.email, TEST_PASSWORD);
      const viewer = await addTestMember(getDb(), a.workspace.id, 'viewer');
      expect((await asAdmin.patch(`/api/members/${viewer.id}`, { role: 'owner' })).status).toBe(403);
      expect((await asAdmin.patch(`/api/members/${a.owner.id}`, { role: 'viewer' })).status).toBe(403);
      expect((await asAdmin.patch(`/api/members/${viewer.id}`, { role: 'support' })).status).toBe(200);
    });
  });

  describe('audit log', () => {
    it('records who changed what, with a diff and no secrets', async () => {
      const created = await ownerA.post('/api/keys', { kind: 'secret', role: 'viewer', name: 'Audited' });
      await ownerA.patch('/api/workspace', { name: 'Shop A (renamed)' });
      const log = await ownerA.get(`/api/audit?entityType=api_key&entityId=${created.body.id}`);
      expect(log.status).toBe(200);
      expect(log.body.items).toHaveLength(1);
      const entry = log.body.items[0];
      expect(entry).toMatchObject({ action: 'api_key.created', entityType: 'api_key', actor: { type: 'user', id: a.owner.id, label: a.owner.email } });
      expect(entry.diff.name).toEqual({ from: null, to: 'Audited' });
      expect(JSON.stringify(log.body)).not.toContain(created.body.key);
      const renamed = await ownerA.get('/api/audit?action=workspace.updated');
      expect(renamed.body.items[0].diff.name).toEqual({ from: 'Shop A', to: 'Shop A (renamed)' });
      await ownerA.patch('/api/workspace', { name: 'Shop A' });
    });

    it('pages with a cursor', async () => {
      const first = await ownerA.get('/api/audit?limit=2');
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toBe(first.body.items[1].id);
      const second = await ownerA.get(`/api/audit?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items[0].id < first.body.items[1].id).toBe(true);
      expect((await ownerA.get('/api/audit?limit=0')).status).toBe(400);
    });
  });

  // Every workspace-scoped endpoint of this area, with the permission it needs. Later areas
  // add their own table like this one.
  const endpoints: { method: Method; url: (ids: { userId: string; keyId: string }) => string; permission: Permission; body?: unknown }[] = [
    { method: 'GET', url: () => '/api/workspace', permission: 'workspace.read' },
    { method: 'PATCH', url: () => '/api/workspace', permission: 'workspace.manage', body: { currency: 'KRW' } },
    { method: 'GET', url: () => '/api/members', permission: 'members.read' },
    { method: 'POST', url: () => '/api/invitations', permission: 'members.manage', body: { email: 'x@y.io', role: 'emperor' } },
    { method: 'GET', url: () => '/api/invitations', permission: 'members.manage' },
    { method: 'DELETE', url: () => '/api/invitations/00000000-0000-7000-8000-000000000000', permission: 'members.manage' },
    { method: 'PATCH', url: (i) => `/api/members/${i.userId}`, permission: 'members.manage', body: { role: 'viewer' } },
    { method: 'DELETE', url: () => '/api/members/00000000-0000-7000-8000-000000000000', permission: 'members.manage' },
    { method: 'GET', url: () => '/api/keys', permission: 'keys.manage' },
    { method: 'POST', url: () => '/api/keys', permission: 'keys.manage', body: { kind: 'nope', name: 'x' } },
    { method: 'DELETE', url: (i) => `/api/keys/${i.keyId}`, permission: 'keys.manage' },
    { method: 'GET', url: () => '/api/audit', permission: 'audit.read' },
  ];

  describe('roles', () => {
    const clients = {} as Record<Role, Client>;
    let ids: { userId: string; keyId: string };
    beforeAll(async () => {
      const ws = await createTestWorkspace(getDb(), 'Roles shop');
      clients.owner = await loginClient(app, ws.owner.email, TEST_PASSWORD);
      for (const role of ROLES.filter((r) => r !== 'owner')) {
        const user = await addTestMember(getDb(), ws.workspace.id, role);
        clients[role] = await loginClient(app, user.email, TEST_PASSWORD);
      }
      const target = await addTestMember(getDb(), ws.workspace.id, 'viewer');
      const key = await clients.owner.post('/api/keys', { kind: 'write', name: 'target' });
      ids = { userId: target.id, keyId: key.body.id };
    });

    const cases = ROLES.flatMap((role) => endpoints.map((e) => ({ role, ...e })));
    it.each(cases)('$role → $method $permission', async ({ role, method, url, body }) => {
      const res = await clients[role].request(method, url(ids), body);
      const permission = endpoints.find((e) => e.method === method && e.url === url)!.permission;
      if (can(role, permission)) expect(res.status, JSON.stringify(res.body)).not.toBe(403);
      else {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(permission);
      }
    });
  });

  describe('workspace isolation', () => {
    let bKeyId: string;
    let bSecret: string;
    beforeAll(async () => {
      const key = await ownerB.post('/api/keys', { kind: 'secret', role: 'admin', name: 'B admin' });
      bKeyId = key.body.id;
      bSecret = key.body.key;
    });

    it.each(endpoints)("A's owner cannot reach B through X-Workspace-Id: $method $permission", async ({ method, url, body }) => {
      const res = await ownerA.request(method, url({ userId: b.owner.id, keyId: bKeyId }), body, { 'x-workspace-id': b.workspace.id });
      expect(res.status).toBe(403);
    });

    it.each(endpoints)("B's secret key cannot reach A: $method $permission", async ({ method, url, body }) => {
      const res = await keyClient(app, bSecret).request(method, url({ userId: a.owner.id, keyId: bKeyId }), body, { 'x-workspace-id': a.workspace.id });
      expect(res.status).toBe(403);
    });

    it("ids from B are not found from A's workspace", async () => {
      expect((await ownerA.delete(`/api/keys/${bKeyId}`)).status).toBe(404);
      expect((await ownerA.patch(`/api/members/${b.owner.id}`, { role: 'viewer' })).status).toBe(404);
      expect((await ownerA.delete(`/api/members/${b.owner.id}`)).status).toBe(404);
      const keysA = await ownerA.get('/api/keys');
      expect(keysA.body.items.some((k: { id: string }) => k.id === bKeyId)).toBe(false);
      const auditA = await ownerA.get('/api/audit?limit=500');
      expect(auditA.body.items.some((e: { entityId: string }) => e.entityId === bKeyId || e.entityId === b.workspace.id)).toBe(false);
      // B's key still works: nothing A did touched it.
      expect((await keyClient(app, bSecret).get('/api/me')).status).toBe(200);
    });
  });

  describe('HTTP conventions', () => {
    it('health reports the database and migrations', async () => {
      const res = await makeClient(app, {}).get('/api/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', database: { reachable: true }, migrations: { current: true } });
    });

    it('serves OpenAPI 3 listing the routes', async () => {
      const res = await makeClient(app, {}).get('/api/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/keys', '/api/keys/{id}', '/api/audit', '/api/health']));
    });

    it('answers unknown API routes with a JSON 404', async () => {
      const res = await ownerA.get('/api/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });

    it('rejects a malformed X-Workspace-Id', async () => {
      const res = await ownerA.get('/api/members', { 'x-workspace-id': 'abc' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('X-Workspace-Id');
    });
  });
});

describeEachDb('rate limits', (getDb) => {
  it('limits login attempts per address and API key use per key', async () => {
    const app = await createTestApp(getDb(), { RAPPORT_LOGIN_RATE_LIMIT: '3', RAPPORT_API_RATE_LIMIT: '5' });
    try {
      const ws = await createTestWorkspace(getDb());
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ws.owner.email, password: 'wrong password' } });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) {
          expect(res.headers['retry-after']).toBeDefined();
          expect(res.json().error.code).toBe('rate_limited');
        }
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      // Half a minute later the message states the wait that is left, not a window.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 30_000 });
      const later = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ws.owner.email, password: 'wrong password' } });
      vi.useRealTimers();
      const wait = Number(later.headers['retry-after']);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(30);
      expect(later.json().error.message).toBe(`Too many requests: retry in ${wait} s (at most 3 a minute)`);

      const owner = await loginClient(app, ws.owner.email, TEST_PASSWORD).catch(() => undefined);
      expect(owner).toBeUndefined(); // still limited for this address
      const { db } = getDb();
      const { createApiKey } = await import('./api-keys.ts');
      const { key } = await createApiKey(db, { workspaceId: ws.workspace.id, actor: { type: 'system', label: 't' }, actorRole: null, kind: 'secret', name: 'k' });
      const results: number[] = [];
      for (let i = 0; i < 6; i++) results.push((await keyClient(app, key).get('/api/me')).status);
      expect(results).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await app.close();
    }
  });
});

describeEachDb('through a real socket', (getDb) => {
  it('logs in with fetch, keeps the cookie and calls the API', async () => {
    const app = await createTestApp(getDb());
    try {
      const ws = await createTestWorkspace(getDb());
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as import('node:net').AddressInfo;
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ws.owner.email, password: TEST_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const setCookie = login.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/rapport_session=[^;]+;.*HttpOnly/i);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('rapport_session='))!.split(';')[0]!;
      const key = await fetch(`${base}/api/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ kind: 'secret', role: 'viewer', name: 'socket' }),
      });
      expect(key.status).toBe(201);
      const secret = ((await key.json()) as { key: string }).key;
      const members = await fetch(`${base}/api/members`, { headers: { authorization: `Bearer ${secret}` } });
      expect(members.status).toBe(200);
      expect(((await members.json()) as { items: { email: string }[] }).items.map((m) => m.email)).toEqual([ws.owner.email]);
    } finally {
      await app.close();
    }
  });
});
