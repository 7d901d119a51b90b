// Product recommendations from purchase histories: a popularity baseline, an item-kNN baseline and
// the blended recommender (co-purchase rules + item similarity + category affinity), plus an offline
// time-split evaluation. Pure functions: the history is passed in, `now` is passed in, no database.
//
// Built to run nightly for every customer (1M customers × 10k products): customers and their distinct
// products are kept as CSR typed arrays, each product keeps only its top-N neighbours, and scoring one
// customer touches only the neighbours of what they bought.

import { affinityCategoryKey as categoryKey, type Affinity } from './affinity.ts';
import { evaluateRankings, type RankingReport } from './ranking-metrics.ts';

export type Purchase = { customerId: string; productId: string; at: Date; quantity?: number };
/** `repeatable` products (consumables) may be recommended again after the recent-purchase window. */
export type ProductMeta = { productId: string; category: string; brand?: string; price?: number; repeatable?: boolean };
export type { Affinity };
export type Reason = 'co_purchase' | 'similar' | 'category' | 'popular';
export type Recommendation = { productId: string; score: number; reasons: Reason[] };
export type RecommendOptions = {
  k: number;
  /** Defaults to the latest purchase seen in training. */
  now?: Date;
  /** Product ids never to return (e.g. out of stock). */
  exclude?: Iterable<string>;
  /** Category affinities for this customer (overrides the model's `categoryAffinity`); keys are category paths. */
  categories?: readonly Affinity[];
};

/** What every recommender shares about exclusion, so the evaluation compares ranking, not filtering. */
export type ExclusionOptions = {
  /** Products bought within this many days before `now` are never recommended, repeatable or not (default 30). */
  recentWindowDays?: number;
  /** Leave out anything the customer ever bought unless the product is repeatable (default true). */
  excludePurchased?: boolean;
  /** Product metadata: categories for the blended model, `repeatable` for every model. */
  products?: Iterable<ProductMeta>;
  /**
   * Customers with more distinct products than this (resellers, test accounts) contribute only their most
   * recent ones to co-occurrence counts, which grow with the square of a basket (default 500).
   */
  maxItemsPerCustomer?: number;
};
export type PopularityOptions = ExclusionOptions;
export type ItemKnnOptions = ExclusionOptions & {
  /** Neighbours kept per product (default 50). */
  neighbours?: number;
  /** Pairs bought together by fewer customers are ignored as noise (default 2). */
  minCoCount?: number;
};
export type BlendWeights = { coPurchase: number; similar: number; category: number; popular: number };
export type BlendedOptions = ItemKnnOptions & {
  weights?: Partial<BlendWeights>;
  /** A rule i → j counts as co-purchase evidence only when lift(i, j) is at least this (default 1). */
  minLift?: number;
  /** Inferred affinities (e.g. from affinity.ts) per customer; otherwise derived from their purchases. */
  categoryAffinity?: (customerId: string) => readonly Affinity[] | undefined;
  /** How many of a customer's top categories bring in their best sellers as candidates (default 3). */
  categoryCandidates?: number;
  /** Best sellers per category kept as candidates (default 20). */
  perCategoryCandidates?: number;
  /** A reason is listed when its part of the score is at least this share of it (default 0.2). */
  reasonShare?: number;
};

// Chosen on one synthetic 20k-customer history (seed 43; bench/analytics/recommend.ts evaluates on another
// seed): confidence leans towards best sellers, so it gets half the weight of similarity; category
// affinity mostly adds recall. Re-tune with evaluateRecommenders on a workspace's own history.
export const DEFAULT_BLEND_WEIGHTS: BlendWeights = { coPurchase: 0.5, similar: 1, category: 0.3, popular: 0.05 };

/** The trained index every model shares: customers × distinct products as CSR arrays. */
type PurchaseIndex = {
  productIds: string[];
  productIndex: Map<string, number>;
  customerIndex: Map<string, number>;
  /** Row c of the CSR: items[offsets[c] .. offsets[c + 1]) are customer c's distinct products. */
  offsets: Uint32Array;
  items: Uint32Array;
  /** Seconds since the epoch of the latest purchase of items[x] by its customer. */
  lastAt: Uint32Array;
  /** Units bought per product (quantity, default 1). */
  popularity: Float64Array;
  /** Product indices, best seller first. */
  popularOrder: Uint32Array;
  /** Distinct buyers per product. */
  buyers: Uint32Array;
  latestAt: number;
  repeatable: Uint8Array;
  recentWindowSeconds: number;
  excludePurchased: boolean;
  maxItemsPerCustomer: number;
};

