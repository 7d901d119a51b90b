import { describe, expect, it } from 'vitest';
import { conversionUplift, meanUplift, normalQuantile, normalUpperTail, sampleVariance, studentTQuantile, studentTUpperTail, wilsonInterval, type RevenueSums } from './uplift.ts';

const Z95 = 1.959963984540054;

describe('normal distribution', () => {
  // Standard normal tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.1): 1.960, 2.576, 3.291; Φ(3) = 0.99865.
  it.each([
    [0.975, 1.959964],
    [0.995, 2.575829],
    [0.9995, 3.290527],
    [0.5, 0],
    [0.025, -1.959964],
  ])('quantile(%f) = %f', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });

  it('upper tail at 1.96 and 3 matches the tables', () => {
    expect(normalUpperTail(Z95)).toBeCloseTo(0.025, 7);
    expect(normalUpperTail(3)).toBeCloseTo(0.0013499, 7);
    expect(normalUpperTail(-3)).toBeCloseTo(1 - 0.0013499, 7);
  });

  // The quantile (AS 241) and the tail (a Chebyshev fit of erfc) are separate approximations; each
  // checks the other in all three of AS 241's branches (|p − ½| ≤ 0.425, r ≤ 5, r > 5).
  it.each([0.3, 0.1, 1e-3, 1e-6, 1e-11, 1e-15])('tail(−quantile(%f)) round-trips', (q) => {
    expect(normalUpperTail(-normalQuantile(q)) / q).toBeCloseTo(1, 6);
  });
});

describe("Student's t distribution", () => {
  // Two-sided 5% / 10% / 1% / 0.1% critical values from standard t tables (e.g. NIST e-Handbook 1.3.6.7.2,
  // Fisher & Yates), to four decimals.
  it.each([
    [0.975, 1, 12.7062],
    [0.975, 2, 4.3027],
    [0.975, 5, 2.5706],
    [0.975, 10, 2.2281],
    [0.975, 30, 2.0423],
    [0.975, 120, 1.9799],
    [0.95, 10, 1.8125],
    [0.995, 20, 2.8453],
    [0.9995, 3, 12.924],
  ])('quantile(%f, df = %i) = %f', (p, df, t) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 4);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 4);
  });

  // Closed forms of the upper tail: Cauchy for df = 1, and for df = 2 and 3 (Johnson, Kotz & Balakrishnan,
  // Continuous Univariate Distributions vol. 2, ch. 28).
  it.each([0.1, 0.7, 1.5, 4, 30])('tail at t = %f agrees with the closed forms for df = 1, 2, 3', (t) => {
    expect(studentTUpperTail(t, 1)).toBeCloseTo(0.5 - Math.atan(t) / Math.PI, 13);
    expect(studentTUpperTail(t, 2)).toBeCloseTo(0.5 - t / (2 * Math.sqrt(2 + t * t)), 13);
    const u = t / Math.sqrt(3);
    expect(studentTUpperTail(t, 3)).toBeCloseTo(0.5 - (Math.atan(u) + u / (1 + u * u)) / Math.PI, 13);
    expect(studentTUpperTail(-t, 3)).toBeCloseTo(1 - studentTUpperTail(t, 3), 14);
  });

  // Welch's df are not whole numbers: the quantile must invert the tail for any df.
  it.each([
    [0.975, 2.5],
    [0.975, 17.776],
    [0.9995, 1.3],
    [0.9, 0.6],
    [0.999, 4321.5],
  ])('quantile(%f, df = %f) inverts the tail', (p, df) => {
    expect(studentTUpperTail(studentTQuantile(p, df), df) / (1 - p)).toBeCloseTo(1, 9);
  });

  // Cornish–Fisher expansion for large df (Abramowitz & Stegun 26.7.5), first three terms:
  // t = z + (z³ + z)/4ν + (5z⁵ + 16z³ + 3z)/96ν² + (3z⁷ + 19z⁵ + 17z³ − 15z)/384ν³.
  it.each([1e3, 1e4, 1e6, 1e8])('quantile(0.975, df = %f) follows the large-df expansion', (df) => {
    const z = Z95;
    const expansion = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3);
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expansion, 8);
    expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.95996, 5);
  });
});

