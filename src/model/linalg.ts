/**
 * Small dense linear algebra for the M-step (K factorisations of D×D matrices per iteration). Matrices are
 * row-major Float64Arrays addressed with an offset so K of them can share one buffer.
 */

/**
 * Σ a[aOff + p]·b[bOff + p] for p < n, in four interleaved partial sums: a single running sum waits on the latency
 * of each addition (~1.5 ns a term in V8 here), four independent ones less so — at D = 64 the Cholesky factorisation
 * runs ~25% faster, the inverse ~35% (docs/performance-notes.md). The order of the additions is fixed, so results
 * are the same everywhere.
 */
function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = 0;
  for (; p + 3 < n; p += 4) {
    s0 += a[aOff + p] * b[bOff + p];
    s1 += a[aOff + p + 1] * b[bOff + p + 1];
    s2 += a[aOff + p + 2] * b[bOff + p + 2];
    s3 += a[aOff + p + 3] * b[bOff + p + 3];
  }
  for (; p < n; p++) s0 += a[aOff + p] * b[bOff + p];
  return s0 + s1 + (s2 + s3);
}

/**
 * Lower Cholesky factor L (A = L·Lᵀ) of the symmetric matrix at a[aOff], written to out; returns the index of the
 * first pivot that fails, or -1. A pivot fails when it is not finite or not above its floor: 0 without `floor`,
 * floor[floorOff + i] for row i with one. The M-step passes floors at the rounding-noise level of the pivots, so a
 * covariance that is singular in exact arithmetic but came out barely positive through rounding is rejected (its
 * precision factor would be noise) — see PIVOT_NOISE in mstep.ts.
 */
export function choleskyPivot(
  a: Float64Array,
  aOff: number,
  d: number,
  out: Float64Array,
  outOff: number,
  floor?: Float64Array,
  floorOff = 0,
): number {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const s = a[aOff + i * d + j] - dot(out, outOff + i * d, out, outOff + j * d, j);
      if (i === j) {
        if (!(s > (floor ? floor[floorOff + i] : 0)) || !Number.isFinite(s)) return i;
        out[outOff + i * d + i] = Math.sqrt(s);
      } else {
        out[outOff + i * d + j] = s / out[outOff + j * d + j];
      }
    }
    for (let j = i + 1; j < d; j++) out[outOff + i * d + j] = 0;
  }
  return -1;
}

/** Lower Cholesky factor L (A = L·Lᵀ) of the symmetric matrix at a[aOff]; false if A is not positive definite. */
export function choleskyLower(a: Float64Array, aOff: number, d: number, out: Float64Array, outOff: number): boolean {
  return choleskyPivot(a, aOff, d, out, outOff) < 0;
}

/** Inverse of the lower-triangular L at l[lOff] (forward substitution, column by column), written to out. */
export function invertLower(l: Float64Array, lOff: number, d: number, out: Float64Array, outOff: number): void {
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < c; i++) out[outOff + i * d + c] = 0;
    out[outOff + c * d + c] = 1 / l[lOff + c * d + c];
    for (let i = c + 1; i < d; i++) {
      let s = 0;
      for (let p = c; p < i; p++) s -= l[lOff + i * d + p] * out[outOff + p * d + c];
      out[outOff + i * d + c] = s / l[lOff + i * d + i];
    }
  }
}

/**
 * (L⁻¹)ᵀ for the lower-triangular L at l[lOff], written to out (upper-triangular): invertLower followed by
 * transpose, but each column of L⁻¹ is built as a row of the result, so both operands of the inner product are read
 * contiguously (the M-step's precision factors: K of these per iteration).
 */
export function invertLowerTransposed(
  l: Float64Array,
  lOff: number,
  d: number,
  out: Float64Array,
  outOff: number,
): void {
  for (let c = 0; c < d; c++) {
    const row = outOff + c * d;
    for (let i = 0; i < c; i++) out[row + i] = 0;
    out[row + c] = 1 / l[lOff + c * d + c];
    for (let i = c + 1; i < d; i++) {
      const li = lOff + i * d;
      out[row + i] = -dot(l, li + c, out, row + c, i - c) / l[li + i];
    }
  }
}

/** Transposes the d×d matrix at src into dst (different buffers or offsets). */
export function transpose(src: Float64Array, sOff: number, d: number, dst: Float64Array, dOff: number): void {
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) dst[dOff + j * d + i] = src[sOff + i * d + j];
}

/** out = L·Lᵀ for lower-triangular L. */
export function lowerTimesTranspose(l: Float64Array, lOff: number, d: number, out: Float64Array, outOff: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p <= j; p++) s += l[lOff + i * d + p] * l[lOff + j * d + p];
      out[outOff + i * d + j] = s;
      out[outOff + j * d + i] = s;
    }
  }
}
