// Weighted (x, tx, T) rows laid out for fast likelihoods: each distinct x, tx and T is stored once, so a fit
// computes the log-gamma and log terms per distinct value rather than per customer.
import { compressRowsSteps, type RfRow } from './clv-summary.ts';
import { runSteps, type Steps } from './steps.ts';

export type RfData = {
  /** Distinct rows. */
  n: number;
  weight: Float64Array;
  totalWeight: number;
  /** Per distinct row: indexes into xs, txs and Ts. */
  xIndex: Uint32Array;
  txIndex: Uint32Array;
  TIndex: Uint32Array;
  xs: Float64Array;
  txs: Float64Array;
  Ts: Float64Array;
  meanT: number;
  maxT: number;
};

function distinct(values: ArrayLike<number>): { values: Float64Array; index: Uint32Array } {
  const seen = new Map<number, number>();
  const index = new Uint32Array(values.length);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let k = seen.get(v);
    if (k === undefined) seen.set(v, (k = out.push(v) - 1));
    index[i] = k;
  }
  return { values: Float64Array.from(out), index };
}

export function prepareRfData(rows: Iterable<RfRow>): RfData {
  return runSteps(prepareRfDataSteps(rows));
}

/** prepareRfData as steps (steps.ts), for a fit in slices. */
export function* prepareRfDataSteps(rows: Iterable<RfRow>): Steps<RfData> {
  const compressed = yield* compressRowsSteps(rows);
  const n = compressed.length;
  if (n === 0) throw new RangeError('no customers to fit');
  const weight = new Float64Array(n);
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  let totalWeight = 0;
  let sumT = 0;
  let maxT = 0;
  for (const [i, r] of compressed.entries()) {
    if ((i & 0xfff) === 0xfff) yield;
    if (!(r.x >= 0 && Number.isInteger(r.x) && r.tx >= 0 && r.T >= r.tx && r.weight >= 0)) {
      throw new RangeError(`invalid row ${JSON.stringify(r)}: need integer x >= 0, 0 <= tx <= T, weight >= 0`);
    }
    if (r.x === 0 && r.tx !== 0) throw new RangeError(`invalid row ${JSON.stringify(r)}: tx must be 0 when x = 0`);
    weight[i] = r.weight;
    x[i] = r.x;
    tx[i] = r.tx;
    T[i] = r.T;
    totalWeight += r.weight;
    sumT += r.weight * r.T;
    maxT = Math.max(maxT, r.T);
  }
  yield;
  const dx = distinct(x);
  yield;
  const dtx = distinct(tx);
  yield;
  const dT = distinct(T);
  return {
    n,
    weight,
    totalWeight,
    xIndex: dx.index,
    txIndex: dtx.index,
    TIndex: dT.index,
    xs: dx.values,
    txs: dtx.values,
    Ts: dT.values,
    meanT: sumT / totalWeight,
    maxT,
  };
}
