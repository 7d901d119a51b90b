// How a customer's behaviour metrics read on the profile: money in minor units, durations,
// rates, the hour of day and the share of each hour. Pure.

/** An amount in minor units of `currency` (KRW has none, USD two), in the UI's language. */
export function formatMinorUnits(minor: number, currency: string, language: string): string {
  try {
    const format = new Intl.NumberFormat(language, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
    return format.format(minor / 10 ** digits);
  } catch {
    return new Intl.NumberFormat(language).format(minor);
  }
}

const unit = (value: number, name: 'hour' | 'minute' | 'second', language: string) =>
  new Intl.NumberFormat(language, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);

/** A duration in its two largest units: "45 sec", "3 min 20 sec", "2 hr 5 min". */
export function formatDuration(ms: number, language: string): string {
  const seconds = Math.round(Math.max(0, ms) / 1000);
  if (seconds < 60) return unit(seconds, 'second', language);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = seconds % 60;
    return rest ? `${unit(minutes, 'minute', language)} ${unit(rest, 'second', language)}` : unit(minutes, 'minute', language);
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${unit(hours, 'hour', language)} ${unit(rest, 'minute', language)}` : unit(hours, 'hour', language);
}

/** A 0–1 rate as a whole percentage; null (nothing to divide) as a dash. */
export function formatRate(rate: number | null, language: string): string {
  if (rate === null) return '–';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(rate);
}

/** A mean with at most one decimal; null as a dash. */
export function formatMean(value: number | null, language: string): string {
  if (value === null) return '–';
  return new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value);
}

/** An hour of day (0–23) as the span it covers, on the 24-hour clock: "14:00–15:00". */
export function formatHourSpan(hour: number): string {
  const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  return `${hh(hour)}–${hh(hour + 1)}`;
}

/** Each hour's count relative to the busiest hour (0–1), for a small bar chart. */
export function hourShares(counts: readonly number[]): number[] {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (max > 0 ? c / max : 0));
}

/** Each category's share of the top category's dwell time (0–1). */
export function categoryShares<T extends { dwellMs: number }>(items: readonly T[]): (T & { share: number })[] {
  const max = Math.max(0, ...items.map((i) => i.dwellMs));
  return items.map((i) => ({ ...i, share: max > 0 ? i.dwellMs / max : 0 }));
}
