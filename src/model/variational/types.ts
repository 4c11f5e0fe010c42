/**
 * Types of the variational Bayesian Gaussian mixture (scikit-learn 1.2's BayesianGaussianMixture): its priors, its
 * variational posterior and the sufficient statistics of an E-pass it is updated from. All arrays are flat,
 * row-major Float64Arrays in scikit-learn's layouts.
 */

export type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';

/** scikit-learn's weight_concentration_prior_type. */
export type WeightPriorType = 'dirichlet_process' | 'dirichlet_distribution';

/**
 * Sufficient statistics of one E-pass — structurally the library's SufficientStats (src/stats.ts), restated here so
 * the variational math depends on nothing else: for component c and centers μ_c (the E-step's means),
 * nk = Σ w·r, sx = Σ w·r·(x − μ), sxx = Σ w·r·(x − μ)(x − μ)ᵀ (k d×d matrices of which only the upper triangle
 * i ≤ j is read, for sxxKind 'full'; the k×d diagonals for 'diag'), logLik = Σ w·log Σ_c exp(lp_c) (the row's
 * log-sum-exp) and sumW = Σ w. scikit-learn has no sample weights: w = 1.
 */
export interface StatsLike {
  readonly k: number;
  readonly d: number;
  readonly sxxKind: 'full' | 'diag';
  readonly logLik: number;
  readonly sumW: number;
  readonly nk: Float64Array;
  readonly sx: Float64Array;
  readonly sxx: Float64Array;
  readonly centers: Float64Array;
}

/** The resolved priors (scikit-learn's trailing-underscore attributes *_prior_). */
export interface VariationalPriors {
  readonly d: number;
  readonly covType: CovarianceType;
  readonly weightPriorType: WeightPriorType;
  /** γ₀ (weight_concentration_prior_): the Dirichlet concentration, or the DP's Beta(1, γ₀) stick parameter. */
  readonly weightConcentrationPrior: number;
  /** β₀ (mean_precision_prior_). */
  readonly meanPrecisionPrior: number;
  /** m₀ (mean_prior_), length d. */
  readonly meanPrior: Float64Array;
  /** ν₀ (degrees_of_freedom_prior_), > d − 1. */
  readonly degreesOfFreedomPrior: number;
  /** Ψ₀ (covariance_prior_): d×d for 'full' and 'tied', d for 'diag', 1 for 'spherical'. */
  readonly covariancePrior: Float64Array;
}

/**
 * The variational posterior q(π)·Π q(μ_c, Λ_c) (what scikit-learn's _get_parameters returns).
 *
 * Weights: Dirichlet(α) for 'dirichlet_distribution' (weightConcentration = α, weightConcentrationTail = null); for
 * 'dirichlet_process' the stick-breaking Beta(a_c, b_c) (weightConcentration = a, weightConcentrationTail = b:
 * scikit-learn's weight_concentration_ = (a, b)).
 * Means: μ_c | Λ_c ~ N(m_c, (β_c Λ_c)⁻¹). Precisions: Λ_c ~ Wishart(ν_c, W_c) with covariances = (ν_c W_c)⁻¹, the
 * inverse of E[Λ_c] (scikit-learn normalises the Wishart scale by ν), and precChol its precision Cholesky factor in
 * scikit-learn's precisions_cholesky_ layout (full: k upper-triangular d×d; tied: d×d; diag: k×d; spherical: k).
 */
export interface VariationalPosterior {
  readonly k: number;
  readonly d: number;
  readonly covType: CovarianceType;
  readonly weightPriorType: WeightPriorType;
  /** α (Dirichlet) or a = 1 + N_c (Dirichlet process), length k. */
  readonly weightConcentration: Float64Array;
  /** b = γ₀ + Σ_{j>c} N_j (Dirichlet process), length k; null for the Dirichlet distribution. */
  readonly weightConcentrationTail: Float64Array | null;
  /** β_c (mean_precision_), length k. */
  readonly meanPrecision: Float64Array;
  /** m_c (means_), k×d. */
  readonly means: Float64Array;
  /** ν_c (degrees_of_freedom_): length k, or 1 for 'tied' (scikit-learn's scalar). */
  readonly degreesOfFreedom: Float64Array;
  /** (ν W)⁻¹ (covariances_), scikit-learn's layout for covType. */
  readonly covariances: Float64Array;
  /** precisions_cholesky_ of covariances. */
  readonly precChol: Float64Array;
}
