/**
 * Precision matrices (scikit-learn's precisions_) from the precision factors the model keeps: P·Pᵀ for the
 * triangular layouts, squares for the diagonal and scalar ones — the same layout, so the public shape is the
 * covariances'. From the factor rather than by inverting Σ again: it is what the kernels use, so the precisions
 * agree with the densities to rounding.
 */
import type { Layout } from './covariance/layouts.js';

export function precisionsFromFactors(layout: Layout, precChol: Float64Array, k: number, d: number): Float64Array {
  const out = new Float64Array(precChol.length);
  if (layout.name === 'diag' || layout.name === 'scalar') {
    for (let i = 0; i < precChol.length; i++) out[i] = precChol[i] * precChol[i];
    return out;
  }
  const blocks = layout.blocks(k);
  for (let b = 0; b < blocks; b++) {
    const o = b * d * d;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        // (P·Pᵀ)ᵢⱼ = Σₜ PᵢₜPⱼₜ; P is upper-triangular, so t runs from max(i, j) = i
        let s = 0;
        for (let t = i; t < d; t++) s += precChol[o + i * d + t] * precChol[o + j * d + t];
        out[o + i * d + j] = s;
        out[o + j * d + i] = s;
      }
    }
  }
  return out;
}
