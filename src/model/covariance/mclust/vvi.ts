import { assembleSigma, checkInput, finish, geomMean, type MclustCovariance, type MStepInput } from './types';

/**
 * VVI: Σk = λk·A_k, A_k diagonal with det 1: with B_k = diag(W_k), λk = |B_k|^{1/D} / n_k, A_k = B_k / |B_k|^{1/D}
 * (mclust msvvi), i.e. Σk = diag(W_k)/n_k — scikit-learn's 'diag'.
 */
export function mstepVVI(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const shape = new Float64Array(k * d);
  const scale = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) shape[c * d + j] = W[c * dd + j * d + j];
    const g = geomMean(shape, c * d, d);
    scale[c] = g / nk[c];
    for (let j = 0; j < d; j++) shape[c * d + j] /= g;
  }
  const sigma = assembleSigma(d, k, scale, true, shape, true, null, false);
  return finish({ model: 'VVI', d, k, sigma, scale, shape, orientation: null, inner: null, ok: true }, nk);
}
