// The dates and times Rapport accepts, decided once: calendar days and instants (UTC) from
// 1900-01-01 to 9999-01-01. PostgreSQL refuses year 0 and prints years past 9999 in a form
// JavaScript's Date does not read back (and Date takes +099999-01-01 and year 0 happily), so a
// value outside the range is refused where it comes in (ajv's `date` and `date-time` formats, list
// filters, cursors, profile and order fields) with a 400 naming the field, instead of failing later
// in a query. The year 9999 itself stays out: a range rounded to whole days in a time zone (the
// event volume's end) must not reach the year 10000.
import { AppError } from './errors.ts';

export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;
const MIN_MS = Date.UTC(MIN_YEAR, 0, 1);
const MAX_MS = Date.UTC(MAX_YEAR, 0, 1);
const MAX_DAY = `${MAX_YEAR}-01-01`;

/** What a message says the accepted range is. */
export const DATE_RANGE_TEXT = `between ${MIN_YEAR}-01-01 and ${MAX_DAY}`;

export function isTimeInRange(d: Date): boolean {
  const t = d.getTime();
  return t >= MIN_MS && t <= MAX_MS;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A day `YYYY-MM-DD` that exists (not 2023-02-30) within the range. */
export function isCalendarDate(value: string): boolean {
  const m = CALENDAR_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || value > MAX_DAY) return false;
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/**
 * ISO 8601 as people and programs write it: a day, optionally a time, optionally its offset.
 * Checked before Date reads it, as Date alone takes "0000-01-01 00:00:00+00" for the year 2000.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** `value` (ISO 8601 text, or a Date) as a time within the range; undefined otherwise. */
export function toTime(value: unknown): Date | undefined {
  let d: Date;
  if (value instanceof Date) d = value;
  else if (typeof value === 'string' && ISO_TIME.test(value) && isCalendarDate(value.slice(0, 10))) d = new Date(value.replace(',', '.'));
  else return undefined;
  return !Number.isNaN(d.getTime()) && isTimeInRange(d) ? d : undefined;
}

/** `value` as a time within the range, or a 400 naming `path`. */
export function requireTime(value: unknown, path: string): Date {
  const d = toTime(value);
  if (!d) throw new AppError('invalid_input', `${path}: must be a date or time (ISO 8601) ${DATE_RANGE_TEXT}`);
  return d;
}

/** `value` as a day `YYYY-MM-DD` within the range, or a 400 naming `path`. */
export function requireCalendarDate(value: unknown, path: string): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) throw new AppError('invalid_input', `${path}: must be a date YYYY-MM-DD ${DATE_RANGE_TEXT}`);
  return value;
}

type Format = { validate: (value: string) => boolean };

/**
 * ajv's `date` and `date-time` formats narrowed to the range: `formats` are ajv-formats' full
 * formats, whose syntax checks stay (a date-time needs its offset).
 */
export function rangedFormats(formats: { date: unknown; 'date-time': unknown }): { date: Format; 'date-time': Format } {
  const check = (f: unknown) => (typeof f === 'function' ? (f as (s: string) => boolean) : (f as Format).validate);
  const date = check(formats.date);
  const dateTime = check(formats['date-time']);
  return {
    date: { validate: (s) => date(s) && isCalendarDate(s) },
    'date-time': { validate: (s) => dateTime(s) && toTime(s) !== undefined },
  };
}
