/**
 * The one option kit: defaults, validation and normalisation for every entry point — the model's options (the
 * constructor and fromJSON), fit, fitAsync, fitStream, sample, kmeans and selectModel. Each is a table of rules
 * checked by `resolveWith`, so a rule and its message live in exactly one place, unknown keys are refused the same
 * way everywhere, and callers' objects are never mutated.
 */
import type { RedisConnection } from '../drivers/distributed/redis.js';
import type { RequestInfo } from '../drivers/distributed/requests.js';
import type { EMConfig, IterationInfo } from '../em/loop.js';
import type { VariationalConfig } from '../em/variational.js';
import { DEFAULT_LEARNING_RATE, type LearningRate } from '../em/online.js';
import type { InitParams, InitSample, OnDegenerate } from '../init/init.js';
import {
  COVARIANCE_TYPES,
  type CovarianceType,
  SKLEARN_TYPES,
  unregisteredError,
} from '../model/covariance/registry.js';
import type { Frozen } from '../model/params.js';
import type { MissingMode } from '../data/matrix.js';
import { variationalCovariance } from '../model/variational/covariance/registry.js';
import { choleskyLower } from '../model/variational/linalg.js';
import { OptionError, quote } from './errors.js';
import { WARNING_POLICIES, type WarningPolicy } from './warnings.js';
import { checkFeatureNames } from './feature-names.js';
import { candidateToCheck, type NoiseOption, type PriorOption } from './prior-noise-options.js';
import { extension } from '../extensions.js';

export type {
  CovarianceType,
  Frozen,
  InitParams,
  InitSample,
  IterationInfo,
  LearningRate,
  MissingMode,
  NoiseOption,
  OnDegenerate,
  PriorOption,
  WarningPolicy,
};
export type BackendChoice = 'auto' | 'wasm' | 'js';
export type Algorithm = 'em' | 'hard';

/** A numeric nested array as accepted for weightsInit / meansInit / precisionsInit. */
export type NumericArray = ArrayLike<number> | ArrayLike<ArrayLike<number>> | ArrayLike<ArrayLike<ArrayLike<number>>>;

/**
 * The public shape of covariances (and precision factors) for a covariance type, as scikit-learn's: K×D×D for 'full'
 * and every mclust-named model, D×D for 'tied', K×D for 'diag', K for 'spherical'; the union when the type is not
 * known statically.
 */
export type CovariancesOf<T extends CovarianceType> = [T] extends ['spherical']
  ? Float64Array
  : [T] extends ['tied' | 'diag']
    ? Float64Array[]
    : [T] extends [Exclude<CovarianceType, 'spherical' | 'tied' | 'diag'>]
      ? Float64Array[][]
      : Float64Array | Float64Array[] | Float64Array[][];

/**
 * Options of `new GaussianMixture(options)` — scikit-learn's GaussianMixture parameters in camelCase, with the same
 * defaults, plus gaussmix's own. Every option is validated up front (an OptionError names the first bad one) and the
 * object is never mutated or kept.
 */
