// The Segment-compatible tracking API (see docs/events.md): /v1/batch and the single calls, with
// the one-letter paths browsers use. Segment and RudderStack libraries work unchanged when
// pointed here. Authenticated by the workspace's write key (or a secret key), not by the /api
// auth hook; bodies are read here whatever their Content-Type, and validated message by message.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../http/deps.ts';
import { AppError } from '../errors.ts';
import { touchApiKey } from '../workspaces/api-keys.ts';
import { can } from '../workspaces/roles.ts';
import type { Actor } from '../workspaces/audit.ts';
import { caller } from '../http/auth.ts';
import { createSecretCache, getVerificationSecret, rotateVerificationSecret, serverKey, takeUserHashes, verifyUserHash } from './identity-verification.ts';
import { storeRequests, type BrowserSender, type IngestResult } from './ingest.ts';
import { createIngestQueue } from './ingest-queue.ts';
import { MAX_BATCH_BYTES, parseSegmentBody, readMessages, requestShape, type IngestMessage } from './segment-message.ts';
import type { EventType } from './types.ts';
import { createKeyCache, keyFromRequest } from './write-keys.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Size of the /v1 request body, for back-pressure. */
    ingestBytes: number;
  }
}

/** Path → call type; `batch` for the batch paths. */
const PATHS: Record<string, EventType | 'batch'> = {
  '/v1/batch': 'batch',
  '/v1/import': 'batch',
  '/v1/b': 'batch',
  '/v1/track': 'track',
  '/v1/t': 'track',
  '/v1/identify': 'identify',
  '/v1/i': 'identify',
  '/v1/page': 'page',
  '/v1/p': 'page',
  '/v1/screen': 'screen',
  '/v1/s': 'screen',
  '/v1/group': 'group',
  '/v1/g': 'group',
  '/v1/alias': 'alias',
  '/v1/a': 'alias',
};

/** Seconds a sender told to slow down waits before trying again. */
const RETRY_AFTER_SECONDS = 1;
// Group commit: requests of one key waiting while one of theirs is written go together, up to
// this many messages in one transaction.
const MAX_MESSAGES_PER_WRITE = 1000;
const WRITERS_PER_KEY = 2;
// Larger than the batch limit so that the 400 can say how large the body was.
const BODY_LIMIT = 2 * MAX_BATCH_BYTES;