/** Wilson limits by the other closed form, the roots of the score equation: (2x + z² ± z√(z² + 4x(1 − x/n))) / 2(n + z²). */
function wilsonByRoots(x: number, n: number, z = Z95): [number, number] {
  const root = z * Math.sqrt(z * z + 4 * x * (1 - x / n));
  return [(2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))];
}

describe('conversion uplift (Newcombe hybrid score interval)', () => {
  it('Wilson interval: 81/263 is 0.2553 to 0.3662 (Newcombe 1998a worked example, re-derived by hand), and the roots agree', () => {
    const w = wilsonInterval(81, 263, Z95);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
    for (const [x, n] of [[0, 10], [3, 10], [10, 10], [81, 263], [1, 1_000_000]] as const) {
      const [low, high] = wilsonByRoots(x, n);
      expect(wilsonInterval(x, n, Z95).low).toBeCloseTo(low, 12);
      expect(wilsonInterval(x, n, Z95).high).toBeCloseTo(high, 12);
    }
  });

  // Newcombe RG (1998), "Interval estimation for the difference between independent proportions: comparison
  // of eleven methods", Statistics in Medicine 17:873–890, Table II, method 10 (score, no continuity correction).
  // Row (c): the figures in our brief, 0.0197 to 0.8391, are not method 10's; the square-and-add of the Wilson
  // limits gives 0.0582 to 0.8062 (hand computation below), which is what this row uses.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('Table II: %i/%i vs %i/%i is %f to %f', (x1, n1, x2, n2, low, high) => {
    const r = conversionUplift({ n: n1, conversions: x1 }, { n: n2, conversions: x2 });
    expect(r.diff).toBeCloseTo(x1 / n1 - x2 / n2, 12);
    expect(r.low).toBeCloseTo(low, 4);
    expect(r.high).toBeCloseTo(high, 4);
    expect(r.significant).toBe(low > 0 || high < 0);
  });

  it('row (c) and the rows with no conversions, derived independently', () => {
    // 6/7 vs 2/7 from the roots form of Wilson's limits, combined by Newcombe's square-and-add.
    const [l1, u1] = wilsonByRoots(6, 7);
    const [l2, u2] = wilsonByRoots(2, 7);
    const d = 6 / 7 - 2 / 7;
    const c = conversionUplift({ n: 7, conversions: 6 }, { n: 7, conversions: 2 });
    expect(c.low).toBeCloseTo(d - Math.sqrt((6 / 7 - l1) ** 2 + (u2 - 2 / 7) ** 2), 12);
    expect(c.high).toBeCloseTo(d + Math.sqrt((u1 - 6 / 7) ** 2 + (2 / 7 - l2) ** 2), 12);
    // With 0 of n, Wilson's upper limit is z²/(n + z²); with n of n, the lower is n/(n + z²).
    const upper0 = (n: number) => (Z95 * Z95) / (n + Z95 * Z95);
    const none = conversionUplift({ n: 10, conversions: 0 }, { n: 20, conversions: 0 });
    expect(none.low).toBeCloseTo(-upper0(20), 14);
    expect(none.high).toBeCloseTo(upper0(10), 14);
    expect([none.significant, none.pValue]).toEqual([false, 1]);
    const all = conversionUplift({ n: 10, conversions: 10 }, { n: 20, conversions: 0 });
    expect(all.low).toBeCloseTo(1 - Math.hypot(upper0(10), upper0(20)), 12);
    expect(all.high).toBe(1);
  });

  it('never leaves [−1, 1] and always holds the observed difference (every table with n ≤ 12)', () => {
    for (let n1 = 1; n1 <= 12; n1++)
      for (let n2 = 1; n2 <= 12; n2++)
        for (let x1 = 0; x1 <= n1; x1++)
          for (let x2 = 0; x2 <= n2; x2++) {
            const r = conversionUplift({ n: n1, conversions: x1 }, { n: n2, conversions: x2 });
            if (!(r.low! >= -1 && r.high! <= 1 && r.low! <= r.diff! && r.diff! <= r.high!)) throw new Error(`${x1}/${n1} vs ${x2}/${n2}: ${r.low} to ${r.high}`);
          }
  });

  it('is close to the Wald interval when the groups are large', () => {
    const r = conversionUplift({ n: 1_000_000, conversions: 52_000 }, { n: 1_000_000, conversions: 50_000 });
    const se = Math.sqrt((0.052 * 0.948 + 0.05 * 0.95) / 1_000_000);
    expect(r.low).toBeCloseTo(0.002 - Z95 * se, 6);
    expect(r.high).toBeCloseTo(0.002 + Z95 * se, 6);
    expect(r.significant).toBe(true);
  });

  it('a wider level gives a wider interval', () => {
    const at = (level: number) => conversionUplift({ n: 900, conversions: 50 }, { n: 100, conversions: 3 }, level);
    expect(at(0.99).low!).toBeLessThan(at(0.95).low!);
    expect(at(0.99).high!).toBeGreaterThan(at(0.95).high!);
    expect(at(0.8).high!).toBeLessThan(at(0.95).high!);
  });

  it("p-value: the pooled z test is Pearson's χ² on the 2×2 table", () => {
    // 56/70 vs 48/80: χ² = N(ad − bc)² / (r₁ r₂ c₁ c₂) = 150 · (56·32 − 14·48)² / (70 · 80 · 104 · 46) = 7.0234 (by hand).
    const chi2 = (150 * (56 * 32 - 14 * 48) ** 2) / (70 * 80 * 104 * 46);
    expect(chi2).toBeCloseTo(7.0234, 4);
    const r = conversionUplift({ n: 70, conversions: 56 }, { n: 80, conversions: 48 });
    expect(r.pValue).toBeCloseTo(2 * normalUpperTail(Math.sqrt(chi2)), 10);
    expect(r.pValue! < 0.05).toBe(r.significant);
  });

  it('a group with no recipients gives no interval and no NaN', () => {
    const r = conversionUplift({ n: 0, conversions: 0 }, { n: 100, conversions: 4 });
    expect(r).toEqual({ level: 0.95, treatedN: 0, controlN: 100, treatedRate: null, controlRate: 0.04, diff: null, low: null, high: null, significant: false, pValue: null });
    expect(conversionUplift({ n: 0, conversions: 0 }, { n: 0, conversions: 0 }).diff).toBeNull();
  });

  it('refuses impossible counts and levels', () => {
    expect(() => conversionUplift({ n: 10, conversions: 11 }, { n: 10, conversions: 1 })).toThrow(/treated\.conversions/);
    expect(() => conversionUplift({ n: 10, conversions: 1 }, { n: -1, conversions: 0 })).toThrow(/control\.n/);
    expect(() => conversionUplift({ n: 10, conversions: 1 }, { n: 10, conversions: 1 }, 95)).toThrow(/level/);
  });
});