export interface GaussianMixtureOptions<T extends CovarianceType = CovarianceType> {
  /**
   * K, the number of mixture components: an integer ≥ 1 (default 1), at most the number of rows (distinct rows under
   * `onDegenerate: 'error'`).
   * @example new GaussianMixture({ nComponents: 3 })
   */
  nComponents?: number;
  /**
   * The covariance model (default 'full'). scikit-learn's 'full' (one matrix per component), 'tied' (one matrix
   * shared), 'diag' (diagonal per component), 'spherical' (one variance per component); or any of R mclust's 14
   * volume/shape/orientation names 'EII' 'VII' 'EEI' 'VEI' 'EVI' 'VVI' 'EEE' 'VEE' 'EVE' 'VVE' 'EEV' 'VEV' 'EVV' 'VVV'
   * (spherical = VII, diag = VVI, tied = EEE, full = VVV exactly). See README "mclust's models".
   */
  covarianceType?: T;
  /**
   * Convergence threshold (default 1e-3, ≥ 0): EM stops when the mean log-likelihood per row (the lower bound)
   * improves by less than tol — an absolute change, as scikit-learn's. 0 runs maxIter iterations.
   */
  tol?: number;
  /**
   * Added to every covariance's diagonal in each M-step (default 1e-6, ≥ 0; in squared data units), keeping the
   * covariances positive definite. 0 gives the plain maximum-likelihood update (and a monotone log-likelihood).
   */
  regCovar?: number;
  /** EM iterations per initialisation (default 100, integer ≥ 0; 0 keeps the initial parameters). */
  maxIter?: number;
  /**
   * Initialisations to run (default 1, integer ≥ 1); the one with the highest lower bound is kept. Costs nInit
   * whole fits.
   */
  nInit?: number;
  /**
   * How the initial responsibilities are made (default 'kmeans'): 'kmeans' (k-means++ seeds then Lloyd, as
   * scikit-learn's KMeans with one init), 'k-means++' (the seeds alone), 'random' (random responsibilities),
   * 'random_from_data' (K random rows as centers), or 'hc' (mclust's model-based hierarchical clustering, hcVVV on
   * SVD-transformed data). weightsInit / meansInit / precisionsInit override the corresponding parameters. On more
   * than max(8192, 256·K) rows without sample weights, 'kmeans' and 'k-means++' run on a uniform sample of that many
   * rows ('kmeans': the best of three runs by inertia); see initSample for what follows.
   */
  initParams?: InitParams;
  /**
   * What a large fit's k-means start does with its sample — 'kmeans' or 'k-means++' on more than max(8192, 256·K)
   * rows without sample weights (default 'em'):
   * - 'em': k-means on the sample, then EM on the sample (same model, tol and maxIter; not counted in nIter), and EM
   *   over all rows starts from the sample's fit. On overlapping clusters this saves most full-data iterations
   *   (10⁶ × 2, K = 6: 3 instead of 7). Only for algorithm 'em' without freeze, noise or a partial weightsInit /
   *   meansInit / precisionsInit; where a component degenerates on the sample, the 'kmeans' start is taken instead.
   * - 'kmeans': k-means on the sample, then every row to its nearest center and the first M-step from that.
   * - 'none': k-means on all rows, as scikit-learn (k-means++ costs K·(2 + ln K) passes, Lloyd one per iteration).
   */
  initSample?: InitSample;
  /** Initial mixing weights: K numbers in [0, 1] summing to 1 (default null: from initParams). */
  weightsInit?: ArrayLike<number> | null;
  /** Initial means: a K×D array (default null: from initParams). */
  meansInit?: ArrayLike<ArrayLike<number>> | null;
  /**
   * Initial precisions (inverse covariances), shaped as covariances are for the covariance type: K×D×D for 'full'
   * and mclust names, D×D for 'tied', K×D for 'diag', K for 'spherical' (default null: from initParams).
   */
  precisionsInit?: NumericArray | null;
  /**
   * Initial responsibilities: an N×K matrix (rows of non-negative numbers summing to 1) or an Int32Array of N labels
   * in 0…K−1 (one-hot). The first M-step is taken from them (mclust's me() from z), then maxIter EM iterations
   * follow; initParams is not used and nInit must be 1. Needs the rows in memory (fit, fitAsync).
   */
  respInit?: ArrayLike<ArrayLike<number>> | Int32Array | null;
  /**
   * Seed of every random choice (initialisation, sampling; default 0, a safe integer): the same seed, data and
   * options give the same fit on every backend and driver.
   */
  seed?: number;
  /**
   * If true, each fit after the first starts from the current parameters (scikit-learn's warm_start; nInit is then
   * ignored). Default false: every fit initialises afresh.
   */
  warmStart?: boolean;
  /**
   * Kernels (default 'auto'): 'wasm' (SIMD WebAssembly; a BackendError where unavailable), 'js' (the pure
   * JavaScript twin), or 'auto' (wasm when it loads, else js). `gmm.backend` reports which ran.
   */
  backend?: BackendChoice;
  /**
   * Parameters EM keeps at their initial values: any of 'weights', 'means', 'covariances' (default [] — all are
   * estimated). Give the frozen ones through weightsInit / meansInit / precisionsInit.
   * @example new GaussianMixture({ nComponents: 2, meansInit: [[0], [5]], freeze: ['means'] })
   */
  freeze?: readonly Frozen[];
  /**
   * 'em' (default): soft EM. 'hard': classification EM — each row wholly to its most likely component (faster to
   * converge, biased when components overlap).
   */
  algorithm?: Algorithm;
  /**
   * Called after every EM iteration with `{ init, iter, lowerBound, change }` (default null). Runs on the
   * calling thread in every driver; throwing from it aborts the fit (the model stays unchanged).
   */
  onIteration?: ((info: IterationInfo) => void) | null;
  /**
   * Tolerance of the inner loop of the iterative mclust M-steps (VEI, VEE, EVE, VVE, VEV): mclust's tol[2], default
   * √ε ≈ 1.49e-8 as emControl(). Each model tests its own relative change against it (docs/mclust-notes.md §2).
   */
  mstepTol?: number;
  /** Cap on the inner loop's iterations (mclust's itmax[2], default .Machine$integer.max = 2147483647 as emControl()). */
  mstepMaxIter?: number;
  /**
   * What EM does when a component degenerates (its responsibility mass vanishes, or its covariance stops being
   * positive definite): 'error' (default) throws a DegenerateError naming the component, the iteration and the fix;
   * 'reset' re-seeds the component at the worst-explained rows and continues (recorded in `resets` and `warnings`).
   */
  onDegenerate?: OnDegenerate;
  /**
   * What a NaN in X means. 'error' (default): it is refused like any non-finite value. 'marginalize': it is a
   * missing value — EM runs exactly on the observed entries (missing at random assumed), and score, predict, bic…
   * use the observed-data likelihood; ±Infinity stays an error and every row needs one observed value. Needs
   * algorithm 'em'.
   */
  missing?: MissingMode;
  /**
   * Whether warnings (non-convergence, re-seeded components) are emitted through process.emitWarning / console.warn;
   * they are kept in `gmm.warnings` whatever this says. 'once' (default): each distinct message once per process, as
   * Python's warnings filter does; 'always'; 'ignore'; or a function that receives `{ message, code }` instead.
   */
  onWarning?: WarningPolicy;
  /**
   * A conjugate prior (mclust's priorControl): EM computes the posterior mode (MAP-EM), lowerBound is the mean log
   * posterior, bic/aic use the log-likelihood at it. `true` takes mclust's defaultPrior: shrinkage 0.01, mean = the
   * column means, dof = D + 2, scale from the data's variances. Not for EVE, VEE, VVE, EVV (as in mclust). Default:
   * none. Keeps small or collinear clusters from collapsing (also with regCovar 0).
   * @example new GaussianMixture({ nComponents: 4, prior: true, regCovar: 0 })
   */
  prior?: boolean | PriorOption | null;
  /**
   * A uniform noise component over the data region (volume: mclust's hypvol unless given): a (K+1)-th component of
   * density 1/V with its own weight; predict gives −1 for rows it explains best, predictProba a last column for it.
   * Default: none. For data with a few percent of outliers that belong to no cluster; fit and fitAsync only.
   * @example new GaussianMixture({ nComponents: 3, noise: true }).fit(X).noiseWeight
   */
  noise?: boolean | NoiseOption | null;
  /**
   * The rows the noise fit starts from as noise (one boolean or 0/1 per row of X; needs noise). Default: a
   * nearest-neighbour clutter estimate (tools/nn-clean.ts, O(N²·D)).
   */
  noiseInit?: ArrayLike<boolean | number> | null;
  /**
   * 'squarem': EM accelerated by SQUAREM (Varadhan & Roland 2008) — far fewer iterations where components overlap,
   * never a lower log-likelihood at an accepted step; 'none' (default): plain EM, iteration for iteration
   * scikit-learn's. Hard EM always runs plain. 'squarem' is in `gaussmix` only (`gaussmix/core` refuses it).
   */
  accelerate?: 'none' | 'squarem';
  /**
   * partialFit's step size: a constant in (0, 1] (exponential forgetting, for drifting streams), or the decaying
   * schedule ηₜ = (t + τ)^(−κ) as `{ kappa, tau }` with κ in (0.5, 1] and τ ≥ 0 (default { kappa: 0.6, tau: 1 }).
   */
  learningRate?: number | { kappa?: number; tau?: number };
}

/** Options after defaults and validation. Init arrays are private copies (callers' arrays are never kept). */
export interface ResolvedOptions extends EMConfig {
  readonly warmStart: boolean;
  readonly backend: BackendChoice;
  readonly missing: MissingMode;
  readonly onWarning: WarningPolicy;
  readonly prior: Readonly<PriorOption> | null;
  readonly noise: Readonly<{ volume: number | null }> | null;
  readonly noiseInit: Uint8Array | null;
  readonly learningRate: LearningRate;
}

type Rule = { default: unknown; check: (v: unknown, name: string) => unknown };
type Rules<T> = { readonly [K in keyof T]-?: Rule };

/** A short description of a received value for messages ("got …"). */
export const describe = quote;

const fail = (name: string, expected: string, got: unknown): never => {
  throw new OptionError(name, `${name} must be ${expected}; got ${describe(got)}`);
};

const integer = (min: number) => (v: unknown, name: string) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(name, `an integer ≥ ${min}`, v);

const nonNegative = (v: unknown, name: string) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(name, 'a finite number ≥ 0', v);

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown, name: string) =>
    typeof v === 'string' && (values as readonly string[]).includes(v)
      ? v
      : fail(name, `one of ${values.map((s) => `'${s}'`).join(', ')}`, v);

const boolean = (v: unknown, name: string) => (typeof v === 'boolean' ? v : fail(name, 'true or false', v));

const seed = (v: unknown, name: string) =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : fail(name, 'a safe integer', v);

const optionalFunction = (v: unknown, name: string) =>
  v == null ? null : typeof v === 'function' ? v : fail(name, 'a function', v);

const optionalSignal = (v: unknown, name: string): AbortSignal | null => {
  if (v == null) return null;
  const s = v as Partial<AbortSignal>;
  if (typeof s !== 'object' || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
    fail(name, 'an AbortSignal', v);
  }
  return v as AbortSignal;
};

/** Sample weights are checked against X where they are used (data/matrix.ts); here only that they are array-like. */
const passThrough = (v: unknown) => v ?? null;

const own = (o: object, key: string): boolean => Object.hasOwn(o, key);

/**
 * Applies a table of rules to an options object: unknown keys (own keys only — `toString` or `constructor` are
 * unknown like any other) are an OptionError listing the valid ones; every rule's value is checked or defaulted.
 * Never mutates `options`.
 */
