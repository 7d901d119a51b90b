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
  // Close to 1 the series needs ~1/(1−z) terms; a fit wandering to extreme parameters would stall on them.
  const m = c - a - b;
  if (z > 0.9 && Math.abs(m - Math.round(m)) > 1e-4) return hyp2f1NearOne(a, b, c, z);
  // Terms decay like n^(a+b-c-1) z^n; Euler's 2F1 = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) decays like n^(c-a-b-1) z^n.
  if (z > 0.5 && c - a - b < a + b - c) {
    return Math.pow(1 - z, c - a - b) * hyp2f1Series(c - a, c - b, c, z);
  }
  return hyp2f1Series(a, b, c, z);
}

/** log|Γ(x)| and the sign of Γ(x), for any real x that is not a pole. */
function signedLogGamma(x: number): { log: number; sign: number } {
  if (x > 0) return { log: gammaln(x), sign: 1 };
  if (Number.isInteger(x)) return { log: Infinity, sign: 1 };
  // Reflection: Γ(x) = π / (sin(πx) Γ(1−x)).
  const sine = Math.sin(Math.PI * x);
  return { log: Math.log(Math.PI) - Math.log(Math.abs(sine)) - gammaln(1 - x), sign: Math.sign(sine) };
}

/** Γ(c)Γ(p)/(Γ(q)Γ(r)), 0 when q or r is a pole. */
function gammaRatio(c: number, p: number, q: number, r: number): number {
  const [gc, gp, gq, gr] = [c, p, q, r].map(signedLogGamma) as [ReturnType<typeof signedLogGamma>, ReturnType<typeof signedLogGamma>, ReturnType<typeof signedLogGamma>, ReturnType<typeof signedLogGamma>];
  if (gq.log === Infinity || gr.log === Infinity) return 0;
  return gc.sign * gp.sign * gq.sign * gr.sign * Math.exp(gc.log + gp.log - gq.log - gr.log);
}

/**
 * The connection formula to 1 − z (Abramowitz & Stegun 15.3.6), for c − a − b not an integer:
 * F(a,b;c;z) = Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) F(a,b;a+b−c+1;1−z)
 *            + (1−z)^(c−a−b) Γ(c)Γ(a+b−c)/(Γ(a)Γ(b)) F(c−a,c−b;c−a−b+1;1−z).
 */
function hyp2f1NearOne(a: number, b: number, c: number, z: number): number {
  const w = 1 - z;
  const first = gammaRatio(c, c - a - b, c - a, c - b);
  const second = gammaRatio(c, a + b - c, a, b);
  return (first === 0 ? 0 : first * hyp2f1Series(a, b, a + b - c + 1, w)) + (second === 0 ? 0 : Math.pow(w, c - a - b) * second * hyp2f1Series(c - a, c - b, c - a - b + 1, w));
}

/** log(exp(x) + exp(y)) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}
