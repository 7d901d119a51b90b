// Benchmark piece for the recommender: trains the blended model on a seeded synthetic history
// (default 1M customers, ~10M purchases, 5k products, generated lazily while training), times the
// nightly recommendForAll over every customer (k = 10), and evaluates the three recommenders on a
// smaller time-split set. Composed into bench/analytics.ts. The training is timed twice: in one
// piece, and in slices as the job runs it (steps.ts), with the longest stall of the event loop.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Figure } from '../harness.ts';
import { generatePurchases, syntheticProducts } from '../../src/demo-data/purchases.ts';
import {
  blendedRecommender,
  evaluateRecommenders,
  itemKnnRecommender,
  popularityRecommender,
  recommendForAll,
  trainBlended,
  trainBlendedSteps,
  type RecommenderModel,
} from '../../src/analytics/recommend.ts';
import { runStepsInSlices } from '../../src/analytics/steps.ts';

export type RecommendBenchOptions = { customers?: number; products?: number; evalCustomers?: number; seed?: number };

function typedBytes(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((s: number, v) => s + typedBytes(v, seen), 0);
  if (value instanceof Map) return 0;
  return Object.values(value).reduce((s: number, v) => s + typedBytes(v, seen), 0);
}

/** Typed-array bytes of a model (the customer and product id maps are on the JS heap and not counted here). */
function modelTypedMb(model: RecommenderModel): number {
  return typedBytes(model) / 1e6;
}

export async function recommendFigures(opts: RecommendBenchOptions = {}): Promise<Figure[]> {
  const customers = opts.customers ?? 1_000_000;
  const products = opts.products ?? 5_000;
  const evalCustomers = opts.evalCustomers ?? 20_000;
  const seed = opts.seed ?? 42;
  const scale = `${customers >= 1e6 ? `${customers / 1e6}M` : `${customers / 1e3}k`} customers × ${products / 1e3}k products`;
  const figures: Figure[] = [];

  const meta = syntheticProducts({ products, seed });
  let purchases = 0;
  const counted = function* () {
    for (const p of generatePurchases({ seed, customers, products })) {
      purchases++;
      yield p;
    }
  };
  // Generation alone, so the training figure can be read net of it.
  const tg = performance.now();
  for (const _ of generatePurchases({ seed, customers, products })) void _;
  const generateS = (performance.now() - tg) / 1000;
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const model = trainBlended(counted(), { products: meta });
  const trainS = (performance.now() - t0) / 1000;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  figures.push(
    { name: `recommend: purchases generated (${scale})`, value: purchases, unit: 'purchases' },
    { name: `recommend: train blended incl. lazy generation (${scale})`, value: trainS, unit: 's' },
    { name: `recommend: generating the history alone (${scale})`, value: generateS, unit: 's' },
    { name: 'recommend: blended model typed arrays', value: modelTypedMb(model), unit: 'MB' },
    { name: 'recommend: JS heap growth while training (id maps)', value: heapMb, unit: 'MB' },
  );

  // As the job trains: in slices, beside a timer that samples the event loop's delay.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const ts = performance.now();
  await runStepsInSlices(trainBlendedSteps(generatePurchases({ seed, customers, products }), { products: meta }));
  const slicedS = (performance.now() - ts) / 1000;
  loop.disable();
  figures.push(
    { name: `recommend: train blended in slices, as the job does (${scale})`, value: slicedS, unit: 's' },
    { name: 'recommend: longest event-loop stall while training in slices', value: loop.max / 1e6, unit: 'ms' },
  );

  const ids = function* () {
    for (let c = 0; c < customers; c++) yield `c${c}`;
  };
  const t1 = performance.now();
  let rows = 0;
  let recs = 0;
  for (const row of recommendForAll(model, ids(), 10)) {
    rows++;
    recs += row.recommendations.length;
  }
  const allS = (performance.now() - t1) / 1000;
  figures.push(
    { name: `recommend: recommendForAll k=10 (${scale})`, value: allS, unit: 's' },
    { name: 'recommend: recommendForAll throughput', value: rows / allS, unit: 'customers/s' },
    { name: 'recommend: recommendations per customer', value: recs / rows, unit: 'items' },
    // maxRSS covers the whole process so far, including any benchmark that ran before this one.
    { name: 'recommend: process peak RSS after recommendForAll', value: process.resourceUsage().maxRSS / 1024, unit: 'MB' },
  );

  // A different seed from the one the default blend weights were chosen on (43).
  const evalSeed = seed + 1000;
  const evalMeta = syntheticProducts({ products, seed: evalSeed });
  const report = evaluateRecommenders({
    history: generatePurchases({ seed: evalSeed, customers: evalCustomers, products }),
    splitAt: new Date('2025-10-01T00:00:00Z'),
    k: 10,
    recommenders: [popularityRecommender(), itemKnnRecommender(), blendedRecommender({ products: evalMeta })],
  });
  const evalScale = `${evalCustomers / 1e3}k customers, split 2025-10-01`;
  for (const r of report) {
    figures.push(
      { name: `recommend eval (${evalScale}): ${r.name} MAP@10`, value: r.mapAtK, unit: '' },
      { name: `recommend eval (${evalScale}): ${r.name} nDCG@10`, value: r.ndcgAtK, unit: '' },
      { name: `recommend eval (${evalScale}): ${r.name} MRR@10`, value: r.mrr, unit: '' },
    );
  }
  figures.push({ name: `recommend eval (${evalScale}): users scored`, value: report[0]?.users ?? 0, unit: 'users' });
  return figures;
}