/** Top-N neighbours per product: slots [i * n, i * n + count[i]) sorted by selection score. */
type Neighbours = {
  n: number;
  count: Uint16Array;
  ids: Uint32Array;
  similarity: Float32Array;
  confidence: Float32Array;
  lift: Float32Array;
};

/** Per-call buffers reused across customers; recommend() is synchronous, so one set per model is enough. */
type Scratch = { mark: Int32Array; generation: number; sim: Float64Array; co: Float64Array; candidates: Uint32Array };

export type PopularityModel = { kind: 'popularity'; index: PurchaseIndex; scratch: Scratch };
export type ItemKnnModel = { kind: 'item_knn'; index: PurchaseIndex; neighbours: Neighbours; scratch: Scratch };
export type BlendedModel = {
  kind: 'blended';
  index: PurchaseIndex;
  neighbours: Neighbours;
  scratch: Scratch;
  weights: BlendWeights;
  minLift: number;
  /** Top-two-level category key per product index, -1 when unknown. */
  productCategory: Int32Array;
  categoryKeys: string[];
  categoryIndex: Map<string, number>;
  /** Best sellers per category (product indices). */
  categoryTop: Uint32Array[];
  categoryAffinity?: (customerId: string) => readonly Affinity[] | undefined;
  categoryCandidates: number;
  reasonShare: number;
};
export type RecommenderModel = PopularityModel | ItemKnnModel | BlendedModel;
export type Recommender = { name: string; train(history: Iterable<Purchase>): RecommenderModel };

// Categories are compared at their top two levels (`Women > Shoes`), as affinity.ts counts them.

function grow<T extends Uint32Array | Float32Array>(arr: T, make: (n: number) => T): T {
  const next = make(arr.length * 2);
  next.set(arr);
  return next;
}