function resolveWith<T>(rules: Rules<T>, options: unknown, what: string, prefix = ''): { [K in keyof T]-?: unknown } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError(
      prefix ? prefix.slice(0, -1) : 'options',
      `${what ? `${what} ` : ''}options must be a plain object; got ${Array.isArray(options) ? 'an array' : describe(options)}`,
    );
  }
  const names = Object.keys(rules);
  for (const key of Object.keys(options)) {
    if (!own(rules, key)) {
      throw new OptionError(
        `${prefix}${key}`,
        `unknown ${what ? `${what} ` : ''}option '${describe(key).slice(1, -1)}'; valid options are: ${names.join(', ')}`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const rule = (rules as Record<string, Rule>)[name];
    const given = (options as Record<string, unknown>)[name];
    out[name] = rule.check(given === undefined ? rule.default : given, `${prefix}${name}`);
  }
  return out as { [K in keyof T]-?: unknown };
}

/** Flattens a (possibly nested) numeric array, recording its shape; rejects ragged or non-finite input. */
export function flattenNumeric(v: unknown, name: string): { values: Float64Array; shape: number[] } {
  const shape: number[] = [];
  let probe: unknown = v;
  while (isArrayLike(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as ArrayLike<unknown>)[0];
  }
  if (shape.length === 0) fail(name, 'an array of numbers', v);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(size);
  let at = 0;
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number' || !Number.isFinite(node)) fail(`${name}${path}`, 'a finite number', node);
      values[at++] = node as number;
      return;
    }
    if (!isArrayLike(node) || node.length !== shape[depth]) {
      fail(`${name}${path}`, `an array of length ${shape[depth]} (${name} must not be ragged)`, node);
    }
    for (let i = 0; i < shape[depth]; i++) walk((node as ArrayLike<unknown>)[i], depth + 1, `${path}[${i}]`);
  };
  walk(v, 0, '');
  return { values, shape };
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * respInit as n×k responsibilities: labels (an Int32Array, one-hot) or rows of k numbers ≥ 0 summing to 1 (±1e-6;
 * used as given, as mclust's me() uses z).
 */
function checkResponsibilities(v: unknown, k: number, noise = false): { values: Float64Array; n: number } {
  const name = 'respInit';
  if (v instanceof Int32Array) {
    // with noise: label −1 (predict's) is the noise component, the last of k + 1 columns
    const w = noise ? k + 1 : k;
    const values = new Float64Array(v.length * w);
    for (let i = 0; i < v.length; i++) {
      if (noise && v[i] === -1) values[i * w + k] = 1;
      else if (!(v[i] >= 0 && v[i] < k))
        fail(`${name}[${i}]`, `a label in 0…${k - 1} (nComponents = ${k})${noise ? ' or −1 (noise)' : ''}`, v[i]);
      else values[i * w + v[i]] = 1;
    }
    return { values, n: v.length };
  }
  const { values, shape } = flattenNumeric(v, name);
  if (noise && shape.length === 2 && shape[1] === k) {
    // K columns: no row starts as noise (noiseInit may still flag some); the noise column is appended
    const r = checkResponsibilities(v, k);
    const out = new Float64Array(r.n * (k + 1));
    for (let i = 0; i < r.n; i++) out.set(r.values.subarray(i * k, (i + 1) * k), i * (k + 1));
    return { values: out, n: r.n };
  }
  if (noise) k += 1; // the noise column last, as mclust's z with Vinv
  if (shape.length !== 2 || shape[1] !== k) {
    fail(name, `an N×${k} matrix of responsibilities (nComponents = ${k} columns) or an Int32Array of N labels`, v);
  }
  for (let i = 0; i < shape[0]; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const r = values[i * k + c];
      if (r < 0) fail(`${name}[${i}][${c}]`, 'a responsibility ≥ 0', r);
      sum += r;
    }
    if (Math.abs(sum - 1) > 1e-6) fail(`${name}[${i}]`, 'responsibilities that sum to 1', `a row summing to ${sum}`);
  }
  return { values, n: shape[0] };
}

const DECAY_RULES: Rules<{ kappa?: number; tau?: number }> = {
  kappa: {
    default: DEFAULT_LEARNING_RATE.kappa,
    check: (v, name) =>
      typeof v === 'number' && v > 0.5 && v <= 1 ? v : fail(name, 'a number in (0.5, 1] (the decay exponent κ)', v),
  },
  tau: {
    default: DEFAULT_LEARNING_RATE.tau,
    check: (v, name) =>
      typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(name, 'a finite number ≥ 0 (the offset τ)', v),
  },
};

/** A constant step in (0, 1], or { kappa, tau } of the decaying schedule (missing keys defaulted). */
function learningRate(v: unknown, name: string): LearningRate {
  if (typeof v === 'number') return v > 0 && v <= 1 ? v : fail(name, 'a number in (0, 1] or { kappa, tau }', v);
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v))
    fail(name, 'a number in (0, 1] or { kappa, tau }', v);
  return Object.freeze(resolveWith(DECAY_RULES, v, name, `${name}.`)) as LearningRate;
}

// ── the model ─────────────────────────────────────────────────────────────────────────────────────────────────────

const MODEL_RULES: Rules<GaussianMixtureOptions> = {
  nComponents: { default: 1, check: integer(1) },
  covarianceType: { default: 'full', check: oneOf(COVARIANCE_TYPES) },
  tol: { default: 1e-3, check: nonNegative },
  regCovar: { default: 1e-6, check: nonNegative },
  maxIter: { default: 100, check: integer(0) },
  nInit: { default: 1, check: integer(1) },
  initParams: { default: 'kmeans', check: oneOf(['kmeans', 'k-means++', 'random', 'random_from_data', 'hc'] as const) },
  initSample: { default: 'em', check: oneOf(['em', 'kmeans', 'none'] as const) },
  weightsInit: {
    default: null,
    check: (v, name) => {
      if (v == null) return null;
      const { values, shape } = flattenNumeric(v, name);
      if (shape.length !== 1) fail(name, 'a 1-D array of weights', v);
      let sum = 0;
      for (let i = 0; i < values.length; i++) {
        if (values[i] < 0 || values[i] > 1) fail(`${name}[${i}]`, 'in [0, 1]', values[i]);
        sum += values[i];
      }
      if (Math.abs(1 - sum) > 1e-8) fail(name, 'weights that sum to 1', `weights summing to ${sum}`);
      return values;
    },
  },
  meansInit: {
    default: null,
    check: (v, name) => {
      if (v == null) return null;
      const { values, shape } = flattenNumeric(v, name);
      if (shape.length !== 2 || shape[1] === 0) fail(name, 'a K×D array of means', v);
      const out: Float64Array[] = [];
      for (let k = 0; k < shape[0]; k++) out.push(values.slice(k * shape[1], (k + 1) * shape[1]));
      return out;
    },
  },
  precisionsInit: {
    default: null,
    check: (v, name) => (v == null ? null : flattenNumeric(v, name)),
  },
  respInit: { default: null, check: (v) => v ?? null }, // checked against nComponents in resolveOptions
  seed: { default: 0, check: seed },
  warmStart: { default: false, check: boolean },
  backend: { default: 'auto', check: oneOf(['auto', 'wasm', 'js'] as const) },
  freeze: {
    default: [],
    check: (v, name) => {
      if (!Array.isArray(v)) fail(name, "an array of 'weights', 'means', 'covariances'", v);
      const allowed = oneOf(['weights', 'means', 'covariances'] as const);
      return Object.freeze([...new Set((v as unknown[]).map((x, i) => allowed(x, `${name}[${i}]`)))]);
    },
  },
  algorithm: { default: 'em', check: oneOf(['em', 'hard'] as const) },
  onIteration: { default: null, check: optionalFunction },
  onDegenerate: { default: 'error', check: oneOf(['error', 'reset'] as const) },
  missing: { default: 'error', check: oneOf(['error', 'marginalize'] as const) },
  mstepTol: { default: Math.sqrt(Number.EPSILON), check: nonNegative },
  mstepMaxIter: { default: 2147483647, check: integer(1) },
  onWarning: {
    default: 'once',
    check: (v, name) =>
      typeof v === 'function' || (WARNING_POLICIES as readonly unknown[]).includes(v)
        ? v
        : fail(name, `one of ${WARNING_POLICIES.map((s) => `'${s}'`).join(', ')}, or a function`, v),
  },
  // the prior and the noise component are extensions gaussmix/core leaves out: their checks come with them
  prior: {
    default: null,
    check: (v, name) => (v == null || v === false ? null : extension('prior', name).checkPrior(v, name)),
  },
  noise: {
    default: null,
    check: (v, name) => (v == null || v === false ? null : extension('noise', name).checkNoise(v, name)),
  },
  noiseInit: {
    default: null,
    check: (v, name) => (v == null ? null : extension('noise', name).checkNoiseInit(v, name)),
  },
  accelerate: { default: 'none', check: oneOf(['none', 'squarem'] as const) },
  learningRate: { default: DEFAULT_LEARNING_RATE, check: (v, name) => learningRate(v, name) },
};

