import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBaskets } from './basket-input.ts';
import { fitBgNbd, fitBgNbdSteps } from './bg-nbd.ts';
import { cdnowPublishedSummary } from './cdnow-reference.ts';
import { frequentItemsets, frequentItemsetsSteps } from './fp-growth.ts';
import { trainBlended, trainBlendedSteps } from './recommend.ts';
import { referenceDataDir } from './reference-data.ts';
import type { Purchase } from './purchase-index.ts';
import { runSteps, runStepsInSlices, type Steps } from './steps.ts';

/** Ten steps of ~2 ms of busy work each; returns how many other callbacks had run by its end. */
function* busy(ran: () => number): Steps<number> {
  for (let i = 0; i < 10; i++) {
    const until = performance.now() + 2;
    while (performance.now() < until);
    yield;
  }
  return ran();
}

describe('steps', () => {
  it('runs straight through without giving the event loop back', () => {
    let ticks = 0;
    setImmediate(() => ticks++);
    expect(runSteps(busy(() => ticks))).toBe(0);
  });

  it('in slices, lets other callbacks run between two slices', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      // Slices of ~1 step: a timer due meanwhile runs between two of them.
      expect(await runStepsInSlices(busy(() => ticks), 1)).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('training in steps', () => {
  const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000);
  // 40,000 purchases of 4,000 customers over 50 products: several steps in each long loop.
  const history: Purchase[] = [];
  for (let c = 0; c < 4_000; c++) for (let k = 0; k < 10; k++) history.push({ customerId: `c${c}`, productId: `p${(c * 7 + k * k) % 50}`, at: day((c + k) % 300) });

  it('yields within its long loops and trains the same model as in one piece', () => {
    const steps = trainBlendedSteps(history, { minCoCount: 1 });
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    // At least a yield per product row and per 16,384 purchases.
    expect(yields).toBeGreaterThanOrEqual(50 + 2);
    const whole = trainBlended(history, { minCoCount: 1 });
    expect(Array.from(r.value.neighbours.ids)).toEqual(Array.from(whole.neighbours.ids));
    expect(Array.from(r.value.index.items)).toEqual(Array.from(whole.index.items));
  });
});

describe('fitting in steps', () => {
  it('yields after each likelihood evaluation and fits what the fit in one piece fits', () => {
    const rows = cdnowPublishedSummary();
    const steps = fitBgNbdSteps(rows);
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    // A yield per evaluation, and a few while the rows are prepared.
    expect(yields).toBeGreaterThanOrEqual(r.value.evaluations);
    expect(yields).toBeLessThanOrEqual(r.value.evaluations + 3 + Math.ceil(rows.length / 4096) * 2);
    expect(r.value).toEqual(fitBgNbd(rows));
  });
});

describe('mining in steps', () => {
  it('yields per conditional tree and finds what mining in one piece finds', () => {
    const baskets = parseBaskets(fs.readFileSync(path.join(referenceDataDir(), 'baskets', 'groceries.csv'), 'utf8'));
    const steps = frequentItemsetsSteps(baskets, { minSupport: 0.005 });
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    // At least one conditional tree per frequent item but the last, and the baskets read in pieces.
    const singles = r.value.itemsets.filter((s) => s.items.length === 1).length;
    expect(yields).toBeGreaterThanOrEqual(singles - 1);
    expect(r.value).toEqual(frequentItemsets(baskets, { minSupport: 0.005 }));
  });
});
