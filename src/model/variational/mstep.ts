/**
 * The variational M-step of scikit-learn 1.2's BayesianGaussianMixture (_m_step, and _initialize, which is the same
 * computation from the initial responsibilities), from the sufficient statistics of an E-pass instead of the N×K
 * responsibility matrix.
 *
 * scikit-learn first forms the Gaussian moments (_estimate_gaussian_parameters): nk = Σr + 10ε, x̄ = Σ r·x / nk and
 * the covariance S (plus regCovar), then updates the posterior (_estimate_weights, _estimate_means,
 * _estimate_precisions). The statistics are accumulated around the E-step's means c instead, so with a = Σr (the
 * statistics' nk), e = nk − a (= 10ε up to the rounding of a + 10ε, which scikit-learn does too) and
 * δ = x̄ − c = (sx − e·c)/nk exactly:
 *
 * - x̄ = c + δ (= (a·c + sx)/nk; an empty component, a = sx = 0, gets x̄ = 0 exactly as in scikit-learn);
 * - the scatter about x̄ is C = Σ r (x − x̄)(x − x̄)ᵀ = sxx − sx·δᵀ − δ·sxᵀ + a·δδᵀ;
 * - 'full': S = C/nk + reg; scikit-learn centres explicitly (diff = X − x̄), so this is its formula;
 * - 'tied': S = (Σ_c C_c + Σ_c e_c·x̄_c x̄_cᵀ)/Σ nk + reg: scikit-learn computes (XᵀX − Σ_c nk_c x̄_c x̄_cᵀ)/Σ nk,
 *   which equals this because Σ_c r_nc = 1 for every row and Σ r·x = nk·x̄;
 * - 'diag': S = (diag C + e·x̄²)/nk + reg, which is scikit-learn's Σ r x²/nk − x̄² (+ reg) written without the
 *   cancellation; 'spherical' the mean of the 'diag' vector over the features.
 * The e-terms are ~1e-15·x̄² and vanish next to the variances unless a component is empty (nk ≈ 10ε).
 *
 * Then, with the priors γ₀, β₀, m₀, ν₀, Ψ₀:
 * - weights: Dirichlet α = γ₀ + nk; Dirichlet process a = 1 + nk, b = γ₀ + Σ_{j>c} nk_j;
 * - β = β₀ + nk, m = (β₀·m₀ + nk·x̄)/β;
 * - ν = ν₀ + nk ('tied': ν₀ + Σ nk / K), and with u = x̄ − m₀ the covariances (νW)⁻¹:
 *   'full' (Ψ₀ + nk·S + nk·β₀/β·uuᵀ)/ν; 'tied' (Ψ₀ + S·Σnk/K + β₀/K·Σ_c (nk/β)·uuᵀ)/ν;
 *   'diag' (Ψ₀ + nk·(S + β₀/β·u²))/ν; 'spherical' (Ψ₀ + nk·(S + β₀/β·mean(u²)))/ν;
 * - precChol from the covariances (_compute_precision_cholesky).
 */
import { precCholFromCov } from './linalg.js';
import {
  covSize,
  type CovarianceType,
  type StatsLike,
  type VariationalPosterior,
  type VariationalPriors,
} from './types.js';

const EPS10 = 10 * Number.EPSILON;

/** The Gaussian moments of scikit-learn's _estimate_gaussian_parameters (nk with its 10ε, x̄, S with regCovar). */
export interface GaussianMoments {
  readonly k: number;
  readonly d: number;
  readonly covType: CovarianceType;
  /** Σr + 10ε per component. */
  readonly nk: Float64Array;
  /** x̄ = Σ r·x / nk, k×d. */
  readonly xbar: Float64Array;
  /** S in scikit-learn's covariance layout for covType (regCovar added to the diagonal). */
  readonly cov: Float64Array;
}

/** Thrown when a posterior covariance is not positive definite (scikit-learn raises ValueError there). */
export class NotPositiveDefiniteError extends Error {
  /** The component (0 for 'tied'). */
  readonly component: number;
  /** The covariance holds a value that is not finite: numbers out of double range, not a degenerate component. */
  readonly overflow: boolean;
  constructor(component: number, covType: CovarianceType, overflow = false) {
    super(
      `Fitting the mixture model failed because ${covType === 'tied' ? 'the tied covariance' : `component ${component}`} has an ` +
        'ill-defined covariance (not positive definite). Try to decrease the number of components, or increase regCovar.',
    );
    this.name = 'NotPositiveDefiniteError';
    this.component = component;
    this.overflow = overflow;
  }
}

