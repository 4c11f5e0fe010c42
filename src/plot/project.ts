/**
 * Getting a mixture onto a plane: full D×D covariances for every covariance type, the two leading principal
 * axes of the data (for D > 2), and the projection of points, means (W·μ) and covariances (W·Σ·Wᵀ) onto them.
 */
import { covarianceMatrices } from '../model/covariance/registry.js';
import type { GaussianMixture } from '../api/gaussian-mixture.js';
import type { Matrix } from '../data/matrix.js';
import { toRows } from '../data/matrix.js';
import { symmetricEigen as eigen } from '../model/eigen.js';

/**
 * The eigenpairs of a symmetric d×d matrix (row-major) as the plots use them: values descending, each eigenvector
 * a row (model/eigen.ts computes them; its vectors are columns, signs fixed the same way).
 */
export function symmetricEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array[] } {
  const e = eigen(a, d);
  const vectors = Array.from({ length: d }, (_, c) => Float64Array.from({ length: d }, (_, k) => e.vectors[k * d + c]));
  return { values: e.values, vectors };
}

/** Every component's covariance as a full d×d row-major matrix, whatever the model's covariance type. */
export function fullCovariances(model: GaussianMixture): Float64Array[] {
  const flat = (v: unknown): number[] =>
    typeof v === 'number' ? [v] : Array.from(v as ArrayLike<unknown>).flatMap(flat);
  return covarianceMatrices(
    model.options.covarianceType,
    Float64Array.from(flat(model.covariances)),
    model.weights.length,
    model.nFeatures,
  );
}

export interface Projection {
  /** 2×D projection rows (identity rows for D = 2). */
  axes: Float64Array[];
  /** Point subtracted before projecting (column means for PCA, 0 for D = 2). */
  center: Float64Array;
  /** Fraction of the data's variance along each axis (PCA only). */
  explained: number[] | null;
}

/** Identity for D = 2; the two leading principal axes of X's covariance for D > 2. */
export function projectionFor(X: Matrix): Projection {
  const rows = toRows(X);
  const { n: count, d } = rows;
  if (d < 2) throw new RangeError('a 2-D projection needs at least 2 features');
  const center = new Float64Array(d);
  if (d === 2) return { axes: [Float64Array.of(1, 0), Float64Array.of(0, 1)], center, explained: null };
  const buf = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    rows.copyRows(i, 1, buf, 0);
    for (let j = 0; j < d; j++) center[j] += buf[j] / count;
  }
  const cov = new Float64Array(d * d);
  for (let i = 0; i < count; i++) {
    rows.copyRows(i, 1, buf, 0);
    for (let a = 0; a < d; a++) {
      const da = buf[a] - center[a];
      for (let b = 0; b <= a; b++) cov[a * d + b] += (da * (buf[b] - center[b])) / Math.max(1, count - 1);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[b * d + a] = cov[a * d + b];
  const { values, vectors } = symmetricEigen(cov, d);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0) || 1;
  return {
    axes: [vectors[0], vectors[1]],
    center,
    explained: [Math.max(0, values[0]) / total, Math.max(0, values[1]) / total],
  };
}

/** W·(x − c) */
export function projectPoint(p: Projection, x: ArrayLike<number>): [number, number] {
  let a = 0;
  let b = 0;
  for (let j = 0; j < x.length; j++) {
    const v = x[j] - p.center[j];
    a += p.axes[0][j] * v;
    b += p.axes[1][j] * v;
  }
  return [a, b];
}

/** W·Σ·Wᵀ as [s00, s01, s11]. */
export function projectCovariance(p: Projection, cov: Float64Array, d: number): [number, number, number] {
  const quad = (u: Float64Array, w: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += u[i] * cov[i * d + j] * w[j];
    return s;
  };
  return [quad(p.axes[0], p.axes[0]), quad(p.axes[0], p.axes[1]), quad(p.axes[1], p.axes[1])];
}

/** Semi-axes (√ eigenvalues) and rotation (degrees, of the first axis from +x) of a 2×2 covariance [a, b, c]. */
export function ellipseOf(a: number, b: number, c: number): { r1: number; r2: number; angle: number } {
  const mid = (a + c) / 2;
  const rad = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const l1 = Math.max(0, mid + rad);
  const l2 = Math.max(0, mid - rad);
  const angle = (0.5 * Math.atan2(2 * b, a - c) * 180) / Math.PI;
  return { r1: Math.sqrt(l1), r2: Math.sqrt(l2), angle };
}
