// Loads the CDNOW reference files for tests and benchmarks (read in place, never copied), and the
// calibration and holdout dates the published figures use.
import fs from 'node:fs';
import path from 'node:path';
import { summarizeTransactions, type CustomerSummary, type Transaction } from './clv-summary.ts';
import { referenceDataDir } from './reference-data.ts';
import { parseCdnowTransactions } from './transaction-files.ts';

export function cdnowPath(file: string): string {
  return path.join(referenceDataDir(), 'cdnow', file);
}

export function cdnowSampleTransactions(): Transaction[] {
  const parsed = parseCdnowTransactions(fs.readFileSync(cdnowPath('CDNOW_sample.txt'), 'utf8'));
  if (!parsed.ok) throw new Error(`CDNOW_sample.txt line ${parsed.line}: ${parsed.message}`);
  return parsed.transactions;
}

/** cdnow_customers_summary_with_transactions.csv as printed: ID, x, t_x, T, zbar. */
export function cdnowPublishedSummary(): CustomerSummary[] {
  const lines = fs.readFileSync(cdnowPath('cdnow_customers_summary_with_transactions.csv'), 'utf8').split(/\r?\n/).slice(1).filter(Boolean);
  return lines.map((line) => {
    const [id, x, tx, T, zbar] = line.split(',').map((f) => f.trim());
    return { customerId: id!, x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
  });
}

/** cdnow_customers_summary.csv as printed: ID, frequency, recency, T. */
export function cdnowPublishedFrequencySummary(): { customerId: string; x: number; tx: number; T: number }[] {
  const lines = fs.readFileSync(cdnowPath('cdnow_customers_summary.csv'), 'utf8').split(/\r?\n/).slice(1).filter(Boolean);
  return lines.map((line) => {
    const [id, x, tx, T] = line.split(',').map((f) => f.trim());
    return { customerId: id!, x: Number(x), tx: Number(tx), T: Number(T) };
  });
}

export const CDNOW_CALIBRATION_END = new Date(Date.UTC(1997, 8, 30));
export const CDNOW_HOLDOUT_END = new Date(Date.UTC(1998, 5, 30));

export function cdnowRebuiltSummary(holdout = false) {
  return summarizeTransactions({
    transactions: cdnowSampleTransactions(),
    calibrationEnd: CDNOW_CALIBRATION_END,
    holdoutEnd: holdout ? CDNOW_HOLDOUT_END : undefined,
    timeUnitDays: 7,
  });
}
