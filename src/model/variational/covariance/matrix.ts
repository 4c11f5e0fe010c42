/**
 * The full-matrix pieces that 'full' (one matrix per component) and 'tied' (one for all) share: factoring blocks,
 * their log-determinants, the quadratic form with an upper-triangular factor, tr(Λ·S), and the default prior.
 */
import { invertLowerTransposed } from '../../linalg.js';
import { choleskyLower } from '../linalg.js';
import type { DataMoments } from '../priors.js';

/** Precision factors P = (L⁻¹)ᵀ of `blocks` d×d covariances; the first block that does not factor, or −1. */
export function factorBlocks(cov: Float64Array, blocks: number, d: number, out: Float64Array): number {
  const l = new Float64Array(d * d);
  for (let c = 0; c < blocks; c++) {
    if (choleskyLower(cov, c * d * d, d, l, 0) >= 0) return c;
    invertLowerTransposed(l, 0, d, out, c * d * d);
  }
  return -1;
}

/** Σ log of the diagonal of the d×d block at prec[off]. */
export function blockLogDet(prec: Float64Array, off: number, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(prec[off + i * d + i]);
  return s;
}

/** ‖diffᵀ·P‖² for the upper-triangular d×d factor P at prec[off]. */
export function triangularForm(prec: Float64Array, off: number, d: number, diff: Float64Array): number {
  let q = 0;
  for (let j = 0; j < d; j++) {
    let y = 0;
    for (let i = 0; i <= j; i++) y += diff[i] * prec[off + i * d + j]; // (diffᵀP)_j, P upper-triangular
    q += y * y;
  }
  return q;
}

/** tr(Λ·S) for a symmetric d×d Λ, reading S's upper triangle through s(i, j). */
export function matrixTrace(lam: Float64Array, d: number, s: (i: number, j: number) => number): number {
  let tr = 0;
  for (let i = 0; i < d; i++) {
    tr += lam[i * d + i] * s(i, i);
    for (let j = i + 1; j < d; j++) tr += 2 * lam[i * d + j] * s(i, j);
  }
  return tr;
}

/** np.cov(X.T) with ddof 1: the scatter over n − 1 (only the full scatter will do). */
export function covarianceOf(m: DataMoments, name: string): Float64Array {
  if (m.diagonalOnly)
    throw new RangeError(`the default '${name}' covariance prior needs the full scatter, not only its diagonal`);
  return m.scatter.map((v) => v / (m.n - 1));
}
