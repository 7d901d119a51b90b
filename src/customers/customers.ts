// Customer profiles: create, read, change, upsert in bulk, soft delete. Identity values
// (e-mail, phone, external id) are kept in step with the profile in the same transaction.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { diffRecords, recordAudit, type Actor } from '../workspaces/audit.ts';
import { listAttributeDefs, type AttributeDef } from './attributes.ts';
import { maskEmail, maskPhone, matchKeysOf, nameGramsOf, searchTextOf, type FieldIssue } from './fields.ts';
import { maskPersonalData } from './personal-data.ts';
import { applyChanges, EMPTY_PROFILE, missingRequired, normaliseCustomerInput, type CustomerInput, type NormalisedInput, type ProfileFields } from './profile-input.ts';
import { customerIdentities, customers } from './schema.ts';
import type { BatchClaim } from './batch-claims.ts';
import { setConsentsBulk } from './consents.ts';
import { notifyCustomersChanged, type CustomerChange } from './links.ts';
import { replacePreferencesBulk } from './preferences.ts';

export type Customer = {
  id: string;
  externalId: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  locale: string | null;
  timeZone: string | null;
  birthday: string | null;
  gender: string | null;
  signedUpAt: string | null;
  lifecycleStage: string | null;
  ownerUserId: string | null;
  tags: string[];
  source: string | null;
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  mergedIntoId: string | null;
  erasedAt: string | null;
  /** True when e-mail and phone are masked for the caller. */
  masked: boolean;
};

export type CustomerRow = typeof customers.$inferSelect;
/** What a customer shows: the row without the columns only the database's searches read. */
export type CustomerView = Omit<CustomerRow, 'workspaceId' | 'searchText' | 'nameGrams' | 'matchKeys'>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `pii` false masks e-mail and phone (roles without pii.read). */
export function toCustomer(row: CustomerView, opts: { pii: boolean } = { pii: true }): Customer {
  return {
    id: row.id,
    externalId: row.externalId,
    email: opts.pii ? row.email : maskEmail(row.email),
    phone: opts.pii ? row.phone : maskPhone(row.phone),
    name: row.name,
    locale: row.locale,
    timeZone: row.timeZone,
    birthday: row.birthday,
    gender: row.gender,
    signedUpAt: iso(row.signedUpAt),
    lifecycleStage: row.lifecycleStage,
    ownerUserId: row.ownerUserId,
    tags: row.tags,
    source: row.source,
    // Custom attributes can hold contact data too (`personal_email`, a second phone): the same detector masks them.
    attributes: opts.pii ? row.attributes : maskPersonalData(row.attributes),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: iso(row.deletedAt),
    mergedIntoId: row.mergedIntoId,
    erasedAt: iso(row.erasedAt),
    masked: !opts.pii,
  };
}

export function profileOf(row: CustomerRow): ProfileFields {
  return {
    externalId: row.externalId,
    email: row.email,
    phone: row.phone,
    name: row.name,
    locale: row.locale,
    timeZone: row.timeZone,
    birthday: row.birthday,
    gender: row.gender as ProfileFields['gender'],
    signedUpAt: row.signedUpAt,
    lifecycleStage: row.lifecycleStage as ProfileFields['lifecycleStage'],
    ownerUserId: row.ownerUserId,
    tags: row.tags,
    source: row.source,
    attributes: row.attributes,
  };
}

/** The profile as the audit log keeps it (dates as text). */
export function auditView(p: ProfileFields): Record<string, unknown> {
  return { ...p, signedUpAt: p.signedUpAt ? p.signedUpAt.toISOString() : null };
}

export async function getCustomerRow(db: Queryable, opts: { workspaceId: string; id: string; includeDeleted?: boolean }): Promise<CustomerRow | undefined> {
  const [row] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, opts.workspaceId), eq(customers.id, opts.id), opts.includeDeleted ? undefined : isNull(customers.deletedAt)))
    .limit(1);
  return row;
}

/** A live customer, or a 404 that says so (and where a merged profile went). */
export async function requireCustomerRow(db: Queryable, opts: { workspaceId: string; id: string; forUpdate?: boolean }): Promise<CustomerRow> {
  const row = await getCustomerRow(db, { ...opts, includeDeleted: true });
  if (!row) throw new AppError('not_found', `customer ${opts.id} not found`);
  if (row.mergedIntoId) throw new AppError('not_found', `customer ${opts.id} was merged into ${row.mergedIntoId}`, { mergedIntoId: row.mergedIntoId });
  if (row.deletedAt) throw new AppError('not_found', `customer ${opts.id} is deleted`);
  return row;
}

