/** scikit-learn's 'full' (mclust's VVV): an unconstrained covariance per component. */
import { LAYOUTS } from './layouts.js';
import { centering, noiseScale, PIVOT_TOL } from './scatter.js';
import type { CovarianceModel } from './types.js';

export const full: CovarianceModel = {
  name: 'full',
  layout: LAYOUTS.tri,
  statsKind: 'full',
  shape: (k, d) => [k, d, d],
  nParams: (k, d) => (k * d * (d + 1)) / 2,
  estimate(m) {
    const { st, nk, delta, empty, regCovar, prev } = m;
    const { k, d } = st;
    const cov = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      if (empty[c]) {
        cov.set(prev.subarray(o, o + d * d), o);
        continue;
      }
      const fc = centering(m, c);
      // upper triangle, mirrored: (fc·δi)·δj and (fc·δj)·δi round differently, and an asymmetric result would fail
      // the symmetry check of fromJSON when the scatter nearly cancels
      for (let i = 0; i < d; i++) {
        const di = delta[c * d + i];
        for (let j = i; j < d; j++)
          cov[o + i * d + j] = cov[o + j * d + i] = st.sxx[o + i * d + j] / nk[c] - fc * di * delta[c * d + j];
        cov[o + i * d + i] += regCovar;
      }
    }
    return cov;
  },
  floors(m, cov) {
    const { k, d } = m.st;
    const floor = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      if (m.empty[c]) continue;
      for (let j = 0; j < d; j++)
        floor[c * d + j] = PIVOT_TOL * (d * Math.abs(cov[c * d * d + j * d + j]) + noiseScale(m, c, j));
    }
    return floor;
  },
  fromVariances(v, k) {
    const d = v.length;
    const cov = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) cov[c * d * d + j * d + j] = v[j];
    return cov;
  },
};
