/**
 * Small dense eigen- and singular-value decompositions for the mclust covariance models (D×D matrices, D up to
 * ~100). Row-major Float64Arrays, no dependencies.
 *
 * - symmetricEigen: cyclic Jacobi (Rutishauser's variant with a threshold in the first sweeps and the
 *   "skip rotations below rounding" rule). Jacobi is slower than tridiagonal QR but simple, always converges, and
 *   computes small eigenvalues to high relative accuracy (Demmel & Veselić 1992), which matters for the
 *   det / shape normalisations of the constrained models.
 * - svd: one-sided Jacobi (Hestenes) on the columns, for m×n with m ≥ n.
 * - polarFactor: the orthogonal factor U·Vᵀ of A = U·S·Vᵀ (unique when A is non-singular) — what mclust's EVE and
 *   VVE M-steps take from LAPACK's dgesvd.
 */
import { FitError } from '../api/errors.js';

export interface SymmetricEigen {
  /** eigenvalues, descending */
  values: Float64Array;
  /** D×D row-major; column j is the unit eigenvector of values[j] */
  vectors: Float64Array;
  /** Jacobi sweeps used */
  sweeps: number;
}

const MAX_SWEEPS = 100;

/**
 * Eigen-decomposition A = V·diag(values)·Vᵀ of the symmetric d×d matrix at a[aOff] (only its upper triangle is
 * read). Eigenvalues are sorted descending; each eigenvector's sign is fixed so that its largest-magnitude entry
 * is positive (first such entry on ties), which makes the output deterministic.
 */
export function symmetricEigen(a: Float64Array, d: number, aOff = 0): SymmetricEigen {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = a[aOff + i * d + j];
      m[i * d + j] = v;
      m[j * d + i] = v;
    }
  }
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  const diag = new Float64Array(d);
  const b = new Float64Array(d);
  const zacc = new Float64Array(d);
  for (let i = 0; i < d; i++) diag[i] = b[i] = m[i * d + i];

  let sweeps = 0;
  for (; sweeps < MAX_SWEEPS; sweeps++) {
    let off = 0;
    for (let p = 0; p < d - 1; p++) for (let q = p + 1; q < d; q++) off += Math.abs(m[p * d + q]);
    if (off === 0) break;
    const thresh = sweeps < 3 ? (0.2 * off) / (d * d) : 0;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        const g = 100 * Math.abs(apq);
        // after 4 sweeps, an off-diagonal entry negligible against both diagonal entries is set to zero
        if (sweeps > 3 && Math.abs(diag[p]) + g === Math.abs(diag[p]) && Math.abs(diag[q]) + g === Math.abs(diag[q])) {
          m[p * d + q] = 0;
          continue;
        }
        if (Math.abs(apq) <= thresh) continue;
        const t = jacobiTangent(apq, diag[q] - diag[p], g);
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        const tau = s / (1 + c);
        const hh = t * apq;
        zacc[p] -= hh;
        zacc[q] += hh;
        diag[p] -= hh;
        diag[q] += hh;
        m[p * d + q] = 0;
        // rotate rows/columns p and q of the upper triangle
        for (let j = 0; j < p; j++) rot(m, j * d + p, j * d + q, s, tau);
        for (let j = p + 1; j < q; j++) rot(m, p * d + j, j * d + q, s, tau);
        for (let j = q + 1; j < d; j++) rot(m, p * d + j, q * d + j, s, tau);
        for (let j = 0; j < d; j++) rot(v, j * d + p, j * d + q, s, tau);
      }
    }
    for (let p = 0; p < d; p++) {
      b[p] += zacc[p];
      diag[p] = b[p];
      zacc[p] = 0;
    }
  }
  if (sweeps >= MAX_SWEEPS) throw new FitError('symmetricEigen: Jacobi did not converge (non-finite input?)');

  return { ...sortedWithFixedSigns(diag, v, d), sweeps };
}

/**
 * tan of the Jacobi rotation angle that zeroes apq, given h = a_qq − a_pp and g = 100·|apq|: the smaller root of
 * t² + 2θt − 1 = 0, or apq / h when θ² would overflow (|apq| negligible against h).
 */
function jacobiTangent(apq: number, h: number, g: number): number {
  if (Math.abs(h) + g === Math.abs(h)) return apq / h;
  const theta = (0.5 * h) / apq;
  const t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
  return theta < 0 ? -t : t;
}

/**
 * Eigenvalues descending (stable on ties: lower original index first), each vector's sign set so that its
 * largest-magnitude entry is positive — so the output does not depend on the rotation history's signs.
 */
function sortedWithFixedSigns(
  diag: Float64Array,
  v: Float64Array,
  d: number,
): { values: Float64Array; vectors: Float64Array } {
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => diag[y] - diag[x] || x - y);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const src = order[c];
    values[c] = diag[src];
    const sign = largestEntrySign(v, d, src);
    for (let r = 0; r < d; r++) vectors[r * d + c] = sign * v[r * d + src];
  }
  return { values, vectors };
}

