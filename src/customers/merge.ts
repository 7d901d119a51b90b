// Merging two profiles of one person: everything that points at the merged profile moves to
// the survivor, field conflicts are settled by a rule (or by a person's choice), and the merge
// can be undone for 30 days.
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { auditView, profileOf, requireCustomerRow, type CustomerRow } from './customers.ts';
import { matchKeysOf, nameGramsOf, searchTextOf } from './fields.ts';
import { customerLinks } from './links.ts';
import { PROFILE_FIELDS, type ProfileField, type ProfileFields } from './profile-input.ts';
import { customerConsentHistory, customerConsents, customerIdentities, customerMerges, customerNotes, customerPreferences, customers } from './schema.ts';

export const MERGE_UNDO_DAYS = 30;

export type FieldChoice = 'survivor' | 'other';

export type Merge = {
  id: string;
  survivorId: string;
  mergedId: string;
  at: string;
  actorLabel: string | null;
  undoableUntil: string;
  undoneAt: string | null;
};

function toMerge(r: typeof customerMerges.$inferSelect): Merge {
  return {
    id: r.id,
    survivorId: r.survivorId,
    mergedId: r.mergedId,
    at: r.at.toISOString(),
    actorLabel: r.actorLabel,
    undoableUntil: r.undoableUntil.toISOString(),
    undoneAt: r.undoneAt ? r.undoneAt.toISOString() : null,
  };
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The merged profile. Per field: a person's choice if given; otherwise the newest non-empty value
 * (the profile changed last counts as newer). Tags are united; attributes merge key by key by the
 * same rule.
 */
export function mergeProfiles(
  survivor: { fields: ProfileFields; updatedAt: Date },
  other: { fields: ProfileFields; updatedAt: Date },
  choices: Partial<Record<ProfileField, FieldChoice>> = {},
): ProfileFields {
  const otherIsNewer = other.updatedAt.getTime() > survivor.updatedAt.getTime();
  const pick = <T>(a: T, b: T, choice: FieldChoice | undefined): T => {
    if (choice === 'survivor') return a;
    if (choice === 'other') return b;
    if (isEmpty(a)) return b;
    if (isEmpty(b)) return a;
    return otherIsNewer ? b : a;
  };
  const out = { ...survivor.fields };
  for (const field of PROFILE_FIELDS) {
    if (field === 'tags' || field === 'attributes') continue;
    (out as Record<string, unknown>)[field] = pick(survivor.fields[field], other.fields[field], choices[field]);
  }
  out.tags =
    choices.tags === 'survivor' ? survivor.fields.tags : choices.tags === 'other' ? other.fields.tags : [...new Set([...survivor.fields.tags, ...other.fields.tags])];
  if (choices.attributes === 'survivor') out.attributes = survivor.fields.attributes;
  else if (choices.attributes === 'other') out.attributes = other.fields.attributes;
  else {
    const keys = new Set([...Object.keys(survivor.fields.attributes), ...Object.keys(other.fields.attributes)]);
    out.attributes = Object.fromEntries([...keys].map((k) => [k, pick(survivor.fields.attributes[k], other.fields.attributes[k], undefined)]).filter(([, v]) => v !== undefined));
  }
  return out;
}

async function writeProfile(db: Queryable, workspaceId: string, id: string, f: ProfileFields): Promise<void> {
  await db
    .update(customers)
    .set({
      ...f,
      searchText: searchTextOf(f),
      nameGrams: nameGramsOf(f.name),
      matchKeys: matchKeysOf(f),
      updatedAt: sql`now()`,
    })
    .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)));
}

type ConsentRow = typeof customerConsents.$inferSelect;
type PreferenceRow = typeof customerPreferences.$inferSelect;

async function consentsOf(db: Queryable, workspaceId: string, customerId: string): Promise<ConsentRow[]> {
  return db.select().from(customerConsents).where(and(eq(customerConsents.workspaceId, workspaceId), eq(customerConsents.customerId, customerId)));
}
async function preferencesOf(db: Queryable, workspaceId: string, customerId: string): Promise<PreferenceRow[]> {
  return db.select().from(customerPreferences).where(and(eq(customerPreferences.workspaceId, workspaceId), eq(customerPreferences.customerId, customerId)));
}

