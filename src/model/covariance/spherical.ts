/** scikit-learn's 'spherical' (mclust's VII): one variance per component, the mean of its per-feature variances. */
import { LAYOUTS } from './layouts.js';
import { centering, noiseScale, PIVOT_TOL } from './scatter.js';
import type { CovarianceModel } from './types.js';

export const spherical: CovarianceModel = {
  name: 'spherical',
  layout: LAYOUTS.scalar,
  statsKind: 'diag',
  shape: (k) => [k],
  nParams: (k) => k,
  estimate(m) {
    const { st, nk, delta, empty, regCovar, prev } = m;
    const { k, d } = st;
    const cov = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      if (empty[c]) {
        cov[c] = prev[c];
        continue;
      }
      const fc = centering(m, c);
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const dj = delta[c * d + j];
        sum += st.sxx[c * d + j] / nk[c] - fc * dj * dj + regCovar;
      }
      cov[c] = sum / d;
    }
    return cov;
  },
  floors(m, cov) {
    const { k, d } = m.st;
    const floor = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      if (m.empty[c]) continue;
      let r = 0;
      for (let j = 0; j < d; j++) r += noiseScale(m, c, j);
      floor[c] = PIVOT_TOL * (Math.abs(cov[c]) + r / d);
    }
    return floor;
  },
  fromVariances(v, k) {
    let s = 0;
    for (let j = 0; j < v.length; j++) s += v[j];
    return new Float64Array(k).fill(s / v.length);
  },
};
