// How messaging values read in the UI: phone numbers and addresses, statuses and their reasons in
// words, minutes of the day, the stats chart's rows. Pure.
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { ChannelKind, MessageStatus } from '../../../src/messaging/types.ts';

/**
 * A phone number as people write it: in Korean, a Korean number in its national form
 * (`010-1234-5678`), in English the international one (`+82 10-1234-5678`); a number from another
 * country always internationally. Masked or unreadable numbers are shown as they came.
 */
export function formatPhone(phone: string | null | undefined, language: string): string {
  if (!phone) return '';
  if (!/^\+?[\d\s().-]+$/.test(phone)) return phone;
  const parsed = parsePhoneNumberFromString(phone, 'KR');
  if (!parsed || !parsed.isPossible()) return phone;
  if (parsed.country === 'KR' || parsed.countryCallingCode === '82') {
    const national = parsed.formatNational();
    return language.startsWith('ko') ? national : `+82 ${national.replace(/^0/, '')}`;
  }
  return parsed.formatInternational();
}

/** Where a message went, for people: phone numbers formatted, a push subscription named, not shown as JSON. */
export function formatAddress(kind: ChannelKind | string, to: string | null | undefined, language: string): string {
  if (!to) return '';
  if (kind === 'sms' || kind === 'kakao') return formatPhone(to, language);
  if (kind === 'push' && to.trim().startsWith('{')) {
    try {
      const endpoint = (JSON.parse(to) as { endpoint?: unknown }).endpoint;
      if (typeof endpoint === 'string') return new URL(endpoint).host;
    } catch {
      return '';
    }
  }
  return to;
}

export const STATUS_COLORS: Record<MessageStatus, string> = {
  queued: 'gray',
  deferred: 'yellow',
  sending: 'blue',
  sent: 'blue',
  delivered: 'teal',
  bounced: 'red',
  failed: 'red',
  suppressed: 'orange',
  opened: 'green',
  clicked: 'green',
  unsubscribed: 'grape',
  complained: 'grape',
};

/** The reasons the UI has words for (the gate's and the providers' common ones); others are shown as given. */
export const KNOWN_REASONS = [
  'customer_missing',
  'customer_erased',
  'no_address',
  'no_consent',
  'quiet_hours',
  'outside_sending_hours',
  'frequency_cap',
  'suppressed_address',
] as const;
export type KnownReason = (typeof KNOWN_REASONS)[number];

export function isKnownReason(reason: string | null | undefined): reason is KnownReason {
  return typeof reason === 'string' && (KNOWN_REASONS as readonly string[]).includes(reason);
}

/**
 * A reason as the server records it may carry a detail after a colon (`frequency_cap:day`,
 * `no_consent:email/marketing`): the known part, and the rest.
 */
export function splitReason(reason: string | null | undefined): { code: string | null; detail: string | null } {
  if (!reason) return { code: null, detail: null };
  const at = reason.search(/[:\s]/);
  if (at < 0) return { code: reason, detail: null };
  return { code: reason.slice(0, at), detail: reason.slice(at + 1).trim() || null };
}

/**
 * A time of day from an instant, in a time zone: on the 24-hour clock in Korean, as Korean law and
 * shops write sending hours ("08:00"), "8:00 AM" in English.
 */
export function formatClock(iso: string, language: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const clock: Intl.DateTimeFormatOptions = language.startsWith('ko') ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { hour: 'numeric', minute: '2-digit' };
  return new Intl.DateTimeFormat(language, { ...clock, ...(timeZone ? { timeZone } : {}) }).format(date);
}

export type StatsDay = { day: string; sent: number; delivered: number; opened: number; clicked: number; bounced: number; suppressed: number };

/** The chart's rows: one per day, the day labelled short in the UI's language ("12월 7일", "Dec 7"). */
export function statsChartRows(days: readonly StatsDay[], language: string): (StatsDay & { label: string })[] {
  const f = new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return [...days]
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((d) => {
      const date = new Date(`${d.day.slice(0, 10)}T00:00:00Z`);
      return { ...d, label: Number.isNaN(date.getTime()) ? d.day : f.format(date) };
    });
}

/** Totals over the days shown. */
export function statsTotals(days: readonly StatsDay[]): Omit<StatsDay, 'day'> {
  const total = { sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, suppressed: 0 };
  for (const d of days) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += d[k] ?? 0;
  return total;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone (the browser's when none is given). */
export function dayIn(date: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(timeZone ? { timeZone } : {}) }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The last `days` calendar days up to today in the workspace's time zone, as the stats API's from/to. */
export function statsRange(now: Date, days: number, timeZone?: string): { from: string; to: string } {
  const to = dayIn(now, timeZone);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** The variables the editor offers, by group; the template language is Liquid. */
export const TEMPLATE_VARIABLES: { group: 'customer' | 'metrics' | 'other'; path: string }[] = [
  { group: 'customer', path: 'customer.name' },
  { group: 'customer', path: 'customer.first_name' },
  { group: 'customer', path: 'customer.email' },
  { group: 'customer', path: 'customer.phone' },
  { group: 'metrics', path: 'customer.grade' },
  { group: 'metrics', path: 'customer.clv_band' },
  { group: 'metrics', path: 'customer.favourite_category' },
  { group: 'metrics', path: 'customer.last_order.at' },
  { group: 'metrics', path: 'customer.last_order.total' },
  { group: 'other', path: 'workspace.name' },
  { group: 'other', path: 'message.unsubscribe_url' },
];

/** The Liquid text a variable is inserted as; the name gets a default, so a customer without one still reads well. */
export function variableSnippet(path: string, fallback?: string): string {
  return fallback ? `{{ ${path} | default: "${fallback.replace(/"/g, '')}" }}` : `{{ ${path} }}`;
}

/** `text` with `snippet` put in place of the selection [start, end); the caret goes after it. */
export function insertAt(text: string, snippet: string, start: number, end = start): { text: string; caret: number } {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  return { text: text.slice(0, s) + snippet + text.slice(e), caret: s + snippet.length };
}

type StatsSource = { byDay: readonly Record<string, unknown>[] };
const COUNTS = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'suppressed'] as const;

/**
 * One row per calendar day of the range (days without messages as zeros), from the stats
 * answer's rows by day.
 */
export function statsByDay(stats: StatsSource, range: { from: string; to: string }): StatsDay[] {
  const rows = stats.byDay;
  const byDay = new Map<string, StatsDay>();
  const empty = (day: string): StatsDay => ({ day, sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, suppressed: 0 });
  const start = new Date(range.from.slice(0, 10) + 'T00:00:00Z');
  const end = new Date(range.to.slice(0, 10) + 'T00:00:00Z');
  for (let d = start; d <= end; d = new Date(d.getTime() + 86_400_000)) byDay.set(d.toISOString().slice(0, 10), empty(d.toISOString().slice(0, 10)));
  for (const row of rows) {
    const day = String(row.day ?? '').slice(0, 10);
    if (!day) continue;
    const into = byDay.get(day) ?? empty(day);
    for (const k of COUNTS) into[k] += Number(row[k] ?? 0) || 0;
    byDay.set(day, into);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}
