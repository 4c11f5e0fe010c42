/**
 * Sufficient statistics of one E-pass — the seam of the design: an E-pass over any subset of rows produces them,
 * they add across blocks, workers and chunks, and the M-step consumes them.
 */
import type { CovarianceType } from './options.js';

export interface SufficientStats {
  readonly k: number;
  readonly d: number;
  /** Layout of sxx: 'full' stores k d×d matrices (upper triangle meaningful), 'diag' stores k×d. */
  readonly sxxKind: 'full' | 'diag';
  /** Σ w·log p(x) (classification log-likelihood for hard EM). */
  logLik: number;
  /** Σ w. */
  sumW: number;
  /** Σ w·r per component. */
  readonly nk: Float64Array;
  /** Σ w·r·(x − c) per component, c = centers. */
  readonly sx: Float64Array;
  /** Σ w·r·(x − c)(x − c)ᵀ per component (see sxxKind). */
  readonly sxx: Float64Array;
  /** The points the statistics were accumulated around (the means of the E-step's parameters). */
  readonly centers: Float64Array;
}

export const sxxKindOf = (covType: CovarianceType): 'full' | 'diag' =>
  covType === 'full' || covType === 'tied' ? 'full' : 'diag';

export function emptyStats(k: number, d: number, sxxKind: 'full' | 'diag', centers: Float64Array): SufficientStats {
  return {
    k, d, sxxKind, logLik: 0, sumW: 0,
    nk: new Float64Array(k), sx: new Float64Array(k * d),
    sxx: new Float64Array(sxxKind === 'full' ? k * d * d : k * d),
    centers: centers.slice(),
  };
}

/** Adds b into a (both accumulated around the same centers). */
export function addStats(a: SufficientStats, b: SufficientStats): SufficientStats {
  a.logLik += b.logLik;
  a.sumW += b.sumW;
  for (let i = 0; i < a.nk.length; i++) a.nk[i] += b.nk[i];
  for (let i = 0; i < a.sx.length; i++) a.sx[i] += b.sx[i];
  for (let i = 0; i < a.sxx.length; i++) a.sxx[i] += b.sxx[i];
  return a;
}
