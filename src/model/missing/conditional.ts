/**
 * Gaussian conditionals for one covariance Σ (d×d) and one set of observed coordinates O (missing M = the rest):
 *
 *   L   Cholesky factor of Σ_OO (lower, Σ_OO = L·Lᵀ)          logDet = log det Σ_OO = 2 Σ log Lᵢᵢ
 *   B   = Σ_MO Σ_OO⁻¹        (|M|×|O|, the regression of x_M on x_O)
 *   C   = Σ_MM − B Σ_OM      (|M|×|M|, the conditional covariance; computed as Σ_MM − W Wᵀ with W = Σ_MO L⁻ᵀ,
 *                              which is symmetric by construction and positive semi-definite up to rounding)
 *
 * and, per row, the observed-data log density log N(x_O; μ_O, Σ_OO) with the centered completed row
 * dev = x̂ − μ, x̂ = (x_O, μ_M + B (x_O − μ_O)). Computing dev directly (dev_M = B·dev_O) avoids the cancellation
 * of forming μ_M + … and subtracting μ again. The caller adds r·dev, r·dev·devᵀ and r·C (in the M×M block) to
 * its statistics.
 *
 * Diagonal covariances (diag, spherical) are the special case where the missing coordinates are independent of
 * the observed ones: B = 0, C = diag(σ²_M), dev_M = 0 — `factorDiagonal` fills the same object without any
 * factorisation, and `conditionalRow` skips the triangular solve.
 *
 * A ConditionalFactors object is a workspace of capacity d (all arrays d² or d long, allocated once); re-factoring
 * it for another pattern or component allocates nothing.
 */

export const LOG_2PI = Math.log(2 * Math.PI);

export class ConditionalFactors {
  /** True when built by factorDiagonal: B = 0, C diagonal, chol diagonal. */
  diagonal = false;
  nObs = 0;
  nMis = 0;
  /** Observed coordinates (first nObs entries). */
  readonly obs: Int32Array;
  /** Missing coordinates (first nMis entries). */
  readonly mis: Int32Array;
  /** L, nObs×nObs lower-triangular, row-major with stride nObs (diagonal case: only the diagonal, √σ²). */
  readonly chol: Float64Array;
  /** log det Σ_OO. */
  logDet = 0;
  /** B = Σ_MO Σ_OO⁻¹, nMis×nObs row-major (zero in the diagonal case). */
  readonly regression: Float64Array;
  /** C = Σ_MM − Σ_MO Σ_OO⁻¹ Σ_OM, nMis×nMis row-major (both triangles). */
  readonly condCov: Float64Array;
  /** Scratch: W = Σ_MO L⁻ᵀ while factoring, then the whitened observed deviation z = L⁻¹(x_O − μ_O) per row. */
  readonly scratch: Float64Array;
  /** Scratch: x_O − μ_O (compact) per row. */
  readonly devObs: Float64Array;

  constructor(readonly d: number) {
    this.obs = new Int32Array(d);
    this.mis = new Int32Array(d);
    this.chol = new Float64Array(d * d);
    this.regression = new Float64Array(d * d);
    this.condCov = new Float64Array(d * d);
    this.scratch = new Float64Array(d * d);
    this.devObs = new Float64Array(d);
  }
}

function setCoords(f: ConditionalFactors, obs: ArrayLike<number>, mis: ArrayLike<number>): void {
  if (obs.length < 1 || obs.length + mis.length !== f.d) {
    throw new RangeError(`conditional: ${obs.length} observed + ${mis.length} missing coordinates for d = ${f.d}`);
  }
  f.nObs = obs.length;
  f.nMis = mis.length;
  for (let i = 0; i < obs.length; i++) f.obs[i] = obs[i];
  for (let i = 0; i < mis.length; i++) f.mis[i] = mis[i];
}

/**
 * Factors for a dense covariance: Σ is d×d row-major at cov[off …] (only the entries Σᵢⱼ with both i and j in O,
 * or one in O and one in M, or both in M, are read — i.e. all of it; Σ must be symmetric).
 * Returns false when Σ_OO is not (numerically) positive definite: a pivot ≤ 0 or not finite.
 */
