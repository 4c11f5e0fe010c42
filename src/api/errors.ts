/**
 * Typed errors. Every message names the problem: which option / row / column, what was expected and what was
 * received, so a user can fix the call without reading the source.
 */
/** Longest quoted string in a message: a 10 MB string in an option, cell or model field must not become a 10 MB error. */
const QUOTE_LIMIT = 100;

/**
 * A short, safe rendering of any received value for a message ("got …"): strings quoted and cut at 100 characters,
 * numbers and BigInts as written, containers by their kind and length — never the contents of an array or object
 * (they may be huge, deeply nested or circular) and never a throw (JSON.stringify throws on a BigInt).
 */
export function quote(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') {
    if (v.length <= QUOTE_LIMIT) return JSON.stringify(v);
    return `${JSON.stringify(v.slice(0, QUOTE_LIMIT)).slice(0, -1)}…" (${v.length} characters)`;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `the BigInt ${v}n`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  return 'an object';
}

export class GaussianMixtureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option is missing, of the wrong type, or out of range. `option` names it. */
export class OptionError extends GaussianMixtureError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** The data (X, sample weights) cannot be used: ragged, non-finite, too few rows, wrong width, … */
export class DataError extends GaussianMixtureError {
  constructor(
    message: string,
    readonly row?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** A method that needs fitted parameters was called before `fit` (or `fromJSON`). */
export class NotFittedError extends GaussianMixtureError {
  /** `model` names the class in the message (BayesianGaussianMixture's methods pass theirs). */
  constructor(method: string, model = 'GaussianMixture') {
    super(`${model}.${method}() needs a fitted model: call fit(X) (or ${model}.fromJSON) first`);
  }
}

/** The requested backend cannot run here (e.g. backend: 'wasm' without WebAssembly SIMD). */
export class BackendError extends GaussianMixtureError {}

/** A serialized model is malformed: wrong shape, non-finite values, not positive definite, unknown keys. */
export class ModelFormatError extends GaussianMixtureError {}

/** EM could not continue: a covariance stopped being positive definite (raise regCovar, reduce K, scale data). */
export class FitError extends GaussianMixtureError {}

/** Emits a warning without throwing: process.emitWarning in Node, console.warn elsewhere. */
export function warn(message: string, code: string): void {
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } }).process;
  if (proc && typeof proc.emitWarning === 'function')
    proc.emitWarning(message, { type: 'GaussianMixtureWarning', code });
  else if (typeof console !== 'undefined') console.warn(`GaussianMixtureWarning: ${message}`);
}
