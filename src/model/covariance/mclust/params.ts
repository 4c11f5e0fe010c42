import type { MclustModelName } from './types';

/**
 * Number of free covariance parameters of a model (mclust's nVarParams): volume + shape + orientation counts,
 * λ: 1 or K; A: D−1 or K·(D−1); D: D(D−1)/2 or K·D(D−1)/2; EVV is 1 − K + K·D(D+1)/2 (each C_k has det 1).
 */
export function nVarParams(model: MclustModelName, d: number, k: number): number {
  switch (model) {
    case 'EII':
      return 1;
    case 'VII':
      return k;
    case 'EEI':
      return d;
    case 'VEI':
      return k + (d - 1);
    case 'EVI':
      return 1 + k * (d - 1);
    case 'VVI':
      return k * d;
    case 'EEE':
      return (d * (d + 1)) / 2;
    case 'EVE':
      return 1 + k * (d - 1) + (d * (d - 1)) / 2;
    case 'VEE':
      return k + (d - 1) + (d * (d - 1)) / 2;
    case 'VVE':
      return k + k * (d - 1) + (d * (d - 1)) / 2;
    case 'EEV':
      return 1 + (d - 1) + (k * d * (d - 1)) / 2;
    case 'VEV':
      return k + (d - 1) + (k * d * (d - 1)) / 2;
    case 'EVV':
      return 1 - k + (k * d * (d + 1)) / 2;
    case 'VVV':
      return (k * d * (d + 1)) / 2;
    default:
      throw new Error(`unknown mclust model ${String(model)}`);
  }
}

/**
 * Number of free parameters of a K-component mixture, as mclust's nMclustParams(modelName, d, G) without noise:
 * nVarParams + K·D means + (K − 1) mixing proportions (none with equalPro).
 */
export function nMclustParams(model: MclustModelName, d: number, k: number, equalPro = false): number {
  return nVarParams(model, d, k) + k * d + (equalPro ? 0 : k - 1);
}

/** mclust's BIC: 2·loglik − nParams·log(n) (higher is better; scikit-learn's bic() is −1 times this). */
export function mclustBIC(
  model: MclustModelName,
  loglik: number,
  n: number,
  d: number,
  k: number,
  equalPro = false,
): number {
  return 2 * loglik - nMclustParams(model, d, k, equalPro) * Math.log(n);
}

/**
 * mclust's ICL (icl.Mclust): BIC + 2·Σ_i log z_i,map(i), z the responsibilities of the final E-step and map(i)
 * the first component with the largest z_ik (entries z = 0 contribute 0). Higher is better.
 */
export function mclustICL(bic: number, z: Float64Array, n: number, k: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (z[i * k + c] > z[i * k + best]) best = c;
    const v = z[i * k + best];
    if (v > 0) s += Math.log(v);
  }
  return bic + 2 * s;
}
