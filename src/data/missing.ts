/**
 * Rows with missing values (NaN entries, under missing: 'marginalize'): which rows hold one, the complete rows as a
 * view of their own (they keep the fused kernel path), and the stand-ins initialisation runs on.
 *
 * Initialisation on incomplete data: every missing entry is replaced by its column's observed weighted mean, and the
 * usual initialisation runs unchanged on those filled rows. That is deterministic (the means are summed in row
 * order, the same in every driver), and on complete data it is exactly the start a fit without missing values gets.
 * EM itself then uses only the observed values (model/missing/).
 */
import { DataError } from '../api/errors.js';
import type { Rows } from './matrix.js';

const SCAN_ROWS = 4096;

/** The rows with at least one NaN entry, ascending (one pass; memory O(those rows)). */
export function incompleteRows(rows: Rows): Int32Array {
  const { n, d } = rows;
  const block = Math.max(1, Math.min(SCAN_ROWS, Math.floor(65536 / d)));
  const buf = new Float64Array(block * d);
  let out = new Int32Array(16);
  let count = 0;
  for (let s = 0; s < n; s += block) {
    const m = Math.min(block, n - s);
    rows.copyRows(s, m, buf, 0);
    for (let i = 0; i < m; i++) {
      if (!hasNaN(buf, i * d, (i + 1) * d)) continue;
      if (count === out.length) {
        const grown = new Int32Array(2 * count);
        grown.set(out);
        out = grown;
      }
      out[count++] = s + i;
    }
  }
  return out.slice(0, count);
}

/** Whether buf[from..to) holds a NaN (stops at the first). */
function hasNaN(buf: Float64Array, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (Number.isNaN(buf[j])) return true;
  return false;
}

/**
 * Rows split into complete and incomplete ones. `complete` numbers the complete rows 0… in their order and copies
 * them run by run, so the kernels read them as if they were the only rows.
 */
export class RowSplit {
  readonly complete: Rows;

  constructor(
    readonly rows: Rows,
    /** The rows with a NaN, ascending. */
    readonly incomplete: Int32Array,
  ) {
    const idx = incomplete;
    const m = idx.length;
    this.complete = {
      n: rows.n - m,
      d: rows.d,
      copyRows(start, count, dst, dstOff) {
        // the incomplete rows before complete row `start`: those with fewer than start + 1 complete rows before them
        let lo = 0;
        let hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (idx[mid] - mid <= start) lo = mid + 1;
          else hi = mid;
        }
        let next = lo; // the next incomplete row to skip
        let r = start + lo;
        let at = dstOff;
        let left = count;
        while (left > 0) {
          const run = Math.min(left, (next < m ? idx[next] : rows.n) - r);
          rows.copyRows(r, run, dst, at);
          at += run * rows.d;
          left -= run;
          r += run;
          while (next < m && idx[next] === r) {
            next++;
            r++;
          }
        }
      },
    };
  }

  static of(rows: Rows): RowSplit {
    return new RowSplit(rows, incompleteRows(rows));
  }

  /** Incomplete rows among rows [0, r). */
  incompleteBefore(r: number): number {
    const idx = this.incomplete;
    let lo = 0;
    let hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idx[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Complete rows among rows [0, r): the index of row r (if complete) in `complete`. */
  completeBefore(r: number): number {
    return r - this.incompleteBefore(r);
  }

  /** The weights of the complete rows, in their order (null without weights). */
  completeWeights(w: Float64Array | null): Float64Array | null {
    if (!w) return null;
    const out = new Float64Array(this.complete.n);
    const idx = this.incomplete;
    let at = 0;
    let next = 0;
    for (let r = 0; r < w.length; r++) {
      if (next < idx.length && idx[next] === r) next++;
      else out[at++] = w[r];
    }
    return out;
  }
}

/** `rows` with every NaN entry replaced by fill[j] of its column: what initialisation runs on. */
export function filledRows(rows: Rows, fill: Float64Array): Rows {
  const { d } = rows;
  return {
    n: rows.n,
    d,
    copyRows(start, count, dst, dstOff) {
      rows.copyRows(start, count, dst, dstOff);
      for (let t = 0; t < count * d; t++) if (Number.isNaN(dst[dstOff + t])) dst[dstOff + t] = fill[t % d];
    },
  };
}

/**
 * Each column's weighted mean over its observed entries, accumulated block by block in row order (so in-memory
 * rows and a stream's chunks give the same values), around the column's first observed value against cancellation.
 */
export class ObservedMeans {
  private readonly ref: Float64Array;
  private readonly seen: Uint8Array;
  private readonly sumW: Float64Array;
  private readonly sum: Float64Array;
  /** Missing entries seen so far. */
  missing = 0;

  constructor(readonly d: number) {
    this.ref = new Float64Array(d);
    this.seen = new Uint8Array(d);
    this.sumW = new Float64Array(d);
    this.sum = new Float64Array(d);
  }

  /** Adds `count` rows of buf (row-major) with weights w[wOff + i] (or 1). */
  add(buf: Float64Array, count: number, w: ArrayLike<number> | null, wOff = 0): void {
    const { d, ref, seen, sumW, sum } = this;
    for (let i = 0; i < count; i++) {
      const wi = w ? w[wOff + i] : 1;
      for (let j = 0; j < d; j++) {
        const v = buf[i * d + j];
        if (Number.isNaN(v)) {
          this.missing++;
          continue;
        }
        if (!seen[j]) {
          seen[j] = 1;
          ref[j] = v;
        }
        if (wi > 0) {
          sumW[j] += wi;
          sum[j] += wi * (v - ref[j]);
        }
      }
    }
  }

  /** The means; a column without any observed value (of positive weight) is a DataError naming it. */
  finish(what = 'X', weighted = false): Float64Array {
    const out = new Float64Array(this.d);
    for (let j = 0; j < this.d; j++) {
      if (!(this.sumW[j] > 0)) {
        throw new DataError(
          `${what} column ${j} has no observed value${weighted ? ' with positive weight' : ''} (every entry is NaN): ` +
            'nothing can be learnt about that feature; remove the column',
          undefined,
          j,
        );
      }
      out[j] = this.ref[j] + this.sum[j] / this.sumW[j];
    }
    return out;
  }
}

/** ObservedMeans over in-memory rows. */
export function observedMeans(rows: Rows, w: Float64Array | null, what = 'X'): Float64Array {
  const m = new ObservedMeans(rows.d);
  const block = Math.max(1, Math.floor(65536 / rows.d));
  const buf = new Float64Array(block * rows.d);
  for (let s = 0; s < rows.n; s += block) {
    const count = Math.min(block, rows.n - s);
    rows.copyRows(s, count, buf, 0);
    m.add(buf, count, w, s);
  }
  return m.finish(what, w !== null);
}
