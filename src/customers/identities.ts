// The identity graph: every e-mail, phone, user id, anonymous id and external id a customer is
// known by, and stitching: an anonymous visitor who identifies becomes the known customer.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { diffRecords, recordAudit, type Actor } from '../workspaces/audit.ts';
import { listAttributeDefs, type AttributeDef } from './attributes.ts';
import { auditView, createCustomer, getCustomerRow, profileOf, requireCustomerRow, updateCustomer, upsertCustomers, type CustomerRow } from './customers.ts';
import { IDENTITY_KINDS, normaliseEmail, normalisePhone, type FieldIssue, type IdentityKind } from './fields.ts';
import { customerLinks, notifyCustomersChanged } from './links.ts';
import { mergeCustomers } from './merge.ts';
import { applyChanges, normaliseCustomerInput, type CustomerInput } from './profile-input.ts';
import { customerIdentities, customers } from './schema.ts';

export type Identity = { id: string; customerId: string; kind: IdentityKind; value: string; source: string | null; createdAt: string };

function toIdentity(r: typeof customerIdentities.$inferSelect): Identity {
  return { id: r.id, customerId: r.customerId, kind: r.kind as IdentityKind, value: r.value, source: r.source, createdAt: r.createdAt.toISOString() };
}

/** The stored form of an identity value, or an error naming the field. */
export function normaliseIdentity(kind: IdentityKind, raw: string, path = 'body.value'): string {
  const trimmed = raw.trim();
  if (!trimmed) throw new AppError('invalid_input', `${path}: must not be empty`);
  if (trimmed.length > 320) throw new AppError('invalid_input', `${path}: must be at most 320 characters`);
  if (kind === 'email') {
    const v = normaliseEmail(trimmed);
    if (!v) throw new AppError('invalid_input', `${path}: "${trimmed}" is not an e-mail address`);
    return v;
  }
  if (kind === 'phone') {
    const v = normalisePhone(trimmed);
    if (!v) throw new AppError('invalid_input', `${path}: "${trimmed}" is not a phone number`);
    return v;
  }
  return trimmed;
}

export async function listIdentities(db: Queryable, opts: { workspaceId: string; customerId: string }): Promise<Identity[]> {
  const rows = await db
    .select()
    .from(customerIdentities)
    .where(and(eq(customerIdentities.workspaceId, opts.workspaceId), eq(customerIdentities.customerId, opts.customerId)))
    .orderBy(asc(customerIdentities.kind), asc(customerIdentities.id));
  return rows.map(toIdentity);
}

export async function findCustomerIdByIdentity(db: Queryable, opts: { workspaceId: string; kind: IdentityKind; value: string }): Promise<string | undefined> {
  const [row] = await db
    .select({ customerId: customerIdentities.customerId })
    .from(customerIdentities)
    .where(and(eq(customerIdentities.workspaceId, opts.workspaceId), eq(customerIdentities.kind, opts.kind), eq(customerIdentities.value, opts.value)));
  return row?.customerId;
}

export async function addIdentity(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; customerId: string; kind: IdentityKind; value: string; source?: string | null },
): Promise<Identity> {
  await requireCustomerRow(db, { workspaceId: opts.workspaceId, id: opts.customerId });
  const value = normaliseIdentity(opts.kind, opts.value);
  const owner = await findCustomerIdByIdentity(db, { workspaceId: opts.workspaceId, kind: opts.kind, value });
  if (owner && owner !== opts.customerId) {
    throw new AppError('conflict', `body.value: ${opts.kind} "${value}" belongs to another customer (${owner}); merge the two instead`, { field: 'value', customerId: owner });
  }
  if (!owner) {
    await db.insert(customerIdentities).values({ workspaceId: opts.workspaceId, id: uuidv7(), customerId: opts.customerId, kind: opts.kind, value, source: opts.source ?? 'manual' });
    await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'customer.identity_add', entityType: 'customer', entityId: opts.customerId, after: { kind: opts.kind, value } });
  }
  const [row] = await db
    .select()
    .from(customerIdentities)
    .where(and(eq(customerIdentities.workspaceId, opts.workspaceId), eq(customerIdentities.kind, opts.kind), eq(customerIdentities.value, value)));
  if (opts.kind === 'anonymous_id') {
    for (const link of customerLinks()) await link.claimAnonymous?.(db, { workspaceId: opts.workspaceId, anonymousId: value, customerId: opts.customerId });
  }
  return toIdentity(row!);
}

