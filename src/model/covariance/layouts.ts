/**
 * The four ways a mixture's covariances are stored — which is also what the kernels read (their layout codes), so
 * the kernels never learn a covariance model's name. Every model maps onto one of them:
 *  - tri:        one full matrix per component; precision factor upper-triangular (scikit-learn's full)
 *  - sharedTri:  one full matrix for all components (tied)
 *  - diag:       a diagonal per component (k×d)
 *  - scalar:     one variance per component (k)
 * Storage is flat and row-major; a precision factor P has the covariance's layout, with P·Pᵀ = Σ⁻¹ (scikit-learn's
 * precisions_cholesky_). Everything here is per block: k blocks, or one for the shared layout.
 */
import {
  choleskyLower,
  choleskyPivot,
  invertLower,
  invertLowerTransposed,
  lowerTimesTranspose,
  transpose,
} from '../linalg.js';

/** Layout codes the kernels take (assembly/README.md). */
export const LAYOUT_CODE = { tri: 0, sharedTri: 1, diag: 2, scalar: 3 } as const;
export type LayoutName = keyof typeof LAYOUT_CODE;
export type LayoutCode = (typeof LAYOUT_CODE)[LayoutName];

export interface Layout {
  readonly name: LayoutName;
  readonly code: LayoutCode;
  /** One block serves every component (a covariance shared by all). */
  readonly shared: boolean;
  /** Doubles per block. */
  blockSize(d: number): number;
  /** Blocks for k components (1 when shared). */
  blocks(k: number): number;
  /** Doubles of a block's diagonal (its pivots): d, or 1 for a scalar. */
  diagonal(d: number): number;
  /**
   * Precision factors from covariances; returns the first block that is not (numerically) positive definite, or −1.
   * With `floor` (laid out like the diagonals), a pivot or variance must also exceed its floor (see mstep.ts).
   */
  factor(cov: Float64Array, k: number, d: number, out: Float64Array, floor?: Float64Array): number;
  /** Covariances from precision factors. */
  unfactor(prec: Float64Array, k: number, d: number, out: Float64Array): void;
  /** Precision factors from precision matrices (scikit-learn's meaning of precisions_init); first bad block or −1. */
  fromPrecision(precision: Float64Array, k: number, d: number, out: Float64Array): number;
  /** log det Pₖ per component (half the log-determinant of the precision). */
  logDet(prec: Float64Array, k: number, d: number, out: Float64Array): void;
  /** Component c's covariance as a full d×d matrix. */
  matrix(cov: Float64Array, c: number, d: number): Float64Array;
  /**
   * A sampler for component c: adds L·z to x, where L·Lᵀ = Σc (L lower-triangular, or the standard deviations).
   * The factors are computed once per call of `sampler`.
   */
  sampler(cov: Float64Array, k: number, d: number): (c: number, z: Float64Array, x: Float64Array) => void;
  /** Why a block is not symmetric (full matrices only), or null. */
  asymmetry(cov: Float64Array, k: number, d: number): string | null;
  /** Where the factorisation of block b fails (floors as `factor`'s), for the diagnosis of a degenerate component. */
  pivotFailure(cov: Float64Array, b: number, d: number, floor?: Float64Array): PivotFailure;
}

/** The feature whose pivot (or variance) failed, its value and floor; `overflow` when the block is not finite. */
export interface PivotFailure {
  feature: number;
  variance: number;
  floor: number;
  overflow: boolean;
  /** One variance for all features (a scalar layout). */
  scalar: boolean;
}

