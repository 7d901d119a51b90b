import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { identify } from '../customers/identities.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import {
  checkSubscription,
  claimAnonymousPushSubscriptions,
  erasePushSubscriptions,
  listPushSubscriptions,
  pushAddress,
  pushCustomerOf,
  pushSubscriptionsFor,
  reassignPushSubscriptions,
  removePushSubscription,
  revokePushSubscriptions,
  savePushSubscription,
} from './push-subscriptions.ts';
import { browserKeys, fcmEndpoint } from './push-test-fixture.ts';

describe('checkSubscription', () => {
  const keys = browserKeys();
  it.each([
    ['https://fcm.googleapis.com/fcm/send/abc', true],
    ['https://updates.push.services.mozilla.com/wpush/v2/gAAAA', true],
    ['https://wns2-par02p.notify.windows.com/w/?token=BQYAAA', true],
    ['https://web.push.apple.com/QGuQyavXutnMH', true],
    ['http://fcm.googleapis.com/fcm/send/abc', 'must be an https URL'],
    ['https://fcm.googleapis.com:8443/fcm/send/abc', 'must not hold'],
    ['https://user:pw@fcm.googleapis.com/x', 'must not hold'],
    ['https://127.0.0.1/fcm/send', 'is not a browser push service'],
    ['https://evilfcm.googleapis.com.example.com/x', 'is not a browser push service'],
    ['https://internal.example.com/admin', 'is not a browser push service'],
    ['not a url', 'is not a URL'],
  ])('%s → %s', (endpoint, expected) => {
    if (expected === true) expect(checkSubscription({ endpoint, keys }).endpoint).toBe(new URL(endpoint).toString());
    else expect(() => checkSubscription({ endpoint, keys })).toThrow(`body.subscription.endpoint: `);
    if (expected !== true) expect(() => checkSubscription({ endpoint, keys })).toThrow(expected);
  });

  it('names the key that is not what a browser gives', () => {
    const endpoint = 'https://fcm.googleapis.com/fcm/send/abc';
    expect(() => checkSubscription({ endpoint, keys: { ...keys, p256dh: keys.p256dh.slice(0, 40) } })).toThrow('body.subscription.keys.p256dh:');
    expect(() => checkSubscription({ endpoint, keys: { ...keys, p256dh: 'not base64!' } })).toThrow('body.subscription.keys.p256dh:');
    expect(() => checkSubscription({ endpoint, keys: { ...keys, auth: crypto.randomBytes(12).toString('base64url') } })).toThrow('body.subscription.keys.auth:');
    // Padding and standard base64 padding are accepted and kept in the one form web-push reads.
    const padded = checkSubscription({ endpoint, keys: { p256dh: `${keys.p256dh}=`, auth: `${keys.auth}==` } });
    expect(padded.keys).toEqual(keys);
  });
});