function checkStats(st: StatsLike, covType: CovarianceType): void {
  const { k, d } = st;
  if (st.nk.length !== k || st.sx.length !== k * d || st.centers.length !== k * d)
    throw new RangeError('statistics: nk, sx or centers has the wrong length');
  if (st.sxx.length !== (st.sxxKind === 'full' ? k * d * d : k * d))
    throw new RangeError(`statistics: sxx has the wrong length for sxxKind '${st.sxxKind}'`);
  if ((covType === 'full' || covType === 'tied') && st.sxxKind !== 'full') {
    throw new RangeError(`covariance type '${covType}' needs full second-moment statistics (sxxKind 'full')`);
  }
}

/**
 * scikit-learn's _estimate_gaussian_parameters(X, resp, regCovar, covType) from statistics accumulated around any
 * centers (see the module comment for the algebra).
 */
export function gaussianMoments(st: StatsLike, covType: CovarianceType, regCovar: number): GaussianMoments {
  checkStats(st, covType);
  const { k, d } = st;
  const nk = new Float64Array(k);
  const xbar = new Float64Array(k * d);
  const delta = new Float64Array(k * d);
  const extra = new Float64Array(k); // e = nk − a
  for (let c = 0; c < k; c++) {
    const a = st.nk[c];
    nk[c] = a + EPS10;
    extra[c] = nk[c] - a;
    for (let j = 0; j < d; j++) {
      const cj = st.centers[c * d + j];
      delta[c * d + j] = (st.sx[c * d + j] - extra[c] * cj) / nk[c];
      xbar[c * d + j] = cj + delta[c * d + j];
    }
  }
  // C_c(i, j) = sxx − sx_i δ_j − δ_i sx_j + a δ_i δ_j (the scatter about x̄), from the upper triangle of sxx
  const scatter = (c: number, i: number, j: number): number => {
    const s = st.sxxKind === 'full' ? st.sxx[c * d * d + Math.min(i, j) * d + Math.max(i, j)] : st.sxx[c * d + i];
    const di = delta[c * d + i];
    const dj = delta[c * d + j];
    return s - st.sx[c * d + i] * dj - di * st.sx[c * d + j] + st.nk[c] * di * dj;
  };
  const cov = new Float64Array(covSize(covType, k, d));
  if (covType === 'full') {
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) cov[o + i * d + j] = cov[o + j * d + i] = scatter(c, i, j) / nk[c];
        cov[o + i * d + i] += regCovar;
      }
    }
  } else if (covType === 'tied') {
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
  } else {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const x = xbar[c * d + j];
        const v = (scatter(c, j, j) + extra[c] * x * x) / nk[c] + regCovar;
        if (covType === 'diag') cov[c * d + j] = v;
        else sum += v;
      }
      if (covType === 'spherical') cov[c] = sum / d;
    }
  }
  return { k, d, covType, nk, xbar, cov };
}

/**
 * The posterior from scikit-learn's Gaussian moments and the priors (_estimate_weights, _estimate_means,
 * _estimate_precisions). Throws NotPositiveDefiniteError when a covariance cannot be factored.
 */
export function posteriorFromMoments(g: GaussianMoments, priors: VariationalPriors): VariationalPosterior {
  const { k, d, covType, nk, xbar } = g;
  if (priors.d !== d || priors.covType !== covType)
    throw new RangeError('posteriorFromMoments: the priors are for a different d or covariance type');
  const beta0 = priors.meanPrecisionPrior;
  const m0 = priors.meanPrior;
  const { weightConcentration, weightConcentrationTail } = posteriorWeights(nk, priors);

  const meanPrecision = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    meanPrecision[c] = beta0 + nk[c];
    for (let j = 0; j < d; j++) means[c * d + j] = (beta0 * m0[j] + nk[c] * xbar[c * d + j]) / meanPrecision[c];
  }

  const { degreesOfFreedom, covariances } = posteriorWishart(g, priors, meanPrecision);
  const precChol = new Float64Array(covariances.length);
  const bad = precCholFromCov(covariances, covType, k, d, precChol);
  if (bad >= 0) {
    const per = covSize(covType, 1, d);
    const block = covType === 'tied' ? covariances : covariances.subarray(bad * per, (bad + 1) * per);
    throw new NotPositiveDefiniteError(bad, covType, !block.every(Number.isFinite));
  }
  return {
    k,
    d,
    covType,
    weightPriorType: priors.weightPriorType,
    weightConcentration,
    weightConcentrationTail,
    meanPrecision,
    means,
    degreesOfFreedom,
    covariances,
    precChol,
  };
}