/** Replaces a customer's current consents with `rows`, appending a history entry for each change. */
async function restoreConsents(db: Queryable, workspaceId: string, customerId: string, rows: ConsentRow[], source: string, actor: Actor): Promise<void> {
  const before = await consentsOf(db, workspaceId, customerId);
  const was = new Map(before.map((r) => [`${r.channel}:${r.purpose}`, r.status]));
  const will = new Map(rows.map((r) => [`${r.channel}:${r.purpose}`, r.status]));
  await db.delete(customerConsents).where(and(eq(customerConsents.workspaceId, workspaceId), eq(customerConsents.customerId, customerId)));
  if (rows.length) {
    await db.insert(customerConsents).values(rows.map((r) => ({ ...r, workspaceId, customerId, updatedAt: new Date(r.updatedAt) })));
  }
  const keys = new Set([...was.keys(), ...will.keys()]);
  const changes = [...keys].filter((k) => (was.get(k) ?? 'unknown') !== (will.get(k) ?? 'unknown'));
  if (changes.length) {
    await db.insert(customerConsentHistory).values(
      changes.map((k) => {
        const [channel, purpose] = k.split(':') as [string, string];
        return {
          workspaceId,
          id: uuidv7(),
          customerId,
          channel,
          purpose,
          status: will.get(k) ?? 'unknown',
          previousStatus: was.get(k) ?? null,
          source,
          actorLabel: actor.label,
        };
      }),
    );
  }
}

async function restorePreferences(db: Queryable, workspaceId: string, customerId: string, rows: PreferenceRow[]): Promise<void> {
  await db.delete(customerPreferences).where(and(eq(customerPreferences.workspaceId, workspaceId), eq(customerPreferences.customerId, customerId)));
  if (rows.length) await db.insert(customerPreferences).values(rows.map((r) => ({ ...r, workspaceId, customerId, updatedAt: new Date(r.updatedAt) })));
}

async function moveRows(
  db: Queryable,
  table: typeof customerIdentities | typeof customerNotes | typeof customerConsentHistory,
  workspaceId: string,
  fromId: string,
  toId: string,
): Promise<string[]> {
  const rows = await db
    .update(table)
    .set({ customerId: toId })
    .where(and(eq(table.workspaceId, workspaceId), eq(table.customerId, fromId)))
    .returning({ id: table.id });
  return rows.map((r) => r.id);
}

async function moveBack(
  db: Queryable,
  table: typeof customerIdentities | typeof customerNotes | typeof customerConsentHistory,
  workspaceId: string,
  ids: string[],
  fromId: string,
  toId: string,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(table)
    .set({ customerId: toId })
    .where(and(eq(table.workspaceId, workspaceId), eq(table.customerId, fromId), inArray(table.id, ids)));
}

/** Two rows, locked in id order so that two merges of the same pair cannot deadlock. */
async function lockPair(db: Queryable, workspaceId: string, a: string, b: string): Promise<void> {
  await db.execute(sql`select id from customers where workspace_id = ${workspaceId} and id in (${a}, ${b}) order by id for update`);
}

