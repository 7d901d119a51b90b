// RFM analysis as pure functions: recency / frequency / monetary values from orders, 1–5 scores by
// quintiles, the quintile cut points (so a job can score customers touched later without
// re-ranking everyone) and the named segment of a score. No database: the caller passes rows in.
import { AppError } from '../errors.ts';

const DAY_MS = 86_400_000;

export type RfmOrder = { customerId: string; at: Date; amount: number };

/** What the database keeps per customer; `orderCount` and `totalSpend` cover the scoring window. */
export type RfmAggregate = { customerId: string; lastOrderAt: Date; orderCount: number; totalSpend: number };

export type RfmValues = RfmAggregate & {
  /** Whole days from the last order to `asOf` (0 for an order less than 24 hours before). */
  recency: number;
  /** Orders in the window. */
  frequency: number;
  /** Sum of the order amounts in the window (minor units). */
  monetary: number;
  /** monetary / frequency; 0 when there was no order in the window. */
  meanMonetary: number;
};

/** Whole days between `lastOrderAt` and `asOf`; a last order after `asOf` (clock skew) counts as 0. */
export function recencyDays(lastOrderAt: Date, asOf: Date): number {
  return Math.max(0, Math.floor((asOf.getTime() - lastOrderAt.getTime()) / DAY_MS));
}

/**
 * Per customer RFM values as of `asOf`, in order of first appearance. Orders after `asOf` are
 * ignored (the history as it was then). Recency is from the last order at any time; frequency
 * and monetary count orders in the `windowDays` before `asOf` (all of them when omitted), so a
 * customer whose orders are all older than the window stays, with frequency 0.
 */
export function rfmValues(orders: Iterable<RfmOrder>, o: { asOf: Date; windowDays?: number }): RfmValues[] {
  const accumulator = createRfmAccumulator(o);
  for (const order of orders) accumulator.add(order);
  return accumulator.values();
}

export type RfmAccumulator = {
  /** Adds one order; throws an AppError naming `orders[i]` for a bad date or amount. */
  add(order: RfmOrder): void;
  /** Orders added that were on or before `asOf`. */
  counted(): number;
  /** What `rfmValues` returns for the orders added so far. */
  values(): RfmValues[];
};

/** `rfmValues` one order at a time, for a caller that streams orders (a CSV, a cursor). */
export function createRfmAccumulator(o: { asOf: Date; windowDays?: number }): RfmAccumulator {
  const asOf = o.asOf.getTime();
  if (!Number.isFinite(asOf)) throw new AppError('invalid_input', 'asOf: must be a valid date');
  if (o.windowDays !== undefined && !(o.windowDays > 0)) throw new AppError('invalid_input', 'windowDays: must be a positive number of days');
  const windowStart = o.windowDays === undefined ? -Infinity : asOf - o.windowDays * DAY_MS;
  const byCustomer = new Map<string, { last: number; count: number; spend: number }>();
  let i = 0;
  let counted = 0;
  return {
    add(order) {
      const at = order.at.getTime();
      if (!Number.isFinite(at)) throw new AppError('invalid_input', `orders[${i}].at: must be a valid date`);
      if (!Number.isFinite(order.amount)) throw new AppError('invalid_input', `orders[${i}].amount: must be a finite number`);
      i++;
      if (at > asOf) return;
      counted++;
      let c = byCustomer.get(order.customerId);
      if (!c) byCustomer.set(order.customerId, (c = { last: at, count: 0, spend: 0 }));
      if (at > c.last) c.last = at;
      // Strictly after the start, so a 365-day window never holds the same calendar date twice.
      if (at > windowStart) {
        c.count++;
        c.spend += order.amount;
      }
    },
    counted: () => counted,
    values() {
      const out: RfmValues[] = [];
      for (const [customerId, c] of byCustomer) {
        const lastOrderAt = new Date(c.last);
        out.push({
          customerId,
          lastOrderAt,
          orderCount: c.count,
          totalSpend: c.spend,
          recency: recencyDays(lastOrderAt, o.asOf),
          frequency: c.count,
          monetary: c.spend,
          meanMonetary: c.count ? c.spend / c.count : 0,
        });
      }
      return out;
    },
  };
}

