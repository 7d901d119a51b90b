import { describe, expect, it } from 'vitest';
import { fitBgNbd } from './bg-nbd.ts';
import { cdnowPublishedSummary } from './cdnow-reference.ts';
import { clvFitWarnings } from './fit-checks.ts';
import { fitGammaGamma } from './gamma-gamma.ts';
import { seededRandom, simulateBgNbdPopulation } from './synthetic-population.ts';

describe('clvFitWarnings', () => {
  it('finds nothing to warn about in the CDNOW fits', () => {
    const customers = cdnowPublishedSummary();
    const bgnbd = fitBgNbd(customers);
    const gammaGamma = fitGammaGamma(customers.filter((c) => c.x > 0).map((c) => ({ x: c.x, zbar: c.zbar })));
    expect(clvFitWarnings({ bgnbd, gammaGamma })).toEqual([]);
  });

  it('flags a population where nobody drops out, as the fit on it finds', () => {
    // Dropout probability after a purchase with mean 1e-6: in 39 weeks nobody leaves.
    const population = simulateBgNbdPopulation({
      customers: 3000,
      params: { r: 0.5, alpha: 5, a: 0.001, b: 1000 },
      spend: { p: 6, q: 4, v: 15 },
      random: seededRandom(5),
    });
    const bgnbd = fitBgNbd(population.map((c) => ({ x: c.x, tx: c.tx, T: c.T })));
    expect(bgnbd.a / (bgnbd.a + bgnbd.b)).toBeLessThan(1e-4);
    expect(clvFitWarnings({ bgnbd, gammaGamma: null })).toEqual(['bgnbd-no-dropout']);
  });

  it('flags Gamma-Gamma without a finite mean spend and parameters run to the boundary', () => {
    const cdnow = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
    expect(clvFitWarnings({ bgnbd: cdnow, gammaGamma: { p: 2, q: 0.8, v: 10 } })).toEqual(['gamma-gamma-no-mean']);
    expect(clvFitWarnings({ bgnbd: cdnow, gammaGamma: { p: 2, q: 1, v: 10 } })).toEqual(['gamma-gamma-no-mean']);
    expect(clvFitWarnings({ bgnbd: { ...cdnow, alpha: 3e7 }, gammaGamma: { p: 6, q: 4, v: Number.POSITIVE_INFINITY } })).toEqual([
      'bgnbd-boundary',
      'gamma-gamma-boundary',
    ]);
    expect(clvFitWarnings({ bgnbd: null, gammaGamma: null })).toEqual([]);
  });
});
