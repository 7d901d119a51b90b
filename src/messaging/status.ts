// Recording what happened to messages: the message row's status and times, an append-only
// history row per change, and an event for the customer (`Message Sent`, `Message Opened`, …)
// that segments and journeys can use like any other. Everything is batched: one statement per
// table however many changes, because the dispatcher records a whole batch at once.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { clock } from '../clock.ts';
import { recordObservedEvents, type ObservedEvent } from '../events/observed-events.ts';
import type { MessageStatus } from './types.ts';

export type StatusChange = {
  workspaceId: string;
  messageId: string;
  status: MessageStatus;
  reason?: string | null;
  /** Kept in the history (provider answers, the link clicked…): no addresses. */
  detail?: Record<string, unknown> | null;
  /** When it happened; clock.now() when not given. */
  at?: Date;
  /** The provider's id of the message, when it has just told us. */
  providerMessageId?: string | null;
  /** queued/deferred: when the message may be tried next. */
  sendAt?: Date;
};

/**
 * How far along a message is. A later report of an earlier step (a `delivered` receipt after the
 * customer already opened it) never moves the status back; it still sets its time and history.
 * queued/deferred after sending are the dispatcher putting a message back (a retry, quiet hours),
 * which is allowed from `sending` and `queued`/`deferred` only.
 */
export const STATUS_RANK: Record<MessageStatus, number> = {
  queued: 0,
  deferred: 0,
  sending: 1,
  failed: 2,
  suppressed: 2,
  sent: 3,
  delivered: 4,
  bounced: 4,
  opened: 5,
  clicked: 6,
  unsubscribed: 7,
  complained: 7,
};

/** The status a message takes when `next` is reported while it is `current`. */
export function nextStatus(current: MessageStatus, next: MessageStatus): MessageStatus {
  if (next === 'queued' || next === 'deferred') return current === 'sending' || current === 'queued' || current === 'deferred' ? next : current;
  return STATUS_RANK[next] >= STATUS_RANK[current] ? next : current;
}

/** The event each status is told to the customer's event stream as. */
export const STATUS_EVENTS: Partial<Record<MessageStatus, string>> = {
  sent: 'Message Sent',
  delivered: 'Message Delivered',
  opened: 'Message Opened',
  clicked: 'Message Clicked',
  bounced: 'Message Bounced',
  suppressed: 'Message Suppressed',
  unsubscribed: 'Message Unsubscribed',
};

const rankSql = (col: string) =>
  sql.raw(`(case ${col} ${Object.entries(STATUS_RANK)
    .map(([s, r]) => `when '${s}' then ${r}`)
    .join(' ')} else 0 end)`);

type Collapsed = {
  workspaceId: string;
  messageId: string;
  status: MessageStatus;
  reason: string | null;
  providerMessageId: string | null;
  sendAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  openedAt: Date | null;
  clickedAt: Date | null;
};

const earliest = (a: Date | null, b: Date) => (a && a <= b ? a : b);

/** Several changes of one message in one list become one row update (UPDATE … FROM takes one). */
function collapse(list: (StatusChange & { at: Date })[]): Collapsed[] {
  const byId = new Map<string, Collapsed>();
  for (const c of list) {
    const key = `${c.workspaceId}:${c.messageId}`;
    let row = byId.get(key);
    if (!row) {
      row = { workspaceId: c.workspaceId, messageId: c.messageId, status: c.status, reason: c.reason ?? null, providerMessageId: null, sendAt: null, sentAt: null, deliveredAt: null, openedAt: null, clickedAt: null };
      byId.set(key, row);
    } else {
      const status = nextStatus(row.status, c.status);
      if (status !== row.status || c.status === row.status) row.reason = c.reason ?? (status === row.status ? row.reason : null);
      row.status = status;
    }
    if (c.providerMessageId) row.providerMessageId = c.providerMessageId;
    if (c.sendAt) row.sendAt = c.sendAt;
    if (c.status === 'sent') row.sentAt = earliest(row.sentAt, c.at);
    if (c.status === 'delivered') row.deliveredAt = earliest(row.deliveredAt, c.at);
    if (c.status === 'opened' || c.status === 'clicked') row.openedAt = earliest(row.openedAt, c.at);
    if (c.status === 'clicked') row.clickedAt = earliest(row.clickedAt, c.at);
  }
  return [...byId.values()];
}

type Updated = MessageFacts & { workspace_id: string; id: string };

/**
 * Records status changes of any number of messages (of any workspaces): one UPDATE of the
 * messages, one INSERT of their history, and the customers' events (one insert per event name
 * and workspace, deduplicated by `message:<id>:<status>`, so a repeated report is one event).
 * Returns the messages found (a change for an unknown message is dropped).
 */
