// Sending a message is inserting its row: the row is the log entry and the dispatcher's queue
// item at once, unique per (workspace, idempotency key), so a repeated API call or job returns the
// first message instead of sending twice. The gate runs once here, so the caller hears at once
// that a message is suppressed (and why) or deferred to the morning; it runs again at send time.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors.ts';
import { normaliseEmail, normalisePhone } from '../customers/fields.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { bestHourTimes } from './best-hour.ts';
import { ensureSandboxChannels, listChannels, type ChannelRow } from './channels.ts';
import { checkMessages, type GateItem } from './gate.ts';
import { messages, messageTemplates, messageTemplateVersions } from './schema.ts';
import { getMessagingSettings } from './settings.ts';
import { appendHistory, emitEvents } from './status.ts';
import { CHANNEL_KINDS, MESSAGE_PURPOSES, type ChannelKind, type Lane, type MessagePurpose } from './types.ts';

export type MessageRow = typeof messages.$inferSelect;

export type SendRequest = {
  workspaceId: string;
  customerId?: string | null;
  /** An address instead of (or overriding) the customer's. */
  to?: string | null;
  channelId?: string | null;
  /** The kind's default channel when no channel is named. */
  kind?: ChannelKind;
  templateId?: string | null;
  content?: { subject?: string; body: string; format?: string; title?: string; options?: Record<string, unknown> } | null;
  data?: Record<string, unknown>;
  purpose: MessagePurpose;
  sendAt?: Date | 'best_hour' | null;
  idempotencyKey: string;
  origin?: string;
  originId?: string | null;
  createdByLabel?: string | null;
};

export type SendOutcome = { message: MessageRow; created: boolean };

// The dispatchers of this process, told when messages are queued here (like onJobQueued).
const queuedListeners = new Set<() => void>();

/** Calls `fn` whenever this process creates messages that may be due; returns the unsubscribe. */
export function onMessagesQueued(fn: () => void): () => void {
  queuedListeners.add(fn);
  return () => queuedListeners.delete(fn);
}

const bad = (message: string) => new AppError('invalid_input', message);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const laneOf = (purpose: MessagePurpose): Lane => (purpose === 'transactional' ? 'transactional' : 'bulk');

/** The Kakao message type: what the template or content says, else FriendTalk for ads and AlimTalk otherwise. */
export function kakaoTypeOf(options: Record<string, unknown> | undefined, purpose: MessagePurpose): 'alimtalk' | 'friendtalk' {
  const t = options?.type;
  if (t === 'alimtalk' || t === 'friendtalk') return t;
  return purpose === 'marketing' ? 'friendtalk' : 'alimtalk';
}

type TemplateFacts = { kind: string; version: number; options: Record<string, unknown> };

async function templatesOf(db: Queryable, workspaceId: string, ids: string[]): Promise<Map<string, TemplateFacts>> {
  const result = new Map<string, TemplateFacts>();
  if (ids.length === 0) return result;
  const rows = await db
    .select({ id: messageTemplates.id, kind: messageTemplates.kind, version: messageTemplates.latestVersion, options: messageTemplateVersions.options })
    .from(messageTemplates)
    .innerJoin(
      messageTemplateVersions,
      and(eq(messageTemplateVersions.workspaceId, messageTemplates.workspaceId), eq(messageTemplateVersions.templateId, messageTemplates.id), eq(messageTemplateVersions.version, messageTemplates.latestVersion)),
    )
    .where(and(eq(messageTemplates.workspaceId, workspaceId), sql`${messageTemplates.id} = any(${sql.param(ids)}::uuid[])`, isNull(messageTemplates.archivedAt)));
  for (const r of rows) result.set(r.id, { kind: r.kind, version: r.version, options: r.options });
  return result;
}

/** The caller's address in stored form, or a 400 naming the field. */
function checkAddress(kind: ChannelKind, to: string, path: string): string {
  if (kind === 'email') {
    const e = normaliseEmail(to);
    if (!e) throw bad(`${path}: is not an e-mail address`);
    return e;
  }
  if (kind === 'sms' || kind === 'kakao') {
    const p = normalisePhone(to);
    if (!p) throw bad(`${path}: is not a phone number`);
    return p;
  }
  if (to.length > 4000) throw bad(`${path}: is too long`);
  return to;
}

