/**
 * What a covariance type is to the variational (Bayesian) mixture: one object per type (scikit-learn's four), looked
 * up by name in registry.ts. It holds the part of the variational math that differs between types — the Gaussian
 * moments' covariance, the Wishart (or Gamma) posterior, the precision factors and their log-determinants, the
 * expected Mahalanobis term, the trace term of the bound, the default covariance prior — and declares what the rest
 * of the code reads instead of a name: whether one covariance is shared, which statistics it needs and the form of
 * its covariance prior. Kept apart from src/model/covariance/ so GaussianMixture's bundle never carries it.
 */
import type { DataMoments } from '../priors.js';
import type { CovarianceType, VariationalPriors } from '../types.js';

/** How covariancePrior (Ψ₀) is given: a d×d matrix, d variances, or one number. */
export type PriorForm = 'matrix' | 'variances' | 'scalar';

/** The public (nested) shape of a covariance prior of this form for d features ([] for a number). */
export function priorShape(form: PriorForm, d: number): number[] {
  return form === 'matrix' ? [d, d] : form === 'variances' ? [d] : [];
}

/** The Gaussian moments' inputs (mstep.ts gaussianMoments), shared by every type. */
export interface MomentInput {
  readonly k: number;
  readonly d: number;
  /** Σr + 10ε per component. */
  readonly nk: Float64Array;
  /** e = nk − Σr per component (the 10ε after rounding). */
  readonly extra: Float64Array;
  /** x̄, k×d. */
  readonly xbar: Float64Array;
  readonly regCovar: number;
  /** C_c(i, j): component c's scatter about x̄. */
  readonly scatter: (c: number, i: number, j: number) => number;
}

/** What the Wishart posterior reads of the Gaussian moments (mstep.ts GaussianMoments). */
export interface MomentsLike {
  readonly k: number;
  readonly d: number;
  readonly nk: Float64Array;
  readonly xbar: Float64Array;
  /** S in this type's covariance layout. */
  readonly cov: Float64Array;
}

export interface VariationalCovariance {
  readonly name: CovarianceType;
  /** One covariance and one ν for all components (a single block, scikit-learn's scalar degrees_of_freedom_). */
  readonly shared: boolean;
  /** What the E-pass must accumulate: full d×d scatter matrices or their diagonals. */
  readonly statsKind: 'full' | 'diag';
  readonly priorForm: PriorForm;
  /** Entries of the covariances (and precision factors) of k components, in scikit-learn's layout. */
  size(k: number, d: number): number;
  /**
   * Precision factors from covariances (scikit-learn's _compute_precision_cholesky), written to out; the first
   * component (0 when shared) whose covariance is not positive definite, or −1.
   */
  precCholFromCov(cov: Float64Array, k: number, d: number, out: Float64Array): number;
  /** log det P_c per component, length k (scikit-learn's _compute_log_det_cholesky; shared: the same k times). */
  logDetPrecChol(prec: Float64Array, k: number, d: number): Float64Array;
  /** ‖diffᵀ·P_c‖², the Mahalanobis term of the E-step kernel for component c. */
  mahalanobis(prec: Float64Array, c: number, d: number, diff: Float64Array): number;
  /**
   * tr(Λ_c·S_c) of the bound's entropy term, given S_c's entries by `s(i, j)`; the returned function is called once
   * per component in order (precisions shared by all components are formed once).
   */
  entropyTrace(prec: Float64Array, k: number, d: number): (c: number, s: (i: number, j: number) => number) => number;
  /** S of scikit-learn's _estimate_gaussian_parameters in this type's layout (regCovar added). */
  momentCovariance(m: MomentInput): Float64Array;
  /** The Wishart (Gamma for diag/spherical) posterior: ν and the covariances (νW)⁻¹ (_estimate_precisions). */
  wishart(
    g: MomentsLike,
    priors: VariationalPriors,
    meanPrecision: Float64Array,
  ): { degreesOfFreedom: Float64Array; covariances: Float64Array };
  /** The default covariance prior from the data's moments (np.cov / np.var with ddof 1); needs m.n > 1. */
  defaultPrior(m: DataMoments): Float64Array;
}
