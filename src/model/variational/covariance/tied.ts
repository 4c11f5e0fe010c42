/**
 * 'tied' in the variational mixture: one Wishart posterior shared by all components, with ν = ν₀ + Σnk/K and one
 * d×d covariance. S = (Σ_c C_c + Σ_c e_c·x̄_c x̄_cᵀ)/Σnk + reg, which equals scikit-learn's (XᵀX − Σ_c nk_c x̄_c x̄_cᵀ)/Σnk
 * because Σ_c r_nc = 1 for every row and Σ r·x = nk·x̄; (νW)⁻¹ = (Ψ₀ + S·Σnk/K + β₀/K·Σ_c (nk/β)·uuᵀ)/ν.
 */
import { precisionFromFactor } from '../linalg.js';
import { blockLogDet, covarianceOf, factorBlocks, matrixTrace, triangularForm } from './matrix.js';
import type { VariationalCovariance } from './types.js';

export const tied: VariationalCovariance = {
  name: 'tied',
  shared: true,
  statsKind: 'full',
  priorForm: 'matrix',
  size: (_k, d) => d * d,
  precCholFromCov: (cov, _k, d, out) => factorBlocks(cov, 1, d, out),
  logDetPrecChol(prec, k, d) {
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) out[c] = blockLogDet(prec, 0, d);
    return out;
  },
  mahalanobis: (prec, _c, d, diff) => triangularForm(prec, 0, d, diff),
  entropyTrace(prec, _k, d) {
    const lam = new Float64Array(d * d);
    precisionFromFactor(prec, 0, d, lam, 0);
    return (_c, s) => matrixTrace(lam, d, s);
  },
  momentCovariance({ k, d, nk, extra, xbar, regCovar, scatter }) {
    const cov = new Float64Array(d * d);
    let total = 0;
    for (let c = 0; c < k; c++) total += nk[c];
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += scatter(c, i, j) + extra[c] * xbar[c * d + i] * xbar[c * d + j];
        cov[i * d + j] = cov[j * d + i] = s / total;
      }
      cov[i * d + i] += regCovar;
    }
    return cov;
  },
  wishart(g, priors, meanPrecision) {
    const { k, d, nk, xbar } = g;
    const beta0 = priors.meanPrecisionPrior;
    const m0 = priors.meanPrior;
    const psi0 = priors.covariancePrior;
    const u = (c: number, j: number): number => xbar[c * d + j] - m0[j];
    const covariances = new Float64Array(d * d);
    let total = 0;
    for (let c = 0; c < k; c++) total += nk[c];
    const nu = priors.degreesOfFreedomPrior + total / k;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += (nk[c] / meanPrecision[c]) * u(c, i) * u(c, j);
        const v = (psi0[i * d + j] + (g.cov[i * d + j] * total) / k + (beta0 / k) * s) / nu;
        covariances[i * d + j] = covariances[j * d + i] = v;
      }
    }
    return { degreesOfFreedom: Float64Array.of(nu), covariances };
  },
  defaultPrior: (m) => covarianceOf(m, 'tied'),
};
