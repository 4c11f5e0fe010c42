/**
 * The single table of options: defaults, validation and normalisation. The constructor and fromJSON both go
 * through `resolveOptions`, so a rule lives in exactly one place.
 */
import { OptionError } from './errors.js';

export type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';
export type InitParams = 'kmeans' | 'k-means++' | 'random' | 'random_from_data';
export type BackendChoice = 'auto' | 'wasm' | 'js';
export type Algorithm = 'em' | 'hard';
export type Frozen = 'weights' | 'means' | 'covariances';
export type OnDegenerate = 'error' | 'reset';

/** Progress report passed to `onIteration` after every EM iteration. */
export interface IterationInfo {
  /** 0-based restart index (`nInit` restarts). */
  init: number;
  /** 1-based iteration within this restart. */
  iter: number;
  /** Mean log-likelihood (classification log-likelihood for algorithm 'hard') before this iteration's M-step. */
  lowerBound: number;
  /** lowerBound minus the previous iteration's (Infinity on the first iteration). */
  change: number;
}

/** A numeric nested array as accepted for weightsInit / meansInit / precisionsInit. */
export type NumericArray = ArrayLike<number> | ArrayLike<ArrayLike<number>> | ArrayLike<ArrayLike<ArrayLike<number>>>;

export interface GaussianMixtureOptions {
  nComponents?: number;
  covarianceType?: CovarianceType;
  tol?: number;
  regCovar?: number;
  maxIter?: number;
  nInit?: number;
  initParams?: InitParams;
  weightsInit?: ArrayLike<number> | null;
  meansInit?: ArrayLike<ArrayLike<number>> | null;
  precisionsInit?: NumericArray | null;
  seed?: number;
  warmStart?: boolean;
  backend?: BackendChoice;
  freeze?: readonly Frozen[];
  algorithm?: Algorithm;
  onIteration?: ((info: IterationInfo) => void) | null;
  /**
   * What EM does when a component degenerates (its responsibility mass vanishes, or its covariance stops being
   * positive definite): 'error' (default) throws a DegenerateError naming the component, the iteration and the fix;
   * 'reset' re-seeds the component at the worst-explained rows and continues (recorded in `resets` and `warnings`).
   */
  onDegenerate?: OnDegenerate;
}

/** Options after defaults and validation. Init arrays are private copies (callers' arrays are never kept). */
export interface ResolvedOptions {
  readonly nComponents: number;
  readonly covarianceType: CovarianceType;
  readonly tol: number;
  readonly regCovar: number;
  readonly maxIter: number;
  readonly nInit: number;
  readonly initParams: InitParams;
  readonly weightsInit: Float64Array | null;
  readonly meansInit: Float64Array[] | null;
  /** Flattened values with the nesting depth they came in; the shape is checked against D at fit time. */
  readonly precisionsInit: { values: Float64Array; shape: number[] } | null;
  readonly seed: number;
  readonly warmStart: boolean;
  readonly backend: BackendChoice;
  readonly freeze: readonly Frozen[];
  readonly algorithm: Algorithm;
  readonly onIteration: ((info: IterationInfo) => void) | null;
  readonly onDegenerate: OnDegenerate;
}

type Rule = { default: unknown; check: (v: unknown, name: string) => unknown };

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'function') return 'a function';
  return `a value of type ${typeof v}`;
};

const fail = (name: string, expected: string, got: unknown): never => {
  throw new OptionError(name, `${name} must be ${expected}; got ${describe(got)}`);
};

const integer = (min: number) => (v: unknown, name: string) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(name, `an integer ≥ ${min}`, v);

const nonNegative = (v: unknown, name: string) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(name, 'a finite number ≥ 0', v);

const oneOf = <T extends string>(values: readonly T[]) => (v: unknown, name: string) =>
  typeof v === 'string' && (values as readonly string[]).includes(v)
    ? v
    : fail(name, `one of ${values.map((s) => `'${s}'`).join(', ')}`, v);

const boolean = (v: unknown, name: string) => (typeof v === 'boolean' ? v : fail(name, 'true or false', v));

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

const RULES: Record<keyof GaussianMixtureOptions, Rule> = {
  nComponents: { default: 1, check: integer(1) },
  covarianceType: { default: 'full', check: oneOf(['full', 'tied', 'diag', 'spherical'] as const) },
  tol: { default: 1e-3, check: nonNegative },
  regCovar: { default: 1e-6, check: nonNegative },
  maxIter: { default: 100, check: integer(0) },
  nInit: { default: 1, check: integer(1) },
  initParams: { default: 'kmeans', check: oneOf(['kmeans', 'k-means++', 'random', 'random_from_data'] as const) },
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
  seed: {
    default: 0,
    check: (v, name) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : fail(name, 'a safe integer', v)),
  },
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
  onIteration: {
    default: null,
    check: (v, name) => (v == null ? null : typeof v === 'function' ? v : fail(name, 'a function', v)),
  },
  onDegenerate: { default: 'error', check: oneOf(['error', 'reset'] as const) },
};

export const OPTION_NAMES = Object.keys(RULES) as (keyof GaussianMixtureOptions)[];

/** Applies defaults and validates; throws OptionError naming the first bad option. Never mutates `options`. */
export function resolveOptions(options: GaussianMixtureOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError('options', `options must be a plain object; got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(key in RULES)) {
      throw new OptionError(key, `unknown option '${key}'; valid options are: ${OPTION_NAMES.join(', ')}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) {
    const given = (options as Record<string, unknown>)[name];
    if (given === undefined) out[name] = RULES[name].check(RULES[name].default, name);
    else out[name] = RULES[name].check(given, name);
  }
  const resolved = out as unknown as ResolvedOptions;
  if (resolved.weightsInit && resolved.weightsInit.length !== resolved.nComponents) {
    throw new OptionError('weightsInit', `weightsInit must have nComponents = ${resolved.nComponents} entries; got ${resolved.weightsInit.length}`);
  }
  if (resolved.meansInit && resolved.meansInit.length !== resolved.nComponents) {
    throw new OptionError('meansInit', `meansInit must have nComponents = ${resolved.nComponents} rows; got ${resolved.meansInit.length}`);
  }
  return Object.freeze(resolved);
}
