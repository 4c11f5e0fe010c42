import { polarFactor, symmetricEigen } from '../../eigen';
import { FLMAX, geomMean, RTEPS, type InnerControl, type MStepInput, type WarmStart } from './types';

export interface MMResult {
  /** D·D, columns the common eigenvectors D */
  orientation: Float64Array;
  /** K·D, row k = A_k's diagonal (det 1) */
  shape: Float64Array;
  /** VVE: λk (length K); EVE: λ (length 1) */
  scale: Float64Array;
  inner: { iterations: number; error: number };
  ok: boolean;
}

/**
 * The inner iteration of EVE and VVE (common orientation D, varying shapes A_k): the MM algorithm of Browne &
 * McNicholas (2014), "Estimating common principal components in high dimensions" (MM 1 then MM 2 each
 * iteration), as mclust's mseve / msvve / meeve / mevve run it. With ω_k the largest eigenvalue of W_k:
 *
 *   MM 1:  F = Σ_k (A_k⁻¹·Dᵀ·W_k − ω_k·A_k⁻¹·Dᵀ);           Dᵀ ← polar(F)
 *   MM 2:  F = Σ_k (W_k·D·A_k⁻¹ − max_j(1/a_jk)·W_k·D);      D  ← polar(F)
 *   b_k = diag(Dᵀ·W_k·D)
 *   EVE:   A_k = b_k / |b_k|^{1/D}
 *   VVE:   λk = |b_k / n_k|^{1/D},  A_k = (b_k / n_k) / λk
 *   t = Σ_k Σ_j b_jk / a_jk,  err = |t − t_old| / (1 + |t|)    (t_old starts at FLMAX/2)
 *
 * (polar(F) = P·Rᵀ for F = P·S·Rᵀ, LAPACK dgesvd in mclust.) Continues while `err > tol && iterations < maxIter`.
 * EVE's λ = t / (D·Σ_k n_k) after the loop. Start: D = I, A_k = I (mstep()); me() keeps D and A_k from one EM
 * iteration to the next (`warm`). Fails when a W_k has an eigenvalue < sqrt(eps) or a shape entry drops below
 * sqrt(eps) (and, VVE, a λk < sqrt(eps)), as mclust does.
 */
export function commonOrientationMM(
  input: MStepInput,
  control: InnerControl,
  warm: WarmStart | null | undefined,
  varyingVolume: boolean,
): MMResult {
  const { W, nk, d, k } = input;
  const dd = d * d;
  const tol = control.tol;
  const maxIter = control.maxIter;
  const orientation = new Float64Array(dd);
  for (let i = 0; i < d; i++) orientation[i * d + i] = 1;
  const shape = new Float64Array(k * d).fill(1);
  if (warm?.orientation && warm.orientation.length === dd) orientation.set(warm.orientation);
  if (warm?.shape && warm.shape.length === k * d) shape.set(warm.shape);
  const scale = new Float64Array(varyingVolume ? k : 1);
  const res: MMResult = { orientation, shape, scale, inner: { iterations: 0, error: FLMAX }, ok: false };

  const omega = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const e = symmetricEigen(W, d, c * dd);
    if (!(e.values[d - 1] >= RTEPS)) return res;
    omega[c] = e.values[0];
  }

  const f = new Float64Array(dd);
  const wd = new Float64Array(dd); // W_k·D
  const b = new Float64Array(d);
  let inner = 0;
  let err = FLMAX;
  let target = FLMAX;
  let targetOld = FLMAX / 2;
  let sumN = 0;
  for (let c = 0; c < k; c++) sumN += nk[c];
  for (;;) {
    inner++;
    fillMM1Matrix(input, orientation, shape, omega, f);
    const dt = polarFactor(f, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) orientation[i * d + j] = dt[j * d + i];
    fillMM2Matrix(input, orientation, shape, wd, f);
    orientation.set(polarFactor(f, d));
    const t = updateShapes(input, orientation, shape, scale, varyingVolume, wd, b);
    if (t === null) return res;
    target = t;
    err = Math.abs(target - targetOld) / (1 + Math.abs(target));
    targetOld = target;
    if (!(err > tol && inner < maxIter)) break;
  }
  if (!varyingVolume) scale[0] = target / (sumN * d);
  res.inner = { iterations: inner, error: err };
  res.ok = true;
  return res;
}

