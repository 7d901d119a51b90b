// The messaging area's part in a customer's life: their messages and web push subscriptions move
// with merges (and subscriptions made before they were known are claimed), an erase leaves the
// message rows and their status history for the counts but nothing that identifies the person
// (content, address, data, links, the Sandbox's copies and their devices go; the suppression
// list holds hashes only and stays), an access request exports their messages with each status,
// and each message is one entry on the timeline.
import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { CustomerLink, TimelineEntry, TimelinePage } from '../customers/links.ts';
import type { ErasedPerson } from '../customers/erased-person.ts';
import { personLikePatterns } from '../customers/erased-person.ts';
import type { Queryable } from '../db/connection.ts';
import { storedContent } from './content-pack.ts';
import { maskAddress } from './message-view.ts';
import { claimAnonymousPushSubscriptions, erasePushSubscriptions, listPushSubscriptions, reassignPushSubscriptions } from './push-subscriptions.ts';
import { historyWithQueued } from './status.ts';
import { messages, messageStatusHistory, messageTemplates, pushSubscriptions } from './schema.ts';
import { SUPPRESSION_REASONS } from './types.ts';

type Moved = { messages: string[]; pushSubscriptions: string[] };

const CHUNK = 10_000;

/** Reasons that are codes, not text a provider wrote (which may quote the address): kept on erase. */
const CODED_REASONS: readonly string[] = [...SUPPRESSION_REASONS, 'hard_bounce', 'soft_bounce'];

const CHANNEL_TITLES: Record<string, string> = { email: 'E-mail', sms: 'SMS', kakao: 'KakaoTalk', push: 'Web push', webhook: 'Webhook' };

async function moveBack(db: Queryable, table: typeof messages | typeof pushSubscriptions, opts: { workspaceId: string; fromId: string; toId: string; ids: string[] }) {
  for (let i = 0; i < opts.ids.length; i += CHUNK) {
    await db
      .update(table)
      .set({ customerId: opts.fromId })
      .where(and(eq(table.workspaceId, opts.workspaceId), eq(table.customerId, opts.toId), inArray(table.id, opts.ids.slice(i, i + CHUNK))));
  }
}

/**
 * The customer's messages, and messages nobody was linked to that went to one of their addresses
 * (a transactional send with `to`): what an erase must empty.
 */
async function messagesOf(db: Queryable, workspaceId: string, customerId: string, person?: ErasedPerson): Promise<string[]> {
  const byAddress: SQL[] = [];
  if (person?.emails.length) byAddress.push(sql`lower(to_address) = any(${sql.param(person.emails)}::text[])`);
  if (person?.phones.length) byAddress.push(sql`to_address = any(${sql.param(person.phones)}::text[])`);
  const { rows } = await db.execute<{ id: string }>(sql`
    select id from messages where workspace_id = ${workspaceId}::uuid and customer_id = ${customerId}::uuid
    ${byAddress.length ? sql`union select id from messages where workspace_id = ${workspaceId}::uuid and customer_id is null and (${sql.join(byAddress, sql` or `)})` : sql``}`);
  return rows.map((r) => r.id);
}

async function eraseMessages(db: Queryable, workspaceId: string, ids: string[]): Promise<void> {
  const coded = sql.param(CODED_REASONS);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = sql.param(ids.slice(i, i + CHUNK));
    await db.execute(sql`
      delete from sandbox_messages where workspace_id = ${workspaceId}::uuid and message_id = any(${chunk}::uuid[])`);
    // Status rows stay for the counts; what a provider wrote in them (it may quote the address) goes.
    await db.execute(sql`
      update message_status_history set detail = null, reason = case when reason = any(${coded}::text[]) then reason else null end
      where workspace_id = ${workspaceId}::uuid and message_id = any(${chunk}::uuid[])`);
    // The idempotency key is the caller's text (it may name the person): it becomes the message's own id.
    await db.execute(sql`
      update messages set to_address = null, content = null, content_packed = null, source = null, data = '{}'::jsonb, links = null,
        idempotency_key = 'erased:' || id::text,
        reason = case when reason = any(${coded}::text[]) then reason else null end
      where workspace_id = ${workspaceId}::uuid and id = any(${chunk}::uuid[])`);
  }
}

/** The Sandbox's copies addressed to the person or quoting their addresses (a test inbox: deleted outright). */
async function eraseSandboxCopies(db: Queryable, workspaceId: string, person: ErasedPerson): Promise<void> {
  const { emails, digits } = personLikePatterns(person);
  const text = sql`concat_ws(' ', to_address, subject, text, html, raw)`;
  const conditions: SQL[] = [];
  if (emails.length) conditions.push(sql`${text} ilike any(${sql.param(emails)}::text[])`);
  if (digits.length) conditions.push(sql`regexp_replace(to_address, '[^0-9]', '', 'g') like any(${sql.param(digits)}::text[])`);
  if (conditions.length === 0) return;
  await db.execute(sql`delete from sandbox_messages where workspace_id = ${workspaceId}::uuid and (${sql.join(conditions, sql` or `)})`);
}

// Timeline entries are ordered by (time to the millisecond, entry id), like every source.
const at = sql`date_trunc('milliseconds', ${messages.createdAt})`;
const entryId = sql`'message:' || ${messages.id}::text`;
function olderThan(before: TimelinePage['before']): SQL | undefined {
  if (!before) return undefined;
  return or(lt(at, before.at), and(eq(at, before.at), lt(entryId, before.id)));
}

