/**
 * Model persistence. toJSON writes plain arrays in scikit-learn's shapes; fromJSON trusts nothing: it rejects
 * unknown and prototype-polluting keys, wrong shapes, non-finite numbers, weights that are not a distribution and
 * covariances that are not symmetric positive definite — each with a ModelFormatError naming the field.
 */
import { MAX_FEATURES } from '../data/matrix.js';
import { quote } from './errors.js';
import { checkFeatureNames } from './feature-names.js';
import { jsonReader, nest, type Nested } from './json-reader.js';
import { DEFAULT_LEARNING_RATE, type OnlineState } from '../em/online.js';
import { onlineStateToJSON, readOnlineState, type OnlineStateJSON } from './online-json.js';
import { compressBlocks } from '../model/covariance/public-shape.js';
import {
  covarianceModel,
  isCovarianceType,
  COVARIANCE_TYPES,
  publicValues,
  unregisteredError,
} from '../model/covariance/registry.js';
import { modelOf, type Params } from '../model/params.js';
import type { NoiseTerm } from '../model/noise.js';
import type { ResolvedPrior } from '../model/prior.js';
import {
  OPTION_NAMES,
  resolveOptions,
  type CovarianceType,
  type GaussianMixtureOptions,
  type ResolvedOptions,
} from './options.js';

export const FORMAT = 'gaussmix-model';
export const FORMAT_VERSION = 1;

export interface ModelJSON {
  format: typeof FORMAT;
  version: number;
  covarianceType: CovarianceType;
  nComponents: number;
  nFeatures: number;
  weights: number[];
  means: number[][];
  covariances: Nested;
  precisionsCholesky: Nested;
  converged: boolean;
  nIter: number;
  lowerBound: number | null;
  options: Partial<Record<string, unknown>>;
  /** The features' names (scikit-learn's feature_names_in_); only when the model was fitted with them. */
  featureNames?: string[];
  /** The noise component (option noise), only in models that have one: weight π₀, log V, the data's bounding box. */
  noise?: { weight: number; logVolume: number; lower: number[]; upper: number[] };
  /** The running state of online learning (partialFit), present once partialFit has updated the model. */
  online?: OnlineStateJSON;
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
  'algorithm',
  'onDegenerate',
] as const;

/** Options a saved model keeps only when they differ from their defaults (a file without them means the defaults). */
const SAVED_IF_SET = ['mstepTol', 'mstepMaxIter', 'initSample'] as const;

export function serialize(
  p: Params,
  meta: {
    converged: boolean;
    nIter: number;
    lowerBound: number;
    featureNames?: readonly string[] | null;
    priorParams?: ResolvedPrior | null;
    online?: OnlineState | null;
  },
  options: ResolvedOptions,
): ModelJSON {
  const shape = modelOf(p).shape(p.k, p.d);
  const pub = (storage: Float64Array) => publicValues(p.covType, storage, p.k, p.d);
  const opts: Record<string, unknown> = {};
  for (const key of SAVED_OPTIONS) opts[key] = options[key];
  const defaults = resolveOptions();
  for (const key of SAVED_IF_SET) if (options[key] !== defaults[key]) opts[key] = options[key];
  // with a running state (which must resume at the same rate), or when not the default: models that never learned
  // online keep the JSON they had before the option existed
  const rate = options.learningRate;
  const isDefault =
    typeof rate !== 'number' && rate.kappa === DEFAULT_LEARNING_RATE.kappa && rate.tau === DEFAULT_LEARNING_RATE.tau;
  if (meta.online || !isDefault) opts.learningRate = rate;
  opts.freeze = [...options.freeze];
  // only when set: models that do not use it keep the JSON they always had
  if (options.missing !== 'error') opts.missing = options.missing;
  // the prior as resolved by the fit (every hyper-parameter), so a loaded model's maximization() uses the same one
  const pp = meta.priorParams;
  if (pp) {
    const scale = pp.scale.length === 1 ? pp.scale[0] : (nest(pp.scale, [p.d, p.d]) as number[][]);
    opts.prior = { shrinkage: pp.shrinkage, mean: Array.from(pp.mean), dof: pp.dof, scale };
  }
  if (p.noise) opts.noise = { volume: Math.exp(p.noise.logVolume) };
  const json: ModelJSON = {
    format: FORMAT,
    version: FORMAT_VERSION,
    covarianceType: p.covType,
    nComponents: p.k,
    nFeatures: p.d,
    weights: Array.from(p.weights),
    means: nest(p.means, [p.k, p.d]) as number[][],
    covariances: nest(pub(p.covariances), shape),
    precisionsCholesky: nest(pub(p.precChol), shape),
    converged: meta.converged,
    nIter: meta.nIter,
    lowerBound: Number.isFinite(meta.lowerBound) ? meta.lowerBound : null,
    options: opts,
    ...(p.noise
      ? {
          noise: {
            weight: p.noise.weight,
            logVolume: p.noise.logVolume,
            lower: Array.from(p.noise.lower),
            upper: Array.from(p.noise.upper),
          },
        }
      : {}),
  };
  // only when known: models fitted without names keep the JSON they always had
  if (meta.featureNames) json.featureNames = [...meta.featureNames];
  if (meta.online) json.online = onlineStateToJSON(meta.online);
  return json;
}

