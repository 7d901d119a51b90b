// Web push for the browser tracker: the workspace's VAPID public key, a browser's subscription
// kept and dropped (public routes under /v1/push, authenticated by the shop's write key as /v1/batch
// is, open to every origin as the tracker's routes are), the tracker's push module (/t-push.js) and
// the service worker that shows the notifications (/rapport-sw.js); and, for the team, a
// customer's subscriptions. See docs/tracker.md for the shop's side.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { caller } from '../http/auth.ts';
import { findUnstorable } from '../http/body.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { requireCustomerRow } from '../customers/customers.ts';
import { createSecretCache, serverKey, verifyUserHash } from '../events/identity-verification.ts';
import { createKeyCache, keyFromRequest } from '../events/write-keys.ts';
import { touchApiKey, type ResolvedKey } from '../workspaces/api-keys.ts';
import { can } from '../workspaces/roles.ts';
import { checkSubscription, pushCustomerOf, pushSubscriptionsFor, removePushSubscription, savePushSubscription } from './push-subscriptions.ts';
import { listChannels } from './channels.ts';

// The same depth from src/messaging/ and from the server bundle in dist/server/.
const trackerFile = (name: string) => fileURLToPath(new URL(`../../src/events/tracker/${name}`, import.meta.url));

const PUBLIC = { auth: 'public' as const, rateLimit: false };
const HIDDEN = { hide: true };
const tags = ['web push'];
/** As long as the ids event ingestion takes (src/events/segment-message.ts). */
const MAX_ID = 320;

const Uuid = Type.String({ format: 'uuid' });
const WriteKey = Type.Optional(
  Type.String({ minLength: 1, maxLength: 200, description: "The shop's write key (wk_…), as the tracker sends it; or `Authorization: Basic base64(writeKey:)` as /v1/batch takes it" }),
);
const Id = (description: string) => Type.Optional(Type.Union([Type.String({ maxLength: MAX_ID, description }), Type.Null()]));
const Keys = Type.Object(
  {
    p256dh: Type.String({ minLength: 1, maxLength: 200, description: "The browser's P-256 public key, base64url" }),
    auth: Type.String({ minLength: 1, maxLength: 100, description: 'The 16-byte auth secret, base64url' }),
  },
  { additionalProperties: true },
);
const SubscribeBody = Type.Object(
  {
    writeKey: WriteKey,
    subscription: Type.Object(
      {
        endpoint: Type.String({ minLength: 1, maxLength: 2000, description: "The push service's URL for this browser" }),
        expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        keys: Keys,
      },
      { additionalProperties: true, description: 'PushSubscription.toJSON() as the browser gives it' },
    ),
    anonymousId: Id("The tracker's anonymous id of the visitor"),
    userId: Id('The signed-in user, when the page knows them'),
    userHash: Type.Optional(Type.String({ maxLength: 200, description: "HMAC-SHA256(userId) made by the shop's server (see /api/identity-verification): links the subscription to the user's customer" })),
  },
  { additionalProperties: false },
);
const UnsubscribeBody = Type.Object({ writeKey: WriteKey, endpoint: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });

const SubscriptionSchema = Type.Object(
  {
    id: Uuid,
    anonymousId: Type.Union([Type.String(), Type.Null()]),
    pushService: Type.String({ description: "The browser's push service (the endpoint's origin; the endpoint itself stays on the server)" }),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: true },
);

