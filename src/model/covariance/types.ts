/**
 * What a covariance model is to the rest of the library: one object per model, looked up by name in the registry
 * (registry.ts). Nothing outside src/model/covariance/ asks which model it has; it asks the model (or its storage
 * layout) instead. Adding a model is one file implementing CovarianceModel, one registry line and its tests.
 */
import type { SufficientStats } from '../stats.js';
import type { Layout } from './layouts.js';

/** The M-step's input for a covariance estimate: the E-pass statistics and what the shared part of the M-step derived. */
export interface ScatterInput {
  /** Statistics accumulated around the E-step's means (st.centers). */
  readonly st: SufficientStats;
  /** Responsibility mass per component with scikit-learn's 10ε guard (st.nk + 10ε). */
  readonly nk: Float64Array;
  /** Σ nk. */
  readonly total: number;
  /** Shift of each mean, k×d (new mean = center + δ); zero for empty components and frozen means. */
  readonly delta: Float64Array;
  /** Components that received (numerically) no responsibility; they keep their previous covariance. */
  readonly empty: readonly boolean[];
  readonly regCovar: number;
  /** The previous covariances (same storage), kept by empty components. */
  readonly prev: Float64Array;
  /**
   * `prev` is this model's previous M-step (an EM iteration), so an iterative M-step may warm-start from it; false
   * or absent at initialisation, where `prev` is only a placeholder.
   */
  readonly warm?: boolean;
  /** Tolerance and cap of an iterative M-step's inner loop (mstepTol, mstepMaxIter); mclust's defaults if absent. */
  readonly inner?: { readonly tol: number; readonly maxIter: number };
  /**
   * Where a model reports components it could not estimate (e.g. a constrained M-step that cannot be computed),
   * with a diagnosis; the M-step reports them as degenerate and they keep their previous covariance.
   */
  readonly failures?: { component: number; detail: string }[];
  /**
   * A conjugate prior (model/prior.ts): turns the live components' scatters W (kl D×D blocks, only diagonals when
   * `full` is false), masses n and unshrunk means x̄ into the posterior mode's (W′, n′), which the model's estimate
   * then uses. Only the mclust estimate takes it (the four scikit-learn names run through it when it is set).
   */
  readonly prior?: (
    W: Float64Array,
    n: Float64Array,
    xbar: Float64Array,
    full: boolean,
  ) => { W: Float64Array; n: Float64Array };
}

export interface CovarianceModel {
  /** The public name (`covarianceType`). */
  readonly name: string;
  /** How its covariances are stored and how the kernels read them. */
  readonly layout: Layout;
  /** What the E-pass must accumulate: full d×d scatter matrices or their diagonals. */
  readonly statsKind: 'full' | 'diag';
  /** The shape of `covariances` / `precisionsCholesky` users see (scikit-learn's for its four names). */
  shape(k: number, d: number): number[];
  /** Free covariance parameters (for BIC/AIC). */
  nParams(k: number, d: number): number;
  /** The M-step's covariances (storage layout, regCovar added); empty components keep their previous block. */
  estimate(m: ScatterInput): Float64Array;
  /**
   * Noise floors of the pivots (or variances) of `cov`, laid out like the blocks' diagonals: a pivot must exceed its
   * floor to count as positive (see mstep.ts). Empty components may be left at 0 (they keep their previous block).
   */
  floors(m: ScatterInput, cov: Float64Array): Float64Array;
  /** Covariances of k components (storage) built from per-feature variances (each already regularised). */
  fromVariances(variances: Float64Array, k: number): Float64Array;
  /**
   * Storage from the values users see (`covariances` flattened in `shape`). Absent when the two coincide, as for the
   * scikit-learn names; a model whose public shape differs from its storage converts, and throws an Error naming
   * the violated constraint when the values are not a covariance of this model.
   */
  fromPublic?(values: Float64Array, k: number, d: number): Float64Array;
  /**
   * The covariance a component re-seeded under onDegenerate 'reset' gets: the survivors' weighted average
   * ('pooled', the default) or a copy of the heaviest survivor's ('heaviest') — for models whose constraints (equal
   * volumes, shapes, orientations) an average would break, so even a fit that ends right after a reset is a model
   * of its kind.
   */
  readonly reseed?: 'pooled' | 'heaviest';
  /** The values users see from storage (`covariances` or `precisionsCholesky`); present exactly when fromPublic is. */
  toPublic?(storage: Float64Array, k: number, d: number): Float64Array;
}
