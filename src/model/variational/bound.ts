/**
 * The variational lower bound, as scikit-learn 1.2's BayesianGaussianMixture._compute_lower_bound computes it: after
 * the M-step of an iteration, from the responsibilities of that iteration's E-step (whose parameters are already
 * gone) and the new posterior:
 *
 *   L = −Σ_n Σ_c r_nc·log r_nc − Σ_c log C_W(ν_c, W_c) − log C_π − ½·D·Σ_c log β_c
 *
 * with scikit-learn's simplifications (terms constant in the parameters dropped, the Wishart normalisation without
 * its log π term and written with the normalised precision factor: log det P_c − ½·D·log ν_c). log C_π is
 * −Σ_c log B(a_c, b_c) for the Dirichlet process and log Γ(Σα) − Σ log Γ(α_c) for the Dirichlet distribution; a
 * shared ('tied') Wishart term counts K times.
 *
 * The entropy term needs r·log r, which no kernel outputs. With lp_nc = logConst_c − ½·q_nc the E-step's weighted
 * log-probabilities and lse_n = log Σ_c exp(lp_nc), log r_nc = lp_nc − lse_n and Σ_c r_nc = 1, so
 *
 *   −Σ_n w_n Σ_c r_nc·log r_nc = Σ_n w_n·lse_n − Σ_c Σ_n w_n·r_nc·lp_nc
 *                              = logLik − Σ_c [nk_c·logConst_c − ½·tr(Λ_c·S_c)]
 *
 * where Λ_c = P_c·P_cᵀ and S_c = Σ w·r (x − m_c)(x − m_c)ᵀ is the scatter about the kernel's means m_c — exactly the
 * E-pass' statistics when they were accumulated around those means (centers = m_c), and otherwise shifted to them
 * here. For 'diag' and 'spherical' Λ_c is diagonal, so diagonal statistics suffice.
 */
import { betaln, lgamma } from '../special.js';
import type { KernelParams } from './expectations.js';
import { variationalCovariance } from './covariance/registry.js';
import type { StatsLike, VariationalPosterior } from './types.js';

/** log Γ(Σα) − Σ log Γ(α_c) (scikit-learn's _log_dirichlet_norm). */
export function logDirichletNorm(alpha: ArrayLike<number>): number {
  let sum = 0;
  let lg = 0;
  for (let i = 0; i < alpha.length; i++) {
    sum += alpha[i];
    lg += lgamma(alpha[i]);
  }
  return lgamma(sum) - lg;
}

/**
 * −(ν·logDetChol + ν·D·½·log 2 + Σ_{i<D} log Γ(½(ν − i))) (scikit-learn's _log_wishart_norm for one component,
 * without the log π term), with logDetChol = log det P − ½·D·log ν.
 */
export function logWishartNorm(nu: number, logDetChol: number, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += lgamma(0.5 * (nu - i));
  return -(nu * logDetChol + nu * d * 0.5 * Math.LN2 + s);
}

/**
 * −Σ_n w_n Σ_c r_nc·log r_nc of the E-pass whose kernel parameters were `kp` and whose statistics are `st` (see the
 * module comment). st.logLik must be Σ w·lse of that pass.
 */
export function responsibilityEntropy(st: StatsLike, kp: KernelParams): number {
  const { k, d, covType } = kp;
  if (st.k !== k || st.d !== d)
    throw new RangeError('responsibilityEntropy: statistics and kernel parameters differ in k or d');
  const model = variationalCovariance(covType);
  if (model.statsKind === 'full' && st.sxxKind !== 'full')
    throw new RangeError(`covariance type '${covType}' needs full second-moment statistics (sxxKind 'full')`);
  const trace = model.entropyTrace(kp.precChol, k, d);
  const delta = new Float64Array(d);
  let sum = 0; // Σ_c Σ_n w·r·lp
  for (let c = 0; c < k; c++) {
    const a = st.nk[c];
    // shift from the statistics' centers to the kernel's means: δ = m − center
    for (let j = 0; j < d; j++) delta[j] = kp.means[c * d + j] - st.centers[c * d + j];
    const s = (i: number, j: number): number => {
      const raw = st.sxxKind === 'full' ? st.sxx[c * d * d + Math.min(i, j) * d + Math.max(i, j)] : st.sxx[c * d + i];
      return raw - st.sx[c * d + i] * delta[j] - delta[i] * st.sx[c * d + j] + a * delta[i] * delta[j];
    };
    const tr = trace(c, s); // tr(Λ_c S_c)
    // a component without responsibility contributes nothing (0·logConst; also when logConst = −∞)
    if (a !== 0) sum += a * kp.logConst[c] - 0.5 * tr;
  }
  return st.logLik - sum;
}

/** scikit-learn's _compute_lower_bound given the new posterior and the entropy of the E-step's responsibilities. */
export function lowerBound(post: VariationalPosterior, entropy: number): number {
  const { k, d, covType } = post;
  const model = variationalCovariance(covType);
  const logDet = model.logDetPrecChol(post.precChol, k, d);
  let logWishart = 0;
  if (model.shared) {
    const nu = post.degreesOfFreedom[0];
    logWishart = k * logWishartNorm(nu, logDet[0] - 0.5 * d * Math.log(nu), d);
  } else {
    for (let c = 0; c < k; c++) {
      const nu = post.degreesOfFreedom[c];
      logWishart += logWishartNorm(nu, logDet[c] - 0.5 * d * Math.log(nu), d);
    }
  }
  let logNormWeight: number;
  if (post.weightPriorType === 'dirichlet_process') {
    const b = post.weightConcentrationTail;
    if (!b) throw new RangeError('a Dirichlet-process posterior needs weightConcentrationTail');
    logNormWeight = 0;
    for (let c = 0; c < k; c++) logNormWeight -= betaln(post.weightConcentration[c], b[c]);
  } else {
    logNormWeight = logDirichletNorm(post.weightConcentration);
  }
  let logBeta = 0;
  for (let c = 0; c < k; c++) logBeta += Math.log(post.meanPrecision[c]);
  return entropy - logWishart - logNormWeight - 0.5 * d * logBeta;
}
