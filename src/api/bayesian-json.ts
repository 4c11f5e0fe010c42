/**
 * Persistence of BayesianGaussianMixture: the variational posterior and the resolved priors as plain arrays in
 * scikit-learn's shapes, under a format name of its own ('gaussmix-bayesian-model', so neither class loads the
 * other's files by mistake). fromJSON trusts nothing: unknown and prototype-polluting keys, wrong shapes, non-finite
 * numbers, parameters outside their domain (concentrations, precisions ≤ 0, ν ≤ D − 1), covariances that are not
 * symmetric positive definite, precision factors or weights that do not follow from the rest — each a
 * ModelFormatError naming the field.
 */
import { covarianceModel } from '../model/covariance/registry.js';
import { priorShape, variationalCovariance } from '../model/variational/covariance/registry.js';
import { mixtureWeights } from '../model/variational/expectations.js';
import type { VariationalPosterior, VariationalPriors, WeightPriorType } from '../model/variational/types.js';
import { quote } from './errors.js';
import { checkFeatureNames } from './feature-names.js';
import { jsonReader, nest, type Nested } from './json-reader.js';
import {
  BAYESIAN_COVARIANCE_TYPES,
  BAYESIAN_OPTION_NAMES,
  type BayesianCovarianceType,
  type BayesianGaussianMixtureOptions,
  type ResolvedBayesianOptions,
} from './options.js';

export const BAYESIAN_FORMAT = 'gaussmix-bayesian-model';
export const BAYESIAN_FORMAT_VERSION = 1;

export interface BayesianModelJSON {
  format: typeof BAYESIAN_FORMAT;
  version: number;
  covarianceType: BayesianCovarianceType;
  weightConcentrationPriorType: WeightPriorType;
  nComponents: number;
  nFeatures: number;
  weights: number[];
  means: number[][];
  covariances: Nested;
  precisionsCholesky: Nested;
  /** [a, b] (the Beta parameters of each stick) for the Dirichlet process; α for the Dirichlet distribution. */
  weightConcentration: number[] | [number[], number[]];
  meanPrecision: number[];
  /** A number for 'tied' (scikit-learn's scalar), one per component otherwise. */
  degreesOfFreedom: number | number[];
  /** The priors the fit resolved (scikit-learn's *_prior_ attributes). */
  priors: {
    weightConcentrationPrior: number;
    meanPrecisionPrior: number;
    meanPrior: number[];
    degreesOfFreedomPrior: number;
    covariancePrior: Nested;
  };
  converged: boolean;
  nIter: number;
  lowerBound: number | null;
  lowerBounds: number[];
  options: Partial<Record<string, unknown>>;
  /** The features' names (scikit-learn's feature_names_in_); only when the model was fitted with them. */
  featureNames?: string[];
}

/** The options a saved model keeps (the rest describe a fit's start or callbacks). */
const SAVED_OPTIONS = [
  'tol',
  'regCovar',
  'maxIter',
  'nInit',
  'initParams',
  'seed',
  'warmStart',
  'backend',
  'weightConcentrationPrior',
  'meanPrecisionPrior',
  'meanPrior',
  'degreesOfFreedomPrior',
  'covariancePrior',
] as const;

export interface BayesianFitMeta {
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: Float64Array;
  featureNames?: readonly string[] | null;
}

