/**
 * fit --standardize: the mixture is fitted on z-scored features, z_j = (x_j − m_j) / s_j (column mean and standard
 * deviation of the observed values), so a covariance type that ties the features' scales together (spherical) is
 * not dominated by the feature with the largest units; the model is then mapped back to the original units, which
 * for a Gaussian under x = m + S z (S = diag(s)) is exact: μ = m + S μ_z, Σ = S Σ_z S, and the density
 * p(x) = p_z(z) / Π s_j, so the log-likelihood of N rows is the standardized one minus N · Σ log s_j — the same
 * shift for every K and covariance type. full, tied and diag keep their type; spherical (σ² I in z-units) becomes
 * diagonal (σ² s_j²) in the original units and is saved as diag.
 */
import { DataError, OptionError } from '../api/errors.js';
import { GaussianMixture } from '../api/gaussian-mixture.js';
import { nest } from '../api/json-reader.js';
import { RESCALABLE_TYPES, rescaleCovariances } from '../model/covariance/rescale.js';
import { covarianceModel } from '../model/covariance/registry.js';

/** Covariance types whose standardized fit maps back exactly onto a saved model type. */
export const STANDARDIZE_TYPES = RESCALABLE_TYPES;

export interface Scaling {
  /** Column means m_j. */
  center: Float64Array;
  /** Column standard deviations s_j (population, over the observed values). */
  scale: Float64Array;
}

/** Column means and standard deviations of the observed (non-NaN) values; a constant column is an error. */
export function scalingOf(X: { data: Float64Array; rows: number; cols: number }, columns: readonly string[]): Scaling {
  const d = X.cols;
  const center = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let count = 0;
    let mean = 0;
    let m2 = 0;
    // Welford's update: one pass, no cancellation for columns far from zero
    for (let i = 0; i < X.rows; i++) {
      const v = X.data[i * d + j];
      if (Number.isNaN(v)) continue;
      count++;
      const delta = v - mean;
      mean += delta / count;
      m2 += delta * (v - mean);
    }
    const sd = Math.sqrt(m2 / Math.max(1, count));
    if (!(sd > 0) || !Number.isFinite(sd))
      throw new DataError(`--standardize: column '${columns[j]}' is constant; it has no scale to divide by`);
    center[j] = mean;
    scale[j] = sd;
  }
  return { center, scale };
}

/** X in z-scores (a new array; NaN stays NaN). */
export function standardized(X: { data: Float64Array; rows: number; cols: number }, s: Scaling) {
  const d = X.cols;
  const data = new Float64Array(X.data.length);
  for (let i = 0; i < X.data.length; i++) data[i] = (X.data[i] - s.center[i % d]) / s.scale[i % d];
  return { data, rows: X.rows, cols: d };
}

/** The model fitted on z-scores, in the original units (exact; spherical becomes diag). */
export function inOriginalUnits(model: GaussianMixture, s: Scaling): GaussianMixture {
  const type = model.covarianceType;
  if (!STANDARDIZE_TYPES.includes(type))
    throw new OptionError('--standardize', `--standardize works with --covariance ${STANDARDIZE_TYPES.join(', ')}`);
  const json = model.toJSON();
  const { center: m, scale: sd } = s;
  const d = m.length;
  const k = json.nComponents;
  const flat = Float64Array.from([json.covariances].flat(3) as number[]);
  const { covarianceType, covariances } = rescaleCovariances(type, flat, k, sd);
  let logScale = 0;
  for (let j = 0; j < d; j++) logScale += Math.log(sd[j]);
  const { precisionsCholesky: _recomputed, ...rest } = json;
  return GaussianMixture.fromJSON({
    ...rest,
    covarianceType,
    means: json.means.map((mu) => mu.map((v, j) => m[j] + sd[j] * v)),
    covariances: nest(covariances, covarianceModel(covarianceType).shape(k, d)),
    // the mean log-likelihood per row moves by the log-Jacobian
    lowerBound: json.lowerBound === null ? null : json.lowerBound - logScale,
  } as Parameters<typeof GaussianMixture.fromJSON>[0]);
}
