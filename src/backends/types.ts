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
  ): void;
}

export type BackendName = 'wasm' | 'js';

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** First usable byte offset of the heap (a multiple of 16). */
  readonly base: number;
  /** Make the heap at least `bytes` long. Growing detaches earlier views: call `f64()` again afterwards. */
  reserve(bytes: number): void;
  /** A Float64Array over the whole heap; index = byte pointer / 8. */
  f64(): Float64Array;
}
