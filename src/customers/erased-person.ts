// Who is being erased, as the texts that identify them: their e-mail addresses, phone numbers and
// identity values, collected before the profile is wiped, so that copies of them elsewhere (audit
// entries, import error rows, files waiting to be imported, saved views, segment definitions) can
// be found and rewritten. Pure, apart from collecting.
import { and, eq, inArray } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Queryable } from '../db/connection.ts';
import { normaliseEmail } from './fields.ts';
import { ERASED } from './personal-data.ts';
import { customerIdentities, customers } from './schema.ts';

export type ErasedPerson = {
  /** Exact values that stood for the person (identity values, external ids): for id columns. */
  values: string[];
  /** Lower-cased e-mail addresses. */
  emails: string[];
  /** E.164 phone numbers. */
  phones: string[];
};

export async function collectErasedPerson(db: Queryable, opts: { workspaceId: string; customerIds: string[] }): Promise<ErasedPerson> {
  const rows = await db
    .select({ email: customers.email, phone: customers.phone, externalId: customers.externalId })
    .from(customers)
    .where(and(eq(customers.workspaceId, opts.workspaceId), inArray(customers.id, opts.customerIds)));
  const identities = await db
    .select({ kind: customerIdentities.kind, value: customerIdentities.value })
    .from(customerIdentities)
    .where(and(eq(customerIdentities.workspaceId, opts.workspaceId), inArray(customerIdentities.customerId, opts.customerIds)));
  const values = new Set<string>();
  const emails = new Set<string>();
  const phones = new Set<string>();
  const addText = (v: string | null) => {
    if (!v) return;
    const email = normaliseEmail(v);
    if (email) emails.add(email);
    else if (/^\+\d{6,15}$/.test(v)) phones.add(v);
  };
  for (const r of rows) {
    addText(r.email);
    addText(r.phone);
    if (r.externalId) values.add(r.externalId);
  }
  for (const i of identities) {
    values.add(i.value);
    addText(i.value);
  }
  for (const e of emails) values.add(e);
  return { values: [...values], emails: [...emails], phones: [...phones] };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SEP = '[\\s().\\-]*';

/** A phone number however it is written: `+82 10-1234-5678`, `010 1234 5678`, `01012345678`. */
function phonePattern(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const cc = parsed ? String(parsed.countryCallingCode) : '';
  const nsn = parsed ? String(parsed.nationalNumber) : e164.replace(/\D/g, '');
  const digits = nsn.split('').join(SEP);
  const prefix = cc ? `(?:\\+?${SEP}${cc.split('').join(SEP)}${SEP}(?:\\(?0\\)?${SEP})?|0${SEP})?` : '';
  return `(?<!\\d)${prefix}${digits}(?!\\d)`;
}

/** One pattern for all of the person's e-mails (also URL-encoded) and phone numbers, or null. */
export function personPattern(p: ErasedPerson): RegExp | null {
  const parts = [
    ...p.emails.map((e) => {
      const at = e.lastIndexOf('@');
      return `${escape(e.slice(0, at))}(?:@|%40)${escape(e.slice(at + 1))}`;
    }),
    ...p.phones.map(phonePattern),
  ];
  return parts.length ? new RegExp(parts.join('|'), 'gi') : null;
}

/** SQL LIKE patterns that a text holding one of the person's e-mails or phone digits matches (a prefilter). */
export function personLikePatterns(p: ErasedPerson): { emails: string[]; digits: string[] } {
  const like = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;
  const digits = p.phones.flatMap((ph) => {
    const parsed = parsePhoneNumberFromString(ph);
    return parsed ? [like(String(parsed.nationalNumber))] : [like(ph.slice(1))];
  });
  return { emails: p.emails.flatMap((e) => [like(e), like(e.replace('@', '%40'))]), digits };
}

/** A value with every copy of the person's e-mails and phone numbers in its texts replaced by `[erased]`, at any depth. */
export function eraseMentions<T>(value: T, pattern: RegExp | null, depth = 0): T {
  if (!pattern) return value;
  if (typeof value === 'string') return value.replace(pattern, ERASED) as T;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => eraseMentions(v, pattern, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(pattern, ERASED), eraseMentions(v, pattern, depth + 1)])) as T;
}
