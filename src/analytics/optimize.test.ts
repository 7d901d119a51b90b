import { describe, expect, it } from 'vitest';
import { minimizeBfgs, minimizeNelderMead, minimizePositive, minimizePositiveWithGradient } from './optimize.ts';

describe('minimizeNelderMead', () => {
  it('finds the Rosenbrock minimum to 6 digits', () => {
    const rosenbrock = ([x, y]: number[]) => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2;
    const result = minimizeNelderMead({ f: rosenbrock, x0: [-1.2, 1] });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });
  it('minimises a 4-dimensional quadratic with uneven scales', () => {
    const centre = [3, -2, 0.001, 400];
    const scale = [1, 10, 1000, 0.01];
    const f = (x: number[]) => x.reduce((s, v, i) => s + scale[i]! * (v - centre[i]!) ** 2, 0);
    const result = minimizeNelderMead({ f, x0: [0, 0, 0, 0], initialStep: 1 });
    result.x.forEach((v, i) => expect(v).toBeCloseTo(centre[i]!, 4));
  });
  it('treats NaN as uphill', () => {
    const f = ([x]: number[]) => (x! < 0 ? NaN : (x! - 2) ** 2);
    expect(minimizeNelderMead({ f, x0: [5] }).x[0]).toBeCloseTo(2, 6);
  });
});

describe('minimizePositive', () => {
  it('keeps parameters positive and finds an optimum near zero', () => {
    const f = ([a, b]: number[]) => (a! - 0.001) ** 2 / 1e-6 + (Math.log(b!) - Math.log(2500)) ** 2;
    const result = minimizePositive({ f, x0: [1, 1] });
    expect(result.x[0]! / 0.001).toBeCloseTo(1, 5);
    expect(result.x[1]! / 2500).toBeCloseTo(1, 5);
  });
  it('refuses a non-positive start', () => {
    expect(() => minimizePositive({ f: () => 0, x0: [0, 1] })).toThrow(RangeError);
  });
});

describe('minimizeBfgs', () => {
  it('finds the Rosenbrock minimum from its gradient', () => {
    const f = ([x, y]: number[]) => ({
      value: 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2,
      gradient: [-400 * x! * (y! - x! * x!) - 2 * (1 - x!), 200 * (y! - x! * x!)],
    });
    const result = minimizeBfgs({ f, x0: [-1.2, 1] });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.evaluations).toBeLessThan(200);
  });
  it('in log space keeps parameters positive', () => {
    // f(a, b) = (a − 0.002)²·1e6 + (b − 300)²/1e4, gradient with respect to a and b.
    const f = ([a, b]: number[]) => ({ value: (a! - 0.002) ** 2 * 1e6 + (b! - 300) ** 2 / 1e4, gradient: [2e6 * (a! - 0.002), (2 * (b! - 300)) / 1e4] });
    const result = minimizePositiveWithGradient({ f, x0: [1, 1] });
    expect(result.x[0]! / 0.002).toBeCloseTo(1, 5);
    expect(result.x[1]! / 300).toBeCloseTo(1, 4);
  });
  it('stops at an evaluation budget, BFGS and the Nelder-Mead that follows it together', () => {
    // Downhill towards a → ∞ for ever (as BG/NBD's a and b when nobody drops out): it never converges.
    const f = ([a, b]: number[]) => ({ value: -Math.log(a!) + (b! - 2) ** 2, gradient: [-1 / a!, 2 * (b! - 2)] });
    const free = minimizePositiveWithGradient({ f, x0: [1, 1] });
    expect(free.evaluations).toBeGreaterThan(600);
    const capped = minimizePositiveWithGradient({ f, x0: [1, 1], maxEvaluations: 300 });
    expect(capped.converged).toBe(false);
    // A line search may finish past the budget by at most its 60 trial steps.
    expect(capped.evaluations).toBeGreaterThanOrEqual(300);
    expect(capped.evaluations).toBeLessThanOrEqual(360);
    expect(capped.value).toBeLessThan(f([1, 1]).value);
  });
});
