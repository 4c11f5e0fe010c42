/**
 * The E-pass driver: lays out parameters, one block of rows, scratch and statistics in a backend's heap and runs
 * the kernels block by block. Memory is reserved once per call (never inside the block loop), and parameters are
 * rewritten at the start of every call so several workspaces can share one backend heap safely.
 */
import type { Backend } from './types.js';
import type { Rows } from '../data/matrix.js';
import { layoutOf } from '../model/covariance/layouts.js';
import type { KernelParams } from '../model/params.js';
import { emptyStats, type SufficientStats } from '../model/stats.js';

/** What fixes a workspace's memory layout: the size of the model and what the kernels read and accumulate. */
export type KernelShape = Pick<KernelParams, 'k' | 'd' | 'layout' | 'sxxKind'>;

/** Doubles of a precision-factor array of this layout. */
function precSize(s: KernelShape): number {
  const layout = layoutOf(s.layout);
  return layout.blocks(s.k) * layout.blockSize(s.d);
}

const align2 = (doubles: number): number => (doubles + 1) & ~1; // keep every array 16-byte aligned

/** Rows per block: large enough to amortise call overhead, small enough to stay in cache. */
export function blockRows(d: number, k: number): number {
  return Math.max(16, Math.min(4096, Math.floor(65536 / (d + k + 1))));
}

export class Workspace {
  readonly block: number;
  readonly d: number;
  readonly k: number;
  private readonly layout: number;
  private readonly sxxKind: 'full' | 'diag';
  private readonly sxxLen: number;
  private readonly statsLen: number;
  // offsets in doubles (byte pointer = offset * 8)
  private readonly oMeans: number;
  private readonly oPrec: number;
  private readonly oLogConst: number;
  private readonly oX: number;
  private readonly oW: number;
  private readonly oScratch: number;
  private readonly oStats: number;
  private readonly oLse: number;
  private readonly oLmr: number;
  private readonly bytes: number;
  private means: Float64Array;
  private prec: Float64Array;
  private logConst: Float64Array;

  constructor(
    readonly backend: Backend,
    shape: KernelShape,
    block = blockRows(shape.d, shape.k),
  ) {
    const { d, k } = shape;
    this.d = d;
    this.k = k;
    this.block = block;
    this.layout = shape.layout;
    this.sxxKind = shape.sxxKind;
    this.sxxLen = shape.sxxKind === 'full' ? k * d * d : k * d;
    this.statsLen = 2 + k + k * d + this.sxxLen;
    let at = align2(backend.base / 8);
    const take = (len: number): number => {
      const o = at;
      at = align2(at + len);
      return o;
    };
    this.oMeans = take(k * d);
    this.oPrec = take(precSize(shape));
    this.oLogConst = take(k);
    this.oX = take(block * d);
    this.oW = take(block);
    this.oScratch = take(block * k);
    this.oStats = take(this.statsLen);
    this.oLse = take(block);
    this.oLmr = take(block);
    this.bytes = at * 8;
    this.means = new Float64Array(k * d);
    this.prec = new Float64Array(precSize(shape));
    this.logConst = new Float64Array(k);
  }

  /** A workspace sized for `params`, loaded with them. */
  static of(backend: Backend, params: KernelParams): Workspace {
    const ws = new Workspace(backend, params);
    ws.load(params);
    return ws;
  }

  /** Whether parameters of this shape fit the workspace's memory layout. */
  fits(p: KernelShape): boolean {
    return p.k === this.k && p.d === this.d && p.layout === this.layout && p.sxxKind === this.sxxKind;
  }

  /** Parameters for the next passes (copied; the caller may reuse its arrays). Their shape must be the workspace's. */
  load(p: KernelParams): void {
    if (!this.fits(p) || p.prec.length !== this.prec.length) {
      throw new Error(
        `gaussmix: parameters of shape k=${p.k}, d=${p.d}, layout ${p.layout} loaded into a workspace for k=${this.k}, d=${this.d}, layout ${this.layout}`,
      );
    }
    this.means = p.means.slice();
    this.prec = p.prec.slice();
    this.logConst = p.logConst.slice();
  }

  private prepare(): Float64Array {
    this.backend.reserve(this.bytes);
    const heap = this.backend.f64();
    heap.set(this.means, this.oMeans);
    heap.set(this.prec, this.oPrec);
    heap.set(this.logConst, this.oLogConst);
    return heap;
  }

  /**
   * One E-pass over rows [start, end): returns the sufficient statistics around the current means.
   * `hard` replaces responsibilities by the one-hot argmax (classification EM, k-means).
   */
  accumulate(rows: Rows, weights: Float64Array | null, hard: boolean, start = 0, end = rows.n): SufficientStats {
    let heap = this.prepare();
    heap.fill(0, this.oStats, this.oStats + this.statsLen);
    const { d, k, block } = this;
    const kern = this.backend.kernels;
    for (let s = start; s < end; s += block) {
      const count = Math.min(block, end - s);
      rows.copyRows(s, count, heap, this.oX);
      if (weights) heap.set(weights.subarray(s, s + count), this.oW);
      kern.eStepAccumulate(
        this.oX * 8,
        this.oW * 8,
        weights ? 1 : 0,
        count,
        d,
        k,
        this.layout,
        hard ? 1 : 0,
        this.oMeans * 8,
        this.oPrec * 8,
        this.oLogConst * 8,
        this.oScratch * 8,
        this.oStats * 8,
        this.backend.prune,
      );
      heap = this.backend.f64(); // a kernel never grows memory, but a view is cheap to re-fetch
    }
    const st = emptyStats(k, d, this.sxxKind, this.means);
    const o = this.oStats;
    st.logLik = heap[o];
    st.sumW = heap[o + 1];
    st.nk.set(heap.subarray(o + 2, o + 2 + k));
    st.sx.set(heap.subarray(o + 2 + k, o + 2 + k + k * d));
    st.sxx.set(heap.subarray(o + 2 + k + k * d, o + this.statsLen));
    if (st.sxxKind === 'full') mirrorUpper(st.sxx, k, d);
    return st;
  }