export async function removeIdentity(db: Queryable, opts: { workspaceId: string; actor: Actor; customerId: string; identityId: string }): Promise<void> {
  const customer = await requireCustomerRow(db, { workspaceId: opts.workspaceId, id: opts.customerId });
  const [row] = await db
    .select()
    .from(customerIdentities)
    .where(and(eq(customerIdentities.workspaceId, opts.workspaceId), eq(customerIdentities.customerId, opts.customerId), eq(customerIdentities.id, opts.identityId)));
  if (!row) throw new AppError('not_found', `identity ${opts.identityId} not found`);
  const primary = (row.kind === 'email' && row.value === customer.email) || (row.kind === 'phone' && row.value === customer.phone) || (row.kind === 'external' && row.value === customer.externalId);
  if (primary) throw new AppError('conflict', `this ${row.kind} is the profile's own ${row.kind === 'external' ? 'external id' : row.kind}: change or clear it on the profile instead`);
  await db.delete(customerIdentities).where(and(eq(customerIdentities.workspaceId, opts.workspaceId), eq(customerIdentities.id, row.id)));
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'customer.identity_remove', entityType: 'customer', entityId: opts.customerId, before: { kind: row.kind, value: row.value } });
}

export type IdentifyInput = {
  anonymousId?: string;
  userId?: string;
  email?: string;
  phone?: string;
  externalId?: string;
  /** Profile fields to set on the customer; given values replace the stored ones. */
  traits?: CustomerInput;
  source?: string;
};

export type IdentifyResult = { customer: CustomerRow; created: boolean; merged: string[]; linked: { kind: IdentityKind; value: string }[] };

/**
 * Stitching. Finds the known customer by user id, external id, e-mail or phone (in that order),
 * links every other identity given, and folds the profile of the anonymous id into it. Run in a
 * transaction.
 */
