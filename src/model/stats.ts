/**
 * Sufficient statistics of one E-pass — the seam of the design: an E-pass over any subset of rows produces them,
 * they add across blocks, workers, chunks and machines, and the M-step consumes them.
 *
 * Public: `gmm.expectation(chunk)` returns them, `SufficientStats.merge` adds them, `gmm.maximization(stats)`
 * consumes them, so any map-reduce engine can run the E-step where the data live. They are plain data (typed
 * arrays), so structured clone (postMessage) carries them as they are; `SufficientStats.toJSON` / `fromJSON` give a
 * validated JSON form for engines that only move text.
 */
import { DataError, quote } from '../api/errors.js';
import { MAX_FEATURES } from '../data/matrix.js';
import { jsonReader, nest } from '../api/json-reader.js';
import { covarianceModel, type CovarianceType } from './covariance/registry.js';

export interface SufficientStats {
  readonly k: number;
  readonly d: number;
  /** Layout of sxx: 'full' stores k d×d matrices (upper triangle meaningful), 'diag' stores k×d. */
  readonly sxxKind: 'full' | 'diag';
  /** Σ w·log p(x) (classification log-likelihood for hard EM). */
  logLik: number;
  /** Σ w. */
  sumW: number;
  /** Σ w·r per component. */
  readonly nk: Float64Array;
  /** Σ w·r·(x − c) per component, c = centers. */
  readonly sx: Float64Array;
  /** Σ w·r·(x − c)(x − c)ᵀ per component (see sxxKind). */
  readonly sxx: Float64Array;
  /** The points the statistics were accumulated around (the means of the E-step's parameters). */
  readonly centers: Float64Array;
}

/** The JSON form of SufficientStats (nested plain arrays; a log-likelihood of −∞ is written as null). */
export interface SufficientStatsJSON {
  format: 'gaussmix-stats';
  version: 1;
  nComponents: number;
  nFeatures: number;
  sxxKind: 'full' | 'diag';
  logLik: number | null;
  sumW: number;
  nk: number[];
  sx: number[][];
  sxx: number[][][] | number[][];
  centers: number[][];
}

export function emptyStats(k: number, d: number, sxxKind: 'full' | 'diag', centers: Float64Array): SufficientStats {
  return {
    k,
    d,
    sxxKind,
    logLik: 0,
    sumW: 0,
    nk: new Float64Array(k),
    sx: new Float64Array(k * d),
    sxx: new Float64Array(sxxKind === 'full' ? k * d * d : k * d),
    centers: centers.slice(),
  };
}

/** Adds b into a (both accumulated around the same centers). */
export function addStats(a: SufficientStats, b: SufficientStats): SufficientStats {
  a.logLik += b.logLik;
  a.sumW += b.sumW;
  for (let i = 0; i < a.nk.length; i++) a.nk[i] += b.nk[i];
  for (let i = 0; i < a.sx.length; i++) a.sx[i] += b.sx[i];
  for (let i = 0; i < a.sxx.length; i++) a.sxx[i] += b.sxx[i];
  return a;
}

const FORMAT = 'gaussmix-stats';
const KEYS = [
  'format',
  'version',
  'nComponents',
  'nFeatures',
  'sxxKind',
  'logLik',
  'sumW',
  'nk',
  'sx',
  'sxx',
  'centers',
];
const reader = jsonReader('gaussmix statistics');
const { bad } = reader;

/** Checks that parts can be added: same shape and the same centers (the same model's E-step). */
function checkCompatible(a: SufficientStats, b: SufficientStats, i: number): void {
  if (a.k !== b.k || a.d !== b.d || a.sxxKind !== b.sxxKind) {
    throw new DataError(
      `SufficientStats.merge: part ${i} has k=${b.k}, d=${b.d}, sxxKind='${b.sxxKind}' but part 0 has k=${a.k}, d=${a.d}, sxxKind='${a.sxxKind}'`,
    );
  }
  for (let t = 0; t < a.centers.length; t++) {
    if (a.centers[t] !== b.centers[t]) {
      throw new DataError(
        `SufficientStats.merge: part ${i} was accumulated around different centers (component ${Math.floor(t / a.d)}): ` +
          'merge only statistics that expectation() computed under the same model parameters',
      );
    }
  }
}

function isStats(v: unknown): v is SufficientStats {
  const s = v as SufficientStats;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isInteger(s.k) &&
    Number.isInteger(s.d) &&
    (s.sxxKind === 'full' || s.sxxKind === 'diag') &&
    s.nk instanceof Float64Array &&
    s.sx instanceof Float64Array &&
    s.sxx instanceof Float64Array &&
    s.centers instanceof Float64Array &&
    s.nk.length === s.k &&
    s.sx.length === s.k * s.d &&
    s.centers.length === s.k * s.d &&
    s.sxx.length === (s.sxxKind === 'full' ? s.k * s.d * s.d : s.k * s.d) &&
    typeof s.logLik === 'number' &&
    typeof s.sumW === 'number'
  );
}