export type RfmScores = { r: number; f: number; m: number };

export type RfmScored = RfmScores & {
  customerId: string;
  recency: number;
  frequency: number;
  monetary: number;
  /** r + f + m, 3 to 15: the number grade rules compare against. */
  score: number;
};

/** Four cut points per dimension, for the scores 2, 3, 4 and 5 in that order. */
export type RfmCutPoints = {
  /** The largest recency (days) that still scores R ≥ 2, 3, 4, 5. */
  recency: (number | null)[];
  /** The smallest order count that scores F ≥ 2, 3, 4, 5. */
  frequency: (number | null)[];
  /** The smallest spend that scores M ≥ 2, 3, 4, 5. */
  monetary: (number | null)[];
};
// A null cut point: no customer reached that score (for example, everyone has the same value).

/**
 * Scores in columns, row i being rows[i] of the input: a million objects cost more than the
 * scoring itself, and a job writing scores back in bulk wants columns anyway. `scoredRows` turns
 * the table into objects for small callers.
 */
export type RfmScoreTable = {
  customerIds: string[];
  /** Whole days since the last order (see `recencyDays`). */
  recency: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
  r: Uint8Array;
  f: Uint8Array;
  m: Uint8Array;
  cutPoints: RfmCutPoints;
};

/**
 * Cut points of rank-based quintiles over `keys` (larger is better); reorders `keys`.
 *
 * The rule: a value's score is 1 + floor(5 × below / n), where `below` is the number of values
 * strictly smaller than it (its first rank in sorted order). Equal values therefore always share
 * a score, the lowest their rank allows, and the result does not depend on the input order. A
 * heavy tie can skip scores: if 60% of customers have one order they all score 1 and the next
 * value, with 60% below it, scores 4.
 *
 * Score s ≥ 2 is reached by the values with below ≥ k = ceil((s − 1) × n / 5); its cut point is
 * the first value, in sorted order, whose first occurrence is at or after position k.
 */
function quintileCuts(keys: Float64Array): (number | null)[] {
  const n = keys.length;
  const cuts: (number | null)[] = [];
  let lo = 0;
  for (let s = 2; s <= 5; s++) {
    const k = Math.ceil(((s - 1) * n) / 5);
    if (k >= n) {
      cuts.push(null);
      continue;
    }
    // Only the order statistics at four positions matter, so select rather than sort: sorting
    // the three columns was most of scoreRfm's time on a million rows. Earlier selections
    // leave keys[< k] ≤ keys[k].
    select(keys, k, lo, n - 1);
    lo = k;
    const v = keys[k]!;
    let first = true;
    for (let i = 0; i < k; i++) {
      if (keys[i] === v) {
        first = false;
        break;
      }
    }
    if (first) {
      cuts.push(v);
      continue;
    }
    // v also sits before position k, so its score is lower: the cut is the next larger value.
    let next = Infinity;
    for (let i = k + 1; i < n; i++) {
      const x = keys[i]!;
      if (x > v && x < next) next = x;
    }
    cuts.push(next === Infinity ? null : next);
  }
  return cuts;
}

/**
 * Rearranges a[lo..hi] so that a[k] holds the value it would hold if sorted, with no larger value
 * before it and no smaller after it (Hoare's quickselect, median-of-three pivots). Falls back to
 * a sort of what is left should a run of bad pivots make it slow.
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  for (let rounds = 0; hi > lo; rounds++) {
    if (rounds > 60) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot, a[i..hi] ≥ pivot, and anything between equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** The scores of sign × values[i] against `cuts`. */
function scoreColumn(values: Float64Array, sign: number, cuts: (number | null)[]): Uint8Array {
  // Cut points are non-decreasing and a missing one is never reached: +Infinity, no branches.
  const [c2, c3, c4, c5] = cuts.map((c) => c ?? Infinity) as [number, number, number, number];
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const key = sign * values[i]!;
    out[i] = 1 + +(key >= c2) + +(key >= c3) + +(key >= c4) + +(key >= c5);
  }
  return out;
}

