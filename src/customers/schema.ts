// Tables of the customers area: profiles, identities, custom attribute definitions, consent
// (current state + append-only history), preferences, notes, merges and imports.
import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';
import { inSample } from '../db/sample.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id);

export const customers = pgTable(
  'customers',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    externalId: text('external_id'),
    /** Lower-cased, trimmed. */
    email: text('email'),
    /** E.164, e.g. +821012345678. */
    phone: text('phone'),
    name: text('name'),
    locale: text('locale'),
    timeZone: text('time_zone'),
    birthday: date('birthday', { mode: 'string' }),
    gender: text('gender'),
    signedUpAt: tz('signed_up_at'),
    lifecycleStage: text('lifecycle_stage'),
    ownerUserId: uuid('owner_user_id'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    source: text('source'),
    /** Values of the workspace's custom attributes, by key, validated on write. */
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    /** Lower-cased name, e-mail and phone digits (international and national form), for trigram search. */
    searchText: text('search_text').notNull().default(''),
    /** Two-character pieces of the name, for searches too short for trigrams. */
    nameGrams: text('name_grams').array().notNull().default(sql`'{}'::text[]`),
    /** Keys two profiles of one person are likely to share (canonical e-mail, phone, name + birthday, …). */
    matchKeys: text('match_keys').array().notNull().default(sql`'{}'::text[]`),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    deletedAt: tz('deleted_at'),
    /** Set when this profile was merged into another one (and soft-deleted). */
    mergedIntoId: uuid('merged_into_id'),
    /** Set by a privacy erase: the personal data is gone, the row stays for anonymous aggregates. */
    erasedAt: tz('erased_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('customers_external_id_key').on(t.workspaceId, t.externalId).where(sql`${t.externalId} is not null and ${t.deletedAt} is null`),
    index('customers_created_idx').on(t.workspaceId, t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
    index('customers_updated_idx').on(t.workspaceId, t.updatedAt, t.id).where(sql`${t.deletedAt} is null`),
    // The few deleted customers, for the jobs that read every live one by anti-join (analytics scores).
    index('customers_deleted_idx').on(t.workspaceId, t.id).where(sql`${t.deletedAt} is not null`),
    index('customers_name_idx').on(t.workspaceId, t.name, t.id).where(sql`${t.deletedAt} is null`),
    index('customers_signed_up_idx').on(t.workspaceId, t.signedUpAt, t.id).where(sql`${t.deletedAt} is null`),
    index('customers_stage_idx').on(t.workspaceId, t.lifecycleStage, t.createdAt).where(sql`${t.deletedAt} is null`),
    index('customers_search_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    index('customers_name_grams_idx').using('gin', t.nameGrams),
    index('customers_tags_idx').using('gin', t.tags),
    index('customers_match_keys_idx').using('gin', t.matchKeys),
    index('customers_attributes_idx').using('gin', sql`${t.attributes} jsonb_path_ops`),
    index('customers_birthday_idx').on(t.workspaceId, t.birthday).where(sql`${t.deletedAt} is null`),
    // The customer sample (src/db/sample.ts), live customers only: a segment preview's estimate.
    index('customers_sample_idx').on(t.workspaceId, t.id).where(sql`${t.deletedAt} is null and ${t.mergedIntoId} is null and ${inSample(sql`${t.id}`)}`),
  ],
);

/** Every way a customer is recognised; a value belongs to one customer per workspace. */
export const customerIdentities = pgTable(
  'customer_identities',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerId: uuid('customer_id').notNull(),
    kind: text('kind').notNull(), // email | phone | user_id | anonymous_id | external
    value: text('value').notNull(),
    source: text('source'),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('customer_identities_value_key').on(t.workspaceId, t.kind, t.value),
    index('customer_identities_customer_idx').on(t.workspaceId, t.customerId),
  ],
);

export const customerAttributeDefs = pgTable(
  'customer_attribute_defs',
  {
    workspaceId: workspaceId(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type').notNull(), // text | number | boolean | date | enum | list
    /** Allowed values of an enum (and of a list's items, when given). */
    options: jsonb('options').$type<string[]>(),
    /** Why the field is collected: service | marketing | analytics | legal. */
    purpose: text('purpose').notNull(),
    description: text('description'),
    required: integer('required').notNull().default(0),
    createdAt: tz('created_at').notNull().defaultNow(),
    archivedAt: tz('archived_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] })],
);

/** The current consent of a customer per channel and purpose. */
export const customerConsents = pgTable(
  'customer_consents',
  {
    workspaceId: workspaceId(),
    customerId: uuid('customer_id').notNull(),
    channel: text('channel').notNull(),
    purpose: text('purpose').notNull(),
    status: text('status').notNull(),
    source: text('source'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.customerId, t.channel, t.purpose] }),
    index('customer_consents_lookup_idx').on(t.workspaceId, t.channel, t.purpose, t.status),
  ],
);

/** Append-only: every consent change ever made, with where it came from. */
export const customerConsentHistory = pgTable(
  'customer_consent_history',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerId: uuid('customer_id').notNull(),
    channel: text('channel').notNull(),
    purpose: text('purpose').notNull(),
    status: text('status').notNull(),
    previousStatus: text('previous_status'),
    source: text('source'),
    actorLabel: text('actor_label'),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('customer_consent_history_customer_idx').on(t.workspaceId, t.customerId, t.at)],
);

/** Stated (survey) and inferred (analytics) preferences: categories or tags with a weight 0–1. */
export const customerPreferences = pgTable(
  'customer_preferences',
  {
    workspaceId: workspaceId(),
    customerId: uuid('customer_id').notNull(),
    source: text('source').notNull(), // survey | inferred
    category: text('category').notNull(),
    weight: real('weight').notNull(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.customerId, t.source, t.category] }),
    index('customer_preferences_category_idx').on(t.workspaceId, t.category, t.weight),
  ],
);

