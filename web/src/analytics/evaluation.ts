// The recommender evaluation table and the CLV holdout chart, from the server's reports. Pure.

export const EVALUATION_METRICS = ['mapAtK', 'ndcgAtK', 'mrr', 'precisionAtK', 'recallAtK'] as const;
export type EvaluationMetric = (typeof EVALUATION_METRICS)[number];
export type EvaluationRow = { name: string; users: number } & Record<EvaluationMetric, number>;

/**
 * For each metric, the names of the models with the best (highest) value; ties share it. A
 * column where every model scores the same (or nothing above zero) has no best.
 */
export function bestByMetric(rows: readonly EvaluationRow[]): Record<EvaluationMetric, string[]> {
  const out = {} as Record<EvaluationMetric, string[]>;
  for (const metric of EVALUATION_METRICS) {
    const values = rows.map((r) => r[metric]).filter((v) => Number.isFinite(v));
    const best = Math.max(...values);
    const winners = values.length && best > 0 ? rows.filter((r) => Math.abs(r[metric] - best) < 1e-12).map((r) => r.name) : [];
    out[metric] = winners.length === rows.length && rows.length > 1 ? [] : winners;
  }
  return out;
}

/** Models in the order the page shows them: the baselines first, the blended model last. */
export function orderModels<T extends { name: string }>(rows: readonly T[]): T[] {
  const rank = (name: string) => ['popularity', 'item-knn', 'blended'].indexOf(name);
  return [...rows].sort((a, b) => (rank(a.name) === -1 ? 99 : rank(a.name)) - (rank(b.name) === -1 ? 99 : rank(b.name)));
}

export type HoldoutBucket = { frequency: number; label: string; customers: number; meanPredicted: number; meanActual: number };

/** Bars of predicted against actual purchases per customer, by calibration-period frequency; empty buckets left out. */
export function holdoutChartData(buckets: readonly HoldoutBucket[]): { label: string; predicted: number; actual: number }[] {
  return buckets.filter((b) => b.customers > 0).map((b) => ({ label: b.label, predicted: round(b.meanPredicted, 3), actual: round(b.meanActual, 3) }));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