  /** Block by block: lays out the parameters, copies the block's rows in, then calls `each(start, count)`. */
  private rowBlocks(rows: Rows, each: (start: number, count: number) => void): void {
    for (let s = 0; s < rows.n; s += this.block) {
      const heap = this.prepare();
      const count = Math.min(this.block, rows.n - s);
      rows.copyRows(s, count, heap, this.oX);
      each(s, count);
    }
  }

  /** Block by block: copies the rows in, computes their log densities into scratch, then calls `then(start, count)`. */
  private logProbBlocks(rows: Rows, then: (start: number, count: number) => void): void {
    const { d, k } = this;
    const kern = this.backend.kernels;
    this.rowBlocks(rows, (s, count) => {
      kern.logProb(
        this.oX * 8,
        count,
        d,
        k,
        this.layout,
        this.oMeans * 8,
        this.oPrec * 8,
        this.oLogConst * 8,
        this.oScratch * 8,
      );
      then(s, count);
    });
  }

  /**
   * Log densities log πc N(x; μc, Σc) of every row, block by block: `visit(start, count, lp)` gets a view into the heap
   * (count×k) that is valid only during the call.
   */
  forEachLogProb(rows: Rows, visit: (start: number, count: number, lp: Float64Array) => void): void {
    this.logProbBlocks(rows, (s, count) =>
      visit(s, count, this.backend.f64().subarray(this.oScratch, this.oScratch + count * this.k)),
    );
  }

  /**
   * log p(x) and log max_c r_c of every row, block by block, without the log densities or responsibilities (the
   * scoreRows kernel): `visit(start, count, lse, lmr)` gets views into the heap valid only during the call. lse is
   * the kernels' value before forEachLogResp's repairs (NaN where x − μ overflowed; the caller repairs).
   */
  forEachScore(rows: Rows, visit: (start: number, count: number, lse: Float64Array, lmr: Float64Array) => void): void {
    const { d, k } = this;
    this.rowBlocks(rows, (s, count) => {
      this.backend.kernels.scoreRows(
        this.oX * 8,
        count,
        d,
        k,
        this.layout,
        this.oMeans * 8,
        this.oPrec * 8,
        this.oLogConst * 8,
        this.oScratch * 8,
        this.oLse * 8,
        this.oLmr * 8,
      );
      const view = this.backend.f64();
      visit(s, count, view.subarray(this.oLse, this.oLse + count), view.subarray(this.oLmr, this.oLmr + count));
    });
  }

  /**
   * Log responsibilities and log p(x) for every row, block by block: `visit(start, count, logResp, lse)` gets views
   * into the heap (count×k and count) that are valid only during the call.
   */
  forEachLogResp(
    rows: Rows,
    visit: (start: number, count: number, logResp: Float64Array, lse: Float64Array) => void,
  ): void {
    const { k } = this;
    this.logProbBlocks(rows, (s, count) => {
      this.backend.kernels.normalizeRows(this.oScratch * 8, count, k, this.oLse * 8);
      const view = this.backend.f64();
      repairRows(view, this.oScratch, this.oLse, count, k);
      visit(
        s,
        count,
        view.subarray(this.oScratch, this.oScratch + count * k),
        view.subarray(this.oLse, this.oLse + count),
      );
    });
  }
}

/**
 * Two repairs of the kernels' log-sum-exp, for rows far out in the tails:
 *  - a row so far from a model that x − μ overflows (e.g. |x| ≈ 1e308 against means near −1e308) gets ∞·0 = NaN in
 *    the triangular Mahalanobis loop. Its density is 0 under every component, so it gets what the kernels give rows
 *    whose densities all underflow: log p = −∞ and uniform responsibilities — never NaN;
 *  - when |log p| is huge (≳ 1e3), `log r = log πN − log p` loses log Σ exp(·) to rounding (at 1e17 the spacing of
 *    doubles exceeds log 2), and the responsibilities stop summing to 1: such rows are renormalised.
 */
function repairRows(h: Float64Array, oResp: number, oLse: number, count: number, k: number): void {
  for (let r = 0; r < count; r++) {
    const l = h[oLse + r];
    const o = oResp + r * k;
    if (Number.isNaN(l)) {
      h[oLse + r] = -Infinity;
      h.fill(-Math.log(k), o, o + k);
    } else if (Math.abs(l) > 1e3 && l !== -Infinity) {
      let m = -Infinity;
      for (let c = 0; c < k; c++) if (h[o + c] > m) m = h[o + c];
      let s = 0;
      for (let c = 0; c < k; c++) s += Math.exp(h[o + c] - m);
      const shift = m + Math.log(s);
      for (let c = 0; c < k; c++) h[o + c] -= shift;
    }
  }
}

/** Copies the upper triangle of each d×d block into its lower triangle (kernels define only j ≥ i). */
function mirrorUpper(sxx: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    const o = c * d * d;
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) sxx[o + i * d + j] = sxx[o + j * d + i];
  }
}
