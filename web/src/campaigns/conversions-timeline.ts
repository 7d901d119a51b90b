// The conversions chart's data from a report's timeline: per day and group the cumulative share of
// the group's targeted customers who had converted, the figures behind it for the tooltip, and a
// y axis that ends at a round share. Pure.
import type { CampaignTimeline, GroupFigures } from './api.ts';

export type TimelinePoint = { key: string; converted: number; targeted: number; rate: number; revenue: number };
export type TimelineDay = { day: string; label: string; groups: TimelinePoint[] };
export type ConversionsChartData = {
  /** One row per day for the chart: `day`, `label` and the rate of each group under its key. */
  rows: Record<string, string | number>[];
  days: TimelineDay[];
  /** The groups drawn, in the report's order (variants, then the holdout). */
  keys: string[];
  /** The y axis's end: a round share at or above the highest rate. */
  yMax: number;
  /** Did anyone convert by the last day? */
  anyConverted: boolean;
};

/**
 * Null when there is nothing to draw (no timeline, no days, or no group the report knows with
 * customers targeted). Days are calendar dates already on the workspace's clock: they are read
 * and written in UTC so no browser's own zone moves them.
 */
export function conversionsChartData(timeline: CampaignTimeline | null | undefined, groups: readonly Pick<GroupFigures, 'key' | 'targeted'>[], language: string): ConversionsChartData | null {
  if (!timeline || timeline.days.length === 0) return null;
  const series = groups.flatMap((g) => {
    const t = timeline.groups.find((x) => x.key === g.key);
    return t && g.targeted > 0 ? [{ key: g.key, targeted: g.targeted, converted: t.converted, revenue: t.revenue }] : [];
  });
  if (series.length === 0) return null;
  const format = dayFormat(timeline.days, language);
  const days = timeline.days.map((day, i) => ({
    day,
    label: format(day),
    groups: series.map((s) => {
      const converted = s.converted[i] ?? s.converted[s.converted.length - 1] ?? 0;
      return { key: s.key, converted, targeted: s.targeted, rate: converted / s.targeted, revenue: s.revenue[i] ?? s.revenue[s.revenue.length - 1] ?? 0 };
    }),
  }));
  const rows = days.map((d) => Object.fromEntries([['day', d.day], ['label', d.label], ...d.groups.map((g) => [g.key, g.rate])]) as Record<string, string | number>);
  const highest = Math.max(0, ...days.flatMap((d) => d.groups.map((g) => g.rate)));
  const last = days[days.length - 1]!;
  return { rows, days, keys: series.map((s) => s.key), yMax: roundShare(highest), anyConverted: last.groups.some((g) => g.converted > 0) };
}

/** The smallest of 1, 2, 2.5 and 5 times a power of ten at or above `share` (at most 100%, at least 1%). */
export function roundShare(share: number): number {
  if (!(share > 0.01)) return 0.01;
  if (share >= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(share));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= share - 1e-12)!;
  return Math.min(1, step * power);
}

/** "Jun 3" (or "Dec 31, 2026" when the days span two years) in the UI's language. */
function dayFormat(days: readonly string[], language: string): (day: string) => string {
  const years = new Set(days.map((d) => d.slice(0, 4)));
  const f = new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', ...(years.size > 1 ? { year: 'numeric' } : {}), timeZone: 'UTC' });
  return (day) => {
    const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? day : f.format(date);
  };
}
