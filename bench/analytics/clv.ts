// Lifetime-value fitting speed: BG/NBD + Gamma-Gamma on CDNOW (2,357 customers) and on a simulated population
// of a million customers (BG/NBD purchases on a day grid, so (x, tx, T) repeat as in real data).
import { fitBgNbd } from '../../src/analytics/bg-nbd.ts';
import { cdnowPublishedSummary } from '../../src/analytics/cdnow-reference.ts';
import { fitGammaGamma } from '../../src/analytics/gamma-gamma.ts';
import { seededRandom, simulateBgNbdPopulation } from '../../src/analytics/synthetic-population.ts';
import type { Figure } from '../harness.ts';

const CDNOW_TARGET_MS = 500;
const MILLION_TARGET_MS = 30_000;

export async function clvFigures(options: { customers?: number; seed?: number } = {}): Promise<Figure[]> {
  const { customers = 1_000_000, seed = 20050101 } = options;
  const cdnow = cdnowPublishedSummary();
  // The first fit in the process, JIT warm-up included: what a user running the command once waits for.
  let started = performance.now();
  fitBgNbd(cdnow);
  fitGammaGamma(cdnow);
  const cdnowMs = performance.now() - started;

  started = performance.now();
  const population = simulateBgNbdPopulation({
    customers,
    params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
    spend: { p: 6.25, q: 3.74, v: 15.44 },
    random: seededRandom(seed),
    // A quarter of acquisition, 78 weeks of observation: CDNOW's whole window.
    acquisitionDays: 84,
    observationDays: 546,
  });
  const simulateMs = performance.now() - started;
  started = performance.now();
  const bg = fitBgNbd(population);
  fitGammaGamma(population);
  const millionMs = performance.now() - started;
  const label = customers === 1_000_000 ? '1M' : customers.toLocaleString('en-US');
  return [
    { name: 'clv cdnow BG/NBD+GG fit', value: cdnowMs, unit: 'ms', target: `<= ${CDNOW_TARGET_MS}`, ok: cdnowMs <= CDNOW_TARGET_MS },
    { name: `clv synthetic ${label} BG/NBD+GG fit`, value: millionMs, unit: 'ms', target: `<= ${MILLION_TARGET_MS}`, ok: millionMs <= MILLION_TARGET_MS },
    { name: `clv synthetic ${label} distinct (x, tx, T)`, value: bg.distinctRows, unit: 'rows' },
    { name: `clv synthetic ${label} simulation`, value: simulateMs, unit: 'ms' },
  ];
}
