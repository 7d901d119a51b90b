// Preferences: categories or tags a customer likes, with a weight 0–1. Stated ones come from
// sign-up surveys; analytics writes inferred ones beside them, each source kept apart.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { PreferenceSource } from './fields.ts';
import { notifyCustomersChanged } from './links.ts';
import { customerPreferences } from './schema.ts';

export type Preference = { category: string; weight: number; source: PreferenceSource; updatedAt: string };

export async function listPreferences(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<Preference[]> {
  const rows = await db
    .select()
    .from(customerPreferences)
    .where(and(eq(customerPreferences.workspaceId, opts.workspaceId), eq(customerPreferences.customerId, opts.customerId)))
    .orderBy(asc(customerPreferences.source), desc(customerPreferences.weight), asc(customerPreferences.category));
  return rows.map((r) => ({ category: r.category, weight: r.weight, source: r.source as PreferenceSource, updatedAt: r.updatedAt.toISOString() }));
}

/** Replaces the customer's preferences of one source; the other source's stay. */
export async function replacePreferences(
  db: Queryable,
  opts: { workspaceId: string; customerId: string; source: PreferenceSource; preferences: { category: string; weight: number }[] },
): Promise<void> {
  await replacePreferencesBulk(db, { workspaceId: opts.workspaceId, source: opts.source, sets: [{ customerId: opts.customerId, preferences: opts.preferences }] });
}

/** The same for many customers at once (imports, demo data, analytics jobs). */
export async function replacePreferencesBulk(
  db: Queryable,
  opts: {
    workspaceId: string;
    source: PreferenceSource;
    sets: { customerId: string; preferences: { category: string; weight: number }[] }[];
    /** false: the caller tells the other areas itself (with its own changes, in one notification). */
    notify?: boolean;
  },
): Promise<void> {
  if (opts.sets.length === 0) return;
  const ids = [...new Set(opts.sets.map((s) => s.customerId))];
  if (opts.notify !== false) await notifyCustomersChanged(db, { workspaceId: opts.workspaceId, customerIds: ids, changes: ['preferences'] });
  await db
    .delete(customerPreferences)
    .where(and(eq(customerPreferences.workspaceId, opts.workspaceId), sql`${customerPreferences.customerId} = any(${sql.param(ids)}::uuid[])`, eq(customerPreferences.source, opts.source)));
  const rows = new Map<string, { customer_id: string; category: string; weight: number }>();
  // A weight is stored as a real: six decimals, as a denormal such as 1e-213 fails the cast (underflow).
  for (const set of opts.sets) for (const p of set.preferences) rows.set(`${set.customerId}:${p.category}`, { customer_id: set.customerId, category: p.category, weight: Math.round(p.weight * 1e6) / 1e6 });
  if (rows.size === 0) return;
  await db.execute(sql`
    insert into customer_preferences (workspace_id, customer_id, source, category, weight, updated_at)
    select ${opts.workspaceId}::uuid, r.customer_id, ${opts.source}, r.category, r.weight, now()
    from jsonb_to_recordset(${JSON.stringify([...rows.values()])}::jsonb) as r(customer_id uuid, category text, weight real)`);
}