type Asset = { body: Buffer; etag: string };
function asset(name: string): Asset {
  const body = fs.readFileSync(trackerFile(name));
  return { body, etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}
function sendAsset(request: FastifyRequest, reply: FastifyReply, a: Asset, cacheControl: string) {
  // Loaded by shops' pages and service workers from their own origins.
  reply.header('cache-control', cacheControl).header('etag', a.etag).header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin');
  if (request.headers['if-none-match'] === a.etag) return reply.status(304).send();
  return reply.type('application/javascript; charset=utf-8').send(a.body);
}

/**
 * The VAPID public key browsers subscribe with: the default push channel's; when that one has none
 * (the sandbox, which only fills the Sandbox inbox), the first live web push channel's, so that
 * visitors can subscribe while the marketer tries messages out in the sandbox.
 */
export async function vapidPublicKeyOf(db: Queryable, workspaceId: string): Promise<{ channelId: string; publicKey: string } | null> {
  // Default first (listChannels' order).
  for (const row of await listChannels(db, workspaceId, { kind: 'push' })) {
    const key = row.settings.vapidPublicKey;
    if (typeof key === 'string' && key) return { channelId: row.id, publicKey: key };
  }
  return null;
}

const trimmed = (v: string | null | undefined) => (typeof v === 'string' && v.trim() ? v.trim() : null);

export async function registerPushRoutes(app: App, { database, config }: AppDeps): Promise<void> {
  const { db } = database;
  const keys = createKeyCache();
  const secrets = createSecretCache({ key: () => serverKey(config) });
  const pushModule = asset('push.js');
  const serviceWorker = asset('rapport-sw.js');

  /** The workspace a write key (or a secret key allowed to write customers) belongs to; 401/403 otherwise. */
  async function keyOf(request: FastifyRequest, writeKey: string | undefined, path: string): Promise<ResolvedKey> {
    const given = keyFromRequest(request.headers.authorization, writeKey?.trim() || null);
    if (!given) throw new AppError('unauthenticated', `${path}: send the write key (or Authorization: Basic base64(writeKey:))`);
    const key = await keys.resolve(db, given);
    if (!key) throw new AppError('unauthenticated', `${path}: the write key is unknown or revoked`);
    if (key.kind === 'secret' && !(key.role && can(key.role, 'customers.write'))) {
      throw new AppError('forbidden', `${path}: this secret key's role (${key.role}) does not allow customers.write; use a write key`);
    }
    await touchApiKey(db, key);
    return key;
  }

  app.get('/t-push.js', { config: PUBLIC, schema: HIDDEN }, (request, reply) => sendAsset(request, reply, pushModule, 'public, max-age=3600, stale-while-revalidate=86400'));
  // Browsers look for a new service worker at least daily whatever the cache says; a short
  // max-age lets a fix reach the shops' workers that import it within minutes.
  app.get('/rapport-sw.js', { config: PUBLIC, schema: HIDDEN }, (request, reply) => sendAsset(request, reply, serviceWorker, 'public, max-age=300'));

  await app.register(async (plugin) => {
    const v1 = plugin.withTypeProvider<TypeBoxTypeProvider>();
    v1.addHook('onRequest', async (_request, reply) => {
      // The tracker runs on the shop's own site, another origin; no cookies are involved.
      reply.header('access-control-allow-origin', '*');
    });
    // The app's check of JSON bodies leaves /v1 out (a batch refuses a bad message alone); these take one thing.
    v1.addHook('preValidation', async (request) => {
      const problem = findUnstorable(request.body);
      if (problem) throw new AppError('invalid_input', problem);
    });
    for (const path of ['/v1/push/vapid-public-key', '/v1/push/subscriptions']) {
      v1.options(path, { config: PUBLIC, schema: HIDDEN }, async (_request, reply) =>
        reply
          .status(204)
          .header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
          .header('access-control-allow-headers', 'Content-Type, Authorization')
          .header('access-control-max-age', '86400')
          .send(),
      );
    }

    v1.get(
      '/v1/push/vapid-public-key',
      {
        config: PUBLIC,
        schema: {
          tags,
          summary: "The VAPID public key browsers subscribe with (the default push channel's, else the first web push channel's)",
          security: [],
          querystring: Type.Object({ writeKey: WriteKey }, { additionalProperties: false }),
          response: { 200: Type.Object({ publicKey: Type.String({ description: 'base64url, for pushManager.subscribe({ applicationServerKey })' }), channelId: Uuid }) },
        },
      },
      async (request) => {
        const key = await keyOf(request, request.query.writeKey, 'query.writeKey');
        const found = await vapidPublicKeyOf(db, key.workspaceId);
        if (!found) throw new AppError('not_found', 'This workspace has no web push channel: add one under Settings → Channels');
        return found;
      },
    );

    v1.post(
      '/v1/push/subscriptions',
      {
        config: PUBLIC,
        schema: {
          tags,
          summary: "Keep a browser's push subscription (sent by the tracker's rapport('push.subscribe'))",
          description:
            "One per endpoint: sending it again refreshes it. Linked to the visitor's customer when the anonymous id is already theirs, or the user id's when userHash verifies; " +
            'otherwise it follows the anonymous id once the visitor is identified.',
          security: [],
          body: SubscribeBody,
          response: { 200: Type.Object({ ok: Type.Boolean(), id: Uuid, created: Type.Boolean({ description: 'False when the browser had sent it before' }) }) },
        },
      },
      async (request) => {
        const body = request.body;
        const key = await keyOf(request, body.writeKey, 'body.writeKey');
        const checked = checkSubscription({ endpoint: body.subscription.endpoint, keys: body.subscription.keys });
        const anonymousId = trimmed(body.anonymousId);
        const userId = trimmed(body.userId);
        if (!anonymousId && !userId) throw new AppError('invalid_input', 'body.anonymousId: the tracker sends the visitor: an anonymousId or a userId is required');
        let verified = key.kind === 'secret';
        if (!verified && userId && body.userHash) {
          const secret = await secrets.secretOf(db, key.workspaceId);
          verified = secret !== null && verifyUserHash(secret, userId, body.userHash);
        }
        const customerId = await pushCustomerOf(db, { workspaceId: key.workspaceId, anonymousId, userId, verified });
        const userAgent = trimmed(request.headers['user-agent'])?.slice(0, 500) ?? null;
        const saved = await savePushSubscription(db, { workspaceId: key.workspaceId, ...checked, anonymousId, customerId, userAgent });
        // Whether it was linked is not said: that would tell a stranger who is a customer.
        return { ok: true, id: saved.subscription.id, created: saved.created };
      },
    );

    v1.delete(
      '/v1/push/subscriptions',
      {
        config: PUBLIC,
        schema: {
          tags,
          summary: "Drop a browser's push subscription (rapport('push.unsubscribe'))",
          security: [],
          body: UnsubscribeBody,
          response: { 200: Type.Object({ ok: Type.Boolean() }) },
        },
      },
      async (request) => {
        const key = await keyOf(request, request.body.writeKey, 'body.writeKey');
        const removed = await removePushSubscription(db, { workspaceId: key.workspaceId, endpoint: request.body.endpoint.trim() });
        if (!removed) throw new AppError('not_found', 'body.endpoint: no push subscription with this endpoint');
        return { ok: true };
      },
    );
  });

  app.get(
    '/api/customers/:id/push-subscriptions',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: "A customer's live web push subscriptions (browsers that accepted notifications), newest first",
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ items: Type.Array(SubscriptionSchema) }) },
      },
    },
    async (request) => {
      const c = caller(request);
      await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
      const items = (await pushSubscriptionsFor(db, c.workspaceId, [request.params.id])).get(request.params.id) ?? [];
      return {
        items: items.slice(0, 100).map((s) => ({
          id: s.id,
          anonymousId: s.anonymousId,
          pushService: new URL(s.endpoint).origin,
          userAgent: s.userAgent,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
        })),
      };
    },
  );
}
