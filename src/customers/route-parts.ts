// Pieces the customer route files share (src/customers/routes.ts, identity-routes.ts, record-routes.ts):
// request schemas more than one of them takes, and a customer's detail as the routes answer it.
import { Type } from 'typebox';
import { caller } from '../http/auth.ts';
import { can } from '../workspaces/roles.ts';
import type { Queryable } from '../db/connection.ts';
import { getConsents } from './consents.ts';
import { toCustomer, type CustomerRow } from './customers.ts';
import { CHANNELS, CONSENT_STATUSES, maskEmail, maskPhone, PURPOSES } from './fields.ts';
import { listIdentities, type Identity } from './identities.ts';
import { listPreferences } from './preferences.ts';

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const ConsentBody = Type.Object(
  { channel: literals(CHANNELS), purpose: literals(PURPOSES), status: literals(CONSENT_STATUSES), source: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);
export const PreferenceBody = Type.Object({ category: Type.String({ minLength: 1, maxLength: 100 }), weight: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false });

/** Whether the caller may see personal data unmasked. */
export const piiOf = (request: Parameters<typeof caller>[0]) => can(caller(request).role, 'pii.read');

export function maskIdentity(i: Identity, pii: boolean): Identity {
  if (pii) return i;
  if (i.kind === 'email') return { ...i, value: maskEmail(i.value)! };
  if (i.kind === 'phone') return { ...i, value: maskPhone(i.value)! };
  return i;
}

/** One customer with its identities, consents and preferences (CustomerDetailSchema). */
export async function customerDetail(db: Queryable, row: CustomerRow, pii: boolean) {
  const ref = { workspaceId: row.workspaceId, customerId: row.id };
  return {
    ...toCustomer(row, { pii }),
    identities: (await listIdentities(db, ref)).map((i) => maskIdentity(i, pii)),
    consents: await getConsents(db, ref),
    preferences: await listPreferences(db, ref),
  };
}