export function serializeBayesian(
  post: VariationalPosterior,
  priors: VariationalPriors,
  weights: Float64Array,
  meta: BayesianFitMeta,
  options: ResolvedBayesianOptions,
): BayesianModelJSON {
  const { k, d, covType } = post;
  const shape = covarianceModel(covType).shape(k, d);
  const opts: Record<string, unknown> = {};
  for (const key of SAVED_OPTIONS) {
    const v = options[key];
    opts[key] = v instanceof Float64Array ? (key === 'covariancePrior' ? nestPrior(v, covType) : Array.from(v)) : v;
  }
  const vc = variationalCovariance(covType);
  const ps = priorShape(vc.priorForm, d);
  const json: BayesianModelJSON = {
    format: BAYESIAN_FORMAT,
    version: BAYESIAN_FORMAT_VERSION,
    covarianceType: covType,
    weightConcentrationPriorType: post.weightPriorType,
    nComponents: k,
    nFeatures: d,
    weights: Array.from(weights),
    means: nest(post.means, [k, d]) as number[][],
    covariances: nest(post.covariances, shape),
    precisionsCholesky: nest(post.precChol, shape),
    weightConcentration: post.weightConcentrationTail
      ? [Array.from(post.weightConcentration), Array.from(post.weightConcentrationTail)]
      : Array.from(post.weightConcentration),
    meanPrecision: Array.from(post.meanPrecision),
    degreesOfFreedom: vc.shared ? post.degreesOfFreedom[0] : Array.from(post.degreesOfFreedom),
    priors: {
      weightConcentrationPrior: priors.weightConcentrationPrior,
      meanPrecisionPrior: priors.meanPrecisionPrior,
      meanPrior: Array.from(priors.meanPrior),
      degreesOfFreedomPrior: priors.degreesOfFreedomPrior,
      covariancePrior: ps.length === 0 ? priors.covariancePrior[0] : nest(priors.covariancePrior, ps),
    },
    converged: meta.converged,
    nIter: meta.nIter,
    lowerBound: Number.isFinite(meta.lowerBound) ? meta.lowerBound : null,
    lowerBounds: Array.from(meta.lowerBounds),
    options: opts,
  };
  if (meta.featureNames) json.featureNames = [...meta.featureNames];
  return json;
}

/** A user-given covariancePrior as the option took it (a number for 'spherical', else nested arrays). */
function nestPrior(v: Float64Array, ct: BayesianCovarianceType): Nested {
  const form = variationalCovariance(ct).priorForm;
  if (form === 'scalar') return v[0];
  const side = Math.round(Math.sqrt(v.length));
  return form === 'variances' ? Array.from(v) : nest(v, [side, side]);
}

const KEYS = [
  'format',
  'version',
  'covarianceType',
  'weightConcentrationPriorType',
  'nComponents',
  'nFeatures',
  'weights',
  'means',
  'covariances',
  'precisionsCholesky',
  'weightConcentration',
  'meanPrecision',
  'degreesOfFreedom',
  'priors',
  'converged',
  'nIter',
  'lowerBound',
  'lowerBounds',
  'options',
  'featureNames',
];
const REQUIRED = KEYS.filter(
  (k) =>
    !['precisionsCholesky', 'converged', 'nIter', 'lowerBound', 'lowerBounds', 'options', 'featureNames'].includes(k),
);
const PRIOR_KEYS = [
  'weightConcentrationPrior',
  'meanPrecisionPrior',
  'meanPrior',
  'degreesOfFreedomPrior',
  'covariancePrior',
];

const reader = jsonReader('gaussmix Bayesian model');
const { bad } = reader;

export interface BayesianDeserialized {
  posterior: VariationalPosterior;
  priors: VariationalPriors;
  weights: Float64Array;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: Float64Array;
  options: BayesianGaussianMixtureOptions;
  featureNames: readonly string[] | null;
}

/** A number (not NaN, finite) above `min`, or a ModelFormatError naming the field. */
function above(v: unknown, min: number, field: string, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > min)) bad(`${field} must be ${what}; got ${quote(v)}`);
  return v as number;
}

interface Header {
  covType: BayesianCovarianceType;
  weightPriorType: WeightPriorType;
  k: number;
  d: number;
}