const sums = (values: number[]): RevenueSums => ({ n: values.length, sum: values.reduce((s, v) => s + v, 0), sumSquares: values.reduce((s, v) => s + v * v, 0) });

describe('revenue uplift (Welch t interval)', () => {
  it("matches R's Welch test on Student's sleep data", () => {
    // R: t.test(extra ~ group, data = sleep) prints t = −1.8608, df = 17.776, p-value = 0.07939,
    // 95 percent confidence interval −3.3654832 0.2054832, means 0.75 and 2.33 (the ?t.test example).
    const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const r = meanUplift(sums(group1), sums(group2));
    expect(r.diff).toBeCloseTo(-1.58, 12);
    expect(r.low).toBeCloseTo(-3.3654832, 6);
    expect(r.high).toBeCloseTo(0.2054832, 6);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.pValue).toBeCloseTo(0.07939, 5);
    expect(r.significant).toBe(false);
    expect(meanUplift(sums(group1), sums(group2), 0.9).significant).toBe(true); // p = 0.079 < 0.10
  });

  it('a group of fewer than two gives the means but no interval', () => {
    const r = meanUplift({ n: 1, sum: 5000, sumSquares: 25e6 }, sums([0, 1000, 0]));
    expect(r).toMatchObject({ treatedMean: 5000, controlMean: 1000 / 3, low: null, high: null, df: null, significant: false, pValue: null });
    expect(r.diff).toBeCloseTo(5000 - 1000 / 3, 9);
    expect(meanUplift({ n: 0, sum: 0, sumSquares: 0 }, sums([1, 2]))).toMatchObject({ treatedMean: null, diff: null, low: null });
  });

  it('zero variance: no NaN; a group without spread leaves the other to set the df', () => {
    const nobody = meanUplift(sums([0, 0, 0]), sums([0, 0]));
    expect([nobody.diff, nobody.low, nobody.high, nobody.significant, nobody.pValue]).toEqual([0, 0, 0, false, 1]);
    const control = sums(new Array<number>(50).fill(0));
    const r = meanUplift(sums([0, 10_000, 0, 30_000, 0, 0]), control);
    expect(r.df).toBeCloseTo(5, 12);
    const se = Math.sqrt(sampleVariance(sums([0, 10_000, 0, 30_000, 0, 0])) / 6);
    expect((r.high! - r.diff!) / se).toBeCloseTo(2.5706, 4); // t(0.975, 5) from the tables
  });

  it('variance from sums stays accurate for KRW sums near 1e12', () => {
    // 100,000 recipients, one in ten spending ₩80,000–₩20,000,000: sum ≈ 1e11–1e12, sum of squares ≈ 1e18.
    const values = Array.from({ length: 100_000 }, (_, i) => (i % 10 === 0 ? 80_000 + ((i * 7919) % 2_000_000) * 9.96 : 0));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const twoPass = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
    expect(sums(values).sum).toBeGreaterThan(1e11);
    expect(sampleVariance(sums(values)) / twoPass).toBeCloseTo(1, 10);
  });

  it('uses a precomputed variance when given', () => {
    const base = { n: 100, sum: 1e6, sumSquares: 0 }; // inconsistent sums: only the given variance can be right
    const r = meanUplift({ ...base, variance: 400 }, { ...base, variance: 400 });
    expect(r.high).toBeCloseTo(studentTQuantile(0.975, 198) * Math.sqrt(8), 9);
  });

  it('refuses broken sums', () => {
    expect(() => meanUplift({ n: 3, sum: NaN, sumSquares: 1 }, sums([1, 2]))).toThrow(/treated\.sum/);
    expect(() => meanUplift(sums([1, 2]), { n: 2.5, sum: 1, sumSquares: 1 })).toThrow(/control\.n/);
    expect(() => meanUplift(sums([1, 2]), { ...sums([1, 2]), variance: -1 })).toThrow(/control\.variance/);
  });
});

