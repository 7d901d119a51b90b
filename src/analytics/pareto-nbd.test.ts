import { describe, expect, it } from 'vitest';
import { cdnowPublishedSummary, cdnowRebuiltSummary } from './cdnow-reference.ts';
import {
  fitParetoNbd,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
} from './pareto-nbd.ts';

const sig3 = (v: number) => Number(v.toPrecision(3));
const published = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669, logLikelihood: -9594.97 };

describe('fitParetoNbd on CDNOW', () => {
  const fromFile = fitParetoNbd(cdnowPublishedSummary());
  it.each([
    ['cdnow_customers_summary_with_transactions.csv', fromFile],
    ['the summary rebuilt from CDNOW_sample.txt', fitParetoNbd(cdnowRebuiltSummary().customers)],
  ])('%s gives the published r, α, s, β and log-likelihood', (_, fit) => {
    for (const key of ['r', 'alpha', 's', 'beta'] as const) expect(sig3(fit[key]), key).toBe(sig3(published[key]));
    expect(Math.abs(fit.logLikelihood - published.logLikelihood)).toBeLessThan(0.01);
  });
  it('the log-likelihood at the published parameters is the published one', () => {
    expect(paretoNbdLogLikelihood(published, cdnowPublishedSummary())).toBeCloseTo(-9594.98, 1);
  });

  it('P(alive) for x = 26, tx = 30.86, T = 31 is 0.9979 (lifetimes, Hardie’s spreadsheet)', () => {
    expect(paretoNbdProbabilityAlive(fromFile, { x: 26, tx: 30.86, T: 31 })).toBeCloseTo(0.9979, 4);
  });
  it('conditional expected purchases over t = 52 for that customer is 25.46', () => {
    expect(Math.abs(paretoNbdConditionalExpectedPurchases(fromFile, 52, { x: 26, tx: 30.86, T: 31 }) - 25.46)).toBeLessThan(0.01);
  });
  it('a customer who bought at T is alive for sure; an old last purchase lowers P(alive)', () => {
    expect(paretoNbdProbabilityAlive(fromFile, { x: 4, tx: 30, T: 30 })).toBeCloseTo(1, 12);
    expect(paretoNbdProbabilityAlive(fromFile, { x: 4, tx: 2, T: 30 })).toBeLessThan(0.5);
  });
  it('E[X(t)] is increasing and matches the conditional expectation of a new customer', () => {
    expect(paretoNbdExpectedPurchases(fromFile, 39)).toBeGreaterThan(paretoNbdExpectedPurchases(fromFile, 20));
    expect(paretoNbdConditionalExpectedPurchases(fromFile, 20, { x: 0, tx: 0, T: 0 })).toBeCloseTo(paretoNbdExpectedPurchases(fromFile, 20), 8);
  });
});
