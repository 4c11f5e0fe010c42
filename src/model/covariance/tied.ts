/** scikit-learn's 'tied' (mclust's EEE): one covariance shared by every component. */
import { LAYOUTS } from './layouts.js';
import { centering, noiseScale, PIVOT_TOL } from './scatter.js';
import type { CovarianceModel } from './types.js';

export const tied: CovarianceModel = {
  name: 'tied',
  layout: LAYOUTS.sharedTri,
  statsKind: 'full',
  shape: (_k, d) => [d, d],
  nParams: (_k, d) => (d * (d + 1)) / 2,
  estimate(m) {
    // the pooled scatter: each component's around its own new mean, summed, over the total mass
    const { st, nk, delta, empty, regCovar, total } = m;
    const { k, d } = st;
    const cov = new Float64Array(d * d);
    for (let c = 0; c < k; c++) {
      if (empty[c]) continue;
      const o = c * d * d;
      const fc = centering(m, c) * nk[c];
      for (let i = 0; i < d; i++) {
        const di = delta[c * d + i];
        for (let j = i; j < d; j++) cov[i * d + j] += st.sxx[o + i * d + j] - fc * di * delta[c * d + j];
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i * d + j] = cov[j * d + i];
    for (let t = 0; t < d * d; t++) cov[t] /= total;
    for (let i = 0; i < d; i++) cov[i * d + i] += regCovar;
    return cov;
  },
  floors(m, cov) {
    const { k, d } = m.st;
    const floor = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let r = 0;
      for (let c = 0; c < k; c++) if (!m.empty[c]) r += noiseScale(m, c, j) * m.nk[c];
      floor[j] = PIVOT_TOL * (d * Math.abs(cov[j * d + j]) + r / m.total);
    }
    return floor;
  },
  fromVariances(v) {
    const d = v.length;
    const cov = new Float64Array(d * d);
    for (let j = 0; j < d; j++) cov[j * d + j] = v[j];
    return cov;
  },
};
