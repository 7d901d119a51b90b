// Simulated customer populations for benchmarks and recovery tests: customers who buy as the BG/NBD model
// says and spend as the Gamma-Gamma model says, observed on a day grid so that summaries repeat as real ones do.
import type { BgNbdParams } from './bg-nbd.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';

/** Uniform on [0, 1). */
export type Random = () => number;

/** A small seeded generator (mulberry32), for reproducible simulations. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, rate) by Marsaglia & Tsang, boosted for shape < 1. */
export function sampleGamma(random: Random, shape: number, rate: number): number {
  if (shape < 1) return sampleGamma(random, shape + 1, rate) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export type SimulatedCustomer = { x: number; tx: number; T: number; zbar: number };

export type SimulateOptions = {
  customers: number;
  /** BG/NBD parameters in the output's time unit. */
  params: BgNbdParams;
  spend: GammaGammaParams;
  random: Random;
  /** First purchases fall uniformly on the first this many days (CDNOW: a quarter). */
  acquisitionDays?: number;
  /** Length of the calibration period in days, from the first possible first purchase. */
  observationDays?: number;
  timeUnitDays?: number;
};

export function simulateBgNbdPopulation(options: SimulateOptions): SimulatedCustomer[] {
  const { customers, params, spend, random, acquisitionDays = 84, observationDays = 273, timeUnitDays = 7 } = options;
  const { r, alpha, a, b } = params;
  const out: SimulatedCustomer[] = new Array(customers);
  for (let i = 0; i < customers; i++) {
    const lambda = sampleGamma(random, r, alpha);
    const ga = sampleGamma(random, a, 1);
    const p = ga / (ga + sampleGamma(random, b, 1));
    const nu = sampleGamma(random, spend.q, spend.v);
    const firstDay = Math.floor(random() * acquisitionDays);
    const horizonDays = observationDays - 1 - firstDay;
    let t = 0;
    let lastDay = 0;
    let x = 0;
    let spent = 0;
    for (;;) {
      t += -Math.log(1 - random()) / lambda;
      const day = Math.floor(t * timeUnitDays);
      if (!(day <= horizonDays)) break;
      // Purchases on the same day are one purchase, as in the summaries built from transactions.
      if (day > lastDay) {
        x++;
        lastDay = day;
      }
      if (day > 0) spent += sampleGamma(random, spend.p, nu);
      if (random() < p) break;
    }
    out[i] = { x, tx: lastDay / timeUnitDays, T: horizonDays / timeUnitDays, zbar: x > 0 ? spent / x : 0 };
  }
  return out;
}
