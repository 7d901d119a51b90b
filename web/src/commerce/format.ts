// How commerce values read in the UI: money in minor units, rates, cart contents. Pure.
import { formatMoney } from '../../../src/commerce/money.ts';

export { formatMoney };

/** An amount in minor units, or a dash when there is none. */
export function moneyOrDash(minor: number | null | undefined, currency: string, language: string): string {
  return minor === null || minor === undefined ? '—' : formatMoney(minor, currency, language);
}

/** 0.123 → "12.3%"; null (no one to divide by) → "—". */
export function formatRate(rate: number | null, language: string): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

type Line = { name: string | null; sku: string; quantity: number };

/** "Linen shirt × 2, Sneaker" and how many more lines there are past `max`. */
export function cartItemsText(items: readonly Line[], max = 3): { text: string; more: number } {
  const shown = items.slice(0, max).map((i) => `${i.name ?? i.sku}${i.quantity > 1 ? ` × ${i.quantity}` : ''}`);
  return { text: shown.join(', '), more: Math.max(0, items.length - max) };
}

/** The last level of a category path: "Women > Shoes > Sneakers" → "Sneakers". */
export function categoryLeaf(path: string | null): string {
  if (!path) return '';
  const parts = path.split('>').map((p) => p.trim()).filter(Boolean);
  return parts.at(-1) ?? '';
}

export const STATS_WINDOWS = [7, 30, 90] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

/** The `from` of a product's statistics window ending now, to the minute (so the query key holds still). */
export function statsFrom(days: StatsWindow, now: number): string {
  const minute = 60_000;
  return new Date(Math.floor(now / minute) * minute - days * 86_400_000).toISOString();
}
