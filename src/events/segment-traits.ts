// Segment identify traits → customer profile fields. Pure. Reserved traits map to standard
// fields (email, phone, name or firstName + lastName, birthday, gender, createdAt → signedUpAt);
// traits named like a custom attribute of the workspace set it; the rest only stay in the event.
import { validateAttributes, type AttributeDef } from '../customers/attributes.ts';
import { parseGender } from '../customers/fields.ts';
import { normaliseCustomerInput, type CustomerInput } from '../customers/profile-input.ts';

export type ProfileFromTraits = {
  /** Only the valid, non-empty values. */
  input: CustomerInput;
  /** The normalised e-mail and phone, to link as identities. */
  email?: string;
  phone?: string;
  /** `batch[3].traits.email: "x" is not an e-mail address` */
  issues: string[];
};

const HANGUL = /^[\uAC00-\uD7A3]+$/;

function fullName(first: unknown, last: unknown): string | undefined {
  const f = typeof first === 'string' ? first.trim() : '';
  const l = typeof last === 'string' ? last.trim() : '';
  if (!f && !l) return undefined;
  // Korean names are written family name first, without a space (김 + 민지 → 김민지).
  if (HANGUL.test(f) && HANGUL.test(l)) return `${l}${f}`;
  return [f, l].filter(Boolean).join(' ');
}

function signedUpAtOf(value: unknown): unknown {
  // Some libraries send Unix time (seconds or milliseconds) rather than ISO 8601.
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value < 1e12 ? value * 1000 : value);
  return value;
}

function birthdayOf(value: unknown): unknown {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value.trim())) return value.trim().slice(0, 10);
  return value;
}

/** Where each profile field came from in the traits, for messages. */
const TRAIT_OF: Partial<Record<keyof CustomerInput, string>> = { signedUpAt: 'createdAt' };

export function profileFromTraits(traits: Record<string, unknown>, defs: readonly AttributeDef[], opts: { path: string; now: Date }): ProfileFromTraits {
  const given: CustomerInput = {};
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (present(traits.email)) given.email = traits.email as string;
  if (present(traits.phone)) given.phone = traits.phone as string;
  const name = present(traits.name) ? traits.name : fullName(traits.firstName ?? traits.first_name, traits.lastName ?? traits.last_name);
  if (present(name)) given.name = name as string;
  if (present(traits.birthday)) given.birthday = birthdayOf(traits.birthday) as string;
  if (present(traits.gender)) {
    const g = typeof traits.gender === 'string' ? parseGender(traits.gender) : undefined;
    given.gender = g ?? (traits.gender as string);
  }
  if (present(traits.createdAt)) given.signedUpAt = signedUpAtOf(traits.createdAt) as string;

  const issues: string[] = [];
  const { value, issues: fieldIssues } = normaliseCustomerInput(given, [], { prefix: opts.path, now: opts.now });
  const input: CustomerInput = {};
  const bad = new Set<string>();
  for (const issue of fieldIssues) {
    const field = issue.path.slice(opts.path.length + 1).split('.')[0]!;
    bad.add(field);
    const trait = TRAIT_OF[field as keyof CustomerInput] ?? field;
    issues.push(`${opts.path}.${trait}: ${issue.message}`);
  }
  for (const key of Object.keys(given) as (keyof CustomerInput)[]) {
    if (!bad.has(key)) (input as Record<string, unknown>)[key] = given[key];
  }

  const custom: Record<string, unknown> = {};
  for (const def of defs) if (present(traits[def.key])) custom[def.key] = traits[def.key];
  if (Object.keys(custom).length) {
    const checked = validateAttributes(defs, custom, { pathPrefix: opts.path });
    for (const issue of checked.issues) issues.push(`${issue.path}: ${issue.message}`);
    if (Object.keys(checked.values).length) input.attributes = checked.values;
  }
  return {
    input,
    email: bad.has('email') ? undefined : (value.fields.email ?? undefined),
    phone: bad.has('phone') ? undefined : (value.fields.phone ?? undefined),
    issues,
  };
}
