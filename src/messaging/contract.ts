// Response schemas of the messaging API (channels, sending rules, messages, stats, Sandbox inbox),
// for the OpenAPI document and the fuzz run that checks answers against it. Objects that may gain
// fields say so (additionalProperties), vocabularies are string enums, times are ISO strings.
import { Type } from 'typebox';
import { Json, MaybeOneOf, OneOf, Open, Text, Time, Uuid } from './schema-parts.ts';
import { CHANNEL_KINDS, MESSAGE_PURPOSES, MESSAGE_STATUSES } from './types.ts';

const MaybeTime = Type.Union([Time, Type.Null()]);
const MaybeUuid = Type.Union([Uuid, Type.Null()]);
const MaybeInt = Type.Union([Type.Integer(), Type.Null()]);
const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'The next page: pass as cursor' });
const PROVIDER_NAMES = ['smtp', 'sandbox', 'solapi', 'webpush', 'webhook'] as const;

export const ChannelSchema = Open({
  id: Uuid,
  kind: OneOf(CHANNEL_KINDS),
  provider: OneOf(PROVIDER_NAMES),
  name: Type.String(),
  settings: Json('What is not secret: host, port, from, sender number, Kakao channel id, URL, VAPID public key, rate, …'),
  secretsSet: Json('Which secrets are set, e.g. { "user": true, "password": true }: their values are never returned'),
  isDefault: Type.Boolean({ description: 'Messages of this kind go through it when the caller names no channel' }),
  createdAt: Time,
  updatedAt: Time,
  archivedAt: MaybeTime,
});
export const ChannelListSchema = Open({ items: Type.Array(ChannelSchema) });
export const ChannelCreatedSchema = Open({
  ...ChannelSchema.properties,
  generatedSecrets: Json('Secrets Rapport made because none were given (a webhook’s signingSecret): shown in this answer only, copy them now'),
});

export const MessagingSettingsSchema = Open({
  senderName: Text,
  optOutNumber: Text,
  quietHours: Open({ start: Type.String({ description: 'HH:MM' }), end: Type.String({ description: 'HH:MM' }) }),
  quietStartMinute: Type.Integer(),
  quietEndMinute: Type.Integer(),
  nightPolicy: OneOf(['defer', 'skip']),
  caps: Type.Array(Open({ purpose: OneOf(MESSAGE_PURPOSES), channel: MaybeOneOf(CHANNEL_KINDS, 'null: all channels together'), per: OneOf(['day', 'week']), max: Type.Integer() })),
  bestHour: MaybeInt,
  updatedAt: Type.Union([Time, Type.Null()], { description: 'Null while the defaults apply' }),
});

export const MessageSchema = Open({
  id: Uuid,
  status: OneOf(MESSAGE_STATUSES),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was suppressed, deferred or failed' }),
  sendAt: Time,
  timing: Type.String({ description: 'now | at | best_hour' }),
  kind: OneOf(CHANNEL_KINDS),
  channelId: Uuid,
  purpose: OneOf(MESSAGE_PURPOSES),
  lane: Type.String(),
  customerId: MaybeUuid,
  customerName: Text,
  to: Type.Union([Type.String(), Type.Null()], { description: 'The address; masked for roles without pii.read' }),
  templateId: MaybeUuid,
  templateName: Text,
  templateVersion: MaybeInt,
  idempotencyKey: Type.String(),
  origin: Type.String(),
  originId: MaybeUuid,
  attempts: Type.Integer(),
  createdAt: Time,
  sentAt: MaybeTime,
  deliveredAt: MaybeTime,
  openedAt: MaybeTime,
  clickedAt: MaybeTime,
});
export const MessagePageSchema = Open({ items: Type.Array(MessageSchema), nextCursor: NextCursor });
/** POST /api/messages: the message, and whether this call made it or found it by its idempotency key. */
export const MessageCreatedSchema = Open({ ...MessageSchema.properties, replayed: Type.Boolean({ description: 'True when the idempotency key was already used: this is the first call’s message' }) });
export const MessageDetailSchema = Open({
  ...MessageSchema.properties,
  content: Type.Union([Json(), Type.Null()], { description: 'What was sent, as rendered; null before rendering, and for roles without pii.read' }),
  providerMessageId: Text,
  history: Type.Array(Open({ status: OneOf(MESSAGE_STATUSES), reason: Text, detail: Type.Union([Json(), Type.Null()]), at: Time })),
});

const Counts = Open({
  sent: Type.Integer(),
  delivered: Type.Integer(),
  opened: Type.Integer(),
  clicked: Type.Integer(),
  bounced: Type.Integer(),
  suppressed: Type.Integer(),
  failed: Type.Integer(),
});
export const StatsSchema = Open({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  timeZone: Type.String(),
  totals: Counts,
  byChannel: Type.Array(Open({ kind: OneOf(CHANNEL_KINDS), ...Counts.properties })),
  byDay: Type.Array(Open({ day: Type.String({ format: 'date' }), ...Counts.properties })),
});

const SandboxBase = {
  id: Uuid,
  messageId: MaybeUuid,
  kind: OneOf(CHANNEL_KINDS),
  to: Type.String(),
  from: Text,
  subject: Type.Union([Type.String(), Type.Null()], { description: 'E-mail subject, LMS or push title; else null' }),
  preview: Type.String({ description: 'The subject, or the first line of the text' }),
  receivedAt: Time,
};
export const SandboxPageSchema = Open({ items: Type.Array(Open(SandboxBase)), nextCursor: NextCursor });
export const SandboxMessageSchema = Open({
  ...SandboxBase,
  html: Text,
  text: Text,
  raw: Type.Union([Type.String(), Type.Null()], { description: 'E-mail: the message as it arrived over SMTP (headers and MIME parts)' }),
  headers: Type.Union([Json('E-mail: the headers of the raw message, by lower-cased name'), Type.Null()]),
  meta: Json('SMS type and bytes, Kakao buttons, push URL, …'),
});
export const ClearedSchema = Open({ deleted: Type.Integer() });
