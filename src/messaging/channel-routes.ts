// HTTP routes of channels and the workspace's sending rules. Changing them needs workspace.manage
// (channels hold the provider's passwords and keys, and the rules decide what the law allows);
// reading them, and a test send to yourself, need messaging.write, what marketers hold.
import { Type } from 'typebox';
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { AppError } from '../errors.ts';
import { can } from '../workspaces/roles.ts';
import { getUser } from '../workspaces/users.ts';
import { archiveChannel, createChannel, ensureSandboxChannels, listChannels, requireChannel, secretsSetOf, toChannel, updateChannel } from './channels.ts';
import { ChannelCreatedSchema, ChannelListSchema, ChannelSchema, MessageCreatedSchema, MessagingSettingsSchema } from './contract.ts';
import { toMessage } from './message-view.ts';
import { createMessage } from './send.ts';
import { getMessagingSettings, MessagingSettingsInput, setMessagingSettings } from './settings.ts';
import { CHANNEL_KINDS, PROVIDERS, type ChannelKind } from './types.ts';

const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid });
const OneOf = (values: readonly string[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
// Checked per provider by checkChannelConfig (src/messaging/channel-settings.ts), which names the bad field.
const Settings = Type.Object({}, { additionalProperties: true, description: 'Per provider: smtp {host, port, secure, requireTLS, from, replyTo, bounceAddress, maxConnections, ratePerSecond, dkimDomain, dkimSelector}; solapi {from, pfId, apiBase, ratePerSecond}; webpush {vapidPublicKey, subject}; webhook {url, ratePerSecond}; sandbox {from}' });
const Secrets = Type.Object({}, { additionalProperties: true, description: 'Per provider: smtp {user, password, dkimPrivateKey}; solapi {apiKey, apiSecret}; webpush {vapidPrivateKey}; webhook {signingSecret}. Stored encrypted, never returned' });
const PROVIDER_NAMES = [...new Set(Object.values(PROVIDERS).flat())];

/** Secrets must be strings (or null to remove one, on change): anything else is a 400 naming it. */
function secretsOf(value: Record<string, unknown> | undefined, allowNull: boolean): Record<string, string | null> | undefined {
  if (value === undefined) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' && !(allowNull && v === null)) throw new AppError('invalid_input', `body.secrets.${k}: must be a string${allowNull ? ' (or null to remove it)' : ''}`);
  }
  return value as Record<string, string | null>;
}

/** What a test message says, per kind: short enough to be an SMS. */
function testContent(kind: ChannelKind, channelName: string) {
  switch (kind) {
    case 'email':
      return { subject: `Rapport 테스트 메일 · test e-mail (${channelName})`, body: `<p>이 채널(${channelName})로 메일이 전달됩니다.</p><p>This channel delivers e-mail.</p>`, format: 'html' };
    case 'sms':
      return { body: '[Rapport] 테스트 문자입니다. Test message.' };
    case 'kakao':
      return { body: '[Rapport] 카카오톡 테스트 메시지입니다. Test message.', options: { type: 'friendtalk' } };
    case 'push':
      return { title: 'Rapport', body: '테스트 알림입니다 · Test notification' };
    case 'webhook':
      return { body: JSON.stringify({ type: 'test', text: 'Rapport test message' }), format: 'json' };
  }
}

export async function registerChannelRoutes(app: App, { database, config }: AppDeps) {
  const { db } = database;
  const tags = ['messaging'];
  const read = { auth: 'messaging.write' as const };
  const manage = { auth: 'workspace.manage' as const };

  app.get(
    '/api/channels',
    {
      config: read,
      schema: {
        tags,
        summary: 'Channels of the workspace, by kind (a workspace without any gets the sandbox channels, which deliver to the Sandbox inbox)',
        querystring: Type.Object({ kind: Type.Optional(OneOf(CHANNEL_KINDS)), archived: Type.Optional(Type.Boolean({ description: 'Include archived channels' })) }, { additionalProperties: false }),
        response: { 200: ChannelListSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      let rows = await listChannels(db, c.workspaceId, { archived: true });
      if (rows.length === 0) {
        await ensureSandboxChannels(db, c.workspaceId);
        rows = await listChannels(db, c.workspaceId, { archived: true });
      }
      const wanted = rows.filter((r) => (request.query.archived || !r.archivedAt) && (!request.query.kind || r.kind === request.query.kind));
      return { items: wanted.map((r) => toChannel(r, secretsSetOf(config, r))) };
    },
  );

  app.post(
    '/api/channels',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Create a channel: a kind, its provider, settings and secrets (checked per provider; a webhook’s signing secret and a VAPID key pair are made when not given)',
        body: Type.Object(
          { kind: OneOf(CHANNEL_KINDS), provider: OneOf(PROVIDER_NAMES), name: Name, settings: Type.Optional(Settings), secrets: Type.Optional(Secrets), isDefault: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 201: ChannelCreatedSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const body = request.body;
      const { channel, generatedSecrets } = await createChannel(db, config, {
        workspaceId: c.workspaceId,
        actor: c.actor,
        input: { kind: body.kind as ChannelKind, provider: body.provider as never, name: body.name, settings: body.settings as Record<string, unknown> | undefined, secrets: secretsOf(body.secrets as Record<string, unknown> | undefined, false) as Record<string, string> | undefined, isDefault: body.isDefault },
      });
      return reply.status(201).send({ ...channel, generatedSecrets });
    },
  );

  app.get('/api/channels/:id', { config: read, schema: { tags, summary: 'One channel (secrets only as set or not)', params: IdParams, response: { 200: ChannelSchema } } }, async (request) => {
    const row = await requireChannel(db, caller(request).workspaceId, request.params.id);
    return toChannel(row, secretsSetOf(config, row));
  });

  app.patch(
    '/api/channels/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Change a channel: its name, settings or secrets (merged over the current ones; null removes one: a webhook’s signing secret removed is replaced, shown once in generatedSecrets), or make it its kind’s default',
        params: IdParams,
        body: Type.Object({ name: Type.Optional(Name), settings: Type.Optional(Settings), secrets: Type.Optional(Secrets), isDefault: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: ChannelCreatedSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const body = request.body;
      const { channel, generatedSecrets } = await updateChannel(db, config, {
        workspaceId: c.workspaceId,
        actor: c.actor,
        id: request.params.id,
        patch: { name: body.name, settings: body.settings as Record<string, unknown> | undefined, secrets: secretsOf(body.secrets as Record<string, unknown> | undefined, true), isDefault: body.isDefault },
      });
      return { ...channel, generatedSecrets };
    },
  );

  app.delete(
    '/api/channels/:id',
    { config: manage, schema: { tags, summary: 'Archive a channel (its messages keep their history; another channel of its kind becomes the default)', params: IdParams, response: { 200: ChannelSchema } } },
    async (request) => {
      const c = caller(request);
      return archiveChannel(db, config, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id });
    },
  );

  app.post(
    '/api/channels/:id/test',
    {
      config: read,
      schema: {
        tags,
        summary: 'Send a test message through the channel to yourself: your own e-mail address, or the phone number (push subscription, URL) given as `to`',
        params: IdParams,
        body: Type.Object({ to: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })) }, { additionalProperties: false }),
        response: { 202: MessageCreatedSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const channel = await requireChannel(db, c.workspaceId, request.params.id);
      if (channel.archivedAt) throw new AppError('conflict', `channel ${channel.id} is archived`);
      const kind = channel.kind as ChannelKind;
      let to = request.body.to;
      if (!to && kind === 'email' && c.userId) to = (await getUser(db, c.userId))?.email;
      if (!to && kind === 'webhook') to = String(channel.settings.url ?? '');
      if (!to) throw new AppError('invalid_input', `body.to: is required for a ${kind} test${kind === 'email' ? ' sent with an API key' : ''}`);
      // A test goes to the person testing, on their request: transactional, and never repeated by a retry of this call (a fresh key).
      const { message } = await createMessage(db, {
        workspaceId: c.workspaceId,
        channelId: channel.id,
        to,
        content: testContent(kind, channel.name),
        purpose: 'transactional',
        idempotencyKey: `test:${channel.id}:${crypto.randomUUID()}`,
        origin: 'test',
        createdByLabel: c.actor.label,
      });
      return reply.status(202).send({ ...(await toMessage(db, message, { pii: can(c.role, 'pii.read') })), replayed: false });
    },
  );

  app.get('/api/messaging/settings', { config: read, schema: { tags, summary: 'The workspace’s sending rules: sender name, opt-out number, quiet hours, caps, best hour', response: { 200: MessagingSettingsSchema } } }, async (request) =>
    getMessagingSettings(db, caller(request).workspaceId),
  );

  app.put(
    '/api/messaging/settings',
    { config: manage, schema: { tags, summary: 'Change the sending rules (fields not given stay as they are)', body: MessagingSettingsInput, response: { 200: MessagingSettingsSchema } } },
    async (request) => {
      const c = caller(request);
      return setMessagingSettings(db, { workspaceId: c.workspaceId, actor: c.actor, input: request.body });
    },
  );
}