// Simulated campaigns with a known truth. A seeded generator makes the run repeatable; the binomial draw
// skips from success to success with geometric gaps (Devroye 1986, ch. X.4), which is exact and costs
// about np + 1 draws instead of n.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function binomial(random: () => number, n: number, p: number): number {
  const logMiss = Math.log1p(-p);
  let count = 0;
  for (let position = Math.floor(Math.log(1 - random()) / logMiss) + 1; position <= n; position += Math.floor(Math.log(1 - random()) / logMiss) + 1) count++;
  return count;
}

function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** One group's revenue sums: each recipient converts with probability p and then spends a lognormal amount of the given mean. */
function revenueGroup(random: () => number, n: number, p: number, meanSpend: number, sigma: number): RevenueSums {
  const mu = Math.log(meanSpend) - (sigma * sigma) / 2;
  let sum = 0;
  let sumSquares = 0;
  for (let k = binomial(random, n, p); k > 0; k--) {
    const spend = Math.exp(mu + sigma * standardNormal(random));
    sum += spend;
    sumSquares += spend * spend;
  }
  return { n, sum, sumSquares };
}

type Estimate = { diff: number | null; low: number | null; high: number | null; significant: boolean };

function summarise(estimates: Estimate[], truth: number) {
  const diffs = estimates.map((e) => e.diff!);
  const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (diffs.length - 1));
  return {
    covered: estimates.filter((e) => e.low! <= truth && truth <= e.high!).length,
    significant: estimates.filter((e) => e.significant).length,
    biasInStandardErrors: (mean - truth) / (sd / Math.sqrt(diffs.length)),
  };
}

