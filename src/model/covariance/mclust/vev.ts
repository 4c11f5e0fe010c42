import { symmetricEigen } from '../../eigen';
import {
  assembleSigma,
  checkInput,
  DEFAULT_INNER_CONTROL,
  failed,
  finish,
  FLMAX,
  totalMass,
  type InnerControl,
  type MclustCovariance,
  type MStepInput,
  type WarmStart,
} from './types';

/**
 * VEV: Σk = λk·D_k·A·D_kᵀ, A (det 1) common, D_k the eigenvectors of W_k. With ω_jk the eigenvalues of W_k in
 * descending order, mclust (msvev / mevev) alternates from the current (λ, A)
 *
 *   λk ← Σ_j ω_jk / a_j / (D·n_k)
 *   A  ← b / |b|^{1/D},  b_j = Σ_k ω_jk / λk
 *
 * with err = max( max_j |a_j,old − a_j|/(1 + a_j), max_k |λk − λk_old|/(1 + λk) ) and continues while
 * `err >= tol && iterations < maxIter` (at most maxIter iterations; note >= where VEI has >). Σk uses the last λ
 * (computed from the previous A) and the last A.
 *
 * Cold start (mstep(), or no `warm`): A = b/|b|^{1/D} with b_j = Σ_k ω_jk, λk = |b|^{1/D} / (n_k·n) (n = Σ n_k).
 * me() starts its first EM iteration from the same A but λk = |b|^{1/D} / n, which only changes the first inner
 * iteration's err; from then on it keeps (λ, A) across EM iterations: pass the previous result as `warm`.
 * With maxIter <= 0 the cold start is returned as is. vevMeColdStart() gives me()'s first start exactly.
 */
export function mstepVEV(
  input: MStepInput,
  control: InnerControl = DEFAULT_INNER_CONTROL,
  warm?: WarmStart | null,
): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const tol = Math.max(control.tol, 0);
  const maxIter = control.maxIter;
  const omega = new Float64Array(k * d);
  const orientation = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) {
    const e = symmetricEigen(W, d, c * dd);
    omega.set(e.values, c * d);
    orientation.set(e.vectors, c * dd);
  }
  const scale = new Float64Array(k);
  const shape = new Float64Array(d);
  const res: MclustCovariance = {
    model: 'VEV',
    d,
    k,
    sigma: new Float64Array(k * dd),
    scale,
    shape,
    orientation,
    inner: { iterations: 0, error: FLMAX },
    ok: true,
  };
  if (warm?.scale && warm.scale.length === k && warm.shape && warm.shape.length === d) {
    scale.set(warm.scale);
    shape.set(warm.shape);
  } else {
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) shape[j] += omega[c * d + j];
    let logSum = 0;
    for (let j = 0; j < d; j++) logSum += Math.log(shape[j]);
    const g = Math.exp(logSum / d);
    if (!(g > 0) || !Number.isFinite(g)) return failed(res);
    const n = totalMass(nk);
    for (let c = 0; c < k; c++) scale[c] = g / (nk[c] * n);
    for (let j = 0; j < d; j++) shape[j] /= g;
  }
  const oldShape = new Float64Array(d);
  const oldScale = new Float64Array(k);
  let inner = 0;
  let err = FLMAX;
  if (maxIter > 0) {
    for (;;) {
      oldShape.set(shape);
      oldScale.set(scale);
      shape.fill(0);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += omega[c * d + j] / oldShape[j];
        const lam = s / nk[c] / d;
        scale[c] = lam;
        if (!(lam > 0)) return failed(res);
        for (let j = 0; j < d; j++) shape[j] += omega[c * d + j] / lam;
      }
      inner++;
      let logSum = 0;
      for (let j = 0; j < d; j++) {
        if (!(shape[j] > 0)) return failed(res);
        logSum += Math.log(shape[j]);
      }
      const g = Math.exp(logSum / d);
      if (!(g > 0) || !Number.isFinite(g)) return failed(res);
      for (let j = 0; j < d; j++) shape[j] /= g;
      err = 0;
      for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(oldShape[j] - shape[j]) / (1 + shape[j]));
      for (let c = 0; c < k; c++) err = Math.max(err, Math.abs(scale[c] - oldScale[c]) / (1 + scale[c]));
      if (!(err >= tol && inner < maxIter)) break;
    }
  }
  res.inner = { iterations: inner, error: err };
  res.sigma = assembleSigma(d, k, scale, true, shape, false, orientation, true);
  return finish(res, input.nk);
}

/**
 * The (λ, A) mclust's me() (mevev) starts its FIRST EM iteration from: A as in the cold start, λk = |b|^{1/D} / n
 * for every k. Pass it as `warm` to the first M-step of an EM run to follow mevev exactly; later M-steps take the
 * previous result.
 */
export function vevMeColdStart(input: MStepInput): WarmStart {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const shape = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const e = symmetricEigen(W, d, c * dd);
    for (let j = 0; j < d; j++) shape[j] += e.values[j];
  }
  let logSum = 0;
  for (let j = 0; j < d; j++) logSum += Math.log(shape[j]);
  const g = Math.exp(logSum / d);
  for (let j = 0; j < d; j++) shape[j] /= g;
  return { scale: new Float64Array(k).fill(g / totalMass(nk)), shape };
}
