// Tables of the messaging area: channels (a kind + a provider, secrets encrypted), the
// workspace's sending rules, templates and their versions, messages (one row per message, which
// is also its place in the delivery queue), each message's status history, the suppression
// list, web push subscriptions and the Sandbox inbox.
import { sql } from 'drizzle-orm';
import { boolean, customType, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';

/** Binary data: a Buffer from node-postgres, a Uint8Array from PGlite. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

const tz = (name: string) => timestamp(name, { withTimezone: true });
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id);

export const channels = pgTable(
  'channels',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    /** email | sms | kakao | push | webhook */
    kind: text('kind').notNull(),
    /** smtp | solapi | webpush | webhook | sandbox */
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    /** What is not secret: host, port, from, sender number, Kakao channel id, URL, rate, … */
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    /** Passwords, API secrets, DKIM and VAPID private keys: JSON, AES-256-GCM under the server key. Never returned. */
    secrets: text('secrets'),
    /** The channel a message of this kind goes through when the caller names none. */
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    archivedAt: tz('archived_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('channels_default_key').on(t.workspaceId, t.kind).where(sql`${t.isDefault} and ${t.archivedAt} is null`),
  ],
);

/** One row per workspace: the rules every message passes. Defaults follow Korean law and practice. */
export const messagingSettings = pgTable('messaging_settings', {
  workspaceId: workspaceId().primaryKey(),
  /** Shown after (광고) on ads, e.g. the shop's name. */
  senderName: text('sender_name'),
  /** The free opt-out line's number on SMS/LMS/FriendTalk ads, e.g. 080-123-4567. */
  optOutNumber: text('opt_out_number'),
  /** Night-time ads: from this minute of the day … */
  quietStartMinute: smallint('quiet_start_minute').notNull().default(21 * 60),
  /** … to this one, in the customer's time zone. */
  quietEndMinute: smallint('quiet_end_minute').notNull().default(8 * 60),
  /** defer (to the end of the quiet hours) | skip */
  nightPolicy: text('night_policy').notNull().default('defer'),
  /** Frequency caps: [{ purpose, channel (null = all), per: 'day' | 'week', max }]. */
  caps: jsonb('caps')
    .$type<{ purpose: string; channel: string | null; per: 'day' | 'week'; max: number }[]>()
    .notNull()
    .default([
      { purpose: 'marketing', channel: null, per: 'day', max: 2 },
      { purpose: 'marketing', channel: null, per: 'week', max: 5 },
    ]),
  /** The hour (0–23, workspace time) used for "best hour" when a customer has none of their own. */
  bestHour: smallint('best_hour'),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const messageTemplates = pgTable(
  'message_templates',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    /** marketing | transactional: what a message from it is unless the caller says otherwise. */
    purpose: text('purpose').notNull().default('marketing'),
    latestVersion: integer('latest_version').notNull().default(1),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    archivedAt: tz('archived_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('message_templates_name_idx').on(t.workspaceId, t.name)],
);

/** Every saved version is kept; a message records the version it used. */
export const messageTemplateVersions = pgTable(
  'message_template_versions',
  {
    workspaceId: workspaceId(),
    templateId: uuid('template_id').notNull(),
    version: integer('version').notNull(),
    /** E-mail subject, push title or LMS title (Liquid). */
    subject: text('subject'),
    /** Liquid; MJML or HTML for e-mail, plain text for SMS/Kakao/push, JSON for webhooks. */
    body: text('body').notNull(),
    /** mjml | html | text | json */
    format: text('format').notNull(),
    /** MJML compiled once to HTML (Liquid still in it), so a send renders Liquid only. */
    compiled: text('compiled'),
    /** Kakao: { type, templateCode, buttons }; push: { url, icon }. */
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    createdByLabel: text('created_by_label'),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.templateId, t.version] })],
);