function buildIndex(history: Iterable<Purchase>, opts: ExclusionOptions): PurchaseIndex {
  const productIndex = new Map<string, number>();
  const productIds: string[] = [];
  const customerIndex = new Map<string, number>();
  let cap = 1 << 16;
  let cust = new Uint32Array(cap);
  let item = new Uint32Array(cap);
  let at = new Uint32Array(cap);
  let qty = new Float32Array(cap);
  let n = 0;
  let latestAt = 0;
  for (const p of history) {
    if (n === cap) {
      cust = grow(cust, (m) => new Uint32Array(m));
      item = grow(item, (m) => new Uint32Array(m));
      at = grow(at, (m) => new Uint32Array(m));
      qty = grow(qty, (m) => new Float32Array(m));
      cap *= 2;
    }
    let c = customerIndex.get(p.customerId);
    if (c === undefined) customerIndex.set(p.customerId, (c = customerIndex.size));
    let i = productIndex.get(p.productId);
    if (i === undefined) {
      productIndex.set(p.productId, (i = productIds.length));
      productIds.push(p.productId);
    }
    const ms = p.at.getTime();
    if (ms > latestAt) latestAt = ms;
    cust[n] = c;
    item[n] = i;
    at[n] = Math.max(0, Math.floor(ms / 1000));
    qty[n] = p.quantity ?? 1;
    n++;
  }
  const nCust = customerIndex.size;
  const nItems = productIds.length;

  // Counting sort of the purchases by customer.
  const rowStart = new Uint32Array(nCust + 1);
  for (let x = 0; x < n; x++) rowStart[cust[x]! + 1]!++;
  for (let c = 0; c < nCust; c++) rowStart[c + 1]! += rowStart[c]!;
  const fill = rowStart.slice(0, nCust);
  const order = new Uint32Array(n);
  for (let x = 0; x < n; x++) order[fill[cust[x]!]!++] = x;

  // Collapse each customer's purchases to distinct products, keeping the latest time.
  const popularity = new Float64Array(nItems);
  const buyers = new Uint32Array(nItems);
  const seenBy = new Int32Array(nItems).fill(-1);
  const slot = new Uint32Array(nItems);
  const offsets = new Uint32Array(nCust + 1);
  const items = new Uint32Array(n);
  const lastAt = new Uint32Array(n);
  let out = 0;
  for (let c = 0; c < nCust; c++) {
    offsets[c] = out;
    for (let r = rowStart[c]!; r < rowStart[c + 1]!; r++) {
      const x = order[r]!;
      const i = item[x]!;
      popularity[i]! += qty[x]!;
      if (seenBy[i] !== c) {
        seenBy[i] = c;
        slot[i] = out;
        items[out] = i;
        lastAt[out] = at[x]!;
        buyers[i]!++;
        out++;
      } else if (at[x]! > lastAt[slot[i]!]!) {
        lastAt[slot[i]!] = at[x]!;
      }
    }
  }
  offsets[nCust] = out;

  const maxItemsPerCustomer = opts.maxItemsPerCustomer ?? 500;
  // Most recent first within a row, but only where it matters: rows longer than the co-occurrence cap.
  for (let c = 0; c < nCust; c++) {
    const a = offsets[c]!;
    const b = offsets[c + 1]!;
    if (b - a <= maxItemsPerCustomer) continue;
    const pairs = Array.from({ length: b - a }, (_, t) => [items[a + t]!, lastAt[a + t]!] as const).sort((p, q) => q[1] - p[1]);
    pairs.forEach(([i, t], idx) => {
      items[a + idx] = i;
      lastAt[a + idx] = t;
    });
  }

  const popularOrder = Uint32Array.from({ length: nItems }, (_, i) => i).sort((a, b) => popularity[b]! - popularity[a]! || a - b);
  const repeatable = new Uint8Array(nItems);
  for (const p of opts.products ?? []) {
    const i = productIndex.get(p.productId);
    if (i !== undefined && p.repeatable) repeatable[i] = 1;
  }
  return {
    productIds,
    productIndex,
    customerIndex,
    offsets,
    items: items.slice(0, out),
    lastAt: lastAt.slice(0, out),
    popularity,
    popularOrder,
    buyers,
    latestAt,
    repeatable,
    recentWindowSeconds: (opts.recentWindowDays ?? 30) * 86_400,
    excludePurchased: opts.excludePurchased ?? true,
    maxItemsPerCustomer,
  };
}

function newScratch(nItems: number): Scratch {
  return { mark: new Int32Array(nItems), generation: 0, sim: new Float64Array(nItems), co: new Float64Array(nItems), candidates: new Uint32Array(nItems) };
}

/**
 * Item-item statistics from the customer × product binary matrix, one product row at a time (one dense
 * scratch row, never the full matrix): co(i, j) = customers who bought both; cosine = co / √(n_i n_j);
 * confidence(i → j) = co / n_i; lift = co · customers / (n_i n_j). Keeps the top N by `rank`.
 */
