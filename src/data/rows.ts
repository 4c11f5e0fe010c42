/** Helpers over `Rows` (data/matrix.ts): blocks, single rows, row ranges, and rows over one dense buffer. */
import type { Rows } from './matrix.js';

/** Calls fn(buffer, start, count) over blocks of rows copied into one reusable buffer. */
export function forEachBlock(
  rows: Rows,
  fn: (buf: Float64Array, start: number, count: number) => void,
  block = 4096,
): void {
  const buf = new Float64Array(block * rows.d);
  for (let s = 0; s < rows.n; s += block) {
    const count = Math.min(block, rows.n - s);
    rows.copyRows(s, count, buf, 0);
    fn(buf, s, count);
  }
}

/** Row i of `rows` as a new array. */
export function rowOf(rows: Rows, i: number): Float64Array {
  const out = new Float64Array(rows.d);
  rows.copyRows(i, 1, out, 0);
  return out;
}

/** Rows [start, end) of `rows`, numbered from 0. */
export function rowRange(rows: Rows, start: number, end: number): Rows {
  return {
    n: end - start,
    d: rows.d,
    copyRows: (s, count, dst, dstOff) => rows.copyRows(start + s, count, dst, dstOff),
  };
}

/** The first n rows of a row-major buffer of d columns (all of it by default). */
export function denseRows(data: Float64Array, d: number, n = data.length / d): Rows {
  return {
    n,
    d,
    copyRows(start, count, dst, dstOff) {
      dst.set(data.subarray(start * d, (start + count) * d), dstOff);
    },
  };
}

/** Whether d values at a[aOff] and b[bOff] are equal (−0 === 0: the same point). */
export function sameRow(a: ArrayLike<number>, b: ArrayLike<number>, d = a.length, aOff = 0, bOff = 0): boolean {
  for (let j = 0; j < d; j++) if (a[aOff + j] !== b[bOff + j]) return false;
  return true;
}