/** Sign of the largest-magnitude entry of column `col` of the d×d matrix v (first such entry on ties). */
function largestEntrySign(v: Float64Array, d: number, col: number): number {
  let big = 0;
  let sign = 1;
  for (let r = 0; r < d; r++) {
    const x = v[r * d + col];
    if (Math.abs(x) > big) {
      big = Math.abs(x);
      sign = x < 0 ? -1 : 1;
    }
  }
  return sign;
}

function rot(m: Float64Array, i: number, j: number, s: number, tau: number): void {
  const g = m[i];
  const h = m[j];
  m[i] = g - s * (h + g * tau);
  m[j] = h + s * (g - h * tau);
}

export interface SVD {
  /** m×n row-major, orthonormal columns */
  u: Float64Array;
  /** n singular values, descending, ≥ 0 */
  s: Float64Array;
  /** n×n row-major, orthogonal; A = U·diag(s)·Vᵀ */
  v: Float64Array;
  sweeps: number;
}

/**
 * Thin SVD A = U·diag(s)·Vᵀ of the m×n (m ≥ n) row-major matrix at a[aOff], by one-sided Jacobi: plane rotations
 * applied on the right orthogonalise the columns of A·V; the column norms are the singular values. Columns of U
 * for zero singular values are completed to an orthonormal set (Gram–Schmidt against the unit vectors).
 */
export function svd(a: Float64Array, m: number, n: number, aOff = 0): SVD {
  if (m < n) throw new Error('svd: needs m >= n (pass the transpose)');
  const g = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) g[i] = a[aOff + i];
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const tol = 1e-15;
  // A column whose norm is below ε·‖A‖ is a zero singular direction to working precision: rotating it against
  // another column only moves rounding noise, and with gamma never exactly zero the sweeps would never end (a
  // rank-deficient polar-factor input of EVE/VVE's MM step with one component). Such pairs are left as they are.
  let frob = 0;
  for (let i = 0; i < m * n; i++) frob += g[i] * g[i];
  const negligible = frob * 2.220446049250313e-16 * 2.220446049250313e-16;
  let sweeps = 0;
  for (; sweeps < MAX_SWEEPS; sweeps++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = g[i * n + p];
          const y = g[i * n + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        if (alpha <= negligible || beta <= negligible) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = g[i * n + p];
          const y = g[i * n + q];
          g[i * n + p] = c * x - s * y;
          g[i * n + q] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[i * n + p];
          const y = v[i * n + q];
          v[i * n + p] = c * x - s * y;
          v[i * n + q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  if (sweeps >= MAX_SWEEPS) throw new FitError('svd: one-sided Jacobi did not converge (non-finite input?)');

  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let i = 0; i < m; i++) ss += g[i * n + j] * g[i * n + j];
    norms[j] = Math.sqrt(ss);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => norms[y] - norms[x] || x - y);
  const s = new Float64Array(n);
  const u = new Float64Array(m * n);
  const vs = new Float64Array(n * n);
  const smax = n > 0 ? norms[order[0]] : 0;
  const zeroBelow = smax * Math.max(m, n) * 2.220446049250313e-16;
  for (let c = 0; c < n; c++) {
    const src = order[c];
    s[c] = norms[src];
    for (let i = 0; i < n; i++) vs[i * n + c] = v[i * n + src];
    if (s[c] > zeroBelow && s[c] > 0) {
      for (let i = 0; i < m; i++) u[i * n + c] = g[i * n + src] / s[c];
    } else {
      s[c] = norms[src];
      completeColumn(u, m, n, c);
    }
  }
  return { u, s, v: vs, sweeps };
}

/** Sets column c of the m×n matrix u to a unit vector orthogonal to its columns 0..c-1. */
function completeColumn(u: Float64Array, m: number, n: number, c: number): void {
  for (let e = 0; e < m; e++) {
    const w = new Float64Array(m);
    w[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < c; j++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += u[i * n + j] * w[i];
        for (let i = 0; i < m; i++) w[i] -= dot * u[i * n + j];
      }
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += w[i] * w[i];
    nrm = Math.sqrt(nrm);
    if (nrm > 0.5) {
      for (let i = 0; i < m; i++) u[i * n + c] = w[i] / nrm;
      return;
    }
  }
}

/**
 * Orthogonal polar factor Q = U·Vᵀ of the square d×d matrix at a[aOff] (A = Q·H with H symmetric positive
 * semi-definite). Unique when A is non-singular; it is the orthogonal matrix nearest to A and the maximiser of
 * tr(Qᵀ·A), which is how the MM steps of Browne & McNicholas (2014) use it.
 */
export function polarFactor(a: Float64Array, d: number, aOff = 0): Float64Array {
  const { u, v } = svd(a, d, d, aOff);
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += u[i * d + c] * v[j * d + c];
      q[i * d + j] = sum;
    }
  }
  return q;
}