/** Full matrices, one per block. */
function matrixLayout(name: 'tri' | 'sharedTri'): Layout {
  const shared = name === 'sharedTri';
  const blocks = (k: number): number => (shared ? 1 : k);
  const factor: Layout['factor'] = (cov, k, d, out, floor) => {
    // P = (L⁻¹)ᵀ with Σ = L·Lᵀ, so P is upper-triangular and P·Pᵀ = Σ⁻¹
    const l = new Float64Array(d * d);
    for (let c = 0; c < blocks(k); c++) {
      if (choleskyPivot(cov, c * d * d, d, l, 0, floor, c * d) >= 0) return c;
      invertLowerTransposed(l, 0, d, out, c * d * d);
    }
    return -1;
  };
  return {
    name,
    code: LAYOUT_CODE[name],
    shared,
    blockSize: (d) => d * d,
    blocks,
    diagonal: (d) => d,
    factor,
    unfactor(prec, k, d, out) {
      // Σ = (P·Pᵀ)⁻¹ = L·Lᵀ with L = (Pᵀ)⁻¹
      const pt = new Float64Array(d * d);
      const l = new Float64Array(d * d);
      for (let c = 0; c < blocks(k); c++) {
        transpose(prec, c * d * d, d, pt, 0);
        invertLower(pt, 0, d, l, 0);
        lowerTimesTranspose(l, 0, d, out, c * d * d);
      }
    },
    fromPrecision(precision, k, d, out) {
      // Σ = Λ⁻¹ = L⁻ᵀ·L⁻¹ with Λ = L·Lᵀ; then the upper factor from Σ, so every factor has one layout
      const cov = new Float64Array(precision.length);
      const l = new Float64Array(d * d);
      const inv = new Float64Array(d * d);
      for (let c = 0; c < blocks(k); c++) {
        if (!choleskyLower(precision, c * d * d, d, l, 0)) return c;
        invertLower(l, 0, d, inv, 0);
        lowerTransposeTimesSelf(inv, d, cov, c * d * d);
      }
      return factor(cov, k, d, out);
    },
    logDet(prec, k, d, out) {
      for (let c = 0; c < k; c++) {
        const off = shared ? 0 : c * d * d;
        let s = 0;
        for (let i = 0; i < d; i++) s += Math.log(prec[off + i * d + i]);
        out[c] = s;
      }
    },
    matrix: (cov, c, d) => cov.slice((shared ? 0 : c) * d * d, ((shared ? 0 : c) + 1) * d * d),
    sampler(cov, k, d) {
      const factor = new Float64Array(blocks(k) * d * d);
      for (let m = 0; m < blocks(k); m++) unpivotedCholesky(cov, m * d * d, d, factor);
      return (c, z, x) => {
        const o = shared ? 0 : c * d * d;
        for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) x[i] += factor[o + i * d + j] * z[j];
      };
    },
    pivotFailure: matrixPivotFailure,
    asymmetry(cov, k, d) {
      for (let c = 0; c < blocks(k); c++) {
        const problem = blockAsymmetry(cov, c * d * d, d);
        if (problem) return `${shared ? '' : `[${c}]`} must be symmetric; ${problem}`;
      }
      return null;
    },
  };
}

/** cov[off…] = invᵀ·inv for the lower-triangular d×d inv (both triangles written): Λ⁻¹ from Λ's inverse factor. */
function lowerTransposeTimesSelf(inv: Float64Array, d: number, cov: Float64Array, off: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = i; p < d; p++) s += inv[p * d + i] * inv[p * d + j];
      cov[off + i * d + j] = s;
      cov[off + j * d + i] = s;
    }
  }
}

/** The lower Cholesky factor of the d×d matrix at cov[o…] into factor[o…], unchecked (a pivot ≤ 0 gives NaN). */
function unpivotedCholesky(cov: Float64Array, o: number, d: number, factor: Float64Array): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[o + i * d + j];
      for (let q = 0; q < j; q++) s -= factor[o + i * d + q] * factor[o + j * d + q];
      factor[o + i * d + j] = i === j ? Math.sqrt(s) : s / factor[o + j * d + j];
    }
  }
}

