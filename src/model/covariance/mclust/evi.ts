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
 * EVI: Σk = λ·A_k, A_k diagonal with det 1. With B_k = diag(W_k): A_k = B_k / |B_k|^{1/D},
 * λ = Σ_k |B_k|^{1/D} / n (mclust msevi).
 */
export function mstepEVI(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const shape = new Float64Array(k * d);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) shape[c * d + j] = W[c * dd + j * d + j];
    const g = geomMean(shape, c * d, d);
    sum += g;
    for (let j = 0; j < d; j++) shape[c * d + j] /= g;
  }
  const scale = Float64Array.of(sum / totalMass(nk));
  const sigma = assembleSigma(d, k, scale, false, shape, true, null, false);
  return finish({ model: 'EVI', d, k, sigma, scale, shape, orientation: null, inner: null, ok: true }, nk);
}
