// Response schemas of the customers API: one schema per answer, for the OpenAPI document (and the
// fuzz run that checks answers against it). Objects that may gain fields say so (additionalProperties).
import { Type, type TProperties } from 'typebox';
import { IMPORT_MATCH_BY, IMPORT_STATUSES } from './import/imports.ts';
import { CHANNELS, CONSENT_STATUSES, DUPLICATE_REASONS, IDENTITY_KINDS, PURPOSES } from './vocabulary.ts';

const Text = Type.Union([Type.String(), Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const MaybeTime = Type.Union([Time, Type.Null()]);
const Uuid = Type.String({ format: 'uuid' });
/**
 * A JSON object with keys of any kind. Not `Type.Record`: the serialiser matches a record's keys
 * with the pattern `^.*$`, which no key with a line break matches, and drops those keys.
 */
export const JsonObject = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });
const Json = JsonObject();
/** A string of a fixed vocabulary: `enum` on a string (not a union of literals), so the serialiser writes it as the string it is. */
const OneOf = (values: readonly string[], description?: string) => Type.String({ enum: [...values], ...(description ? { description } : {}) });
/** An object that may gain fields: they are sent, not dropped by the serialiser, until described here. */
const Open = <P extends TProperties>(properties: P, description?: string) => Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });

/** `{ ok: true }`: the answer of a deletion or a dismissal. */
export const OkSchema = Open({ ok: Type.Boolean({ description: 'Always true' }) });

export const CustomerSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    externalId: Text,
    email: Text,
    phone: Text,
    name: Text,
    locale: Text,
    timeZone: Text,
    birthday: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    gender: Text,
    signedUpAt: MaybeTime,
    lifecycleStage: Text,
    ownerUserId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    tags: Type.Array(Type.String()),
    source: Text,
    attributes: Json,
    createdAt: Time,
    updatedAt: Time,
    deletedAt: MaybeTime,
    mergedIntoId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    erasedAt: MaybeTime,
    masked: Type.Boolean({ description: 'True when e-mail and phone are masked for the caller' }),
  },
  // A field added to a customer is sent, not dropped by the serialiser, until it is described here.
  { additionalProperties: true },
);

const Entry = Type.Object({}, { additionalProperties: true });

/** A customer with identities, consents and preferences (GET, POST, PATCH of one customer). */
export const CustomerDetailSchema = Type.Object(
  { ...CustomerSchema.properties, identities: Type.Array(Entry), consents: Type.Array(Entry), preferences: Type.Array(Entry) },
  { additionalProperties: true },
);

export const CustomerPageSchema = Type.Object({
  items: Type.Array(CustomerSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'The next page: pass as cursor' }),
  total: Type.Union([Type.Integer(), Type.Null()]),
  totalExact: Type.Boolean({ description: 'False when total is the planner’s estimate (many matches)' }),
});

const items = (item: ReturnType<typeof Type.Object>) => Type.Object({ items: Type.Array(item) });

export const PreferenceListSchema = items(
  Type.Object({ category: Type.String(), weight: Type.Number({ minimum: 0, maximum: 1 }), source: Type.String(), updatedAt: Time }, { additionalProperties: true }),
);

export const NoteListSchema = items(
  Type.Object({ id: Type.String({ format: 'uuid' }), customerId: Type.String({ format: 'uuid' }), body: Type.String(), createdAt: Time }, { additionalProperties: true }),
);

export const AttributeDefListSchema = items(
  Type.Object(
    { key: Type.String(), label: Type.String(), type: Type.String(), options: Type.Union([Type.Array(Type.String()), Type.Null()]), purpose: Type.String(), description: Text, required: Type.Boolean(), createdAt: Time },
    { additionalProperties: true },
  ),
);

export const ViewListSchema = items(
  Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), shared: Type.Boolean(), query: Json, columns: Type.Array(Type.String()), createdAt: Time }, { additionalProperties: true }),
);

/** An attribute definition (POST and PATCH of one). */
export const AttributeDefSchema = AttributeDefListSchema.properties.items.items;

/** A saved view (POST). */
export const ViewSchema = ViewListSchema.properties.items.items;

/** A note (POST). */
export const NoteSchema = NoteListSchema.properties.items.items;

// --- identities, consent, merges -------------------------------------------------------

/** An identity; e-mail and phone values are masked for roles without pii.read. */
export const IdentitySchema = Open({ id: Uuid, customerId: Uuid, kind: OneOf(IDENTITY_KINDS), value: Type.String(), source: Text, createdAt: Time });
export const IdentityListSchema = Open({ items: Type.Array(IdentitySchema) });

const ConsentStateSchema = Open({
  channel: OneOf(CHANNELS),
  purpose: OneOf(PURPOSES),
  status: OneOf(CONSENT_STATUSES),
  source: Text,
  updatedAt: Type.Union([Time, Type.Null()], { description: 'Null when nothing was ever recorded (status unknown)' }),
});
const ConsentHistorySchema = Open({ id: Uuid, channel: Type.String(), purpose: Type.String(), status: Type.String(), previousStatus: Text, source: Text, actorLabel: Text, at: Time });

/** Consent per channel and purpose (every pair, `unknown` where nothing was recorded) and its history, newest first. */
export const ConsentsSchema = Open({ current: Type.Array(ConsentStateSchema), history: Type.Array(ConsentHistorySchema) });

