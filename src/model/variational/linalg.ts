/**
 * The few dense helpers the variational math needs (K factorisations of D×D matrices per iteration). Row-major
 * Float64Arrays addressed with an offset. The precision factor (L⁻¹)ᵀ is model/linalg.ts's invertLowerTransposed, the
 * one EM's M-step uses. What differs between covariance types is in covariance/.
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
