/**
 * The seam between the EM driver and its compute backends. Both backends expose the kernels described in
 * `assembly/README.md` over one byte heap; the workspace lays its arrays out in that heap and calls the kernels.
 * `layout` is a kernel layout code (model/covariance/layouts.ts), never a covariance model's name.
 */

export interface Kernels {
  logProb(
    x: number,
    n: number,
    d: number,
    k: number,
    layout: number,
    means: number,
    prec: number,
    logConst: number,
    out: number,
  ): void;
  normalizeRows(lp: number, n: number, k: number, lse: number): void;
  /** Per row: lse[r] = log p(x_r) and lmr[r] = log max_c r_rc (assembly/README.md); scratch n·k doubles. */
  scoreRows(
    x: number,
    n: number,
    d: number,
    k: number,
    layout: number,
    means: number,
    prec: number,
    logConst: number,
    scratch: number,
    lse: number,
    lmr: number,
  ): void;
  eStepAccumulate(
    x: number,
    w: number,
    hasW: number,
    n: number,
    d: number,
    k: number,
    layout: number,
    hard: number,
    means: number,
    prec: number,
    logConst: number,
    scratch: number,
    stats: number,
    prune: number,
  ): void;
}

export type BackendName = 'wasm' | 'js';

/**
 * Responsibilities below this add nothing to the E-pass statistics (the kernels' `prune`). On well-separated data
 * most (row, component) pairs fall below it without being exactly 0, and skipping them is most of a pass's
 * accumulation at d > 4 (measured: −16% per EM iteration at d = 8, −31% at d = 32; docs/performance-notes.md). A pruned pair
 * would change nk by less than 1e-20 of one row's weight and sx, sxx by that times (x − μ) and (x − μ)²; the fits of
 * test/integration/prune.test.ts stay within 1e-12 of the exact pass (prune = 0).
 */
export const PRUNE_BELOW = 1e-20;

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** The `prune` threshold the workspaces pass to `eStepAccumulate` (PRUNE_BELOW; 0 = exact statistics). */
  readonly prune: number;
  /** First usable byte offset of the heap (a multiple of 16). */
  readonly base: number;
  /** Make the heap at least `bytes` long. Growing detaches earlier views: call `f64()` again afterwards. */
  reserve(bytes: number): void;
  /** A Float64Array over the whole heap; index = byte pointer / 8. */
  f64(): Float64Array;
}
