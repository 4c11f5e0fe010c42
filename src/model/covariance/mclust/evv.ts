import { symmetricEigen } from '../../eigen';
import {
  checkInput,
  failed,
  finish,
  geomMean,
  RTEPS,
  totalMass,
  type MclustCovariance,
  type MStepInput,
} from './types';

/**
 * EVV: Σk = λ·C_k with C_k = W_k / |W_k|^{1/D} (det 1) and λ = Σ_k |W_k|^{1/D} / n (mclust msevv, Celeux & Govaert
 * 1995 p. 787). shape_k = eigenvalues of C_k (descending), orientation_k its eigenvectors; Σk is formed from W_k
 * directly, as mclust does. Like mclust, fails when a shape entry or a |W_k|^{1/D} is ≤ sqrt(eps) — note the
 * latter is not scale invariant (a scatter whose determinant is tiny in the data's units fails).
 */
export function mstepEVV(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const shape = new Float64Array(k * d);
  const orientation = new Float64Array(k * dd);
  const sigma = new Float64Array(k * dd);
  const vol = new Float64Array(k);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = symmetricEigen(W, d, c * dd);
    const g = e.values[d - 1] > 0 ? geomMean(e.values, 0, d) : 0;
    vol[c] = g;
    sum += g;
    for (let j = 0; j < d; j++) shape[c * d + j] = e.values[j] / g;
    orientation.set(e.vectors, c * dd);
    for (let i = 0; i < dd; i++) sigma[c * dd + i] = W[c * dd + i] / g;
  }
  const lambda = sum / totalMass(nk);
  for (let i = 0; i < k * dd; i++) sigma[i] *= lambda;
  const res: MclustCovariance = {
    model: 'EVV',
    d,
    k,
    sigma,
    scale: Float64Array.of(lambda),
    shape,
    orientation,
    inner: null,
    ok: true,
  };
  let minShape = Infinity;
  for (let i = 0; i < shape.length; i++) minShape = Math.min(minShape, shape[i]);
  let minVol = Infinity;
  for (let c = 0; c < k; c++) minVol = Math.min(minVol, vol[c]);
  if (!(minShape > RTEPS) || !(minVol > RTEPS)) return failed(res);
  return finish(res, input.nk);
}
