// A message as the API answers it (MessageSchema in contract.ts): its address masked for roles
// without pii.read (as customers' e-mail and phone are), with its template's name and its
// customer's name looked up for a whole page in two queries.
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { customers } from '../customers/schema.ts';
import { maskEmail, maskPhone } from '../customers/fields.ts';
import { messageTemplates } from './schema.ts';
import type { MessageRow } from './send.ts';

export type MessageView = ReturnType<typeof viewOf>;

/** An address as a role without pii.read may see it. */
export function maskAddress(kind: string, to: string | null, pii: boolean): string | null {
  if (pii || to === null) return to;
  if (kind === 'email') return maskEmail(to);
  if (kind === 'sms' || kind === 'kakao') return maskPhone(to);
  if (kind === 'push') return 'push subscription';
  return to; // a webhook's URL is the shop's, not a person's
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function viewOf(m: MessageRow, names: { customer: string | null; template: string | null }, pii: boolean) {
  return {
    id: m.id,
    status: m.status,
    reason: m.reason,
    sendAt: m.sendAt.toISOString(),
    timing: m.timing,
    kind: m.kind,
    channelId: m.channelId,
    purpose: m.purpose,
    lane: m.lane,
    customerId: m.customerId,
    customerName: names.customer,
    to: maskAddress(m.kind, m.toAddress, pii),
    templateId: m.templateId,
    templateName: names.template,
    templateVersion: m.templateVersion,
    idempotencyKey: m.idempotencyKey,
    origin: m.origin,
    originId: m.originId,
    attempts: m.attempts,
    createdAt: m.createdAt.toISOString(),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    openedAt: iso(m.openedAt),
    clickedAt: iso(m.clickedAt),
  };
}

/** Messages of one workspace as answered, in the order given. */
export async function toMessages(db: Queryable, rows: MessageRow[], opts: { pii: boolean }): Promise<MessageView[]> {
  if (rows.length === 0) return [];
  const workspaceId = rows[0]!.workspaceId;
  const customerIds = [...new Set(rows.map((m) => m.customerId).filter((id): id is string => Boolean(id)))];
  const templateIds = [...new Set(rows.map((m) => m.templateId).filter((id): id is string => Boolean(id)))];
  const customerNames = new Map<string, string | null>();
  const templateNames = new Map<string, string>();
  if (customerIds.length) {
    const found = await db
      .select({ id: customers.id, name: customers.name })
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), sql`${customers.id} = any(${sql.param(customerIds)}::uuid[])`));
    for (const c of found) customerNames.set(c.id, c.name);
  }
  if (templateIds.length) {
    const found = await db
      .select({ id: messageTemplates.id, name: messageTemplates.name })
      .from(messageTemplates)
      .where(and(eq(messageTemplates.workspaceId, workspaceId), sql`${messageTemplates.id} = any(${sql.param(templateIds)}::uuid[])`));
    for (const t of found) templateNames.set(t.id, t.name);
  }
  return rows.map((m) =>
    viewOf(m, { customer: m.customerId ? (customerNames.get(m.customerId) ?? null) : null, template: m.templateId ? (templateNames.get(m.templateId) ?? null) : null }, opts.pii),
  );
}

export async function toMessage(db: Queryable, row: MessageRow, opts: { pii: boolean }): Promise<MessageView> {
  const [view] = await toMessages(db, [row], opts);
  return view!;
}