export const OPTION_NAMES = Object.keys(MODEL_RULES) as (keyof GaussianMixtureOptions)[];

/** Applies defaults and validates; throws OptionError naming the first bad option. Never mutates `options`. */
export function resolveOptions(options: GaussianMixtureOptions = {}): ResolvedOptions {
  const resolved = resolveWith(MODEL_RULES, options, '') as unknown as ResolvedOptions;
  if (resolved.weightsInit && resolved.weightsInit.length !== resolved.nComponents) {
    throw new OptionError(
      'weightsInit',
      `weightsInit must have nComponents = ${resolved.nComponents} entries; got ${resolved.weightsInit.length}`,
    );
  }
  if (resolved.meansInit && resolved.meansInit.length !== resolved.nComponents) {
    throw new OptionError(
      'meansInit',
      `meansInit must have nComponents = ${resolved.nComponents} rows; got ${resolved.meansInit.length}`,
    );
  }
  const respInit =
    resolved.respInit === null
      ? null
      : checkResponsibilities(resolved.respInit, resolved.nComponents, resolved.noise !== null);
  if (respInit && resolved.nInit !== 1) {
    throw new OptionError('nInit', `respInit gives one fixed start, so nInit must be 1; got ${resolved.nInit}`);
  }
  if (resolved.missing === 'marginalize' && resolved.algorithm === 'hard') {
    throw new OptionError(
      'missing',
      "missing: 'marginalize' needs algorithm 'em': hard (classification) EM has no exact E-step over observed values",
    );
  }
  checkExtensions(resolved);
  if (resolved.prior || resolved.noise || resolved.noiseInit)
    extension(resolved.prior ? 'prior' : 'noise').checkPriorNoiseCombination({ ...resolved, respInit });
  return Object.freeze({ ...resolved, respInit });
}

/** Refuses, when the model is made, what gaussmix/core leaves out (rather than at the first fit). */
function checkExtensions(o: {
  covarianceType: CovarianceType;
  initParams: string;
  missing: string;
  accelerate?: string;
}): void {
  const refused = unregisteredError(o.covarianceType);
  if (refused) throw refused;
  if (o.initParams === 'hc') extension('hc', 'initParams');
  if (o.missing === 'marginalize') extension('missing');
  if (o.accelerate === 'squarem') extension('squarem', 'accelerate');
}

// ── fit, fitAsync, fitStream, sample ──────────────────────────────────────────────────────────────────────────────

export interface FitOptions {
  /** Non-negative weight per row; integer weights fit exactly like repeated rows. */
  sampleWeight?: ArrayLike<number> | null;
  /**
   * Names of X's columns (scikit-learn's feature_names_in_): one unique non-empty string per feature, kept as
   * `gmm.featureNames` and in toJSON. Default: none (a CSV path given to fitStream names them from its header).
   */
  featureNames?: readonly string[] | null;
  /**
   * fit only: mini-batch EM — passes over X in batches of about this many rows, one online (stepwise) EM update per
   * batch (learningRate), until the passes' mean batch score changes by less than tol (or maxIter passes). Rows are
   * batched as every ⌈N / batchSize⌉-th row. Default null: full-batch EM (also when batchSize ≥ the number of rows).
   */
  batchSize?: number | null;
  /**
   * Checked before every pass over X (each E-step and initialisation pass, each mini-batch update): once aborted,
   * fit throws the signal's reason and leaves the model unchanged. A synchronous fit holds the thread, so timers
   * (`AbortSignal.timeout`) cannot fire during it: it sees an abort requested before the call or from its own
   * callbacks (`onIteration`). To bound a fit's wall time from outside, use fitAsync with a signal.
   */
  signal?: AbortSignal | null;
}

/**
 * partialFit's: the batch's weights, and optionally its columns' names — taken by a model that has none yet, else
 * checked against the model's (an OptionError when they differ: the batch's columns are other features or in
 * another order).
 */
export type PartialFitOptions = Pick<FitOptions, 'sampleWeight' | 'featureNames'>;

export interface FitAsyncOptions extends Pick<FitOptions, 'sampleWeight' | 'featureNames'> {
  /**
   * Worker threads (integer ≥ 1); default: the available cores. Never more than the number of rows, nor than the
   * process-wide bound (`setMaxWorkers`; default the available cores) — concurrent fits share that bounded pool and wait
   * their turn for workers.
   */
  workers?: number;
  /** Aborting rejects the promise with the signal's reason, stops the workers and leaves the model unchanged. */
  signal?: AbortSignal | null;
}

export interface CsvOptions {
  /** Field delimiter: one character, or ' ' for runs of blanks (default: detected from the first line). */
  delimiter?: string;
  /** Whether the first line holds column names; 'auto' (default): it does when any of its fields is not a number. */
  header?: boolean | 'auto';
  /** Feature columns: names, 1-based indices or ranges, e.g. "2-4" or ["eruptions", "waiting"] (default: all). */
  columns?: string | readonly (string | number)[];
  /** A column of sample weights (name or 1-based index), excluded from the features. */
  weights?: string | number;
  /** Rows per chunk handed to the E-pass (default 8192). */
  chunkRows?: number;
}

/** fitStream's CSV options after defaults. */
export type ResolvedCsv = {
  delimiter: string | undefined;
  header: boolean | 'auto';
  columns: CsvOptions['columns'];
  weights: CsvOptions['weights'];
  chunkRows: number;
};