const KEYS = [
  'format',
  'version',
  'covarianceType',
  'nComponents',
  'nFeatures',
  'weights',
  'means',
  'covariances',
  'precisionsCholesky',
  'converged',
  'nIter',
  'lowerBound',
  'options',
  'featureNames',
  'noise',
  'online',
];
const REQUIRED = ['format', 'version', 'covarianceType', 'nComponents', 'nFeatures', 'weights', 'means', 'covariances'];

const reader = jsonReader('gaussmix model');
const { bad } = reader;
const readArray = reader.array;

export interface Deserialized {
  params: Params;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  options: GaussianMixtureOptions;
  featureNames: readonly string[] | null;
  online: OnlineState | null;
}

export function deserialize(input: unknown): Deserialized {
  const o = reader.object(input);
  const { covType, k, d } = readHeader(o);
  const { weights, noise } = readWeights(o, k, d);
  const means = readArray(o.means, [k, d], 'means');
  const { covariances, precChol } = readCovariances(o, covType, k, d);
  checkFitState(o);
  const options = readOptions(o);
  const featureNames = checkFeatureNames(o.featureNames, 'featureNames', bad, d);
  checkSavedOptions(options, d, noise);
  const online =
    o.online === undefined ? null : readOnlineState(o.online, means, k, d, covarianceModel(covType).statsKind, reader);
  return {
    params: { k, d, covType, weights, means, covariances, precChol, ...(noise ? { noise } : {}) },
    converged: (o.converged as boolean | undefined) ?? false,
    nIter: (o.nIter as number | undefined) ?? 0,
    lowerBound: typeof o.lowerBound === 'number' ? o.lowerBound : -Infinity,
    options,
    featureNames,
    online,
  };
}

/** The model's keys, format, version, covariance type and dimensions, checked before anything is read by them. */
function readHeader(o: Record<string, unknown>): { covType: CovarianceType; k: number; d: number } {
  reader.checkKeys(o, KEYS, 'the model');
  for (const key of REQUIRED) if (!(key in o)) bad(`missing '${key}'`);
  if (o.format !== FORMAT) bad(`format must be '${FORMAT}'; got ${quote(o.format)}`);
  if (o.version !== FORMAT_VERSION)
    bad(`version ${quote(o.version)} is not supported (this library reads version ${FORMAT_VERSION})`);
  const covType = o.covarianceType as CovarianceType;
  if (!isCovarianceType(covType))
    bad(`covarianceType must be one of ${COVARIANCE_TYPES.map((t) => `'${t}'`).join(', ')}; got ${quote(covType)}`);
  const unavailable = unregisteredError(covType); // an mclust model read by gaussmix/core
  if (unavailable) bad(unavailable.message);
  const k = o.nComponents as number;
  const d = o.nFeatures as number;
  if (!Number.isInteger(k) || k < 1) bad(`nComponents must be an integer ≥ 1; got ${quote(k)}`);
  if (!Number.isInteger(d) || d < 1) bad(`nFeatures must be an integer ≥ 1; got ${quote(d)}`);
  if (d > MAX_FEATURES) bad(`nFeatures is ${d}; gaussmix supports at most ${MAX_FEATURES} features`);
  return { covType, k, d };
}

/** The mixture weights and the noise component, which together must sum to 1. */
function readWeights(o: Record<string, unknown>, k: number, d: number): { weights: Float64Array; noise?: NoiseTerm } {
  const weights = readArray(o.weights, [k], 'weights');
  const noise = o.noise === undefined ? undefined : readNoise(o.noise, d);
  let sum = noise ? noise.weight : 0;
  weights.forEach((v, i) => {
    if (v < 0 || v > 1) bad(`weights[${i}] must be in [0, 1]; got ${v}`);
    sum += v;
  });
  if (Math.abs(sum - 1) > 1e-8) bad(`weights${noise ? ' and noise.weight' : ''} must sum to 1; they sum to ${sum}`);
  return { weights, noise };
}

/**
 * The covariances in storage layout, checked symmetric and positive definite, and their precision factors: computed,
 * or the stored ones when given and they match, so a model we wrote round-trips bit for bit.
 */