/** Format, version, covariance and weight prior types, and the model's size. */
function readHeader(o: Record<string, unknown>): Header {
  if (o.format !== BAYESIAN_FORMAT) {
    bad(
      `format must be '${BAYESIAN_FORMAT}'; got ${quote(o.format)}${o.format === 'gaussmix-model' ? ' (a GaussianMixture: load it with GaussianMixture.fromJSON)' : ''}`,
    );
  }
  if (o.version !== BAYESIAN_FORMAT_VERSION)
    bad(`version ${quote(o.version)} is not supported (this library reads version ${BAYESIAN_FORMAT_VERSION})`);
  const covType = o.covarianceType as BayesianCovarianceType;
  if (!(BAYESIAN_COVARIANCE_TYPES as readonly unknown[]).includes(covType))
    bad(
      `covarianceType must be one of ${BAYESIAN_COVARIANCE_TYPES.map((t) => `'${t}'`).join(', ')}; got ${quote(covType)}`,
    );
  const weightPriorType = o.weightConcentrationPriorType as WeightPriorType;
  if (weightPriorType !== 'dirichlet_process' && weightPriorType !== 'dirichlet_distribution')
    bad(
      `weightConcentrationPriorType must be 'dirichlet_process' or 'dirichlet_distribution'; got ${quote(weightPriorType)}`,
    );
  const k = o.nComponents as number;
  const d = o.nFeatures as number;
  if (!Number.isInteger(k) || k < 1) bad(`nComponents must be an integer ≥ 1; got ${quote(k)}`);
  if (!Number.isInteger(d) || d < 1) bad(`nFeatures must be an integer ≥ 1; got ${quote(d)}`);
  return { covType, weightPriorType, k, d };
}

/** Covariances that are symmetric positive definite, and the precision factors that go with them. */
function readCovariances(o: Record<string, unknown>, h: Header): { covariances: Float64Array; precChol: Float64Array } {
  const { layout, shape: shapeOf } = covarianceModel(h.covType);
  const { k, d } = h;
  const shape = shapeOf(k, d);
  const covariances = reader.array(o.covariances, shape, 'covariances');
  const asymmetric = layout.asymmetry(covariances, k, d);
  if (asymmetric) bad(`covariances${asymmetric}`);
  const computed = new Float64Array(covariances.length);
  const notPD = layout.factor(covariances, k, d, computed);
  if (notPD >= 0) bad(`covariances${layout.shared ? '' : `[${notPD}]`} must be positive definite`);
  if (o.precisionsCholesky === undefined) return { covariances, precChol: computed };
  const given = reader.array(o.precisionsCholesky, shape, 'precisionsCholesky');
  for (let t = 0; t < given.length; t++) {
    if (Math.abs(given[t] - computed[t]) > 1e-6 * Math.max(1, Math.abs(computed[t])))
      bad('precisionsCholesky does not match covariances (it must be the Cholesky factor of their inverse)');
  }
  return { covariances, precChol: given }; // bit-identical round trip of a model we wrote
}

/** The variational posterior, each parameter in its domain, and weights that follow from its concentrations. */
function readPosterior(
  o: Record<string, unknown>,
  h: Header,
): { posterior: VariationalPosterior; weights: Float64Array } {
  const { covType, weightPriorType, k, d } = h;
  const dp = weightPriorType === 'dirichlet_process';
  const conc = reader.array(o.weightConcentration, dp ? [2, k] : [k], 'weightConcentration');
  conc.forEach(
    (v, i) =>
      v > 0 || bad(`weightConcentration${dp ? `[${Math.floor(i / k)}][${i % k}]` : `[${i}]`} must be > 0; got ${v}`),
  );
  const meanPrecision = reader.array(o.meanPrecision, [k], 'meanPrecision');
  meanPrecision.forEach((v, i) => v > 0 || bad(`meanPrecision[${i}] must be > 0; got ${v}`));
  const means = reader.array(o.means, [k, d], 'means');
  const { shared } = variationalCovariance(covType);
  const dof = reader.array(o.degreesOfFreedom, shared ? [] : [k], 'degreesOfFreedom');
  dof.forEach(
    (v, i) =>
      v > d - 1 || bad(`degreesOfFreedom${shared ? '' : `[${i}]`} must be > nFeatures − 1 = ${d - 1}; got ${v}`),
  );
  const posterior: VariationalPosterior = {
    k,
    d,
    covType,
    weightPriorType,
    weightConcentration: dp ? conc.slice(0, k) : conc,
    weightConcentrationTail: dp ? conc.slice(k) : null,
    meanPrecision,
    means,
    degreesOfFreedom: dof,
    ...readCovariances(o, h),
  };
  // weights follow from the concentrations (scikit-learn's weights_)
  const derived = mixtureWeights(posterior);
  const weights = reader.array(o.weights, [k], 'weights');
  weights.forEach((v, i) => {
    if (!(Math.abs(v - derived[i]) <= 1e-9 * Math.max(derived[i], 1e-3 / k)))
      bad(`weights[${i}] = ${v} does not follow from weightConcentration (expected ${derived[i]})`);
  });
  return { posterior, weights };
}

