// The Sandbox inbox: what the sandbox providers received (src/messaging/providers/sandbox.ts and
// the in-process SMTP server, src/messaging/sandbox-smtp.ts), newest first, per workspace.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { sandboxMessages } from './schema.ts';
import type { ChannelKind } from './types.ts';

export type SandboxMessageRow = typeof sandboxMessages.$inferSelect;

/** A line of the inbox: without the HTML and the raw message, which only the detail needs. */
export type SandboxMessageSummary = {
  id: string;
  messageId: string | null;
  kind: ChannelKind;
  toAddress: string;
  fromAddress: string | null;
  subject: string | null;
  /** The first 200 characters of the text. */
  preview: string;
  /** What the inbox list shows: the subject (e-mail, LMS, push title), else the first non-empty line of the text. */
  headline: string;
  meta: Record<string, unknown>;
  receivedAt: string;
};

export type SandboxMessage = SandboxMessageSummary & { html: string | null; text: string | null; raw: string | null };

/** The subject (e-mail, LMS or push title), else the first non-empty line of the text (or of the HTML without its tags). */
export function previewOf(row: Pick<SandboxMessageRow, 'subject' | 'text' | 'html'>): string {
  if (row.subject) return row.subject;
  const text = row.text ?? (row.html ?? '').replace(/<[^>]*>/g, ' ');
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function summary(row: SandboxMessageRow): SandboxMessageSummary {
  const text = (row.text ?? '').replace(/\s+/g, ' ').trim();
  return {
    id: row.id,
    messageId: row.messageId,
    kind: row.kind as ChannelKind,
    toAddress: row.toAddress,
    fromAddress: row.fromAddress,
    subject: row.subject,
    preview: text.length > 200 ? `${text.slice(0, 199)}…` : text,
    headline: previewOf(row),
    meta: row.meta,
    receivedAt: row.receivedAt.toISOString(),
  };
}

/**
 * The newest sandbox messages first. `before` is the id of the last message of the previous page
 * (ids are UUIDv7, so they sort by arrival).
 */
export async function listSandboxMessages(
  db: Queryable,
  opts: { workspaceId: string; kind?: ChannelKind; messageId?: string; before?: string; limit?: number },
): Promise<{ items: SandboxMessageSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const where = [eq(sandboxMessages.workspaceId, opts.workspaceId)];
  if (opts.kind) where.push(eq(sandboxMessages.kind, opts.kind));
  if (opts.messageId) where.push(eq(sandboxMessages.messageId, opts.messageId));
  if (opts.before) where.push(lt(sandboxMessages.id, opts.before));
  const rows = await db
    .select()
    .from(sandboxMessages)
    .where(and(...where))
    .orderBy(desc(sandboxMessages.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { items: page.map(summary), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

export async function getSandboxMessage(db: Queryable, opts: { workspaceId: string; id: string }): Promise<SandboxMessage | undefined> {
  const [row] = await db
    .select()
    .from(sandboxMessages)
    .where(and(eq(sandboxMessages.workspaceId, opts.workspaceId), eq(sandboxMessages.id, opts.id)));
  if (!row) return undefined;
  return { ...summary(row), html: row.html, text: row.text, raw: row.raw };
}

/** Empties the inbox (or one kind of it); returns how many messages were removed. */
export async function clearSandboxMessages(db: Queryable, opts: { workspaceId: string; kind?: ChannelKind }): Promise<number> {
  const where = [eq(sandboxMessages.workspaceId, opts.workspaceId)];
  if (opts.kind) where.push(eq(sandboxMessages.kind, opts.kind));
  const removed = await db
    .delete(sandboxMessages)
    .where(and(...where))
    .returning({ id: sandboxMessages.id });
  return removed.length;
}

/** How many messages the inbox holds per kind (for the inbox's tabs). */
export async function countSandboxMessages(db: Queryable, opts: { workspaceId: string }): Promise<Record<string, number>> {
  const rows = await db
    .select({ kind: sandboxMessages.kind, count: sql<number>`count(*)::int` })
    .from(sandboxMessages)
    .where(eq(sandboxMessages.workspaceId, opts.workspaceId))
    .groupBy(sandboxMessages.kind);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.count)]));
}
