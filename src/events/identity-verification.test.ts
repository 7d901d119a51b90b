// A browser's public write key may not rewrite or stitch into a known customer unless the call
// carries the userHash the shop's server made with the workspace's secret; secret keys pass.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb, testConfig } from '../db/test-helpers.ts';
import { createTwoShops, keyClient, type Client, type TwoShops } from '../http/test-client.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';
import { decryptSecret, encryptSecret, serverKey, takeUserHashes, userHashOf, verifyUserHash } from './identity-verification.ts';

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
let seq = 0;
const nextId = (tag: string) => `${tag}-${Date.now()}-${++seq}`;

describe('identity verification, pure', () => {
  it('verifies the HMAC-SHA256 of the user id in hex, in any case, and nothing else', () => {
    const hash = userHashOf('s3cret', 'user-42');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyUserHash('s3cret', 'user-42', hash)).toBe(true);
    expect(verifyUserHash('s3cret', 'user-42', hash.toUpperCase())).toBe(true);
    expect(verifyUserHash('s3cret', 'user-43', hash)).toBe(false);
    expect(verifyUserHash('other', 'user-42', hash)).toBe(false);
    expect(verifyUserHash('s3cret', 'user-42', 'not hex')).toBe(false);
  });

  it('encrypts the secret with the server key (a wrong key cannot read it)', () => {
    const key = Buffer.alloc(32, 7);
    const stored = encryptSecret(key, 'iv_abc');
    expect(stored).not.toContain('iv_abc');
    expect(decryptSecret(key, stored)).toBe('iv_abc');
    expect(() => decryptSecret(Buffer.alloc(32, 8), stored)).toThrow();
  });

  it('takes the hash out of every place it may travel, the first found winning', () => {
    const messages: Record<string, any>[] = [
      { userHash: 'a', context: { userHash: 'b' } },
      { context: { userHash: 'b', Intercom: { user_hash: 'c' } } },
      { integrations: { Intercom: { user_hash: 'd' } } },
      { userId: 'x' },
    ];
    const batchContext: Record<string, unknown> = { userHash: 'e' };
    expect(takeUserHashes(messages, batchContext)).toEqual(['a', 'b', 'd', 'e']);
    expect(JSON.stringify([messages, batchContext])).not.toMatch(/user_?hash/i);
  });
});

