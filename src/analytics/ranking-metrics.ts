// Offline ranking metrics for recommendation lists (binary relevance): precision, recall, AP, nDCG, RR
// and their means over users. Pure functions; the recommender evaluation builds on evaluateRankings.
//
// Conventions, shared by every metric here:
// - Only the first occurrence of an item in a list counts: a duplicate is neither a second hit nor a
//   second miss-free slot, it simply scores nothing (so a list cannot inflate its score by repeating a hit).
// - A list shorter than k is not padded: the missing slots are misses (precision@k still divides by k).
// - With no relevant items every metric is 0; evaluateRankings leaves such users out of the means.

export type Relevant = ReadonlySet<string> | readonly string[];

function asSet(relevant: Relevant): ReadonlySet<string> {
  return relevant instanceof Set ? relevant : new Set(relevant as readonly string[]);
}

/** 1-based ranks (within the first k slots) at which a not-yet-seen relevant item appears. */
function hitRanks(recommended: readonly string[], relevant: ReadonlySet<string>, k: number): number[] {
  const seen = new Set<string>();
  const ranks: number[] = [];
  const n = Math.min(k, recommended.length);
  for (let i = 0; i < n; i++) {
    const item = recommended[i]!;
    if (seen.has(item)) continue;
    seen.add(item);
    if (relevant.has(item)) ranks.push(i + 1);
  }
  return ranks;
}

/** Hits in the top k divided by k. */
export function precisionAtK(recommended: readonly string[], relevant: Relevant, k: number): number {
  if (k <= 0) return 0;
  return hitRanks(recommended, asSet(relevant), k).length / k;
}

/** Hits in the top k divided by the number of relevant items. */
export function recallAtK(recommended: readonly string[], relevant: Relevant, k: number): number {
  const rel = asSet(relevant);
  if (rel.size === 0 || k <= 0) return 0;
  return hitRanks(recommended, rel, k).length / rel.size;
}

/**
 * AP@k = (1 / min(|relevant|, k)) · Σ_{i ≤ k, item i relevant} precision@i.
 * The min(|relevant|, k) denominator (as in the ml_metrics / Kaggle "apk" definition) lets a perfect
 * list score 1 even when there are more relevant items than slots.
 */
export function averagePrecisionAtK(recommended: readonly string[], relevant: Relevant, k: number): number {
  const rel = asSet(relevant);
  if (rel.size === 0 || k <= 0) return 0;
  const ranks = hitRanks(recommended, rel, k);
  let sum = 0;
  ranks.forEach((rank, idx) => {
    sum += (idx + 1) / rank;
  });
  return sum / Math.min(rel.size, k);
}

/** nDCG@k with binary gains and a log2(rank + 1) discount; the ideal list puts min(|relevant|, k) hits first. */
export function ndcgAtK(recommended: readonly string[], relevant: Relevant, k: number): number {
  const rel = asSet(relevant);
  if (rel.size === 0 || k <= 0) return 0;
  let dcg = 0;
  for (const rank of hitRanks(recommended, rel, k)) dcg += 1 / Math.log2(rank + 1);
  let ideal = 0;
  const idealHits = Math.min(rel.size, k);
  for (let rank = 1; rank <= idealHits; rank++) ideal += 1 / Math.log2(rank + 1);
  return dcg / ideal;
}

/** 1 / rank of the first relevant item within the top k (k defaults to the whole list), else 0. */
export function reciprocalRank(recommended: readonly string[], relevant: Relevant, k: number = recommended.length): number {
  const first = hitRanks(recommended, asSet(relevant), k)[0];
  return first === undefined ? 0 : 1 / first;
}

export type RankingCase = { recommended: readonly string[]; relevant: Relevant };

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Mean of AP@k over the cases that have at least one relevant item. */
export function meanAveragePrecisionAtK(cases: readonly RankingCase[], k: number): number {
  return mean(cases.filter((c) => asSet(c.relevant).size > 0).map((c) => averagePrecisionAtK(c.recommended, c.relevant, k)));
}

/** Mean of RR@k over the cases that have at least one relevant item. */
export function meanReciprocalRank(cases: readonly RankingCase[], k?: number): number {
  return mean(cases.filter((c) => asSet(c.relevant).size > 0).map((c) => reciprocalRank(c.recommended, c.relevant, k)));
}

export type RankingReport = { users: number; mapAtK: number; ndcgAtK: number; mrr: number; precisionAtK: number; recallAtK: number };

/**
 * All metrics at k, averaged over the users with at least one relevant item (a user with nothing to
 * find cannot tell good lists from bad ones); `users` is how many were averaged. MRR is cut at k too.
 */
export function evaluateRankings(cases: Iterable<RankingCase>, k: number): RankingReport {
  let users = 0;
  let ap = 0;
  let ndcg = 0;
  let rr = 0;
  let precision = 0;
  let recall = 0;
  for (const c of cases) {
    const rel = asSet(c.relevant);
    if (rel.size === 0) continue;
    users++;
    ap += averagePrecisionAtK(c.recommended, rel, k);
    ndcg += ndcgAtK(c.recommended, rel, k);
    rr += reciprocalRank(c.recommended, rel, k);
    precision += precisionAtK(c.recommended, rel, k);
    recall += recallAtK(c.recommended, rel, k);
  }
  const avg = (v: number) => (users === 0 ? 0 : v / users);
  return { users, mapAtK: avg(ap), ndcgAtK: avg(ndcg), mrr: avg(rr), precisionAtK: avg(precision), recallAtK: avg(recall) };
}
