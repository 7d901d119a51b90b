import { describe, expect, it } from 'vitest';
import { bgNbdLogLikelihood, conditionalExpectedPurchases, expectedPurchases, fitBgNbd, hyp2f1Large, probabilityAlive } from './bg-nbd.ts';
import { hyp2f1 } from './special-functions.ts';
import { cdnowPublishedSummary, cdnowRebuiltSummary } from './cdnow-reference.ts';
import { compressRows } from './clv-summary.ts';

const sig3 = (v: number) => Number(v.toPrecision(3));
const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, logLikelihood: -9582.43 };

describe('fitBgNbd on CDNOW (Fader, Hardie & Lee 2005)', () => {
  const fromFile = fitBgNbd(cdnowPublishedSummary());
  const fromTransactions = fitBgNbd(cdnowRebuiltSummary().customers);
  it.each([
    ['cdnow_customers_summary_with_transactions.csv', fromFile],
    ['the summary rebuilt from CDNOW_sample.txt', fromTransactions],
  ])('%s gives the published r, α, a, b and log-likelihood', (_, fit) => {
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(sig3(fit[key]), key).toBe(sig3(published[key]));
    expect(Math.abs(fit.logLikelihood - published.logLikelihood)).toBeLessThan(0.01);
    expect(fit.customers).toBe(2357);
  });
  it('is a maximum: nudging any parameter lowers the likelihood', () => {
    const rows = cdnowPublishedSummary();
    const best = bgNbdLogLikelihood(fromFile, rows);
    expect(best).toBeCloseTo(fromFile.logLikelihood, 6);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      for (const f of [0.99, 1.01]) expect(bgNbdLogLikelihood({ ...fromFile, [key]: fromFile[key] * f }, rows)).toBeLessThan(best);
    }
  });
  it('gives the same fit from weighted rows as from one row per customer', () => {
    const weighted = fitBgNbd(compressRows(cdnowPublishedSummary()));
    expect(weighted.r).toBeCloseTo(fromFile.r, 6);
    expect(weighted.logLikelihood).toBeCloseTo(fromFile.logLikelihood, 6);
  });
});

describe('BG/NBD expectations (lifetimes checks against Hardie’s spreadsheet)', () => {
  const fit = fitBgNbd(cdnowPublishedSummary());
  it('conditional expected purchases for t = 39, x = 2, tx = 30.43, T = 38.86 is 1.226', () => {
    expect(conditionalExpectedPurchases(fit, 39, { x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(1.226, 3);
  });
  it.each([
    [0.1429, 0.0078],
    [1, 0.0532],
    [3, 0.1506],
    [31.8571, 1.0405],
    [32, 1.0437],
    [78, 1.8576],
  ])('E[X(%f)] = %f', (t, expected) => {
    expect(Math.abs(expectedPurchases(fit, t) - expected)).toBeLessThan(0.001);
  });
  it('P(alive) is 1 without repeat purchases and falls as the last purchase recedes', () => {
    expect(probabilityAlive(fit, { x: 0, tx: 0, T: 30 })).toBe(1);
    const recent = probabilityAlive(fit, { x: 3, tx: 29, T: 30 });
    const old = probabilityAlive(fit, { x: 3, tx: 5, T: 30 });
    expect(recent).toBeGreaterThan(old);
    expect(old).toBeGreaterThan(0);
    expect(recent).toBeLessThan(1);
  });
  it('conditional expectation of a new customer (x = 0, T = 0) is E[X(t)]', () => {
    expect(conditionalExpectedPurchases(fit, 20, { x: 0, tx: 0, T: 0 })).toBeCloseTo(expectedPurchases(fit, 20), 10);
  });
});

describe('hyp2f1Large', () => {
  it('agrees with the series where both still converge, and takes the limit past 10⁴', () => {
    // B = C/3 large: the series converges (z small), the limit is within A·z/C.
    for (const [A, B, C, z] of [
      [2.5, 8000, 24000, 0.05],
      [10.2, 20000, 60000, 0.1],
    ] as const) {
      const limit = Math.pow(1 - (B / C) * z, -A);
      expect(Math.abs(hyp2f1Large(A, B, C, z) / hyp2f1(A, B, C, z) - 1)).toBeLessThan(1e-3);
      expect(Math.abs(limit / hyp2f1(A, B, C, z) - 1)).toBeLessThan((5 * A * z) / C + 1e-9);
    }
  });

  it('gives finite expectations for a degenerate fit (a, b → ∞) in no time', () => {
    const params = { r: 0.8, alpha: 3.5, a: 62_852_674, b: 4_901_259 };
    const t0 = performance.now();
    const e = conditionalExpectedPurchases(params, 13, { x: 5, tx: 40, T: 60 });
    expect(Number.isFinite(e)).toBe(true);
    expect(e).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
