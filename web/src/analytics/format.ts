// How analytics figures read in the UI: shares as percentages, model parameters as decimals,
// money in minor units of the workspace currency, RFM segment and model names as i18n keys. Pure.
import { formatMoney } from '../../../src/commerce/money.ts';

export { formatMoney };

const DASH = '—';

/** An amount in minor units, or a dash when there is none. */
export function moneyOrDash(minor: number | null | undefined, currency: string, language: string): string {
  return minor === null || minor === undefined || !Number.isFinite(minor) ? DASH : formatMoney(Math.round(minor), currency, language);
}

/** 0.1234 → "12.3%" (digits after the point as given); null → a dash. */
export function formatPercent(share: number | null | undefined, language: string, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return new Intl.NumberFormat(language, { style: 'percent', minimumFractionDigits: 0, maximumFractionDigits: digits }).format(share);
}

/** A decimal with at most `digits` after the point; null → a dash. */
export function formatDecimal(value: number | null | undefined, language: string, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(value);
}

/**
 * A fitted model parameter: three decimals, or scientific notation once it is large (a fit at
 * the edge of its space can run to 1e9 and beyond, which grouped digits make unreadable).
 */
export function formatParam(value: number | null | undefined, language: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (Math.abs(value) >= 1e5) return new Intl.NumberFormat(language, { notation: 'scientific', maximumFractionDigits: 3 }).format(value);
  return formatDecimal(value, language, 3);
}

export const PRICE_BANDS = ['budget', 'value', 'mid', 'premium', 'luxury'] as const;

/** Is this one of the five named price bands the server infers (others are band1…bandN)? */
export function isPriceBand(key: string): key is (typeof PRICE_BANDS)[number] {
  return (PRICE_BANDS as readonly string[]).includes(key);
}

/** A whole count; null → a dash. */
export function formatCount(value: number | null | undefined, language: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(value);
}

/** A run's duration: "850 ms", "12.4 s", "3.2 min". */
export function formatRunDuration(ms: number | null | undefined, language: string): string {
  if (ms === null || ms === undefined) return DASH;
  if (ms < 1000) return `${formatDecimal(ms, language, 0)} ms`;
  if (ms < 60_000) return `${formatDecimal(ms / 1000, language, 1)} s`;
  return `${formatDecimal(ms / 60_000, language, 1)} min`;
}

export const SEGMENT_KEYS = {
  Champions: 'champions',
  Loyal: 'loyal',
  'Potential Loyalist': 'potentialLoyalist',
  New: 'new',
  Promising: 'promising',
  'Need Attention': 'needAttention',
  'About to Sleep': 'aboutToSleep',
  'At Risk': 'atRisk',
  "Can't Lose Them": 'cantLoseThem',
  Hibernating: 'hibernating',
  Lost: 'lost',
} as const;
export type SegmentKey = (typeof SEGMENT_KEYS)[keyof typeof SEGMENT_KEYS];

/** The i18n key of a named RFM segment the server sends ("Can't Lose Them" → "cantLoseThem"); null for a name we do not know. */
export function segmentKey(segment: string | null | undefined): SegmentKey | null {
  if (!segment) return null;
  return (SEGMENT_KEYS as Record<string, SegmentKey>)[segment] ?? null;
}

/** A colour per segment, from the best (green) to the gone (grey). */
const SEGMENT_COLORS: Record<SegmentKey, string> = {
  champions: 'green',
  loyal: 'teal',
  potentialLoyalist: 'cyan',
  new: 'blue',
  promising: 'indigo',
  needAttention: 'yellow',
  aboutToSleep: 'orange',
  atRisk: 'red',
  cantLoseThem: 'pink',
  hibernating: 'grape',
  lost: 'gray',
};

export function segmentColor(segment: string | null | undefined): string {
  const key = segmentKey(segment);
  return key ? SEGMENT_COLORS[key] : 'gray';
}

export const MODEL_KEYS = { popularity: 'popularity', 'item-knn': 'itemKnn', blended: 'blended' } as const;

/** The i18n key of a recommender's name; null for one we do not know. */
export function modelKey(name: string): (typeof MODEL_KEYS)[keyof typeof MODEL_KEYS] | null {
  return (MODEL_KEYS as Record<string, (typeof MODEL_KEYS)[keyof typeof MODEL_KEYS]>)[name] ?? null;
}

/** A bucket of a money histogram: "₩0 – ₩10,000", the open last one "₩90,000+". */
export function moneyRangeLabel(from: number, to: number | null, currency: string, language: string): string {
  return to === null ? `${formatMoney(from, currency, language)}+` : `${formatMoney(from, currency, language)} – ${formatMoney(to, currency, language)}`;
}

/** A bucket of shares: "0–10%". */
export function percentRangeLabel(from: number, to: number, language: string): string {
  const pct = (v: number) => new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(v * 100);
  return `${pct(from)}–${pct(to)}%`;
}

/** Each weight relative to the largest (0–1), for bars; nothing positive → all 0. */
export function weightShares<T extends { weight: number }>(items: readonly T[]): (T & { share: number })[] {
  const max = Math.max(0, ...items.map((i) => i.weight));
  return items.map((i) => ({ ...i, share: max > 0 ? Math.max(0, i.weight) / max : 0 }));
}

export const REASONS = ['co_purchase', 'similar', 'category', 'popular'] as const;
export type Reason = (typeof REASONS)[number];

/** The reasons the server gives that the UI can name, in its order, without repeats. */
export function knownReasons(reasons: readonly string[]): Reason[] {
  return REASONS.filter((r) => reasons.includes(r));
}