export function factorFull(
  f: ConditionalFactors,
  cov: Float64Array,
  off: number,
  obs: ArrayLike<number>,
  mis: ArrayLike<number>,
): boolean {
  setCoords(f, obs, mis);
  f.diagonal = false;
  const { d, nObs: p, nMis: q, chol: L, regression: B, condCov: C, scratch: W } = f;
  const O = f.obs;
  const M = f.mis;
  // Cholesky of Σ_OO (row by row)
  let logDet = 0;
  for (let i = 0; i < p; i++) {
    const ri = off + O[i] * d;
    for (let j = 0; j <= i; j++) {
      let s = cov[ri + O[j]];
      for (let t = 0; t < j; t++) s -= L[i * p + t] * L[j * p + t];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return false;
        const r = Math.sqrt(s);
        L[i * p + i] = r;
        logDet += Math.log(r);
      } else {
        L[i * p + j] = s / L[j * p + j];
      }
    }
    for (let j = i + 1; j < p; j++) L[i * p + j] = 0;
  }
  f.logDet = 2 * logDet;
  if (q === 0) return true;
  // W = Σ_MO L⁻ᵀ: row m solves L·w = Σ_{O,m} (forward substitution)
  for (let m = 0; m < q; m++) {
    const rm = off + M[m] * d;
    for (let i = 0; i < p; i++) {
      let s = cov[rm + O[i]];
      for (let t = 0; t < i; t++) s -= L[i * p + t] * W[m * p + t];
      W[m * p + i] = s / L[i * p + i];
    }
  }
  // C = Σ_MM − W Wᵀ (upper triangle, mirrored)
  for (let a = 0; a < q; a++) {
    const ra = off + M[a] * d;
    for (let b = a; b < q; b++) {
      let s = 0;
      for (let t = 0; t < p; t++) s += W[a * p + t] * W[b * p + t];
      C[a * q + b] = C[b * q + a] = cov[ra + M[b]] - s;
    }
  }
  // B = W L⁻¹: row m solves Lᵀ·b = w (back substitution)
  for (let m = 0; m < q; m++) {
    for (let i = p - 1; i >= 0; i--) {
      let s = W[m * p + i];
      for (let t = i + 1; t < p; t++) s -= L[t * p + i] * B[m * p + t];
      B[m * p + i] = s / L[i * p + i];
    }
  }
  return true;
}

/**
 * Factors for a diagonal covariance: variance of coordinate j at variances[off + j·stride] (diag: stride 1;
 * spherical: stride 0, one variance for all coordinates). Returns false when an observed variance is not > 0.
 */
export function factorDiagonal(
  f: ConditionalFactors,
  variances: Float64Array,
  off: number,
  stride: number,
  obs: ArrayLike<number>,
  mis: ArrayLike<number>,
): boolean {
  setCoords(f, obs, mis);
  f.diagonal = true;
  const { nObs: p, nMis: q, chol: L, regression: B, condCov: C } = f;
  let logDet = 0;
  for (let i = 0; i < p; i++) {
    const v = variances[off + f.obs[i] * stride];
    if (!(v > 0) || !Number.isFinite(v)) return false;
    L[i * p + i] = Math.sqrt(v);
    logDet += Math.log(v);
  }
  f.logDet = logDet;
  B.fill(0, 0, p * q);
  C.fill(0, 0, q * q);
  for (let m = 0; m < q; m++) C[m * q + m] = variances[off + f.mis[m] * stride];
  return true;
}

/**
 * One row: returns log N(x_O; μ_O, Σ_OO) and writes dev = x̂ − μ (d entries at dev[devOff …]: x_O − μ_O on O,
 * B(x_O − μ_O) on M). With `completed`, also writes x̂ there (x_O on O, μ_M + dev_M on M).
 * x is read at x[xOff + j], μ at mean[meanOff + j].
 */
export function conditionalRow(
  f: ConditionalFactors,
  x: Float64Array,
  xOff: number,
  mean: Float64Array,
  meanOff: number,
  dev: Float64Array,
  devOff: number,
  completed?: Float64Array,
  completedOff = 0,
): number {
  const { nObs: p, nMis: q, obs: O, mis: M, chol: L, devObs: e, scratch: z } = f;
  let maha = 0;
  if (f.diagonal) {
    for (let i = 0; i < p; i++) {
      const j = O[i];
      const t = x[xOff + j] - mean[meanOff + j];
      dev[devOff + j] = t;
      const u = t / L[i * p + i];
      maha += u * u;
    }
    for (let m = 0; m < q; m++) dev[devOff + M[m]] = 0;
  } else {
    for (let i = 0; i < p; i++) {
      const j = O[i];
      const t = x[xOff + j] - mean[meanOff + j];
      dev[devOff + j] = t;
      e[i] = t;
      let s = t;
      for (let u = 0; u < i; u++) s -= L[i * p + u] * z[u];
      const zi = s / L[i * p + i];
      z[i] = zi;
      maha += zi * zi;
    }
    const B = f.regression;
    for (let m = 0; m < q; m++) {
      let s = 0;
      for (let i = 0; i < p; i++) s += B[m * p + i] * e[i];
      dev[devOff + M[m]] = s;
    }
  }
  if (completed) {
    for (let i = 0; i < p; i++) completed[completedOff + O[i]] = x[xOff + O[i]];
    for (let m = 0; m < q; m++) completed[completedOff + M[m]] = mean[meanOff + M[m]] + dev[devOff + M[m]];
  }
  return -0.5 * (p * LOG_2PI + f.logDet + maha);
}