const IDENTITY_FIELDS = [
  ['email', 'email'],
  ['phone', 'phone'],
  ['externalId', 'external'],
] as const;

type IdentityOwner = Map<string, string>; // `${kind}:${value}` → customer id

/** The identities a row names, as `kind:value` keys. */
function identityKeysOf(fields: NormalisedInput['fields']): string[] {
  return IDENTITY_FIELDS.flatMap(([field, kind]) => (typeof fields[field] === 'string' ? [`${kind}:${fields[field]}`] : []));
}

/**
 * Who holds these identity values. One index probe per value, whatever the table's size: asked
 * as `value = any(array)` (or as a join), PostgreSQL reads the whole identities table once it
 * guesses that cheaper than 2,000 probes, which it does for a workspace of 100k–300k customers
 * (100 ms a batch instead of 5).
 */
async function ownersOf(db: Queryable, workspaceId: string, keys: string[]): Promise<IdentityOwner> {
  const owners: IdentityOwner = new Map();
  const unique = [...new Set(keys)];
  if (unique.length === 0) return owners;
  const kinds = unique.map((k) => k.slice(0, k.indexOf(':')));
  const values = unique.map((k) => k.slice(k.indexOf(':') + 1));
  const { rows } = await db.execute<{ kind: string; value: string; customer_id: string }>(sql`
    select * from (
      select k.kind, k.value, (
        select i.customer_id from ${customerIdentities} i
        where i.workspace_id = ${workspaceId}::uuid and i.kind = k.kind and i.value = k.value
      ) as customer_id
      from unnest(${sql.param(kinds)}::text[], ${sql.param(values)}::text[]) as k(kind, value)
    ) found
    where customer_id is not null`);
  for (const r of rows) owners.set(`${r.kind}:${r.value}`, r.customer_id);
  return owners;
}

export type MatchBy = 'auto' | 'externalId' | 'email' | 'phone' | 'none';

/** `deferred`: left for a later batch (only with `batch`, see src/customers/batch-claims.ts). */
export type UpsertResult = { index: number; status: 'created' | 'updated' | 'failed' | 'deferred'; id?: string; errors?: FieldIssue[]; conflictWith?: string };

export type UpsertOptions = {
  workspaceId: string;
  actor: Actor;
  rows: CustomerInput[];
  /** How a row finds its existing customer; `none` always creates (and fails on a taken identity). */
  matchBy: MatchBy;
  /** Read CSV text forms. */
  fromText?: boolean;
  /** Path prefix of row i in errors; default `customers[i]`. */
  pathOf?: (index: number) => string;
  /** One audit entry per customer (API) or none (imports record their own summary). */
  auditEach?: boolean;
  defs?: AttributeDef[];
  /** Where consent given in the rows came from (e.g. `import`). */
  consentSource?: string;
  /** Row i changes this customer (PATCH), whatever its identities say. */
  targetIds?: (string | undefined)[];
  /** This call is one of several batches written at once: rows another batch touches are deferred. */
  batch?: BatchClaim;
};

const MATCH_ORDER: Record<MatchBy, readonly (keyof ProfileFields & ('email' | 'phone' | 'externalId'))[]> = {
  auto: ['externalId', 'email', 'phone'],
  externalId: ['externalId'],
  email: ['email'],
  phone: ['phone'],
  none: [],
};
const KIND_OF = { email: 'email', phone: 'phone', externalId: 'external' } as const;

/**
 * Creates or updates many customers at once (API bulk, imports, demo data): a few set-based
 * statements per call, whatever the number of rows. Each row succeeds or fails on its own.
 * Run it inside a transaction.
 */
