// The dispatcher and a push service that says a browser dropped its subscription (410 Gone): the
// message fails with subscription_gone and the subscription is revoked, so no later push goes to
// the dead endpoint. The push service is a local HTTPS server (web-push only speaks HTTPS) with a
// certificate made here; this test file's global HTTPS agent trusts it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import webpush from 'web-push';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { createTestWorkspace, describeEachDb, testConfig } from '../db/test-helpers.ts';
import { encryptSecret, serverKey } from '../events/identity-verification.ts';
import { addChannel, addCustomers, eventually } from './delivery-test-fixture.ts';
import { startMessageDispatcher } from './dispatcher.ts';
import { closeProviders } from './providers/index.ts';
import { savePushSubscription } from './push-subscriptions.ts';
import { browserKeys } from './push-test-fixture.ts';
import { createMessage } from './send.ts';

const config = testConfig({ RAPPORT_PUBLIC_URL: 'https://crm.rapport-shop.test', RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' });

describeEachDb('message dispatcher: web push', (getDb) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-dispatch-push-'));
  const hits: { path: string; authorization: string }[] = [];
  let server: https.Server;
  let origin: string;
  let previousCa: unknown;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'));
    server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        hits.push({ path: req.url ?? '', authorization: String(req.headers.authorization ?? '') });
        // RFC 8030 §7.3: 410 Gone is how a push service says the subscription no longer exists.
        const gone = (req.url ?? '').startsWith('/push/gone');
        res.writeHead(gone ? 410 : 201, gone ? {} : { location: `${origin}/messages/1` });
        res.end(gone ? 'push subscription has unsubscribed or expired' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The provider is made by the dispatcher without an agent of its own: trust the test's certificate on the global one.
    previousCa = https.globalAgent.options.ca;
    https.globalAgent.options.ca = cert;
  });
  afterAll(async () => {
    await closeProviders();
    https.globalAgent.options.ca = previousCa as typeof https.globalAgent.options.ca;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => clock.reset());

  it('fails a push the push service answers 410 with subscription_gone and revokes that subscription (the other stays live)', async () => {
    const database = getDb();
    const db = database.db;
    const { workspace } = await createTestWorkspace(database, 'Push dispatch shop');
    const ws = workspace.id;
    const vapid = webpush.generateVAPIDKeys();
    await addChannel(db, ws, {
      kind: 'push',
      provider: 'webpush',
      settings: { vapidPublicKey: vapid.publicKey, subject: 'mailto:ops@shop.example' },
      secrets: encryptSecret(serverKey(config), JSON.stringify({ vapidPrivateKey: vapid.privateKey })),
    });
    const [gone, live] = await addCustomers(db, ws, [{ name: 'Gone browser' }, { name: 'Live browser' }]);
    // Stored directly: the known-push-service check is the subscribe route's, and this push service is local.
    const goneSub = await savePushSubscription(db, { workspaceId: ws, endpoint: `${origin}/push/gone/${ws}`, keys: browserKeys(), anonymousId: null, customerId: gone! });
    const liveSub = await savePushSubscription(db, { workspaceId: ws, endpoint: `${origin}/push/live/${ws}`, keys: browserKeys(), anonymousId: null, customerId: live! });
    const push = (customerId: string, key: string) => ({
      workspaceId: ws,
      customerId,
      kind: 'push' as const,
      content: { title: 'Your order shipped', body: 'It is on its way.' },
      purpose: 'transactional' as const,
      idempotencyKey: key,
    });
    const statusOf = async (id: string) =>
      (await db.execute<{ status: string; reason: string | null }>(sql`select status, reason from messages where workspace_id = ${ws}::uuid and id = ${id}::uuid`)).rows[0]!;
    const revokedAt = async (id: string) =>
      (await db.execute<{ revoked_at: string | null }>(sql`select revoked_at from push_subscriptions where workspace_id = ${ws}::uuid and id = ${id}::uuid`)).rows[0]!.revoked_at;

    const dispatcher = startMessageDispatcher(database, { config, pollMs: 50, maxAttempts: 3, workspaceIds: [ws] });
    try {
      const g = await createMessage(db, push(gone!, 'gone-1'));
      const l = await createMessage(db, push(live!, 'live-1'));
      await eventually(async () => (await statusOf(g.message.id)).status === 'failed' && (await statusOf(l.message.id)).status === 'sent', 20_000, 'both outcomes');
      expect(await statusOf(g.message.id)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^HTTP 410/) });
      const { rows: history } = await db.execute<{ detail: { code?: string } | null }>(
        sql`select detail from message_status_history where workspace_id = ${ws}::uuid and message_id = ${g.message.id}::uuid and status = 'failed'`,
      );
      expect(history[0]?.detail?.code).toBe('subscription_gone');
      expect(hits.filter((h) => h.path === `/push/gone/${ws}`)).toHaveLength(1);
      expect(hits.find((h) => h.path === `/push/gone/${ws}`)?.authorization).toMatch(/^vapid t=/);
      expect(await revokedAt(goneSub.subscription.id)).not.toBeNull();
      expect(await revokedAt(liveSub.subscription.id)).toBeNull();
      // The next push to that customer finds no live subscription and is not sent to the dead endpoint.
      const again = await createMessage(db, push(gone!, 'gone-2'));
      expect(again.message).toMatchObject({ status: 'suppressed', reason: 'no_address' });
      expect(hits.filter((h) => h.path === `/push/gone/${ws}`)).toHaveLength(1);
    } finally {
      await dispatcher.stop();
    }
  }, 90_000);
});