export async function recordStatuses(db: Queryable, list: StatusChange[]): Promise<number> {
  if (list.length === 0) return 0;
  const now = clock.now();
  const changes = list.map((c) => ({ ...c, at: c.at ?? now }));
  const rows = collapse(changes);
  const col = <T>(f: (r: Collapsed) => T) => sql.param(rows.map(f));
  const { rows: updated } = await db.execute<Updated>(sql`
    update messages m set
      status = case
        when u.status in ('queued', 'deferred') then case when m.status in ('sending', 'queued', 'deferred') then u.status else m.status end
        when ${rankSql('u.status')} >= ${rankSql('m.status')} then u.status
        else m.status end,
      reason = case
        when u.status in ('queued', 'deferred') then case when m.status in ('sending', 'queued', 'deferred') then u.reason else m.reason end
        when ${rankSql('u.status')} >= ${rankSql('m.status')} then u.reason
        else m.reason end,
      send_at = case when u.send_at is not null and m.status in ('sending', 'queued', 'deferred') then u.send_at else m.send_at end,
      provider_message_id = coalesce(u.provider_message_id, m.provider_message_id),
      sent_at = coalesce(m.sent_at, u.sent_at),
      delivered_at = coalesce(m.delivered_at, u.delivered_at),
      opened_at = coalesce(m.opened_at, u.opened_at),
      clicked_at = coalesce(m.clicked_at, u.clicked_at),
      locked_by = case when u.status = 'sending' then m.locked_by else null end,
      locked_until = case when u.status = 'sending' then m.locked_until else null end,
      updated_at = ${now}
    from unnest(
      ${col((r) => r.workspaceId)}::uuid[], ${col((r) => r.messageId)}::uuid[], ${col((r) => r.status)}::text[],
      ${col((r) => r.reason)}::text[], ${col((r) => r.providerMessageId)}::text[], ${col((r) => r.sendAt)}::timestamptz[],
      ${col((r) => r.sentAt)}::timestamptz[], ${col((r) => r.deliveredAt)}::timestamptz[], ${col((r) => r.openedAt)}::timestamptz[],
      ${col((r) => r.clickedAt)}::timestamptz[]
    ) as u(workspace_id, id, status, reason, provider_message_id, send_at, sent_at, delivered_at, opened_at, clicked_at)
    where m.workspace_id = u.workspace_id and m.id = u.id
    returning m.workspace_id, m.id, m.customer_id, m.kind, m.channel_id, m.purpose, m.template_id, m.template_version, m.origin, m.origin_id,
      (select t.name from message_templates t where t.workspace_id = m.workspace_id and t.id = m.template_id) as template_name`);
  const found = new Map(updated.map((r) => [`${r.workspace_id}:${r.id}`, r]));
  const known = changes.filter((c) => found.has(`${c.workspaceId}:${c.messageId}`));
  if (known.length === 0) return 0;

  await appendHistory(db, known);
  await emitEvents(db, known.map((c) => ({ ...c, message: found.get(`${c.workspaceId}:${c.messageId}`)! })));
  return found.size;
}

/** The facts of a message its events carry (no addresses). */
export type MessageFacts = {
  customer_id: string | null;
  kind: string;
  channel_id: string;
  purpose: string;
  template_id: string | null;
  template_version: number | null;
  template_name: string | null;
  origin: string;
  origin_id: string | null;
};

type Change = StatusChange & { at: Date };

/**
 * A message's history as people read it: messages made in bulk (a campaign's) have no `queued`
 * row of their own, to halve what making 500,000 of them writes; their creation is that moment.
 */
export function historyWithQueued<H extends { status: string; at: Date }>(createdAt: Date, rows: H[], queued: (at: Date) => H): H[] {
  return rows.some((h) => h.status === 'queued') ? rows : [queued(createdAt), ...rows];
}

/** History rows for changes already applied to their messages (one INSERT). */
export async function appendHistory(db: Queryable, changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  const hcol = <T>(f: (c: Change) => T) => sql.param(changes.map(f));
  await db.execute(sql`
    insert into message_status_history (workspace_id, id, message_id, status, reason, detail, at)
    select workspace_id, id, message_id, status, reason, detail::jsonb, at
    from unnest(
      ${hcol((c) => c.workspaceId)}::uuid[], ${hcol(() => uuidv7())}::uuid[], ${hcol((c) => c.messageId)}::uuid[], ${hcol((c) => c.status)}::text[],
      ${hcol((c) => c.reason ?? null)}::text[], ${hcol((c) => (c.detail ? JSON.stringify(c.detail) : null))}::text[], ${hcol((c) => c.at)}::timestamptz[]
    ) as h(workspace_id, id, message_id, status, reason, detail, at)`);
}

/** The customers' events of these changes, per workspace and name (recordObservedEvents writes one name at a time). */
export async function emitEvents(db: Queryable, changes: (Change & { message: MessageFacts })[]): Promise<void> {
  const groups = new Map<string, { workspaceId: string; name: string; events: ObservedEvent[] }>();
  for (const c of changes) {
    const name = STATUS_EVENTS[c.status];
    const m = c.message;
    if (!name || !m.customer_id) continue;
    const key = `${c.workspaceId}:${name}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { workspaceId: c.workspaceId, name, events: [] }));
    g.events.push({
      messageId: `message:${c.messageId}:${c.status}`,
      customerId: m.customer_id,
      timestamp: c.at.toISOString(),
      properties: {
        message_id: c.messageId,
        channel: m.kind,
        channel_id: m.channel_id,
        purpose: m.purpose,
        template: m.template_name,
        template_id: m.template_id,
        template_version: m.template_version,
        origin: m.origin,
        origin_id: m.origin_id,
        ...(c.reason ? { reason: c.reason } : {}),
      },
    });
  }
  for (const g of groups.values()) await recordObservedEvents(db, { workspaceId: g.workspaceId, name: g.name, source: 'messaging', events: g.events });
}