describeEachDb('identity verification on /v1', (getDb) => {
  let shops: TwoShops;
  let writeKey: string;
  let secretKey: string;
  let admin: Client;

  beforeAll(async () => {
    shops = await createTwoShops(getDb());
    const ws = shops.a.workspace.id;
    writeKey = (await createApiKey(getDb().db, { workspaceId: ws, actor: systemActor, actorRole: 'owner', kind: 'write', name: 'site' })).key;
    secretKey = (await createApiKey(getDb().db, { workspaceId: ws, actor: systemActor, actorRole: 'owner', kind: 'secret', role: 'admin', name: 'server' })).key;
    admin = shops.ownerA;
  });
  afterAll(async () => {
    await shops.app.close();
  });

  const send = async (key: string, body: unknown) => {
    const res = await shops.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'text/plain', authorization: basic(key) }, payload: JSON.stringify(body) });
    expect(res.statusCode, res.payload).toBe(200);
    return res.json() as { success: boolean; errors?: unknown[] };
  };
  const ownerOf = async (kind: string, value: string) =>
    (await getDb().db.execute<{ customer_id: string }>(sql`select customer_id from customer_identities where workspace_id = ${shops.a.workspace.id} and kind = ${kind} and value = ${value}`)).rows[0]
      ?.customer_id;
  const profile = async (id: string) =>
    (await getDb().db.execute<{ name: string | null; phone: string | null; email: string | null; deleted_at: unknown; merged_into_id: unknown }>(
      sql`select name, phone, email, deleted_at, merged_into_id from customers where workspace_id = ${shops.a.workspace.id} and id = ${id}`,
    )).rows[0]!;

  /** A known customer, as the shop's server made them (secret key), with a device of theirs. */
  const victim = async () => {
    const tag = nextId('v');
    const userId = `${tag}-user`;
    const email = `${tag}@victim.kr`;
    const phone = `010-1234-${String(1000 + (seq % 9000))}`;
    expect(
      await send(secretKey, {
        batch: [{ type: 'identify', messageId: nextId('m'), userId, anonymousId: `${tag}-own-device`, traits: { email, name: '김민지', phone } }],
      }),
    ).toEqual({ success: true });
    const id = (await ownerOf('user_id', userId))!;
    expect(id).toBeDefined();
    return { id, userId, email, tag, phone: `+82${phone.slice(1).replace(/-/g, '')}` };
  };

  it('a write-key identify with a victim e-mail rewrites nothing and links nothing (the attack of issue 24)', async () => {
    const v = await victim();
    const attacker = nextId('attacker-anon');
    const reply = await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), anonymousId: attacker, traits: { email: v.email, name: 'Mallory', phone: '010-9999-8888' } }] });
    // The same answer as for a stranger's e-mail: nothing tells the sender who is a customer.
    expect(reply).toEqual({ success: true });
    expect(await profile(v.id)).toMatchObject({ name: '김민지', phone: v.phone, email: v.email });
    expect(await ownerOf('anonymous_id', attacker)).toBeUndefined();
    // Nor through a new user id of the attacker's: the e-mail stays the victim's, and the answer
    // does not say whose it is.
    const mine = nextId('attacker-user');
    expect(await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: mine, traits: { email: v.email, name: 'Mallory' } }] })).toEqual({ success: true });
    expect(await ownerOf('email', v.email)).toBe(v.id);
    expect(await profile(v.id)).toMatchObject({ name: '김민지', phone: v.phone, email: v.email });
  });

  it('a write-key identify naming a known user id changes nothing and links no new device', async () => {
    const v = await victim();
    const attacker = nextId('attacker-anon');
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: v.userId, anonymousId: attacker, traits: { name: 'Mallory', email: 'mallory@evil.kr' } }] });
    await send(writeKey, { batch: [{ type: 'track', messageId: nextId('m'), userId: v.userId, anonymousId: `${attacker}-2`, event: 'Product Viewed' }] });
    expect(await profile(v.id)).toMatchObject({ name: '김민지', email: v.email });
    expect(await ownerOf('anonymous_id', attacker)).toBeUndefined();
    expect(await ownerOf('anonymous_id', `${attacker}-2`)).toBeUndefined();
    expect(await ownerOf('email', 'mallory@evil.kr')).toBeUndefined();
  });

  it('a write-key alias cannot merge a known customer into another', async () => {
    const v = await victim();
    const mine = nextId('attacker-user');
    await send(writeKey, { batch: [{ type: 'alias', messageId: nextId('m'), userId: mine, previousId: v.userId }] });
    expect(await ownerOf('user_id', v.userId)).toBe(v.id);
    expect(await profile(v.id)).toMatchObject({ merged_into_id: null, deleted_at: null });
  });

  it('a write key still creates and enriches anonymous and new profiles, and stitches a new sign-up', async () => {
    const tag = nextId('new');
    // A visitor who leaves an e-mail nobody has: a profile is made for it.
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), anonymousId: `${tag}-visitor`, traits: { email: `${tag}@new.kr`, name: '방문자' } }] });
    const visitor = (await ownerOf('anonymous_id', `${tag}-visitor`))!;
    expect(visitor).toBeDefined();
    expect(await ownerOf('email', `${tag}@new.kr`)).toBe(visitor);
    // The same browser names itself again: its own profile, so the change applies.
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), anonymousId: `${tag}-visitor`, traits: { email: `${tag}@new.kr`, name: '방문자 님' } }] });
    expect((await profile(visitor)).name).toBe('방문자 님');
    // A sign-up: a user id nobody has, with the browser's anonymous id.
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: `${tag}-user`, anonymousId: `${tag}-browser`, traits: { name: '신규', email: `${tag}-2@new.kr` } }] });
    const user = (await ownerOf('user_id', `${tag}-user`))!;
    expect(await ownerOf('anonymous_id', `${tag}-browser`)).toBe(user);
    expect((await profile(user)).name).toBe('신규');
    // Later calls from that browser for that user may change the profile: the browser is theirs.
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: `${tag}-user`, anonymousId: `${tag}-browser`, traits: { name: '신규 고객' } }] });
    expect((await profile(user)).name).toBe('신규 고객');
  });

  it('with the userHash the shop server made, a write key may change and stitch into the known customer', async () => {
    const v = await victim();
    const rotated = await admin.post('/api/identity-verification/rotate');
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    const device = nextId('new-device');

    // A wrong hash (or one for another user) proves nothing.
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: v.userId, anonymousId: device, traits: { name: 'Mallory' }, context: { userHash: userHashOf(secret, 'someone-else') } }] });
    expect((await profile(v.id)).name).toBe('김민지');
    expect(await ownerOf('anonymous_id', device)).toBeUndefined();

    const messageId = nextId('m');
    const hash = userHashOf(secret, v.userId);
    await send(writeKey, { batch: [{ type: 'identify', messageId, userId: v.userId, anonymousId: device, traits: { name: '김민지 (VIP)' }, context: { userHash: hash } }] });
    expect((await profile(v.id)).name).toBe('김민지 (VIP)');
    expect(await ownerOf('anonymous_id', device)).toBe(v.id);
    // The hash is a credential for that user: it is not kept with the event.
    const stored = await getDb().db.execute<{ context: unknown }>(sql`select context from events where workspace_id = ${shops.a.workspace.id} and message_id = ${messageId}`);
    expect(JSON.stringify(stored.rows)).not.toContain(hash);

    // Top-level userHash works as well (Intercom's place for it in analytics.js calls: integrations.Intercom.user_hash).
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: v.userId, traits: { phone: '010-2222-3333' }, userHash: hash }] });
    expect((await profile(v.id)).phone).toBe('+821022223333');
    await send(writeKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: v.userId, traits: { phone: '010-4444-5555' }, integrations: { Intercom: { user_hash: hash } } }] });
    expect((await profile(v.id)).phone).toBe('+821044445555');
  });

  it('a secret key changes known customers as before', async () => {
    const v = await victim();
    const device = nextId('server-device');
    await send(secretKey, { batch: [{ type: 'identify', messageId: nextId('m'), userId: v.userId, anonymousId: device, traits: { name: '김민지 고객' } }] });
    expect((await profile(v.id)).name).toBe('김민지 고객');
    expect(await ownerOf('anonymous_id', device)).toBe(v.id);
  });

  describe('the secret, for admins', () => {
    it('is null until made, shown again to admins only, stored encrypted, and rotation replaces it (audited)', async () => {
      const fresh = await createTwoShops(getDb());
      try {
        const none = await fresh.ownerA.get('/api/identity-verification');
        expect(none.status).toBe(200);
        expect(none.body).toEqual({ secret: null, createdAt: null });
        const made = await fresh.ownerA.post('/api/identity-verification/rotate');
        expect(made.body.secret).toMatch(/^iv_[A-Za-z0-9_-]{40,}$/);
        expect((await fresh.ownerA.get('/api/identity-verification')).body.secret).toBe(made.body.secret);
        for (const role of ['viewer', 'analyst', 'marketer'] as const) {
          expect((await fresh.as[role].get('/api/identity-verification')).status, role).toBe(403);
          expect((await fresh.as[role].post('/api/identity-verification/rotate')).status, role).toBe(403);
        }
        // Another workspace's admin sees only their own.
        expect((await fresh.ownerB.get('/api/identity-verification')).body.secret).toBeNull();

        const { rows } = await getDb().db.execute<{ secret_encrypted: string }>(sql`select secret_encrypted from identity_verification_secrets where workspace_id = ${fresh.a.workspace.id}`);
        expect(rows[0]!.secret_encrypted).not.toContain(made.body.secret.slice(3));
        expect(decryptSecret(serverKey(testConfig()), rows[0]!.secret_encrypted)).toBe(made.body.secret);

        const again = await fresh.ownerA.post('/api/identity-verification/rotate');
        expect(again.body.secret).not.toBe(made.body.secret);
        const audit = await fresh.ownerA.get('/api/audit');
        expect(JSON.stringify(audit.body)).toContain('identity_verification.rotate');
        expect(JSON.stringify(audit.body)).not.toContain(again.body.secret);
        // A secret key with keys.manage may read it too (the shop's deploy script).
        const key = (await createApiKey(getDb().db, { workspaceId: fresh.a.workspace.id, actor: systemActor, actorRole: 'owner', kind: 'secret', role: 'admin', name: 'deploy' })).key;
        expect((await keyClient(fresh.app, key).get('/api/identity-verification')).body.secret).toBe(again.body.secret);
      } finally {
        await fresh.app.close();
      }
    });
  });
});
