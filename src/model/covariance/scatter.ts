/**
 * Pieces every covariance estimate shares: the centered scatter of a component from statistics taken around the
 * E-step's means, and the rounding-noise scale its pivots are compared with.
 *
 * Statistics are centered on the E-step's means c, so the new mean is c + δ with δ = sx/nk and the scatter around it
 * is S − (2 − a/nk)·nk·δδᵀ (a = Σr, nk = a + 10ε as scikit-learn guards empty components): scikit-learn's formulas
 * without the cancellation of E[xxᵀ] − μμᵀ.
 */
import type { ScatterInput } from './types.js';

/**
 * A covariance computed as S/nk − δδᵀ (+ regCovar) carries rounding noise of about ε·(S/nk + δ²) per diagonal
 * entry, and its Cholesky factorisation adds about D·ε·Σᵢᵢ per pivot. A component sitting on ≤ D points (or on a
 * point) has an exactly singular covariance when regCovar = 0; in floating point its last pivot is then noise that
 * may come out barely positive, and the "precision" built from it (≈ 1/√noise) turns the next E-step's log
 * densities into garbage — the lower bound then drops although EM is monotone. So a pivot (a variance for
 * diag/spherical) must exceed PIVOT_NOISE × that noise level to count as positive: this flags such covariances in
 * the iteration whose M-step produced them, instead of one iteration later when rounding happens to go negative.
 * The test is relative to each feature's own scale (scale-invariant); a healthy covariance, and any covariance
 * with a regCovar well above ε × its variances, passes by many orders of magnitude.
 */
export const PIVOT_TOL = 64 * Number.EPSILON;

/** The factor f = 2 − a/nk of the centered scatter S − f·nk·δδᵀ (1 + 10ε/nk; exactly scikit-learn's formula). */
export const centering = (m: ScatterInput, c: number): number => 2 - m.st.nk[c] / m.nk[c];

/** Component c's scatter of features i, j around the E-step's mean (full statistics, or the diagonal when i = j). */
export function rawScatter(m: ScatterInput, c: number, i: number, j: number): number {
  const { st } = m;
  return st.sxxKind === 'full' ? st.sxx[c * st.d * st.d + i * st.d + j] : st.sxx[c * st.d + i];
}

/** The magnitude of the terms whose difference is component c's (unregularised) variance of feature j, per unit mass. */
export function noiseScale(m: ScatterInput, c: number, j: number): number {
  const dj = m.delta[c * m.st.d + j];
  return (Math.abs(rawScatter(m, c, j, j)) + Math.abs(centering(m, c)) * m.nk[c] * dj * dj) / m.nk[c];
}
