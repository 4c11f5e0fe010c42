/**
 * 'diag' in the variational mixture: independent Gamma posteriors per feature and component, ν_c = ν₀ + nk_c,
 * covariances k×d. S = (diag C + e·x̄²)/nk + reg, and (νW)⁻¹ = (Ψ₀ + nk·(S + β₀/β·u²))/ν entry by entry.
 */
import { columnVariances, factorEntries, momentVariance } from './diagonal.js';
import type { VariationalCovariance } from './types.js';

export const diag: VariationalCovariance = {
  name: 'diag',
  shared: false,
  statsKind: 'diag',
  priorForm: 'variances',
  size: (k, d) => k * d,
  precCholFromCov(cov, k, d, out) {
    const bad = factorEntries(cov, k * d, out);
    return bad < 0 ? -1 : Math.floor(bad / d);
  },
  logDetPrecChol(prec, k, d) {
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += Math.log(prec[c * d + i]);
      out[c] = s;
    }
    return out;
  },
  mahalanobis(prec, c, d, diff) {
    let q = 0;
    for (let j = 0; j < d; j++) {
      const y = diff[j] * prec[c * d + j];
      q += y * y;
    }
    return q;
  },
  entropyTrace: (prec, _k, d) => (c, s) => {
    let tr = 0;
    for (let j = 0; j < d; j++) {
      const p = prec[c * d + j];
      tr += p * p * s(j, j);
    }
    return tr;
  },
  momentCovariance(m) {
    const { k, d } = m;
    const cov = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) cov[c * d + j] = momentVariance(m, c, j);
    return cov;
  },
  wishart(g, priors, meanPrecision) {
    const { k, d, nk, xbar } = g;
    const beta0 = priors.meanPrecisionPrior;
    const m0 = priors.meanPrior;
    const psi0 = priors.covariancePrior;
    const covariances = new Float64Array(k * d);
    const degreesOfFreedom = nk.map((v) => priors.degreesOfFreedomPrior + v);
    for (let c = 0; c < k; c++) {
      const f = beta0 / meanPrecision[c];
      for (let j = 0; j < d; j++) {
        const uj = xbar[c * d + j] - m0[j];
        covariances[c * d + j] = (psi0[j] + nk[c] * (g.cov[c * d + j] + f * uj * uj)) / degreesOfFreedom[c];
      }
    }
    return { degreesOfFreedom, covariances };
  },
  defaultPrior: columnVariances,
};
