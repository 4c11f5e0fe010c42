/**
 * One cheap pass over the data before a fit: per-feature range, total weight, and whether there are at least K
 * distinct rows. It decides, before any EM work, whether the data can be fitted at all in double precision, and it
 * gives the power-of-two scale that initialisation computes its squared distances in.
 *
 * Why a range check: EM accumulates Σ w·r·(x − μ)(x − μ)ᵀ. With |x − μ| bounded by a feature's range R, every
 * entry stays finite while R²·Σw is below the largest double (≈ 1.8e308). Data spanning more than that (values of
 * ±1e300, or 1e150 over billions of rows) would silently turn into Infinity/NaN, so it is rejected with a DataError
 * that says how to rescale. Data within range fit without loss at any scale: the Mahalanobis term goes through the
 * precision Cholesky factor, (x − μ)·P, which is O(1) whatever the units; log-densities stay in log space.
 */
import { DataError } from '../api/errors.js';
import type { Rows } from './matrix.js';

export interface DataSummary {
  readonly n: number;
  readonly d: number;
  /** Σ w (n without weights). */
  readonly sumW: number;
  /** Rows with positive weight. */
  readonly positive: number;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Distinct rows of positive weight, counted up to the cap given to the builder (K). */
  readonly distinct: number;
}

/** Accumulates a DataSummary block by block (in-memory rows and streamed chunks alike). */
export class SummaryBuilder {
  private n = 0;
  private sumW = 0;
  private positive = 0;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly seen: Float64Array[] = [];

  constructor(
    readonly d: number,
    private readonly distinctCap: number,
  ) {
    this.min = new Float64Array(d).fill(Infinity);
    this.max = new Float64Array(d).fill(-Infinity);
  }

  /** Adds `count` rows from buf (row-major) with weights w[wOff + i] (or 1). */
  add(buf: Float64Array, count: number, w: Float64Array | null, wOff = 0): void {
    const { d, min, max } = this;
    sweepRange(buf, count, d, min, max);
    if (!w) {
      this.sumW += count;
      this.positive += count;
    } else {
      let sumW = 0;
      let positive = 0;
      for (let i = 0; i < count; i++) {
        const wi = w[wOff + i];
        sumW += wi;
        if (wi > 0) positive++;
      }
      this.sumW += sumW;
      this.positive += positive;
    }
    // distinct rows of positive weight, until the cap is reached
    for (let i = 0; i < count && this.seen.length < this.distinctCap; i++) {
      const o = i * d;
      if ((!w || w[wOff + i] > 0) && !this.seen.some((r) => sameRow(r, buf, o, d))) this.seen.push(buf.slice(o, o + d));
    }
    this.n += count;
  }

  finish(): DataSummary {
    return {
      n: this.n,
      d: this.d,
      sumW: this.sumW,
      positive: this.positive,
      min: this.min,
      max: this.max,
      distinct: this.seen.length,
    };
  }
}

/**
 * min and max of each of the d columns of buf's count rows into min and max, two columns per sweep held in locals.
 * One column per sweep took 1.9 ms at 2·10⁵ × 8 and 3.4 ms at 10⁶ × 2, two 1.4 and 1.7 ms — as a function of its own:
 * inside SummaryBuilder.add the same loop took 3–4× as long (V8 optimises the small function better).
 */
function sweepRange(buf: Float64Array, count: number, d: number, min: Float64Array, max: Float64Array): void {
  const end = count * d;
  for (let j = 0; j < d; j += 2) {
    const j1 = j + 1 < d ? j + 1 : j; // an odd d's last column is swept as its own pair
    let l0 = min[j];
    let h0 = max[j];
    let l1 = min[j1];
    let h1 = max[j1];
    for (let t = j; t < end; t += d) {
      const v0 = buf[t];
      const v1 = buf[t + j1 - j];
      if (v0 < l0) l0 = v0;
      if (v0 > h0) h0 = v0;
      if (v1 < l1) l1 = v1;
      if (v1 > h1) h1 = v1;
    }
    min[j] = l0;
    max[j] = h0;
    min[j1] = l1;
    max[j1] = h1;
  }
}

function sameRow(r: Float64Array, buf: Float64Array, o: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (r[j] !== buf[o + j]) return false; // -0 === 0: the same point
  return true;
}