export const customerNotes = pgTable(
  'customer_notes',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerId: uuid('customer_id').notNull(),
    authorId: text('author_id'),
    authorLabel: text('author_label'),
    body: text('body').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('customer_notes_customer_idx').on(t.workspaceId, t.customerId, t.createdAt)],
);

/** One merge of two profiles, with what is needed to undo it within 30 days. */
export const customerMerges = pgTable(
  'customer_merges',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    survivorId: uuid('survivor_id').notNull(),
    mergedId: uuid('merged_id').notNull(),
    actorLabel: text('actor_label'),
    at: tz('at').notNull().defaultNow(),
    /** Both profiles as they were before the merge. */
    survivorBefore: jsonb('survivor_before').notNull(),
    mergedBefore: jsonb('merged_before').notNull(),
    /** Per linked area: what moved (row ids), so an undo moves exactly those back. */
    moved: jsonb('moved').notNull(),
    undoableUntil: tz('undoable_until').notNull(),
    undoneAt: tz('undone_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('customer_merges_survivor_idx').on(t.workspaceId, t.survivorId),
    index('customer_merges_merged_idx').on(t.workspaceId, t.mergedId),
  ],
);

/** Pairs a person has marked "not the same customer": duplicate detection skips them. */
export const customerDuplicateDismissals = pgTable(
  'customer_duplicate_dismissals',
  {
    workspaceId: workspaceId(),
    /** The smaller of the two ids first. */
    aId: uuid('a_id').notNull(),
    bId: uuid('b_id').notNull(),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.aId, t.bId] })],
);

export const customerImports = pgTable(
  'customer_imports',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    status: text('status').notNull(), // uploaded | running | done | failed | cancelled
    fileName: text('file_name').notNull(),
    /** Where the uploaded file waits to be imported (removed when the import ends). */
    filePath: text('file_path'),
    fileBytes: bigint('file_bytes', { mode: 'number' }).notNull().default(0),
    encoding: text('encoding').notNull(),
    headers: jsonb('headers').$type<string[]>().notNull().default([]),
    mapping: jsonb('mapping').$type<Record<string, string>>(),
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    bytesRead: bigint('bytes_read', { mode: 'number' }).notNull().default(0),
    rowsTotal: integer('rows_total').notNull().default(0),
    rowsCreated: integer('rows_created').notNull().default(0),
    rowsUpdated: integer('rows_updated').notNull().default(0),
    rowsFailed: integer('rows_failed').notNull().default(0),
    failure: text('failure'),
    createdBy: text('created_by'),
    createdAt: tz('created_at').notNull().defaultNow(),
    startedAt: tz('started_at'),
    finishedAt: tz('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Per-workspace key that signs one-click unsubscribe links. */
export const customerUnsubscribeKeys = pgTable('customer_unsubscribe_keys', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id),
  secret: text('secret').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});

/** Saved views of the customer list: filters, sort and columns, private or shared with the workspace. */
export const customerViews = pgTable(
  'customer_views',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    ownerUserId: uuid('owner_user_id'),
    shared: integer('shared').notNull().default(0),
    query: jsonb('query').$type<Record<string, unknown>>().notNull().default({}),
    columns: jsonb('columns').$type<string[]>().notNull().default([]),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Every rejected row of an import, with its line number and why. */
export const customerImportErrors = pgTable(
  'customer_import_errors',
  {
    workspaceId: workspaceId(),
    importId: uuid('import_id').notNull(),
    line: integer('line').notNull(),
    column: text('column'),
    message: text('message').notNull(),
  },
  (t) => [index('customer_import_errors_import_idx').on(t.workspaceId, t.importId, t.line)],
);
