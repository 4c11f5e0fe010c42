import { checkInput, finish, totalMass, type MclustCovariance, type MStepInput } from './types';

/**
 * EII: Σk = λ·I, one λ for all components. λ = Σ_k tr(W_k) / (n·D) with n = Σ_k n_k (mclust mseii).
 */
export function mstepEII(input: MStepInput): MclustCovariance {
  checkInput(input);
  const { W, nk, d, k } = input;
  const dd = d * d;
  let tr = 0;
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) tr += W[c * dd + j * d + j];
  const lambda = tr / (totalMass(nk) * d);
  const sigma = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) sigma[c * dd + j * d + j] = lambda;
  return finish(
    {
      model: 'EII',
      d,
      k,
      sigma,
      scale: Float64Array.of(lambda),
      shape: null,
      orientation: null,
      inner: null,
      ok: true,
    },
    nk,
  );
}