// 1,000 campaigns measure a 5% rate to about ±0.7%, so "at most 5.5%" is a coarse check: the seeds were
// fixed before the first run. Over 10,000 campaigns these settings gave 5.1% (conversion) and 5.0% (revenue).
const CAMPAIGNS = 1000;
const CONTROL = 2000; // a 10% holdout of 20,000 recipients
const TREATED = 18_000;

describe('simulated campaigns with a known truth', () => {
  it('the binomial sampler has the binomial mean and variance', () => {
    const random = mulberry32(7);
    const draws = Array.from({ length: 4000 }, () => binomial(random, CONTROL, 0.04));
    const mean = draws.reduce((s, d) => s + d, 0) / draws.length;
    const variance = draws.reduce((s, d) => s + (d - mean) ** 2, 0) / (draws.length - 1);
    expect(Math.abs(mean - 80)).toBeLessThan(3 * Math.sqrt(76.8 / draws.length));
    expect(variance / 76.8).toBeGreaterThan(0.9);
    expect(variance / 76.8).toBeLessThan(1.1);
  });

  it('conversion: the 95% interval holds the true +1 pp in 93–97% of 1,000 campaigns, and the estimate is unbiased', () => {
    const random = mulberry32(20_240_601);
    const p0 = 0.04;
    const delta = 0.01;
    const results = Array.from({ length: CAMPAIGNS }, () => conversionUplift({ n: TREATED, conversions: binomial(random, TREATED, p0 + delta) }, { n: CONTROL, conversions: binomial(random, CONTROL, p0) }));
    const s = summarise(results, delta);
    expect(s.covered).toBeGreaterThanOrEqual(930);
    expect(s.covered).toBeLessThanOrEqual(970);
    expect(Math.abs(s.biasInStandardErrors)).toBeLessThan(3);
  });

  it('conversion: with no true difference, at most 5.5% of 1,000 campaigns are called significant', () => {
    const random = mulberry32(20_240_602);
    const results = Array.from({ length: CAMPAIGNS }, () => conversionUplift({ n: TREATED, conversions: binomial(random, TREATED, 0.04) }, { n: CONTROL, conversions: binomial(random, CONTROL, 0.04) }));
    expect(summarise(results, 0).significant).toBeLessThanOrEqual(55);
  });

  // Converters spend lognormal amounts (σ = 1: skewed, a few large orders); everyone else spends 0.
  // Revenue per recipient has mean p · m, so the truth is 0.05 · ₩55,000 − 0.04 · ₩50,000 = ₩750.
  // Per recipient this is very skewed (skewness ≈ e^(1.5σ²)/√p ≈ 22). Welch's interval holds its level here
  // when the two groups are the same size (the skew of the two means cancels in the difference), so these
  // campaigns compare two halves of 20,000. Against a 10% holdout it does not; see meanUplift.
  const REVENUE_CONTROL = 10_000;
  const REVENUE_TREATED = 10_000;

  it('revenue per recipient: the 95% interval holds the true ₩750 in 93–97% of 1,000 campaigns, and the estimate is unbiased', () => {
    const random = mulberry32(20_240_603);
    const truth = 0.05 * 55_000 - 0.04 * 50_000;
    const results = Array.from({ length: CAMPAIGNS }, () => meanUplift(revenueGroup(random, REVENUE_TREATED, 0.05, 55_000, 1), revenueGroup(random, REVENUE_CONTROL, 0.04, 50_000, 1)));
    const s = summarise(results, truth);
    expect(s.covered).toBeGreaterThanOrEqual(930);
    expect(s.covered).toBeLessThanOrEqual(970);
    expect(Math.abs(s.biasInStandardErrors)).toBeLessThan(3);
  });

  it('revenue per recipient: with no true difference, at most 5.5% of 1,000 campaigns are called significant', () => {
    const random = mulberry32(20_240_604);
    const results = Array.from({ length: CAMPAIGNS }, () => meanUplift(revenueGroup(random, REVENUE_TREATED, 0.04, 50_000, 1), revenueGroup(random, REVENUE_CONTROL, 0.04, 50_000, 1)));
    expect(summarise(results, 0).significant).toBeLessThanOrEqual(55);
  });
});
