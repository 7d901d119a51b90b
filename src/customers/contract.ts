// Response schemas of the customers API: one schema per answer, for the OpenAPI document (and the
// fuzz run that checks answers against it). Objects that may gain fields say so (additionalProperties).
import { Type } from 'typebox';

const Text = Type.Union([Type.String(), Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const MaybeTime = Type.Union([Time, Type.Null()]);

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
    attributes: Type.Record(Type.String(), Type.Unknown()),
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
  Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), shared: Type.Boolean(), query: Type.Record(Type.String(), Type.Unknown()), columns: Type.Array(Type.String()), createdAt: Time }, { additionalProperties: true }),
);