type Prepared = {
  req: SendRequest;
  id: string;
  channel: ChannelRow;
  kind: ChannelKind;
  templateVersion: number | null;
  kakaoType?: 'alimtalk' | 'friendtalk';
  to: string | null;
  sendAt: Date;
  timing: 'now' | 'at' | 'best_hour';
  status: 'queued' | 'deferred' | 'suppressed';
  reason: string | null;
};

/**
 * Creates messages (any number, of one or more workspaces) in a few statements per workspace:
 * checks each request (a 400 naming `<path>[i].field`), picks its channel, lane and send time,
 * gates it, and inserts it unless its idempotency key is taken, in which case the existing
 * message is returned with `created: false`.
 */
export async function createMessages(db: Queryable, reqs: SendRequest[], opts: { path?: string } = {}): Promise<SendOutcome[]> {
  const pathOf = (i: number) => (opts.path === undefined ? `requests[${i}]` : opts.path);
  const now = clock.now();
  const prepared: Prepared[] = new Array(reqs.length);
  const byWorkspace = new Map<string, number[]>();
  reqs.forEach((r, i) => {
    const p = pathOf(i);
    if (!r.workspaceId || !UUID.test(r.workspaceId)) throw bad(`${p}.workspaceId: must be a workspace id`);
    if (!(MESSAGE_PURPOSES as readonly string[]).includes(r.purpose)) throw bad(`${p}.purpose: must be one of ${MESSAGE_PURPOSES.join(', ')}`);
    if (typeof r.idempotencyKey !== 'string' || r.idempotencyKey.trim() === '' || r.idempotencyKey.length > 300) throw bad(`${p}.idempotencyKey: must be 1–300 characters`);
    if (!r.customerId && !r.to) throw bad(`${p}.customerId: a customer or an address (to) is required`);
    if (r.customerId && !UUID.test(r.customerId)) throw bad(`${p}.customerId: must be a customer id`);
    if (!r.templateId && !r.content) throw bad(`${p}.templateId: a template or content is required`);
    if (r.templateId && r.content) throw bad(`${p}.content: give a template or content, not both`);
    if (r.templateId && !UUID.test(r.templateId)) throw bad(`${p}.templateId: must be a template id`);
    if (r.content && (typeof r.content.body !== 'string' || r.content.body.length === 0)) throw bad(`${p}.content.body: must not be empty`);
    if (r.channelId && !UUID.test(r.channelId)) throw bad(`${p}.channelId: must be a channel id`);
    if (!r.channelId && !r.kind) throw bad(`${p}.channel: a channel id or a kind (${CHANNEL_KINDS.join(', ')}) is required`);
    if (r.kind && !(CHANNEL_KINDS as readonly string[]).includes(r.kind)) throw bad(`${p}.kind: must be one of ${CHANNEL_KINDS.join(', ')}`);
    if (r.sendAt instanceof Date && Number.isNaN(r.sendAt.getTime())) throw bad(`${p}.sendAt: is not a time`);
    if (r.data !== undefined && (typeof r.data !== 'object' || r.data === null || Array.isArray(r.data))) throw bad(`${p}.data: must be an object`);
    const list = byWorkspace.get(r.workspaceId) ?? [];
    list.push(i);
    byWorkspace.set(r.workspaceId, list);
  });

  const outcomes: SendOutcome[] = new Array(reqs.length);
  for (const [workspaceId, indexes] of byWorkspace) {
    // Channels: the named one, else the kind's default (sandbox channels when the workspace has none).
    let channelRows = await listChannels(db, workspaceId);
    const needsDefault = indexes.some((i) => !reqs[i]!.channelId && !channelRows.some((c) => c.kind === reqs[i]!.kind && c.isDefault));
    if (needsDefault) channelRows = await ensureSandboxChannels(db, workspaceId).then(() => listChannels(db, workspaceId));
    const templates = await templatesOf(db, workspaceId, [...new Set(indexes.map((i) => reqs[i]!.templateId).filter((t): t is string => Boolean(t)))]);
    const bestHour = indexes.filter((i) => reqs[i]!.sendAt === 'best_hour' && reqs[i]!.customerId);
    let bestTimes = new Map<string, Date>();
    if (bestHour.length) {
      const settings = await getMessagingSettings(db, workspaceId);
      const zone = (await getWorkspace(db, workspaceId))?.timeZone ?? 'Asia/Seoul';
      bestTimes = await bestHourTimes(db, { workspaceId, customerIds: bestHour.map((i) => reqs[i]!.customerId!), timeZone: zone, fallbackHour: settings.bestHour, now });
    }

    for (const i of indexes) {
      const r = reqs[i]!;
      const p = pathOf(i);
      const channel = r.channelId ? channelRows.find((c) => c.id === r.channelId) : channelRows.find((c) => c.kind === r.kind && c.isDefault);
      if (!channel) throw r.channelId ? new AppError('not_found', `${p}.channelId: channel not found`) : bad(`${p}.kind: the workspace has no ${r.kind} channel`);
      const kind = channel.kind as ChannelKind;
      if (r.kind && r.kind !== kind) throw bad(`${p}.kind: the channel sends ${kind}, not ${r.kind}`);
      let templateVersion: number | null = null;
      let options = r.content?.options;
      if (r.templateId) {
        const t = templates.get(r.templateId);
        if (!t) throw new AppError('not_found', `${p}.templateId: template not found`);
        if (t.kind !== kind) throw bad(`${p}.templateId: the template is for ${t.kind}, the channel sends ${kind}`);
        templateVersion = t.version;
        options = t.options;
      }
      const kakaoType = kind === 'kakao' ? kakaoTypeOf(options, r.purpose) : undefined;
      if (kakaoType === 'alimtalk' && r.purpose === 'marketing') throw bad(`${p}.purpose: AlimTalk is for informational messages only; send an ad as FriendTalk`);
      const to = r.to ? checkAddress(kind, r.to, `${p}.to`) : null;
      const best = r.sendAt === 'best_hour' ? (r.customerId ? bestTimes.get(r.customerId) : undefined) : undefined;
      const sendAt = r.sendAt instanceof Date ? r.sendAt : (best ?? now);
      const timing = r.sendAt instanceof Date ? 'at' : r.sendAt === 'best_hour' ? 'best_hour' : 'now';
      prepared[i] = { req: r, id: uuidv7(), channel, kind, templateVersion, kakaoType, to, sendAt, timing, status: 'queued', reason: null };
    }

    // The gate, once now, at the time each message would go.
    const gateItems: GateItem[] = indexes.map((i) => {
      const m = prepared[i]!;
      return { workspaceId, customerId: m.req.customerId ?? null, kind: m.kind, purpose: m.req.purpose, to: m.to, kakaoType: m.kakaoType, at: m.sendAt };
    });
    const verdicts = await checkMessages(db, gateItems);
    indexes.forEach((i, k) => {
      const v = verdicts[k]!.verdict;
      const m = prepared[i]!;
      if (v?.status === 'suppressed') Object.assign(m, { status: 'suppressed', reason: v.reason });
      else if (v?.status === 'deferred') Object.assign(m, { status: 'deferred', reason: v.reason, sendAt: v.until });
    });

    const created = await insertMessages(db, workspaceId, indexes.map((i) => prepared[i]!), now);
    const createdIds = new Set(created.map((m) => m.id));
    const rows = await db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, workspaceId), sql`${messages.idempotencyKey} = any(${sql.param([...new Set(indexes.map((i) => reqs[i]!.idempotencyKey))])}::text[])`));
    const byKey = new Map(rows.map((m) => [m.idempotencyKey, m]));
    // Within one call a repeated key is created once: the first request with it creates it.
    const claimed = new Set<string>();
    for (const i of indexes) {
      const message = byKey.get(reqs[i]!.idempotencyKey);
      if (!message) throw new Error(`createMessages: message with key ${reqs[i]!.idempotencyKey} neither inserted nor found`);
      const isNew = createdIds.has(message.id) && !claimed.has(message.id);
      claimed.add(message.id);
      outcomes[i] = { message, created: isNew };
    }

    const fresh = rows.filter((m) => createdIds.has(m.id));
    const changes = fresh.map((m) => ({ workspaceId, messageId: m.id, status: m.status as 'queued' | 'deferred' | 'suppressed', reason: m.reason, at: now }));
    await appendHistory(db, changes);
    const suppressed = fresh.filter((m) => m.status === 'suppressed');
    if (suppressed.length) {
      const names = await templateNames(db, workspaceId, suppressed.map((m) => m.templateId));
      await emitEvents(
        db,
        suppressed.map((m) => ({
          workspaceId,
          messageId: m.id,
          status: 'suppressed' as const,
          reason: m.reason,
          at: now,
          message: { customer_id: m.customerId, kind: m.kind, channel_id: m.channelId, purpose: m.purpose, template_id: m.templateId, template_version: m.templateVersion, template_name: m.templateId ? (names.get(m.templateId) ?? null) : null, origin: m.origin, origin_id: m.originId },
        })),
      );
    }
    if (fresh.some((m) => m.status === 'queued' && m.sendAt.getTime() <= now.getTime())) for (const fn of queuedListeners) fn();
  }
  return outcomes;
}