export async function identify(db: Queryable, opts: { workspaceId: string; actor: Actor; input: IdentifyInput }): Promise<IdentifyResult> {
  const { workspaceId, input } = opts;
  const given: { kind: IdentityKind; value: string }[] = [];
  if (input.userId) given.push({ kind: 'user_id', value: normaliseIdentity('user_id', input.userId, 'body.userId') });
  if (input.externalId) given.push({ kind: 'external', value: normaliseIdentity('external', input.externalId, 'body.externalId') });
  if (input.email) given.push({ kind: 'email', value: normaliseIdentity('email', input.email, 'body.email') });
  if (input.phone) given.push({ kind: 'phone', value: normaliseIdentity('phone', input.phone, 'body.phone') });
  const anonymous = input.anonymousId ? normaliseIdentity('anonymous_id', input.anonymousId, 'body.anonymousId') : undefined;
  if (given.length === 0 && !anonymous) throw new AppError('invalid_input', 'body: give at least one of userId, externalId, email, phone or anonymousId');

  const rows = await db
    .select()
    .from(customerIdentities)
    .where(
      and(
        eq(customerIdentities.workspaceId, workspaceId),
        inArray(customerIdentities.value, [...given.map((g) => g.value), ...(anonymous ? [anonymous] : [])]),
      ),
    );
  const ownerOf = (kind: IdentityKind, value: string) => rows.find((r) => r.kind === kind && r.value === value)?.customerId;
  let knownId: string | undefined;
  for (const g of given) {
    knownId = ownerOf(g.kind, g.value);
    if (knownId) break;
  }
  const anonymousOwner = anonymous ? ownerOf('anonymous_id', anonymous) : undefined;

  const merged: string[] = [];
  let created = false;
  if (!knownId && anonymousOwner) knownId = anonymousOwner; // the visitor's own profile becomes known
  if (knownId && anonymousOwner && anonymousOwner !== knownId) {
    // Fold the anonymous profile in, unless it is itself someone known (a shared device).
    const known = rows.some((r) => r.customerId === anonymousOwner && r.kind !== 'anonymous_id');
    const otherKinds = known ? [] : await listIdentities(db, { workspaceId, customerId: anonymousOwner });
    if (!known && otherKinds.every((i) => i.kind === 'anonymous_id')) {
      await mergeCustomers(db, { workspaceId, actor: opts.actor, survivorId: knownId, mergedId: anonymousOwner });
      merged.push(anonymousOwner);
    }
  }

  const linked: { kind: IdentityKind; value: string }[] = [];
  if (!knownId) {
    const traits: CustomerInput = { ...input.traits };
    for (const g of given) {
      if (g.kind === 'email') traits.email ??= g.value;
      if (g.kind === 'phone') traits.phone ??= g.value;
      if (g.kind === 'external') traits.externalId ??= g.value;
    }
    const row = await createCustomer(db, { workspaceId, actor: opts.actor, input: { source: input.source ?? null, ...traits } });
    knownId = row.id;
    created = true;
  } else if (input.traits && Object.keys(input.traits).length) {
    await updateCustomer(db, { workspaceId, actor: opts.actor, id: knownId, input: input.traits });
  }

  const existing = new Set((await listIdentities(db, { workspaceId, customerId: knownId })).map((i) => `${i.kind}:${i.value}`));
  for (const g of [...given, ...(anonymous ? [{ kind: 'anonymous_id' as const, value: anonymous }] : [])]) {
    if (existing.has(`${g.kind}:${g.value}`)) continue;
    const owner = await findCustomerIdByIdentity(db, { workspaceId, ...g });
    if (owner && owner !== knownId) continue; // someone else's: never stolen silently
    await db.insert(customerIdentities).values({ workspaceId, id: uuidv7(), customerId: knownId, kind: g.kind, value: g.value, source: input.source ?? 'identify' });
    linked.push(g);
  }
  if (anonymous) {
    for (const link of customerLinks()) await link.claimAnonymous?.(db, { workspaceId, anonymousId: anonymous, customerId: knownId });
  }
  if (linked.length && !created) {
    await recordAudit(db, { workspaceId, actor: opts.actor, action: 'customer.identify', entityType: 'customer', entityId: knownId, after: { linked } });
  }
  const customer = (await getCustomerRow(db, { workspaceId, id: knownId }))!;
  return { customer, created, merged, linked };
}

/**
 * Whether a call that proves nobody (a browser's public write key, no verified user id) may
 * identify by e-mail or phone: when nobody owns them yet (a new person, or the visitor's own
 * profile made known), or when whoever owns them is already the owner of the browser's anonymous
 * id. Anything else would let a stranger rewrite a known customer's profile, or take their
 * history, by typing their e-mail address.
 */
export async function mayBrowserIdentify(db: Queryable, opts: { workspaceId: string; anonymousId: string | null; email?: string; phone?: string }): Promise<boolean> {
  const given: { kind: IdentityKind; value: string }[] = [];
  if (opts.email) given.push({ kind: 'email', value: normaliseIdentity('email', opts.email, 'body.email') });
  if (opts.phone) given.push({ kind: 'phone', value: normaliseIdentity('phone', opts.phone, 'body.phone') });
  if (given.length === 0) return true;
  const owners = new Set<string>();
  for (const g of given) {
    const owner = await findCustomerIdByIdentity(db, { workspaceId: opts.workspaceId, ...g });
    if (owner) owners.add(owner);
  }
  if (owners.size === 0) return true;
  if (owners.size > 1 || !opts.anonymousId) return false;
  const anonymousOwner = await findCustomerIdByIdentity(db, { workspaceId: opts.workspaceId, kind: 'anonymous_id', value: opts.anonymousId.trim() });
  return anonymousOwner !== undefined && owners.has(anonymousOwner);
}

