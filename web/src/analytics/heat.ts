// Heat maps of the analytics pages: a colour scale, the RFM R × F grid and the cohort retention
// table built from what the server sends. Pure.

/** Mantine's blue 6 as RGB, so the scale reads on light and dark backgrounds alike. */
const HEAT_RGB = '34, 139, 230';

export type HeatStyle = { background: string; color: string | undefined; intensity: number };

/**
 * The colour of a cell: `value` relative to `max` on a 0.06–0.9 opacity ramp of one hue; text
 * turns white once the background is dark enough to need it. Zero, missing or a max of 0 → none.
 */
export function heatStyle(value: number | null | undefined, max: number): HeatStyle {
  if (value === null || value === undefined || !Number.isFinite(value) || value <= 0 || !(max > 0)) {
    return { background: 'transparent', color: undefined, intensity: 0 };
  }
  const intensity = Math.min(1, value / max);
  const alpha = 0.06 + 0.84 * intensity;
  return { background: `rgba(${HEAT_RGB}, ${alpha.toFixed(3)})`, color: alpha > 0.55 ? 'white' : undefined, intensity };
}

export type RfmCell = { r: number; f: number; customers: number; revenue: number };

/** The 5 × 5 grid of R (rows, 5 first: most recent at the top) by F (columns 1–5), empty cells as zero. */
export function rfmGrid(cells: readonly RfmCell[]): { rows: RfmCell[][]; maxCustomers: number } {
  const rows: RfmCell[][] = [];
  for (let r = 5; r >= 1; r--) {
    const row: RfmCell[] = [];
    for (let f = 1; f <= 5; f++) {
      const found = cells.filter((c) => c.r === r && c.f === f);
      row.push({ r, f, customers: found.reduce((a, c) => a + c.customers, 0), revenue: found.reduce((a, c) => a + c.revenue, 0) });
    }
    rows.push(row);
  }
  const maxCustomers = Math.max(0, ...rows.flat().map((c) => c.customers));
  return { rows, maxCustomers };
}

export type Cohort = { cohort: string; size: number; retention: number[]; revenue: number[] };
export type CohortMode = 'retention' | 'revenue';
export type CohortTable = {
  /** Month offsets 0 … n − 1: the columns. */
  months: number[];
  rows: { cohort: string; size: number; cells: (number | null)[] }[];
  /** What the colour scale is relative to. */
  max: number;
};

/** Months from "YYYY-MM" to "YYYY-MM" (negative when `to` is earlier); NaN for a malformed one. */
export function monthsBetween(from: string, to: string): number {
  const a = /^(\d{4})-(\d{2})$/.exec(from);
  const b = /^(\d{4})-(\d{2})$/.exec(to);
  if (!a || !b) return Number.NaN;
  return (Number(b[1]) - Number(a[1])) * 12 + Number(b[2]) - Number(a[2]);
}

/** "YYYY-MM" of an instant in a time zone (the workspace's, as the server cuts months). */
export function monthOf(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone }).formatToParts(new Date(iso));
  const y = parts.find((p) => p.type === 'year')?.value ?? '0000';
  const m = parts.find((p) => p.type === 'month')?.value ?? '01';
  return `${y}-${m}`;
}

/**
 * The cohort table: one row per cohort, one column per month since the first order. A month that
 * has passed with no order reads 0; one still to come (after `asOfMonth`) is null, blank. The
 * colour scale of retention leaves out month 0 (always 100 %), so later months keep contrast.
 */
export function cohortTable(cohorts: readonly Cohort[], mode: CohortMode, asOfMonth: string | null): CohortTable {
  const spans = cohorts.map((c) => {
    const elapsed = asOfMonth ? monthsBetween(c.cohort, asOfMonth) : Number.NaN;
    const known = Math.max(c.retention.length, c.revenue.length);
    return Number.isFinite(elapsed) ? Math.max(known, elapsed + 1) : known;
  });
  const width = Math.max(0, ...spans);
  const months = Array.from({ length: width }, (_, k) => k);
  let max = 0;
  const rows = cohorts.map((c, i) => {
    const values = mode === 'retention' ? c.retention : c.revenue;
    const cells = months.map((k) => (k < spans[i]! ? (values[k] ?? 0) : null));
    for (const [k, v] of cells.entries()) if (v !== null && (mode === 'revenue' || k > 0)) max = Math.max(max, v);
    return { cohort: c.cohort, size: c.size, cells };
  });
  if (max === 0 && mode === 'retention' && rows.length) max = 1;
  return { months, rows, max };
}
