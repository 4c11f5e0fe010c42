import { checkInput, finish, type MclustCovariance, type MStepInput } from './types';

/** VVV: Σk = W_k / n_k (mclust msvvv; scikit-learn's 'full'). */
export function mstepVVV(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const sigma = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) for (let i = 0; i < dd; i++) sigma[c * dd + i] = W[c * dd + i] / nk[c];
  return finish({ model: 'VVV', d, k, sigma, scale: null, shape: null, orientation: null, inner: null, ok: true }, nk);
}