function readCovariances(
  o: Record<string, unknown>,
  covType: CovarianceType,
  k: number,
  d: number,
): { covariances: Float64Array; precChol: Float64Array } {
  const model = covarianceModel(covType);
  const { layout, shape: shapeOf } = model;
  const shape = shapeOf(k, d);
  let covariances = readArray(o.covariances, shape, 'covariances');
  if (model.fromPublic) {
    // an mclust-named model: K×D×D that must satisfy the model's constraint (a tampered file fails here)
    try {
      covariances = model.fromPublic(covariances, k, d);
    } catch (e) {
      bad(`covariances are ${(e as Error).message}`);
    }
  }
  const asymmetric = layout.asymmetry(covariances, k, d);
  if (asymmetric) bad(`covariances${asymmetric}`);
  const computed = new Float64Array(covariances.length);
  const notPD = layout.factor(covariances, k, d, computed);
  if (notPD >= 0) bad(`covariances${layout.shared ? '' : `[${notPD}]`} must be positive definite`);
  let precChol: Float64Array = computed;
  if (o.precisionsCholesky !== undefined) {
    const given = readArray(o.precisionsCholesky, shape, 'precisionsCholesky');
    const want = publicValues(covType, computed, k, d);
    checkFactor(given, want, model.fromPublic || layout.blockSize(d) === d * d ? d : 1);
    // bit-identical round trip of a model we wrote (an mclust-named model's K×D×D back to its storage)
    precChol = model.fromPublic ? compressBlocks(layout, given, k, d) : given;
  }
  return { covariances, precChol };
}

/** converged, nIter and lowerBound, when given, have their types (deserialize reads them with defaults). */
function checkFitState(o: Record<string, unknown>): void {
  if (o.converged !== undefined && typeof o.converged !== 'boolean') bad('converged must be true or false');
  if (o.nIter !== undefined && (!Number.isInteger(o.nIter) || (o.nIter as number) < 0))
    bad('nIter must be an integer ≥ 0');
  if (
    o.lowerBound !== undefined &&
    o.lowerBound !== null &&
    (typeof o.lowerBound !== 'number' || !Number.isFinite(o.lowerBound))
  ) {
    bad('lowerBound must be a finite number or null');
  }
}

/** The saved options object (a copy), with only known option names. */
function readOptions(o: Record<string, unknown>): GaussianMixtureOptions {
  if (o.options === undefined) return {};
  if (o.options === null || typeof o.options !== 'object' || Array.isArray(o.options)) bad('options must be an object');
  reader.checkKeys(o.options as Record<string, unknown>, OPTION_NAMES, 'options');
  return { ...(o.options as GaussianMixtureOptions) };
}

/** The saved options that must agree with the model: a complete prior of d features, noise given in both places. */
function checkSavedOptions(options: GaussianMixtureOptions, d: number, noise: NoiseTerm | undefined): void {
  const prior = options.prior;
  if (prior != null && prior !== false) {
    // a saved prior is the fit's resolved one: every hyper-parameter (the data that defaulted them are not here)
    const given = prior as Record<string, unknown>;
    if (typeof prior !== 'object' || ['shrinkage', 'mean', 'dof', 'scale'].some((key) => given[key] === undefined))
      bad('options.prior must give shrinkage, mean, dof and scale (the resolved prior of the fit)');
    if ((given.mean as unknown[]).length !== d) bad(`options.prior.mean must have ${d} values (nFeatures)`);
  }
  if ((options.noise != null && options.noise !== false) !== (noise !== undefined))
    bad('options.noise and noise must be given together (a model with a noise component has both)');
}

/** The noise component of a saved model: weight in [0, 1], a finite log volume, the bounding box (lower ≤ upper). */
function readNoise(v: unknown, d: number): NoiseTerm {
  const o = reader.object(v);
  reader.checkKeys(o, ['weight', 'logVolume', 'lower', 'upper'], 'noise');
  for (const key of ['weight', 'logVolume', 'lower', 'upper']) if (!(key in o)) bad(`missing 'noise.${key}'`);
  const weight = o.weight as number;
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1))
    bad(`noise.weight must be in [0, 1]; got ${quote(weight)}`);
  const logVolume = o.logVolume as number;
  if (typeof logVolume !== 'number' || !Number.isFinite(logVolume))
    bad(`noise.logVolume must be a finite number; got ${quote(logVolume)}`);
  const lower = readArray(o.lower, [d], 'noise.lower');
  const upper = readArray(o.upper, [d], 'noise.upper');
  for (let j = 0; j < d; j++) if (!(upper[j] >= lower[j])) bad(`noise.upper[${j}] must be ≥ noise.lower[${j}]`);
  return { weight, logVolume, lower, upper };
}

/**
 * The stored precision factors against the ones computed from the covariances, relative to the largest entry of
 * each factor row (`row` entries): rescaling feature i scales row i of a precision factor by the same amount, so the
 * check holds at every scale (an absolute floor let a factor of 1e-7 be tampered to −5e-7, which scores every row
 * −∞). A diagonal or spherical model's entries are rows of their own (`row` 1).
 */
function checkFactor(given: Float64Array, want: Float64Array, row: number): void {
  for (let r = 0; r < given.length; r += row) {
    let scale = 0;
    for (let t = r; t < r + row; t++) scale = Math.max(scale, Math.abs(want[t]));
    for (let t = r; t < r + row; t++) {
      if (!(Math.abs(given[t] - want[t]) <= 1e-6 * scale)) {
        bad('precisionsCholesky does not match covariances (it must be the Cholesky factor of their inverse)');
      }
    }
  }
}
