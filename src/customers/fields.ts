// The standard customer fields: their allowed values, normalisation and validation. Pure.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export * from './vocabulary.ts';
import { GENDERS, type Gender } from './vocabulary.ts';

/** A problem with one field of an input, e.g. `{ path: 'email', message: 'is not an e-mail address' }`. */
export type FieldIssue = { path: string; message: string };

const EMAIL = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:]{2,}$/;

/** Lower-cased and trimmed, or undefined when it is not an e-mail address. */
export function normaliseEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  return value.length <= 320 && EMAIL.test(value) ? value : undefined;
}

/**
 * The form two addresses of the same mailbox share, for duplicate detection: no `+tag`, and
 * for Gmail no dots (Gmail ignores them).
 */
export function canonicalEmail(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  local = local.split('+')[0]!;
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

/** E.164, reading numbers without a country code as `defaultCountry` (Korean by default). */
export function normalisePhone(raw: string, defaultCountry: 'KR' | 'US' | 'JP' | 'GB' = 'KR'): string | undefined {
  const trimmed = raw.trim();
  if (!/^[+(\d][\d\s().\-/]{5,24}$/.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

/** Phone digits as people type them at home: `+821012345678` → `01012345678`. */
export function nationalDigits(e164: string): string {
  if (e164.startsWith('+82')) return `0${e164.slice(3)}`; // most numbers here: skip the parser
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164.replace(/\D/g, '');
  const national = String(parsed.nationalNumber);
  // Countries that dial a trunk prefix (Korea, Japan, the UK, …) write it at home.
  return ['KR', 'JP', 'GB', 'DE', 'FR', 'CN', 'TW'].includes(parsed.country ?? '') ? `0${national}` : national;
}

/**
 * What trigram search looks in: name, e-mail, phone digits as written at home (and, for foreign
 * numbers, with the country code) and external id, lower-cased. Kept short: every character
 * costs index work on each write.
 */
export function searchTextOf(c: { name?: string | null; email?: string | null; phone?: string | null; externalId?: string | null }): string {
  const phone = c.phone ? (c.phone.startsWith('+82') ? nationalDigits(c.phone) : `${c.phone.slice(1)} ${nationalDigits(c.phone)}`) : undefined;
  const parts = [c.name?.toLowerCase(), c.email, phone, c.externalId?.toLowerCase()];
  return parts.filter(Boolean).join(' ');
}

/**
 * The two-character pieces of a name, for searches too short for trigrams: a Korean given name
 * (`민지` in `김민지`) is two syllables.
 */
export function nameGramsOf(name: string | null | undefined): string[] {
  const compact = (name ?? '').toLowerCase().replace(/\s+/g, '');
  const grams = new Set<string>();
  const chars = [...compact];
  for (let i = 0; i + 1 < chars.length; i++) grams.add(chars[i]! + chars[i + 1]!);
  return [...grams];
}

/** The search text to look for: phone-like input is reduced to digits, the rest lower-cased. */
export function searchTerm(q: string): string {
  const trimmed = q.trim();
  if (/^\+?[\d\s\-().]{3,}$/.test(trimmed)) {
    const digits = trimmed.replace(/\D/g, '');
    // +82 10-1234-5678 is stored as 01012345678.
    return trimmed.startsWith('+82') || (digits.startsWith('8210') && digits.length >= 11) ? `0${digits.slice(2)}` : digits;
  }
  return trimmed.toLowerCase();
}

export function isValidDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

// Building an Intl.DateTimeFormat costs ~60 µs: more than the rest of a row's validation, so
// bulk loads remember the answers (bounded, since the values come from callers).
const checkedTimeZones = new Map<string, boolean>();

export function isValidTimeZone(value: string): boolean {
  let valid = checkedTimeZones.get(value);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      valid = true;
    } catch {
      valid = false;
    }
    if (checkedTimeZones.size < 1000) checkedTimeZones.set(value, valid);
  }
  return valid;
}

const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export function isValidLocale(value: string): boolean {
  return LOCALE.test(value);
}

/** `mi***@naver.com` for people who may not see personal data. */
export function maskEmail(email: string | null): string | null {
  if (!email) return email;
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return `${local.slice(0, Math.min(2, Math.max(1, local.length - 1)))}***${email.slice(at)}`;
}

/** `+8210****5678`: country and carrier prefix and the last four digits stay. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  if (phone.length <= 8) return `${phone.slice(0, 2)}****`;
  return `${phone.slice(0, 5)}${'*'.repeat(phone.length - 9)}${phone.slice(-4)}`;
}

/** Gender as people write it in imports: 여/남, female/male, w, … */
export function parseGender(raw: string): Gender | undefined {
  const v = raw.trim().toLowerCase();
  if (['f', 'female', 'w', 'woman', 'women', '여', '여자', '여성'].includes(v)) return 'F';
  if (['m', 'male', 'man', 'men', '남', '남자', '남성'].includes(v)) return 'M';
  if (['x', 'other', 'o', 'n', 'non-binary', 'nonbinary', '기타', 'unknown', '선택안함'].includes(v)) return 'X';
  return undefined;
}

/** A name in the form two spellings of it share: no spaces or punctuation, Latin words sorted. */
export function nameKey(name: string): string {
  const words = name.toLowerCase().normalize('NFKC').split(/[\s.,'·\-]+/).filter(Boolean);
  return (words.every((w) => /^[a-z]+$/.test(w)) ? words.sort() : words).join('');
}

/**
 * Keys two profiles of one person are likely to share: canonical e-mail (`e:`), phone (`p:`),
 * name + birthday (`nb:`) and name + last four phone digits (`nt:`).
 */
export function matchKeysOf(c: { name?: string | null; email?: string | null; phone?: string | null; birthday?: string | null }): string[] {
  const keys: string[] = [];
  if (c.email) keys.push(`e:${canonicalEmail(c.email)}`);
  if (c.phone) keys.push(`p:${c.phone}`);
  const name = c.name ? nameKey(c.name) : '';
  if (name.length >= 2 && c.birthday) keys.push(`nb:${name}|${c.birthday}`);
  if (name.length >= 2 && c.phone) keys.push(`nt:${name}|${c.phone.slice(-4)}`);
  return keys;
}
