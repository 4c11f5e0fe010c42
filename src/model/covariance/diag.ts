/** scikit-learn's 'diag' (mclust's VVI): a diagonal covariance per component. */
import { LAYOUTS } from './layouts.js';
import { centering, noiseScale, PIVOT_TOL } from './scatter.js';
import type { CovarianceModel } from './types.js';

export const diag: CovarianceModel = {
  name: 'diag',
  layout: LAYOUTS.diag,
  statsKind: 'diag',
  shape: (k, d) => [k, d],
  nParams: (k, d) => k * d,
  estimate(m) {
    const { st, nk, delta, empty, regCovar, prev } = m;
    const { k, d } = st;
    const cov = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      if (empty[c]) {
        cov.set(prev.subarray(c * d, c * d + d), c * d);
        continue;
      }
      const fc = centering(m, c);
      for (let j = 0; j < d; j++) {
        const dj = delta[c * d + j];
        cov[c * d + j] = st.sxx[c * d + j] / nk[c] - fc * dj * dj + regCovar;
      }
    }
    return cov;
  },
  floors(m, cov) {
    const { k, d } = m.st;
    const floor = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      if (m.empty[c]) continue;
      for (let j = 0; j < d; j++) floor[c * d + j] = PIVOT_TOL * (Math.abs(cov[c * d + j]) + noiseScale(m, c, j));
    }
    return floor;
  },
  fromVariances(v, k) {
    const d = v.length;
    const cov = new Float64Array(k * d);
    for (let c = 0; c < k; c++) cov.set(v, c * d);
    return cov;
  },
};
