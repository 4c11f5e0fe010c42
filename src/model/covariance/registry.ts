/**
 * The covariance models by name: the one place that knows which names exist. Everything else looks a model up here
 * and asks it (shapes, storage layout, M-step, parameter count), so a new model is one file, its name in NAMES (an mclust model's in MCLUST_MODELS) and
 * one line in MODELS below (scikit-learn's four, which gaussmix/core has) or in mclust-models.ts (the full library's).
 */
import { OptionError } from '../../api/errors.js';
import { diag } from './diag.js';
import { full } from './full.js';
import { spherical } from './spherical.js';
import { MCLUST_MODELS } from './mclust/types.js';
import { tied } from './tied.js';
import type { CovarianceModel } from './types.js';

/** Every name, in the order help texts and default selections list them: scikit-learn's four, then mclust's fourteen. */
const NAMES = ['full', 'tied', 'diag', 'spherical', ...MCLUST_MODELS] as const;

/** A `covarianceType` name. */
export type CovarianceType = (typeof NAMES)[number];

/**
 * The models this realm can fit: scikit-learn's four always; mclust's fourteen once the `gaussmix` entry has
 * registered them (mclust-models.ts) — `gaussmix/core` leaves them out, so a page fitting the four does not download
 * their math.
 */
const MODELS: Partial<Record<CovarianceType, CovarianceModel>> = { full, tied, diag, spherical };

/** Adds (or, for scikit-learn's four, replaces) models by name: the full entry's mclust extension. */
export function registerCovarianceModels(models: Partial<Record<CovarianceType, CovarianceModel>>): void {
  Object.assign(MODELS, models);
}

/** Every model name, in the order help texts and default selections list them. */
export const COVARIANCE_TYPES: readonly CovarianceType[] = Object.freeze([...NAMES]);

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
  return typeof v === 'string' && (NAMES as readonly string[]).includes(v);
}

/** Whether a model of this name can be fitted here (mclust's need the `gaussmix` entry). */
export function isRegistered(name: CovarianceType): boolean {
  return Object.hasOwn(MODELS, name);
}

/** Why `name` cannot be fitted here (an OptionError naming the entry that has it), or null. */
export function unregisteredError(name: CovarianceType, what = 'covarianceType'): OptionError | null {
  if (isRegistered(name)) return null;
  return new OptionError(
    what,
    `${what} '${name}' is one of mclust's models, which gaussmix/core leaves out; import { GaussianMixture } from 'gaussmix' to use them`,
  );
}

/** The model of a (validated) name. */
export function covarianceModel(name: CovarianceType): CovarianceModel {
  const model = MODELS[name];
  if (!model) throw unregisteredError(name)!;
  return model;
}

export type { CovarianceModel, ScatterInput } from './types.js';
export { LAYOUTS, LAYOUT_CODE, type Layout, type LayoutCode } from './layouts.js';
import { LAYOUTS } from './layouts.js';

/** The values users see (`covariances` or `precisionsCholesky`, flattened) from a model's storage. */
export function publicValues(name: CovarianceType, storage: Float64Array, k: number, d: number): Float64Array {
  const model = covarianceModel(name);
  return model.toPublic ? model.toPublic(storage, k, d) : storage;
}

/** Every component's covariance as a full d×d matrix, from the values users see (`covariances`, flattened). */
export function covarianceMatrices(name: CovarianceType, values: Float64Array, k: number, d: number): Float64Array[] {
  const model = covarianceModel(name);
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
  const model = covarianceModel(name);
  if (!model.fromPublic) return model.layout.fromPrecision(values, k, d, out);
  const tri = LAYOUTS.tri;
  const factors = new Float64Array(k * d * d);
  const bad = tri.fromPrecision(values, k, d, factors);
  if (bad >= 0) return model.layout.shared ? 0 : bad;
  const cov = new Float64Array(k * d * d);
  tri.unfactor(factors, k, d, cov);
  return model.layout.factor(model.fromPublic(cov, k, d), k, d, out);
}