export async function upsertCustomers(db: Queryable, opts: UpsertOptions): Promise<UpsertResult[]> {
  const defs = opts.defs ?? (await listAttributeDefs(db, { workspaceId: opts.workspaceId }));
  const pathOf = opts.pathOf ?? ((i: number) => `customers[${i}]`);
  const now = new Date();
  const results: UpsertResult[] = [];
  const valid: { index: number; input: NormalisedInput }[] = [];
  opts.rows.forEach((row, index) => {
    const { value, issues } = normaliseCustomerInput(row, defs, { prefix: pathOf(index), fromText: opts.fromText, now });
    if (issues.length) results[index] = { index, status: 'failed', errors: issues };
    else valid.push({ index, input: value });
  });

  opts.batch?.watch();
  const owners = await ownersOf(db, opts.workspaceId, valid.flatMap((v) => identityKeysOf(v.input.fields)));

  // The profiles the rows may change, read before planning: a row that changes an e-mail, phone
  // or external id gives up the old value, so a later row with that value finds no one, exactly
  // as it would in a batch of its own.
  const current = new Map<string, ProfileFields>();
  const wasDeleted = new Set<string>();
  const knownIds = [...new Set([...owners.values(), ...(opts.targetIds ?? []).filter((id): id is string => Boolean(id))])];
  if (knownIds.length) {
    const rows = await db
      .select()
      .from(customers)
      .where(and(eq(customers.workspaceId, opts.workspaceId), sql`${customers.id} = any(${sql.param(knownIds)}::uuid[])`));
    for (const r of rows) {
      current.set(r.id, profileOf(r));
      if (r.deletedAt) wasDeleted.add(r.id);
    }
  }
  const before = new Map(current);
  const created = new Set<string>();
  const gaveUp: string[] = []; // identity keys the planned rows take away from their customers

  // Each row in order: find its customer, check its identities, apply it. Later rows of the
  // batch see what earlier rows claimed and gave up.
  const planned: { index: number; input: NormalisedInput; id: string }[] = [];
  const claimed: IdentityOwner = new Map(owners);
  // Rows left for a later batch (opts.batch), and what they touch: a later row that shares any
  // of it waits too, so rows of one customer keep the file's order.
  const deferred: number[] = [];
  const waiting = new Set<string>();
  for (const { index, input } of valid) {
    let target = opts.targetIds?.[index];
    if (!target) for (const field of MATCH_ORDER[opts.matchBy]) {
      const v = input.fields[field];
      if (typeof v === 'string') target = claimed.get(`${KIND_OF[field]}:${v}`);
      if (target) break;
    }
    if (opts.batch) {
      // What the row depends on and may change: its identity values, and every customer now
      // holding one of them. A deferred row's customer is found when it is written, perhaps by
      // another of its values than now, and it may give up values that a later row would look
      // up; so a later row that meets any of those customers, even only as the holder of a value
      // it conflicts with, waits too.
      const keys = identityKeysOf(input.fields);
      const touched = [...keys];
      for (const k of keys) {
        const owner = claimed.get(k);
        if (owner) touched.push(owner);
      }
      if (target) touched.push(target);
      if (touched.some((k) => waiting.has(k) || opts.batch!.holds(k))) {
        for (const k of touched) waiting.add(k);
        deferred.push(index);
        results[index] = { index, status: 'deferred' };
        continue;
      }
    }
    const id = target ?? uuidv7();
    const conflict = IDENTITY_FIELDS.map(([field, kind]) => {
      const v = input.fields[field];
      const owner = typeof v === 'string' ? claimed.get(`${kind}:${v}`) : undefined;
      return owner && owner !== id ? { field, owner } : undefined;
    }).find(Boolean);
    if (conflict) {
      results[index] = {
        index,
        status: 'failed',
        errors: [{ path: `${pathOf(index)}.${conflict.field}`, message: `belongs to another customer (${conflict.owner})` }],
        conflictWith: conflict.owner,
      };
      continue;
    }
    const base = current.get(id);
    const next = applyChanges(base ?? EMPTY_PROFILE, input);
    if (!base) {
      const missing = missingRequired(defs, next.attributes, pathOf(index));
      if (missing.length) {
        results[index] = { index, status: 'failed', errors: missing };
        continue;
      }
      created.add(id);
    }
    for (const [field, kind] of IDENTITY_FIELDS) {
      const was = base?.[field] ?? null;
      const now = next[field];
      if (was === now) continue;
      if (was && claimed.get(`${kind}:${was}`) === id) claimed.delete(`${kind}:${was}`);
      if (was) gaveUp.push(`${kind}:${was}`);
      if (now) claimed.set(`${kind}:${now}`, id);
    }
    current.set(id, next);
    results[index] = { index, status: base ? 'updated' : 'created', id };
    planned.push({ index, input, id });
  }
  const plannedIds = new Set(planned.map((p) => p.id));
  // Profiles read for rows that failed or were deferred are not written.
  for (const id of [...current.keys()]) if (!plannedIds.has(id)) current.delete(id);
  opts.batch?.plan(
    [...planned.flatMap((p) => identityKeysOf(p.input.fields)), ...gaveUp],
    plannedIds,
    deferred,
  );

  const asRecord = (id: string, f: ProfileFields) => ({
    id,
    external_id: f.externalId,
    email: f.email,
    phone: f.phone,
    name: f.name,
    locale: f.locale,
    time_zone: f.timeZone,
    birthday: f.birthday,
    gender: f.gender,
    signed_up_at: f.signedUpAt?.toISOString() ?? null,
    lifecycle_stage: f.lifecycleStage,
    owner_user_id: f.ownerUserId,
    tags: f.tags,
    source: f.source,
    attributes: f.attributes,
    search_text: searchTextOf(f),
    name_grams: nameGramsOf(f.name),
    match_keys: matchKeysOf(f),
  });
  const recordset = sql.raw(`r(id uuid, external_id text, email text, phone text, name text, locale text, time_zone text, birthday date, gender text,
    signed_up_at timestamptz, lifecycle_stage text, owner_user_id uuid, tags text[], source text, attributes jsonb, search_text text, name_grams text[], match_keys text[])`);
  const inserts = [...created].map((id) => asRecord(id, current.get(id)!));
  const updates = [...current.keys()].filter((id) => !created.has(id) && before.has(id)).map((id) => asRecord(id, current.get(id)!));

  // An external id one customer gave up may go to another in the same call: free it first, as
  // the unique index checks each row as it is written.
  const gaveUpExternalId = updates.filter((u) => before.get(u.id)!.externalId && before.get(u.id)!.externalId !== u.external_id).map((u) => u.id);
  if (gaveUpExternalId.length) {
    await db.execute(sql`
      update customers set external_id = null
      where workspace_id = ${opts.workspaceId}::uuid and id = any(${sql.param(gaveUpExternalId)}::uuid[])`);
  }
  if (inserts.length) {
    await db.execute(sql`
      insert into customers (workspace_id, id, external_id, email, phone, name, locale, time_zone, birthday, gender, signed_up_at,
        lifecycle_stage, owner_user_id, tags, source, attributes, search_text, name_grams, match_keys, created_at, updated_at)
      select ${opts.workspaceId}::uuid, r.id, r.external_id, r.email, r.phone, r.name, r.locale, r.time_zone, r.birthday, r.gender,
        r.signed_up_at, r.lifecycle_stage, r.owner_user_id, coalesce(r.tags, '{}'), r.source, coalesce(r.attributes, '{}'), r.search_text, coalesce(r.name_grams, '{}'), coalesce(r.match_keys, '{}'), now(), now()
      from jsonb_to_recordset(${JSON.stringify(inserts)}::jsonb) as ${recordset}`);
  }
  if (updates.length) {
    await db.execute(sql`
      update customers c set external_id = r.external_id, email = r.email, phone = r.phone, name = r.name, locale = r.locale,
        time_zone = r.time_zone, birthday = r.birthday, gender = r.gender, signed_up_at = r.signed_up_at,
        lifecycle_stage = r.lifecycle_stage, owner_user_id = r.owner_user_id, tags = coalesce(r.tags, '{}'), source = r.source,
        attributes = coalesce(r.attributes, '{}'), search_text = r.search_text, name_grams = coalesce(r.name_grams, '{}'), match_keys = coalesce(r.match_keys, '{}'), updated_at = now(), deleted_at = null
      from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as ${recordset}
      where c.workspace_id = ${opts.workspaceId}::uuid and c.id = r.id and c.id = any(${sql.param(updates.map((u) => u.id))}::uuid[])`);
  }

  // Identities follow the profile: a changed e-mail/phone/external id replaces the old one.
  const removeIdentities: { kind: string; value: string; customerId: string }[] = [];
  const addIdentities: { kind: string; value: string; customerId: string }[] = [];
  for (const [id, next] of current) {
    const prev = before.get(id);
    for (const [field, kind] of IDENTITY_FIELDS) {
      const oldValue = prev?.[field] ?? null;
      const newValue = next[field];
      if (oldValue === newValue) continue;
      if (oldValue) removeIdentities.push({ kind, value: oldValue, customerId: id });
      if (newValue) addIdentities.push({ kind, value: newValue, customerId: id });
    }
  }
  if (removeIdentities.length) {
    await db.execute(sql`
      delete from customer_identities i using jsonb_to_recordset(${JSON.stringify(removeIdentities)}::jsonb) as r(kind text, value text, "customerId" uuid)
      where i.workspace_id = ${opts.workspaceId}::uuid and i.kind = r.kind and i.value = r.value and i.customer_id = r."customerId"`);
  }
  if (addIdentities.length) {
    await insertIdentities(db, { workspaceId: opts.workspaceId, identities: addIdentities, source: 'profile' });
  }

  const ok = planned.filter((p) => results[p.index]?.status !== 'failed');
  const consentChanges = await setConsentsBulk(db, {
    workspaceId: opts.workspaceId,
    actorLabel: opts.actor.label,
    consents: ok.flatMap((p) => p.input.consents.map((c) => ({ ...c, customerId: p.id, source: c.source ?? opts.consentSource ?? null }))),
    notify: false,
    created,
  });
  const preferenceSets = ok.filter((p) => p.input.preferences.length).map((p) => ({ customerId: p.id, preferences: p.input.preferences }));
  await replacePreferencesBulk(db, { workspaceId: opts.workspaceId, source: 'survey', sets: preferenceSets, notify: false });

  // One notification for the batch: every profile written, changed or not (the segments area
  // skips what evaluates the same), with consent and preferences when those changed too.
  const changes: CustomerChange[] = ['profile'];
  if (consentChanges.length) changes.push('consent');
  if (preferenceSets.length) changes.push('preferences');
  await notifyCustomersChanged(db, { workspaceId: opts.workspaceId, customerIds: ok.map((p) => p.id).filter((id) => !created.has(id)), changes });
  // A new customer may belong to any segment, even one on events or orders alone ("never ordered").
  await notifyCustomersChanged(db, { workspaceId: opts.workspaceId, customerIds: ok.map((p) => p.id).filter((id) => created.has(id)), changes: ['all'] });

  if (opts.auditEach) {
    for (const [id, next] of current) {
      const prev = before.get(id);
      const restored = wasDeleted.has(id);
      if (prev && !restored && Object.keys(diffRecords(auditView(prev), auditView(next))).length === 0) continue;
      await recordAudit(db, {
        workspaceId: opts.workspaceId,
        actor: opts.actor,
        action: created.has(id) ? 'customer.create' : 'customer.update',
        entityType: 'customer',
        entityId: id,
        before: prev ? auditView(prev) : null,
        after: auditView(next),
      });
    }
  }
  return results;
}