/** Validates a SufficientStats value given by a caller (shape and finiteness); throws DataError. */
export function checkStats(v: unknown, what = 'stats'): SufficientStats {
  if (!isStats(v)) {
    throw new DataError(
      `${what} must be SufficientStats (from expectation(), SufficientStats.merge or SufficientStats.fromJSON)`,
    );
  }
  const finite = (a: Float64Array, name: string): void => {
    for (let i = 0; i < a.length; i++)
      if (!Number.isFinite(a[i])) throw new DataError(`${what}.${name}[${i}] is ${a[i]}; statistics must be finite`);
  };
  finite(v.nk, 'nk');
  finite(v.sx, 'sx');
  finite(v.sxx, 'sxx');
  finite(v.centers, 'centers');
  if (!(Number.isFinite(v.sumW) && v.sumW >= 0))
    throw new DataError(`${what}.sumW must be finite and ≥ 0; got ${v.sumW}`);
  if (Number.isNaN(v.logLik) || v.logLik === Infinity)
    throw new DataError(`${what}.logLik must be a number < ∞; got ${v.logLik}`);
  for (let i = 0; i < v.k; i++) if (v.nk[i] < 0) throw new DataError(`${what}.nk[${i}] must be ≥ 0; got ${v.nk[i]}`);
  return v;
}

/**
 * Companion of the SufficientStats type: `SufficientStats.merge(a, b, …)`, `SufficientStats.toJSON(s)`,
 * `SufficientStats.fromJSON(json)`, `SufficientStats.empty(…)`.
 */
export const SufficientStats = {
  /** A new SufficientStats with nothing accumulated (the neutral element of merge). */
  empty(k: number, d: number, covarianceType: CovarianceType, centers: ArrayLike<number>): SufficientStats {
    const c = Float64Array.from(centers);
    if (c.length !== k * d)
      throw new DataError(`SufficientStats.empty: centers must hold k·d = ${k * d} numbers; got ${c.length}`);
    return emptyStats(k, d, covarianceModel(covarianceType).statsKind, c);
  },

  /**
   * Adds statistics computed under the same model (e.g. by expectation() on different chunks, workers or machines).
   * Returns a new object; the parts are not modified. Merging is associative and commutative up to rounding.
   */
  merge(...parts: SufficientStats[]): SufficientStats {
    if (parts.length === 0) throw new DataError('SufficientStats.merge needs at least one part');
    parts.forEach((p, i) => checkStats(p, `part ${i}`));
    const out = emptyStats(parts[0].k, parts[0].d, parts[0].sxxKind, parts[0].centers);
    parts.forEach((p, i) => {
      checkCompatible(parts[0], p, i);
      addStats(out, p);
    });
    return out;
  },

  /** Plain-JSON form (nested arrays), for engines that move text. */
  toJSON(s: SufficientStats): SufficientStatsJSON {
    checkStats(s);
    const { k, d } = s;
    return {
      format: FORMAT,
      version: 1,
      nComponents: k,
      nFeatures: d,
      sxxKind: s.sxxKind,
      logLik: Number.isFinite(s.logLik) ? s.logLik : null,
      sumW: s.sumW,
      nk: Array.from(s.nk),
      sx: nest(s.sx, [k, d]) as number[][],
      sxx: nest(s.sxx, s.sxxKind === 'full' ? [k, d, d] : [k, d]) as number[][][] | number[][],
      centers: nest(s.centers, [k, d]) as number[][],
    };
  },

  /** Validates and rebuilds statistics from toJSON output (object or JSON text); throws ModelFormatError. */
  fromJSON(input: unknown): SufficientStats {
    const o = reader.object(input);
    reader.checkKeys(o, KEYS, 'the statistics');
    for (const key of KEYS) if (!(key in o)) bad(`missing '${key}'`);
    if (o.format !== FORMAT) bad(`format must be '${FORMAT}'; got ${quote(o.format)}`);
    if (o.version !== 1) bad(`version ${quote(o.version)} is not supported (this library reads version 1)`);
    const k = o.nComponents as number;
    const d = o.nFeatures as number;
    if (!Number.isInteger(k) || k < 1) bad(`nComponents must be an integer ≥ 1; got ${quote(k)}`);
    if (!Number.isInteger(d) || d < 1) bad(`nFeatures must be an integer ≥ 1; got ${quote(d)}`);
    if (d > MAX_FEATURES) bad(`nFeatures is ${d}; gaussmix supports at most ${MAX_FEATURES} features`);
    const kind = o.sxxKind;
    if (kind !== 'full' && kind !== 'diag') bad(`sxxKind must be 'full' or 'diag'; got ${quote(kind)}`);
    if (o.logLik !== null && (typeof o.logLik !== 'number' || !Number.isFinite(o.logLik)))
      bad('logLik must be a finite number or null (−∞)');
    if (typeof o.sumW !== 'number' || !Number.isFinite(o.sumW) || o.sumW < 0) bad('sumW must be a finite number ≥ 0');
    const nk = reader.array(o.nk, [k], 'nk');
    nk.forEach((v, i) => v < 0 && bad(`nk[${i}] must be ≥ 0; got ${v}`));
    const sx = reader.array(o.sx, [k, d], 'sx');
    const sxx = reader.array(o.sxx, kind === 'full' ? [k, d, d] : [k, d], 'sxx');
    const centers = reader.array(o.centers, [k, d], 'centers');
    return {
      k,
      d,
      sxxKind: kind as 'full' | 'diag',
      logLik: o.logLik === null ? -Infinity : (o.logLik as number),
      sumW: o.sumW as number,
      nk,
      sx,
      sxx,
      centers,
    };
  },
};
