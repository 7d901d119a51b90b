// Notes people write on a customer; shown on the timeline to marketing, sales and service alike.
import { and, desc, eq, isNull } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { customerNotes } from './schema.ts';

export type Note = { id: string; customerId: string; body: string; authorId: string | null; authorLabel: string | null; createdAt: string };

function toNote(r: typeof customerNotes.$inferSelect): Note {
  return { id: r.id, customerId: r.customerId, body: r.body, authorId: r.authorId, authorLabel: r.authorLabel, createdAt: r.createdAt.toISOString() };
}

export async function addNote(db: Queryable, opts: { workspaceId: string; customerId: string; actor: Actor; body: string }): Promise<Note> {
  const body = opts.body.trim();
  if (!body) throw new AppError('invalid_input', 'body.body: must not be empty');
  const [row] = await db
    .insert(customerNotes)
    .values({ workspaceId: opts.workspaceId, id: uuidv7(), customerId: opts.customerId, body, authorId: opts.actor.id ?? null, authorLabel: opts.actor.label })
    .returning();
  return toNote(row!);
}

export async function listNotes(db: Queryable, opts: { workspaceId: string; customerId: string; limit?: number; before?: string }): Promise<Note[]> {
  const rows = await db
    .select()
    .from(customerNotes)
    .where(and(eq(customerNotes.workspaceId, opts.workspaceId), eq(customerNotes.customerId, opts.customerId), isNull(customerNotes.deletedAt)))
    .orderBy(desc(customerNotes.id))
    .limit(opts.limit ?? 200);
  return rows.map(toNote);
}

export async function deleteNote(db: Queryable, opts: { workspaceId: string; customerId: string; noteId: string; actor: Actor }): Promise<void> {
  const [row] = await db
    .update(customerNotes)
    .set({ deletedAt: new Date() })
    .where(
      and(
        eq(customerNotes.workspaceId, opts.workspaceId),
        eq(customerNotes.customerId, opts.customerId),
        eq(customerNotes.id, opts.noteId),
        isNull(customerNotes.deletedAt),
      ),
    )
    .returning();
  if (!row) throw new AppError('not_found', `note ${opts.noteId} not found`);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'customer.note_delete', entityType: 'customer', entityId: opts.customerId, before: { note: row.body } });
}