export interface FitStreamOptions {
  /** Options for a CSV path source. */
  csv?: CsvOptions;
  /** Rows in the reservoir sample that initialisation runs on (default 10 000; the whole data when it has fewer). */
  initSampleSize?: number;
  /** Aborting rejects with the signal's reason and leaves the model unchanged. */
  signal?: AbortSignal | null;
  /** Names of the features (see FitOptions); default: a CSV path's header names, else none. */
  featureNames?: readonly string[] | null;
}

/** featureNames: checked here for what a list must be; against the number of features where the data arrive. */
const featureNames = (v: unknown, name: string) =>
  checkFeatureNames(v, name, (message) => {
    throw new OptionError(name, message);
  });

const WEIGHT_RULES: Rules<Pick<FitOptions, 'sampleWeight'>> = { sampleWeight: { default: null, check: passThrough } };
const FIT_RULES: Rules<FitOptions> = {
  ...WEIGHT_RULES,
  featureNames: { default: null, check: featureNames },
  batchSize: { default: null, check: (v, name) => (v == null ? null : integer(1)(v, name)) },
  signal: { default: null, check: optionalSignal },
};

export function fitOptions(options: unknown): {
  sampleWeight: ArrayLike<number> | null;
  featureNames: readonly string[] | null;
  batchSize: number | null;
  signal: AbortSignal | null;
} {
  return resolveWith(FIT_RULES, options ?? {}, 'fit') as ReturnType<typeof fitOptions>;
}

/** The options of a call that takes sample weights only (expectation), named `what` in messages. */
export function weightOptions(options: unknown, what: string): { sampleWeight: ArrayLike<number> | null } {
  return resolveWith(WEIGHT_RULES, options ?? {}, what) as { sampleWeight: ArrayLike<number> | null };
}

const PARTIAL_FIT_RULES: Rules<Pick<FitOptions, 'sampleWeight' | 'featureNames'>> = {
  ...WEIGHT_RULES,
  featureNames: { default: null, check: featureNames },
};

export function partialFitOptions(options: unknown): {
  sampleWeight: ArrayLike<number> | null;
  featureNames: readonly string[] | null;
} {
  return resolveWith(PARTIAL_FIT_RULES, options ?? {}, 'partialFit') as ReturnType<typeof partialFitOptions>;
}

const FIT_ASYNC_RULES: Rules<FitAsyncOptions> = {
  sampleWeight: { default: null, check: passThrough },
  workers: { default: undefined, check: (v, name) => (v === undefined ? undefined : integer(1)(v, name)) },
  signal: { default: null, check: optionalSignal },
  featureNames: { default: null, check: featureNames },
};

export function fitAsyncOptions(options: unknown): {
  sampleWeight: ArrayLike<number> | null;
  workers: number | undefined;
  signal: AbortSignal | null;
  featureNames: readonly string[] | null;
} {
  return resolveWith(FIT_ASYNC_RULES, options ?? {}, 'fitAsync') as ReturnType<typeof fitAsyncOptions>;
}

const CSV_RULES: Rules<CsvOptions> = {
  delimiter: {
    default: undefined,
    check: (v, name) =>
      v === undefined || (typeof v === 'string' && v.length === 1) ? v : fail(name, 'one character', v),
  },
  header: {
    default: 'auto',
    check: (v, name) => (v === 'auto' || typeof v === 'boolean' ? v : fail(name, "true, false or 'auto'", v)),
  },
  columns: {
    default: undefined,
    check: (v, name) =>
      v === undefined ||
      typeof v === 'string' ||
      (Array.isArray(v) && v.every((c) => typeof c === 'string' || Number.isInteger(c)))
        ? v
        : fail(name, 'a column list ("1-3", "a,b") or an array of names and 1-based indices', v),
  },
  weights: {
    default: undefined,
    check: (v, name) =>
      v === undefined || typeof v === 'string' || Number.isInteger(v)
        ? v
        : fail(name, 'a column name or 1-based index', v),
  },
  chunkRows: { default: 8192, check: integer(1) },
};

const FIT_STREAM_RULES: Rules<FitStreamOptions> = {
  csv: { default: {}, check: (v) => resolveWith(CSV_RULES, v, 'csv', 'csv.') },
  initSampleSize: { default: 10_000, check: integer(1) },
  signal: { default: null, check: optionalSignal },
  featureNames: { default: null, check: featureNames },
};

export interface ResolvedStreamOptions {
  csv: ResolvedCsv;
  initSampleSize: number;
  signal: AbortSignal | null;
  featureNames: readonly string[] | null;
}

export function fitStreamOptions(options: unknown): ResolvedStreamOptions {
  return resolveWith(FIT_STREAM_RULES, options ?? {}, 'fitStream') as unknown as ResolvedStreamOptions;
}

export function sampleOptions(
  n: unknown,
  options: unknown,
  defaultSeed: number,
): { n: number; seed: number; batchSize: number } {
  const rules = { seed: { default: defaultSeed, check: seed }, batchSize: { default: 8192, check: integer(1) } };
  const o = resolveWith(rules, options ?? {}, 'sample');
  if (!(typeof n === 'number' && Number.isSafeInteger(n) && n >= 1)) fail('n', 'an integer ≥ 1', n);
  return { n: n as number, seed: o.seed as number, batchSize: o.batchSize as number };
}

// ── kmeans ────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface KMeansOptions {
  /** Restarts; the lowest inertia wins (default 1). */
  nInit?: number;
  /** Lloyd iterations per restart (default 300). */
  maxIter?: number;
  /** Stop when the squared center shift is below tol × mean feature variance (default 1e-4, as scikit-learn). */
  tol?: number;
  /** Seed of the k-means++ draws (default 0, a safe integer). */
  seed?: number;
  /** Non-negative weight per row (default: all 1); integer weights act like repeated rows. */
  sampleWeight?: ArrayLike<number>;
  /** 'auto' (default), 'wasm' or 'js', as GaussianMixture's. */
  backend?: BackendChoice;
}

const KMEANS_RULES: Rules<KMeansOptions> = {
  nInit: { default: 1, check: integer(1) },
  maxIter: { default: 300, check: integer(1) },
  tol: { default: 1e-4, check: nonNegative },
  seed: { default: 0, check: seed },
  sampleWeight: { default: null, check: passThrough },
  backend: { default: 'auto', check: oneOf(['auto', 'wasm', 'js'] as const) },
};

export function kmeansOptions(
  k: unknown,
  options: unknown,
): Required<Omit<KMeansOptions, 'sampleWeight'>> & { sampleWeight: ArrayLike<number> | null } {
  integer(1)(k, 'k');
  return resolveWith(KMEANS_RULES, options ?? {}, 'kmeans') as ReturnType<typeof kmeansOptions>;
}

// ── selectModel ───────────────────────────────────────────────────────────────────────────────────────────────────

export type Criterion = 'bic' | 'aic' | 'icl' | 'cv';

/** The options of selectModel that are not options of every candidate model. */
export interface SelectionOnlyOptions<Row> {
  /** Candidate numbers of components (default 1…9, as mclust). */
  nComponents?: readonly number[];
  /**
   * Candidate covariance types: any of the 18 names (default scikit-learn's four: 'full', 'tied', 'diag',
   * 'spherical'; MCLUST_TYPES lists mclust's fourteen).
   */
  covarianceTypes?: readonly CovarianceType[];
  /**
   * 'bic', 'aic' and 'icl' (integrated completed likelihood): lower is better; 'cv': mean held-out log-likelihood
   * per row, higher is better (default 'bic'). mclust's BIC and ICL are −1 times ours.
   */
  criterion?: Criterion;
  /** Number of cross-validation folds for criterion 'cv' (default 5; rows are shuffled with `seed`). */
  folds?: number;
  /** Called after each candidate is evaluated (for progress reporting). */
  onCandidate?: ((info: { index: number; total: number; row: Row }) => void) | null;
  /** Names of X's columns, kept by the returned model (see FitOptions). */
  featureNames?: readonly string[] | null;
}

