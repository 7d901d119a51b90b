// Whether fitted CLV models can be trusted, in words a marketer can act on. Maximum likelihood
// always returns numbers, but some data sets drive BG/NBD or Gamma-Gamma to the edge of their
// parameter space, where the figures mean something else than they seem to:
// - nobody seems to drop out (a / (a + b) → 0): P(alive) is about 1 for everyone, so churn risk
//   rests on recency alone;
// - Gamma-Gamma with q ≤ 1 has no finite mean spend: expected spend, and with it CLV, is not
//   meaningful (a handful of huge orders usually does this);
// - a parameter at 10⁶ or more, or not finite: the optimiser ran to the boundary (too little
//   repeat buying to tell the parameters apart).
import type { BgNbdParams } from './bg-nbd.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';

export type FitWarning = 'bgnbd-no-dropout' | 'bgnbd-boundary' | 'gamma-gamma-no-mean' | 'gamma-gamma-boundary';

/** Below this mean dropout probability after a purchase, P(alive) tells customers apart no more. */
export const NO_DROPOUT_BELOW = 1e-4;
const BOUNDARY = 1e6;

const atBoundary = (values: number[]) => values.some((v) => !Number.isFinite(v) || v >= BOUNDARY || v <= 1 / BOUNDARY);

export function clvFitWarnings(fit: { bgnbd: BgNbdParams | null; gammaGamma: GammaGammaParams | null }): FitWarning[] {
  const out: FitWarning[] = [];
  const bg = fit.bgnbd;
  if (bg) {
    if (bg.a / (bg.a + bg.b) < NO_DROPOUT_BELOW) out.push('bgnbd-no-dropout');
    // With no dropout, a → 0 or b → ∞ is that same finding, not a second one.
    else if (atBoundary([bg.r, bg.alpha, bg.a, bg.b])) out.push('bgnbd-boundary');
  }
  const gg = fit.gammaGamma;
  if (gg) {
    if (!(gg.q > 1)) out.push('gamma-gamma-no-mean');
    else if (atBoundary([gg.p, gg.q, gg.v])) out.push('gamma-gamma-boundary');
  }
  return out;
}