/** Merges `mergedId` into `survivorId`. Run inside a transaction. */
export async function mergeCustomers(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; survivorId: string; mergedId: string; fields?: Partial<Record<ProfileField, FieldChoice>> },
): Promise<{ survivor: CustomerRow; merge: Merge }> {
  const { workspaceId } = opts;
  if (opts.survivorId === opts.mergedId) throw new AppError('invalid_input', 'body.otherId: cannot merge a customer with itself');
  await lockPair(db, workspaceId, opts.survivorId, opts.mergedId);
  const survivor = await requireCustomerRow(db, { workspaceId, id: opts.survivorId });
  let other: CustomerRow;
  try {
    other = await requireCustomerRow(db, { workspaceId, id: opts.mergedId });
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') throw new AppError('invalid_input', `body.otherId: ${err.message}`);
    throw err;
  }
  if (survivor.erasedAt || other.erasedAt) throw new AppError('conflict', 'an erased customer cannot be merged');

  const survivorConsents = await consentsOf(db, workspaceId, survivor.id);
  const otherConsents = await consentsOf(db, workspaceId, other.id);
  const survivorPrefs = await preferencesOf(db, workspaceId, survivor.id);
  const otherPrefs = await preferencesOf(db, workspaceId, other.id);

  const merged = mergeProfiles({ fields: profileOf(survivor), updatedAt: survivor.updatedAt }, { fields: profileOf(other), updatedAt: other.updatedAt }, opts.fields);

  const moved: Record<string, unknown> = {
    identities: await moveRows(db, customerIdentities, workspaceId, other.id, survivor.id),
    notes: await moveRows(db, customerNotes, workspaceId, other.id, survivor.id),
    consentHistory: await moveRows(db, customerConsentHistory, workspaceId, other.id, survivor.id),
  };
  // Consent: per channel × purpose the most recent decision stands (a later "no" beats an old "yes").
  const consentByKey = new Map<string, ConsentRow>();
  for (const r of [...survivorConsents, ...otherConsents]) {
    const key = `${r.channel}:${r.purpose}`;
    const have = consentByKey.get(key);
    if (!have || r.updatedAt.getTime() > have.updatedAt.getTime()) consentByKey.set(key, r);
  }
  await db.delete(customerConsents).where(and(eq(customerConsents.workspaceId, workspaceId), eq(customerConsents.customerId, other.id)));
  await restoreConsents(db, workspaceId, survivor.id, [...consentByKey.values()], 'merge', opts.actor);
  // Preferences: the stronger weight per source and category.
  const prefByKey = new Map<string, PreferenceRow>();
  for (const r of [...survivorPrefs, ...otherPrefs]) {
    const key = `${r.source}:${r.category}`;
    const have = prefByKey.get(key);
    if (!have || r.weight > have.weight) prefByKey.set(key, r);
  }
  await restorePreferences(db, workspaceId, other.id, []);
  await restorePreferences(db, workspaceId, survivor.id, [...prefByKey.values()]);
  for (const link of customerLinks()) {
    moved[link.area] = await link.reassign(db, { workspaceId, fromId: other.id, toId: survivor.id });
  }

  await db
    .update(customers)
    .set({ deletedAt: sql`now()`, mergedIntoId: survivor.id, updatedAt: sql`now()`, matchKeys: [] })
    .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, other.id)));
  await writeProfile(db, workspaceId, survivor.id, merged);

  const jsonRow = (r: CustomerRow) => ({ ...r, signedUpAt: r.signedUpAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });
  const [mergeRow] = await db
    .insert(customerMerges)
    .values({
      workspaceId,
      id: uuidv7(),
      survivorId: survivor.id,
      mergedId: other.id,
      actorLabel: opts.actor.label,
      survivorBefore: { row: jsonRow(survivor), consents: survivorConsents, preferences: survivorPrefs, after: auditView(merged) },
      mergedBefore: { row: jsonRow(other), consents: otherConsents, preferences: otherPrefs },
      moved,
      undoableUntil: sql`now() + ${`${MERGE_UNDO_DAYS} days`}::interval`,
    })
    .returning();
  const merge = toMerge(mergeRow!);
  await recordAudit(db, {
    workspaceId,
    actor: opts.actor,
    action: 'customer.merge',
    entityType: 'customer',
    entityId: survivor.id,
    before: { ...auditView(profileOf(survivor)), mergedId: other.id },
    after: { ...auditView(merged), mergeId: merge.id },
  });
  await recordAudit(db, {
    workspaceId,
    actor: opts.actor,
    action: 'customer.merged_into',
    entityType: 'customer',
    entityId: other.id,
    before: auditView(profileOf(other)),
    after: { mergedIntoId: survivor.id, mergeId: merge.id },
  });
  const row = await requireCustomerRow(db, { workspaceId, id: survivor.id });
  return { survivor: row, merge };
}

