// Privacy requests: erase a customer's personal data everywhere (keeping anonymous aggregates
// and a tombstone without personal data), and export everything held about a customer.
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { auditLog } from '../workspaces/schema.ts';
import { getConsentHistory, getConsents } from './consents.ts';
import { getCustomerRow, toCustomer } from './customers.ts';
import { listIdentities } from './identities.ts';
import { customerLinks } from './links.ts';
import { listMerges } from './merge.ts';
import { listNotes } from './notes.ts';
import { listPreferences } from './preferences.ts';
import { customerIdentities, customerNotes, customerPreferences, customers } from './schema.ts';

/** Run in a transaction: it is all or nothing. */
export async function eraseCustomer(db: Queryable, opts: { workspaceId: string; actor: Actor; customerId: string }): Promise<void> {
  const { workspaceId, customerId } = opts;
  const row = await getCustomerRow(db, { workspaceId, id: customerId, includeDeleted: true });
  if (!row || row.mergedIntoId) throw new AppError('not_found', `customer ${customerId} not found`);
  if (row.erasedAt) throw new AppError('conflict', `customer ${customerId} was already erased`);
  // Profiles merged into this one hold the same person's data.
  const mergedIn = await db.select({ id: customers.id }).from(customers).where(and(eq(customers.workspaceId, workspaceId), eq(customers.mergedIntoId, customerId)));
  const ids = [customerId, ...mergedIn.map((m) => m.id)];
  for (const id of ids) {
    await db
      .update(customers)
      .set({
        externalId: null,
        email: null,
        phone: null,
        name: null,
        birthday: null,
        ownerUserId: null,
        tags: [],
        attributes: {},
        searchText: '',
        nameGrams: [],
        matchKeys: [],
        erasedAt: sql`now()`,
        deletedAt: sql`coalesce(${customers.deletedAt}, now())`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)));
    await db.delete(customerIdentities).where(and(eq(customerIdentities.workspaceId, workspaceId), eq(customerIdentities.customerId, id)));
    await db.delete(customerNotes).where(and(eq(customerNotes.workspaceId, workspaceId), eq(customerNotes.customerId, id)));
    await db.delete(customerPreferences).where(and(eq(customerPreferences.workspaceId, workspaceId), eq(customerPreferences.customerId, id)));
    for (const link of customerLinks()) await link.erase(db, { workspaceId, customerId: id });
  }
  // Merge snapshots and earlier audit entries copied the profile: they go too.
  await db.execute(sql`
    update customer_merges set survivor_before = '{}'::jsonb, merged_before = '{}'::jsonb, moved = '{}'::jsonb, undoable_until = now()
    where workspace_id = ${workspaceId} and (survivor_id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)}) or merged_id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)}))`);
  await db
    .update(auditLog)
    .set({ before: null, after: null, diff: null })
    .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.entityType, 'customer'), sql`${auditLog.entityId} in (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`));
  // Consent history stays: it is the legal record of what was agreed, and holds no personal data.
  await recordAudit(db, { workspaceId, actor: opts.actor, action: 'customer.erase', entityType: 'customer', entityId: customerId, after: { erasedProfiles: ids.length } });
}

/** Everything held about a customer, for a data subject access request. */
export async function exportCustomerData(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<Record<string, unknown>> {
  const { workspaceId, customerId } = opts;
  const row = await getCustomerRow(db, { workspaceId, id: customerId, includeDeleted: true });
  if (!row || row.mergedIntoId) throw new AppError('not_found', `customer ${customerId} not found`);
  const areas: Record<string, unknown> = {};
  for (const link of customerLinks()) areas[link.area] = await link.exportData(db, { workspaceId, customerId });
  return {
    exportedAt: new Date().toISOString(),
    profile: toCustomer(row),
    identities: await listIdentities(db, { workspaceId, customerId }),
    consents: await getConsents(db, { workspaceId, customerId }),
    consentHistory: await getConsentHistory(db, { workspaceId, customerId, limit: 100_000 }),
    preferences: await listPreferences(db, { workspaceId, customerId }),
    notes: await listNotes(db, { workspaceId, customerId, limit: 100_000 }),
    merges: await listMerges(db, { workspaceId, customerId }),
    ...areas,
  };
}
