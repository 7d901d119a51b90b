import { describe, expect, it } from 'vitest';
import { cdnowPublishedSummary, cdnowRebuiltSummary } from './cdnow-reference.ts';
import { conditionalExpectedSpend, fitGammaGamma, gammaGammaLogLikelihood } from './gamma-gamma.ts';

const sig3 = (v: number) => Number(v.toPrecision(3));

describe('fitGammaGamma on the CDNOW repeat buyers (Fader & Hardie’s note)', () => {
  const fromFile = fitGammaGamma(cdnowPublishedSummary());
  it.each([
    ['cdnow_customers_summary_with_transactions.csv', fromFile],
    ['the summary rebuilt from CDNOW_sample.txt', fitGammaGamma(cdnowRebuiltSummary().customers)],
  ])('%s gives p = 6.25, q = 3.74, γ = 15.44', (_, fit) => {
    expect(sig3(fit.p)).toBe(6.25);
    expect(sig3(fit.q)).toBe(3.74);
    expect(sig3(fit.v)).toBe(sig3(15.44));
    expect(fit.customers).toBe(946);
  });
  it('weights count as repeated rows', () => {
    const rows = [{ x: 1, zbar: 10 }, { x: 2, zbar: 30 }, { x: 3, zbar: 20 }];
    const params = { p: 2, q: 3, v: 4 };
    expect(gammaGammaLogLikelihood(params, [...rows, rows[0]!])).toBeCloseTo(gammaGammaLogLikelihood(params, [{ ...rows[0]!, weight: 2 }, rows[1]!, rows[2]!]), 10);
  });
  it('expected spend shrinks a customer’s mean towards the population mean, less so with more purchases', () => {
    const populationMean = (fromFile.p * fromFile.v) / (fromFile.q - 1);
    expect(conditionalExpectedSpend(fromFile, { x: 0, zbar: 0 })).toBeCloseTo(populationMean, 10);
    const one = conditionalExpectedSpend(fromFile, { x: 1, zbar: 100 });
    const ten = conditionalExpectedSpend(fromFile, { x: 10, zbar: 100 });
    expect(one).toBeGreaterThan(populationMean);
    expect(ten).toBeGreaterThan(one);
    expect(ten).toBeLessThan(100);
  });
});