const SELECT_RULES: Rules<SelectionOnlyOptions<unknown>> = {
  nComponents: {
    default: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    check: (v, name) =>
      Array.isArray(v) && v.length > 0 && v.every((k) => Number.isInteger(k) && k >= 1)
        ? [...new Set(v as number[])]
        : fail(name, 'a non-empty array of integers ≥ 1', v),
  },
  covarianceTypes: {
    default: SKLEARN_TYPES,
    check: (v, name) =>
      Array.isArray(v) && v.length > 0 && v.every((t) => (COVARIANCE_TYPES as readonly unknown[]).includes(t))
        ? [...new Set(v as CovarianceType[])]
        : fail(name, `a non-empty array of ${COVARIANCE_TYPES.map((t) => `'${t}'`).join(', ')}`, v),
  },
  criterion: { default: 'bic', check: oneOf(['bic', 'aic', 'icl', 'cv'] as const) },
  folds: { default: 5, check: integer(2) },
  onCandidate: { default: null, check: optionalFunction },
  featureNames: { default: null, check: featureNames },
};

/** Splits selectModel's options into its own (validated) and the candidates' (validated once, up front). */
export function selectModelOptions<Row>(options: unknown): {
  ks: number[];
  types: CovarianceType[];
  criterion: Criterion;
  folds: number;
  rest: GaussianMixtureOptions;
  onCandidate: ((info: { index: number; total: number; row: Row }) => void) | null;
  featureNames: readonly string[] | null;
} {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError('options', 'selectModel options must be a plain object');
  }
  const mine: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(options)) (own(SELECT_RULES, key) ? mine : rest)[key] = v;
  const s = resolveWith(SELECT_RULES, mine, 'selectModel');
  if (rest.warmStart) throw new OptionError('warmStart', 'selectModel fits fresh models; warmStart is not supported');
  for (const key of Object.keys(rest)) {
    if (!own(MODEL_RULES, key)) {
      throw new OptionError(
        key,
        `unknown option '${describe(key).slice(1, -1)}'; valid options are: ${[...Object.keys(SELECT_RULES), ...OPTION_NAMES.filter((n) => n !== 'nComponents' && n !== 'covarianceType')].join(', ')}`,
      );
    }
  }
  const ks = s.nComponents as number[];
  const types = s.covarianceTypes as CovarianceType[];
  // validate the shared options once, up front, so a typo is an error rather than a table of failures
  resolveOptions({ ...rest, nComponents: ks[0], covarianceType: candidateToCheck(types, rest.prior) });
  return {
    ks,
    types,
    criterion: s.criterion as Criterion,
    folds: s.folds as number,
    rest: rest as GaussianMixtureOptions,
    onCandidate: s.onCandidate as ((info: { index: number; total: number; row: Row }) => void) | null,
    featureNames: s.featureNames as readonly string[] | null,
  };
}

// ── plots ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** Plot sizes in pixels: large enough to hold axes and a legend, small enough to be a picture. */
const pixels = (min: number, max: number) => (v: unknown, name: string) =>
  v === undefined
    ? undefined
    : typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? v
      : fail(name, `an integer number of pixels in ${min}…${max}`, v);

const optionalString = (v: unknown, name: string) =>
  v === undefined || typeof v === 'string' ? v : fail(name, 'a string', v);

const PLOT_RULES = {
  title: { default: undefined, check: optionalString },
  width: { default: undefined, check: pixels(240, 10_000) },
  height: { default: undefined, check: pixels(160, 10_000) },
};

/** Options of the scatter plots (columns and labels are checked against X where they are used). */
const mixtureRules = {
  columns: {
    default: undefined,
    check: (v: unknown, name: string) =>
      v === undefined || (Array.isArray(v) && v.every((c) => typeof c === 'string'))
        ? v
        : fail(name, 'an array of feature names', v),
  },
  labels: { default: undefined, check: (v: unknown) => v },
  maxPoints: {
    default: undefined,
    check: (v: unknown, name: string) =>
      v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)
        ? v
        : fail(name, 'a whole number of points ≥ 1', v),
  },
};

/** mixtureSvg's options. */
export function mixturePlotOptions<T>(options: unknown): T {
  const rules = { ...PLOT_RULES, ...mixtureRules };
  return resolveWith(rules, options ?? {}, 'mixtureSvg') as T;
}

/** pairsSvg's options: its size is set per panel, not as a width and height. */
export function pairsPlotOptions<T>(options: unknown): T {
  const { width: _w, height: _h, ...shared } = PLOT_RULES;
  const whole = (min: number, max: number, what: string) => (v: unknown, name: string) =>
    v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max)
      ? v
      : fail(name, what, v);
  const rules = {
    ...shared,
    ...mixtureRules,
    features: { default: undefined, check: whole(2, 8, 'a whole number of features in 2…8') },
    panel: { default: undefined, check: whole(80, 1000, 'an integer number of pixels in 80…1000') },
  };
  return resolveWith(rules, options ?? {}, 'pairsSvg') as T;
}

/** selectionSvg's options. */
export function selectionPlotOptions<T>(options: unknown): T {
  const rules = { ...PLOT_RULES, yRange: { default: 'competitive', check: oneOf(['competitive', 'all'] as const) } };
  return resolveWith(rules, options ?? {}, 'selectionSvg') as T;
}

// ── distributed (gaussmix/distributed) ───────────────────────────────────────────────────────────────────────────

export type { RedisConnection, RequestInfo };

/** How CSV shards are read (the shared CSV reader's options) and the rows per block of an E-pass. */
export interface ShardCsvOptions {
  /** Field delimiter; detected from the first line when omitted. */
  delimiter?: string;
  /** Whether the first line holds column names; 'auto' (default): it does when any of its fields is not a number. */
  header?: boolean | 'auto';
  /** Feature columns: names, 1-based indices or ranges ("a,b", "1-3"), or an array of names and indices. */
  columns?: string | (string | number)[];
  /** Column of sample weights (name or 1-based index). */
  weights?: string | number;
  /** Rows per block of an E-pass (default 8192, fitStream's chunkRows): blocks fix the order of the sums. */
  chunkRows?: number;
}

