// The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), with the likelihood as written in Fader &
// Hardie's note "A note on deriving the Pareto/NBD model and related expressions" (2005): purchases at rate
// λ ~ Gamma(r, α) while alive, an exponential lifetime with rate μ ~ Gamma(s, β).
import type { RfRow } from './clv-summary.ts';
import { minimizePositive } from './optimize.ts';
import { prepareRfData, type RfData } from './rf-data.ts';
import { gammaln, hyp2f1, logAddExp } from './special-functions.ts';
import type { RfCustomer } from './bg-nbd.ts';

export type ParetoNbdParams = { r: number; alpha: number; s: number; beta: number };
export type ParetoNbdFit = ParetoNbdParams & { logLikelihood: number; customers: number; distinctRows: number };

/**
 * log A0 of the note (eq. 22), where A0 = 2F1(..; z(tx))/(max+tx)^(r+s+x) - 2F1(..; z(T))/(max+T)^(r+s+x).
 * The first term is the larger since tx <= T.
 */
function logA0(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  return logDifference(logA0Term(params, x, tx), logA0Term(params, x, T));
}

/** log(e^first − e^second) for first >= second; −∞ when they are equal (a purchase at T). */
function logDifference(first: number, second: number): number {
  const diff = 1 - Math.exp(second - first);
  return diff > 0 ? first + Math.log(diff) : -Infinity;
}

function customerLogLikelihood(p: ParetoNbdParams, x: number, tx: number, T: number, lgx: number): number {
  const { r, alpha, s, beta } = p;
  const a1 = lgx + r * Math.log(alpha) + s * Math.log(beta);
  const a2 = logAddExp(-(r + x) * Math.log(alpha + T) - s * Math.log(beta + T), Math.log(s) + logA0(p, x, tx, T) - Math.log(r + s + x));
  return a1 + a2;
}

/**
 * The hypergeometric terms depend on (x, tx) and on (x, T) only; a large population has far fewer distinct
 * pairs than distinct rows, so the fit evaluates 2F1 once per pair.
 */
type ParetoData = RfData & {
  txPairs: { x: Float64Array; t: Float64Array; index: Uint32Array };
  TPairs: { x: Float64Array; t: Float64Array; index: Uint32Array };
};

function pairs(d: RfData, tIndex: Uint32Array, ts: Float64Array) {
  const seen = new Map<number, number>();
  const index = new Uint32Array(d.n);
  const xs: number[] = [];
  const tv: number[] = [];
  for (let i = 0; i < d.n; i++) {
    const key = d.xIndex[i]! * ts.length + tIndex[i]!;
    let k = seen.get(key);
    if (k === undefined) {
      seen.set(key, (k = xs.push(d.xs[d.xIndex[i]!]!) - 1));
      tv.push(ts[tIndex[i]!]!);
    }
    index[i] = k;
  }
  return { x: Float64Array.from(xs), t: Float64Array.from(tv), index };
}

function prepareParetoData(rows: Iterable<RfRow>): ParetoData {
  const d = prepareRfData(rows);
  return { ...d, txPairs: pairs(d, d.txIndex, d.txs), TPairs: pairs(d, d.TIndex, d.Ts) };
}

/**
 * log(2F1(r+s+x, b; r+s+x+1; (high−low)/(high+t)) / (high+t)^(r+s+x)): one side of A0. Subtracting the smaller
 * of α and β keeps the argument in [0, 1), where the series converges.
 */
function logA0Term(params: ParetoNbdParams, x: number, t: number): number {
  const { r, alpha, s, beta } = params;
  const [low, high, b] = alpha < beta ? [alpha, beta, r + x] : [beta, alpha, s + 1];
  const rsx = r + s + x;
  return Math.log(hyp2f1(rsx, b, rsx + 1, (high - low) / (high + t))) - rsx * Math.log(high + t);
}

