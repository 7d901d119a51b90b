// Saved views of the customer list: a query, a sort and the columns shown, private to their
// owner or shared with the workspace.
import { and, asc, eq, or } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { customerViews } from './schema.ts';

export type CustomerView = { id: string; name: string; ownerUserId: string | null; shared: boolean; query: Record<string, unknown>; columns: string[]; createdAt: string };

function toView(r: typeof customerViews.$inferSelect): CustomerView {
  return { id: r.id, name: r.name, ownerUserId: r.ownerUserId, shared: r.shared === 1, query: r.query, columns: r.columns, createdAt: r.createdAt.toISOString() };
}

/** Views the caller may use: their own and the shared ones (API keys see shared ones only). */
export async function listViews(db: Queryable, opts: { workspaceId: string; userId: string | null }): Promise<CustomerView[]> {
  const visible = opts.userId ? or(eq(customerViews.shared, 1), eq(customerViews.ownerUserId, opts.userId)) : eq(customerViews.shared, 1);
  const rows = await db
    .select()
    .from(customerViews)
    .where(and(eq(customerViews.workspaceId, opts.workspaceId), visible))
    .orderBy(asc(customerViews.name));
  return rows.map(toView);
}

export async function createView(
  db: Queryable,
  opts: { workspaceId: string; userId: string | null; name: string; query: Record<string, unknown>; columns: string[]; shared: boolean },
): Promise<CustomerView> {
  const name = opts.name.trim();
  if (!name) throw new AppError('invalid_input', 'body.name: must not be empty');
  const [row] = await db
    .insert(customerViews)
    .values({ workspaceId: opts.workspaceId, id: uuidv7(), name, ownerUserId: opts.userId, shared: opts.shared || !opts.userId ? 1 : 0, query: opts.query, columns: opts.columns })
    .returning();
  return toView(row!);
}

/** The owner deletes their view; a shared view may be deleted by anyone who may write customers. */
export async function deleteView(db: Queryable, opts: { workspaceId: string; userId: string | null; id: string; mayDeleteShared: boolean }): Promise<void> {
  const [row] = await db.select().from(customerViews).where(and(eq(customerViews.workspaceId, opts.workspaceId), eq(customerViews.id, opts.id)));
  const own = row !== undefined && row.ownerUserId !== null && row.ownerUserId === opts.userId;
  if (!row || (row.shared !== 1 && !own)) throw new AppError('not_found', `view ${opts.id} not found`);
  if (!own && !opts.mayDeleteShared) throw new AppError('forbidden', "id: only the view's author or someone who may change customers can delete a shared view");
  await db.delete(customerViews).where(and(eq(customerViews.workspaceId, opts.workspaceId), eq(customerViews.id, opts.id)));
}
