/**
 * 'full' in the variational mixture: a Wishart posterior per component, Λ_c ~ W(ν_c, W_c), covariances (ν_c W_c)⁻¹
 * stored as k d×d matrices. S_c = C_c/nk_c + reg (scikit-learn centres explicitly, so this is its formula), and
 * (νW)⁻¹ = (Ψ₀ + nk·S + nk·β₀/β·uuᵀ)/ν with ν = ν₀ + nk and u = x̄ − m₀.
 */
import { precisionFromFactor } from '../linalg.js';
import { blockLogDet, covarianceOf, factorBlocks, matrixTrace, triangularForm } from './matrix.js';
import type { VariationalCovariance } from './types.js';

export const full: VariationalCovariance = {
  name: 'full',
  shared: false,
  statsKind: 'full',
  priorForm: 'matrix',
  size: (k, d) => k * d * d,
  precCholFromCov: (cov, k, d, out) => factorBlocks(cov, k, d, out),
  logDetPrecChol(prec, k, d) {
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) out[c] = blockLogDet(prec, c * d * d, d);
    return out;
  },
  mahalanobis: (prec, c, d, diff) => triangularForm(prec, c * d * d, d, diff),
  entropyTrace(prec, _k, d) {
    const lam = new Float64Array(d * d);
    return (c, s) => {
      precisionFromFactor(prec, c * d * d, d, lam, 0);
      return matrixTrace(lam, d, s);
    };
  },
  momentCovariance({ k, d, nk, regCovar, scatter }) {
    const cov = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) cov[o + i * d + j] = cov[o + j * d + i] = scatter(c, i, j) / nk[c];
        cov[o + i * d + i] += regCovar;
      }
    }
    return cov;
  },
  wishart(g, priors, meanPrecision) {
    const { k, d, nk, xbar } = g;
    const beta0 = priors.meanPrecisionPrior;
    const m0 = priors.meanPrior;
    const psi0 = priors.covariancePrior;
    const u = (c: number, j: number): number => xbar[c * d + j] - m0[j];
    const covariances = new Float64Array(k * d * d);
    const degreesOfFreedom = nk.map((v) => priors.degreesOfFreedomPrior + v);
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      const f = (nk[c] * beta0) / meanPrecision[c];
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
          const v = (psi0[i * d + j] + nk[c] * g.cov[o + i * d + j] + f * u(c, i) * u(c, j)) / degreesOfFreedom[c];
          covariances[o + i * d + j] = covariances[o + j * d + i] = v;
        }
      }
    }
    return { degreesOfFreedom, covariances };
  },
  defaultPrior: (m) => covarianceOf(m, 'full'),
};