function buildNeighbours(index: PurchaseIndex, n: number, minCoCount: number, rank: (cosine: number, confidence: number) => number): Neighbours {
  const nItems = index.productIds.length;
  const nCust = index.customerIndex.size;
  const { offsets, items, buyers, maxItemsPerCustomer } = index;
  const rowEnd = (c: number) => Math.min(offsets[c + 1]!, offsets[c]! + maxItemsPerCustomer);

  // Inverted index product → customers over the capped rows.
  const colStart = new Uint32Array(nItems + 1);
  for (let c = 0; c < nCust; c++) for (let x = offsets[c]!; x < rowEnd(c); x++) colStart[items[x]! + 1]!++;
  for (let i = 0; i < nItems; i++) colStart[i + 1]! += colStart[i]!;
  const colFill = colStart.slice(0, nItems);
  const colCustomers = new Uint32Array(colStart[nItems]!);
  for (let c = 0; c < nCust; c++) for (let x = offsets[c]!; x < rowEnd(c); x++) colCustomers[colFill[items[x]!]!++] = c;

  const count = new Uint16Array(nItems);
  const ids = new Uint32Array(nItems * n);
  const similarity = new Float32Array(nItems * n);
  const confidence = new Float32Array(nItems * n);
  const lift = new Float32Array(nItems * n);
  const co = new Float64Array(nItems);
  const touched = new Uint32Array(nItems);
  // Min-heap of the best n candidates by rank for the current row.
  const heapKey = new Float64Array(n);
  const heapId = new Uint32Array(n);
  const heapCo = new Float64Array(n);

  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let y = colStart[i]!; y < colStart[i + 1]!; y++) {
      const c = colCustomers[y]!;
      for (let x = offsets[c]!, end = rowEnd(c); x < end; x++) {
        const j = items[x]!;
        if (j === i) continue;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j]!++;
      }
    }
    const ni = buyers[i]!;
    let size = 0;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      const cij = co[j]!;
      co[j] = 0;
      if (cij < minCoCount) continue;
      const key = rank(cij / Math.sqrt(ni * buyers[j]!), cij / ni);
      if (size < n) {
        // Sift up.
        let p = size++;
        while (p > 0) {
          const parent = (p - 1) >> 1;
          if (heapKey[parent]! <= key) break;
          heapKey[p] = heapKey[parent]!;
          heapId[p] = heapId[parent]!;
          heapCo[p] = heapCo[parent]!;
          p = parent;
        }
        heapKey[p] = key;
        heapId[p] = j;
        heapCo[p] = cij;
      } else if (key > heapKey[0]!) {
        // Replace the root and sift down.
        let p = 0;
        for (;;) {
          const l = 2 * p + 1;
          if (l >= size) break;
          const r = l + 1;
          const m = r < size && heapKey[r]! < heapKey[l]! ? r : l;
          if (heapKey[m]! >= key) break;
          heapKey[p] = heapKey[m]!;
          heapId[p] = heapId[m]!;
          heapCo[p] = heapCo[m]!;
          p = m;
        }
        heapKey[p] = key;
        heapId[p] = j;
        heapCo[p] = cij;
      }
    }
    const chosen = Array.from({ length: size }, (_, t) => t).sort((a, b) => heapKey[b]! - heapKey[a]! || heapId[a]! - heapId[b]!);
    const base = i * n;
    chosen.forEach((t, slotIdx) => {
      const j = heapId[t]!;
      const nj = buyers[j]!;
      const cij = heapCo[t]!;
      ids[base + slotIdx] = j;
      similarity[base + slotIdx] = cij / Math.sqrt(ni * nj);
      confidence[base + slotIdx] = cij / ni;
      lift[base + slotIdx] = (cij * nCust) / (ni * nj);
    });
    count[i] = size;
  }
  return { n, count, ids, similarity, confidence, lift };
}

/** Baseline: the best sellers of the training window, minus what the customer may not be offered. */
export function trainPopularity(history: Iterable<Purchase>, opts: PopularityOptions = {}): PopularityModel {
  const index = buildIndex(history, opts);
  return { kind: 'popularity', index, scratch: newScratch(index.productIds.length) };
}

/** Baseline: item-item cosine on the binary customer × product matrix, score = Σ similarity to what the customer bought. */
export function trainItemKnn(history: Iterable<Purchase>, opts: ItemKnnOptions = {}): ItemKnnModel {
  const index = buildIndex(history, opts);
  const neighbours = buildNeighbours(index, opts.neighbours ?? 50, opts.minCoCount ?? 2, (cosine) => cosine);
  return { kind: 'item_knn', index, neighbours, scratch: newScratch(index.productIds.length) };
}

