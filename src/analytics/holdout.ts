// Calibration/holdout validation: does a model fitted on the calibration period predict the purchases that
// customers then made in the holdout period? Reported per calibration frequency, as in Fader, Hardie & Lee.
import type { CustomerSummary } from './clv-summary.ts';
import { predictPurchases, type PurchaseModel } from './clv.ts';

export type HoldoutBucket = { frequency: number; label: string; customers: number; meanPredicted: number; meanActual: number };
export type HoldoutReport = {
  holdoutDuration: number;
  buckets: HoldoutBucket[];
  totals: { customers: number; predicted: number; actual: number };
};

export type HoldoutReportOptions = {
  model: PurchaseModel;
  customers: CustomerSummary[];
  /** Holdout length in the summary's time unit. */
  holdoutDuration: number;
  /** Calibration frequencies from this value up share the last bucket (default 7: "7+"). */
  lastBucket?: number;
};

export function holdoutReport(options: HoldoutReportOptions): HoldoutReport {
  const { model, customers, holdoutDuration, lastBucket = 7 } = options;
  const counts = new Array<number>(lastBucket + 1).fill(0);
  const predicted = new Array<number>(lastBucket + 1).fill(0);
  const actual = new Array<number>(lastBucket + 1).fill(0);
  for (const c of customers) {
    if (c.holdoutX === undefined) throw new RangeError(`holdoutReport: customer ${c.customerId} has no holdout count (summarise with holdoutEnd)`);
    const k = Math.min(c.x, lastBucket);
    counts[k]!++;
    predicted[k]! += predictPurchases(model, holdoutDuration, c);
    actual[k]! += c.holdoutX;
  }
  const buckets = counts.map((n, k) => ({
    frequency: k,
    label: k === lastBucket ? `${k}+` : String(k),
    customers: n,
    meanPredicted: n ? predicted[k]! / n : 0,
    meanActual: n ? actual[k]! / n : 0,
  }));
  const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);
  return { holdoutDuration, buckets, totals: { customers: customers.length, predicted: sum(predicted), actual: sum(actual) } };
}
