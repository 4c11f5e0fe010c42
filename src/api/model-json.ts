/**
 * Model persistence. toJSON writes plain arrays in scikit-learn's shapes; fromJSON trusts nothing: it rejects
 * unknown and prototype-polluting keys, wrong shapes, non-finite numbers, weights that are not a distribution and
 * covariances that are not symmetric positive definite — each with a ModelFormatError naming the field.
 */
import { jsonReader, nest, type Nested } from './json-reader.js';
import { OPTION_NAMES, type CovarianceType, type GaussianMixtureOptions } from './options.js';
import { covShape, covSize, precCholFromCov, type Params } from '../model/params.js';

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
}

export function serialize(
  p: Params, meta: { converged: boolean; nIter: number; lowerBound: number }, options: Record<string, unknown>,
): ModelJSON {
  const shape = covShape(p.covType, p.k, p.d);
  const opts: Record<string, unknown> = {};
  for (const key of ['tol', 'regCovar', 'maxIter', 'nInit', 'initParams', 'seed', 'warmStart', 'backend', 'algorithm', 'onDegenerate']) opts[key] = options[key];
  opts.freeze = [...(options.freeze as string[])];
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    covarianceType: p.covType,
    nComponents: p.k,
    nFeatures: p.d,
    weights: Array.from(p.weights),
    means: nest(p.means, [p.k, p.d]) as number[][],
    covariances: nest(p.covariances, shape),
    precisionsCholesky: nest(p.precChol, shape),
    converged: meta.converged,
    nIter: meta.nIter,
    lowerBound: Number.isFinite(meta.lowerBound) ? meta.lowerBound : null,
    options: opts,
  };
}

const KEYS = ['format', 'version', 'covarianceType', 'nComponents', 'nFeatures', 'weights', 'means', 'covariances', 'precisionsCholesky', 'converged', 'nIter', 'lowerBound', 'options'];
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
}

export function deserialize(input: unknown): Deserialized {
  const o = reader.object(input);
  reader.checkKeys(o, KEYS, 'the model');
  for (const key of REQUIRED) if (!(key in o)) bad(`missing '${key}'`);
  if (o.format !== FORMAT) bad(`format must be '${FORMAT}'; got ${JSON.stringify(o.format)}`);
  if (o.version !== FORMAT_VERSION) bad(`version ${JSON.stringify(o.version)} is not supported (this library reads version ${FORMAT_VERSION})`);
  const covType = o.covarianceType as CovarianceType;
  if (!['full', 'tied', 'diag', 'spherical'].includes(covType as string)) bad(`covarianceType must be 'full', 'tied', 'diag' or 'spherical'; got ${JSON.stringify(covType)}`);
  const k = o.nComponents as number;
  const d = o.nFeatures as number;
  if (!Number.isInteger(k) || k < 1) bad(`nComponents must be an integer ≥ 1; got ${JSON.stringify(k)}`);
  if (!Number.isInteger(d) || d < 1) bad(`nFeatures must be an integer ≥ 1; got ${JSON.stringify(d)}`);

  const weights = readArray(o.weights, [k], 'weights');
  let sum = 0;
  weights.forEach((v, i) => {
    if (v < 0 || v > 1) bad(`weights[${i}] must be in [0, 1]; got ${v}`);
    sum += v;
  });
  if (Math.abs(sum - 1) > 1e-8) bad(`weights must sum to 1; they sum to ${sum}`);
  const means = readArray(o.means, [k, d], 'means');
  const shape = covShape(covType, k, d);
  const covariances = readArray(o.covariances, shape, 'covariances');
  if (covType === 'full' || covType === 'tied') {
    for (let c = 0; c < (covType === 'full' ? k : 1); c++) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) {
          const a = covariances[c * d * d + i * d + j];
          const b = covariances[c * d * d + j * d + i];
          if (Math.abs(a - b) > 1e-10 * Math.max(Math.abs(a), Math.abs(b), 1e-300)) {
            bad(`covariances${covType === 'full' ? `[${c}]` : ''} must be symmetric; entry [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
          }
        }
      }
    }
  }
  const computed = new Float64Array(covSize(covType, k, d));
  const notPD = precCholFromCov(covariances, covType, k, d, computed);
  if (notPD >= 0) bad(`covariances${covType === 'tied' ? '' : `[${notPD}]`} must be positive definite`);
  let precChol: Float64Array = computed;
  if (o.precisionsCholesky !== undefined) {
    const given = readArray(o.precisionsCholesky, shape, 'precisionsCholesky');
    for (let t = 0; t < given.length; t++) {
      if (Math.abs(given[t] - computed[t]) > 1e-6 * Math.max(1, Math.abs(computed[t]))) {
        bad('precisionsCholesky does not match covariances (it must be the Cholesky factor of their inverse)');
      }
    }
    precChol = given; // bit-identical round trip of a model we wrote
  }
  if (o.converged !== undefined && typeof o.converged !== 'boolean') bad('converged must be true or false');
  if (o.nIter !== undefined && (!Number.isInteger(o.nIter) || (o.nIter as number) < 0)) bad('nIter must be an integer ≥ 0');
  if (o.lowerBound !== undefined && o.lowerBound !== null && (typeof o.lowerBound !== 'number' || !Number.isFinite(o.lowerBound))) {
    bad('lowerBound must be a finite number or null');
  }
  let options: GaussianMixtureOptions = {};
  if (o.options !== undefined) {
    if (o.options === null || typeof o.options !== 'object' || Array.isArray(o.options)) bad('options must be an object');
    reader.checkKeys(o.options as Record<string, unknown>, OPTION_NAMES, 'options');
    options = { ...(o.options as GaussianMixtureOptions) };
  }
  return {
    params: { k, d, covType, weights, means, covariances, precChol },
    converged: (o.converged as boolean | undefined) ?? false,
    nIter: (o.nIter as number | undefined) ?? 0,
    lowerBound: typeof o.lowerBound === 'number' ? o.lowerBound : -Infinity,
    options,
  };
}
