/**
 * The priors of the variational Gaussian mixture, resolved as scikit-learn 1.2's BayesianGaussianMixture does in
 * _check_parameters: an option left null/undefined gets its default, computed from the data where it depends on
 * them, and a given one is validated.
 *
 * | prior                    | default                                   | constraint                        |
 * | ------------------------ | ----------------------------------------- | --------------------------------- |
 * | weightConcentrationPrior | 1 / nComponents                           | > 0                               |
 * | meanPrecisionPrior       | 1                                         | > 0                               |
 * | meanPrior                | the mean of X                             | length d, finite                  |
 * | degreesOfFreedomPrior    | d                                         | > d − 1                           |
 * | covariancePrior          | full/tied: np.cov(X.T) (ddof 1); diag: the | full/tied: d×d symmetric positive |
 * |                          | column variances (ddof 1); spherical:     | definite; diag: d positive;       |
 * |                          | their mean                                | spherical: a positive number      |
 *
 * The data enter only through their moments (count, mean, scatter about the mean), from `dataMoments` (two passes
 * over X, as numpy) or `momentsFromStats` (a one-component E-pass' statistics).
 */
import { variationalCovariance } from './covariance/registry.js';
import { choleskyLower } from './linalg.js';
import type { CovarianceType, StatsLike, VariationalPriors, WeightPriorType } from './types.js';

/** The options that define the priors (scikit-learn's constructor arguments, camelCase; null = default). */
export interface PriorOptions {
  weightConcentrationPriorType?: WeightPriorType;
  weightConcentrationPrior?: number | null;
  meanPrecisionPrior?: number | null;
  meanPrior?: ArrayLike<number> | null;
  degreesOfFreedomPrior?: number | null;
  /** d×d (flat, row-major, or nested rows) for 'full'/'tied', d for 'diag', a number for 'spherical'. */
  covariancePrior?: number | ArrayLike<number> | ArrayLike<ArrayLike<number>> | null;
}

/** Moments of the data: count n, mean (d) and scatter Σ (x − mean)(x − mean)ᵀ (d×d, row-major). */
export interface DataMoments {
  readonly n: number;
  readonly d: number;
  readonly mean: Float64Array;
  readonly scatter: Float64Array;
  /** Only the diagonal of the scatter is known (from 'diag' statistics): enough for 'diag'/'spherical' priors. */
  readonly diagonalOnly?: boolean;
}

