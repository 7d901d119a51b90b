// People join by invitation: inviting tells nothing about accounts, nobody is added without
// accepting, and only the invited e-mail can accept.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { createTestWorkspace, describeEachDb, TEST_PASSWORD, uniqueEmail, type TestWorkspace } from '../db/test-helpers.ts';
import type { App } from '../http/app.ts';
import { createTestApp, loginClient, makeClient, roleClients, type Client } from '../http/test-client.ts';
import type { Role } from './roles.ts';

describeEachDb('invitations', (getDb) => {
  let app: App;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let ownerA: Client;
  let as: Record<Role, Client>;

  beforeAll(async () => {
    app = await createTestApp(getDb(), { RAPPORT_PUBLIC_URL: 'https://crm.example.com' });
    a = await createTestWorkspace(getDb(), 'Invite A');
    b = await createTestWorkspace(getDb(), 'Invite B');
    ownerA = await loginClient(app, a.owner.email, TEST_PASSWORD);
    as = await roleClients(app, getDb(), a, ownerA);
  });
  afterAll(async () => {
    await app.close();
  });
  afterEach(() => clock.reset());

  const anonymous = () => makeClient(app, {});
  const tokenOf = (res: { body: { url: string } }) => res.body.url.split('#')[1]!;

  it('no longer adds an existing account directly, as owner or otherwise', async () => {
    const direct = await ownerA.post('/api/members', { email: b.owner.email, role: 'owner' });
    expect(direct.status).toBe(404);
    expect((await ownerA.get('/api/members')).body.items.map((m: { email: string }) => m.email)).not.toContain(b.owner.email);
    const bOwner = await loginClient(app, b.owner.email, TEST_PASSWORD);
    expect((await bOwner.get('/api/workspaces')).body.items.map((w: { id: string }) => w.id)).not.toContain(a.workspace.id);
  });

  it('answers the same whether the e-mail has an account or not', async () => {
    const known = await ownerA.post('/api/invitations', { email: b.owner.email, role: 'viewer' });
    const unknown = await ownerA.post('/api/invitations', { email: uniqueEmail('stranger'), role: 'viewer' });
    expect(known.status).toBe(201);
    expect(unknown.status).toBe(201);
    expect(Object.keys(known.body).sort()).toEqual(Object.keys(unknown.body).sort());
    expect(known.body.url).toMatch(/^https:\/\/crm\.example\.com\/invite#[A-Za-z0-9]{43}$/);
    // The link's holder sees the same for both: no word about accounts.
    const pKnown = await anonymous().post('/api/invitations/preview', { token: tokenOf(known) });
    const pUnknown = await anonymous().post('/api/invitations/preview', { token: tokenOf(unknown) });
    expect(pKnown.status).toBe(200);
    expect(Object.keys(pKnown.body).sort()).toEqual(Object.keys(pUnknown.body).sort());
    expect(pKnown.body).toMatchObject({ workspaceName: 'Invite A', email: b.owner.email, role: 'viewer', invitedBy: 'Owner' });
  });

  it('an existing account joins only when its person accepts, logged in as the invited e-mail', async () => {
    const person = await createTestWorkspace(getDb(), 'Their own shop');
    const invited = await ownerA.post('/api/invitations', { email: person.owner.email.toUpperCase(), role: 'marketer' });
    expect((await ownerA.get('/api/members')).body.items.map((m: { email: string }) => m.email)).not.toContain(person.owner.email);
    expect((await ownerA.get('/api/invitations')).body.items.map((i: { email: string }) => i.email)).toContain(person.owner.email);

    // Someone else's session cannot take it, and the link alone is not a login.
    const stranger = await loginClient(app, b.owner.email, TEST_PASSWORD);
    const wrong = await stranger.post('/api/invitations/accept', { token: tokenOf(invited) });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toContain('token:');
    expect((await anonymous().post('/api/invitations/accept', { token: tokenOf(invited) })).status).toBe(401);
    const register = await anonymous().post('/api/invitations/register', { token: tokenOf(invited), password: 'a new password' });
    expect(register.status).toBe(409);

    const them = await loginClient(app, person.owner.email, TEST_PASSWORD);
    const accepted = await them.post('/api/invitations/accept', { token: tokenOf(invited) });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ workspaceId: a.workspace.id, role: 'marketer' });
    expect((await them.get('/api/me')).body).toMatchObject({ workspace: { id: a.workspace.id }, role: 'marketer' });
    // Used once.
    expect((await them.post('/api/invitations/accept', { token: tokenOf(invited) })).status).toBe(404);
    expect((await ownerA.get('/api/invitations')).body.items.map((i: { email: string }) => i.email)).not.toContain(person.owner.email);
    const audit = await ownerA.get('/api/audit?action=member.added');
    expect(audit.body.items[0]).toMatchObject({ actor: { type: 'user', label: person.owner.email }, entityId: person.owner.id });
  });

  it('a new person creates the account with the link and is logged in', async () => {
    const email = uniqueEmail('newcomer');
    const invited = await as.admin.post('/api/invitations', { email, role: 'support' });
    const short = await anonymous().post('/api/invitations/register', { token: tokenOf(invited), password: 'short' });
    expect(short.status).toBe(400);
    const res = await app.inject({ method: 'POST', url: '/api/invitations/register', payload: { token: tokenOf(invited), password: 'first password', name: '이서연' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { email, name: '이서연' }, currentWorkspaceId: a.workspace.id });
    const cookie = res.cookies.find((c) => c.name === 'rapport_session')!;
    const me = makeClient(app, { cookie: `rapport_session=${cookie.value}` });
    expect((await me.get('/api/me')).body).toMatchObject({ role: 'support', workspace: { id: a.workspace.id } });
    expect((await loginClient(app, email, 'first password')).get).toBeDefined();
  });

  it('refuses roles the inviter may not grant, expired and withdrawn links; only member managers invite', async () => {
    expect((await as.admin.post('/api/invitations', { email: uniqueEmail('boss'), role: 'owner' })).status).toBe(403);
    expect((await as.marketer.post('/api/invitations', { email: uniqueEmail('x'), role: 'viewer' })).status).toBe(403);
    expect((await as.viewer.get('/api/invitations')).status).toBe(403);
    const bad = await ownerA.post('/api/invitations', { email: 'not-an-email', role: 'viewer' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('email');
    expect((await ownerA.post('/api/invitations', { email: a.owner.email, role: 'viewer' })).status).toBe(409);

    const withdrawn = await ownerA.post('/api/invitations', { email: uniqueEmail('maybe'), role: 'viewer' });
    expect((await ownerA.delete(`/api/invitations/${withdrawn.body.id}`)).status).toBe(200);
    expect((await anonymous().post('/api/invitations/preview', { token: tokenOf(withdrawn) })).status).toBe(404);
    // Another workspace cannot withdraw A's invitations.
    const ownerB = await loginClient(app, b.owner.email, TEST_PASSWORD);
    const other = await ownerA.post('/api/invitations', { email: uniqueEmail('other'), role: 'viewer' });
    expect((await ownerB.delete(`/api/invitations/${other.body.id}`)).status).toBe(404);

    clock.set(Date.now());
    const late = await ownerA.post('/api/invitations', { email: uniqueEmail('late'), role: 'viewer' });
    clock.advance(8 * 86_400_000);
    const expired = await anonymous().post('/api/invitations/preview', { token: tokenOf(late) });
    expect(expired.status).toBe(404);
    expect(expired.body.error.message).toContain('expired');
  });
});

it('builds a relative link without RAPPORT_PUBLIC_URL', async () => {
  const { invitationPath } = await import('./invitations.ts');
  expect(invitationPath('abc')).toBe('/invite#abc');
});
