// Derivative-free minimisation for the maximum-likelihood fits: Nelder-Mead with restarts, and a wrapper
// that searches in log space so that model parameters (all positive) cannot leave their domain.
// Each is also a generator of steps (steps.ts) that yields after every evaluation of f, so that a
// job can fit a million customers (a few ms per evaluation, hundreds of them) in slices.
import { runSteps, type Steps } from './steps.ts';

export type MinimizeOptions = {
  f: (x: number[]) => number;
  x0: number[];
  /** Relative tolerance on the function values across the simplex. */
  fTolerance?: number;
  /** Absolute tolerance on the simplex's spread in each coordinate. */
  xTolerance?: number;
  maxEvaluations?: number;
  /** Size of the first simplex's edges. */
  initialStep?: number;
  /** How many times to rebuild the simplex around the best point; a restart undoes a collapsed simplex. */
  maxRestarts?: number;
};

export type MinimizeResult = { x: number[]; value: number; evaluations: number; converged: boolean };

export function minimizeNelderMead(options: MinimizeOptions): MinimizeResult {
  return runSteps(minimizeNelderMeadSteps(options));
}

function* minimizeNelderMeadSteps(options: MinimizeOptions): Steps<MinimizeResult> {
  const { f, x0, fTolerance = 1e-12, xTolerance = 1e-7, maxEvaluations = 20_000, initialStep = 0.5, maxRestarts = 5 } = options;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    const v = f(x);
    // NaN and overflow count as uphill, so the simplex walks away from them.
    return Number.isFinite(v) ? v : Infinity;
  };
  let best = { x: [...x0], value: evaluate(x0) };
  yield;
  let converged = false;
  for (let restart = 0; restart <= maxRestarts && evaluations < maxEvaluations; restart++) {
    // A restart only has to undo a collapsed simplex, so it starts smaller than the first one.
    const step = restart === 0 ? initialStep : Math.max(initialStep / 20, 100 * xTolerance);
    const run = yield* nelderMeadRun(evaluate, best.x, step, fTolerance, xTolerance, () => evaluations < maxEvaluations);
    const improved = best.value - run.value;
    if (run.value <= best.value) best = run;
    converged = run.converged;
    if (restart > 0 && run.converged && improved <= fTolerance * (Math.abs(best.value) + 1e-30)) break;
  }
  return { x: best.x, value: best.value, evaluations, converged };
}

function* nelderMeadRun(
  evaluate: (x: number[]) => number,
  start: number[],
  step: number,
  fTolerance: number,
  xTolerance: number,
  budgetLeft: () => boolean,
): Steps<{ x: number[]; value: number; converged: boolean }> {
  const n = start.length;
  // Adaptive coefficients (Gao & Han 2012) keep the method efficient beyond two or three dimensions.
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  const points: number[][] = [start];
  for (let i = 0; i < n; i++) {
    const p = [...start];
    p[i] = p[i]! + step;
    points.push(p);
  }
  const values: number[] = [];
  for (const p of points) {
    values.push(evaluate(p));
    yield;
  }
  const order = points.map((_, i) => i);
  const at = (coefficient: number, centroid: number[], worst: number[]) => centroid.map((c, j) => c + coefficient * (c - worst[j]!));
  while (budgetLeft()) {
    order.sort((i, j) => values[i]! - values[j]!);
    const bestI = order[0]!;
    const worstI = order[n]!;
    const secondWorst = values[order[n - 1]!]!;
    const fBest = values[bestI]!;
    const fWorst = values[worstI]!;
    let spread = 0;
    for (const i of order) for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(points[i]![j]! - points[bestI]![j]!));
    if (fWorst - fBest <= fTolerance * (Math.abs(fBest) + 1e-30) && spread <= xTolerance) {
      return { x: points[bestI]!, value: fBest, converged: true };
    }
    const centroid = new Array<number>(n).fill(0);
    for (const i of order.slice(0, n)) for (let j = 0; j < n; j++) centroid[j]! += points[i]![j]! / n;
    const worst = points[worstI]!;
    const reflected = at(alpha, centroid, worst);
    const fr = evaluate(reflected);
    yield;
    if (fr < fBest) {
      const expanded = at(alpha * beta, centroid, worst);
      const fe = evaluate(expanded);
      yield;
      if (fe < fr) [points[worstI], values[worstI]] = [expanded, fe];
      else [points[worstI], values[worstI]] = [reflected, fr];
      continue;
    }
    if (fr < secondWorst) {
      [points[worstI], values[worstI]] = [reflected, fr];
      continue;
    }
    const outside = fr < fWorst;
    const contracted = outside ? at(alpha * gamma, centroid, worst) : at(-gamma, centroid, worst);
    const fc = evaluate(contracted);
    yield;
    if (fc < (outside ? fr : fWorst)) {
      [points[worstI], values[worstI]] = [contracted, fc];
      continue;
    }
    const b = points[bestI]!;
    for (const i of order.slice(1)) {
      points[i] = b.map((bj, j) => bj + delta * (points[i]![j]! - bj));
      values[i] = evaluate(points[i]!);
      yield;
    }
  }
  order.sort((i, j) => values[i]! - values[j]!);
  return { x: points[order[0]!]!, value: values[order[0]!]!, converged: false };
}