function scoreOf(key: number, cuts: (number | null)[]): number {
  let score = 1;
  for (const cut of cuts) {
    if (cut === null || key < cut) break;
    score++;
  }
  return score;
}

// Recency cut points are found on minus the days; these turn them back into days.
const negate = (cuts: (number | null)[]) => cuts.map((c) => (c === null ? null : c === 0 ? 0 : -c));

/**
 * R, F and M scores 1–5 by quintiles of the rows given (R: more recent is 5; F, M: more is 5),
 * with the cut points used. See `quintileCuts` for the tie rule. Rows keep their input order.
 * Cost: linear (selection, not sorting); see bench/analytics/rfm.ts for a million rows.
 */
export function scoreRfm(rows: readonly RfmAggregate[], o: { asOf: Date }): RfmScoreTable {
  const n = rows.length;
  const customerIds = new Array<string>(n);
  const recency = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  // Recency is ranked on minus the days, so that for all three dimensions larger is better.
  const rKeys = new Float64Array(n);
  const asOf = o.asOf.getTime();
  // One pass over the objects: on a cold start each loop runs interpreted until it is compiled.
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const last = row.lastOrderAt.getTime();
    if (!Number.isFinite(last)) throw new AppError('invalid_input', `rows[${i}].lastOrderAt: must be a valid date`);
    if (!Number.isFinite(row.orderCount) || row.orderCount < 0) throw new AppError('invalid_input', `rows[${i}].orderCount: must be a non-negative number`);
    if (!Number.isFinite(row.totalSpend)) throw new AppError('invalid_input', `rows[${i}].totalSpend: must be a finite number`);
    const days = Math.max(0, Math.floor((asOf - last) / DAY_MS));
    customerIds[i] = row.customerId;
    recency[i] = days;
    rKeys[i] = -days;
    frequency[i] = row.orderCount;
    monetary[i] = row.totalSpend;
  }
  const rCuts = quintileCuts(rKeys);
  const fCuts = quintileCuts(frequency.slice());
  const mCuts = quintileCuts(monetary.slice());
  const r = scoreColumn(recency, -1, rCuts);
  const f = scoreColumn(frequency, 1, fCuts);
  const m = scoreColumn(monetary, 1, mCuts);
  return { customerIds, recency, frequency, monetary, r, f, m, cutPoints: { recency: negate(rCuts), frequency: fCuts, monetary: mCuts } };
}

/**
 * The cut points `scoreRfm` would use for these columns (recency in days, order counts, spend),
 * without scoring any row: a database job reads the three columns, finds the cut points here and
 * applies them in SQL (`applyRfmCutPoints` per row gives the same scores). The arrays are reordered.
 */
export function rfmCutPoints(columns: { recencyDays: Float64Array; frequency: Float64Array; monetary: Float64Array }): RfmCutPoints {
  const rKeys = columns.recencyDays;
  for (let i = 0; i < rKeys.length; i++) rKeys[i] = -rKeys[i]!;
  return { recency: negate(quintileCuts(rKeys)), frequency: quintileCuts(columns.frequency), monetary: quintileCuts(columns.monetary) };
}

/** Row i of a score table as an object. */
export function scoredRow(table: RfmScoreTable, i: number): RfmScored {
  const r = table.r[i]!;
  const f = table.f[i]!;
  const m = table.m[i]!;
  return { customerId: table.customerIds[i]!, recency: table.recency[i]!, frequency: table.frequency[i]!, monetary: table.monetary[i]!, r, f, m, score: r + f + m };
}

/** Every row of a score table as objects, in input order. */
export function scoredRows(table: RfmScoreTable): RfmScored[] {
  return table.customerIds.map((_, i) => scoredRow(table, i));
}

/**
 * The scores of one customer against cut points computed earlier by `scoreRfm`, for a job that
 * rescores customers touched since the last full run. Agrees with `scoreRfm` for every row that
 * was part of that run.
 */