export interface FitDistributedOptions {
  /** Redis (required). */
  connection: RedisConnection;
  /** Prefix of every Redis key and of BullMQ's queues (default 'gaussmix'); workers must use the same. */
  prefix?: string;
  /** Milliseconds one attempt of a shard's job may run before its worker stops it (default 600 000). */
  jobTimeout?: number;
  /** Attempts of a shard's job before the fit fails with a ShardError (default 3). */
  attempts?: number;
  /** Name of a checkpoint ([A-Za-z0-9_.-], ≤ 64): a fit restarted with the same name resumes where it stopped. */
  checkpoint?: string | null;
  /** Milliseconds a checkpoint lives in Redis after its last write (default 7 days). */
  checkpointTtl?: number;
  /** Milliseconds a crashed coordinator's lock on its checkpoint holds off a restart (default 10 000). */
  checkpointLock?: number;
  /** Rows in the sample initialisation runs on (default 10 000, as fitStream: the same sample). */
  initSampleSize?: number;
  /** How CSV shards are read (columns, weights column, delimiter), the same for every shard; see ShardCsvOptions. */
  csv?: ShardCsvOptions;
  /** Milliseconds to connect to Redis and get a PING back (default 5000). */
  connectTimeout?: number;
  /** Milliseconds any one Redis command may take (default 10 000). */
  commandTimeout?: number;
  /** Aborting rejects with the signal's reason and leaves the model unchanged. */
  signal?: AbortSignal | null;
  /** Called after every EM iteration (beside the model's own onIteration). */
  onIteration?: ((info: IterationInfo) => void) | null;
  /** Called after every distributed request with its timings and sizes. */
  onRequest?: ((info: RequestInfo) => void) | null;
}

export interface WorkerOptions {
  /** Redis (required). */
  connection: RedisConnection;
  /** Jobs served at once, each on its own E-step thread (default: the available cores − 1, at least 1). */
  concurrency?: number;
  /** Aborting stops taking jobs; the promise resolves once the running ones finished (at most 60 s). */
  signal?: AbortSignal | null;
  /** Prefix of every Redis key and of BullMQ's queues (default 'gaussmix'); the coordinator must use the same. */
  prefix?: string;
  /** Bytes of shard rows kept in memory between iterations (default a quarter of the machine's memory; 0: none). */
  cacheBytes?: number;
  /** BullMQ lockDuration in ms (default 5000): a dead worker's job is re-run about this long after it died. */
  lockDuration?: number;
  /** BullMQ stalledInterval in ms (default 2000). */
  stalledInterval?: number;
  /** Times a job may be orphaned by a dead worker before it fails (default 3). */
  maxStalledCount?: number;
  /** Called with connection and job errors (default: printed to stderr, at most once per 5 s per message). */
  onError?: ((error: Error) => void) | null;
  /** Called once the worker is connected and serving. */
  onReady?: (() => void) | null;
}

const positiveMs = (v: unknown, name: string) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.ceil(v) : fail(name, 'a number of milliseconds ≥ 1', v);

const connection = (v: unknown, name: string): RedisConnection => {
  if (typeof v === 'string') {
    let url: URL | null = null;
    try {
      url = new URL(v);
    } catch {
      // reported below
    }
    if (url && (url.protocol === 'redis:' || url.protocol === 'rediss:')) return v;
    return fail(name, "a redis:// or rediss:// URL (e.g. 'redis://127.0.0.1:6379') or ioredis options", v);
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (o.host !== undefined && typeof o.host !== 'string') fail(`${name}.host`, 'a string', o.host);
    if (o.port !== undefined && !(Number.isInteger(o.port) && (o.port as number) > 0 && (o.port as number) < 65536)) {
      fail(`${name}.port`, 'an integer port in 1…65535', o.port);
    }
    return { ...o };
  }
  return fail(name, 'a redis:// URL or ioredis options ({ host, port, … }); it is required', v);
};

const prefix = (v: unknown, name: string) =>
  typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(v)
    ? v
    : fail(name, 'up to 64 characters of A-Z a-z 0-9 _ . : -', v);

// Shards are read by the same reader with the same options as fitStream's CSV paths, so they are checked alike.
const DIST_CSV_RULES: Rules<ShardCsvOptions> = CSV_RULES;

const FIT_DISTRIBUTED_RULES: Rules<FitDistributedOptions> = {
  connection: { default: undefined, check: connection },
  prefix: { default: 'gaussmix', check: prefix },
  jobTimeout: { default: 600_000, check: positiveMs },
  attempts: { default: 3, check: integer(1) },
  checkpoint: {
    default: null,
    check: (v, name) =>
      v == null
        ? null
        : typeof v === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(v)
          ? v
          : fail(name, 'a name of up to 64 characters of A-Z a-z 0-9 _ . -', v),
  },
  checkpointTtl: { default: 7 * 24 * 3_600_000, check: positiveMs },
  checkpointLock: { default: 10_000, check: positiveMs },
  initSampleSize: { default: 10_000, check: integer(1) },
  csv: { default: {}, check: (v) => resolveWith(DIST_CSV_RULES, v, 'csv', 'csv.') },
  connectTimeout: { default: 5000, check: positiveMs },
  commandTimeout: { default: 10_000, check: positiveMs },
  signal: { default: null, check: optionalSignal },
  onIteration: { default: null, check: optionalFunction },
  onRequest: { default: null, check: optionalFunction },
};

export type ResolvedDistributedOptions = Required<Omit<FitDistributedOptions, 'csv'>> & {
  csv: Required<Pick<ShardCsvOptions, 'header' | 'chunkRows'>> & ShardCsvOptions;
};

export function fitDistributedOptions(options: unknown): ResolvedDistributedOptions {
  return resolveWith(FIT_DISTRIBUTED_RULES, options ?? {}, 'fitDistributed') as unknown as ResolvedDistributedOptions;
}

const WORKER_RULES: Rules<WorkerOptions> = {
  connection: { default: undefined, check: connection },
  concurrency: { default: undefined, check: (v, name) => (v === undefined ? undefined : integer(1)(v, name)) },
  signal: { default: null, check: optionalSignal },
  prefix: { default: 'gaussmix', check: prefix },
  cacheBytes: { default: undefined, check: (v, name) => (v === undefined ? undefined : integer(0)(v, name)) },
  lockDuration: { default: 5000, check: positiveMs },
  stalledInterval: { default: 2000, check: positiveMs },
  maxStalledCount: { default: 3, check: integer(1) },
  onError: { default: null, check: optionalFunction },
  onReady: { default: null, check: optionalFunction },
};

export type ResolvedWorkerOptions = Omit<Required<WorkerOptions>, 'concurrency' | 'cacheBytes'> & {
  concurrency: number | undefined;
  cacheBytes: number | undefined;
};

export function workerOptions(options: unknown): ResolvedWorkerOptions {
  return resolveWith(WORKER_RULES, options ?? {}, 'startWorker') as unknown as ResolvedWorkerOptions;
}

// ── BayesianGaussianMixture ───────────────────────────────────────────────────────────────────────────────────────

/** The covariance types of scikit-learn's BayesianGaussianMixture. */
export const BAYESIAN_COVARIANCE_TYPES = ['full', 'tied', 'diag', 'spherical'] as const;
export type BayesianCovarianceType = (typeof BAYESIAN_COVARIANCE_TYPES)[number];
export type WeightConcentrationPriorType = 'dirichlet_process' | 'dirichlet_distribution';

