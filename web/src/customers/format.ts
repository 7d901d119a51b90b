// How customer values read in the UI: names, totals, custom attribute values. Pure.
import type { AttributeType } from './fields.ts';

type Named = { id: string; name: string | null; email: string | null; phone: string | null; externalId: string | null };

/** What to call a customer: the name, else an identity, else the start of the id. */
export function displayName(c: Named): string {
  return c.name?.trim() || c.email || c.phone || c.externalId || `#${c.id.slice(0, 8)}`;
}

export const EXACT_TOTAL_LIMIT = 10_000;

/**
 * How to say the list's total. Past 10,000 matches the server only estimates: an estimate
 * above the limit reads "≈ 1,234,567"; one below it (the planner guessed low) "10,000+".
 */
export function totalLabel(total: number, exact: boolean): { kind: 'exact' | 'approx' | 'atLeast'; count: number } {
  if (exact) return { kind: 'exact', count: total };
  if (total > EXACT_TOTAL_LIMIT) return { kind: 'approx', count: total };
  return { kind: 'atLeast', count: EXACT_TOTAL_LIMIT };
}

export function formatNumber(n: number, language: string): string {
  return new Intl.NumberFormat(language).format(n);
}

/** A custom attribute value as text; booleans use the words given. */
export function formatAttributeValue(value: unknown, type: AttributeType | undefined, opts: { language: string; yes: string; no: string }): string {
  if (value === null || value === undefined || value === '') return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'boolean') return value ? opts.yes : opts.no;
  if (typeof value === 'number') return formatNumber(value, opts.language);
  if (type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? value : new Intl.DateTimeFormat(opts.language, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A calendar date (`YYYY-MM-DD`, no time zone) in the UI's language. */
export function formatCalendarDate(value: string | null, language: string): string {
  if (!value) return '';
  return formatAttributeValue(value, 'date', { language, yes: '', no: '' });
}

/** Tags typed into a box: split at commas, trimmed, once each. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

/** A file name for a download: `customer-김민지-0193abcd.json`. */
export function downloadName(prefix: string, c: Named, ext: string): string {
  const base = (c.name ?? '').replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${prefix}${base ? `-${base}` : ''}-${c.id.slice(0, 8)}.${ext}`;
}