/** Summary of in-memory rows (one pass, block by block). */
export function summarize(rows: Rows, w: Float64Array | null, distinctCap: number): DataSummary {
  const { n, d, dense } = rows;
  const b = new SummaryBuilder(d, distinctCap);
  const block = Math.max(1, Math.floor(65536 / d));
  const buf = dense ? null : new Float64Array(block * d);
  for (let s = 0; s < n; s += block) {
    const count = Math.min(block, n - s);
    // a dense X is read in place: the copy was half the summary's time (2·10⁵ × 8, caches cold: 4.1 → 2.2 ms)
    if (buf) rows.copyRows(s, count, buf, 0);
    b.add(buf ?? dense!.subarray(s * d, (s + count) * d), count, w, s);
  }
  return b.finish();
}

/** Largest per-feature range max − min (Infinity if a range overflows). */
export function maxRange(min: Float64Array, max: Float64Array): number {
  let r = 0;
  for (let j = 0; j < min.length; j++) {
    const v = max[j] - min[j];
    if (v > r || Number.isNaN(v)) r = Number.isNaN(v) ? Infinity : v;
  }
  return r;
}

/**
 * A power of two s⁻¹ with (max − min)·s⁻¹ ≤ 1 for every feature: initialisation measures squared distances as
 * ‖(x − c)·s⁻¹‖², which neither overflows at 1e150 nor loses digits in subnormals at 1e−150, and — being a power
 * of two — changes no rounding, so results equal the unscaled computation wherever that one is representable.
 */
export function invScaleOf(range: number): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const e = Math.min(1000, Math.max(-1000, Math.ceil(Math.log2(range))));
  return 2 ** -e;
}

/** Power-of-two scale for rows (one pass over min/max). */
const fmt = (v: number): string =>
  Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(3) : String(v);

/**
 * Throws a DataError when the data cannot be fitted in double precision (see the module comment), or — under
 * onDegenerate 'error' — when X has fewer distinct rows than components (a mixture of K distinct Gaussians does not
 * exist then; 'reset' fits duplicate components instead).
 */
export function checkSummary(
  s: DataSummary,
  k: number,
  onDegenerate: 'error' | 'reset',
  weighted: boolean,
  what = 'X',
): void {
  const limit = Math.sqrt(Number.MAX_VALUE / 4 / Math.max(s.sumW, 1));
  for (let j = 0; j < s.d; j++) {
    const r = s.max[j] - s.min[j];
    if (!(r <= limit)) {
      const want = Number.isFinite(r) && r > 0 ? 10 ** Math.ceil(Math.log10(r / limit)) : 1e155;
      throw new DataError(
        `${what} is too spread out for double precision: feature ${j} ranges from ${fmt(s.min[j])} to ${fmt(s.max[j])}, so ` +
          `squared deviations summed over ${s.n} rows would overflow the largest double (1.8e308). ` +
          `Rescale ${what} (e.g. divide it by ${want.toExponential(0)}); a Gaussian mixture is equivariant under scaling.`,
        undefined,
        j,
      );
    }
  }
  if (onDegenerate === 'error' && s.distinct < k) {
    throw new DataError(
      `${what} has only ${s.distinct} distinct row${s.distinct === 1 ? '' : 's'}${weighted ? ' with positive weight' : ''} but ` +
        `nComponents = ${k}: ${k} distinct components cannot be fitted. Use nComponents ≤ ${s.distinct}, or ` +
        `onDegenerate: 'reset' to fit anyway (components then share points).`,
    );
  }
}

/**
 * Sample weights rescaled in place by a power of two so the largest is about 1: exact (weights are relative), keeps
 * Σw and Σw·log p finite for weights near 1e300, and keeps scikit-learn's 10ε guard on Σr meaningful for weights
 * near 1e−300.
 */
export function normalizeWeights(w: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < w.length; i++) if (w[i] > m) m = w[i];
  if (!(m > 0) || (m >= 1 && m < 2)) return w;
  const e = Math.floor(Math.log2(m));
  // two steps: 2^-e alone overflows for subnormal maxima (e < -1023)
  const a = 2 ** -Math.trunc(e / 2);
  const b = 2 ** -(e - Math.trunc(e / 2));
  for (let i = 0; i < w.length; i++) w[i] = w[i] * a * b;
  return w;
}
