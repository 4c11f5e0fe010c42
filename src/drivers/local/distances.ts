/**
 * Distances from rows to centers, for k-means and its seeding: in units of s (invScale = s⁻¹, a power of two, so
 * scaling is exact), measured either in JS (sqDist) or by the log-density kernel with identity precisions.
 */
import type { Backend } from '../../backends/types.js';
import { Workspace } from '../../backends/workspace.js';
import type { Rows } from '../../data/matrix.js';
import { LAYOUT_CODE } from '../../model/covariance/layouts.js';

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

/**
 * A workspace whose log density is −½‖(x − c)·s⁻¹‖² for the given centers (row-major, d columns): precisions s⁻¹·I
 * (the diagonal of full k×d×d matrices, or k×d) and zero log constants. k-means++, Lloyd, the nearest-seed statistics
 * and the k-means labels all measure distances through it.
 */
export function nearestCenterWorkspace(
  backend: Backend,
  d: number,
  centers: Float64Array,
  invScale: number,
  kind: 'full' | 'diag',
): Workspace {
  const k = centers.length / d;
  const prec = new Float64Array(kind === 'full' ? k * d * d : k * d);
  if (kind === 'full') for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) prec[c * d * d + j * d + j] = invScale;
  else prec.fill(invScale);
  const layout = kind === 'full' ? LAYOUT_CODE.tri : LAYOUT_CODE.diag;
  return Workspace.of(backend, { k, d, layout, sxxKind: kind, means: centers, prec, logConst: new Float64Array(k) });
}

/**
 * Squared distances from every row to each of the centers (row-major m×d), in units of s, block by block:
 * `visit(start, count, lp)` gets −½·dist (count×m; dist of row i to center t is −2·lp[i·m + t]). The log-density
 * kernel computes them (nearestCenterWorkspace): the same sum as sqDist in the same order (and halving/doubling is
 * exact unless the distance is subnormal).
 */
export function forEachHalfSqDist(
  rows: Rows,
  centers: Float64Array,
  backend: Backend,
  invScale: number,
  visit: (start: number, count: number, lp: Float64Array) => void,
): void {
  nearestCenterWorkspace(backend, rows.d, centers, invScale, 'diag').forEachLogProb(rows, visit);
}
