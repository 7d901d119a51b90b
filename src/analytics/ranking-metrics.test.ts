import { describe, expect, it } from 'vitest';
import {
  averagePrecisionAtK,
  evaluateRankings,
  meanAveragePrecisionAtK,
  meanReciprocalRank,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from './ranking-metrics.ts';

const log2 = Math.log2;

// Each case is worked out by hand in its comment.
const cases: {
  name: string;
  recommended: string[];
  relevant: string[];
  k: number;
  precision: number;
  recall: number;
  ap: number;
  ndcg: number;
  rr: number;
}[] = [
  // Hits at ranks 1 and 3. P@5 = 2/5. R@5 = 2/3. AP = (1/1 + 2/3) / min(3, 5) = 0.5556.
  // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309; nDCG = 0.7039. RR = 1.
  { name: 'two hits of three', recommended: ['a', 'b', 'c', 'd', 'e'], relevant: ['a', 'c', 'f'], k: 5, precision: 2 / 5, recall: 2 / 3, ap: (1 + 2 / 3) / 3, ndcg: 1.5 / (1 + 1 / log2(3) + 0.5), rr: 1 },
  // One hit at rank 3. P@3 = 1/3, R = 1, AP = (1/3)/1, nDCG = (1/log2(4)) / 1 = 0.5, RR = 1/3.
  { name: 'hit at rank 3', recommended: ['x', 'y', 'a'], relevant: ['a'], k: 3, precision: 1 / 3, recall: 1, ap: 1 / 3, ndcg: 0.5, rr: 1 / 3 },
  // Fewer than k recommendations: the empty slots are misses. P@5 = 1/5, R = 1/2, AP = 1 / min(2, 5) = 0.5,
  // nDCG = 1 / (1 + 1/log2(3)) = 0.6131, RR = 1.
  { name: 'short list', recommended: ['a'], relevant: ['a', 'b'], k: 5, precision: 1 / 5, recall: 1 / 2, ap: 1 / 2, ndcg: 1 / (1 + 1 / log2(3)), rr: 1 },
  // A duplicate of a hit scores nothing: hits at rank 1 only. P@3 = 1/3, R = 1, AP = 1/1, nDCG = 1, RR = 1.
  { name: 'duplicate hit', recommended: ['a', 'a', 'b'], relevant: ['a'], k: 3, precision: 1 / 3, recall: 1, ap: 1, ndcg: 1, rr: 1 },
  // Hit at rank 2, its duplicate at rank 3 ignored. P@3 = 1/3, R = 1/2, AP = (1/2) / min(2, 3) = 0.25,
  // nDCG = (1/log2(3)) / (1 + 1/log2(3)) = 0.3869, RR = 1/2.
  { name: 'duplicate after hit', recommended: ['x', 'a', 'a'], relevant: ['a', 'b'], k: 3, precision: 1 / 3, recall: 1 / 2, ap: 0.25, ndcg: 1 / log2(3) / (1 + 1 / log2(3)), rr: 1 / 2 },
  // More relevant items than slots: a perfect list still scores AP = (1/1 + 2/2) / min(4, 2) = 1 and nDCG = 1. R = 2/4.
  { name: 'more relevant than k', recommended: ['a', 'b', 'c'], relevant: ['a', 'b', 'c', 'd'], k: 2, precision: 1, recall: 1 / 2, ap: 1, ndcg: 1, rr: 1 },
  // The hit sits beyond k: nothing counts. RR is cut at k too.
  { name: 'hit beyond k', recommended: ['x', 'y', 'a'], relevant: ['a'], k: 2, precision: 0, recall: 0, ap: 0, ndcg: 0, rr: 0 },
  // No relevant items: every metric is 0.
  { name: 'no relevant items', recommended: ['a', 'b'], relevant: [], k: 2, precision: 0, recall: 0, ap: 0, ndcg: 0, rr: 0 },
  // Empty list.
  { name: 'empty list', recommended: [], relevant: ['a'], k: 3, precision: 0, recall: 0, ap: 0, ndcg: 0, rr: 0 },
];

describe('ranking metrics on hand-computed cases', () => {
  it.each(cases)('$name', ({ recommended, relevant, k, precision, recall, ap, ndcg, rr }) => {
    expect(precisionAtK(recommended, relevant, k)).toBeCloseTo(precision, 10);
    expect(recallAtK(recommended, new Set(relevant), k)).toBeCloseTo(recall, 10);
    expect(averagePrecisionAtK(recommended, relevant, k)).toBeCloseTo(ap, 10);
    expect(ndcgAtK(recommended, relevant, k)).toBeCloseTo(ndcg, 10);
    expect(reciprocalRank(recommended, relevant, k)).toBeCloseTo(rr, 10);
  });

  it('reciprocal rank without k looks at the whole list', () => {
    expect(reciprocalRank(['x', 'y', 'z', 'a'], ['a'])).toBe(1 / 4);
  });

  it('AP@k rewards putting hits first', () => {
    // [a, x] → (1/1)/1 = 1; [x, a] → (1/2)/1 = 0.5.
    expect(averagePrecisionAtK(['a', 'x'], ['a'], 2)).toBe(1);
    expect(averagePrecisionAtK(['x', 'a'], ['a'], 2)).toBe(0.5);
  });
});

describe('means over users', () => {
  // User 1 at k=5: AP = 0.5556, nDCG = 0.7039, RR = 1, P = 0.4, R = 2/3.
  // User 2 at k=5 (hit at rank 3 of 1 relevant): AP = 1/3, nDCG = 0.5, RR = 1/3, P = 1/5, R = 1.
  // User 3 has no relevant items and is left out of every mean.
  const users = [
    { recommended: ['a', 'b', 'c', 'd', 'e'], relevant: new Set(['a', 'c', 'f']) },
    { recommended: ['x', 'y', 'a'], relevant: ['a'] },
    { recommended: ['a'], relevant: [] },
  ];

  it('evaluateRankings averages over users with something to find', () => {
    const report = evaluateRankings(users, 5);
    expect(report.users).toBe(2);
    expect(report.mapAtK).toBeCloseTo(((1 + 2 / 3) / 3 + 1 / 3) / 2, 10); // 0.4444
    expect(report.ndcgAtK).toBeCloseTo((1.5 / (1.5 + 1 / log2(3)) + 0.5) / 2, 10); // 0.6020
    expect(report.mrr).toBeCloseTo((1 + 1 / 3) / 2, 10); // 0.6667
    expect(report.precisionAtK).toBeCloseTo((0.4 + 0.2) / 2, 10); // 0.3
    expect(report.recallAtK).toBeCloseTo((2 / 3 + 1) / 2, 10); // 0.8333
  });

  it('MAP and MRR agree with evaluateRankings', () => {
    const report = evaluateRankings(users, 5);
    expect(meanAveragePrecisionAtK(users, 5)).toBeCloseTo(report.mapAtK, 12);
    expect(meanReciprocalRank(users, 5)).toBeCloseTo(report.mrr, 12);
  });

  it('no users gives zeros, not NaN', () => {
    expect(evaluateRankings([], 10)).toEqual({ users: 0, mapAtK: 0, ndcgAtK: 0, mrr: 0, precisionAtK: 0, recallAtK: 0 });
  });
});
