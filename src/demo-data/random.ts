// Seedable randomness for the synthetic data: a small PRNG and the distributions the behaviour
// model draws from (gamma and beta for BG/NBD, log-normal dwell times, exponential gaps).

/** mulberry32: a small, fast, seedable PRNG (good enough for synthetic data, not for secrets). */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1]![0];
    },
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

/**
 * A well-mixed 32-bit seed for one stream of a larger data set (person `index` of seed `seed`),
 * so each person's draws do not depend on how many draws the people before them made.
 */
export function streamSeed(seed: number, index: number, salt = 0): number {
  // murmur3's finaliser over the three inputs.
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Standard normal (Box–Muller). */
export function normal(rnd: Random): number {
  const u = 1 - rnd.next(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.next());
}

/** Gamma(shape, scale) by Marsaglia and Tsang (2000); shape < 1 through the boost U^(1/shape). */
export function gamma(rnd: Random, shape: number, scale: number): number {
  if (shape < 1) return gamma(rnd, shape + 1, scale) * Math.pow(1 - rnd.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rnd);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rnd.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

export function beta(rnd: Random, a: number, b: number): number {
  const x = gamma(rnd, a, 1);
  const y = gamma(rnd, b, 1);
  return x / (x + y);
}

/** Waiting time of a Poisson process of `rate` events per unit. */
export function exponential(rnd: Random, rate: number): number {
  return -Math.log(1 - rnd.next()) / rate;
}

export function logNormal(rnd: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rnd));
}
