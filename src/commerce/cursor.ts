// Keyset cursors of the commerce lists: the last row's sort value and id, opaque to callers.
import { AppError } from '../errors.ts';

export function encodeCursor(value: string | number | null, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

export function decodeCursor(raw: string, path = 'query.cursor'): { value: string | number | null; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string' && (parsed[0] === null || ['string', 'number'].includes(typeof parsed[0]))) {
      return { value: parsed[0] as string | number | null, id: parsed[1] };
    }
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_input', `${path}: is not a cursor from this list (use nextCursor as given)`);
}

/** A cursor's time value, checked. */
export function cursorTime(value: string | number | null, path = 'query.cursor'): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid_input', `${path}: is not a cursor from this list (use nextCursor as given)`);
  return d;
}

/** `from`/`to` query values as dates, naming the bad one. */
export function parseTime(value: string | undefined, path: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid_input', `${path}: "${value}" is not a date or time (ISO 8601)`);
  return d;
}