/** Minimises f over positive parameters by searching over their logarithms. */
export function minimizePositive(options: MinimizeOptions): MinimizeResult {
  const { f, x0, ...rest } = options;
  if (x0.some((v) => !(v > 0))) throw new RangeError(`minimizePositive: starting point must be positive (got ${x0.join(', ')})`);
  const result = minimizeNelderMead({ ...rest, f: (y) => f(y.map(Math.exp)), x0: x0.map(Math.log) });
  return { ...result, x: result.x.map(Math.exp) };
}

export type ValueAndGradient = { value: number; gradient: number[] };

export type BfgsOptions = {
  /** The function and its gradient at x. */
  f: (x: number[]) => ValueAndGradient;
  x0: number[];
  /** Stop when every gradient component is this small... */
  gradientTolerance?: number;
  /** ...or when an iteration improves f by less than this, relative to |f|. */
  fTolerance?: number;
  maxIterations?: number;
  /** Stop (not converged) after this many evaluations of f, line searches included. */
  maxEvaluations?: number;
  /** Longest trial step in any coordinate. */
  maxStep?: number;
};

/**
 * BFGS with a backtracking (Armijo) line search. Where the gradient is known in closed form this needs a
 * tenth of Nelder-Mead's evaluations, which is what makes million-customer fits fast.
 */
export function minimizeBfgs(options: BfgsOptions): MinimizeResult {
  return runSteps(minimizeBfgsSteps(options));
}

