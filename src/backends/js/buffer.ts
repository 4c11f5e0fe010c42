/**
 * The twin of `assembly/buffer.ts`: the limits the wasm kernels' static buffer imposes, the storage-layout codes and
 * the argument checks — kept identical so both backends accept and reject exactly the same calls — and the twin's
 * own temporaries.
 *
 * The twin is not limited by a 64 KiB buffer, but it must still *behave* as if it were: `MAX_D` bounds d, and the
 * buffer's size fixes the block boundaries of the partial sums (statistics.ts), which the twin reproduces.
 */

/** Largest supported number of features (the wasm kernels' static buffer is sized for this). */
export const MAX_D = 4096;
/** Doubles in the wasm kernels' static buffer (the partial-sum blocks of statistics.ts depend on it). */
export const BUF_DOUBLES = 8192;

/**
 * Negligible pairs, as assembly/buffer.ts: a pair whose log density is more than NEGLIGIBLE_LOG below its row's best
 * has a responsibility below e^−64, which the statistics prune anyway; log-density.ts may cut it and
 * responsibilities.ts skips its exp, when `prune` allows it (negligibleOn).
 */
export const NEGLIGIBLE_LOG = 64;
/** e^−NEGLIGIBLE_LOG. */
export const NEGLIGIBLE_RESP = 1.603810890548638e-28;

/** Whether `prune` allows treating negligible pairs as 0: k of them stay below it. */
export function negligibleOn(prune: number, k: number): boolean {
  return prune > 0 && prune >= k * NEGLIGIBLE_RESP;
}

/** k upper-triangular d×d factors, one per component (covariance model 'full'). */
export const LAYOUT_TRI = 0;
/** One upper-triangular d×d factor shared by all components ('tied'). */
export const LAYOUT_SHARED_TRI = 1;
/** k×d: one precision per component and feature ('diag'). */
export const LAYOUT_DIAG = 2;
/** k values: one precision per component ('spherical'). */
export const LAYOUT_SCALAR = 3;

/** The preconditions every kernel checks on entry, with the wasm kernels' messages. */
export function checkArgs(d: number, k: number, layout: number): void {
  if (!(d >= 1 && d <= MAX_D)) throw new Error('gaussmix kernels: d must be in 1..4096');
  if (!(k >= 1)) throw new Error('gaussmix kernels: k must be >= 1');
  if (!(layout >= LAYOUT_TRI && layout <= LAYOUT_SCALAR)) throw new Error('gaussmix kernels: bad layout');
}

/**
 * The temporaries of one kernels instance (the twin's counterpart of the static buffer), grown on demand and reused
 * across calls so that a fit allocates nothing per block.
 */
export class Scratch {
  /** x − μ of a tile of up to four rows (length ≥ 4·d). */
  diff = new Float64Array(64);
  /** Per row of a 4-row tile: the best log density so far, ‖y‖² and the cut's threshold (log-density.ts). */
  readonly best = new Float64Array(4);
  readonly sums = new Float64Array(4);
  readonly thresholds = new Float64Array(4);
  /** The tile's row offsets, and per row of the call its nearest component and the rows ordered by it (the cut). */
  readonly rows = [0, 0, 0, 0];
  guess = new Int32Array(64);
  order = new Int32Array(64);

  /** Makes guess and order hold n rows. */
  ensureRows(n: number): void {
    if (this.guess.length < n) {
      this.guess = new Int32Array(n);
      this.order = new Int32Array(n);
    }
  }
  /** A packed block of rows (triangular layouts, d > 4): u and v, row stride 4·⌈d/4⌉, zero-padded. */
  U = new Float64Array(64);
  V = new Float64Array(64);
  /** Partial sums of one component: sx (T0) and sxx (T1: d×d for the triangular layouts with d ≤ 4, else d). */
  T0 = new Float64Array(64);
  T1 = new Float64Array(64);
  /** The fused small-d path's partial sums: [even rows, odd rows] × k × (nk, sx, sxx); sized by small-d.ts. */
  S = new Float64Array(64);

  /** Makes every buffer but S large enough for d features. */
  ensure(d: number): void {
    if (this.diff.length < 4 * d) this.diff = new Float64Array(4 * d);
    const need = BUF_DOUBLES / 2;
    if (this.U.length < need) {
      this.U = new Float64Array(need);
      this.V = new Float64Array(need);
    }
    if (this.T0.length < d) {
      this.T0 = new Float64Array(d);
      this.T1 = new Float64Array(Math.max(d, 16));
    }
  }
}
