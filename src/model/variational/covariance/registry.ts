/**
 * The variational mixture's covariance types by name: the one place of the Bayesian family that knows which names
 * exist. A new type is one file implementing VariationalCovariance (types.ts) plus one line below; the M-step, the
 * bound, the priors, the options, JSON and the public getters ask the type's object.
 */
import { diag } from './diag.js';
import { full } from './full.js';
import { spherical } from './spherical.js';
import { tied } from './tied.js';
import type { VariationalCovariance } from './types.js';
import type { CovarianceType } from '../types.js';

const TYPES: Record<CovarianceType, VariationalCovariance> = { full, tied, diag, spherical };

/** The variational type of a (validated) name. */
export function variationalCovariance(name: CovarianceType): VariationalCovariance {
  return TYPES[name];
}

export { priorShape, type PriorForm, type VariationalCovariance } from './types.js';
