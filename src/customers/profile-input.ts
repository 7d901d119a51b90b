// Turns customer input (API bodies, CSV rows, demo data) into validated, normalised values. Pure.
import { DATE_RANGE_TEXT, toTime } from '../dates.ts';
import { validateAttributes, type AttributeDef } from './attributes.ts';
import {
  CHANNELS,
  CONSENT_STATUSES,
  GENDERS,
  isValidDate,
  isValidLocale,
  isValidTimeZone,
  LIFECYCLE_STAGES,
  normaliseEmail,
  normalisePhone,
  parseGender,
  PURPOSES,
  type Channel,
  type ConsentPurpose,
  type ConsentStatus,
  type FieldIssue,
  type Gender,
  type LifecycleStage,
} from './fields.ts';

export type ConsentInput = { channel: string; purpose: string; status: string; source?: string | null };
export type PreferenceInput = { category: string; weight: number };

/** What callers send. `undefined` leaves a field as it is; `null` clears it. */
export type CustomerInput = {
  externalId?: string | null;
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  locale?: string | null;
  timeZone?: string | null;
  birthday?: string | null;
  gender?: string | null;
  signedUpAt?: string | Date | null;
  lifecycleStage?: string | null;
  ownerUserId?: string | null;
  tags?: string[] | null;
  source?: string | null;
  attributes?: Record<string, unknown> | null;
  consents?: ConsentInput[];
  preferences?: PreferenceInput[];
};

/** The standard fields in stored form. */
export type ProfileFields = {
  externalId: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  locale: string | null;
  timeZone: string | null;
  birthday: string | null;
  gender: Gender | null;
  signedUpAt: Date | null;
  lifecycleStage: LifecycleStage | null;
  ownerUserId: string | null;
  tags: string[];
  source: string | null;
  attributes: Record<string, unknown>;
};

export const PROFILE_FIELDS = [
  'externalId',
  'email',
  'phone',
  'name',
  'locale',
  'timeZone',
  'birthday',
  'gender',
  'signedUpAt',
  'lifecycleStage',
  'ownerUserId',
  'tags',
  'source',
  'attributes',
] as const satisfies readonly (keyof ProfileFields)[];
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export type NormalisedInput = {
  /** Only the fields the input gave (null = clear). */
  fields: Partial<ProfileFields>;
  /** Attribute keys to remove (given as null). */
  removeAttributes: string[];
  consents: { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus; source: string | null }[];
  preferences: PreferenceInput[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function text(value: unknown, path: string, max: number, issues: FieldIssue[]): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string') {
    issues.push({ path, message: 'must be text' });
    return undefined;
  }
  const trimmed = value.trim();
  if (trimmed.length > max) {
    issues.push({ path, message: `must be at most ${max} characters` });
    return undefined;
  }
  return trimmed === '' ? null : trimmed;
}

/**
 * Validates `input`. `fromText` reads CSV forms (여/남, "a;b" tags, 1,200). Issues have paths
 * under `prefix` (`body`, `customers[3]`, or a CSV column name when `columnOf` maps fields).
 */