describeEachDb('push subscriptions', (database) => {
  const db = () => database().db;
  afterEach(() => clock.reset());

  async function customer(workspaceId: string, input: { userId?: string; anonymousId?: string }) {
    return db().transaction(async (tx) => (await identify(tx, { workspaceId, actor: systemActor, input: { ...input, source: 'test' } })).customer.id);
  }

  it('keeps one row per endpoint: subscribing again refreshes it, brings a revoked one back and follows the visitor', async () => {
    const { workspace } = await createTestWorkspace(database());
    const endpoint = fcmEndpoint();
    clock.set(new Date('2026-05-01T10:00:00Z'));
    const first = await savePushSubscription(db(), { workspaceId: workspace.id, endpoint, keys: browserKeys(), anonymousId: 'anon-1', customerId: null, userAgent: 'UA 1' });
    expect(first.created).toBe(true);
    expect(first.subscription.lastSeenAt.toISOString()).toBe('2026-05-01T10:00:00.000Z');

    expect(await revokePushSubscriptions(db(), { workspaceId: workspace.id, endpoints: [endpoint] })).toBe(1);
    expect(await revokePushSubscriptions(db(), { workspaceId: workspace.id, endpoints: [endpoint] })).toBe(0);

    const ada = await customer(workspace.id, { userId: 'ada' });
    clock.set(new Date('2026-05-02T10:00:00Z'));
    const newKeys = browserKeys();
    const again = await savePushSubscription(db(), { workspaceId: workspace.id, endpoint, keys: newKeys, anonymousId: 'anon-1', customerId: ada });
    expect(again.created).toBe(false);
    expect(again.subscription).toMatchObject({ id: first.subscription.id, customerId: ada, keys: newKeys, userAgent: 'UA 1', revokedAt: null });
    expect(again.subscription.lastSeenAt.toISOString()).toBe('2026-05-02T10:00:00.000Z');
    expect(again.subscription.createdAt.toISOString()).toBe('2026-05-01T10:00:00.000Z');

    // The same visitor again, nobody resolved this time: the customer stays.
    const same = await savePushSubscription(db(), { workspaceId: workspace.id, endpoint, keys: newKeys, anonymousId: 'anon-1', customerId: null });
    expect(same.subscription.customerId).toBe(ada);
    // Another visitor on this browser (after a sign-out): no longer Ada's.
    const other = await savePushSubscription(db(), { workspaceId: workspace.id, endpoint, keys: newKeys, anonymousId: 'anon-2', customerId: null });
    expect(other.subscription).toMatchObject({ customerId: null, anonymousId: 'anon-2' });
    expect(await listPushSubscriptions(db(), { workspaceId: workspace.id, limit: 10 })).toHaveLength(1);

    expect(await removePushSubscription(db(), { workspaceId: workspace.id, endpoint })).toBe(true);
    expect(await removePushSubscription(db(), { workspaceId: workspace.id, endpoint })).toBe(false);
  });

  it('links a subscription to a customer only as event ingestion would for a public key', async () => {
    const { workspace } = await createTestWorkspace(database());
    const ws = workspace.id;
    const ada = await customer(ws, { userId: 'ada', anonymousId: 'ada-browser' });
    await customer(ws, { userId: 'bob' });
    // The browser is already Ada's.
    expect(await pushCustomerOf(db(), { workspaceId: ws, anonymousId: 'ada-browser', userId: null, verified: false })).toBe(ada);
    expect(await pushCustomerOf(db(), { workspaceId: ws, anonymousId: 'ada-browser', userId: 'ada', verified: false })).toBe(ada);
    // A stranger naming Ada's user id gets nothing; with the shop server's signature they do.
    expect(await pushCustomerOf(db(), { workspaceId: ws, anonymousId: 'stranger', userId: 'ada', verified: false })).toBeNull();
    expect(await pushCustomerOf(db(), { workspaceId: ws, anonymousId: 'stranger', userId: 'ada', verified: true })).toBe(ada);
    // Ada's browser naming Bob, unsigned: it stays Ada's.
    expect(await pushCustomerOf(db(), { workspaceId: ws, anonymousId: 'ada-browser', userId: 'bob', verified: false })).toBe(ada);
    // Nobody known: nobody created.
    expect(await pushCustomerOf(db(), { workspaceId: ws, anonymousId: 'new', userId: 'carol', verified: true })).toBeNull();
  });

  it("finds a customer's live subscriptions, linked ones and those of their anonymous ids, in their workspace only", async () => {
    const { workspace } = await createTestWorkspace(database());
    const { workspace: other } = await createTestWorkspace(database(), 'Other');
    const ws = workspace.id;
    const ada = await customer(ws, { userId: 'ada' });
    const bob = await customer(ws, { userId: 'bob' });
    const linked = await savePushSubscription(db(), { workspaceId: ws, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'a1', customerId: ada });
    // Subscribed before the visitor was identified; the identification linked the anonymous id without claiming.
    const early = await savePushSubscription(db(), { workspaceId: ws, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'a2', customerId: null });
    await customer(ws, { userId: 'ada', anonymousId: 'a2' });
    const revoked = await savePushSubscription(db(), { workspaceId: ws, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'a3', customerId: ada });
    await revokePushSubscriptions(db(), { workspaceId: ws, endpoints: [revoked.subscription.endpoint] });
    // The same anonymous id in another workspace is someone else.
    await savePushSubscription(db(), { workspaceId: other.id, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'a2', customerId: null });
    await savePushSubscription(db(), { workspaceId: ws, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'b1', customerId: bob });

    const found = await pushSubscriptionsFor(db(), ws, [ada]);
    expect([...found.keys()]).toEqual([ada]);
    expect(found.get(ada)!.map((s) => s.id).sort()).toEqual([linked.subscription.id, early.subscription.id].sort());
    expect(found.get(ada)!.find((s) => s.id === early.subscription.id)!.keys).toEqual(early.subscription.keys);
    expect((await pushSubscriptionsFor(db(), ws, [ada, bob])).get(bob)).toHaveLength(1);
    expect((await pushSubscriptionsFor(db(), other.id, [ada, bob])).size).toBe(0);
    expect(await pushSubscriptionsFor(db(), ws, [])).toEqual(new Map());
    expect(JSON.parse(pushAddress(linked.subscription))).toEqual({ endpoint: linked.subscription.endpoint, keys: linked.subscription.keys });
  });

  it('moves with claims and merges, and an erase leaves none behind', async () => {
    const { workspace } = await createTestWorkspace(database());
    const ws = workspace.id;
    const ada = await customer(ws, { userId: 'ada' });
    const twin = await customer(ws, { userId: 'ada-2' });
    const anon = await savePushSubscription(db(), { workspaceId: ws, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'v1', customerId: null });
    expect(await claimAnonymousPushSubscriptions(db(), { workspaceId: ws, anonymousId: 'v1', customerId: ada })).toBe(1);
    expect((await listPushSubscriptions(db(), { workspaceId: ws, customerId: ada, limit: 10 })).map((s) => s.id)).toEqual([anon.subscription.id]);
    await savePushSubscription(db(), { workspaceId: ws, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'v2', customerId: twin });
    expect(await reassignPushSubscriptions(db(), { workspaceId: ws, fromId: twin, toId: ada })).toHaveLength(1);
    await savePushSubscription(db(), { workspaceId: ws, endpoint: fcmEndpoint(), keys: browserKeys(), anonymousId: 'v3', customerId: null });
    expect(await erasePushSubscriptions(db(), { workspaceId: ws, customerId: ada, anonymousIds: ['v3'] })).toBe(3);
    expect(await listPushSubscriptions(db(), { workspaceId: ws, limit: 10 })).toEqual([]);
  });
});
