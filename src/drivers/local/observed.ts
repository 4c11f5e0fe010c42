/**
 * E-passes and inference over rows that may hold missing values (NaN entries under missing: 'marginalize'). Complete
 * rows take the kernels' path unchanged (Workspace, either backend); rows with a NaN take the exact missing-value
 * path (model/missing/: log densities of the observed coordinates, conditional means and covariances for the
 * rest). The parts are put together in a fixed order — the complete rows' statistics, then the incomplete rows'
 * added to them — so a pass is a function of its rows alone, and rows without any NaN give exactly the kernels'
 * result.
 *
 * The missing-value path is plain JavaScript on both backends; it factors Σ_OO once per component and missingness
 * pattern per pass (O(k·d³) each) and costs O(k·d²) per row, like the kernels but without their SIMD.
 */
import { FitError } from '../../api/errors.js';
import type { Backend } from '../../backends/types.js';
import { Workspace } from '../../backends/workspace.js';
import type { Rows } from '../../data/matrix.js';
import type { RowSplit } from '../../data/missing.js';
import { layoutOf } from '../../model/covariance/layouts.js';
import { MissingWorkspace, LOG_2PI, type MissingStats, type MixtureParams } from '../../model/missing/index.js';
import type { KernelParams } from '../../model/params.js';
import { addStats, type SufficientStats } from '../../model/stats.js';

/** The missing-value module's view of kernel parameters: Σ from `covariances`, log πₖ recovered from logConst. */
export function mixtureParams(p: KernelParams): MixtureParams {
  if (!p.covariances) {
    throw new Error(
      'gaussmix: these E-step parameters carry no covariances, so rows with missing values cannot be served',
    );
  }
  const layout = layoutOf(p.layout);
  const logDet = new Float64Array(p.k);
  layout.logDet(p.prec, p.k, p.d, logDet);
  const half = 0.5 * p.d * LOG_2PI;
  return {
    k: p.k,
    d: p.d,
    layout: layout.name,
    weights: new Float64Array(0),
    logWeights: Float64Array.from(p.logConst, (v, c) => v - logDet[c] + half),
    means: p.means,
    covariances: p.covariances,
  };
}

/**
 * Runs one step of the missing-value path. Its only failure on valid parameters is a Σ_OO that does not factor,
 * i.e. a covariance on the edge of singularity (the M-step's positive-definiteness test, with its noise floors,
 * makes that practically unreachable): a FitError that says what to change.
 */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new FitError(
        `${e.message} (numerically singular): raise regCovar, use fewer components, or rescale the data`,
      );
    }
    throw e;
  }
}

/** Kernels and the missing-value path loaded with one set of parameters. */
export class ObservedPass {
  private ws: Workspace | null = null;
  private mws: MissingWorkspace | null = null;
  private rows = new Float64Array(0);
  private w = new Float64Array(0);
  private lp = new Float64Array(0);
  private local = new Int32Array(0);

  constructor(readonly backend: Backend) {}

  /** Loads `params` into both paths (reusing the workspaces when their shape fits). */
  load(params: KernelParams): this {
    if (this.ws?.fits(params)) this.ws.load(params);
    else this.ws = Workspace.of(this.backend, params);
    const mp = mixtureParams(params);
    const m = this.mws;
    if (!(m && m.k === mp.k && m.d === mp.d && m.layout === mp.layout)) {
      this.mws = new MissingWorkspace(mp.d, mp.k, mp.layout);
    }
    // the complete rows' statistics (the model's statsKind) and the incomplete rows' (the layout's) are added
    // together: a model whose statistics kind did not follow its layout would mix two shapes silently
    if (this.mws!.sxxKind !== params.sxxKind) {
      throw new Error(
        `gaussmix: the missing-value path keeps '${this.mws!.sxxKind}' statistics for layout '${mp.layout}', the model '${params.sxxKind}'`,
      );
    }
    this.mws!.setParams(mp);
    return this;
  }

  get k(): number {
    return this.kernel().k;
  }

  private kernel(): Workspace {
    if (!this.ws) throw new Error('gaussmix: ObservedPass used before load()');
    return this.ws;
  }

  private missing(): MissingWorkspace {
    if (!this.mws) throw new Error('gaussmix: ObservedPass used before load()');
    return this.mws;
  }

  private buffers(rows: number, d: number, k: number): void {
    if (this.rows.length < rows * d) this.rows = new Float64Array(rows * d);
    if (this.w.length < rows) this.w = new Float64Array(rows);
    if (this.lp.length < rows * k) this.lp = new Float64Array(rows * k);
    if (this.local.length < rows) this.local = new Int32Array(rows);
  }

  /**
   * Sufficient statistics of rows [start, end) of split.rows (soft responsibilities): the complete rows through the
   * kernels (weights `wComplete`: split.completeWeights(w)), then the incomplete ones added. `rankBase` is the number
   * of incomplete rows before split.rows in the whole data (a stream's earlier chunks), which the missing-value path
   * cuts its blocks by.
   */
  accumulate(
    split: RowSplit,
    w: Float64Array | null,
    wComplete: Float64Array | null,
    start: number,
    end: number,
    rankBase = 0,
  ): SufficientStats {
    const st = this.kernel().accumulate(
      split.complete,
      wComplete,
      false,
      split.completeBefore(start),
      split.completeBefore(end),
    );
    const i0 = split.incompleteBefore(start);
    const i1 = split.incompleteBefore(end);
    if (i1 === i0) return st;
    return addStats(st, this.accumulateIncomplete(split.rows, split.incomplete, w, i0, i1, rankBase));
  }

