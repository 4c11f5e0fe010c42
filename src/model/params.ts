/**
 * Mixture parameters in the layout the kernels read (flat, row-major; covariances and precision factors in the
 * model's storage layout), and what the kernels are given from them.
 */
import { covarianceModel, type CovarianceModel, type CovarianceType, type LayoutCode } from './covariance/registry.js';
import { withNoiseComponent, type NoiseTerm } from './noise.js';

/** Parameter groups a fit can keep fixed. */
export type Frozen = 'weights' | 'means' | 'covariances';

export interface Params {
  readonly k: number;
  readonly d: number;
  readonly covType: CovarianceType;
  readonly weights: Float64Array; // k
  readonly means: Float64Array; // k·d
  readonly covariances: Float64Array; // the model's storage layout
  readonly precChol: Float64Array; // same layout: scikit-learn's precisions_cholesky_ (upper-triangular for full matrices)
  /** A uniform noise component (option noise, model/noise.ts): then the weights sum to 1 − noise.weight. */
  readonly noise?: NoiseTerm;
}

/**
 * What one E-pass needs, and all it needs: means, precision factors in a kernel layout and a log constant per
 * component (log πₖ + log det Pₖ − ½·d·log 2π, or any other per-component term an algorithm adds), and which
 * statistics to accumulate. Drivers and workers move these, never a covariance model.
 */
export interface KernelParams {
  readonly k: number;
  readonly d: number;
  readonly layout: LayoutCode;
  readonly sxxKind: 'full' | 'diag';
  readonly means: Float64Array;
  readonly prec: Float64Array;
  readonly logConst: Float64Array;
  /**
   * The covariances themselves (the layout of `prec`, P·Pᵀ = Σ⁻¹), for E-passes over rows with missing values: their
   * conditional Gaussians need blocks of Σ, which the precision factor does not give without an inversion. The
   * per-component term there is logConst − log det P + ½·d·log 2π. Absent when an algorithm has no such Σ.
   */
  readonly covariances?: Float64Array;
}

export const modelOf = (p: { covType: CovarianceType }): CovarianceModel => covarianceModel(p.covType);

/** Number of doubles in a covariance (or precision factor) array of this model. */
export function covSize(covType: CovarianceType, k: number, d: number): number {
  const layout = covarianceModel(covType).layout;
  return layout.blocks(k) * layout.blockSize(d);
}

const LOG_2PI = Math.log(2 * Math.PI);

/** logConst[k] = log πₖ + log det Pₖ − ½·d·log 2π, the per-component constant the kernels add. */
export function logConstants(p: Params, out: Float64Array, outOff = 0): void {
  const ld = new Float64Array(p.k);
  modelOf(p).layout.logDet(p.precChol, p.k, p.d, ld);
  for (let c = 0; c < p.k; c++) out[outOff + c] = Math.log(p.weights[c]) + ld[c] - 0.5 * p.d * LOG_2PI;
}

/** The kernels' view of a Gaussian mixture. */
export function kernelParams(p: Params): KernelParams {
  const model = modelOf(p);
  const logConst = new Float64Array(p.k);
  logConstants(p, logConst);
  const kp: KernelParams = {
    k: p.k,
    d: p.d,
    layout: model.layout.code,
    sxxKind: model.statsKind,
    means: p.means,
    prec: p.precChol,
    logConst,
    covariances: p.covariances,
  };
  return p.noise ? withNoiseComponent(kp, p.noise) : kp;
}

/** Free parameters of the model, as scikit-learn's _n_parameters (minus any frozen groups). */
export function parameterCount(covType: CovarianceType, k: number, d: number, frozen: readonly string[] = []): number {
  const cov = covarianceModel(covType).nParams(k, d);
  return (
    (frozen.includes('covariances') ? 0 : cov) +
    (frozen.includes('means') ? 0 : k * d) +
    (frozen.includes('weights') ? 0 : k - 1)
  );
}

export function cloneParams(p: Params): Params {
  return {
    k: p.k,
    d: p.d,
    covType: p.covType,
    weights: p.weights.slice(),
    means: p.means.slice(),
    covariances: p.covariances.slice(),
    precChol: p.precChol.slice(),
    ...(p.noise ? { noise: { ...p.noise, lower: p.noise.lower.slice(), upper: p.noise.upper.slice() } } : {}),
  };
}

/** Parameters with precision factors computed from covariances; the index of a block that is not positive definite otherwise. */
export function withFactors(
  covType: CovarianceType,
  k: number,
  d: number,
  weights: Float64Array,
  means: Float64Array,
  covariances: Float64Array,
): Params | number {
  const precChol = new Float64Array(covariances.length);
  const bad = covarianceModel(covType).layout.factor(covariances, k, d, precChol);
  return bad >= 0 ? bad : { k, d, covType, weights, means, covariances, precChol };
}