export async function listMerges(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<Merge[]> {
  const rows = await db
    .select()
    .from(customerMerges)
    .where(
      and(
        eq(customerMerges.workspaceId, opts.workspaceId),
        or(eq(customerMerges.survivorId, opts.customerId), eq(customerMerges.mergedId, opts.customerId)),
      ),
    )
    .orderBy(desc(customerMerges.id));
  return rows.map(toMerge);
}

type Snapshot = { row: Record<string, unknown>; consents: ConsentRow[]; preferences: PreferenceRow[]; after?: Record<string, unknown> };

function fieldsFromSnapshot(row: Record<string, unknown>): ProfileFields {
  return {
    externalId: (row.externalId as string | null) ?? null,
    email: (row.email as string | null) ?? null,
    phone: (row.phone as string | null) ?? null,
    name: (row.name as string | null) ?? null,
    locale: (row.locale as string | null) ?? null,
    timeZone: (row.timeZone as string | null) ?? null,
    birthday: (row.birthday as string | null) ?? null,
    gender: (row.gender as ProfileFields['gender']) ?? null,
    signedUpAt: row.signedUpAt ? new Date(row.signedUpAt as string) : null,
    lifecycleStage: (row.lifecycleStage as ProfileFields['lifecycleStage']) ?? null,
    ownerUserId: (row.ownerUserId as string | null) ?? null,
    tags: (row.tags as string[]) ?? [],
    source: (row.source as string | null) ?? null,
    attributes: (row.attributes as Record<string, unknown>) ?? {},
  };
}

/**
 * Undoes a merge: both profiles come back and every moved row returns. A survivor field changed
 * by someone since the merge keeps its new value.
 */
export async function undoMerge(db: Queryable, opts: { workspaceId: string; actor: Actor; mergeId: string }): Promise<{ survivor: CustomerRow; restored: CustomerRow }> {
  const { workspaceId } = opts;
  const [m] = await db
    .select()
    .from(customerMerges)
    .where(and(eq(customerMerges.workspaceId, workspaceId), eq(customerMerges.id, opts.mergeId)))
    .for('update');
  if (!m) throw new AppError('not_found', `merge ${opts.mergeId} not found`);
  if (m.undoneAt) throw new AppError('conflict', `merge ${m.id} was already undone`);
  if (m.undoableUntil.getTime() < Date.now()) throw new AppError('conflict', `merge ${m.id} can no longer be undone: the ${MERGE_UNDO_DAYS} days have passed`);
  await lockPair(db, workspaceId, m.survivorId, m.mergedId);
  const survivor = await requireCustomerRow(db, { workspaceId, id: m.survivorId }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') {
      throw new AppError('conflict', `cannot undo merge ${m.id}: ${err.message}; undo that first`);
    }
    throw err;
  });
  if (survivor.erasedAt) throw new AppError('conflict', `cannot undo merge ${m.id}: the customer was erased`);

  const survivorSnap = m.survivorBefore as Snapshot;
  const mergedSnap = m.mergedBefore as Snapshot;
  const moved = m.moved as Record<string, unknown>;
  const ids = (key: string) => (Array.isArray(moved[key]) ? (moved[key] as string[]) : []);

  // Fields: back to the pre-merge value unless changed since the merge.
  const now = profileOf(survivor);
  const before = fieldsFromSnapshot(survivorSnap.row);
  const mergedAs = survivorSnap.after ? fieldsFromSnapshot(survivorSnap.after) : now;
  const restoredFields = { ...now };
  for (const field of PROFILE_FIELDS) {
    if (JSON.stringify(auditView(now)[field]) === JSON.stringify(auditView(mergedAs)[field])) {
      (restoredFields as Record<string, unknown>)[field] = before[field];
    }
  }

  await moveBack(db, customerIdentities, workspaceId, ids('identities'), m.survivorId, m.mergedId);
  await moveBack(db, customerNotes, workspaceId, ids('notes'), m.survivorId, m.mergedId);
  await moveBack(db, customerConsentHistory, workspaceId, ids('consentHistory'), m.survivorId, m.mergedId);
  await restoreConsents(db, workspaceId, m.survivorId, survivorSnap.consents, 'merge_undo', opts.actor);
  await restoreConsents(db, workspaceId, m.mergedId, mergedSnap.consents, 'merge_undo', opts.actor);
  await restorePreferences(db, workspaceId, m.survivorId, survivorSnap.preferences);
  await restorePreferences(db, workspaceId, m.mergedId, mergedSnap.preferences);
  for (const link of customerLinks()) {
    if (moved[link.area] !== undefined) await link.undoReassign(db, { workspaceId, fromId: m.mergedId, toId: m.survivorId, moved: moved[link.area] });
  }

  const mergedFields = fieldsFromSnapshot(mergedSnap.row);
  await db
    .update(customers)
    .set({ deletedAt: null, mergedIntoId: null, matchKeys: matchKeysOf(mergedFields), updatedAt: sql`now()` })
    .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, m.mergedId)));
  await writeProfile(db, workspaceId, m.survivorId, restoredFields);
  await db.update(customerMerges).set({ undoneAt: sql`now()` }).where(and(eq(customerMerges.workspaceId, workspaceId), eq(customerMerges.id, m.id)));
  await recordAudit(db, {
    workspaceId,
    actor: opts.actor,
    action: 'customer.merge_undo',
    entityType: 'customer',
    entityId: m.survivorId,
    before: auditView(now),
    after: { ...auditView(restoredFields), restoredId: m.mergedId, mergeId: m.id },
  });
  return {
    survivor: await requireCustomerRow(db, { workspaceId, id: m.survivorId }),
    restored: await requireCustomerRow(db, { workspaceId, id: m.mergedId }),
  };
}
