/**
 * The pieces that 'diag' (d variances per component) and 'spherical' (one per component) share: precision factors
 * 1/√σ² entry by entry, a feature's Gaussian-moment variance, and the data's column variances.
 */
import type { DataMoments } from '../priors.js';
import type { MomentInput } from './types.js';

/** 1/√v entry by entry into out; the first entry that is not positive and finite, or −1. */
export function factorEntries(cov: Float64Array, n: number, out: Float64Array): number {
  for (let i = 0; i < n; i++) {
    const v = cov[i];
    if (!(v > 0) || !Number.isFinite(v)) return i;
    out[i] = 1 / Math.sqrt(v);
  }
  return -1;
}

/** (diag C + e·x̄²)/nk + reg for feature j of component c: scikit-learn's Σ r x²/nk − x̄² without the cancellation. */
export function momentVariance(m: MomentInput, c: number, j: number): number {
  const x = m.xbar[c * m.d + j];
  return (m.scatter(c, j, j) + m.extra[c] * x * x) / m.nk[c] + m.regCovar;
}

/** np.var(X, axis=0, ddof=1): the diagonal of the scatter over n − 1. */
export function columnVariances(m: DataMoments): Float64Array {
  const { d, n } = m;
  const v = new Float64Array(d);
  for (let j = 0; j < d; j++) v[j] = m.scatter[j * d + j] / (n - 1);
  return v;
}