/** The weights' posterior (_estimate_weights): Dirichlet α, or the Dirichlet process's (a, b). */
function posteriorWeights(
  nk: Float64Array,
  priors: VariationalPriors,
): { weightConcentration: Float64Array; weightConcentrationTail: Float64Array | null } {
  const k = nk.length;
  const gamma0 = priors.weightConcentrationPrior;
  const weightConcentration = new Float64Array(k);
  if (priors.weightPriorType !== 'dirichlet_process') {
    for (let c = 0; c < k; c++) weightConcentration[c] = gamma0 + nk[c];
    return { weightConcentration, weightConcentrationTail: null };
  }
  const weightConcentrationTail = new Float64Array(k);
  let tail = 0; // np.cumsum(nk[::-1]): summed from the last component down
  weightConcentrationTail[k - 1] = gamma0;
  for (let c = k - 1; c >= 1; c--) {
    tail += nk[c];
    weightConcentrationTail[c - 1] = gamma0 + tail;
  }
  for (let c = 0; c < k; c++) weightConcentration[c] = 1 + nk[c];
  return { weightConcentration, weightConcentrationTail };
}

/** The Wishart posterior (_estimate_precisions): ν and the covariances (νW)⁻¹, in covType's layout. */
function posteriorWishart(
  g: GaussianMoments,
  priors: VariationalPriors,
  meanPrecision: Float64Array,
): { degreesOfFreedom: Float64Array; covariances: Float64Array } {
  const { k, d, covType, nk, xbar } = g;
  const beta0 = priors.meanPrecisionPrior;
  const m0 = priors.meanPrior;
  const nu0 = priors.degreesOfFreedomPrior;
  const psi0 = priors.covariancePrior;
  const covariances = new Float64Array(covSize(covType, k, d));
  const u = (c: number, j: number): number => xbar[c * d + j] - m0[j];
  if (covType === 'tied') {
    let total = 0;
    for (let c = 0; c < k; c++) total += nk[c];
    const nu = nu0 + total / k;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += (nk[c] / meanPrecision[c]) * u(c, i) * u(c, j);
        const v = (psi0[i * d + j] + (g.cov[i * d + j] * total) / k + (beta0 / k) * s) / nu;
        covariances[i * d + j] = covariances[j * d + i] = v;
      }
    }
    return { degreesOfFreedom: Float64Array.of(nu), covariances };
  }
  const degreesOfFreedom = nk.map((v) => nu0 + v);
  if (covType === 'full') {
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
  } else if (covType === 'diag') {
    for (let c = 0; c < k; c++) {
      const f = beta0 / meanPrecision[c];
      for (let j = 0; j < d; j++) {
        const uj = u(c, j);
        covariances[c * d + j] = (psi0[j] + nk[c] * (g.cov[c * d + j] + f * uj * uj)) / degreesOfFreedom[c];
      }
    }
  } else {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += u(c, j) * u(c, j);
      covariances[c] = (psi0[0] + nk[c] * (g.cov[c] + (beta0 / meanPrecision[c]) * (s / d))) / degreesOfFreedom[c];
    }
  }
  return { degreesOfFreedom, covariances };
}

/**
 * The variational M-step (scikit-learn's _m_step; also _initialize, given the statistics of the initial
 * responsibilities): the posterior from the statistics of an E-pass.
 */
export function variationalMStep(st: StatsLike, priors: VariationalPriors, regCovar: number): VariationalPosterior {
  return posteriorFromMoments(gaussianMoments(st, priors.covType, regCovar), priors);
}