/** Layout['pivotFailure'] of a full-matrix block: a non-finite entry, else the pivot the factorisation stops at. */
function matrixPivotFailure(cov: Float64Array, b: number, d: number, floor?: Float64Array): PivotFailure {
  const off = b * d * d;
  for (let t = 0; t < d * d; t++) {
    if (!Number.isFinite(cov[off + t]))
      return { feature: 0, variance: cov[off + t], floor: 0, overflow: true, scalar: false };
  }
  const feature = Math.max(0, choleskyPivot(cov, off, d, new Float64Array(d * d), 0, floor, b * d));
  const variance = cov[off + feature * d + feature];
  return {
    feature,
    variance,
    floor: floor ? floor[b * d + feature] : 0,
    overflow: !Number.isFinite(variance),
    scalar: false,
  };
}

/** The first entry (row by row, below the diagonal) of the d×d block at cov[o…] that differs from its mirror, or null. */
function blockAsymmetry(cov: Float64Array, o: number, d: number): string | null {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const a = cov[o + i * d + j];
      const b = cov[o + j * d + i];
      if (Math.abs(a - b) > 1e-10 * Math.max(Math.abs(a), Math.abs(b), 1e-300))
        return `entry [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`;
    }
  }
  return null;
}

/** Variances only: a diagonal per component (d per block) or one variance per component (1 per block). */
function varianceLayout(name: 'diag' | 'scalar'): Layout {
  const per = (d: number): number => (name === 'diag' ? d : 1);
  return {
    name,
    code: LAYOUT_CODE[name],
    shared: false,
    blockSize: per,
    blocks: (k) => k,
    diagonal: per,
    factor(cov, _k, d, out, floor) {
      for (let i = 0; i < cov.length; i++) {
        const v = cov[i];
        if (!(v > (floor ? floor[i] : 0)) || !Number.isFinite(v)) return Math.floor(i / per(d));
        out[i] = 1 / Math.sqrt(v);
      }
      return -1;
    },
    unfactor(prec, _k, _d, out) {
      for (let i = 0; i < prec.length; i++) out[i] = 1 / (prec[i] * prec[i]);
    },
    fromPrecision(precision, _k, d, out) {
      for (let i = 0; i < precision.length; i++) {
        const v = precision[i];
        if (!(v > 0) || !Number.isFinite(v)) return Math.floor(i / per(d));
        out[i] = Math.sqrt(v);
      }
      return -1;
    },
    logDet(prec, k, d, out) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        if (name === 'diag') for (let i = 0; i < d; i++) s += Math.log(prec[c * d + i]);
        else s = d * Math.log(prec[c]);
        out[c] = s;
      }
    },
    matrix(cov, c, d) {
      const m = new Float64Array(d * d);
      for (let j = 0; j < d; j++) m[j * d + j] = name === 'diag' ? cov[c * d + j] : cov[c];
      return m;
    },
    sampler(cov, _k, d) {
      return (c, z, x) => {
        for (let j = 0; j < d; j++) x[j] += Math.sqrt(name === 'diag' ? cov[c * d + j] : cov[c]) * z[j];
      };
    },
    pivotFailure(cov, b, d, floor) {
      const fl = (i: number): number => (floor ? floor[i] : 0);
      let feature = 0;
      if (name === 'diag') {
        for (let j = 0; j < d; j++) {
          if (!(cov[b * d + j] > fl(b * d + j)) || !Number.isFinite(cov[b * d + j])) {
            feature = j;
            break;
          }
        }
      }
      const i = b * per(d) + (name === 'diag' ? feature : 0);
      return { feature, variance: cov[i], floor: fl(i), overflow: false, scalar: name === 'scalar' };
    },
    asymmetry: () => null,
  };
}

export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = Object.freeze({
  tri: matrixLayout('tri'),
  sharedTri: matrixLayout('sharedTri'),
  diag: varianceLayout('diag'),
  scalar: varianceLayout('scalar'),
});

/** The layout of a kernel layout code. */
export function layoutOf(code: LayoutCode): Layout {
  return [LAYOUTS.tri, LAYOUTS.sharedTri, LAYOUTS.diag, LAYOUTS.scalar][code];
}