export const UnsubscribeLinkSchema = Open({ token: Type.String(), url: Type.String({ description: 'The public address of the one-click unsubscribe page' }) });

const MergeSchema = Open({ id: Uuid, survivorId: Uuid, mergedId: Uuid, at: Time, actorLabel: Text, undoableUntil: Time, undoneAt: MaybeTime });
export const MergeListSchema = Open({ items: Type.Array(MergeSchema) });
export const MergeResultSchema = Open({ customer: CustomerDetailSchema, merge: MergeSchema });
export const UndoMergeSchema = Open({ survivor: CustomerSchema, restored: CustomerSchema });

export const DuplicateListSchema = Open({
  items: Type.Array(Open({ a: CustomerSchema, b: CustomerSchema, score: Type.Number({ minimum: 0, maximum: 1 }), reasons: Type.Array(OneOf(DUPLICATE_REASONS)) })),
});

export const BulkResultSchema = Open({
  results: Type.Array(
    Open({
      index: Type.Integer({ description: 'Position in body.customers' }),
      status: OneOf(['created', 'updated', 'failed', 'deferred']),
      id: Type.Optional(Uuid),
      error: Type.Optional(Type.String({ description: 'Why the row failed, naming its fields' })),
    }),
  ),
  created: Type.Integer(),
  updated: Type.Integer(),
  failed: Type.Integer(),
});

export const IdentifyResultSchema = Open({
  customer: CustomerSchema,
  created: Type.Boolean(),
  merged: Type.Array(Uuid, { description: 'Profiles folded into the customer' }),
  linked: Type.Integer({ description: 'Identities linked' }),
});

// --- timeline and privacy --------------------------------------------------------------

/**
 * A timeline entry of any area. `data` is free-form and stays undescribed: for roles without
 * pii.read it is masked before it is sent, and the serialiser passes it on as it is.
 */
const TimelineEntrySchema = Open({ id: Type.String(), at: Time, kind: Type.String(), area: Type.String(), title: Type.String(), data: Json });
export const TimelineSchema = Open({ items: Type.Array(TimelineEntrySchema), nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Older entries: pass as cursor' }) });

export const EraseResultSchema = Open({ erased: Type.Boolean({ description: 'Always true' }) });

/**
 * Everything held about a customer (access request); each area that keeps rows about customers
 * adds its own key, so the export is typed as a record (exportCustomerData's own type).
 */
export const CustomerExportSchema = Type.Unsafe<Record<string, unknown>>(
  Open(
    {
      exportedAt: Time,
      profile: CustomerSchema,
      identities: Type.Array(IdentitySchema),
      consents: Type.Array(ConsentStateSchema),
      consentHistory: Type.Array(ConsentHistorySchema),
      preferences: PreferenceListSchema.properties.items,
      notes: NoteListSchema.properties.items,
      merges: Type.Array(MergeSchema),
      audit: Type.Array(Open({ at: Time, action: Type.String(), actor: Text, before: Type.Unknown(), after: Type.Unknown(), diff: Type.Unknown() })),
      importErrors: Type.Array(Open({ importId: Uuid, line: Type.Integer(), column: Text, message: Type.String() })),
    },
    'Everything held about the customer; other areas (events, orders, segments …) add a key each',
  ),
);

// --- imports ---------------------------------------------------------------------------

/** CSV header → target field (headers are any text, line breaks too: see JsonObject). */
const Mapping = Type.Object({}, { additionalProperties: Type.String(), description: 'CSV header → target field' });
const ImportRowErrorSchema = Open({ line: Type.Integer(), column: Type.Optional(Type.String()), message: Type.String() });

const importProperties = {
  id: Uuid,
  status: OneOf(IMPORT_STATUSES, 'uploaded → running → done | failed'),
  fileName: Type.String(),
  fileBytes: Type.Integer(),
  encoding: Type.String(),
  delimiter: Type.String(),
  headers: Type.Array(Type.String()),
  mapping: Type.Union([Mapping, Type.Null()]),
  matchBy: OneOf(IMPORT_MATCH_BY),
  progress: Type.Number({ minimum: 0, maximum: 1, description: 'Share of the file read' }),
  rowsTotal: Type.Integer(),
  rowsCreated: Type.Integer(),
  rowsUpdated: Type.Integer(),
  rowsFailed: Type.Integer(),
  failure: Text,
  createdBy: Text,
  createdAt: Time,
  startedAt: MaybeTime,
  finishedAt: MaybeTime,
};
export const ImportListSchema = Open({ items: Type.Array(Open(importProperties)) });
/** An import with its first rejected rows. */
export const ImportSchema = Open({ ...importProperties, errors: Type.Array(ImportRowErrorSchema) });
/** An uploaded import with what the file looks like: its first rows and a suggested mapping. */
export const UploadedImportSchema = Open({
  ...importProperties,
  sample: Type.Array(Type.Array(Type.String()), { description: 'The first data rows, as written' }),
  suggestedMapping: Mapping,
});
export const ImportErrorPageSchema = Open({ items: Type.Array(ImportRowErrorSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** A CSV answer, UTF-8 with a byte order mark so that spreadsheets read Korean right (streamed: the serialiser never sees it). */
export const csvAnswer = (description: string) => ({ description, content: { 'text/csv': { schema: Type.Unsafe<unknown>({ type: 'string', description: 'CSV, UTF-8 with BOM' }) } } });