export async function insertIdentities(
  db: Queryable,
  opts: { workspaceId: string; identities: { kind: string; value: string; customerId: string }[]; source: string },
): Promise<void> {
  if (opts.identities.length === 0) return;
  const rows = opts.identities.map((i) => ({ id: uuidv7(), kind: i.kind, value: i.value, customer_id: i.customerId }));
  await db.execute(sql`
    insert into customer_identities (workspace_id, id, customer_id, kind, value, source, created_at)
    select ${opts.workspaceId}::uuid, r.id, r.customer_id, r.kind, r.value, ${opts.source}, now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, customer_id uuid, kind text, value text)
    on conflict (workspace_id, kind, value) do nothing`);
}

/** The error of a failed row, as the API reports it. */
export function rowError(result: UpsertResult): AppError {
  const message = (result.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
  if (result.conflictWith) {
    const field = result.errors?.[0]?.path.split('.').pop();
    return new AppError('conflict', message, { field, customerId: result.conflictWith });
  }
  return new AppError('invalid_input', message, result.errors);
}

export async function createCustomer(db: Queryable, opts: { workspaceId: string; actor: Actor; input: CustomerInput }): Promise<CustomerRow> {
  const [result] = await upsertCustomers(db, { ...opts, rows: [opts.input], matchBy: 'none', pathOf: () => 'body', auditEach: true });
  if (!result || result.status !== 'created') throw rowError(result!);
  return (await getCustomerRow(db, { workspaceId: opts.workspaceId, id: result.id! }))!;
}

export async function updateCustomer(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string; input: CustomerInput }): Promise<CustomerRow> {
  const row = await requireCustomerRow(db, { workspaceId: opts.workspaceId, id: opts.id });
  if (row.erasedAt) throw new AppError('conflict', `customer ${opts.id} was erased: its profile can no longer be changed`);
  const [result] = await upsertCustomers(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    rows: [opts.input],
    targetIds: [opts.id],
    matchBy: 'none',
    pathOf: () => 'body',
    auditEach: true,
  });
  if (!result || result.status === 'failed') throw rowError(result!);
  return (await getCustomerRow(db, { workspaceId: opts.workspaceId, id: opts.id }))!;
}