async function templateNames(db: Queryable, workspaceId: string, ids: (string | null)[]): Promise<Map<string, string>> {
  const list = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (list.length === 0) return new Map();
  const rows = await db
    .select({ id: messageTemplates.id, name: messageTemplates.name })
    .from(messageTemplates)
    .where(and(eq(messageTemplates.workspaceId, workspaceId), sql`${messageTemplates.id} = any(${sql.param(list)}::uuid[])`));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** One INSERT … SELECT FROM unnest per chunk; a taken key inserts nothing. Returns the ids inserted. */
async function insertMessages(db: Queryable, workspaceId: string, list: Prepared[], now: Date): Promise<{ id: string }[]> {
  const out: { id: string }[] = [];
  for (let start = 0; start < list.length; start += 5000) {
    const chunk = list.slice(start, start + 5000);
    const col = <T>(f: (m: Prepared) => T) => sql.param(chunk.map(f));
    const { rows } = await db.execute<{ id: string }>(sql`
      insert into messages (workspace_id, id, idempotency_key, customer_id, channel_id, kind, purpose, lane, to_address, template_id, template_version,
        source, data, status, reason, send_at, timing, origin, origin_id, created_by_label, created_at, updated_at)
      select ${workspaceId}::uuid, id, idempotency_key, customer_id, channel_id, kind, purpose, lane, to_address, template_id, template_version,
        source::jsonb, data::jsonb, status, reason, send_at, timing, origin, origin_id, created_by_label, ${now}, ${now}
      from unnest(
        ${col((m) => m.id)}::uuid[], ${col((m) => m.req.idempotencyKey)}::text[], ${col((m) => m.req.customerId ?? null)}::uuid[],
        ${col((m) => m.channel.id)}::uuid[], ${col((m) => m.kind)}::text[], ${col((m) => m.req.purpose)}::text[], ${col((m) => laneOf(m.req.purpose))}::text[],
        ${col((m) => m.to)}::text[], ${col((m) => m.req.templateId ?? null)}::uuid[], ${col((m) => m.templateVersion)}::int[],
        ${col((m) => (m.req.content ? JSON.stringify(m.req.content) : null))}::text[], ${col((m) => JSON.stringify(m.req.data ?? {}))}::text[],
        ${col((m) => m.status)}::text[], ${col((m) => m.reason)}::text[], ${col((m) => m.sendAt)}::timestamptz[], ${col((m) => m.timing)}::text[],
        ${col((m) => m.req.origin ?? 'api')}::text[], ${col((m) => m.req.originId ?? null)}::uuid[], ${col((m) => m.req.createdByLabel ?? null)}::text[]
      ) with ordinality as r(id, idempotency_key, customer_id, channel_id, kind, purpose, lane, to_address, template_id, template_version,
        source, data, status, reason, send_at, timing, origin, origin_id, created_by_label, n)
      order by n
      on conflict (workspace_id, idempotency_key) do nothing
      returning id`);
    out.push(...rows);
  }
  return out;
}

/** One message; see createMessages. Errors name `body.<field>`. */
export async function createMessage(db: Queryable, req: SendRequest): Promise<SendOutcome> {
  const [outcome] = await createMessages(db, [req], { path: 'body' });
  return outcome!;
}
