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
 * EEI: Σk = λ·A, A diagonal with det 1, common to all components. With B = diag(Σ_k W_k):
 * λ = |B|^{1/D} / n, A = B / |B|^{1/D} (mclust mseei).
 */
export function mstepEEI(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  const shape = new Float64Array(d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) shape[j] += W[c * dd + j * d + j];
  const g = geomMean(shape, 0, d);
  const scale = Float64Array.of(g / totalMass(nk));
  for (let j = 0; j < d; j++) shape[j] /= g;
  const sigma = assembleSigma(d, k, scale, false, shape, false, null, false);
  return finish({ model: 'EEI', d, k, sigma, scale, shape, orientation: null, inner: null, ok: true }, nk);
}