export interface BayesianGaussianMixtureOptions {
  /** The largest number of components; the posterior empties those the data do not need (default 1). */
  nComponents?: number;
  /** 'full' (default), 'tied', 'diag' or 'spherical', as GaussianMixture's scikit-learn types. */
  covarianceType?: BayesianCovarianceType;
  /** Stop when the lower bound (a sum over rows, as scikit-learn's) changes by less than tol (default 1e-3). */
  tol?: number;
  /** Added to every covariance's diagonal (default 1e-6, ≥ 0), as GaussianMixture's. */
  regCovar?: number;
  /** Variational iterations per initialisation (default 100, integer ≥ 0). */
  maxIter?: number;
  /** Initialisations (default 1); the one with the highest lower bound is kept. */
  nInit?: number;
  /** 'kmeans' (default), 'k-means++', 'random', 'random_from_data' or 'hc', as GaussianMixture's. */
  initParams?: InitParams;
  /** Initial responsibilities (N×K) or labels (Int32Array); the first M-step is taken from them. See GaussianMixtureOptions. */
  respInit?: ArrayLike<ArrayLike<number>> | Int32Array | null;
  /** 'dirichlet_process' (default; stick-breaking) or 'dirichlet_distribution'. */
  weightConcentrationPriorType?: WeightConcentrationPriorType;
  /** γ₀ > 0 (default 1/nComponents). Smaller values favour fewer active components. */
  weightConcentrationPrior?: number | null;
  /** β₀ > 0 (default 1). */
  meanPrecisionPrior?: number | null;
  /** m₀, one value per feature (default: the mean of X). */
  meanPrior?: ArrayLike<number> | null;
  /** ν₀ > D − 1 (default D, the number of features). */
  degreesOfFreedomPrior?: number | null;
  /**
   * Ψ₀ (default: the covariance of X, ddof 1): a D×D symmetric positive definite matrix for 'full' and 'tied', D
   * positive variances for 'diag', one positive number for 'spherical'.
   */
  covariancePrior?: number | ArrayLike<number> | ArrayLike<ArrayLike<number>> | null;
  /** Seed of every random choice (default 0, a safe integer). */
  seed?: number;
  /** If true, each fit after the first starts from the current posterior (default false). */
  warmStart?: boolean;
  /** 'auto' (default), 'wasm' or 'js', as GaussianMixture's. */
  backend?: BackendChoice;
  /** Called after every iteration; `lowerBound` is the variational lower bound (a sum over rows). */
  onIteration?: ((info: IterationInfo) => void) | null;
}

/** BayesianGaussianMixture's options after defaults and validation (private copies of every array). */
export interface ResolvedBayesianOptions extends VariationalConfig {
  readonly warmStart: boolean;
  readonly backend: BackendChoice;
}

const positiveOrNull = (v: unknown, name: string) =>
  v == null ? null : typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fail(name, 'a finite number > 0', v);

const BAYESIAN_RULES: Rules<BayesianGaussianMixtureOptions> = {
  nComponents: MODEL_RULES.nComponents,
  covarianceType: { default: 'full', check: oneOf(BAYESIAN_COVARIANCE_TYPES) },
  tol: MODEL_RULES.tol,
  regCovar: MODEL_RULES.regCovar,
  maxIter: MODEL_RULES.maxIter,
  nInit: MODEL_RULES.nInit,
  initParams: { default: 'kmeans', check: oneOf(['kmeans', 'k-means++', 'random', 'random_from_data'] as const) },
  respInit: MODEL_RULES.respInit,
  weightConcentrationPriorType: {
    default: 'dirichlet_process',
    check: oneOf(['dirichlet_process', 'dirichlet_distribution'] as const),
  },
  weightConcentrationPrior: { default: null, check: positiveOrNull },
  meanPrecisionPrior: { default: null, check: positiveOrNull },
  meanPrior: {
    default: null,
    check: (v, name) => {
      if (v == null) return null;
      const { values, shape } = flattenNumeric(v, name);
      if (shape.length !== 1 || shape[0] === 0) fail(name, 'an array with one number per feature', v);
      return values;
    },
  },
  degreesOfFreedomPrior: {
    default: null,
    check: (v, name) =>
      v == null ? null : typeof v === 'number' && Number.isFinite(v) ? v : fail(name, 'a finite number', v),
  },
  covariancePrior: {
    default: null,
    check: (v, name) => (v == null ? null : typeof v === 'number' ? v : flattenNumeric(v, name)),
  },
  seed: MODEL_RULES.seed,
  warmStart: MODEL_RULES.warmStart,
  backend: MODEL_RULES.backend,
  onIteration: MODEL_RULES.onIteration,
};

export const BAYESIAN_OPTION_NAMES = Object.keys(BAYESIAN_RULES) as (keyof BayesianGaussianMixtureOptions)[];

/**
 * covariancePrior for the covariance type, flattened: what scikit-learn's _checkcovariance_prior_parameter accepts
 * (a number for 'spherical'; D positive variances for 'diag'; a symmetric — numpy.allclose — positive definite D×D
 * matrix for 'full' and 'tied'). That D equals X's is checked at fit time.
 */
function checkCovariancePrior(v: unknown, covType: BayesianCovarianceType): Float64Array | null {
  const name = 'covariancePrior';
  if (v === null) return null;
  const form = variationalCovariance(covType).priorForm;
  if (form === 'scalar') {
    if (typeof v !== 'number' || !(v > 0)) fail(name, `a number > 0 for covarianceType '${covType}'`, v);
    return Float64Array.of(v as number);
  }
  if (typeof v === 'number') fail(name, `an array for covarianceType '${covType}'`, v);
  const { values, shape } = v as { values: Float64Array; shape: number[] };
  if (form === 'variances') {
    if (shape.length !== 1) fail(name, `an array of variances (one per feature) for covarianceType '${covType}'`, v);
    values.forEach((x, i) => x > 0 || fail(`${name}[${i}]`, 'a variance > 0', x));
    return values;
  }
  const d = shape[0];
  if (shape.length !== 2 || shape[1] !== d) fail(name, `a D×D matrix for covarianceType '${covType}'`, v);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [values[i * d + j], values[j * d + i]];
      if (!(Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b))) {
        fail(`${name}[${i}][${j}]`, `equal to ${name}[${j}][${i}] = ${b} (a symmetric matrix)`, a);
      }
    }
  }
  if (choleskyLower(values, 0, d, new Float64Array(d * d), 0) >= 0) {
    throw new OptionError(name, `${name} must be positive definite; the ${d}×${d} matrix given is not`);
  }
  return values;
}

/** BayesianGaussianMixture's options with defaults applied; throws OptionError naming the first bad option. */
export function resolveBayesianOptions(options: BayesianGaussianMixtureOptions = {}): ResolvedBayesianOptions {
  const r = resolveWith(BAYESIAN_RULES, options, '') as Record<keyof BayesianGaussianMixtureOptions, unknown>;
  const k = r.nComponents as number;
  const respInit = r.respInit === null ? null : checkResponsibilities(r.respInit, k);
  if (respInit && r.nInit !== 1) {
    throw new OptionError('nInit', `respInit gives one fixed start, so nInit must be 1; got ${r.nInit}`);
  }
  const covariancePrior = checkCovariancePrior(r.covariancePrior, r.covarianceType as BayesianCovarianceType);
  return Object.freeze({ ...r, respInit, covariancePrior }) as unknown as ResolvedBayesianOptions;
}

export interface PruneOptions {
  /** Components with a weight below this are dropped (default 0.01, the activeComponents threshold). */
  minWeight?: number;
}

export function pruneOptions(options: unknown, defaultMinWeight: number): { minWeight: number } {
  const rules: Rules<PruneOptions> = {
    minWeight: {
      default: defaultMinWeight,
      check: (v, name) => (typeof v === 'number' && v >= 0 && v < 1 ? v : fail(name, 'a number in [0, 1)', v)),
    },
  };
  return resolveWith(rules, options ?? {}, 'prune') as { minWeight: number };
}