function logLikelihoodOf(p: ParetoNbdParams, d: ParetoData): number {
  const { r, alpha, s, beta } = p;
  const lgx = d.xs.map((x) => gammaln(r + x) - gammaln(r) + r * Math.log(alpha) + s * Math.log(beta));
  const txTerm = d.txPairs.x.map((x, k) => logA0Term(p, x, d.txPairs.t[k]!));
  const TTerm = d.TPairs.x.map((x, k) => logA0Term(p, x, d.TPairs.t[k]!));
  const logAlphaT = d.Ts.map((T) => Math.log(alpha + T));
  const logBetaT = d.Ts.map((T) => Math.log(beta + T));
  const logS = Math.log(s);
  let total = 0;
  for (let i = 0; i < d.n; i++) {
    const xi = d.xIndex[i]!;
    const x = d.xs[xi]!;
    const Ti = d.TIndex[i]!;
    const logA0 = logDifference(txTerm[d.txPairs.index[i]!]!, TTerm[d.TPairs.index[i]!]!);
    const a2 = logAddExp(-(r + x) * logAlphaT[Ti]! - s * logBetaT[Ti]!, logS + logA0 - Math.log(r + s + x));
    total += d.weight[i]! * (lgx[xi]! + a2);
  }
  return total;
}

export function paretoNbdLogLikelihood(params: ParetoNbdParams, rows: RfRow[]): number {
  return logLikelihoodOf(params, prepareParetoData(rows));
}

export function fitParetoNbd(rows: Iterable<RfRow>, options: { initial?: ParetoNbdParams } = {}): ParetoNbdFit {
  const d = prepareParetoData(rows);
  const scale = Math.max(d.maxT / 10, 1e-3);
  const start = options.initial ?? { r: 1, alpha: scale, s: 1, beta: scale };
  const result = minimizePositive({
    f: ([r, alpha, s, beta]) => -logLikelihoodOf({ r: r!, alpha: alpha!, s: s!, beta: beta! }, d) / d.totalWeight,
    x0: [start.r, start.alpha, start.s, start.beta],
  });
  const [r, alpha, s, beta] = result.x as [number, number, number, number];
  return { r, alpha, s, beta, logLikelihood: -result.value * d.totalWeight, customers: d.totalWeight, distinctRows: d.n };
}

/** E[X(t)] for a customer just acquired. */
export function paretoNbdExpectedPurchases({ r, alpha, s, beta }: ParetoNbdParams, t: number): number {
  if (Math.abs(s - 1) < 1e-9) return ((r * beta) / alpha) * Math.log((beta + t) / beta);
  return ((r * beta) / (alpha * (s - 1))) * (1 - Math.pow(beta / (beta + t), s - 1));
}

export function paretoNbdProbabilityAlive(params: ParetoNbdParams, { x, tx, T }: RfCustomer): number {
  const { r, alpha, s, beta } = params;
  const logTerm = Math.log(s / (r + s + x)) + (r + x) * Math.log(alpha + T) + s * Math.log(beta + T) + logA0(params, x, tx, T);
  return 1 / (1 + Math.exp(logTerm));
}

/** E[Y(t) | x, tx, T]: expected purchases in the next t time units. */
export function paretoNbdConditionalExpectedPurchases(params: ParetoNbdParams, t: number, { x, tx, T }: RfCustomer): number {
  if (t === 0) return 0;
  const { r, alpha, s, beta } = params;
  const lgx = gammaln(r + x) - gammaln(r);
  const likelihood = customerLogLikelihood(params, x, tx, T, lgx);
  const first = lgx + r * Math.log(alpha) + s * Math.log(beta) - (r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const second = Math.log(r + x) + Math.log(beta + T) - Math.log(alpha + T);
  const ratio = (beta + T) / (beta + T + t);
  const third = Math.abs(s - 1) < 1e-9 ? Math.log(-Math.log(ratio)) : Math.log((1 - Math.pow(ratio, s - 1)) / (s - 1));
  return Math.exp(first + second + third - likelihood);
}
