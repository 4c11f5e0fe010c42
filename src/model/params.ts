/**
 * Mixture parameters in the layout the kernels read (scikit-learn's shapes, flattened row-major), and the
 * conversions between covariances, precisions and precision Cholesky factors.
 */
import type { CovarianceType } from '../api/options.js';
import { choleskyLower, choleskyPivot, invertLower, lowerTimesTranspose, transpose } from './linalg.js';

export interface Params {
  readonly k: number;
  readonly d: number;
  readonly covType: CovarianceType;
  readonly weights: Float64Array; // k
  readonly means: Float64Array; // k·d
  readonly covariances: Float64Array; // full k·d·d, tied d·d, diag k·d, spherical k
  readonly precChol: Float64Array; // same shape, scikit-learn's precisions_cholesky_ (upper-triangular for full/tied)
}

/** Number of doubles in a covariance (or precision Cholesky) array of this type. */
export function covSize(covType: CovarianceType, k: number, d: number): number {
  switch (covType) {
    case 'full': return k * d * d;
    case 'tied': return d * d;
    case 'diag': return k * d;
    case 'spherical': return k;
  }
}

/** The shape scikit-learn uses for covariances_/precisions_ of this type. */
export function covShape(covType: CovarianceType, k: number, d: number): number[] {
  switch (covType) {
    case 'full': return [k, d, d];
    case 'tied': return [d, d];
    case 'diag': return [k, d];
    case 'spherical': return [k];
  }
}

/** Number of (square) matrices in a full/tied array. */
const matrixCount = (covType: CovarianceType, k: number): number => (covType === 'full' ? k : 1);

/**
 * Precision Cholesky factors from covariances, as scikit-learn: P = (L⁻¹)ᵀ with Σ = L·Lᵀ, so P is upper-triangular
 * and P·Pᵀ = Σ⁻¹. Returns the index of the first component that is not positive definite, or -1 on success.
 * With `floor` (laid out like the diagonal: k·d for full and diag, d for tied, k for spherical), a Cholesky pivot or
 * variance must also exceed its floor — the M-step's test for covariances that are only positive through rounding.
 */
export function precCholFromCov(
  cov: Float64Array, covType: CovarianceType, k: number, d: number, out: Float64Array, floor?: Float64Array,
): number {
  if (covType === 'full' || covType === 'tied') {
    const l = new Float64Array(d * d);
    const inv = new Float64Array(d * d);
    for (let c = 0; c < matrixCount(covType, k); c++) {
      if (choleskyPivot(cov, c * d * d, d, l, 0, floor, c * d) >= 0) return c;
      invertLower(l, 0, d, inv, 0);
      transpose(inv, 0, d, out, c * d * d);
    }
    return -1;
  }
  for (let i = 0; i < cov.length; i++) {
    const v = cov[i];
    if (!(v > (floor ? floor[i] : 0)) || !Number.isFinite(v)) return covType === 'diag' ? Math.floor(i / d) : i;
    out[i] = 1 / Math.sqrt(v);
  }
  return -1;
}

/** Covariances from precision Cholesky factors: Σ = (P·Pᵀ)⁻¹ = L·Lᵀ with L = (Pᵀ)⁻¹. */
export function covFromPrecChol(prec: Float64Array, covType: CovarianceType, k: number, d: number, out: Float64Array): void {
  if (covType === 'full' || covType === 'tied') {
    const pt = new Float64Array(d * d);
    const l = new Float64Array(d * d);
    for (let c = 0; c < matrixCount(covType, k); c++) {
      transpose(prec, c * d * d, d, pt, 0);
      invertLower(pt, 0, d, l, 0);
      lowerTimesTranspose(l, 0, d, out, c * d * d);
    }
    return;
  }
  for (let i = 0; i < prec.length; i++) out[i] = 1 / (prec[i] * prec[i]);
}

/**
 * Precision Cholesky factors from precision matrices (the meaning of precisionsInit, as in scikit-learn).
 * Returns the first component that is not positive definite, or -1.
 */
export function precCholFromPrecision(precision: Float64Array, covType: CovarianceType, k: number, d: number, out: Float64Array): number {
  if (covType === 'full' || covType === 'tied') {
    // Σ = Λ⁻¹ = L⁻ᵀ·L⁻¹ with Λ = L·Lᵀ; then the upper factor from Σ, so every factor has one layout.
    const cov = new Float64Array(precision.length);
    const l = new Float64Array(d * d);
    const inv = new Float64Array(d * d);
    for (let c = 0; c < matrixCount(covType, k); c++) {
      if (!choleskyLower(precision, c * d * d, d, l, 0)) return c;
      invertLower(l, 0, d, inv, 0);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let p = i; p < d; p++) s += inv[p * d + i] * inv[p * d + j];
          cov[c * d * d + i * d + j] = s;
          cov[c * d * d + j * d + i] = s;
        }
      }
    }
    return precCholFromCov(cov, covType, k, d, out);
  }
  for (let i = 0; i < precision.length; i++) {
    const v = precision[i];
    if (!(v > 0) || !Number.isFinite(v)) return covType === 'diag' ? Math.floor(i / d) : i;
    out[i] = Math.sqrt(v);
  }
  return -1;
}

/** log det Pₖ per component (half the log-determinant of the precision). */
export function logDetPrecChol(prec: Float64Array, covType: CovarianceType, k: number, d: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) {
    let s = 0;
    if (covType === 'full' || covType === 'tied') {
      const off = covType === 'full' ? c * d * d : 0;
      for (let i = 0; i < d; i++) s += Math.log(prec[off + i * d + i]);
    } else if (covType === 'diag') {
      for (let i = 0; i < d; i++) s += Math.log(prec[c * d + i]);
    } else {
      s = d * Math.log(prec[c]);
    }
    out[c] = s;
  }
}

const LOG_2PI = Math.log(2 * Math.PI);

/** logConst[k] = log πₖ + log det Pₖ − ½·d·log 2π, the per-component constant the kernels add. */
export function logConstants(p: Params, out: Float64Array, outOff = 0): void {
  const ld = new Float64Array(p.k);
  logDetPrecChol(p.precChol, p.covType, p.k, p.d, ld);
  for (let c = 0; c < p.k; c++) out[outOff + c] = Math.log(p.weights[c]) + ld[c] - 0.5 * p.d * LOG_2PI;
}

/** Free parameters of the model, as scikit-learn's _n_parameters (minus any frozen groups). */
export function parameterCount(
  covType: CovarianceType, k: number, d: number,
  frozen: readonly string[] = [],
): number {
  const cov = covType === 'full' ? (k * d * (d + 1)) / 2 : covType === 'diag' ? k * d : covType === 'tied' ? (d * (d + 1)) / 2 : k;
  return (frozen.includes('covariances') ? 0 : cov) + (frozen.includes('means') ? 0 : k * d) + (frozen.includes('weights') ? 0 : k - 1);
}

export function cloneParams(p: Params): Params {
  return {
    k: p.k, d: p.d, covType: p.covType,
    weights: p.weights.slice(), means: p.means.slice(), covariances: p.covariances.slice(), precChol: p.precChol.slice(),
  };
}
