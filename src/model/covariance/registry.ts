/**
 * The covariance models by name: the one place that knows which names exist. Everything else looks a model up here
 * and asks it (shapes, storage layout, M-step, parameter count), so a new model is one file plus one line below.
 */
import { diag } from './diag.js';
import { EEE } from './eee.js';
import { EEI } from './eei.js';
import { EEV } from './eev.js';
import { EII } from './eii.js';
import { EVE } from './eve.js';
import { EVI } from './evi.js';
import { EVV } from './evv.js';
import { full } from './full.js';
import { spherical } from './spherical.js';
import { tied } from './tied.js';
import { priorRoute } from './mclust-model.js';
import type { CovarianceModel } from './types.js';
import { VEE } from './vee.js';
import { VEI } from './vei.js';
import { VEV } from './vev.js';
import { VII } from './vii.js';
import { VVE } from './vve.js';
import { VVI } from './vvi.js';
import { VVV } from './vvv.js';

// scikit-learn's four, then mclust's fourteen in mclust's order (EII … VVV)
// (scikit-learn's four take mclust's estimate only under a conjugate prior: priorRoute)
const MODELS = {
  full: { ...full, estimate: priorRoute('VVV', full) },
  tied: { ...tied, estimate: priorRoute('EEE', tied) },
  diag: { ...diag, estimate: priorRoute('VVI', diag) },
  spherical: { ...spherical, estimate: priorRoute('VII', spherical) },
  EII,
  VII,
  EEI,
  VEI,
  EVI,
  VVI,
  EEE,
  VEE,
  EVE,
  VVE,
  EEV,
  VEV,
  EVV,
  VVV,
} as const;

/** A `covarianceType` name. */
export type CovarianceType = keyof typeof MODELS;

/** Every model name, in the order help texts and default selections list them. */
export const COVARIANCE_TYPES: readonly CovarianceType[] = Object.freeze(Object.keys(MODELS) as CovarianceType[]);

/** scikit-learn's four names: what selectModel and `gaussmix select` try unless told otherwise. */
export const SKLEARN_TYPES = Object.freeze([
  'full',
  'tied',
  'diag',
  'spherical',
] as const) satisfies readonly CovarianceType[];

/** mclust's fourteen names, in mclust's order (`--models all`). */
export const MCLUST_TYPES: readonly CovarianceType[] = Object.freeze(COVARIANCE_TYPES.slice(4));

export function isCovarianceType(v: unknown): v is CovarianceType {
  return typeof v === 'string' && Object.hasOwn(MODELS, v);
}

/** The model of a (validated) name. */
export function covarianceModel(name: CovarianceType): CovarianceModel {
  return MODELS[name];
}

export type { CovarianceModel, ScatterInput } from './types.js';
export { LAYOUTS, LAYOUT_CODE, type Layout, type LayoutCode } from './layouts.js';
import { LAYOUTS } from './layouts.js';

/** The values users see (`covariances` or `precisionsCholesky`, flattened) from a model's storage. */
export function publicValues(name: CovarianceType, storage: Float64Array, k: number, d: number): Float64Array {
  const model = MODELS[name] as CovarianceModel;
  return model.toPublic ? model.toPublic(storage, k, d) : storage;
}

/** Every component's covariance as a full d×d matrix, from the values users see (`covariances`, flattened). */
export function covarianceMatrices(name: CovarianceType, values: Float64Array, k: number, d: number): Float64Array[] {
  const model = MODELS[name] as CovarianceModel;
  const storage = model.fromPublic ? model.fromPublic(values, k, d) : values;
  return Array.from({ length: k }, (_, c) => model.layout.matrix(storage, c, d));
}

/**
 * Precision factors (storage) from the precision matrices users give (`precisionsInit`, in the model's public
 * shape): the index of a block that is not positive definite, or −1. For an mclust-named model the K×D×D
 * precisions must be those of a covariance of the model; an Error naming the violated constraint otherwise.
 */
export function precisionFactors(
  name: CovarianceType,
  values: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): number {
  const model = MODELS[name] as CovarianceModel;
  if (!model.fromPublic) return model.layout.fromPrecision(values, k, d, out);
  const tri = LAYOUTS.tri;
  const factors = new Float64Array(k * d * d);
  const bad = tri.fromPrecision(values, k, d, factors);
  if (bad >= 0) return model.layout.shared ? 0 : bad;
  const cov = new Float64Array(k * d * d);
  tri.unfactor(factors, k, d, cov);
  return model.layout.factor(model.fromPublic(cov, k, d), k, d, out);
}
