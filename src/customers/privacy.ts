// Privacy requests: erase a customer's personal data everywhere (keeping anonymous aggregates
// and a tombstone without personal data), and export everything held about a customer.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { auditLog } from '../workspaces/schema.ts';
import { getConsentHistory, getConsents } from './consents.ts';
import { getCustomerRow, toCustomer } from './customers.ts';
import { collectErasedPerson, eraseMentions, personLikePatterns, personPattern } from './erased-person.ts';
import { eraseFromImports, importErrorsAbout } from './import/erase.ts';
import { listIdentities } from './identities.ts';
import { customerLinks } from './links.ts';
import { listMerges } from './merge.ts';
import { listNotes } from './notes.ts';
import { ERASED } from './personal-data.ts';
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
  // Who they were, before it is wiped: copies of it elsewhere are found by it.
  const person = await collectErasedPerson(db, { workspaceId, customerIds: ids });
  const mentions = personPattern(person);
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
    for (const link of customerLinks()) await link.erase(db, { workspaceId, customerId: id, person });
  }
  // Merge snapshots and earlier audit entries copied the profile: they go too.
  await db.execute(sql`
    update customer_merges set survivor_before = '{}'::jsonb, merged_before = '{}'::jsonb, moved = '{}'::jsonb, undoable_until = now()
    where workspace_id = ${workspaceId} and (survivor_id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)}) or merged_id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)}))`);
  await db
    .update(auditLog)
    .set({ before: null, after: null, diff: null })
    .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.entityType, 'customer'), sql`${auditLog.entityId} in (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`));
  // Any other audit entry, consent record or saved view that quotes them (a segment's definition
  // in its audit entry, an import's file name, a saved search) is rewritten.
  if (mentions) {
    const { emails, digits } = personLikePatterns(person);
    const quoting = (text: SQL) =>
      sql`(${emails.length ? sql`${text} ilike any(${sql.param(emails)}::text[])` : sql`false`} or ${digits.length ? sql`regexp_replace(${text}, '[^0-9]', '', 'g') like any(${sql.param(digits)}::text[])` : sql`false`})`;
    const { rows: audits } = await db.execute<{ id: string; actor_label: string | null; before: unknown; after: unknown; diff: unknown }>(sql`
      select id, actor_label, before, after, diff from audit_log
      where workspace_id = ${workspaceId}::uuid and ${quoting(sql`concat_ws(' ', actor_label, before::text, after::text, diff::text)`)}`);
    for (const a of audits) {
      const json = (v: unknown) => (v === null ? null : JSON.stringify(eraseMentions(v, mentions)));
      await db.execute(sql`
        update audit_log set actor_label = ${eraseMentions(a.actor_label, mentions)}, before = ${json(a.before)}::jsonb, after = ${json(a.after)}::jsonb, diff = ${json(a.diff)}::jsonb
        where workspace_id = ${workspaceId}::uuid and id = ${a.id}::uuid`);
    }
    await db.execute(sql`
      update customer_consent_history set actor_label = case when ${quoting(sql`actor_label`)} then ${ERASED} else actor_label end,
        source = case when ${quoting(sql`source`)} then ${ERASED} else source end
      where workspace_id = ${workspaceId}::uuid and (${quoting(sql`actor_label`)} or ${quoting(sql`source`)})`);
    const { rows: views } = await db.execute<{ id: string; name: string; query: unknown }>(sql`
      select id, name, query from customer_views where workspace_id = ${workspaceId}::uuid and ${quoting(sql`concat_ws(' ', name, query::text)`)}`);
    for (const v of views) {
      await db.execute(sql`
        update customer_views set name = ${eraseMentions(v.name, mentions)}, query = ${JSON.stringify(eraseMentions(v.query, mentions))}::jsonb
        where workspace_id = ${workspaceId}::uuid and id = ${v.id}::uuid`);
    }
    await eraseFromImports(db, { workspaceId, person });
  }
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
  const audit = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.entityType, 'customer'), eq(auditLog.entityId, customerId)))
    .orderBy(desc(auditLog.at))
    .limit(100_000);
  return {
    exportedAt: new Date().toISOString(),
    profile: toCustomer(row),
    identities: await listIdentities(db, { workspaceId, customerId }),
    consents: await getConsents(db, { workspaceId, customerId }),
    consentHistory: await getConsentHistory(db, { workspaceId, customerId, limit: 100_000 }),
    preferences: await listPreferences(db, { workspaceId, customerId }),
    notes: await listNotes(db, { workspaceId, customerId, limit: 100_000 }),
    merges: await listMerges(db, { workspaceId, customerId }),
    /** What was done to the profile, by whom and when. */
    audit: audit.map((a) => ({ at: a.at.toISOString(), action: a.action, actor: a.actorLabel, before: a.before, after: a.after, diff: a.diff })),
    /** Rows of imports rejected that quote the customer's e-mail or phone. */
    importErrors: await importErrorsAbout(db, { workspaceId, person: await collectErasedPerson(db, { workspaceId, customerIds: [customerId] }) }),
    ...areas,
  };
}
