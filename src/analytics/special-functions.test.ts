import { describe, expect, it } from 'vitest';
import { betaln, gammaln, hyp2f1, logAddExp } from './special-functions.ts';

const close = (actual: number, expected: number, rel = 1e-12) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));

describe('hyp2f1', () => {
  it.each([0.001, 0.1, 0.5, 0.9, 0.99, 0.9999, -0.3, -0.9, -5, -1000])('2F1(1,1;2;%f) = -ln(1-z)/z', (z) => {
    close(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-12);
  });
  it.each([
    [0.5, 3, 0.3],
    [2.5, 0.7, 0.95],
    [0.243, 1.7, -2],
    [4, 9, 0.999],
  ])('2F1(a,b;b;z) = (1-z)^-a for a=%f b=%f z=%f', (a, b, z) => {
    close(hyp2f1(a, b, b, z), Math.pow(1 - z, -a), 1e-11);
  });
  it.each([0.1, 0.5, 0.9, 0.999])('2F1(1/2,1/2;3/2;z^2) = asin(z)/z at z=%f', (z) => {
    close(hyp2f1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z, 1e-11);
  });
  it.each([0.1, 1, 3, 30])('2F1(1/2,1;3/2;-z^2) = atan(z)/z at z=%f', (z) => {
    close(hyp2f1(0.5, 1, 1.5, -z * z), Math.atan(z) / z, 1e-12);
  });
  it('Gauss sum at z = 1 and polynomials for a negative integer a', () => {
    // 2F1(1, 1; 3; 1) = Γ(3)Γ(1)/(Γ(2)Γ(2)) = 2
    close(hyp2f1(1, 1, 3, 1), 2, 1e-12);
    // 2F1(-2, b; c; z) = 1 - 2bz/c + b(b+1)z²/(c(c+1))
    close(hyp2f1(-2, 3, 4, 0.5), 1 - (2 * 3 * 0.5) / 4 + (3 * 4 * 0.25) / (4 * 5), 1e-14);
  });
  it.each([
    // Computed with mpmath.hyp2f1 at 30 digits.
    [0.5, 0.25, 1.5, 0.75, 1.0946853467439329],
    [2.243, 4.426, 5.219, 0.6, 5.3897887565402918],
    [1.553, 2.606, 2.553, 0.98, 518.35412051949365],
    [27.553, 1.606, 28.553, 0.05, 1.0826654444809269],
    [0.3, 0.7, 1.1, -3.5, 0.72913068127042832],
    [26.553, 27.553, 28.159, 0.9995, 4.6530584007936785e85],
    // Close to 1, through the connection formula (c − a − b not an integer), with Pareto/NBD's c = a + 1.
    [26.4, 25.3, 27.4, 0.999999, 6.8548446013739214e145],
    [1.7, 1.606, 2.7, 0.9999999, 48969.201976446094],
    [3.3, 0.5, 4.3, 0.95, 2.2780532540317962],
    [0.8, 2.2, 1.9, 0.93, 14.140537595825501],
    [2.5, 1.5, 3.5, 0.99995, 695.46577148470869],
  ])('2F1(%f, %f; %f; %f) = %f (mpmath)', (a, b, c, z, expected) => {
    expect(Math.abs(hyp2f1(a, b, c, z) / expected - 1)).toBeLessThan(1e-11);
  });
  it('refuses z > 1', () => {
    expect(() => hyp2f1(1, 1, 2, 1.5)).toThrow(RangeError);
  });
});

describe('gammaln, betaln, logAddExp', () => {
  it('are the stdlib functions and a stable log-sum', () => {
    close(gammaln(5), Math.log(24));
    close(betaln(2, 3), Math.log(1 / 12));
    close(logAddExp(Math.log(2), Math.log(3)), Math.log(5));
    expect(logAddExp(-Infinity, 1)).toBe(1);
    close(logAddExp(1000, 1000), 1000 + Math.log(2));
  });
});
