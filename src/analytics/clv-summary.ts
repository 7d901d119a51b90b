// Turns raw purchases into the per-customer (x, tx, T, zbar) summary every lifetime-value model fits on,
// with an optional holdout period for validation, and compresses summaries into weighted rows.
import { runSteps, type Steps } from './steps.ts';

export type Transaction = { customerId: string; at: Date; amount: number };

export type CustomerSummary = {
  customerId: string;
  /** Repeat purchases in the calibration period (purchases on the same day count once). */
  x: number;
  /** Time of the last purchase, measured from the first. */
  tx: number;
  /** Age of the customer at the end of the calibration period. */
  T: number;
  /** Mean spend of the repeat purchases (0 when there are none). */
  zbar: number;
  /** Purchase days in the holdout period, when one was asked for. */
  holdoutX?: number;
  /** Spend in the holdout period. */
  holdoutSpend?: number;
};

export type SummarizeOptions = {
  transactions: Iterable<Transaction>;
  /** Last day (inclusive) of the calibration period. */
  calibrationEnd: Date;
  /** Last day (inclusive) of the holdout period; omit for no holdout. */
  holdoutEnd?: Date;
  /** Length of one time unit in days (7: weeks). */
  timeUnitDays?: number;
};

export type Summary = {
  customers: CustomerSummary[];
  /** Holdout length in time units, when a holdout was asked for. */
  holdoutDuration?: number;
};

const DAY_MS = 86_400_000;

/** Calendar day number; purchase dates are calendar dates, stored as UTC midnight. */
export function utcDay(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS);
}

export function summarizeTransactions(options: SummarizeOptions): Summary {
  const { transactions, calibrationEnd, holdoutEnd, timeUnitDays = 7 } = options;
  const endDay = utcDay(calibrationEnd);
  const holdoutEndDay = holdoutEnd === undefined ? undefined : utcDay(holdoutEnd);
  if (holdoutEndDay !== undefined && holdoutEndDay <= endDay) {
    throw new RangeError('summarizeTransactions: holdoutEnd must come after calibrationEnd');
  }
  // Per customer, spend per purchase day (same-day purchases are one purchase occasion).
  const days = new Map<string, Map<number, number>>();
  for (const t of transactions) {
    const day = utcDay(t.at);
    let byDay = days.get(t.customerId);
    if (!byDay) days.set(t.customerId, (byDay = new Map()));
    byDay.set(day, (byDay.get(day) ?? 0) + t.amount);
  }
  const customers: CustomerSummary[] = [];
  for (const [customerId, byDay] of days) {
    const calibration: number[] = [];
    let holdoutX = 0;
    let holdoutSpend = 0;
    for (const [day, amount] of byDay) {
      if (day <= endDay) calibration.push(day);
      else if (holdoutEndDay !== undefined && day <= holdoutEndDay) {
        holdoutX++;
        holdoutSpend += amount;
      }
    }
    // Customers who first buy after the calibration period have no calibration history to fit on.
    if (calibration.length === 0) continue;
    calibration.sort((a, b) => a - b);
    const first = calibration[0]!;
    const last = calibration[calibration.length - 1]!;
    let repeatSpend = 0;
    for (const day of calibration.slice(1)) repeatSpend += byDay.get(day)!;
    const x = calibration.length - 1;
    const row: CustomerSummary = {
      customerId,
      x,
      tx: (last - first) / timeUnitDays,
      T: (endDay - first) / timeUnitDays,
      zbar: x > 0 ? repeatSpend / x : 0,
    };
    if (holdoutEndDay !== undefined) Object.assign(row, { holdoutX, holdoutSpend });
    customers.push(row);
  }
  return holdoutEndDay === undefined ? { customers } : { customers, holdoutDuration: (holdoutEndDay - endDay) / timeUnitDays };
}

export type RfRow = { x: number; tx: number; T: number; weight?: number };
export type WeightedRfRow = { x: number; tx: number; T: number; weight: number };

/**
 * Merges rows with the same (x, tx, T) into one row whose weight is their total weight: a million customers
 * on a day grid reduce to a few hundred thousand distinct rows or fewer, and the likelihoods only depend on these.
 */
export function compressRows(rows: Iterable<RfRow>): WeightedRfRow[] {
  return runSteps(compressRowsSteps(rows));
}

/** compressRows as steps (steps.ts): a yield every 4,096 rows (keys of fractional weeks are slow to make). */
export function* compressRowsSteps(rows: Iterable<RfRow>): Steps<WeightedRfRow[]> {
  const byKey = new Map<string, WeightedRfRow>();
  let seen = 0;
  for (const r of rows) {
    if ((++seen & 0xfff) === 0) yield;
    const key = `${r.x}|${r.tx}|${r.T}`;
    const found = byKey.get(key);
    if (found) found.weight += r.weight ?? 1;
    else byKey.set(key, { x: r.x, tx: r.tx, T: r.T, weight: r.weight ?? 1 });
  }
  return [...byKey.values()];
}
