// HTTP routes of messages: POST /api/messages for transactional and one-off sends (the row is made
// at once, gated, and queued; the worker delivers it), the message log with each message's status
// history, and the stats. Sending needs messaging.write (a secret API key with it too: a shop's
// server sends its order confirmations this way); reading needs customers.read, with addresses
// masked for roles without pii.read.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import { decodeCursor, encodeCursor, cursorTime } from '../commerce/cursor.ts';
import { requireTime } from '../dates.ts';
import { AppError } from '../errors.ts';
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { can } from '../workspaces/roles.ts';
import { storedContent } from './content-pack.ts';
import { MessageCreatedSchema, MessageDetailSchema, MessagePageSchema, StatsSchema } from './contract.ts';
import { toMessage, toMessages } from './message-view.ts';
import { historyWithQueued } from './status.ts';
import { messages, messageStatusHistory } from './schema.ts';
import { createMessage, type MessageRow } from './send.ts';
import { messagingStats } from './stats.ts';
import { CHANNEL_KINDS, MESSAGE_PURPOSES, MESSAGE_STATUSES, type ChannelKind } from './types.ts';

const Uuid = Type.String({ format: 'uuid' });
const OneOf = (values: readonly string[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ChannelRef = Type.String({ minLength: 1, maxLength: 36, description: `A channel kind (${CHANNEL_KINDS.join(', ')}: its default channel) or a channel id` });

const SendBody = Type.Object(
  {
    customerId: Type.Optional(Uuid),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'An address instead of (or overriding) the customer’s' })),
    channel: ChannelRef,
    templateId: Type.Optional(Uuid),
    content: Type.Optional(
      Type.Object(
        {
          subject: Type.Optional(Type.String({ maxLength: 998 })),
          body: Type.String({ minLength: 1, maxLength: 500_000 }),
          format: Type.Optional(OneOf(['mjml', 'html', 'text', 'json'])),
          title: Type.Optional(Type.String({ maxLength: 200 })),
          options: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Kakao: { type, templateCode, buttons }; push: { url, icon }' })),
        },
        { additionalProperties: false, description: 'Liquid, as a template would hold it' },
      ),
    ),
    data: Type.Optional(Type.Object({}, { additionalProperties: true, description: '{{ data.… }} in the template' })),
    purpose: OneOf(MESSAGE_PURPOSES),
    sendAt: Type.Optional(Type.String({ maxLength: 40, description: 'An ISO 8601 time, or "best_hour" (the customer’s most active hour within 24 h); now when absent' })),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Required here or as the Idempotency-Key header: a second call with it returns the first message' })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    customerId: Type.Optional(Uuid),
    status: Type.Optional(OneOf(MESSAGE_STATUSES)),
    channel: Type.Optional(ChannelRef),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

/** `channel` as a kind or a channel id, or a 400 naming it. */
function channelOf(value: string, path: string): { kind?: ChannelKind; channelId?: string } {
  if ((CHANNEL_KINDS as readonly string[]).includes(value)) return { kind: value as ChannelKind };
  if (UUID.test(value)) return { channelId: value.toLowerCase() };
  throw new AppError('invalid_input', `${path}: must be a channel kind (${CHANNEL_KINDS.join(', ')}) or a channel id`);
}

/** send.ts names the channel it was given as channelId or kind; the caller gave it as `channel`. */
function renameChannelField(err: unknown): unknown {
  if (err instanceof AppError) {
    const message = err.message.replace(/^body\.(channelId|kind):/, 'body.channel:');
    if (message !== err.message) return new AppError(err.code, message, err.details);
  }
  return err;
}

export async function registerMessageRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['messaging'];
  const pii = (request: Parameters<typeof caller>[0]) => can(caller(request).role, 'pii.read');

  app.post(
    '/api/messages',
    {
      config: { auth: 'messaging.write' },
      schema: {
        tags,
        summary: 'Send a message to a customer or an address: 202 with the message (queued, deferred, or suppressed with the reason); 200 with the first message when the idempotency key was already used',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) }),
        body: SendBody,
        response: { 200: MessageCreatedSchema, 202: MessageCreatedSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const body = request.body;
      const header = request.headers['idempotency-key'];
      const headerKey = typeof header === 'string' ? header : undefined;
      if (headerKey && body.idempotencyKey && headerKey !== body.idempotencyKey) throw new AppError('invalid_input', 'body.idempotencyKey: differs from the Idempotency-Key header');
      const idempotencyKey = body.idempotencyKey ?? headerKey;
      if (!idempotencyKey) throw new AppError('invalid_input', 'body.idempotencyKey: is required (or send the Idempotency-Key header): a retried call then sends nothing twice');
      if (!body.customerId && !body.to) throw new AppError('invalid_input', 'body.customerId: a customer (customerId) or an address (to) is required');
      if (!body.templateId && !body.content) throw new AppError('invalid_input', 'body.templateId: a template (templateId) or content is required');
      const sendAt = body.sendAt === undefined ? undefined : body.sendAt === 'best_hour' ? ('best_hour' as const) : requireTime(body.sendAt, 'body.sendAt');
      if (sendAt === 'best_hour' && !body.customerId) throw new AppError('invalid_input', 'body.sendAt: best_hour needs a customer (customerId)');
      let outcome;
      try {
        outcome = await createMessage(db, {
          workspaceId: c.workspaceId,
          customerId: body.customerId ?? null,
          to: body.to ?? null,
          ...channelOf(body.channel, 'body.channel'),
          templateId: body.templateId ?? null,
          content: body.content as Parameters<typeof createMessage>[1]['content'],
          data: body.data as Record<string, unknown> | undefined,
          purpose: body.purpose,
          sendAt,
          idempotencyKey,
          origin: 'api',
          createdByLabel: c.actor.label,
        });
      } catch (err) {
        throw renameChannelField(err);
      }
      const view = await toMessage(db, outcome.message, { pii: pii(request) });
      const replayed = !outcome.created;
      reply.header('idempotent-replayed', String(replayed));
      return reply.status(replayed ? 200 : 202).send({ ...view, replayed });
    },
  );

  app.get(
    '/api/messages',
    {
      config: { auth: 'customers.read' },
      schema: { tags, summary: 'The message log, newest first, a page at a time (nextCursor); filter by customer, status and channel (a kind or a channel id)', querystring: ListQuery, response: { 200: MessagePageSchema } },
    },
    async (request) => {
      const c = caller(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const where: (SQL | undefined)[] = [eq(messages.workspaceId, c.workspaceId)];
      if (q.customerId) where.push(eq(messages.customerId, q.customerId));
      if (q.status) where.push(eq(messages.status, q.status));
      if (q.channel) {
        const ch = channelOf(q.channel, 'query.channel');
        where.push(ch.kind ? eq(messages.kind, ch.kind) : eq(messages.channelId, ch.channelId!));
      }
      if (q.cursor) {
        const cur = decodeCursor(q.cursor);
        const at = cursorTime(cur.value);
        where.push(sql`(${messages.createdAt}, ${messages.id}) < (${at}, ${cur.id}::uuid)`);
      }
      const rows = await db
        .select()
        .from(messages)
        .where(and(...where))
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit) as MessageRow[];
      const last = page[page.length - 1];
      return { items: await toMessages(db, page, { pii: pii(request) }), nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt.toISOString(), last.id) : null };
    },
  );

  app.get(
    '/api/messages/:id',
    {
      config: { auth: 'customers.read' },
      schema: { tags, summary: 'One message with its status history (its rendered content only for roles with pii.read)', params: Type.Object({ id: Uuid }), response: { 200: MessageDetailSchema } },
    },
    async (request) => {
      const c = caller(request);
      const [row] = await db
        .select()
        .from(messages)
        .where(and(eq(messages.workspaceId, c.workspaceId), eq(messages.id, request.params.id)));
      if (!row) throw new AppError('not_found', `message ${request.params.id} not found`);
      const history = await db
        .select({ status: messageStatusHistory.status, reason: messageStatusHistory.reason, detail: messageStatusHistory.detail, at: messageStatusHistory.at })
        .from(messageStatusHistory)
        .where(and(eq(messageStatusHistory.workspaceId, c.workspaceId), eq(messageStatusHistory.messageId, row.id)))
        .orderBy(messageStatusHistory.at, messageStatusHistory.id);
      const mayRead = pii(request);
      return {
        ...(await toMessage(db, row, { pii: mayRead })),
        content: mayRead ? storedContent(row) : null,
        providerMessageId: row.providerMessageId,
        history: historyWithQueued(row.createdAt, history, (at) => ({ status: 'queued', reason: null, detail: null, at })).map((h) => ({ status: h.status, reason: h.reason, detail: h.detail ?? null, at: h.at.toISOString() })),
      };
    },
  );

  app.get(
    '/api/messaging/stats',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: 'Sent, delivered, opened, clicked, bounced, suppressed and failed messages by channel and by day (days in the workspace’s time zone; the last 30 days by default)',
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })) }, { additionalProperties: false }),
        response: { 200: StatsSchema },
      },
    },
    async (request) => messagingStats(db, { workspaceId: caller(request).workspaceId, from: request.query.from, to: request.query.to }),
  );
}
