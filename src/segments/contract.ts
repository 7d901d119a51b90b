// Response schemas of the segments API, for the OpenAPI document (and the fuzz run that checks
// answers against it). Objects that may gain fields say so (additionalProperties).
import { Type } from 'typebox';

const Text = Type.Union([Type.String(), Type.Null()]);

/** A page of members; name, e-mail and phone as the caller may see them (masked without pii.read). */
const MemberPageSchema = Type.Object(
  {
    segmentId: Type.String({ format: 'uuid' }),
    size: Type.Integer({ description: 'Members now' }),
    members: Type.Array(
      Type.Object(
        { customerId: Type.String({ format: 'uuid' }), enteredAt: Type.String({ format: 'date-time' }), name: Text, email: Text, phone: Text, externalId: Text },
        { additionalProperties: true },
      ),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'The next page: pass as cursor' }),
  },
  { additionalProperties: true },
);

/** JSON pages, or with ?format=csv every member as CSV (streamed: the serialiser never sees it). */
export const MembersAnswer = {
  description: 'A page of members (JSON), or all of them with format=csv',
  content: {
    'application/json': { schema: MemberPageSchema },
    'text/csv': { schema: Type.Unsafe<unknown>({ type: 'string', description: 'customer_id, external_id, name, email, phone, entered_at' }) },
  },
};

/** A deletion answers 204 without a body. */
export const NoContent = Type.Unsafe<undefined>({ type: 'null', description: 'Deleted (no body)' });
