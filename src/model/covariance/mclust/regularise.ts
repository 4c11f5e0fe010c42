/**
 * gaussmix's `regCovar` for the mclust models: add n_k·regCovar to the diagonal of each scatter matrix W_k
 * BEFORE the constrained estimate, instead of adding regCovar to the diagonal of each Σ_k after it.
 *
 * Why: adding regCovar·I after the estimate breaks the constraints of most models (λk·A + r·I no longer has a
 * common shape, λ·A_k + r·I no longer has equal volumes, D·A_k·Dᵀ + r·I keeps D but λ·D_k·A·D_kᵀ + r·I changes
 * the shape of each component differently …), so a fitted VEV model would not be a VEV model. Adding n_k·r·I to
 * W_k keeps every estimate the exact constrained MLE of a (ridge-augmented) scatter, so every constraint holds
 * exactly, and it is the same device as mclust's conjugate prior (priorControl()), which also adds its scale
 * matrix to the scatter before the constrained update.
 *
 * For the four models scikit-learn has, this is exactly today's result:
 *   VVV (full)      (W_k + n_k r I)/n_k          = W_k/n_k + r I
 *   EEE (tied)      Σ_k(W_k + n_k r I)/n         = Σ_k W_k/n + r I
 *   VVI (diag)      diag(W_k + n_k r I)/n_k      = diag(W_k)/n_k + r
 *   VII (spherical) tr(W_k + n_k r I)/(D n_k)    = tr(W_k)/(D n_k) + r
 * and also for EII (+ r) and EEI (diag + r). For the other models it differs from "+ r·I after" by O(r) terms
 * that the constraint redistributes (e.g. VEI: the common shape is re-estimated from the augmented diagonals).
 * regCovar = 0 leaves W untouched (exact mclust).
 *
 * Returns a new array; `w` is not modified.
 */
export function regulariseScatter(
  w: Float64Array,
  nk: Float64Array,
  d: number,
  k: number,
  regCovar: number,
): Float64Array {
  const out = Float64Array.from(w);
  if (regCovar === 0) return out;
  if (!(regCovar >= 0) || !Number.isFinite(regCovar)) throw new Error('regCovar must be a finite number >= 0');
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    const add = nk[c] * regCovar;
    for (let j = 0; j < d; j++) out[c * dd + j * d + j] += add;
  }
  return out;
}
