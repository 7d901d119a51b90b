// Special functions the lifetime-value models need: log-gamma, log-beta and digamma from stdlib, and the
// Gauss hypergeometric function 2F1, which stdlib does not have.
import gammaln from '@stdlib/math-base-special-gammaln';
import betaln from '@stdlib/math-base-special-betaln';
import digamma from '@stdlib/math-base-special-digamma';

export { gammaln, betaln, digamma };

const EPS = 1e-16;
const MAX_TERMS = 2_000_000;

/** The power series, for 0 <= z < 1 (callers transform other arguments into this range). */
function hyp2f1Series(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return sum;
    // Stop only once the terms shrink geometrically, so that a small term early on cannot end the sum
    // while later ones still grow (a, b large against c).
    if (Math.abs(ratio) < 1 && Math.abs(term) <= EPS * Math.abs(sum) * (1 - Math.abs(ratio))) return sum;
  }
  throw new RangeError(`hyp2f1(${a}, ${b}, ${c}, ${z}): the series did not converge in ${MAX_TERMS} terms`);
}

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1, and at z = 1 by Gauss's sum when c > a + b.
 * Negative z goes through Pfaff's transformation so the series has positive terms; z near 1 uses Euler's
 * transformation when it makes the terms fall faster.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (Number.isNaN(a + b + c + z)) return NaN;
  if (z === 0) return 1;
  if (z === 1) {
    if (c - a - b > 0 && c > 0 && c - a > 0 && c - b > 0) {
      return Math.exp(gammaln(c) + gammaln(c - a - b) - gammaln(c - a) - gammaln(c - b));
    }
    return Infinity;
  }
  if (z > 1) throw new RangeError(`hyp2f1: z = ${z} is outside the real domain z <= 1`);
  if (z < 0) {
    // Pfaff: 2F1(a,b;c;z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)), with z/(z-1) in (0, 1).
    const w = z / (z - 1);
    return Math.pow(1 - z, -a) * hyp2f1Positive(a, c - b, c, w);
  }
  return hyp2f1Positive(a, b, c, z);
}

function hyp2f1Positive(a: number, b: number, c: number, z: number): number {
  // Terms decay like n^(a+b-c-1) z^n; Euler's 2F1 = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) decays like n^(c-a-b-1) z^n.
  if (z > 0.5 && c - a - b < a + b - c) {
    return Math.pow(1 - z, c - a - b) * hyp2f1Series(c - a, c - b, c, z);
  }
  return hyp2f1Series(a, b, c, z);
}

/** log(exp(x) + exp(y)) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}
