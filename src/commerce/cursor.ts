// Keyset cursors of the commerce lists: the last row's sort value and id, opaque to callers.
import { DATE_RANGE_TEXT, toTime } from '../dates.ts';
import { AppError } from '../errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(value: string | number | null, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

const notACursor = (path: string) => new AppError('invalid_input', `${path}: is not a cursor from this list (use nextCursor as given)`);

/**
 * A cursor made by encodeCursor: a forged one (an id that is no UUID, a value no column holds) is
 * a 400, not a failing query. `id` 'key': the list pages by a text key (an abandoned cart's owner).
 */
export function decodeCursor(raw: string, id: 'uuid' | 'key' = 'uuid', path = 'query.cursor'): { value: string | number | null; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw notACursor(path);
  }
  const text = (v: unknown): v is string => typeof v === 'string' && !v.includes('\u0000');
  if (Array.isArray(parsed) && parsed.length === 2 && text(parsed[1]) && (id === 'key' || UUID.test(parsed[1]))) {
    const value: unknown = parsed[0];
    if (value === null || (typeof value === 'number' && Number.isFinite(value)) || text(value)) return { value, id: parsed[1] };
  }
  throw notACursor(path);
}

/** A cursor's time value, checked. */
export function cursorTime(value: string | number | null, path = 'query.cursor'): Date {
  const d = typeof value === 'string' ? toTime(value) : undefined;
  if (!d) throw notACursor(path);
  return d;
}

/** `from`/`to` query values as dates, naming the bad one. */
export function parseTime(value: string | undefined, path: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = toTime(value);
  if (!d) throw new AppError('invalid_input', `${path}: "${value}" is not a date or time (ISO 8601) ${DATE_RANGE_TEXT}`);
  return d;
}
