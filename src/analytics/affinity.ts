// Preference and style inference: which categories, brands and price bands a customer leans towards,
// from their browsing and buying signals, with stronger signals counting more and old ones fading.
// Pure: signals and `now` are passed in; customers are processed one at a time so a job can stream.

export type SignalKind = 'view' | 'cart_add' | 'favourite' | 'purchase';
export type Signal = { customerId: string; kind: SignalKind; at: Date; dwellMs?: number; category?: string; brand?: string; price?: number };
export type Affinity = { key: string; weight: number };
export type CustomerAffinity = { customerId: string; categories: Affinity[]; brands: Affinity[]; priceBands: Affinity[] };
export type PriceBands = { cuts: number[]; labels: string[] };

export const DEFAULT_SIGNAL_WEIGHTS: Record<SignalKind, number> = { view: 1, cart_add: 3, favourite: 4, purchase: 5 };

export type AffinityOptions = {
  now: Date;
  /** A signal's weight halves every this many days (default 30). */
  halfLifeDays?: number;
  weights?: Partial<Record<SignalKind, number>>;
  /** Dwell beyond this many seconds adds nothing (default 120): a tab left open is not interest. */
  dwellCapSeconds?: number;
  /** Entries kept per list (default 10). */
  top?: number;
  /** Workspace price bands (from priceBands); without them priceBands comes back empty. */
  bands?: PriceBands;
};

/**
 * A view counts 1 for a glance up to 2 at the dwell cap, on a log scale of seconds
 * (1 + ln(1 + s) / ln(1 + cap)): the first seconds of attention say more than the next minutes,
 * and a long view still weighs less than a cart add. Views without a dwell time count 1.
 */
export function viewWeight(dwellMs: number | undefined, dwellCapSeconds = 120): number {
  if (dwellMs === undefined || !(dwellMs > 0)) return 1;
  const s = Math.min(dwellMs / 1000, dwellCapSeconds);
  return 1 + Math.log1p(s) / Math.log1p(dwellCapSeconds);
}

/** 0.5 ^ (age / half-life); signals from the future (clock skew) count as fresh. */
export function decay(at: Date, now: Date, halfLifeDays = 30): number {
  const ageDays = Math.max(0, (now.getTime() - at.getTime()) / 86_400_000);
  return Math.pow(0.5, ageDays / halfLifeDays);
}

const FIVE_LABELS = ['budget', 'value', 'mid', 'premium', 'luxury'];

/**
 * Price bands from the workspace's prices: n bands cut at the 1/n … (n-1)/n quantiles (linear
 * interpolation between order statistics, like R's type 7), so each band holds about the same share
 * of products. Five bands are labelled budget|value|mid|premium|luxury, other counts band1…bandN.
 */
export function priceBands(prices: Iterable<number>, n = 5): PriceBands {
  const sorted = Float64Array.from([...prices].filter((p) => Number.isFinite(p))).sort();
  const labels = n === 5 ? [...FIVE_LABELS] : Array.from({ length: n }, (_, i) => `band${i + 1}`);
  if (sorted.length === 0) return { cuts: [], labels: labels.slice(0, 1) };
  const cuts: number[] = [];
  for (let i = 1; i < n; i++) {
    const h = (sorted.length - 1) * (i / n);
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, sorted.length - 1);
    cuts.push(sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!));
  }
  return { cuts, labels };
}

/** The band of a price: band i holds cuts[i-1] <= price < cuts[i]. */
export function priceBand(bands: PriceBands, price: number): string {
  let i = 0;
  while (i < bands.cuts.length && price >= bands.cuts[i]!) i++;
  return bands.labels[i]!;
}

/**
 * Category paths like `Women > Shoes > Sneakers` are counted at their top two levels (`Women > Shoes`):
 * the leaf is too sparse per customer to say much, the top level alone (`Women`) too broad to act on.
 * The recommender matches categories at the same depth.
 */
export function affinityCategoryKey(path: string): string {
  return path
    .split('>')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .slice(0, 2)
    .join(' > ');
}

function normalise(weights: Map<string, number>, top: number): Affinity[] {
  let max = 0;
  for (const w of weights.values()) if (w > max) max = w;
  if (max <= 0) return [];
  return [...weights]
    .map(([key, w]) => ({ key, weight: w / max }))
    .sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, top);
}

/** One customer's affinities from their signals (all signals are taken to be this customer's). */
export function inferAffinity(customerId: string, signals: Iterable<Signal>, opts: AffinityOptions): CustomerAffinity {
  const weights = { ...DEFAULT_SIGNAL_WEIGHTS, ...opts.weights };
  const halfLife = opts.halfLifeDays ?? 30;
  const cap = opts.dwellCapSeconds ?? 120;
  const top = opts.top ?? 10;
  const categories = new Map<string, number>();
  const brands = new Map<string, number>();
  const bands = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, w: number) => m.set(key, (m.get(key) ?? 0) + w);
  for (const s of signals) {
    const w = weights[s.kind] * (s.kind === 'view' ? viewWeight(s.dwellMs, cap) : 1) * decay(s.at, opts.now, halfLife);
    if (!(w > 0)) continue;
    if (s.category) {
      const key = affinityCategoryKey(s.category);
      if (key) add(categories, key, w);
    }
    if (s.brand) add(brands, s.brand, w);
    if (opts.bands && s.price !== undefined && Number.isFinite(s.price)) add(bands, priceBand(opts.bands, s.price), w);
  }
  return { customerId, categories: normalise(categories, top), brands: normalise(brands, top), priceBands: normalise(bands, top) };
}

/**
 * Streams affinities for many customers. Signals must arrive grouped by customer (e.g. ORDER BY
 * customer_id); only one customer's signals are held at a time. A customer whose signals are not
 * contiguous would come out as two rows.
 */
export function* inferAffinities(signals: Iterable<Signal>, opts: AffinityOptions): Generator<CustomerAffinity> {
  let current: string | undefined;
  let batch: Signal[] = [];
  for (const s of signals) {
    if (s.customerId !== current) {
      if (current !== undefined) yield inferAffinity(current, batch, opts);
      current = s.customerId;
      batch = [];
    }
    batch.push(s);
  }
  if (current !== undefined) yield inferAffinity(current, batch, opts);
}