/** Ours: co-purchase rules (confidence where lift ≥ minLift) + cosine similarity + category affinity + a little popularity. */
export function trainBlended(history: Iterable<Purchase>, opts: BlendedOptions = {}): BlendedModel {
  const products = opts.products ? [...opts.products] : [];
  const index = buildIndex(history, { ...opts, products });
  const weights = { ...DEFAULT_BLEND_WEIGHTS, ...opts.weights };
  // Neighbours are chosen by the same blend of similarity and confidence they will be scored with, so
  // strong rules towards popular products are kept even when their cosine is modest.
  const neighbours = buildNeighbours(index, opts.neighbours ?? 50, opts.minCoCount ?? 2, (cosine, conf) => weights.similar * cosine + weights.coPurchase * conf);

  const nItems = index.productIds.length;
  const productCategory = new Int32Array(nItems).fill(-1);
  const categoryKeys: string[] = [];
  const categoryIndex = new Map<string, number>();
  for (const p of products) {
    const i = index.productIndex.get(p.productId);
    if (i === undefined) continue;
    const key = categoryKey(p.category);
    let k = categoryIndex.get(key);
    if (k === undefined) {
      categoryIndex.set(key, (k = categoryKeys.length));
      categoryKeys.push(key);
    }
    productCategory[i] = k;
  }
  const perCategory = opts.perCategoryCandidates ?? 20;
  const tops: number[][] = categoryKeys.map(() => []);
  for (const i of index.popularOrder) {
    const k = productCategory[i]!;
    if (k >= 0 && tops[k]!.length < perCategory) tops[k]!.push(i);
  }
  return {
    kind: 'blended',
    index,
    neighbours,
    scratch: newScratch(nItems),
    weights,
    minLift: opts.minLift ?? 1,
    productCategory,
    categoryKeys,
    categoryIndex,
    categoryTop: tops.map((t) => Uint32Array.from(t)),
    categoryAffinity: opts.categoryAffinity,
    categoryCandidates: opts.categoryCandidates ?? 3,
    reasonShare: opts.reasonShare ?? 0.2,
  };
}

export function popularityRecommender(opts: PopularityOptions = {}): Recommender {
  return { name: 'popularity', train: (history) => trainPopularity(history, opts) };
}
export function itemKnnRecommender(opts: ItemKnnOptions = {}): Recommender {
  return { name: 'item-knn', train: (history) => trainItemKnn(history, opts) };
}
export function blendedRecommender(opts: BlendedOptions = {}): Recommender {
  return { name: 'blended', train: (history) => trainBlended(history, opts) };
}

/**
 * Marks (in scratch.mark with the current generation) every product this customer may not be offered:
 * the recent-window purchases, everything bought unless repeatable (when excludePurchased), and `exclude`.
 */
function markExcluded(model: RecommenderModel, row: number | undefined, nowSeconds: number, exclude: Iterable<string> | undefined): number {
  const { index, scratch } = model;
  const gen = ++scratch.generation;
  if (row !== undefined) {
    const since = nowSeconds - index.recentWindowSeconds;
    for (let x = index.offsets[row]!; x < index.offsets[row + 1]!; x++) {
      const i = index.items[x]!;
      if (index.lastAt[x]! >= since || (index.excludePurchased && index.repeatable[i] === 0)) scratch.mark[i] = gen;
    }
  }
  for (const id of exclude ?? []) {
    const i = index.productIndex.get(id);
    if (i !== undefined) scratch.mark[i] = gen;
  }
  return gen;
}

function popularFill(model: RecommenderModel, out: Recommendation[], k: number, gen: number): void {
  const { index, scratch } = model;
  const top = index.popularity[index.popularOrder[0] ?? 0] || 1;
  // Fallback rows rank below the scored ones: their score is the best seller's share of the lowest score so far.
  const ceiling = out.length > 0 ? out[out.length - 1]!.score : 1;
  for (let r = 0; r < index.popularOrder.length && out.length < k; r++) {
    const i = index.popularOrder[r]!;
    if (scratch.mark[i] === gen) continue;
    scratch.mark[i] = gen;
    const score = model.kind === 'popularity' ? index.popularity[i]! : (ceiling * index.popularity[i]!) / top;
    out.push({ productId: index.productIds[i]!, score, reasons: ['popular'] });
  }
}

/** Top-k recommendations for one customer; customers the model has not seen get the best sellers. */
export function recommend(model: RecommenderModel, customerId: string, opts: RecommendOptions): Recommendation[] {
  const { index } = model;
  const k = opts.k;
  const nowSeconds = Math.floor((opts.now?.getTime() ?? index.latestAt) / 1000);
  const row = index.customerIndex.get(customerId);
  const gen = markExcluded(model, row, nowSeconds, opts.exclude);
  const out: Recommendation[] = [];
  if (k <= 0) return out;
  if (model.kind === 'item_knn' && row !== undefined) scoreItemKnn(model, row, k, gen, out);
  if (model.kind === 'blended' && row !== undefined) scoreBlended(model, customerId, row, k, gen, out, opts.categories);
  // Cold customers, and lists the neighbours could not fill, fall back to the best sellers.
  popularFill(model, out, k, gen);
  return out;
}

