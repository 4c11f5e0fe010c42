import {
  assembleSigma,
  checkInput,
  DEFAULT_INNER_CONTROL,
  failed,
  finish,
  FLMAX,
  type InnerControl,
  type MclustCovariance,
  type MStepInput,
  type WarmStart,
} from './types';

/**
 * VEI: Σk = λk·A, A diagonal with det 1 common to all components. No closed form: mclust (msvei / mevei)
 * alternates, from the current (λ, A),
 *
 *   λk ← Σ_j w_jk / a_j / (D·n_k)            (w_jk = W_k[j, j])
 *   A  ← b / |b|^{1/D},  b_j = Σ_k w_jk / λk
 *
 * and stops when err = max( max_k |λk_old − λk|/(1 + λk), max_j |a_j,old − a_j|/(1 + a_j) ) ≤ tol, or when the
 * count passes maxIter: the test is `err > tol && iterations <= maxIter`, so up to maxIter + 1 iterations run
 * (mclust's quirk, kept). Σk = λk·A uses the λ of the last iteration, computed from the A before the last shape
 * update, exactly as mclust reports it.
 *
 * Start: mstep() (no `warm`) starts from λ = 1, A = I. me() keeps (λ, A) from one EM iteration to the next and
 * starts the first from λ = 1, A = I too: pass the previous result as `warm`.
 */
export function mstepVEI(
  input: MStepInput,
  control: InnerControl = DEFAULT_INNER_CONTROL,
  warm?: WarmStart | null,
): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const tol = Math.max(control.tol, 0);
  const maxIter = control.maxIter;
  const scale = new Float64Array(k).fill(1);
  const shape = new Float64Array(d).fill(1);
  if (warm?.scale && warm.scale.length === k) scale.set(warm.scale);
  if (warm?.shape && warm.shape.length === d) shape.set(warm.shape);
  const oldScale = new Float64Array(k);
  const oldShape = new Float64Array(d);
  const res: MclustCovariance = {
    model: 'VEI',
    d,
    k,
    sigma: new Float64Array(k * dd),
    scale,
    shape,
    orientation: null,
    inner: { iterations: 0, error: FLMAX },
    ok: true,
  };
  let inner = 0;
  let err = FLMAX;
  for (;;) {
    if (!(minOf(shape) > 0)) return failed(res);
    inner++;
    oldScale.set(scale);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += W[c * dd + j * d + j] / shape[j];
      scale[c] = s / (nk[c] * d);
    }
    if (!(minOf(scale) > 0) || !Number.isFinite(maxOf(scale))) return failed(res);
    oldShape.set(shape);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += W[c * dd + j * d + j] / scale[c];
      shape[j] = s;
    }
    if (!(minOf(shape) > 0) || !Number.isFinite(maxOf(shape))) return failed(res);
    let logSum = 0;
    for (let j = 0; j < d; j++) logSum += Math.log(shape[j]);
    const g = Math.exp(logSum / d);
    if (!(g > 0) || !Number.isFinite(g)) return failed(res);
    for (let j = 0; j < d; j++) shape[j] /= g;
    err = 0;
    for (let c = 0; c < k; c++) err = Math.max(err, Math.abs(oldScale[c] - scale[c]) / (1 + scale[c]));
    for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(oldShape[j] - shape[j]) / (1 + shape[j]));
    if (!(err > tol && inner <= maxIter)) break;
  }
  res.inner = { iterations: inner, error: err };
  res.sigma = assembleSigma(d, k, scale, true, shape, false, null, false);
  return finish(res, input.nk);
}

function minOf(x: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < x.length; i++) m = Math.min(m, x[i]);
  return m;
}

function maxOf(x: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]);
  return m;
}
