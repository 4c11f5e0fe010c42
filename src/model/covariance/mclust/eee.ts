import { checkInput, finish, totalMass, type MclustCovariance, type MStepInput } from './types';

/** EEE: Σk = Σ = Σ_k W_k / n for every component (mclust mseee; scikit-learn's 'tied'). */
export function mstepEEE(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const n = totalMass(nk);
  const common = new Float64Array(dd);
  for (let c = 0; c < k; c++) for (let i = 0; i < dd; i++) common[i] += W[c * dd + i];
  for (let i = 0; i < dd; i++) common[i] /= n;
  const sigma = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) sigma.set(common, c * dd);
  return finish({ model: 'EEE', d, k, sigma, scale: null, shape: null, orientation: null, inner: null, ok: true }, nk);
}