/** The resolved priors, each in its domain. */
function readPriors(value: unknown, h: Header): VariationalPriors {
  const { covType, weightPriorType, d } = h;
  const { layout } = covarianceModel(covType);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad('priors must be an object');
  const p = value as Record<string, unknown>;
  reader.checkKeys(p, PRIOR_KEYS, 'priors');
  for (const key of PRIOR_KEYS) if (!(key in p)) bad(`priors: missing '${key}'`);
  const form = variationalCovariance(covType).priorForm;
  const covariancePrior = reader.array(p.covariancePrior, priorShape(form, d), 'priors.covariancePrior');
  if (form === 'matrix') {
    if (layout.asymmetry(covariancePrior, 1, d) || layout.factor(covariancePrior, 1, d, new Float64Array(d * d)) >= 0)
      bad('priors.covariancePrior must be symmetric positive definite');
  } else {
    covariancePrior.forEach((v, i) => v > 0 || bad(`priors.covariancePrior entries must be > 0; entry ${i} is ${v}`));
  }
  return {
    d,
    covType,
    weightPriorType,
    weightConcentrationPrior: above(p.weightConcentrationPrior, 0, 'priors.weightConcentrationPrior', 'a number > 0'),
    meanPrecisionPrior: above(p.meanPrecisionPrior, 0, 'priors.meanPrecisionPrior', 'a number > 0'),
    meanPrior: reader.array(p.meanPrior, [d], 'priors.meanPrior'),
    degreesOfFreedomPrior: above(p.degreesOfFreedomPrior, d - 1, 'priors.degreesOfFreedomPrior', `a number > ${d - 1}`),
    covariancePrior,
  };
}

/** The fit's record (all optional) and the saved options (their values are checked by the constructor). */
function readRecord(
  o: Record<string, unknown>,
): Omit<BayesianDeserialized, 'posterior' | 'priors' | 'weights' | 'featureNames'> {
  if (o.converged !== undefined && typeof o.converged !== 'boolean') bad('converged must be true or false');
  if (o.nIter !== undefined && (!Number.isInteger(o.nIter) || (o.nIter as number) < 0))
    bad('nIter must be an integer ≥ 0');
  const lb = o.lowerBound;
  if (lb !== undefined && lb !== null && (typeof lb !== 'number' || !Number.isFinite(lb)))
    bad('lowerBound must be a finite number or null');
  let lowerBounds: Float64Array = new Float64Array(0);
  if (o.lowerBounds !== undefined) {
    if (!Array.isArray(o.lowerBounds)) bad('lowerBounds must be an array of numbers');
    lowerBounds = reader.array(o.lowerBounds, [(o.lowerBounds as unknown[]).length], 'lowerBounds');
  }
  let options: BayesianGaussianMixtureOptions = {};
  if (o.options !== undefined) {
    if (o.options === null || typeof o.options !== 'object' || Array.isArray(o.options))
      bad('options must be an object');
    reader.checkKeys(o.options as Record<string, unknown>, BAYESIAN_OPTION_NAMES, 'options');
    options = { ...(o.options as BayesianGaussianMixtureOptions) };
  }
  return {
    converged: (o.converged as boolean | undefined) ?? false,
    nIter: (o.nIter as number | undefined) ?? 0,
    lowerBound: typeof lb === 'number' ? lb : -Infinity,
    lowerBounds,
    options,
  };
}

export function deserializeBayesian(input: unknown): BayesianDeserialized {
  const o = reader.object(input);
  reader.checkKeys(o, KEYS, 'the model');
  for (const key of REQUIRED) if (!(key in o)) bad(`missing '${key}'`);
  const h = readHeader(o);
  const featureNames = checkFeatureNames(o.featureNames, 'featureNames', bad, h.d);
  return { ...readPosterior(o, h), priors: readPriors(o.priors, h), ...readRecord(o), featureNames };
}