// Documentation only (OpenAPI): the handler reads messages itself so that one bad message is
// reported without refusing the others.
const Message = Type.Object(
  {
    type: Type.Optional(Type.String({ description: 'track | identify | page | screen | group | alias (batch items only)' })),
    messageId: Type.Optional(Type.String({ description: 'Deduplication key: a retried message is stored once' })),
    userId: Type.Optional(Type.String()),
    anonymousId: Type.Optional(Type.String()),
    event: Type.Optional(Type.String({ description: 'track: the event name' })),
    name: Type.Optional(Type.String({ description: 'page / screen: the page name' })),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    traits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    groupId: Type.Optional(Type.String()),
    previousId: Type.Optional(Type.String()),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    integrations: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    timestamp: Type.Optional(Type.String({ format: 'date-time' })),
    sentAt: Type.Optional(Type.String({ format: 'date-time' })),
    writeKey: Type.Optional(Type.String()),
    userHash: Type.Optional(
      Type.String({ description: 'HMAC-SHA256(userId, identity-verification secret) in hex, made by the shop server: lets a write key change a known customer (also context.userHash)' }),
    ),
  },
  { additionalProperties: true },
);
const BatchBody = Type.Object(
  {
    batch: Type.Array(Message),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    sentAt: Type.Optional(Type.String({ format: 'date-time' })),
    writeKey: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const Reply = Type.Object({
  success: Type.Boolean(),
  errors: Type.Optional(Type.Array(Type.Object({ index: Type.Integer(), message: Type.String() }))),
});

function cors(_request: FastifyRequest, reply: FastifyReply, done: () => void) {
  // The tracker runs on the shop's own site, another origin; no cookies are involved.
  reply.header('access-control-allow-origin', '*');
  reply.header('access-control-expose-headers', 'Retry-After');
  done();
}

export async function registerEventRoutes(app: App, deps: AppDeps): Promise<void> {
  const { database, config } = deps;
  const keys = createKeyCache();
  const secrets = createSecretCache({ key: () => serverKey(config) });
  type Payload = { workspaceId: string; actor: Actor; messages: IngestMessage[]; pathOf: (index: number) => string; browser?: BrowserSender };
  const queue = createIngestQueue<Payload, IngestResult>({
    write: (_key, payloads) => storeRequests(database.db, { workspaceId: payloads[0]!.workspaceId, actor: payloads[0]!.actor, requests: payloads }),
    maxWriters: config.ingestConcurrency,
    writersPerKey: WRITERS_PER_KEY,
    maxSizePerWrite: MAX_MESSAGES_PER_WRITE,
    maxQueuedBytes: config.ingestQueueBytes,
  });

  const VerificationSecret = Type.Object({ secret: Type.String(), createdAt: Type.String({ format: 'date-time' }) });
  app.get(
    '/api/identity-verification',
    {
      config: { auth: 'keys.manage' },
      schema: {
        tags: ['api keys'],
        summary: "The workspace's identity-verification secret (null until made): the shop's server signs user ids with it (docs/events.md)",
        response: { 200: Type.Object({ secret: Type.Union([Type.String(), Type.Null()]), createdAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) }) },
      },
    },
    async (request) => {
      const found = await getVerificationSecret(database.db, { workspaceId: caller(request).workspaceId, key: serverKey(config) });
      return found ?? { secret: null, createdAt: null };
    },
  );
  app.post(
    '/api/identity-verification/rotate',
    {
      config: { auth: 'keys.manage' },
      schema: {
        tags: ['api keys'],
        summary: 'Make a new identity-verification secret; user hashes made with the old one stop verifying',
        response: { 200: VerificationSecret },
      },
    },
    async (request) => {
      const c = caller(request);
      return database.db.transaction((tx) => rotateVerificationSecret(tx, { workspaceId: c.workspaceId, key: serverKey(config), actor: c.actor }));
    },
  );

  await app.register(async (v1) => {
    v1.decorateRequest('ingestBytes', 0);
    v1.removeAllContentTypeParsers();
    // JSON whatever the Content-Type: browsers send text/plain to avoid a preflight.
    v1.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (request, body, done) => {
      try {
        const raw = body as Buffer;
        request.ingestBytes = raw.length;
        done(null, parseSegmentBody(raw));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    v1.setValidatorCompiler(() => () => true);
    v1.addHook('onRequest', cors);

    v1.options('/v1/*', { config: { auth: 'public', rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
      return reply
        .status(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'Content-Type, Authorization')
        .header('access-control-max-age', '86400')
        .send();
    });

    for (const [path, kind] of Object.entries(PATHS)) {
      const batch = kind === 'batch';
      v1.post(
        path,
        {
          // The write key is checked below; the per-key API rate limit does not apply to event
          // ingestion, which has its own back-pressure (429 with Retry-After).
          config: { auth: 'public', rateLimit: false },
          bodyLimit: BODY_LIMIT,
          schema: {
            tags: ['events'],
            summary: batch ? 'Send a batch of Segment messages' : `Send one Segment ${kind} call`,
            description:
              'Segment-compatible tracking API. Auth: `Authorization: Basic base64(writeKey + ":")` or `writeKey` in the body. ' +
              'Any Content-Type; the body is JSON, optionally with Content-Encoding gzip, deflate or br. See docs/events.md.',
            security: [],
            body: batch ? BatchBody : Message,
            response: { 200: Reply },
          },
        },
        async (request, reply) => {
          const body = request.body as Record<string, unknown> | undefined;
          if (!body) throw new AppError('invalid_input', 'body: is empty; send a JSON object');
          const shape = requestShape(body, { batch });
          const key = keyFromRequest(request.headers.authorization, shape.writeKey);
          if (!key) throw new AppError('unauthenticated', 'Authorization: send the write key as "Basic base64(writeKey:)", or writeKey in the body');
          const apiKey = await keys.resolve(database.db, key);
          if (!apiKey) throw new AppError('unauthenticated', 'Authorization: the write key is unknown or revoked');
          if (apiKey.kind === 'secret' && !(apiKey.role && can(apiKey.role, 'customers.write'))) {
            throw new AppError('forbidden', `Authorization: this secret key's role (${apiKey.role}) does not allow customers.write; use a write key`);
          }
          await touchApiKey(database.db, apiKey);

          // Taken out of every message, whoever sends it: a user hash is never stored.
          const hashes = takeUserHashes(shape.messages, shape.context);
          let browser: BrowserSender | undefined;
          if (apiKey.kind === 'write') {
            const secret = hashes.some((h) => h !== undefined) ? await secrets.secretOf(database.db, apiKey.workspaceId) : null;
            browser = { verified: (m) => secret !== null && m.userId !== null && hashes[m.index] !== undefined && verifyUserHash(secret, m.userId, hashes[m.index]!) };
          }

          const receivedAt = new Date();
          const pathOf = shape.single ? () => 'body' : (i: number) => `batch[${i}]`;
          const read = readMessages(shape.messages, { type: batch ? undefined : (kind as EventType), context: shape.context, sentAt: shape.sentAt, receivedAt, pathOf });
          if (read.messages.length === 0) {
            const shown = read.errors.slice(0, 5).map((e) => e.message);
            const more = read.errors.length > shown.length ? `; and ${read.errors.length - shown.length} more` : '';
            const prefix = shape.single ? '' : `no valid message in the batch (${read.errors.length} of ${shape.messages.length} invalid): `;
            throw new AppError('invalid_input', `${prefix}${shown.join('; ')}${more}`, read.errors);
          }

          const actor: Actor = { type: 'api_key', id: apiKey.id, label: `key ${apiKey.name}` };
          const written = queue.submit({
            key: `${apiKey.workspaceId}:${apiKey.id}`,
            bytes: request.ingestBytes,
            size: read.messages.length,
            payload: { workspaceId: apiKey.workspaceId, actor, messages: read.messages, pathOf, browser },
          });
          if (!written) {
            reply.header('retry-after', String(RETRY_AFTER_SECONDS)); // kept by the error handler
            throw new AppError('rate_limited', `Too many events arriving at once: retry in ${RETRY_AFTER_SECONDS} s`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
          }
          const result = await written;
          const errors = [...read.errors, ...result.errors].sort((a, b) => a.index - b.index);
          return errors.length ? { success: true, errors } : { success: true };
        },
      );
    }
  });
}
