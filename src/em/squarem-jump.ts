/**
 * SQUAREM's jump (squarem.ts): the extrapolated point from three EM iterates. Its own module because it is M-step
 * math that every driver answers ('squarem-jump': drivers/local/math.ts, fitAsync's workers), while the accelerated
 * run itself is the calling thread's; both are extensions (extensions.ts), so a page of gaussmix/core loads neither.
 */
import { modelOf, type Params } from '../model/params.js';

/** The parameter vector SQUAREM extrapolates: log weights, means, covariances (storage layout). */
function vec(p: Params): Float64Array {
  const out = new Float64Array(p.k + p.means.length + p.covariances.length);
  for (let c = 0; c < p.k; c++) out[c] = Math.log(p.weights[c]);
  out.set(p.means, p.k);
  out.set(p.covariances, p.k + p.means.length);
  return out;
}

/** Parameters from a vector, or null when its covariances are not positive definite (or anything is not finite). */
function unvec(v: Float64Array, like: Params): Params | null {
  const { k, d } = like;
  if (!v.every(Number.isFinite)) return null;
  let m = -Infinity;
  for (let c = 0; c < k; c++) m = Math.max(m, v[c]);
  const weights = new Float64Array(k);
  let s = 0;
  for (let c = 0; c < k; c++) s += weights[c] = Math.exp(v[c] - m);
  for (let c = 0; c < k; c++) weights[c] /= s;
  const means = v.slice(k, k + like.means.length);
  const covariances = v.slice(k + like.means.length);
  const precChol = new Float64Array(covariances.length);
  if (modelOf(like).layout.factor(covariances, k, d, precChol) >= 0) return null;
  return { ...like, weights, means, covariances, precChol };
}

function norm2(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/**
 * θ' = θ0 − 2αr + α²v with α = −‖r‖/‖v‖ (r = θ1 − θ0, v = θ2 − 2θ1 + θ0), α halved towards −1 while θ' is not a valid
 * mixture; null when α reaches −1 (θ' would be θ2, the plain EM step).
 */
export function extrapolate(p0: Params, p1: Params, p2: Params): Params | null {
  const t0 = vec(p0);
  const t1 = vec(p1);
  const t2 = vec(p2);
  const r = t1.map((x, i) => x - t0[i]);
  const v = t2.map((x, i) => x - 2 * t1[i] + t0[i]);
  const nv = norm2(v);
  if (!(nv > 0)) return null;
  for (let alpha = -Math.sqrt(norm2(r) / nv); alpha < -1.01; alpha = (alpha - 1) / 2) {
    const jump = unvec(
      t0.map((x, i) => x - 2 * alpha * r[i] + alpha * alpha * v[i]),
      p0,
    );
    if (jump) return jump;
  }
  return null;
}
