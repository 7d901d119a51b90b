// The one detector of personal data in free-form data (event properties and context, timeline
// entries, import rows): by key at any depth (`email`, `phone_number`, `shipping_address`,
// everything under `traits` …) and by value (an e-mail address anywhere in a text, URL-encoded
// too; a text that is a phone number). Masking for roles without pii.read, privacy erase and the
// segment preview's guard all ask it, so what one hides the others hide too. Pure.
import { maskEmail, maskPhone, normalisePhone } from './fields.ts';

/** Keys (lower-cased, without `_`, `-`, spaces and dots) that are personal wherever they sit. */
const PERSONAL_KEYS = new Set([
  'email', 'mail', 'phone', 'mobile', 'tel', 'telephone', 'cellphone', 'fax',
  'firstname', 'lastname', 'fullname', 'givenname', 'familyname', 'surname', 'middlename', 'nickname', 'displayname',
  'address', 'street', 'streetaddress', 'address1', 'address2', 'addressline1', 'addressline2', 'postalcode', 'postcode', 'zip', 'zipcode',
  'birthday', 'birthdate', 'dateofbirth', 'dob', 'username', 'ip', 'ipaddress', 'useragent', 'traits', 'ssn', 'rrn', 'passport',
]);
/** Parts that make a key personal wherever they appear in it (`billingPhone`, `shipping_address`). */
const PERSONAL_PARTS = ['email', 'phone', 'address', 'birthday', 'firstname', 'lastname', 'fullname'];

const normaliseKey = (key: string) => key.toLowerCase().replace(/[\s_.\-]/g, '');

/**
 * Whether a key names personal data. `traits`: the data is a person's traits (an identify call),
 * where `name` is a person's; elsewhere `name` is a product's or a page's.
 */
export function isPersonalKey(key: string, opts: { traits: boolean } = { traits: false }): boolean {
  const k = normaliseKey(key);
  if (k === 'name') return opts.traits;
  return PERSONAL_KEYS.has(k) || PERSONAL_PARTS.some((p) => k.includes(p));
}

/** Whether any part of a dotted path (`customer.email`, `traits.plan`) names personal data. */
export function isPersonalPath(path: string, opts: { traits: boolean } = { traits: false }): boolean {
  return path.split('.').some((part) => isPersonalKey(part, opts));
}

/** An e-mail address inside any text, its `@` also URL-encoded (`?email=a%40b.co`). */
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}/gi;
/** A text that is one e-mail address (its shape kept when masked: `mi***@naver.com`). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_LIKE = /^\+?\(?\d[\d\s().\-]{6,22}$/;

/** The same patterns for PostgreSQL (`~*`), for conditions on stored JSON (segment preview). */
export const EMAIL_IN_TEXT_SQL = '[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}';
export const PHONE_LIKE_SQL = '^(\\+|\\(?0)[0-9 ().-]{7,22}$';

export function containsEmail(text: string): boolean {
  EMAIL_IN_TEXT.lastIndex = 0;
  return EMAIL_IN_TEXT.test(text);
}

/**
 * A text that is a phone number: written as one (a leading `+` or `0`, or separators) and valid
 * for the numbering plan, so order numbers and amounts are not taken for phones.
 */
export function looksLikePhone(text: string): boolean {
  const t = text.trim();
  if (!PHONE_LIKE.test(t)) return false;
  if (!/^[+0(]/.test(t) && !/[\s().\-]/.test(t)) return false;
  const digits = t.replace(/\D/g, '').length;
  return digits >= 8 && digits <= 15 && normalisePhone(t) !== undefined;
}

/** Whether a text holds personal data by its value alone. */
export function isPersonalText(text: string): boolean {
  return eraseText(text) !== text;
}

const MAX_DEPTH = 32;

/** A phone number written inside a text (`call 010-1234-5678`): starts with `+` or `0`. */
const PHONE_IN_TEXT = /(?<![\w+])(?:\+|0)\d[\d\s().\-]{6,20}\d(?!\w)/g;

function replacePhones(text: string, by: (phone: string) => string): string {
  return text.replace(PHONE_IN_TEXT, (m) => (looksLikePhone(m) ? by(m) : m));
}

/** E-mail addresses and phone numbers in a text masked (`mi***@naver.com`, `010-1****5678`); the rest kept. */
export function maskText(text: string): string {
  if (looksLikePhone(text)) return maskPhone(text.trim())!;
  return replacePhones(text.replace(EMAIL_IN_TEXT, (m) => maskEmail(m.replace(/%40/i, '@'))!), (m) => maskPhone(m)!);
}

/** Everything under a personal key: masked, its shape kept. */
function maskAll(value: unknown, depth: number): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (depth >= MAX_DEPTH) return '***';
  if (Array.isArray(value)) return value.map((v) => maskAll(v, depth + 1));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAll(v, depth + 1)]));
  return typeof value === 'string' && EMAIL.test(value) ? maskEmail(value) : '***';
}

function mask(value: unknown, depth: number, traits: boolean): unknown {
  if (typeof value === 'string') return maskText(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => mask(v, depth + 1, traits));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isPersonalKey(k, { traits }) ? maskAll(v, depth + 1) : mask(v, depth + 1, traits)]));
}

/**
 * Data as a role without pii.read may see it: values under personal keys masked at any depth
 * (shape kept), e-mail addresses and phone numbers found anywhere else masked too.
 */
export function maskPersonalData<T>(value: T, opts: { traits: boolean } = { traits: false }): T {
  return mask(value, 0, opts.traits) as T;
}

/** What an erased e-mail address or phone number in a text becomes. */
export const ERASED = '[erased]';

/** A text with the e-mail addresses and phone numbers in it replaced by `[erased]`. */
export function eraseText(text: string): string {
  if (looksLikePhone(text)) return ERASED;
  return replacePhones(text.replace(EMAIL_IN_TEXT, ERASED), () => ERASED);
}

function scrub(value: unknown, depth: number, traits: boolean): unknown {
  if (typeof value === 'string') return eraseText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, traits));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!isPersonalKey(k, { traits })) out[k] = scrub(v, depth + 1, traits);
  return out;
}

/**
 * Data with its personal data removed, for a privacy erase: personal keys dropped at any depth,
 * e-mail addresses inside texts (URLs, referrers, notes) replaced by `[erased]`, phone numbers too.
 */
export function erasePersonalData<T>(value: T, opts: { traits: boolean } = { traits: false }): T {
  return scrub(value, 0, opts.traits) as T;
}
