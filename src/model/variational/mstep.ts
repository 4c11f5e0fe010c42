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
 * - S from C per covariance type (covariance/<type>.ts, momentCovariance), e.g. 'full' C/nk + reg; the types that
 *   pool or average ('tied', 'diag', 'spherical') add the e-terms so the result is scikit-learn's formula.
 * The e-terms are ~1e-15·x̄² and vanish next to the variances unless a component is empty (nk ≈ 10ε).
 *
 * Then, with the priors γ₀, β₀, m₀, ν₀, Ψ₀:
 * - weights: Dirichlet α = γ₀ + nk; Dirichlet process a = 1 + nk, b = γ₀ + Σ_{j>c} nk_j;
 * - β = β₀ + nk, m = (β₀·m₀ + nk·x̄)/β;
 * - ν and the covariances (νW)⁻¹ per covariance type (covariance/<type>.ts, wishart);
 * - precChol from the covariances (_compute_precision_cholesky).
 */
import { variationalCovariance } from './covariance/registry.js';
import type { CovarianceType, StatsLike, VariationalPosterior, VariationalPriors } from './types.js';

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
  /** The component (0 for a shared covariance, 'tied'). */
  readonly component: number;
  /** The covariance holds a value that is not finite: numbers out of double range, not a degenerate component. */
  readonly overflow: boolean;
  constructor(component: number, covType: CovarianceType, overflow = false) {
    const who = variationalCovariance(covType).shared ? `the ${covType} covariance` : `component ${component}`;
    super(
      `Fitting the mixture model failed because ${who} has an ` +
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
  if (variationalCovariance(covType).statsKind === 'full' && st.sxxKind !== 'full') {
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
  const cov = variationalCovariance(covType).momentCovariance({ k, d, nk, extra, xbar, regCovar, scatter });
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

  const { degreesOfFreedom, covariances } = variationalCovariance(covType).wishart(g, priors, meanPrecision);
  const model = variationalCovariance(covType);
  const precChol = new Float64Array(covariances.length);
  const bad = model.precCholFromCov(covariances, k, d, precChol);
  if (bad >= 0) {
    const per = model.size(1, d); // a shared covariance is one block: all of it
    const block = covariances.subarray(bad * per, (bad + 1) * per);
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

/**
 * The variational M-step (scikit-learn's _m_step; also _initialize, given the statistics of the initial
 * responsibilities): the posterior from the statistics of an E-pass.
 */
export function variationalMStep(st: StatsLike, priors: VariationalPriors, regCovar: number): VariationalPosterior {
  return posteriorFromMoments(gaussianMoments(st, priors.covType, regCovar), priors);
}