export function normaliseCustomerInput(
  input: CustomerInput,
  defs: readonly AttributeDef[],
  opts: { prefix?: string; fromText?: boolean; now?: Date } = {},
): { value: NormalisedInput; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const p = (field: string) => (opts.prefix ? `${opts.prefix}.${field}` : field);
  const fields: Partial<ProfileFields> = {};
  const now = opts.now ?? new Date();

  const externalId = text(input.externalId, p('externalId'), 200, issues);
  if (externalId !== undefined) fields.externalId = externalId;

  const email = text(input.email, p('email'), 320, issues);
  if (email !== undefined) {
    if (email === null) fields.email = null;
    else {
      const normal = normaliseEmail(email);
      if (normal) fields.email = normal;
      else issues.push({ path: p('email'), message: `"${email}" is not an e-mail address` });
    }
  }

  const phone = text(input.phone, p('phone'), 40, issues);
  if (phone !== undefined) {
    if (phone === null) fields.phone = null;
    else {
      const normal = normalisePhone(phone);
      if (normal) fields.phone = normal;
      else issues.push({ path: p('phone'), message: `"${phone}" is not a phone number (E.164 like +821012345678, or a Korean number like 010-1234-5678)` });
    }
  }

  const name = text(input.name, p('name'), 200, issues);
  if (name !== undefined) fields.name = name;

  const locale = text(input.locale, p('locale'), 35, issues);
  if (locale !== undefined) {
    if (locale !== null && !isValidLocale(locale)) issues.push({ path: p('locale'), message: `"${locale}" is not a locale such as ko-KR` });
    else fields.locale = locale;
  }

  const timeZone = text(input.timeZone, p('timeZone'), 64, issues);
  if (timeZone !== undefined) {
    if (timeZone !== null && !isValidTimeZone(timeZone)) issues.push({ path: p('timeZone'), message: `"${timeZone}" is not an IANA time zone such as Asia/Seoul` });
    else fields.timeZone = timeZone;
  }

  const birthday = text(input.birthday, p('birthday'), 10, issues);
  if (birthday !== undefined) {
    const value = birthday === null ? null : opts.fromText ? birthday.replace(/[./]/g, '-') : birthday;
    if (value !== null && (!isValidDate(value) || value < '1900-01-01' || value > now.toISOString().slice(0, 10))) {
      issues.push({ path: p('birthday'), message: `"${birthday}" is not a date of birth (YYYY-MM-DD, not in the future)` });
    } else fields.birthday = value;
  }

  const gender = text(input.gender, p('gender'), 20, issues);
  if (gender !== undefined) {
    if (gender === null) fields.gender = null;
    else {
      const g = opts.fromText ? parseGender(gender) : (GENDERS as readonly string[]).includes(gender) ? (gender as Gender) : undefined;
      if (g) fields.gender = g;
      else issues.push({ path: p('gender'), message: `must be one of ${GENDERS.join(', ')}` });
    }
  }

  if (input.signedUpAt !== undefined) {
    if (input.signedUpAt === null || input.signedUpAt === '') fields.signedUpAt = null;
    else {
      const d = toTime(typeof input.signedUpAt === 'string' ? input.signedUpAt.trim() : input.signedUpAt);
      if (!d || d.getTime() > now.getTime() + 86_400_000) {
        issues.push({ path: p('signedUpAt'), message: `must be a date or time (ISO 8601) ${DATE_RANGE_TEXT}, not in the future` });
      } else fields.signedUpAt = d;
    }
  }

  const stage = text(input.lifecycleStage, p('lifecycleStage'), 40, issues);
  if (stage !== undefined) {
    const value = stage === null ? null : opts.fromText ? stage.toLowerCase() : stage;
    if (value !== null && !(LIFECYCLE_STAGES as readonly string[]).includes(value)) {
      issues.push({ path: p('lifecycleStage'), message: `must be one of ${LIFECYCLE_STAGES.join(', ')}` });
    } else fields.lifecycleStage = value as LifecycleStage | null;
  }

  const owner = text(input.ownerUserId, p('ownerUserId'), 36, issues);
  if (owner !== undefined) {
    if (owner !== null && !UUID.test(owner)) issues.push({ path: p('ownerUserId'), message: 'must be a user id (UUID)' });
    else fields.ownerUserId = owner?.toLowerCase() ?? null;
  }

  if (input.tags !== undefined) {
    if (input.tags === null) fields.tags = [];
    else if (!Array.isArray(input.tags) || !input.tags.every((t) => typeof t === 'string')) issues.push({ path: p('tags'), message: 'must be a list of texts' });
    else {
      const tags = [...new Set(input.tags.map((t) => t.trim()).filter(Boolean))];
      const long = tags.find((t) => t.length > 64);
      if (long) issues.push({ path: p('tags'), message: `"${long.slice(0, 20)}…" is longer than 64 characters` });
      else if (tags.length > 100) issues.push({ path: p('tags'), message: 'at most 100 tags' });
      else fields.tags = tags;
    }
  }

  const source = text(input.source, p('source'), 100, issues);
  if (source !== undefined) fields.source = source;

  const removeAttributes: string[] = [];
  if (input.attributes !== undefined && input.attributes !== null) {
    if (typeof input.attributes !== 'object' || Array.isArray(input.attributes)) issues.push({ path: p('attributes'), message: 'must be an object' });
    else {
      const { values, issues: attrIssues } = validateAttributes(defs, input.attributes, { fromText: opts.fromText, pathPrefix: p('attributes') });
      issues.push(...attrIssues);
      const kept: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(values)) {
        if (v === null) removeAttributes.push(k);
        else kept[k] = v;
      }
      fields.attributes = kept;
    }
  }

  const consents: NormalisedInput['consents'] = [];
  (input.consents ?? []).forEach((c, i) => {
    const path = p(`consents[${i}]`);
    if (!(CHANNELS as readonly string[]).includes(c.channel)) issues.push({ path: `${path}.channel`, message: `must be one of ${CHANNELS.join(', ')}` });
    else if (!(PURPOSES as readonly string[]).includes(c.purpose)) issues.push({ path: `${path}.purpose`, message: `must be one of ${PURPOSES.join(', ')}` });
    else if (!(CONSENT_STATUSES as readonly string[]).includes(c.status)) issues.push({ path: `${path}.status`, message: `must be one of ${CONSENT_STATUSES.join(', ')}` });
    else consents.push({ channel: c.channel as Channel, purpose: c.purpose as ConsentPurpose, status: c.status as ConsentStatus, source: c.source ?? null });
  });

  const preferences: PreferenceInput[] = [];
  (input.preferences ?? []).forEach((pref, i) => {
    const path = p(`preferences[${i}]`);
    if (typeof pref.category !== 'string' || !pref.category.trim() || pref.category.length > 100) issues.push({ path: `${path}.category`, message: 'must be a text of 1–100 characters' });
    else if (typeof pref.weight !== 'number' || !(pref.weight >= 0 && pref.weight <= 1)) issues.push({ path: `${path}.weight`, message: 'must be a number from 0 to 1' });
    else preferences.push({ category: pref.category.trim(), weight: pref.weight });
  });

  return { value: { fields, removeAttributes, consents, preferences }, issues };
}

/** Required attributes missing from a new profile. */
export function missingRequired(defs: readonly AttributeDef[], attributes: Record<string, unknown>, prefix?: string): FieldIssue[] {
  return defs
    .filter((d) => d.required && (attributes[d.key] === undefined || attributes[d.key] === null))
    .map((d) => ({ path: prefix ? `${prefix}.attributes.${d.key}` : `attributes.${d.key}`, message: 'is required' }));
}

export const EMPTY_PROFILE: ProfileFields = {
  externalId: null,
  email: null,
  phone: null,
  name: null,
  locale: null,
  timeZone: null,
  birthday: null,
  gender: null,
  signedUpAt: null,
  lifecycleStage: null,
  ownerUserId: null,
  tags: [],
  source: null,
  attributes: {},
};

/** Applies normalised changes to a profile: given fields replace, attributes merge key by key. */
export function applyChanges(current: ProfileFields, change: NormalisedInput): ProfileFields {
  const next: ProfileFields = { ...current, ...change.fields, attributes: { ...current.attributes } };
  if (change.fields.attributes) Object.assign(next.attributes, change.fields.attributes);
  for (const key of change.removeAttributes) delete next.attributes[key];
  return next;
}
