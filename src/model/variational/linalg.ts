/**
 * The few dense helpers the variational math needs (K factorisations of D×D matrices per iteration). Row-major
 * Float64Arrays addressed with an offset. The library has its own linalg; the integration may dedupe these. What
 * differs between covariance types is in covariance/.
 */

/**
 * Lower Cholesky factor L (A = L·Lᵀ) of the symmetric matrix at a[aOff] (its lower triangle is read), written to
 * out[outOff] with zeros above the diagonal. Returns the index of the first pivot that is not positive and finite,
 * or -1.
 */
export function choleskyLower(a: Float64Array, aOff: number, d: number, out: Float64Array, outOff: number): number {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[aOff + i * d + j];
      for (let p = 0; p < j; p++) s -= out[outOff + i * d + p] * out[outOff + j * d + p];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return i;
        out[outOff + i * d + i] = Math.sqrt(s);
      } else {
        out[outOff + i * d + j] = s / out[outOff + j * d + j];
      }
    }
    for (let j = i + 1; j < d; j++) out[outOff + i * d + j] = 0;
  }
  return -1;
}

/**
 * Upper-triangular P = (L⁻¹)ᵀ from the lower Cholesky factor L at l[lOff] (scikit-learn's
 * solve_triangular(L, I, lower=True).T), written to out[outOff]: P·Pᵀ = (L·Lᵀ)⁻¹.
 */
export function precisionFactorFromLower(
  l: Float64Array,
  lOff: number,
  d: number,
  out: Float64Array,
  outOff: number,
): void {
  // column c of L⁻¹ by forward substitution; stored transposed (row c of P)
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < c; i++) out[outOff + c * d + i] = 0;
    for (let i = c; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let p = c; p < i; p++) s -= l[lOff + i * d + p] * out[outOff + c * d + p];
      out[outOff + c * d + i] = s / l[lOff + i * d + i];
    }
  }
}

/** Λ = P·Pᵀ for the upper-triangular d×d factor at p[pOff], written (full, symmetric) to out[outOff]. */
export function precisionFromFactor(p: Float64Array, pOff: number, d: number, out: Float64Array, outOff: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let q = j; q < d; q++) s += p[pOff + i * d + q] * p[pOff + j * d + q];
      out[outOff + i * d + j] = s;
      out[outOff + j * d + i] = s;
    }
  }
}