async function timelineEntries(db: Queryable, page: TimelinePage): Promise<TimelineEntry[]> {
  const rows = await db
    .select({
      id: messages.id,
      kind: messages.kind,
      purpose: messages.purpose,
      status: messages.status,
      reason: messages.reason,
      toAddress: messages.toAddress,
      templateId: messages.templateId,
      templateName: messageTemplates.name,
      origin: messages.origin,
      createdAt: messages.createdAt,
      sendAt: messages.sendAt,
      sentAt: messages.sentAt,
      openedAt: messages.openedAt,
      clickedAt: messages.clickedAt,
    })
    .from(messages)
    .leftJoin(messageTemplates, and(eq(messageTemplates.workspaceId, messages.workspaceId), eq(messageTemplates.id, messages.templateId)))
    .where(and(eq(messages.workspaceId, page.workspaceId), eq(messages.customerId, page.customerId), olderThan(page.before)))
    .orderBy(desc(at), desc(entryId))
    .limit(page.limit);
  return rows.map((r) => {
    const channel = CHANNEL_TITLES[r.kind] ?? r.kind;
    const what = r.templateName ?? (r.purpose === 'marketing' ? 'marketing message' : 'message');
    return {
      id: `message:${r.id}`,
      at: r.createdAt.toISOString(),
      kind: 'message',
      area: 'messaging',
      title: `${channel} · ${what} · ${r.status}${r.status === 'suppressed' || r.status === 'deferred' ? ` (${r.reason ?? 'unknown'})` : ''}`,
      data: {
        messageId: r.id,
        channel: r.kind,
        purpose: r.purpose,
        status: r.status,
        // Why it was suppressed, deferred or failed.
        reason: r.reason,
        template: r.templateName,
        templateId: r.templateId,
        origin: r.origin,
        // A push address is the browser's subscription: not shown.
        to: r.kind === 'push' ? null : maskAddress(r.kind, r.toAddress, page.pii),
        sendAt: r.sendAt.toISOString(),
        sentAt: r.sentAt?.toISOString() ?? null,
        openedAt: r.openedAt?.toISOString() ?? null,
        clickedAt: r.clickedAt?.toISOString() ?? null,
      },
    };
  });
}

async function exportMessages(db: Queryable, workspaceId: string, customerId: string) {
  const rows = await db
    .select({ message: messages, templateName: messageTemplates.name })
    .from(messages)
    .leftJoin(messageTemplates, and(eq(messageTemplates.workspaceId, messages.workspaceId), eq(messageTemplates.id, messages.templateId)))
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.customerId, customerId)))
    .orderBy(desc(messages.createdAt));
  const history = new Map<string, { status: string; reason: string | null; at: Date }[]>();
  const ids = rows.map((r) => r.message.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const hs = await db
      .select()
      .from(messageStatusHistory)
      .where(and(eq(messageStatusHistory.workspaceId, workspaceId), inArray(messageStatusHistory.messageId, ids.slice(i, i + CHUNK))))
      .orderBy(messageStatusHistory.at, messageStatusHistory.id);
    for (const h of hs) {
      const list = history.get(h.messageId) ?? [];
      list.push({ status: h.status, reason: h.reason, at: h.at });
      history.set(h.messageId, list);
    }
  }
  return rows.map(({ message: m, templateName }) => ({
    id: m.id,
    channel: m.kind,
    purpose: m.purpose,
    status: m.status,
    reason: m.reason,
    to: m.toAddress,
    template: templateName,
    templateVersion: m.templateVersion,
    content: storedContent(m),
    data: m.data,
    links: m.links,
    createdAt: m.createdAt.toISOString(),
    sentAt: m.sentAt?.toISOString() ?? null,
    deliveredAt: m.deliveredAt?.toISOString() ?? null,
    openedAt: m.openedAt?.toISOString() ?? null,
    clickedAt: m.clickedAt?.toISOString() ?? null,
    history: historyWithQueued(m.createdAt, history.get(m.id) ?? [], (at) => ({ status: 'queued', reason: null, at })).map((h) => ({ ...h, at: h.at.toISOString() })),
  }));
}

export const messagingCustomerLink: CustomerLink = {
  area: 'messaging',
  async reassign(db, { workspaceId, fromId, toId }): Promise<Moved> {
    const moved = await db
      .update(messages)
      .set({ customerId: toId })
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.customerId, fromId)))
      .returning({ id: messages.id });
    const subscriptions = await reassignPushSubscriptions(db, { workspaceId, fromId, toId });
    return { messages: moved.map((r) => r.id), pushSubscriptions: subscriptions };
  },
  async undoReassign(db, { workspaceId, fromId, toId, moved }) {
    const m = (moved ?? {}) as Partial<Moved>;
    await moveBack(db, messages, { workspaceId, fromId, toId, ids: Array.isArray(m.messages) ? m.messages : [] });
    await moveBack(db, pushSubscriptions, { workspaceId, fromId, toId, ids: Array.isArray(m.pushSubscriptions) ? m.pushSubscriptions : [] });
  },
  async claimAnonymous(db, opts) {
    return claimAnonymousPushSubscriptions(db, opts);
  },
  async erase(db, { workspaceId, customerId, person }) {
    await eraseMessages(db, workspaceId, await messagesOf(db, workspaceId, customerId, person));
    if (person) await eraseSandboxCopies(db, workspaceId, person);
    // Their identities are gone by now: the person's values include the anonymous ids they had.
    await erasePushSubscriptions(db, { workspaceId, customerId, anonymousIds: person?.values });
  },
  async exportData(db, { workspaceId, customerId }) {
    const subscriptions = await listPushSubscriptions(db, { workspaceId, customerId, limit: 1000 });
    return {
      messages: await exportMessages(db, workspaceId, customerId),
      pushSubscriptions: subscriptions.map((s) => ({ endpoint: s.endpoint, userAgent: s.userAgent, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString(), revokedAt: s.revokedAt?.toISOString() ?? null })),
    };
  },
  async timeline(db, page) {
    return timelineEntries(db, page);
  },
};
