// Seeded synthetic purchase histories with planted co-purchase structure, for the recommender tests
// and benchmark: each customer has a home category and two "bundles" (groups of products that go
// together) in it, and keeps buying from them; the rest of their purchases are best sellers.

import { createRandom, streamSeed } from './random.ts';

export type SyntheticPurchase = { customerId: string; productId: string; at: Date; quantity?: number };
export type SyntheticProductMeta = { productId: string; category: string; brand: string; price: number };

export type PurchaseHistoryOptions = {
  seed?: number;
  customers: number;
  products: number;
  /** Mean purchases per customer (geometric, at least 1; default 10). */
  purchasesPerCustomer?: number;
  categories?: number;
  bundleSize?: number;
  start?: Date;
  days?: number;
  /** Shares of purchases from the customer's bundles and from their home category's best sellers (rest: global best sellers). */
  bundleShare?: number;
  homeShare?: number;
};

const DEFAULTS = { seed: 42, purchasesPerCustomer: 10, categories: 20, bundleSize: 5, start: new Date('2025-01-01T00:00:00Z'), days: 365, bundleShare: 0.55, homeShare: 0.25 };

const SECTIONS = ['Women', 'Men', 'Kids', 'Home'];

/** Product p sits in category p mod categories; two categories share each top-level section. */
export function syntheticProducts(opts: Pick<PurchaseHistoryOptions, 'products' | 'categories' | 'seed'>): SyntheticProductMeta[] {
  const categories = opts.categories ?? DEFAULTS.categories;
  const rnd = createRandom(streamSeed(opts.seed ?? DEFAULTS.seed, 0, 7));
  return Array.from({ length: opts.products }, (_, p) => {
    const c = p % categories;
    return {
      productId: `p${p}`,
      category: `${SECTIONS[c % SECTIONS.length]} > Cat${c} > Leaf${p % 3}`,
      brand: `brand${rnd.int(0, 49)}`,
      price: Math.round(Math.exp(2 + 3 * rnd.next()) * 100) / 100,
    };
  });
}

function zipfCdf(n: number, exponent: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cdf[r] = sum += 1 / Math.pow(r + 1, exponent);
  for (let r = 0; r < n; r++) cdf[r]! /= sum;
  return cdf;
}

function sample(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lazily yields every customer's purchases, customer by customer (times not sorted). */
export function* generatePurchases(opts: PurchaseHistoryOptions): Generator<SyntheticPurchase> {
  const o = { ...DEFAULTS, ...opts };
  const perCategory = Math.floor(o.products / o.categories);
  const bundlesPerCategory = Math.max(1, Math.floor(perCategory / o.bundleSize));
  const globalCdf = zipfCdf(o.products, 0.9);
  const homeCdf = zipfCdf(perCategory, 0.9);
  const productIds = Array.from({ length: o.products }, (_, p) => `p${p}`);
  const startMs = o.start.getTime();
  const spanMs = o.days * 86_400_000;
  const p = 1 / o.purchasesPerCustomer;
  for (let c = 0; c < o.customers; c++) {
    const rnd = createRandom(streamSeed(o.seed, c));
    const customerId = `c${c}`;
    const home = rnd.int(0, o.categories - 1);
    const bundles = [rnd.int(0, bundlesPerCategory - 1), rnd.int(0, bundlesPerCategory - 1)];
    const n = Math.max(1, Math.ceil(Math.log(1 - rnd.next()) / Math.log(1 - p)));
    for (let t = 0; t < n; t++) {
      const u = rnd.next();
      let product: number;
      if (u < o.bundleShare) {
        const b = bundles[rnd.int(0, 1)]!;
        product = home + o.categories * (b * o.bundleSize + rnd.int(0, o.bundleSize - 1));
      } else if (u < o.bundleShare + o.homeShare) {
        product = home + o.categories * sample(homeCdf, rnd.next());
      } else {
        product = sample(globalCdf, rnd.next());
      }
      yield { customerId, productId: productIds[Math.min(product, o.products - 1)]!, at: new Date(startMs + Math.floor(rnd.next() * spanMs)) };
    }
  }
}
