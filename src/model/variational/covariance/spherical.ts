/**
 * 'spherical' in the variational mixture: one Gamma posterior per component, ν_c = ν₀ + nk_c, covariances k. S is
 * the mean over the features of the 'diag' variances, and (νW)⁻¹ = (Ψ₀ + nk·(S + β₀/β·mean(u²)))/ν. As scikit-learn,
 * log det P = D·log P_c and the expected log-determinant still sums D digamma terms.
 */
import { columnVariances, factorEntries, momentVariance } from './diagonal.js';
import type { VariationalCovariance } from './types.js';

export const spherical: VariationalCovariance = {
  name: 'spherical',
  shared: false,
  statsKind: 'diag',
  priorForm: 'scalar',
  size: (k) => k,
  precCholFromCov: (cov, k, _d, out) => factorEntries(cov, k, out),
  logDetPrecChol(prec, k, d) {
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) out[c] = d * Math.log(prec[c]);
    return out;
  },
  mahalanobis(prec, c, d, diff) {
    let q = 0;
    for (let j = 0; j < d; j++) q += diff[j] * diff[j];
    q *= prec[c] * prec[c];
    return q;
  },
  entropyTrace: (prec, _k, d) => (c, s) => {
    let tr = 0;
    for (let j = 0; j < d; j++) tr += s(j, j);
    tr *= prec[c] * prec[c];
    return tr;
  },
  momentCovariance(m) {
    const { k, d } = m;
    const cov = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += momentVariance(m, c, j);
      cov[c] = sum / d;
    }
    return cov;
  },
  wishart(g, priors, meanPrecision) {
    const { k, d, nk, xbar } = g;
    const beta0 = priors.meanPrecisionPrior;
    const m0 = priors.meanPrior;
    const psi0 = priors.covariancePrior;
    const covariances = new Float64Array(k);
    const degreesOfFreedom = nk.map((v) => priors.degreesOfFreedomPrior + v);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (xbar[c * d + j] - m0[j]) * (xbar[c * d + j] - m0[j]);
      covariances[c] = (psi0[0] + nk[c] * (g.cov[c] + (beta0 / meanPrecision[c]) * (s / d))) / degreesOfFreedom[c];
    }
    return { degreesOfFreedom, covariances };
  },
  defaultPrior(m) {
    const v = columnVariances(m);
    let s = 0;
    for (let j = 0; j < m.d; j++) s += v[j];
    return Float64Array.of(s / m.d);
  },
};