/** MM 1's F = Σ_k A_k⁻¹·Dᵀ·(W_k − ω_k·I) into f; row j of A_k⁻¹·Dᵀ is column j of D over a_jk. */
function fillMM1Matrix(
  input: MStepInput,
  orientation: Float64Array,
  shape: Float64Array,
  omega: Float64Array,
  f: Float64Array,
): void {
  const { W, d, k } = input;
  const dd = d * d;
  f.fill(0);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      const inva = 1 / shape[c * d + j];
      for (let col = 0; col < d; col++) {
        const s = columnDot(orientation, j, W, c * dd, col, d);
        f[j * d + col] += (s - omega[c] * orientation[col * d + j]) * inva;
      }
    }
  }
}

/** Σ_m a[m·d + i]·b[bOff + m·d + j]: column i of a against column j of the d×d matrix at b[bOff]. */
function columnDot(a: Float64Array, i: number, b: Float64Array, bOff: number, j: number, d: number): number {
  let s = 0;
  for (let m = 0; m < d; m++) s += a[m * d + i] * b[bOff + m * d + j];
  return s;
}

/** MM 2's F = Σ_k (W_k·D·A_k⁻¹ − max_j(1/a_jk)·W_k·D) into f (wd: scratch for W_k·D). */
function fillMM2Matrix(
  input: MStepInput,
  orientation: Float64Array,
  shape: Float64Array,
  wd: Float64Array,
  f: Float64Array,
): void {
  const { W, d, k } = input;
  const dd = d * d;
  f.fill(0);
  for (let c = 0; c < k; c++) {
    mulWD(W, c * dd, orientation, d, wd);
    let maxInv = -Infinity;
    for (let j = 0; j < d; j++) maxInv = Math.max(maxInv, 1 / shape[c * d + j]);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const x = wd[i * d + j];
        f[i * d + j] += x / shape[c * d + j] - maxInv * x;
      }
    }
  }
}

/**
 * Shapes A_k (and VVE's λk) from b_k = diag(Dᵀ·W_k·D) for the new D; returns the target Σ_k Σ_j b_jk / a_jk, or null
 * when a λk or shape entry drops below sqrt(eps) (mclust's failure; the arrays are left as they were at that point).
 */
function updateShapes(
  input: MStepInput,
  orientation: Float64Array,
  shape: Float64Array,
  scale: Float64Array,
  varyingVolume: boolean,
  wd: Float64Array,
  b: Float64Array,
): number | null {
  const { W, nk, d, k } = input;
  const dd = d * d;
  let target = 0;
  for (let c = 0; c < k; c++) {
    mulWD(W, c * dd, orientation, d, wd);
    for (let j = 0; j < d; j++) b[j] = columnDot(orientation, j, wd, 0, j, d);
    if (varyingVolume) {
      for (let j = 0; j < d; j++) shape[c * d + j] = b[j] / nk[c];
      const g = geomMean(shape, c * d, d);
      scale[c] = g;
      for (let j = 0; j < d; j++) shape[c * d + j] /= g;
      if (!(g >= RTEPS)) return null;
    } else {
      for (let j = 0; j < d; j++) shape[c * d + j] = b[j];
      const g = geomMean(shape, c * d, d);
      for (let j = 0; j < d; j++) shape[c * d + j] /= g;
    }
    for (let j = 0; j < d; j++) if (!(shape[c * d + j] >= RTEPS)) return null;
    for (let j = 0; j < d; j++) target += b[j] / shape[c * d + j];
  }
  return target;
}

/** out = W_k·D (d×d, row-major). */
function mulWD(w: Float64Array, off: number, dm: Float64Array, d: number, out: Float64Array): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let m = 0; m < d; m++) s += w[off + i * d + m] * dm[m * d + j];
      out[i * d + j] = s;
    }
  }
}
