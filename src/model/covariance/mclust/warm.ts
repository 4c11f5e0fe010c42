/**
 * The warm start of an iterative M-step, recovered from the previous M-step's covariances alone.
 *
 * mclust's me() carries the inner iteration's state from one EM iteration to the next: (λ, A) for VEI and VEV, the
 * common orientation D and the shapes A_k for EVE and VVE (VEE restarts every time). gaussmix's EM loop carries only
 * the mixture's parameters — so fit, fitAsync, fitStream, expectation/maximization and a model saved and loaded all
 * continue identically — and every piece of that state is a function of the covariances it produced:
 *
 *   VEI  Σk = λk·A (diagonal):       λk = |diag Σk|^{1/D},  A = diag Σk / λk
 *   VEV  Σk = λk·Dk·A·Dkᵀ:           λk = |Σk|^{1/D},  A = (eigenvalues of Σk, descending) / λk
 *   EVE, VVE  Σk = λ(k)·D·Ak·Dᵀ:     D = eigenvectors of a generic combination Σ_k c_k Σk/λk (the Σk commute, so it
 *                                    shares their eigenbasis), Ak = diag(Dᵀ Σk D) normalised to det 1
 *
 * These equal mclust's carried state up to rounding (the shape is averaged geometrically over the components,
 * where the constraint makes every component's the same). EVE's and VVE's D may come out with its columns permuted
 * or negated relative to mclust's; the MM iteration is equivariant under that (D → D·P, Ak → Pᵀ·Ak·P gives
 * F → F·P in MM 2 and F → Pᵀ·F in MM 1, and polar(F·P) = polar(F)·P), so Σ is the same.
 */
import { symmetricEigen } from '../../eigen';
import type { MclustModelName, WarmStart } from './types';

/** Weights of the generic combination: distinct and irrational, so distinct eigen-spaces do not cancel by accident. */
const GOLDEN = 0.6180339887498949;

/** The warm start of `model` from K covariance matrices (K·D·D), or null when the model has none. */
export function warmStartFrom(model: MclustModelName, sigma: Float64Array, d: number, k: number): WarmStart | null {
  switch (model) {
    case 'VEI':
      return volumeAndShape(k, d, (c) => Float64Array.from({ length: d }, (_, j) => sigma[c * d * d + j * d + j]));
    case 'VEV':
      return volumeAndShape(k, d, (c) => symmetricEigen(sigma, d, c * d * d).values);
    case 'EVE':
    case 'VVE':
      return orientationAndShapes(sigma, d, k);
    default:
      return null;
  }
}

/** λk = geometric mean of component k's values; A = the geometric mean over k of values/λk (det 1). */
function volumeAndShape(k: number, d: number, valuesOf: (c: number) => Float64Array): WarmStart | null {
  const scale = new Float64Array(k);
  const logShape = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const v = valuesOf(c);
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.log(v[j]);
    scale[c] = Math.exp(s / d);
    for (let j = 0; j < d; j++) logShape[j] += Math.log(v[j] / scale[c]) / k;
  }
  const shape = normalised(logShape.map(Math.exp));
  return usable(scale) && usable(shape) ? { scale, shape } : null;
}

function orientationAndShapes(sigma: Float64Array, d: number, k: number): WarmStart | null {
  const dd = d * d;
  const combo = new Float64Array(dd);
  for (let c = 0; c < k; c++) {
    const vol = Math.exp(symmetricEigen(sigma, d, c * dd).values.reduce((a, v) => a + Math.log(v), 0) / d);
    const weight = (1 + ((c * GOLDEN) % 1)) / vol;
    for (let i = 0; i < dd; i++) combo[i] += weight * sigma[c * dd + i];
  }
  const orientation = symmetricEigen(combo, d).vectors;
  const shape = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const b = new Float64Array(d);
    for (let m = 0; m < d; m++) {
      let q = 0;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += sigma[c * dd + i * d + j] * orientation[j * d + m];
        q += orientation[i * d + m] * s;
      }
      b[m] = q;
    }
    shape.set(normalised(b), c * d);
  }
  return usable(shape) ? { orientation, shape } : null;
}

/** b / |b|^{1/D}. */
function normalised(b: Float64Array): Float64Array {
  let s = 0;
  for (let j = 0; j < b.length; j++) s += Math.log(b[j]);
  const g = Math.exp(s / b.length);
  return b.map((v) => v / g);
}

/** Every entry positive and finite (a start an inner iteration can use). */
function usable(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0) || !Number.isFinite(x[i])) return false;
  return true;
}
