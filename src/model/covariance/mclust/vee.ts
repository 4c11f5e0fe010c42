import { symmetricEigen } from '../../eigen';
import {
  checkInput,
  DEFAULT_INNER_CONTROL,
  failed,
  finish,
  FLMAX,
  totalMass,
  type InnerControl,
  type MclustCovariance,
  type MStepInput,
} from './types';

/**
 * VEE: Σk = λk·C, C = D·A·Dᵀ with det 1 common to all components (Celeux & Govaert 1995 p. 785; mclust msvee /
 * mevee, by Michael Fop). From λ = 1 it alternates
 *
 *   C  ← M / |M|^{1/D},  M = Σ_k W_k / λk
 *   λk ← tr(W_k·C⁻¹) / (D·n_k)
 *
 * with the target t = D·Σ_k n_k + D·Σ_k n_k·log λk and err = |t − t_old| / (1 + |t|) (t_old starts at FLMAX/2),
 * continuing while `err > tol && iterations < maxIter`. Σk = λk·C with the last C (computed from the previous λ)
 * and the last λ. shape = eigenvalues of C (descending), orientation = its eigenvectors.
 *
 * mclust restarts from λ = 1 in every EM iteration (mstep() and me() alike): there is no warm start.
 * Fails ("cannot compute M-step") when a W_k or C is not positive definite.
 */
export function mstepVEE(input: MStepInput, control: InnerControl = DEFAULT_INNER_CONTROL): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const tol = control.tol;
  const maxIter = control.maxIter;
  const scale = new Float64Array(k).fill(1);
  const res: MclustCovariance = {
    model: 'VEE',
    d,
    k,
    sigma: new Float64Array(k * dd),
    scale,
    shape: new Float64Array(d),
    orientation: new Float64Array(dd),
    inner: { iterations: 0, error: FLMAX },
    ok: true,
  };
  for (let c = 0; c < k; c++) if (!isPositiveDefinite(W, c * dd, d)) return failed(res);
  const sumN = totalMass(nk);
  const cMat = new Float64Array(dd);
  let values: Float64Array = new Float64Array(d);
  let vectors: Float64Array = new Float64Array(dd);
  let inner = 0;
  let err = FLMAX;
  let target = FLMAX;
  let targetOld = FLMAX / 2;
  for (;;) {
    inner++;
    cMat.fill(0);
    for (let c = 0; c < k; c++) {
      const inv = 1 / scale[c];
      for (let i = 0; i < dd; i++) cMat[i] += W[c * dd + i] * inv;
    }
    const e = symmetricEigen(cMat, d);
    if (!(e.values[d - 1] > 0)) return failed(res);
    let logSum = 0;
    for (let j = 0; j < d; j++) logSum += Math.log(e.values[j]);
    const g = Math.exp(logSum / d);
    for (let i = 0; i < dd; i++) cMat[i] /= g;
    values = e.values.map((v) => v / g);
    vectors = e.vectors;
    // C⁻¹ = V diag(1/values) Vᵀ (mclust inverts C by Cholesky; same matrix up to rounding)
    for (let c = 0; c < k; c++) scale[c] = traceTimesInverse(W, c * dd, vectors, values, d) / (d * nk[c]);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.log(scale[c]) * nk[c];
    target = sumN * d + d * s;
    err = Math.abs(target - targetOld) / (1 + Math.abs(target));
    targetOld = target;
    if (!(err > tol && inner < maxIter)) break;
  }
  res.inner = { iterations: inner, error: err };
  res.shape = values;
  res.orientation = vectors;
  for (let c = 0; c < k; c++) for (let i = 0; i < dd; i++) res.sigma[c * dd + i] = scale[c] * cMat[i];
  return finish(res, input.nk);
}

/**
 * tr(W C⁻¹) for the d×d matrix W at w[wOff] and C = V diag(values) Vᵀ: Σ_m v_mᵀ W v_m / values[m], which needs no
 * inverse of C.
 */
function traceTimesInverse(
  w: Float64Array,
  wOff: number,
  vectors: Float64Array,
  values: Float64Array,
  d: number,
): number {
  let tr = 0;
  for (let m = 0; m < d; m++) {
    let q = 0;
    for (let i = 0; i < d; i++) {
      let wi = 0;
      for (let j = 0; j < d; j++) wi += w[wOff + i * d + j] * vectors[j * d + m];
      q += vectors[i * d + m] * wi;
    }
    tr += q / values[m];
  }
  return tr;
}

/** Cholesky succeeds (all pivots > 0) on the symmetric d×d matrix at a[off]. */
export function isPositiveDefinite(a: Float64Array, off: number, d: number): boolean {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[off + i * d + j];
      for (let p = 0; p < j; p++) s -= l[i * d + p] * l[j * d + p];
      if (i === j) {
        if (!(s > 0)) return false;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  return true;
}
