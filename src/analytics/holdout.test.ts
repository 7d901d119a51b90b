import { describe, expect, it } from 'vitest';
import { fitBgNbd } from './bg-nbd.ts';
import { cdnowRebuiltSummary } from './cdnow-reference.ts';
import { holdoutReport } from './holdout.ts';
import { fitParetoNbd } from './pareto-nbd.ts';

describe('holdoutReport on CDNOW (calibration to 1997-09-30, holdout to 1998-06-30)', () => {
  const { customers, holdoutDuration } = cdnowRebuiltSummary(true);
  it.each([
    ['bg-nbd', () => ({ kind: 'bg-nbd' as const, params: fitBgNbd(customers) })],
    ['pareto-nbd', () => ({ kind: 'pareto-nbd' as const, params: fitParetoNbd(customers) })],
  ])('%s: buckets 0..7+, counts as in Fader, Hardie & Lee, predictions close to the actual purchases', (_, model) => {
    const report = holdoutReport({ model: model(), customers, holdoutDuration: holdoutDuration! });
    expect(report.holdoutDuration).toBeCloseTo(39, 10);
    expect(report.buckets.map((b) => b.label)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(report.buckets[0]!.customers).toBe(1411);
    expect(report.buckets.reduce((s, b) => s + b.customers, 0)).toBe(2357);
    expect(report.totals.customers).toBe(2357);
    expect(report.totals.actual).toBe(1882);
    // The models under-predict this holdout a little (FHL 2005, fig. 5); within 15 % overall.
    expect(Math.abs(report.totals.predicted / report.totals.actual - 1)).toBeLessThan(0.15);
    // Predictions rise with calibration frequency, as the actual purchases do.
    for (let k = 1; k < report.buckets.length; k++) expect(report.buckets[k]!.meanPredicted).toBeGreaterThan(report.buckets[k - 1]!.meanPredicted);
    expect(report.buckets[7]!.meanActual).toBeGreaterThan(report.buckets[0]!.meanActual);
  });
  it('refuses customers summarised without a holdout', () => {
    const plain = cdnowRebuiltSummary(false).customers;
    expect(() => holdoutReport({ model: { kind: 'bg-nbd', params: { r: 1, alpha: 1, a: 1, b: 1 } }, customers: plain, holdoutDuration: 39 })).toThrow(/holdout/);
  });
});
