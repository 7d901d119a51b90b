import { afterAll, beforeAll, expect, it } from 'vitest';
import { identify } from '../customers/identities.ts';
import { describeEachDb, testConfig } from '../db/test-helpers.ts';
import { rotateVerificationSecret, serverKey, userHashOf } from '../events/identity-verification.ts';
import { createTwoShops, makeClient, type Client, type TwoShops } from '../http/test-client.ts';
import { createApiKey } from '../workspaces/api-keys.ts';
import { systemActor } from '../workspaces/audit.ts';
import { createChannel, ensureSandboxChannels } from './channels.ts';
import { browserKeys, fcmEndpoint } from './push-test-fixture.ts';

describeEachDb('web push routes', (database) => {
  let shops: TwoShops;
  let shopper: Client; // a browser on the shop's site: no credentials but the write key
  let writeKeyA: string;
  let writeKeyB: string;
  let readOnlySecretA: string;
  let vapidPublicKey: string;
  let ada: string;
  const config = testConfig();

  beforeAll(async () => {
    shops = await createTwoShops(database());
    shopper = makeClient(shops.app, { origin: 'https://shop.example.com', 'user-agent': 'Mozilla/5.0 (test)' });
    const db = database().db;
    const key = (workspaceId: string, kind: 'write' | 'secret', role?: 'analyst') =>
      db.transaction(async (tx) => (await createApiKey(tx, { workspaceId, actor: systemActor, actorRole: null, kind, role, name: `push ${kind}` })).key);
    writeKeyA = await key(shops.a.workspace.id, 'write');
    writeKeyB = await key(shops.b.workspace.id, 'write');
    readOnlySecretA = await key(shops.a.workspace.id, 'secret', 'analyst');
    const { channel } = await createChannel(db, config, {
      workspaceId: shops.a.workspace.id,
      actor: systemActor,
      input: { kind: 'push', provider: 'webpush', name: 'Web push', settings: { subject: 'mailto:shop@example.com' }, isDefault: true },
    });
    vapidPublicKey = String(channel.settings.vapidPublicKey);
    ada = await db.transaction(async (tx) => (await identify(tx, { workspaceId: shops.a.workspace.id, actor: systemActor, input: { userId: 'ada', anonymousId: 'ada-browser', source: 'test' } })).customer.id);
  }, 180_000);
  afterAll(async () => {
    await shops?.app.close();
  });

  const subscription = () => ({ endpoint: fcmEndpoint(), expirationTime: null, keys: browserKeys() });
  const subscribe = (body: Record<string, unknown>) => shopper.post('/v1/push/subscriptions', body);
  const listed = async (customerId: string, as: Client = shops.ownerA) => {
    const res = await as.get(`/api/customers/${customerId}/push-subscriptions`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items as { id: string; anonymousId: string | null; pushService: string; userAgent: string | null }[];
  };

  it("gives the browser the default push channel's VAPID key, to any origin, for a live write key", async () => {
    const res = await shopper.get(`/v1/push/vapid-public-key?writeKey=${writeKeyA}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.publicKey).toBe(vapidPublicKey);
    expect(Buffer.from(res.body.publicKey, 'base64url')).toHaveLength(65);
    expect(res.headers['access-control-allow-origin']).toBe('*');

    const preflight = await shops.app.inject({ method: 'OPTIONS', url: '/v1/push/subscriptions', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'DELETE' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('DELETE');
    expect(preflight.headers['access-control-allow-origin']).toBe('*');

    const wrong = await shopper.get('/v1/push/vapid-public-key?writeKey=wk_notakey');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toContain('query.writeKey');
    expect(wrong.headers['access-control-allow-origin']).toBe('*');
    const missing = await shopper.get('/v1/push/vapid-public-key');
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toContain('query.writeKey');
    // As /v1/batch takes it, too.
    const basic = await shopper.get('/v1/push/vapid-public-key', { authorization: `Basic ${Buffer.from(`${writeKeyA}:`).toString('base64')}` });
    expect(basic.body.publicKey).toBe(vapidPublicKey);
    // Shop B has no web push channel: none at all, then only the sandbox (its default).
    const none = await shopper.get(`/v1/push/vapid-public-key?writeKey=${writeKeyB}`);
    expect(none.status).toBe(404);
    await ensureSandboxChannels(database().db, shops.b.workspace.id);
    expect((await shopper.get(`/v1/push/vapid-public-key?writeKey=${writeKeyB}`)).status).toBe(404);
    // A web push channel beside the default sandbox: visitors subscribe with its key.
    const { channel } = await createChannel(database().db, config, {
      workspaceId: shops.b.workspace.id,
      actor: systemActor,
      input: { kind: 'push', provider: 'webpush', name: 'Web push B', settings: { subject: 'mailto:b@example.com' }, isDefault: false },
    });
    expect(channel.isDefault).toBe(false);
    const beside = await shopper.get(`/v1/push/vapid-public-key?writeKey=${writeKeyB}`);
    expect(beside.body).toEqual({ publicKey: channel.settings.vapidPublicKey, channelId: channel.id });
  });

  it('keeps a subscription once per endpoint and links it to the customer whose browser it is', async () => {
    const sub = subscription();
    const first = await subscribe({ writeKey: writeKeyA, subscription: sub, anonymousId: 'ada-browser', userId: 'ada' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ ok: true, id: expect.any(String), created: true });
    const again = await subscribe({ writeKey: writeKeyA, subscription: { ...sub, keys: browserKeys() }, anonymousId: 'ada-browser' });
    expect(again.body).toEqual({ ok: true, id: first.body.id, created: false });
    const items = await listed(ada);
    expect(items).toEqual([expect.objectContaining({ id: first.body.id, anonymousId: 'ada-browser', pushService: 'https://fcm.googleapis.com', userAgent: 'Mozilla/5.0 (test)' })]);
    // The endpoint and keys stay on the server.
    expect(JSON.stringify(items)).not.toContain(sub.endpoint.split('/').at(-1));
  });

  it("links a stranger naming a customer's user id only with the shop server's signature", async () => {
    const db = database().db;
    const before = (await listed(ada)).length;
    const unsigned = await subscribe({ writeKey: writeKeyA, subscription: subscription(), anonymousId: 'stranger-1', userId: 'ada' });
    expect(unsigned.status).toBe(200);
    expect(await listed(ada)).toHaveLength(before);
    const { secret } = await db.transaction((tx) => rotateVerificationSecret(tx, { workspaceId: shops.a.workspace.id, key: serverKey(config), actor: systemActor }));
    const forged = await subscribe({ writeKey: writeKeyA, subscription: subscription(), anonymousId: 'stranger-2', userId: 'ada', userHash: userHashOf('not the secret', 'ada') });
    expect(forged.status).toBe(200);
    expect(await listed(ada)).toHaveLength(before);
    const signed = await subscribe({ writeKey: writeKeyA, subscription: subscription(), anonymousId: 'ada-phone', userId: 'ada', userHash: userHashOf(secret, 'ada') });
    expect((await listed(ada)).map((s) => s.id)).toContain(signed.body.id);
  });

  it('refuses a wrong key (401) and a body that is not a subscription (400 naming the field)', async () => {
    const good = { writeKey: writeKeyA, subscription: subscription(), anonymousId: 'v-1' };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...good, writeKey: 'wk_unknown' }, 401, 'body.writeKey'],
      [{ ...good, writeKey: readOnlySecretA }, 403, 'customers.write'],
      [{ ...good, writeKey: undefined }, 401, 'body.writeKey'],
      [{ ...good, subscription: { endpoint: good.subscription.endpoint } }, 400, 'body.subscription.keys'],
      [{ ...good, subscription: { ...good.subscription, keys: { p256dh: good.subscription.keys.p256dh } } }, 400, 'body.subscription.keys.auth'],
      [{ ...good, subscription: { ...good.subscription, keys: { ...good.subscription.keys, p256dh: 'AAAA' } } }, 400, 'body.subscription.keys.p256dh'],
      [{ ...good, subscription: { ...good.subscription, endpoint: 'https://169.254.169.254/latest/meta-data' } }, 400, 'body.subscription.endpoint'],
      [{ ...good, subscription: { ...good.subscription, endpoint: 'http://fcm.googleapis.com/fcm/send/x' } }, 400, 'body.subscription.endpoint'],
      [{ ...good, anonymousId: undefined }, 400, 'body.anonymousId'],
      [{ ...good, anonymousId: 'x'.repeat(321) }, 400, 'body.anonymousId'],
      [{ ...good, extra: 1 }, 400, 'extra'],
    ];
    for (const [body, status, field] of cases) {
      const res = await subscribe(body);
      expect(res.status, `${field}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.error.message).toContain(field);
    }
  });

  it("keeps each workspace's subscriptions to itself", async () => {
    const sub = subscription();
    const mine = await subscribe({ writeKey: writeKeyA, subscription: sub, anonymousId: 'ada-browser' });
    expect(mine.status).toBe(200);
    // Shop B's key cannot drop shop A's subscription, nor read shop A's customer.
    const other = await shopper.request('DELETE', '/v1/push/subscriptions', { writeKey: writeKeyB, endpoint: sub.endpoint });
    expect(other.status).toBe(404);
    expect(other.body.error.message).toContain('body.endpoint');
    expect((await listed(ada)).map((s) => s.id)).toContain(mine.body.id);
    expect((await shops.ownerB.get(`/api/customers/${ada}/push-subscriptions`)).status).toBe(404);
    // The same endpoint sent with shop B's key is shop B's own row.
    const theirs = await subscribe({ writeKey: writeKeyB, subscription: sub, anonymousId: 'ada-browser' });
    expect(theirs.body.created).toBe(true);
    expect(theirs.body.id).not.toBe(mine.body.id);

    const dropped = await shopper.request('DELETE', '/v1/push/subscriptions', { writeKey: writeKeyA, endpoint: sub.endpoint });
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200);
    expect((await listed(ada)).map((s) => s.id)).not.toContain(mine.body.id);
    expect((await shopper.request('DELETE', '/v1/push/subscriptions', { writeKey: writeKeyA, endpoint: sub.endpoint })).status).toBe(404);
    expect((await shopper.request('DELETE', '/v1/push/subscriptions', { writeKey: 'wk_unknown', endpoint: sub.endpoint })).status).toBe(401);
    // A string PostgreSQL cannot store is a 400 naming it, not a server error (found by the fuzz run).
    const nul = await shopper.request('DELETE', '/v1/push/subscriptions', { writeKey: writeKeyA, endpoint: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toContain('body.endpoint');
  });

  it("shows a customer's subscriptions to every member, not to a write key or nobody", async () => {
    for (const [role, client] of Object.entries(shops.as)) {
      expect((await client.get(`/api/customers/${ada}/push-subscriptions`)).status, role).toBe(200);
    }
    expect((await makeClient(shops.app, { authorization: `Bearer ${writeKeyA}` }).get(`/api/customers/${ada}/push-subscriptions`)).status).toBe(403);
    expect((await makeClient(shops.app, {}).get(`/api/customers/${ada}/push-subscriptions`)).status).toBe(401);
  });

  it('serves the push module and the service worker to other sites', async () => {
    for (const [path, marker] of [
      ['/t-push.js', '__rapportPush'],
      ['/rapport-sw.js', "addEventListener('notificationclick'"],
    ] as const) {
      const res = await shops.app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).toContain(marker);
      expect((await shops.app.inject({ method: 'GET', url: path, headers: { 'if-none-match': String(res.headers.etag) } })).statusCode).toBe(304);
    }
  });
});