function topCandidates(scores: Float64Array, candidates: Uint32Array, n: number, k: number): number[] {
  const list = Array.from(candidates.subarray(0, n));
  list.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return list.slice(0, k);
}

function scoreItemKnn(model: ItemKnnModel, row: number, k: number, gen: number, out: Recommendation[]): void {
  const { index, neighbours: nb, scratch } = model;
  const { sim, candidates } = scratch;
  let nCand = 0;
  for (let x = index.offsets[row]!; x < index.offsets[row + 1]!; x++) {
    const i = index.items[x]!;
    const base = i * nb.n;
    for (let s = 0; s < nb.count[i]!; s++) {
      const j = nb.ids[base + s]!;
      if (scratch.mark[j] === gen) continue;
      if (sim[j] === 0) candidates[nCand++] = j;
      sim[j]! += nb.similarity[base + s]!;
    }
  }
  for (const j of topCandidates(sim, candidates, nCand, k)) out.push({ productId: index.productIds[j]!, score: sim[j]!, reasons: ['similar'] });
  for (let t = 0; t < nCand; t++) sim[candidates[t]!] = 0;
  for (const r of out) scratch.mark[index.productIndex.get(r.productId)!] = gen;
}

function customerCategories(model: BlendedModel, customerId: string, row: number, given: readonly Affinity[] | undefined): Map<number, number> {
  const affinity = new Map<number, number>();
  const supplied = given ?? model.categoryAffinity?.(customerId);
  if (supplied) {
    for (const a of supplied) {
      const k = model.categoryIndex.get(categoryKey(a.key));
      if (k !== undefined) affinity.set(k, Math.max(affinity.get(k) ?? 0, a.weight));
    }
    return affinity;
  }
  // No inferred affinities: the share of the customer's distinct purchases per category, top = 1.
  const { index } = model;
  let top = 0;
  for (let x = index.offsets[row]!; x < index.offsets[row + 1]!; x++) {
    const k = model.productCategory[index.items[x]!]!;
    if (k < 0) continue;
    const v = (affinity.get(k) ?? 0) + 1;
    affinity.set(k, v);
    if (v > top) top = v;
  }
  for (const [k, v] of affinity) affinity.set(k, v / top);
  return affinity;
}

function scoreBlended(model: BlendedModel, customerId: string, row: number, k: number, gen: number, out: Recommendation[], given: readonly Affinity[] | undefined): void {
  const { index, neighbours: nb, scratch, weights } = model;
  const { sim, co, candidates } = scratch;
  let nCand = 0;
  // Candidates are marked with -gen (excluded products carry +gen, and are never added).
  const add = (j: number) => {
    if (scratch.mark[j] !== -gen) {
      scratch.mark[j] = -gen;
      candidates[nCand++] = j;
    }
  };
  for (let x = index.offsets[row]!; x < index.offsets[row + 1]!; x++) {
    const i = index.items[x]!;
    const base = i * nb.n;
    for (let s = 0; s < nb.count[i]!; s++) {
      const j = nb.ids[base + s]!;
      if (scratch.mark[j] === gen) continue;
      add(j);
      sim[j]! += nb.similarity[base + s]!;
      if (nb.lift[base + s]! >= model.minLift) co[j]! += nb.confidence[base + s]!;
    }
  }
  const affinity = customerCategories(model, customerId, row, given);
  if (weights.category > 0 && affinity.size > 0) {
    const topCats = [...affinity].sort((a, b) => b[1] - a[1]).slice(0, model.categoryCandidates);
    for (const [cat] of topCats) for (const j of model.categoryTop[cat]!) if (scratch.mark[j] !== gen) add(j);
  }
  let maxSim = 0;
  let maxCo = 0;
  for (let t = 0; t < nCand; t++) {
    const j = candidates[t]!;
    if (sim[j]! > maxSim) maxSim = sim[j]!;
    if (co[j]! > maxCo) maxCo = co[j]!;
  }
  const topPopularity = Math.log1p(index.popularity[index.popularOrder[0]!] ?? 0) || 1;
  // Each part is brought to 0..1 for this customer so the weights, not the units, set the balance.
  const parts = new Float64Array(4);
  const partsOf = (j: number) => {
    parts[0] = maxCo > 0 ? (weights.coPurchase * co[j]!) / maxCo : 0;
    parts[1] = maxSim > 0 ? (weights.similar * sim[j]!) / maxSim : 0;
    const cat = model.productCategory[j]!;
    parts[2] = cat >= 0 ? weights.category * (affinity.get(cat) ?? 0) : 0;
    parts[3] = (weights.popular * Math.log1p(index.popularity[j]!)) / topPopularity;
    return parts[0]! + parts[1]! + parts[2]! + parts[3]!;
  };
  // Top k by insertion into a short sorted list: candidates run to hundreds, k to ten.
  const topJ: number[] = [];
  const topS: number[] = [];
  for (let t = 0; t < nCand; t++) {
    const j = candidates[t]!;
    const s = partsOf(j);
    if (topJ.length === k && (s < topS[k - 1]! || (s === topS[k - 1]! && j > topJ[k - 1]!))) continue;
    let p = topJ.length < k ? topJ.length : k - 1;
    while (p > 0 && (topS[p - 1]! < s || (topS[p - 1] === s && topJ[p - 1]! > j))) {
      topS[p] = topS[p - 1]!;
      topJ[p] = topJ[p - 1]!;
      p--;
    }
    topS[p] = s;
    topJ[p] = j;
  }
  const reasonNames: Reason[] = ['co_purchase', 'similar', 'category', 'popular'];
  for (const j of topJ) {
    const s = partsOf(j);
    const reasons: Reason[] = [];
    for (const p of [0, 1, 2, 3].sort((a, b) => parts[b]! - parts[a]!)) if (parts[p]! > 0 && parts[p]! >= model.reasonShare * s) reasons.push(reasonNames[p]!);
    out.push({ productId: index.productIds[j]!, score: s, reasons: reasons.length > 0 ? reasons : ['popular'] });
    scratch.mark[j] = gen;
  }
  for (let t = 0; t < nCand; t++) {
    const j = candidates[t]!;
    sim[j] = 0;
    co[j] = 0;
  }
}

