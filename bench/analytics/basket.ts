// Market-basket figures for bench/analytics.ts: our FP-growth on FIMI's retail.dat (88,162 baskets)
// at 1 % support against node-fpgrowth on the same baskets, and on arules' Groceries at 0.1 %.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseBaskets } from '../../src/analytics/basket-input.ts';
import { frequentItemsets } from '../../src/analytics/fp-growth.ts';
import { referenceDataDir } from '../../src/analytics/reference-data.ts';
import type { Figure } from '../harness.ts';

const NODE_FPGROWTH_TIMEOUT_MS = 120_000;

type Outcome = { status: 'done'; ms: number; itemsets: Map<string, number> } | { status: 'timeout' | 'failed'; ms: number; error?: string };

/** The best of a few runs after one warm-up, so the JIT and a busy neighbour count less. */
function timeOurs(baskets: string[][], minSupport: number, runs = 3): { ms: number; itemsets: Map<string, number> } {
  let result = frequentItemsets(baskets, { minSupport });
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = frequentItemsets(baskets, { minSupport });
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, itemsets: new Map(result.itemsets.map((s) => [s.items.join('\u0000'), s.count])) };
}

/**
 * node-fpgrowth mines synchronously inside the promise its exec() returns, so a timer in this thread
 * could never fire: it runs in a worker thread that is terminated at the timeout. It is timed inside
 * the worker, leaving out the copy of the baskets into it.
 */
function timeNodeFpgrowth(baskets: string[][], minSupport: number): Promise<Outcome> {
  const modulePath = createRequire(import.meta.url).resolve('node-fpgrowth');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { FPGrowth } = require(workerData.modulePath);
    const started = performance.now();
    new FPGrowth(workerData.minSupport).exec(workerData.baskets).then((itemsets) => {
      const ms = performance.now() - started;
      parentPort.postMessage({ ms, itemsets: itemsets.map((s) => [s.items.slice().sort().join('\\u0000'), s.support]) });
    }, (err) => parentPort.postMessage({ error: String(err && err.stack || err) }));`;
  const started = performance.now();
  return new Promise((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: { modulePath, minSupport, baskets } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ status: 'timeout', ms: performance.now() - started });
    }, NODE_FPGROWTH_TIMEOUT_MS);
    worker.once('message', (m: { ms: number; itemsets: [string, number][] } | { error: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if ('error' in m) resolve({ status: 'failed', ms: performance.now() - started, error: m.error });
      else resolve({ status: 'done', ms: m.ms, itemsets: new Map(m.itemsets) });
    });
    worker.once('error', (err: Error) => {
      clearTimeout(timer);
      resolve({ status: 'failed', ms: performance.now() - started, error: err.message });
    });
  });
}

function sameItemsets(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, count] of a) if (b.get(key) !== count) return false;
  return true;
}

export async function basketFigures(): Promise<Figure[]> {
  const dir = path.join(referenceDataDir(), 'baskets');
  let started = performance.now();
  const retail = parseBaskets(fs.readFileSync(path.join(dir, 'retail.dat'), 'utf8'), { separator: ' ' });
  const parseMs = performance.now() - started;
  const ours = timeOurs(retail, 0.01);
  const theirs = await timeNodeFpgrowth(retail, 0.01);
  const agree = theirs.status === 'done' && sameItemsets(ours.itemsets, theirs.itemsets);

  started = performance.now();
  const groceries = parseBaskets(fs.readFileSync(path.join(dir, 'groceries.csv'), 'utf8'));
  const groceriesParseMs = performance.now() - started;
  const grocery = timeOurs(groceries, 0.001);

  const figures: Figure[] = [
    { name: 'basket retail.dat parse (88,162 baskets)', value: parseMs, unit: 'ms' },
    { name: 'basket retail 1% FP-growth (ours)', value: ours.ms, unit: 'ms' },
    { name: 'basket retail 1% itemsets (ours)', value: ours.itemsets.size, unit: 'itemsets' },
    {
      name: `basket retail 1% node-fpgrowth${theirs.status === 'done' ? '' : ` (${theirs.status}${theirs.status === 'timeout' ? ` at ${NODE_FPGROWTH_TIMEOUT_MS / 1000} s` : ''})`}`,
      value: theirs.status === 'done' ? theirs.ms : NaN,
      unit: 'ms',
    },
    { name: 'basket retail 1% itemsets (node-fpgrowth)', value: theirs.status === 'done' ? theirs.itemsets.size : NaN, unit: 'itemsets' },
    { name: 'basket retail 1% same itemsets and counts', value: agree ? 1 : 0, unit: 'bool', target: '1', ok: agree },
  ];
  if (theirs.status === 'done') figures.push({ name: 'basket retail 1% speed-up over node-fpgrowth', value: theirs.ms / ours.ms, unit: '×' });
  figures.push(
    { name: 'basket groceries.csv parse (9,835 baskets)', value: groceriesParseMs, unit: 'ms' },
    { name: 'basket groceries 0.1% FP-growth (ours)', value: grocery.ms, unit: 'ms' },
    { name: 'basket groceries 0.1% itemsets', value: grocery.itemsets.size, unit: 'itemsets', target: '13492', ok: grocery.itemsets.size === 13492 },
  );
  return figures;
}
