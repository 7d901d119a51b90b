// How events read in the UI: a one-line glance at an event's properties, times to the second,
// volume buckets as chart labels. Pure.
import type { EventSummary } from './stream.ts';

export type VolumeInterval = 'hour' | 'day';
export type VolumeBucket = { start: string; count: number };
export type EventVolume = { name: string; interval: VolumeInterval; timeZone: string; from: string; to: string; total: number; buckets: VolumeBucket[] };

type Props = Record<string, unknown>;

/** Badge colours of the event types. */
export const TYPE_COLORS: Record<EventSummary['type'], string> = { track: 'blue', page: 'teal', screen: 'cyan', identify: 'grape', group: 'orange', alias: 'gray' };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** A major-unit amount as sent in Segment properties (`price: 12.99`), in its currency when known. */
export function formatAmount(value: unknown, currency: unknown, language: string): string | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return undefined;
  if (typeof currency === 'string' && /^[A-Za-z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(language, { style: 'currency', currency: currency.toUpperCase() }).format(n);
    } catch {
      /* an unknown code: plain number */
    }
  }
  return new Intl.NumberFormat(language).format(n);
}

function productLine(p: Props, language: string): string {
  const name = text(p.name) ?? text(p.sku) ?? text(p.product_id);
  const price = formatAmount(p.price, p.currency, language);
  return [name, price].filter(Boolean).join(' · ');
}

function firstScalars(p: Props, count: number): string {
  return Object.entries(p)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .slice(0, count)
    .map(([k, v]) => `${k}: ${String(v).slice(0, 60)}`)
    .join(', ');
}

/**
 * A short line saying what the event was about: the product of a product event, the order id
 * and total of an order, the page's path, else its first few properties.
 */
export function eventSummary(e: Pick<EventSummary, 'type' | 'name' | 'properties' | 'userId'>, language: string): string {
  const p = e.properties;
  if (e.type === 'page' || e.type === 'screen') return text(p.path) ?? text(p.url) ?? text(p.title) ?? firstScalars(p, 2);
  if (e.type === 'identify' || e.type === 'alias' || e.type === 'group') return firstScalars(p, 3);
  switch (e.name) {
    case 'Product Viewed':
    case 'Product Clicked':
    case 'Product Added':
    case 'Product Removed':
    case 'Product Added to Wishlist':
    case 'Product Removed from Wishlist': {
      const line = productLine(p, language);
      const quantity = typeof p.quantity === 'number' && p.quantity !== 1 ? ` × ${p.quantity}` : '';
      return line ? `${line}${quantity}` : firstScalars(p, 3);
    }
    case 'Order Completed':
    case 'Order Refunded':
    case 'Order Cancelled':
    case 'Checkout Started': {
      const total = formatAmount(p.total ?? p.revenue ?? p.value, p.currency, language);
      const items = Array.isArray(p.products) ? p.products.length : undefined;
      return [text(p.order_id) ?? text(p.checkout_id), total, items !== undefined ? `${items}×` : undefined].filter(Boolean).join(' · ') || firstScalars(p, 3);
    }
  }
  return firstScalars(p, 3);
}

/** "2025. 5. 2. 오후 3:04:05" / "5/2/25, 3:04:05 PM": the stream needs seconds. */
export function formatEventTime(iso: string, language: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(date);
}

/** A bucket's label: the hour ("15:00", with the date at midnight and on the first bar) or the day. */
export function bucketLabel(start: string, interval: VolumeInterval, language: string, timeZone: string, first = false): string {
  const date = new Date(start);
  if (interval === 'day') return new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', timeZone }).format(date);
  const hour = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(date);
  const atMidnight = hour.startsWith('00');
  if (!first && !atMidnight) return hour;
  return `${new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', timeZone }).format(date)} ${hour}`;
}

export type ChartPoint = { label: string; start: string; count: number };

export function volumeChartData(volume: EventVolume, language: string): ChartPoint[] {
  return volume.buckets.map((b, i) => ({ label: bucketLabel(b.start, volume.interval, language, volume.timeZone, i === 0), start: b.start, count: b.count }));
}

/** A count the server stopped at `cap` reads "10,000+". */
export function cappedCount(count: number, cap: number, language: string): string {
  const text = new Intl.NumberFormat(language).format(count);
  return count >= cap ? `${text}+` : text;
}

/** Pretty JSON for the detail view. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? '';
}