/**
 * Streams recommendations for many customers (the nightly batch): one row per customer, produced lazily
 * so a job can write them to the database as they come.
 */
export function* recommendForAll(
  model: RecommenderModel,
  customerIds: Iterable<string>,
  k: number,
  opts: { now?: Date } = {},
): Generator<{ customerId: string; recommendations: Recommendation[] }> {
  for (const customerId of customerIds) yield { customerId, recommendations: recommend(model, customerId, { k, now: opts.now }) };
}

export type EvaluationRow = { name: string } & RankingReport;

/**
 * Offline evaluation by a time split. Each recommender is trained on the purchases before `splitAt`;
 * a customer's relevant set is the products they bought at or after `splitAt` that they had NOT bought
 * before it (recommending a re-purchase is not a discovery, and every model excludes past purchases).
 * Only customers with both a training history and at least one new product are scored, so cold-start
 * fallbacks do not dilute the comparison; `users` says how many. Recommendations are made at `now = splitAt`.
 */
export function evaluateRecommenders(opts: { history: Iterable<Purchase>; splitAt: Date; k: number; recommenders: readonly Recommender[] }): EvaluationRow[] {
  const split = opts.splitAt.getTime();
  const train: Purchase[] = [];
  const later: Purchase[] = [];
  for (const p of opts.history) (p.at.getTime() < split ? train : later).push(p);
  const before = new Map<string, Set<string>>();
  for (const p of train) {
    let s = before.get(p.customerId);
    if (!s) before.set(p.customerId, (s = new Set()));
    s.add(p.productId);
  }
  const relevant = new Map<string, Set<string>>();
  for (const p of later) {
    const had = before.get(p.customerId);
    if (!had || had.has(p.productId)) continue;
    let s = relevant.get(p.customerId);
    if (!s) relevant.set(p.customerId, (s = new Set()));
    s.add(p.productId);
  }
  return opts.recommenders.map((r) => {
    const model = r.train(train);
    const cases = [...relevant].map(([customerId, rel]) => ({
      recommended: recommend(model, customerId, { k: opts.k, now: opts.splitAt }).map((x) => x.productId),
      relevant: rel,
    }));
    return { name: r.name, ...evaluateRankings(cases, opts.k) };
  });
}
