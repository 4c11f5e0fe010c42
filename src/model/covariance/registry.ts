/**
 * The covariance models by name: the one place that knows which names exist. Everything else looks a model up here
 * and asks it (shapes, storage layout, M-step, parameter count), so a new model is one file plus one line below.
 */
import { diag } from './diag.js';
import { full } from './full.js';
import { spherical } from './spherical.js';
import { tied } from './tied.js';
import type { CovarianceModel } from './types.js';

const MODELS = { full, tied, diag, spherical } as const;

/** A `covarianceType` name. */
export type CovarianceType = keyof typeof MODELS;

/** Every model name, in the order help texts and default selections list them. */
export const COVARIANCE_TYPES: readonly CovarianceType[] = Object.freeze(Object.keys(MODELS) as CovarianceType[]);

export function isCovarianceType(v: unknown): v is CovarianceType {
  return typeof v === 'string' && Object.hasOwn(MODELS, v);
}

/** The model of a (validated) name. */
export function covarianceModel(name: CovarianceType): CovarianceModel {
  return MODELS[name];
}

export type { CovarianceModel, ScatterInput } from './types.js';
export { LAYOUTS, LAYOUT_CODE, type Layout, type LayoutCode } from './layouts.js';

/** Every component's covariance as a full d×d matrix, from the values users see (`covariances`, flattened). */
export function covarianceMatrices(name: CovarianceType, values: Float64Array, k: number, d: number): Float64Array[] {
  const model = MODELS[name] as CovarianceModel;
  const storage = model.fromPublic ? model.fromPublic(values, k, d) : values;
  return Array.from({ length: k }, (_, c) => model.layout.matrix(storage, c, d));
}
