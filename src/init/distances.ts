/**
 * Distances from rows to centers, for k-means and its seeding: in units of s (invScale = s⁻¹, a power of two, so
 * scaling is exact), measured either in JS (sqDist) or by the log-density kernel with identity precisions.
 */
import type { Backend } from '../backends/types.js';
import type { Rows } from '../data/matrix.js';
import { Workspace } from '../backends/workspace.js';

/**
 * Squared distance from row buffer position to a center, in units of s (invScale = s⁻¹, a power of two: exact, and
 * keeps squares of 1e150-scale data from overflowing and of 1e−150-scale data from going subnormal).
 */
export function sqDist(x: Float64Array, xo: number, c: Float64Array, co: number, d: number, invScale: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = (x[xo + j] - c[co + j]) * invScale;
    s += t * t;
  }
  return s;
}

/** Calls fn(buffer, start, count) over blocks of rows copied into one reusable buffer. */
export function forEachBlock(rows: Rows, fn: (buf: Float64Array, start: number, count: number) => void, block = 4096): void {
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

/**
 * A workspace whose log density is −½‖(x − c)·s⁻¹‖² for the given centers (row-major, d columns): precisions s⁻¹·I
 * (the diagonal of full k×d×d matrices, or k×d) and zero log constants. k-means++, Lloyd, the nearest-seed statistics
 * and the final labels all measure distances through it.
 */
export function nearestCenterWorkspace(backend: Backend, d: number, centers: Float64Array, invScale: number, kind: 'full' | 'diag'): Workspace {
  const k = centers.length / d;
  const ws = new Workspace(backend, d, k, kind);
  const prec = new Float64Array(kind === 'full' ? k * d * d : k * d);
  if (kind === 'full') for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) prec[c * d * d + j * d + j] = invScale;
  else prec.fill(invScale);
  ws.setParams(centers, prec, new Float64Array(k));
  return ws;
}

/**
 * Squared distances from every row to each of the centers (row-major m×d), in units of s, block by block:
 * `visit(start, count, lp)` gets −½·dist (count×m; dist of row i to center t is −2·lp[i·m + t]). The log-density
 * kernel computes them (nearestCenterWorkspace): the same sum as sqDist in the same order (and halving/doubling is
 * exact unless the distance is subnormal).
 */
export function forEachHalfSqDist(
  rows: Rows, centers: Float64Array, backend: Backend, invScale: number,
  visit: (start: number, count: number, lp: Float64Array) => void,
): void {
  nearestCenterWorkspace(backend, rows.d, centers, invScale, 'diag').forEachLogProb(rows, visit);
}


/** Rows [start, end) of `rows`, numbered from 0. */
export function rowRange(rows: Rows, start: number, end: number): Rows {
  return {
    n: end - start,
    d: rows.d,
    copyRows: (s, count, dst, dstOff) => rows.copyRows(start + s, count, dst, dstOff),
  };
}