export const messages = pgTable(
  'messages',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    /** The caller's key (or campaign:…:customer:…): a second send with it returns the first message. */
    idempotencyKey: text('idempotency_key').notNull(),
    customerId: uuid('customer_id'),
    channelId: uuid('channel_id').notNull(),
    kind: text('kind').notNull(),
    purpose: text('purpose').notNull(),
    /** transactional | bulk */
    lane: text('lane').notNull(),
    /** Where it goes: set from the profile when the message is sent, or given by the caller. */
    toAddress: text('to_address'),
    templateId: uuid('template_id'),
    templateVersion: integer('template_version'),
    /** Without a template: the caller's content (Liquid), { subject, body, … }. */
    source: jsonb('source').$type<Record<string, unknown>>(),
    /** The caller's data, {{ data.… }} in the template. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    /** What was sent, as rendered (kept for the log and for a retry to send the same bytes): SMS, KakaoTalk, push, webhook. */
    content: jsonb('content').$type<Record<string, unknown>>(),
    /** The same for an e-mail, packed (content-pack.ts): ~3 KB instead of ~14 KB of JSON to write per message. */
    contentPacked: bytea('content_packed'),
    /** The links of the message before they were rewritten for click tracking, by index. */
    links: text('links').array(),
    status: text('status').notNull().default('queued'),
    /** Why it was suppressed or failed. */
    reason: text('reason'),
    /** When it may be sent (clock time); moved forward by quiet hours and retries. */
    sendAt: tz('send_at').notNull(),
    /** now | at | best_hour */
    timing: text('timing').notNull().default('now'),
    attempts: integer('attempts').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: tz('locked_until'),
    providerMessageId: text('provider_message_id'),
    /** api | campaign | journey | test | … and its id, for reports. */
    origin: text('origin').notNull().default('api'),
    originId: uuid('origin_id'),
    /** The part of its origin it belongs to (a campaign's group: A, B, …, winner), so reports count without a join. */
    originGroup: text('origin_group'),
    createdByLabel: text('created_by_label'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    sentAt: tz('sent_at'),
    deliveredAt: tz('delivered_at'),
    openedAt: tz('opened_at'),
    clickedAt: tz('clicked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('messages_idempotency_key').on(t.workspaceId, t.idempotencyKey),
    // The delivery queue: what is due, per lane.
    index('messages_due_idx').on(t.lane, t.sendAt).where(sql`${t.status} in ('queued', 'deferred', 'sending')`),
    index('messages_customer_idx').on(t.workspaceId, t.customerId, t.createdAt),
    index('messages_created_idx').on(t.workspaceId, t.createdAt),
    // Frequency caps count what was sent to a customer lately.
    index('messages_sent_idx').on(t.workspaceId, t.customerId, t.sentAt).where(sql`${t.sentAt} is not null`),
    // A campaign's (or journey's) messages: its report, pause and cancel.
    index('messages_origin_idx').on(t.workspaceId, t.origin, t.originId).where(sql`${t.originId} is not null`),
    index('messages_provider_id_idx').on(t.workspaceId, t.providerMessageId).where(sql`${t.providerMessageId} is not null`),
  ],
);

/** Append-only: every status a message went through, with the reason and details. */
export const messageStatusHistory = pgTable(
  'message_status_history',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    messageId: uuid('message_id').notNull(),
    status: text('status').notNull(),
    reason: text('reason'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('message_status_history_message_idx').on(t.workspaceId, t.messageId, t.at)],
);

/** Addresses no message goes to: hard bounces, complaints, manual. Kept as a hash, so an erase leaves no address behind. */
export const suppressions = pgTable(
  'suppressions',
  {
    workspaceId: workspaceId(),
    kind: text('kind').notNull(),
    /** SHA-256 of the normalised address (lower-cased e-mail, E.164 phone, endpoint). */
    addressHash: text('address_hash').notNull(),
    /** For people: "ki***@example.com". */
    hint: text('hint').notNull(),
    /** hard_bounce | complaint | manual */
    reason: text('reason').notNull(),
    detail: text('detail'),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.kind, t.addressHash] })],
);

export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerId: uuid('customer_id'),
    anonymousId: text('anonymous_id'),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    userAgent: text('user_agent'),
    createdAt: tz('created_at').notNull().defaultNow(),
    lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
    /** Set when the push service answers 404/410: the browser dropped it. */
    revokedAt: tz('revoked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('push_subscriptions_endpoint_key').on(t.workspaceId, t.endpoint),
    index('push_subscriptions_customer_idx').on(t.workspaceId, t.customerId),
    index('push_subscriptions_anonymous_idx').on(t.workspaceId, t.anonymousId),
  ],
);

/** What the sandbox providers received, shown as the customer would see it. */
export const sandboxMessages = pgTable(
  'sandbox_messages',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    messageId: uuid('message_id'),
    kind: text('kind').notNull(),
    toAddress: text('to_address').notNull(),
    fromAddress: text('from_address'),
    subject: text('subject'),
    html: text('html'),
    text: text('text'),
    /** E-mail: the message as it arrived over SMTP (headers and MIME parts). */
    raw: text('raw'),
    /** SMS type and bytes, Kakao buttons, push URL, … */
    meta: jsonb('meta').$type<Record<string, unknown>>().notNull().default({}),
    receivedAt: tz('received_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('sandbox_messages_received_idx').on(t.workspaceId, t.receivedAt), index('sandbox_messages_message_idx').on(t.workspaceId, t.messageId)],
);