/** Moments of the n×d row-major X, computed as numpy does (mean first, then the centered products). */
export function dataMoments(X: ArrayLike<number>, n: number, d: number): DataMoments {
  if (X.length !== n * d) throw new RangeError(`dataMoments: X holds ${X.length} numbers, not n·d = ${n * d}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const scatter = new Float64Array(d * d);
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) diff[j] = X[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) scatter[a * d + b] += diff[a] * diff[b];
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) scatter[a * d + b] = scatter[b * d + a];
  return { n, d, mean, scatter };
}

/**
 * Moments from the statistics of an E-pass with a single component (every r = 1): n = Σw, mean = μ + sx/n, scatter
 * = sxx − n·δδᵀ (δ = sx/n). With sxxKind 'diag' only the diagonal of the scatter is known (zeros elsewhere), which
 * suffices for 'diag' and 'spherical' priors.
 */
export function momentsFromStats(st: StatsLike): DataMoments {
  if (st.k !== 1) throw new RangeError(`momentsFromStats: the statistics must have one component, not ${st.k}`);
  const { d } = st;
  const n = st.nk[0];
  const mean = new Float64Array(d);
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    delta[j] = st.sx[j] / n;
    mean[j] = st.centers[j] + delta[j];
  }
  const scatter = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      if (st.sxxKind === 'diag' && a !== b) continue;
      const s = st.sxxKind === 'full' ? st.sxx[a * d + b] : st.sxx[a];
      scatter[a * d + b] = scatter[b * d + a] = s - st.sx[a] * delta[b];
    }
  }
  return { n, d, mean, scatter, diagonalOnly: st.sxxKind === 'diag' };
}

function positive(v: number, name: string): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new RangeError(`${name} must be a finite number > 0; got ${v}`);
  return v;
}

function flatten(v: ArrayLike<number> | ArrayLike<ArrayLike<number>>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const e = v[i] as number | ArrayLike<number>;
    if (typeof e === 'number') out.push(e);
    else for (let j = 0; j < e.length; j++) out.push(e[j]);
  }
  return Float64Array.from(out);
}

/** numpy.allclose(a, aᵀ) (rtol 1e-5, atol 1e-8). */
function isSymmetric(a: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const x = a[i * d + j];
      const y = a[j * d + i];
      if (!(Math.abs(x - y) <= 1e-8 + 1e-5 * Math.abs(y))) return false;
    }
  }
  return true;
}

/** The default covariance prior from the data's moments (np.cov / np.var with ddof = 1). */
export function defaultCovariancePrior(m: DataMoments, covType: CovarianceType): Float64Array {
  if (!(m.n > 1)) throw new RangeError(`the default covariance prior needs at least 2 samples; got ${m.n}`);
  return variationalCovariance(covType).defaultPrior(m);
}

/**
 * Resolves and validates the priors for nComponents components of the given covariance type (scikit-learn's
 * _check_weights_parameters, _check_means_parameters, _check_precision_parameters and
 * _checkcovariance_prior_parameter). Throws RangeError with scikit-learn's wording on an invalid prior.
 */
export function resolvePriors(
  m: DataMoments,
  covType: CovarianceType,
  nComponents: number,
  o: PriorOptions = {},
): VariationalPriors {
  const { d } = m;
  if (!Number.isInteger(nComponents) || nComponents < 1)
    throw new RangeError(`nComponents must be an integer ≥ 1; got ${nComponents}`);
  const weightPriorType = o.weightConcentrationPriorType ?? 'dirichlet_process';
  if (weightPriorType !== 'dirichlet_process' && weightPriorType !== 'dirichlet_distribution') {
    throw new RangeError(
      `weightConcentrationPriorType must be 'dirichlet_process' or 'dirichlet_distribution'; got ${String(weightPriorType)}`,
    );
  }
  const weightConcentrationPrior =
    o.weightConcentrationPrior == null
      ? 1 / nComponents
      : positive(o.weightConcentrationPrior, 'weightConcentrationPrior');
  const meanPrecisionPrior = o.meanPrecisionPrior == null ? 1 : positive(o.meanPrecisionPrior, 'meanPrecisionPrior');

  let meanPrior: Float64Array;
  if (o.meanPrior == null) meanPrior = m.mean.slice();
  else {
    meanPrior = Float64Array.from(o.meanPrior);
    if (meanPrior.length !== d)
      throw new RangeError(`meanPrior must have ${d} entries (one per feature); got ${meanPrior.length}`);
    if (!meanPrior.every(Number.isFinite)) throw new RangeError('meanPrior must be finite');
  }

  let degreesOfFreedomPrior: number;
  if (o.degreesOfFreedomPrior == null) degreesOfFreedomPrior = d;
  else {
    const v = o.degreesOfFreedomPrior;
    if (!(v > d - 1) || !Number.isFinite(v)) {
      throw new RangeError(
        `The parameter 'degreesOfFreedomPrior' should be greater than ${d - 1}, but got ${Number(v).toFixed(3)}.`,
      );
    }
    degreesOfFreedomPrior = v;
  }

  const covariancePrior =
    o.covariancePrior == null
      ? defaultCovariancePrior(m, covType)
      : givenCovariancePrior(o.covariancePrior, covType, d);
  return {
    d,
    covType,
    weightPriorType,
    weightConcentrationPrior,
    meanPrecisionPrior,
    meanPrior,
    degreesOfFreedomPrior,
    covariancePrior,
  };
}

/** A given covariancePrior, in the form the covariance type takes (scikit-learn's _checkcovariance_prior_parameter). */
function givenCovariancePrior(
  v: number | ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  covType: CovarianceType,
  d: number,
): Float64Array {
  const form = variationalCovariance(covType).priorForm;
  if (form === 'scalar') {
    const x = typeof v === 'number' ? v : v.length === 1 && typeof v[0] === 'number' ? (v[0] as number) : NaN;
    return Float64Array.of(positive(x, `covariancePrior (${covType}: a number)`));
  }
  if (typeof v === 'number') throw new RangeError(`covariancePrior for '${covType}' must be an array, not a number`);
  const covariancePrior = flatten(v);
  const want = form === 'variances' ? d : d * d;
  if (covariancePrior.length !== want) {
    throw new RangeError(
      `The parameter '${covType} covariance_prior' should have the shape of ${form === 'variances' ? `(${d},)` : `(${d}, ${d})`}, but got ${covariancePrior.length} entries`,
    );
  }
  if (form === 'variances') {
    if (!covariancePrior.every((x) => x > 0 && Number.isFinite(x)))
      throw new RangeError(`'${covType} precision' should be positive`);
  } else if (
    !isSymmetric(covariancePrior, d) ||
    choleskyLower(covariancePrior, 0, d, new Float64Array(d * d), 0) >= 0
  ) {
    throw new RangeError(`'${covType} precision' should be symmetric, positive-definite`);
  }
  return covariancePrior;
}