  /** Statistics of the incomplete rows idx[i0 … i1), copied a block of the missing-value path at a time. */
  private accumulateIncomplete(
    rows: Rows,
    idx: Int32Array,
    w: Float64Array | null,
    i0: number,
    i1: number,
    rankBase: number,
  ): MissingStats {
    const mws = this.missing();
    const { d } = rows;
    const B = mws.block;
    this.buffers(B, d, mws.k);
    const buf = this.rows;
    let total: MissingStats | undefined;
    for (let r = i0; r < i1; ) {
      const abs = rankBase + r;
      const next = Math.min(i1, r + B - (abs % B)); // blocks at multiples of B in the whole data's numbering
      const m = next - r;
      for (let t = 0; t < m; ) {
        let run = 1;
        while (t + run < m && idx[r + t + run] === idx[r + t] + run) run++;
        rows.copyRows(idx[r + t], run, buf, t * d);
        t += run;
      }
      if (w) for (let t = 0; t < m; t++) this.w[t] = w[idx[r + t]];
      const into = total;
      total = guarded(() =>
        mws.accumulate(buf.subarray(0, m * d), {
          sampleWeight: w ? this.w.subarray(0, m) : null,
          rowBase: abs,
          into,
        }),
      );
      r = next;
    }
    return total!;
  }

  /**
   * log πc N(x_O; μc_O, Σc_OO) of every row, block by block, as Workspace.forEachLogProb: complete rows get the
   * kernels' values, rows with a NaN their observed-data ones.
   */
  forEachLogProb(rows: Rows, visit: (start: number, count: number, lp: Float64Array) => void): void {
    this.kernel().forEachLogProb(rows, (start, count, lp) => {
      this.patch(rows, start, count, lp, null);
      visit(start, count, lp);
    });
  }

  /** Log responsibilities and log p(x_O), block by block, as Workspace.forEachLogResp. */
  forEachLogResp(
    rows: Rows,
    visit: (start: number, count: number, logResp: Float64Array, lse: Float64Array) => void,
  ): void {
    this.kernel().forEachLogResp(rows, (start, count, lr, lse) => {
      this.patch(rows, start, count, lr, lse);
      visit(start, count, lr, lse);
    });
  }

  /**
   * Overwrites the kernels' values for the rows of block [start, start + count) that hold a NaN: their log πc N(·)
   * (lse null), or their log responsibilities and log p(x_O).
   */
  private patch(rows: Rows, start: number, count: number, out: Float64Array, lse: Float64Array | null): void {
    const mws = this.missing();
    const { d } = rows;
    const { k } = mws;
    this.buffers(count, d, k);
    const buf = this.rows;
    rows.copyRows(start, count, buf, 0);
    let m = 0;
    for (let i = 0; i < count; i++) {
      for (let j = i * d; j < (i + 1) * d; j++) {
        if (Number.isNaN(buf[j])) {
          if (m < i) buf.copyWithin(m * d, i * d, (i + 1) * d);
          this.local[m++] = i;
          break;
        }
      }
    }
    if (m === 0) return;
    const lp = this.lp;
    guarded(() => mws.logProb(buf.subarray(0, m * d), lp.subarray(0, m * k)));
    for (let t = 0; t < m; t++) {
      const o = this.local[t] * k;
      if (!lse) {
        for (let c = 0; c < k; c++) out[o + c] = lp[t * k + c];
        continue;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (lp[t * k + c] > max) max = lp[t * k + c];
      if (max === -Infinity || Number.isNaN(max)) {
        // every density underflows: the kernels' convention
        lse[this.local[t]] = -Infinity;
        out.fill(-Math.log(k), o, o + k);
        continue;
      }
      let s = 0;
      for (let c = 0; c < k; c++) s += Math.exp(lp[t * k + c] - max);
      const ls = Math.log(s);
      lse[this.local[t]] = max + ls;
      for (let c = 0; c < k; c++) out[o + c] = lp[t * k + c] - max - ls;
    }
  }

  /** Rows with every missing entry replaced by Σₖ rₖ·E[x_M | x_O, k] (observed entries copied) into out (n×d). */
  impute(rows: Rows, out: Float64Array, outOff = 0): void {
    const mws = this.missing();
    const { n, d } = rows;
    const B = mws.block;
    this.buffers(B, d, mws.k);
    for (let s = 0; s < n; s += B) {
      const count = Math.min(B, n - s);
      rows.copyRows(s, count, this.rows, 0);
      const view = out.subarray(outOff + s * d, outOff + (s + count) * d);
      guarded(() => mws.impute(this.rows.subarray(0, count * d), view, { rowBase: s }));
    }
  }
}
