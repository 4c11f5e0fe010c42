import { checkInput, finish, type MclustCovariance, type MStepInput } from './types';

/**
 * VII: Σk = λk·I. λk = tr(W_k) / (n_k·D) (mclust msvii; scikit-learn's 'spherical').
 */
export function mstepVII(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const scale = new Float64Array(k);
  const sigma = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) {
    let tr = 0;
    for (let j = 0; j < d; j++) tr += W[c * dd + j * d + j];
    scale[c] = tr / (nk[c] * d);
    for (let j = 0; j < d; j++) sigma[c * dd + j * d + j] = scale[c];
  }
  return finish({ model: 'VII', d, k, sigma, scale, shape: null, orientation: null, inner: null, ok: true }, nk);
}
