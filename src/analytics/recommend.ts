// Product recommendations from purchase histories: a popularity baseline, an item-kNN baseline and
// the blended recommender (co-purchase rules + item similarity + category affinity), plus an offline
// time-split evaluation. Pure functions: the history is passed in, `now` is passed in, no database.
//
// Built to run nightly for every customer (1M customers × 10k products): customers and their distinct
// products are kept as CSR typed arrays, each product keeps only its top-N neighbours, and scoring one
// customer touches only the neighbours of what they bought.

import { affinityCategoryKey as categoryKey, type Affinity } from './affinity.ts';
import { buildIndexSteps, buildNeighboursSteps, type ExclusionOptions, type Neighbours, type Purchase, type PurchaseIndex } from './purchase-index.ts';
import { evaluateRankings, type RankingReport } from './ranking-metrics.ts';
import { runSteps, type Steps } from './steps.ts';

export type { ExclusionOptions, ProductMeta, Purchase } from './purchase-index.ts';

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
/** `train` as steps (steps.ts), so that an evaluation inside a job can train in slices. */
export type Recommender = { name: string; train(history: Iterable<Purchase>): Steps<RecommenderModel> };

// Categories are compared at their top two levels (`Women > Shoes`), as affinity.ts counts them.

function newScratch(nItems: number): Scratch {
  return { mark: new Int32Array(nItems), generation: 0, sim: new Float64Array(nItems), co: new Float64Array(nItems), candidates: new Uint32Array(nItems) };
}

/** Baseline: the best sellers of the training window, minus what the customer may not be offered. */
export function trainPopularity(history: Iterable<Purchase>, opts: PopularityOptions = {}): PopularityModel {
  return runSteps(trainPopularitySteps(history, opts));
}
function* trainPopularitySteps(history: Iterable<Purchase>, opts: PopularityOptions): Steps<PopularityModel> {
  const index = yield* buildIndexSteps(history, opts);
  return { kind: 'popularity', index, scratch: newScratch(index.productIds.length) };
}

/** Baseline: item-item cosine on the binary customer × product matrix, score = Σ similarity to what the customer bought. */
export function trainItemKnn(history: Iterable<Purchase>, opts: ItemKnnOptions = {}): ItemKnnModel {
  return runSteps(trainItemKnnSteps(history, opts));
}
function* trainItemKnnSteps(history: Iterable<Purchase>, opts: ItemKnnOptions): Steps<ItemKnnModel> {
  const index = yield* buildIndexSteps(history, opts);
  const neighbours = yield* buildNeighboursSteps(index, opts.neighbours ?? 50, opts.minCoCount ?? 2, (cosine) => cosine);
  return { kind: 'item_knn', index, neighbours, scratch: newScratch(index.productIds.length) };
}

/** Ours: co-purchase rules (confidence where lift ≥ minLift) + cosine similarity + category affinity + a little popularity. */
export function trainBlended(history: Iterable<Purchase>, opts: BlendedOptions = {}): BlendedModel {
  return runSteps(trainBlendedSteps(history, opts));
}
export function* trainBlendedSteps(history: Iterable<Purchase>, opts: BlendedOptions = {}): Steps<BlendedModel> {
  const products = opts.products ? [...opts.products] : [];
  const index = yield* buildIndexSteps(history, { ...opts, products });
  const weights = { ...DEFAULT_BLEND_WEIGHTS, ...opts.weights };
  // Neighbours are chosen by the same blend of similarity and confidence they will be scored with, so
  // strong rules towards popular products are kept even when their cosine is modest.
  const neighbours = yield* buildNeighboursSteps(index, opts.neighbours ?? 50, opts.minCoCount ?? 2, (cosine, conf) => weights.similar * cosine + weights.coPurchase * conf);

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
  return { name: 'popularity', train: (history) => trainPopularitySteps(history, opts) };
}
export function itemKnnRecommender(opts: ItemKnnOptions = {}): Recommender {
  return { name: 'item-knn', train: (history) => trainItemKnnSteps(history, opts) };
}
export function blendedRecommender(opts: BlendedOptions = {}): Recommender {
  return { name: 'blended', train: (history) => trainBlendedSteps(history, opts) };
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
export function evaluateRecommenders(opts: EvaluationOptions): EvaluationRow[] {
  return runSteps(evaluateRecommendersSteps(opts));
}
type EvaluationOptions = { history: Iterable<Purchase>; splitAt: Date; k: number; recommenders: readonly Recommender[] };

export function* evaluateRecommendersSteps(opts: EvaluationOptions): Steps<EvaluationRow[]> {
  const split = opts.splitAt.getTime();
  const train: Purchase[] = [];
  const later: Purchase[] = [];
  let seen = 0;
  for (const p of opts.history) {
    if ((++seen & 0x3fff) === 0) yield;
    (p.at.getTime() < split ? train : later).push(p);
  }
  const before = new Map<string, Set<string>>();
  for (const p of train) {
    if ((++seen & 0x3fff) === 0) yield;
    let s = before.get(p.customerId);
    if (!s) before.set(p.customerId, (s = new Set()));
    s.add(p.productId);
  }
  const relevant = new Map<string, Set<string>>();
  for (const p of later) {
    if ((++seen & 0x3fff) === 0) yield;
    const had = before.get(p.customerId);
    if (!had || had.has(p.productId)) continue;
    let s = relevant.get(p.customerId);
    if (!s) relevant.set(p.customerId, (s = new Set()));
    s.add(p.productId);
  }
  yield;
  const rows: EvaluationRow[] = [];
  for (const r of opts.recommenders) {
    const model = yield* r.train(train);
    const cases: { recommended: string[]; relevant: Set<string> }[] = [];
    for (const [customerId, rel] of relevant) {
      if ((cases.length & 0x3ff) === 0x3ff) yield;
      cases.push({ recommended: recommend(model, customerId, { k: opts.k, now: opts.splitAt }).map((x) => x.productId), relevant: rel });
    }
    rows.push({ name: r.name, ...evaluateRankings(cases, opts.k) });
  }
  return rows;
}