export function applyRfmCutPoints(row: RfmAggregate, o: { asOf: Date; cutPoints: RfmCutPoints }): RfmScores {
  const days = recencyDays(row.lastOrderAt, o.asOf);
  return {
    r: scoreOf(-days, negate(o.cutPoints.recency)),
    f: scoreOf(row.orderCount, o.cutPoints.frequency),
    m: scoreOf(row.totalSpend, o.cutPoints.monetary),
  };
}

export const RFM_SEGMENTS = [
  'Champions',
  'Loyal',
  'Potential Loyalist',
  'New',
  'Promising',
  'Need Attention',
  'About to Sleep',
  'At Risk',
  "Can't Lose Them",
  'Hibernating',
  'Lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export type RfmSegmentRule = { segment: RfmSegment; r: readonly [number, number]; fm: readonly [number, number] };

/**
 * The segment grid: R against FM = (F + M) / 2 (1, 1.5, … 5), the usual R-vs-FM chart. Ranges
 * are inclusive. Each of the 125 (r, f, m) cells matches exactly one rule (a test checks it), so
 * "first match wins" only matters if someone adds an overlapping rule.
 *
 *   FM \ R     1                2             3               4                   5
 *   4 – 5      Can't Lose Them  At Risk       Loyal           Champions           Champions
 *   3 – 3.5    At Risk          At Risk       Loyal           Loyal               Loyal
 *   2 – 2.5    Lost             Hibernating   Need Attention  Potential Loyalist  Potential Loyalist
 *   1 – 1.5    Lost             Hibernating   About to Sleep  Promising           New
 */
export const RFM_SEGMENT_RULES: readonly RfmSegmentRule[] = [
  { segment: 'Champions', r: [4, 5], fm: [4, 5] },
  { segment: 'Loyal', r: [4, 5], fm: [3, 3.5] },
  { segment: 'Loyal', r: [3, 3], fm: [3, 5] },
  { segment: 'Potential Loyalist', r: [4, 5], fm: [2, 2.5] },
  { segment: 'New', r: [5, 5], fm: [1, 1.5] },
  { segment: 'Promising', r: [4, 4], fm: [1, 1.5] },
  { segment: 'Need Attention', r: [3, 3], fm: [2, 2.5] },
  { segment: 'About to Sleep', r: [3, 3], fm: [1, 1.5] },
  { segment: "Can't Lose Them", r: [1, 1], fm: [4, 5] },
  { segment: 'At Risk', r: [2, 2], fm: [3, 5] },
  { segment: 'At Risk', r: [1, 1], fm: [3, 3.5] },
  { segment: 'Hibernating', r: [2, 2], fm: [1, 2.5] },
  { segment: 'Lost', r: [1, 1], fm: [1, 2.5] },
];

function firstMatch(r: number, f: number, m: number): RfmSegment | undefined {
  const fm = (f + m) / 2;
  return RFM_SEGMENT_RULES.find((rule) => r >= rule.r[0] && r <= rule.r[1] && fm >= rule.fm[0] && fm <= rule.fm[1])?.segment;
}

// The rules read once into the 125 cells, so a nightly run over a million customers does one
// array read each rather than a walk down the table.
const SEGMENT_CELLS: (RfmSegment | undefined)[] = [];
for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) SEGMENT_CELLS.push(firstMatch(r, f, m));

const isScore = (x: number) => Number.isInteger(x) && x >= 1 && x <= 5;

/** The named segment of 1–5 scores: the first rule of RFM_SEGMENT_RULES that matches. */
export function rfmSegment(scores: RfmScores): RfmSegment {
  const { r, f, m } = scores;
  const segment = isScore(r) && isScore(f) && isScore(m) ? SEGMENT_CELLS[(r - 1) * 25 + (f - 1) * 5 + (m - 1)] : undefined;
  if (segment === undefined) throw new AppError('invalid_input', `RFM scores must be whole numbers from 1 to 5 (got r=${r}, f=${f}, m=${m})`);
  return segment;
}