function* minimizeBfgsSteps(options: BfgsOptions): Steps<MinimizeResult> {
  const { f, x0, gradientTolerance = 1e-9, fTolerance = 1e-15, maxIterations = 500, maxEvaluations = Infinity, maxStep = 2 } = options;
  const n = x0.length;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    const r = f(x);
    return Number.isFinite(r.value) && r.gradient.every(Number.isFinite) ? r : { value: Infinity, gradient: r.gradient };
  };
  let x = [...x0];
  let current = evaluate(x);
  yield;
  if (!Number.isFinite(current.value)) return { x, value: current.value, evaluations, converged: false };
  // Inverse Hessian approximation, row-major.
  let H = identity(n);
  let calmIterations = 0;
  for (let iteration = 0; iteration < maxIterations && evaluations < maxEvaluations; iteration++) {
    const g = current.gradient;
    if (Math.max(...g.map(Math.abs)) <= gradientTolerance) return { x, value: current.value, evaluations, converged: true };
    let direction = multiply(H, g).map((v) => -v);
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      // Not a descent direction: forget the curvature learnt so far.
      H = identity(n);
      direction = g.map((v) => -v);
      slope = dot(direction, g);
    }
    // Cap the trial step: the first direction is the raw gradient, whose size says nothing about distance,
    // and in log space a step of 2 already multiplies a parameter by e².
    const longest = Math.max(...direction.map(Math.abs));
    let step = longest > maxStep ? maxStep / longest : 1;
    let next: ValueAndGradient | undefined;
    let xNext: number[] = x;
    for (let k = 0; k < 60; k++) {
      xNext = x.map((xi, i) => xi + step * direction[i]!);
      const candidate = evaluate(xNext);
      yield;
      if (candidate.value <= current.value + 1e-4 * step * slope) {
        next = candidate;
        break;
      }
      step *= 0.5;
    }
    if (!next) return { x, value: current.value, evaluations, converged: Math.max(...g.map(Math.abs)) <= gradientTolerance * 1e3 };
    const s = xNext.map((v, i) => v - x[i]!);
    const y = next.gradient.map((v, i) => v - g[i]!);
    const sy = dot(s, y);
    const improvement = current.value - next.value;
    x = xNext;
    const previousValue = current.value;
    current = next;
    if (sy > 1e-300) {
      if (iteration === 0) H = identity(n).map((row) => row.map((v) => (v * sy) / dot(y, y)));
      const Hy = multiply(H, y);
      const yHy = dot(y, Hy);
      // H += ((sy + yHy) ss')/sy² − (Hy s' + s (Hy)')/sy
      H = H.map((row, i) => row.map((v, j) => v + ((sy + yHy) * s[i]! * s[j]!) / (sy * sy) - (Hy[i]! * s[j]! + s[i]! * Hy[j]!) / sy));
    }
    calmIterations = improvement <= fTolerance * Math.abs(previousValue) ? calmIterations + 1 : 0;
    if (calmIterations >= 3) return { x, value: current.value, evaluations, converged: true };
  }
  return { x, value: current.value, evaluations, converged: false };
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}
function dot(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + v * b[i]!, 0);
}
function multiply(m: number[][], v: number[]): number[] {
  return m.map((row) => dot(row, v));
}

/**
 * Minimises over positive parameters with BFGS in log space (f's gradient is with respect to the parameters
 * themselves). When BFGS stalls, or when asked to polish, Nelder-Mead continues from where it stopped.
 */
export function minimizePositiveWithGradient(options: PositiveWithGradientOptions): MinimizeResult {
  return runSteps(minimizePositiveWithGradientSteps(options));
}
type PositiveWithGradientOptions = Omit<BfgsOptions, 'f'> & { f: (x: number[]) => ValueAndGradient; polish?: boolean };

export function* minimizePositiveWithGradientSteps(options: PositiveWithGradientOptions): Steps<MinimizeResult> {
  const { f, x0, polish = false, ...rest } = options;
  if (x0.some((v) => !(v > 0))) throw new RangeError(`minimizePositiveWithGradient: starting point must be positive (got ${x0.join(', ')})`);
  const logSpace = (y: number[]) => {
    const x = y.map(Math.exp);
    const { value, gradient } = f(x);
    return { value, gradient: gradient.map((g, i) => g * x[i]!) };
  };
  const result = yield* minimizeBfgsSteps({ ...rest, f: logSpace, x0: x0.map(Math.log) });
  const left = (rest.maxEvaluations ?? Infinity) - result.evaluations;
  if ((result.converged && !polish) || left <= 0) return { ...result, x: result.x.map(Math.exp) };
  const nm = yield* minimizeNelderMeadSteps({
    f: (y) => logSpace(y).value,
    x0: result.x,
    initialStep: result.converged ? 0.01 : 0.5,
    ...(Number.isFinite(left) ? { maxEvaluations: left } : {}),
  });
  const best = nm.value <= result.value ? nm : result;
  return { x: best.x.map(Math.exp), value: best.value, evaluations: result.evaluations + nm.evaluations, converged: nm.converged };
}