export function isIdentityKind(value: string): value is IdentityKind {
  return (IDENTITY_KINDS as readonly string[]).includes(value);
}

export type IdentityOwners = {
  /** user id → customer */
  users: Map<string, string>;
  /** anonymous id → customer, and whether that customer is known by more than anonymous ids */
  anonymous: Map<string, { customerId: string; known: boolean }>;
};

/**
 * The customers that many user ids and anonymous ids belong to, in one query (event ingestion
 * resolves a whole batch at once). Values are taken as stored (trimmed); unknown ones are absent.
 */
export async function findIdentityOwners(db: Queryable, opts: { workspaceId: string; userIds: string[]; anonymousIds: string[] }): Promise<IdentityOwners> {
  const owners: IdentityOwners = { users: new Map(), anonymous: new Map() };
  if (opts.userIds.length === 0 && opts.anonymousIds.length === 0) return owners;
  const { rows } = await db.execute<{ kind: string; value: string; customer_id: string; known: boolean | null }>(sql`
    select i.kind, i.value, i.customer_id, null::boolean as known
    from customer_identities i
    where i.workspace_id = ${opts.workspaceId}::uuid and i.kind = 'user_id' and i.value = any(${sql.param(opts.userIds)}::text[])
    union all
    select i.kind, i.value, i.customer_id,
      exists (select 1 from customer_identities o
              where o.workspace_id = i.workspace_id and o.customer_id = i.customer_id and o.kind <> 'anonymous_id') as known
    from customer_identities i
    where i.workspace_id = ${opts.workspaceId}::uuid and i.kind = 'anonymous_id' and i.value = any(${sql.param(opts.anonymousIds)}::text[])`);
  for (const r of rows) {
    if (r.kind === 'user_id') owners.users.set(r.value, r.customer_id);
    else owners.anonymous.set(r.value, { customerId: r.customer_id, known: r.known === true });
  }
  return owners;
}

/**
 * A customer for each user id nobody knows yet, created in bulk with just that identity (no
 * required-attribute check: events must not be refused for a profile nobody typed in). Safe
 * against concurrent callers: a user id another transaction claims first resolves to its customer.
 * Returns user id → customer for every id given.
 */
export async function ensureUserIdCustomers(db: Queryable, opts: { workspaceId: string; userIds: string[]; source: string }): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const values = [...new Set(opts.userIds)].sort();
  if (values.length === 0) return result;
  const rows = values.map((value) => ({ id: uuidv7(), customer_id: uuidv7(), value }));
  // Identities first, in a fixed order so two batches claiming the same ids cannot deadlock; a
  // customer row is written only for the identities this call won.
  const won = await db.execute<{ value: string; customer_id: string }>(sql`
    insert into customer_identities (workspace_id, id, customer_id, kind, value, source, created_at)
    select ${opts.workspaceId}::uuid, r.id, r.customer_id, 'user_id', r.value, ${opts.source}, now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, customer_id uuid, value text)
    order by r.value
    on conflict (workspace_id, kind, value) do nothing
    returning value, customer_id`);
  for (const r of won.rows) result.set(r.value, r.customer_id);
  if (won.rows.length) {
    await db.execute(sql`
      insert into customers (workspace_id, id, source, created_at, updated_at)
      select ${opts.workspaceId}::uuid, id, ${opts.source}, now(), now() from unnest(${sql.param(won.rows.map((r) => r.customer_id))}::uuid[]) as id`);
    // New customers: any segment may hold them (e.g. one of customers who never ordered).
    await notifyCustomersChanged(db, { workspaceId: opts.workspaceId, customerIds: won.rows.map((r) => r.customer_id), changes: ['all'] });
  }
  const lost = values.filter((v) => !result.has(v));
  if (lost.length) {
    const found = await findIdentityOwners(db, { workspaceId: opts.workspaceId, userIds: lost, anonymousIds: [] });
    for (const [value, customerId] of found.users) result.set(value, customerId);
  }
  return result;
}

