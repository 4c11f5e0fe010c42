import { symmetricEigen } from '../../eigen';
import {
  assembleSigma,
  checkInput,
  finish,
  geomMean,
  totalMass,
  type MclustCovariance,
  type MStepInput,
} from './types';

/**
 * EEV: Σk = λ·D_k·A·D_kᵀ. With W_k = D_k·Ω_k·D_kᵀ (eigenvalues descending): B = Σ_k Ω_k,
 * A = B / |B|^{1/D}, λ = |B|^{1/D} / n, D_k the eigenvectors of W_k (mclust mseev, Celeux & Govaert 1995 §3.2).
 * The shape pairs with each component's eigenvalues in descending order.
 */
export function mstepEEV(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const shape = new Float64Array(d);
  const orientation = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) {
    const e = symmetricEigen(W, d, c * dd);
    for (let j = 0; j < d; j++) shape[j] += e.values[j];
    orientation.set(e.vectors, c * dd);
  }
  const g = geomMean(shape, 0, d);
  const scale = Float64Array.of(g / totalMass(nk));
  for (let j = 0; j < d; j++) shape[j] /= g;
  const sigma = assembleSigma(d, k, scale, false, shape, false, orientation, true);
  return finish({ model: 'EEV', d, k, sigma, scale, shape, orientation, inner: null, ok: true }, nk);
}
