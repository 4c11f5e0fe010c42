// The kernels' only memory of their own, and the limits it imposes.
//
// Kernels allocate nothing (TypeScript owns the heap above heapBase() and grows it only between passes), so every
// temporary lives in one static buffer whose size fixes the largest d and the fused path's largest k. Keeping the
// buffer, those limits and the argument checks in one place makes the budget auditable: each phase that borrows the
// buffer says what it puts there (log-density.ts: a tile's transposed diffs; responsibilities.ts: the (lse, s)
// slots of a run of tiles; statistics.ts: the packed rows of a rank-b update, or one such block per component and
// per-component row lists; small-d.ts: a tile's lanes and the per-component lane accumulators). Only one phase uses
// it at a time.
//
// Storage layouts: the kernels know how the precision factors are stored, not which covariance model produced them
// (TypeScript maps full → LAYOUT_TRI, tied → LAYOUT_SHARED_TRI, diag → LAYOUT_DIAG, spherical → LAYOUT_SCALAR).

/** Largest supported number of features. */
export const MAX_D: i32 = 4096;
/**
 * The one static buffer (64 KiB; asconfig's 2 initial pages must hold all static data). E-tiles: the diffs x − μ of
 * a tile's rows, transposed (rows in lanes). M-accumulation: the packed rows u (first half) and v (second half).
 */
export const BUF_DOUBLES: i32 = 8192;
export const BUF: usize = memory.data(BUF_DOUBLES * 8, 16);
export const BUF_V: usize = BUF + (<usize>BUF_DOUBLES << 2);

/**
 * Negligible pairs (generic path, `prune` ≥ k·NEGLIGIBLE_RESP): a (row, component) pair whose log density is more than
 * NEGLIGIBLE_LOG below its row's best has a responsibility below e^−64 ≈ 1.6e−28, which the statistics prune anyway;
 * log-density.ts may cut its triangular product and responsibilities.ts skips its exp. Mirrored by the twin.
 */
export const NEGLIGIBLE_LOG: f64 = 64.0;
/** e^−NEGLIGIBLE_LOG. */
export const NEGLIGIBLE_RESP: f64 = 1.603810890548638e-28;

/** Whether `prune` allows treating negligible pairs as 0: k of them stay below it. */
export function negligibleOn(prune: f64, k: i32): bool {
  return prune > 0.0 && prune >= <f64>k * NEGLIGIBLE_RESP;
}

/** k upper-triangular d×d factors, one per component. */
export const LAYOUT_TRI: i32 = 0;
/** One upper-triangular d×d factor shared by all components. */
export const LAYOUT_SHARED_TRI: i32 = 1;
/** k×d: one precision per component and feature (the diagonal of the factor). */
export const LAYOUT_DIAG: i32 = 2;
/** k values: one precision per component, the same for every feature. */
export const LAYOUT_SCALAR: i32 = 3;

/** The preconditions every exported kernel checks on entry (a violation aborts: a JS Error through the loader). */
export function checkArgs(d: i32, k: i32, layout: i32): void {
  if (d < 1 || d > MAX_D) throw new Error('gaussmix kernels: d must be in 1..4096');
  if (k < 1) throw new Error('gaussmix kernels: k must be >= 1');
  if (layout < LAYOUT_TRI || layout > LAYOUT_SCALAR) throw new Error('gaussmix kernels: bad layout');
}
