import { describe, expect, it } from 'vitest';
import { fitBgNbd } from './bg-nbd.ts';
import { compressRows } from './clv-summary.ts';
import { fitGammaGamma } from './gamma-gamma.ts';
import { sampleGamma, seededRandom, simulateBgNbdPopulation } from './synthetic-population.ts';

describe('seededRandom and sampleGamma', () => {
  it('are reproducible and have the right gamma mean and variance', () => {
    expect(Array.from({ length: 3 }, seededRandom(7))).toEqual(Array.from({ length: 3 }, seededRandom(7)));
    const random = seededRandom(1);
    for (const [shape, rate] of [[0.3, 2], [4, 0.5]] as const) {
      const xs = Array.from({ length: 100_000 }, () => sampleGamma(random, shape, rate));
      const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
      const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
      expect(mean / (shape / rate)).toBeCloseTo(1, 1);
      expect(variance / (shape / rate ** 2)).toBeCloseTo(1, 1);
    }
  });
});

describe('simulateBgNbdPopulation', () => {
  const truth = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const spend = { p: 6.25, q: 3.74, v: 15.44 };
  const population = simulateBgNbdPopulation({ customers: 200_000, params: truth, spend, random: seededRandom(42), observationDays: 546 });

  it('gives valid day-grid summaries that repeat', () => {
    expect(population.every((c) => c.tx <= c.T && (c.x > 0 || c.tx === 0) && Number.isInteger(Math.round(c.T * 7 * 1e9) / 1e9))).toBe(true);
    const distinct = compressRows(population).length;
    expect(distinct).toBeLessThan(population.length / 2);
  });
  it('fits back to the parameters it was simulated with', () => {
    const bg = fitBgNbd(population);
    // Purchases rounded to whole days and merged within a day shift the estimates a little.
    expect(Math.abs(bg.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(bg.alpha / truth.alpha - 1)).toBeLessThan(0.15);
    expect(Math.abs(bg.a / truth.a - 1)).toBeLessThan(0.15);
    expect(Math.abs(bg.b / truth.b - 1)).toBeLessThan(0.15);
    const gg = fitGammaGamma(population);
    expect(Math.abs(gg.p / spend.p - 1)).toBeLessThan(0.1);
    expect(Math.abs(gg.q / spend.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(gg.v / spend.v - 1)).toBeLessThan(0.1);
  });
});
