// Response schemas of the event explorer, for the OpenAPI document (and the fuzz run that checks
// answers against it).
import { Type } from 'typebox';
import { CustomerSchema, JsonObject } from '../customers/contract.ts';

const Text = Type.Union([Type.String(), Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const Json = JsonObject();

const summary = {
  id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  name: Text,
  customerId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  anonymousId: Text,
  userId: Text,
  sessionId: Text,
  properties: Json,
  timestamp: Time,
  receivedAt: Time,
};

const CustomerRef = Type.Object({ id: Type.String({ format: 'uuid' }), name: Text, email: Text, externalId: Text });

export const EventPageSchema = Type.Object(
  {
    items: Type.Array(Type.Object({ ...summary, customer: Type.Union([CustomerRef, Type.Null()]) }, { additionalProperties: true })),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Older events: pass as cursor' }),
    streamCursor: Type.String({ description: 'Newer events from now on: pass as after' }),
    truncated: Type.Boolean(),
  },
  { additionalProperties: true },
);

export const EventDetailSchema = Type.Object({ ...summary, messageId: Type.String(), context: Json, customer: Type.Union([CustomerSchema, Type.Null()]) }, { additionalProperties: true });

export const EventNamesSchema = Type.Object(
  {
    items: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer(), lastSeenAt: Time })),
    days: Type.Integer(),
    truncated: Type.Boolean(),
    countCap: Type.Integer(),
  },
  { additionalProperties: true },
);

export const EventVolumeSchema = Type.Object(
  {
    name: Type.String(),
    interval: Type.String(),
    timeZone: Type.String(),
    from: Time,
    to: Time,
    total: Type.Integer(),
    buckets: Type.Array(Type.Object({ start: Time, count: Type.Integer() })),
  },
  { additionalProperties: true },
);
