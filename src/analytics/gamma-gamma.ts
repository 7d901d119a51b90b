// The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value
// curves"; Fader & Hardie's note "The Gamma-Gamma model of monetary value", 2013): each purchase's value is
// Gamma(p, ν) around a customer-specific ν ~ Gamma(q, γ); v below is γ.
import { minimizePositiveWithGradientSteps } from './optimize.ts';
import { runSteps, type Steps } from './steps.ts';
import { digamma, gammaln } from './special-functions.ts';

export type GammaGammaParams = { p: number; q: number; v: number };
export type GammaGammaFit = GammaGammaParams & { logLikelihood: number; customers: number };
export type SpendRow = { x: number; zbar: number; weight?: number };

type SpendData = {
  x: Float64Array;
  m: Float64Array;
  w: Float64Array;
  xs: Float64Array;
  xIndex: Uint32Array;
  /** Per distinct x: the total weight and Σ w·x·log x. */
  xWeight: Float64Array;
  totalWeight: number;
  /** Σ w·x·log m and Σ w·log m, which do not depend on the parameters. */
  sumXLogM: number;
  sumLogM: number;
  /** Σ w·x·log x. */
  sumXLogX: number;
};

function prepare(rows: Iterable<SpendRow>): SpendData {
  const kept: SpendRow[] = [];
  // Only repeat buyers have a mean repeat spend; the model assumes positive spend.
  for (const r of rows) if (r.x > 0 && r.zbar > 0) kept.push(r);
  if (kept.length === 0) throw new RangeError('no repeat buyers with a positive mean spend to fit');
  const n = kept.length;
  const x = new Float64Array(n);
  const m = new Float64Array(n);
  const w = new Float64Array(n);
  const seen = new Map<number, number>();
  const xsList: number[] = [];
  const weights: number[] = [];
  const xIndex = new Uint32Array(n);
  let totalWeight = 0;
  let sumXLogM = 0;
  let sumLogM = 0;
  kept.forEach((r, i) => {
    x[i] = r.x;
    m[i] = r.zbar;
    const wi = r.weight ?? 1;
    w[i] = wi;
    let k = seen.get(r.x);
    if (k === undefined) {
      seen.set(r.x, (k = xsList.push(r.x) - 1));
      weights.push(0);
    }
    xIndex[i] = k;
    weights[k]! += wi;
    totalWeight += wi;
    sumXLogM += wi * r.x * Math.log(r.zbar);
    sumLogM += wi * Math.log(r.zbar);
  });
  const xs = Float64Array.from(xsList);
  const sumXLogX = xsList.reduce((sum, xv, k) => sum + weights[k]! * xv * Math.log(xv), 0);
  return { x, m, w, xs, xIndex, xWeight: Float64Array.from(weights), totalWeight, sumXLogM, sumLogM, sumXLogX };
}

/** The log-likelihood and its gradient in (p, q, v); the log-gamma terms are differentiated once per distinct x. */
function valueAndGradientOf({ p, q, v }: GammaGammaParams, d: SpendData): { value: number; gradient: number[] } {
  const logV = Math.log(v);
  let value = q * logV * d.totalWeight + p * d.sumXLogM - d.sumLogM + p * d.sumXLogX;
  let dp = d.sumXLogM + d.sumXLogX;
  let dq = logV * d.totalWeight;
  let dv = (q / v) * d.totalWeight;
  const lgq = gammaln(q);
  const psiQ = digamma(q);
  for (let k = 0; k < d.xs.length; k++) {
    const x = d.xs[k]!;
    const W = d.xWeight[k]!;
    const psiPXQ = digamma(p * x + q);
    value += W * (gammaln(p * x + q) - gammaln(p * x) - lgq);
    dp += W * x * (psiPXQ - digamma(p * x));
    dq += W * (psiPXQ - psiQ);
  }
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i]!;
    const w = d.w[i]!;
    const denominator = x * d.m[i]! + v;
    const logDenominator = Math.log(denominator);
    value -= w * (p * x + q) * logDenominator;
    dp -= w * x * logDenominator;
    dq -= w * logDenominator;
    dv -= (w * (p * x + q)) / denominator;
  }
  return { value, gradient: [dp, dq, dv] };
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, rows: Iterable<SpendRow>): number {
  return valueAndGradientOf(params, prepare(rows)).value;
}

/** Maximum-likelihood fit on the repeat buyers among the rows (x > 0); rows with x = 0 are skipped. */
export function fitGammaGamma(rows: Iterable<SpendRow>, options: { initial?: GammaGammaParams } = {}): GammaGammaFit {
  return runSteps(fitGammaGammaSteps(rows, options));
}

/** fitGammaGamma as steps (steps.ts), a likelihood evaluation each, for a job to fit in slices. */
export function* fitGammaGammaSteps(rows: Iterable<SpendRow>, options: { initial?: GammaGammaParams } = {}): Steps<GammaGammaFit> {
  const d = prepare(rows);
  const start = options.initial ?? { p: 1, q: 1, v: 1 };
  const result = yield* minimizePositiveWithGradientSteps({
    f: ([p, q, v]) => {
      const { value, gradient } = valueAndGradientOf({ p: p!, q: q!, v: v! }, d);
      return { value: -value / d.totalWeight, gradient: gradient.map((g) => -g / d.totalWeight) };
    },
    x0: [start.p, start.q, start.v],
  });
  const [p, q, v] = result.x as [number, number, number];
  return { p, q, v, logLikelihood: -result.value * d.totalWeight, customers: d.totalWeight };
}

/**
 * E[Z | x, zbar]: expected spend per purchase, a weighted mean of the population mean pv/(q−1) and the
 * customer's own mean. Customers with no repeat purchase get the population mean (needs q > 1).
 */
export function conditionalExpectedSpend({ p, q, v }: GammaGammaParams, { x, zbar }: { x: number; zbar: number }): number {
  return (p * (v + x * zbar)) / (p * x + q - 1);
}
