import { describe, expect, it } from 'vitest';
import { bestByMetric, holdoutChartData, orderModels, type EvaluationRow } from './evaluation.ts';

const row = (name: string, v: Partial<EvaluationRow>): EvaluationRow => ({ name, users: 10, mapAtK: 0, ndcgAtK: 0, mrr: 0, precisionAtK: 0, recallAtK: 0, ...v });

describe('bestByMetric', () => {
  it('finds the best model of each metric, ties shared, zero columns none', () => {
    const best = bestByMetric([
      row('popularity', { mapAtK: 0.1, ndcgAtK: 0.2, mrr: 0.3, precisionAtK: 0.05 }),
      row('item-knn', { mapAtK: 0.2, ndcgAtK: 0.2, mrr: 0.1, precisionAtK: 0.05 }),
      row('blended', { mapAtK: 0.15, ndcgAtK: 0.1, mrr: 0.2, precisionAtK: 0.01 }),
    ]);
    expect(best).toEqual({ mapAtK: ['item-knn'], ndcgAtK: ['popularity', 'item-knn'], mrr: ['popularity'], precisionAtK: ['popularity', 'item-knn'], recallAtK: [] });
  });

  it('highlights nothing where every model scores the same', () => {
    expect(bestByMetric([row('popularity', { mrr: 0.75 }), row('item-knn', { mrr: 0.75 }), row('blended', { mrr: 0.75 })]).mrr).toEqual([]);
    expect(bestByMetric([row('blended', { mrr: 0.75 })]).mrr).toEqual(['blended']);
  });

  it('has nothing to highlight without rows', () => {
    expect(bestByMetric([]).mapAtK).toEqual([]);
  });
});

describe('orderModels', () => {
  it('puts the baselines first and unknown names last', () => {
    expect(orderModels([{ name: 'blended' }, { name: 'x' }, { name: 'item-knn' }, { name: 'popularity' }]).map((r) => r.name)).toEqual(['popularity', 'item-knn', 'blended', 'x']);
  });
});

describe('holdoutChartData', () => {
  it('keeps buckets with customers, rounded', () => {
    expect(
      holdoutChartData([
        { frequency: 0, label: '0', customers: 5, meanPredicted: 0.123456, meanActual: 0.2 },
        { frequency: 1, label: '1', customers: 0, meanPredicted: 0, meanActual: 0 },
        { frequency: 7, label: '7+', customers: 2, meanPredicted: 3.5, meanActual: 4 },
      ]),
    ).toEqual([
      { label: '0', predicted: 0.123, actual: 0.2 },
      { label: '7+', predicted: 3.5, actual: 4 },
    ]);
  });
});