/**
 * Links anonymous ids to known customers in bulk (event ingestion: a visitor who signs up or
 * logs in). An anonymous id already linked to someone stays theirs. For each id linked, every
 * area claims the rows it recorded under it before anyone knew who it was; `hasHistory` may
 * spare those claims for ids the caller knows nothing was recorded under (a visitor whose first
 * message already named the user). Returns the links made.
 */
export async function linkAnonymousIds(
  db: Queryable,
  opts: { workspaceId: string; links: { anonymousId: string; customerId: string }[]; source: string; hasHistory?: (anonymousId: string) => boolean },
): Promise<{ anonymousId: string; customerId: string }[]> {
  const byId = new Map<string, string>();
  for (const l of opts.links) if (!byId.has(l.anonymousId)) byId.set(l.anonymousId, l.customerId);
  if (byId.size === 0) return [];
  const rows = [...byId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, customerId]) => ({ id: uuidv7(), customer_id: customerId, value }));
  const made = await db.execute<{ value: string; customer_id: string }>(sql`
    insert into customer_identities (workspace_id, id, customer_id, kind, value, source, created_at)
    select ${opts.workspaceId}::uuid, r.id, r.customer_id, 'anonymous_id', r.value, ${opts.source}, now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, customer_id uuid, value text)
    order by r.value
    on conflict (workspace_id, kind, value) do nothing
    returning value, customer_id`);
  const linked = made.rows.map((r) => ({ anonymousId: r.value, customerId: r.customer_id }));
  for (const l of linked) {
    if (opts.hasHistory && !opts.hasHistory(l.anonymousId)) continue;
    for (const link of customerLinks()) await link.claimAnonymous?.(db, { workspaceId: opts.workspaceId, anonymousId: l.anonymousId, customerId: l.customerId });
  }
  return linked;
}

export type ProfileUpdateResult = { customerId: string; status: 'updated' | 'unchanged' | 'skipped' | 'failed'; errors?: FieldIssue[] };

/**
 * Profile changes that many identify calls bring at once (event ingestion): one read of the
 * profiles, then one bulk upsert of those that actually change. Deleted, merged and erased
 * profiles are left alone (`skipped`). One entry per customer: give each customer once.
 */
export async function updateProfilesInBulk(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; updates: { customerId: string; input: CustomerInput; path: string }[]; defs?: AttributeDef[] },
): Promise<ProfileUpdateResult[]> {
  if (opts.updates.length === 0) return [];
  const defs = opts.defs ?? (await listAttributeDefs(db, { workspaceId: opts.workspaceId }));
  const rows = await db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, opts.workspaceId), sql`${customers.id} = any(${sql.param(opts.updates.map((u) => u.customerId))}::uuid[])`));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const results: ProfileUpdateResult[] = [];
  const changing: { customerId: string; input: CustomerInput; path: string }[] = [];
  for (const u of opts.updates) {
    const row = byId.get(u.customerId);
    if (!row || row.deletedAt || row.erasedAt) {
      results.push({ customerId: u.customerId, status: 'skipped' });
      continue;
    }
    const { value, issues } = normaliseCustomerInput(u.input, defs, { prefix: u.path });
    if (issues.length) {
      results.push({ customerId: u.customerId, status: 'failed', errors: issues });
      continue;
    }
    const before = profileOf(row);
    const changed = Object.keys(diffRecords(auditView(before), auditView(applyChanges(before, value)))).length > 0;
    if (changed) changing.push(u);
    else results.push({ customerId: u.customerId, status: 'unchanged' });
  }
  if (changing.length) {
    const upserted = await upsertCustomers(db, {
      workspaceId: opts.workspaceId,
      actor: opts.actor,
      rows: changing.map((u) => u.input),
      targetIds: changing.map((u) => u.customerId),
      matchBy: 'none',
      pathOf: (i) => changing[i]!.path,
      auditEach: true,
      defs,
    });
    upserted.forEach((r, i) => {
      results.push({ customerId: changing[i]!.customerId, status: r.status === 'failed' ? 'failed' : 'updated', ...(r.errors ? { errors: r.errors } : {}) });
    });
  }
  return results;
}
