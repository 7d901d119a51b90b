// Formatting for the segments pages. Pure.
import type { SizePoint } from './api.ts';

/** A time as a short local date and time, or null when never. */
export function formatWhen(iso: string | null, language: string): string | null {
  if (!iso) return null;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** One point per snapshot for a chart, labelled by local date and time. */
export function historySeries(points: readonly SizePoint[], language: string): { at: string; size: number }[] {
  const f = new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return points.map((p) => ({ at: f.format(new Date(p.at)), size: p.size }));
}

/** Share of a in b (0–1), or null when b is empty. */
export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
