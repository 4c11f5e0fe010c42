/**
 * Exact EM with missing values (Ghahramani & Jordan 1994), pure JS: the E-pass that turns rows with NaN entries
 * into expected sufficient statistics, the observed-data log densities, and conditional-mean imputation.
 *
 * For each row with observed coordinates O and missing M, and each component k (μₖ, Σₖ):
 *   log pₖ = log πₖ + log N(x_O; μₖ_O, Σₖ_OO),  log p(x) = logsumexpₖ log pₖ,  rₖ = pₖ / p(x)
 *   x̂ₖ = (x_O, μₖ_M + Σₖ_MO Σₖ_OO⁻¹ (x_O − μₖ_O)),  Cₖ = Σₖ_MM − Σₖ_MO Σₖ_OO⁻¹ Σₖ_OM
 * and the statistics, accumulated around the current means (never as E[xxᵀ] − μμᵀ), w = sample weight:
 *   nk = Σ w·rₖ,  sx = Σ w·rₖ·(x̂ₖ − μₖ),  sxx = Σ w·rₖ·[(x̂ₖ − μₖ)(x̂ₖ − μₖ)ᵀ + Cₖ on M×M],  logLik = Σ w·log p(x),
 *   sumW = Σ w
 * in the library's SufficientStats layout (sxxKind 'full' for the full-matrix layouts tri and sharedTri: k d×d
 * matrices, both triangles; 'diag' for the variance layouts diag and scalar: k×d), so the M-step consumes them
 * unchanged.
 *
 * Order of work and of summation (what makes the result deterministic):
 *  - rows are cut into blocks at absolute row indices that are multiples of `block` (rowBase + index in X);
 *  - within a block, rows are grouped by missingness pattern (patterns.ts: patterns by ascending bit set, rows of
 *    a pattern in ascending order); each pattern's rows are accumulated in that order into a block partial that
 *    starts from zero, the pattern's Σ w·rₖ·Cₖ term is added once after its rows;
 *  - each block partial is then added to the running total (a fresh one, or `into`) in block order.
 * Hence: the statistics are a function of the rows and parameters alone; rows of different patterns may be
 * interleaved in any way within a block; accumulating a range in several calls into the same `into`, in order,
 * with every split at a block boundary, is bit-identical to one call; and so is adding, in block order, per-block
 * statistics computed anywhere (one call per block into fresh statistics — what workers would ship), since each
 * is exactly that block's partial. Splits inside a block, or totals of several blocks merged in another order,
 * agree only up to rounding.
 *
 * Each (pattern, component) factorisation (Cholesky of Σ_OO, B, C — conditional.ts) is cached in the workspace
 * for the life of the parameters (setParams clears it), so a pattern is factored once per component per
 * iteration however many blocks it appears in, as long as the distinct patterns fit the cache (`cacheBytes`); when
 * the cache is full it is flushed and refilled. Factors are a deterministic function of (Σ, pattern), so the cache
 * never changes a result. Memory: O(block·d) for the grouping, O(k·d) row scratch, O(k·d²) partials, the cache.
 */
// The storage layout, not the covariance registry: an E-pass needs to know how the factors are stored, not which
// model constrained them.
import { LAYOUTS, type Layout, type LayoutName } from '../covariance/layouts.js';
import { ConditionalFactors, conditionalRow, factorDiagonal, factorFull } from './conditional.js';
import { MissingDataError, PatternGrouping } from './patterns.js';

/**
 * The statistics a model stored in each layout needs — its statsKind, which the kernels accumulate for the complete
 * rows of the same pass: off-diagonal scatter only where the layout keeps off-diagonal entries.
 */
const SXX_KIND: Readonly<Record<LayoutName, 'full' | 'diag'>> = {
  tri: 'full',
  sharedTri: 'full',
  diag: 'diag',
  scalar: 'diag',
};

/** Mixture parameters, flattened row-major, covariances in their storage layout (tri k·d·d, sharedTri d·d, diag k·d, scalar k). */
export interface MixtureParams {
  readonly k: number;
  readonly d: number;
  readonly layout: LayoutName;
  readonly weights: ArrayLike<number>;
  readonly means: ArrayLike<number>;
  readonly covariances: ArrayLike<number>;
  /**
   * log πₖ, when the caller has it in that form (used instead of log(weights), which may then be empty): the
   * library's kernel parameters carry log constants, not weights.
   */
  readonly logWeights?: ArrayLike<number>;
}

/** The library's SufficientStats shape (src/stats.ts), declared here so this module has no dependencies. */
export interface MissingStats {
  readonly k: number;
  readonly d: number;
  readonly sxxKind: 'full' | 'diag';
  logLik: number;
  sumW: number;
  readonly nk: Float64Array;
  readonly sx: Float64Array;
  readonly sxx: Float64Array;
  readonly centers: Float64Array;
}

export interface RowRange {
  /** First row of X to use (default 0). */
  start?: number;
  /** One past the last row (default: all rows of X). */
  end?: number;
  /** Absolute index of X's row 0 in the whole data set: block alignment and error messages (default 0). */
  rowBase?: number;
}

export interface AccumulateOptions extends RowRange {
  /** Sample weights, one per row of X (indexed like X, not like the range). */
  sampleWeight?: ArrayLike<number> | null;
  /** Add into these statistics (same k, d, kind, and centers equal to the means) instead of fresh ones. */
  into?: MissingStats;
}

export interface WorkspaceOptions {
  /** Rows per block (default missingBlockRows(d, k), the library's E-pass block size). */
  block?: number;
  /** Memory for cached factorisations, in bytes (default 8 MiB; at least one pattern's factors are always kept). */
  cacheBytes?: number;
}

/** The library's block size for an E-pass (src/workspace.ts blockRows), so blocks can line up with its chunks. */
export function missingBlockRows(d: number, k: number): number {
  return Math.max(16, Math.min(4096, Math.floor(65536 / (d + k + 1))));
}

/** The statistics the M-step of a model stored in `layout` needs: full scatter matrices or their diagonals. */
export const sxxKindOf = (layout: LayoutName): 'full' | 'diag' => SXX_KIND[layout];

/** Statistics with nothing accumulated, around the given centers. */
export function emptyMissingStats(
  k: number,
  d: number,
  sxxKind: 'full' | 'diag',
  centers: ArrayLike<number>,
): MissingStats {
  return {
    k,
    d,
    sxxKind,
    logLik: 0,
    sumW: 0,
    nk: new Float64Array(k),
    sx: new Float64Array(k * d),
    sxx: new Float64Array(sxxKind === 'full' ? k * d * d : k * d),
    centers: Float64Array.from(centers),
  };
}

const DEFAULT_CACHE_BYTES = 8 * 1024 * 1024;

/** Reusable state for the missing-value E-pass of one model shape (d, k, storage layout). */
export class MissingWorkspace {
  readonly block: number;
  readonly sxxKind: 'full' | 'diag';
  private readonly storage: Layout;
  private readonly grouping: PatternGrouping;
  private readonly nFactors: number; // k, or 1 for a shared covariance
  private readonly maxSlots: number;
  private readonly slots: ConditionalFactors[][] = [];
  private readonly cache = new Map<number | string, number>();
  private readonly rowFactors: ConditionalFactors[];
  // parameters (copies)
  private readonly logW: Float64Array;
  private readonly means: Float64Array;
  private readonly cov: Float64Array;
  private hasParams = false;
  // scratch
  private readonly dev: Float64Array; // k·d: x̂ₖ − μₖ of the current row
  private readonly lp: Float64Array; // k
  private readonly resp: Float64Array; // k
  private readonly rsum: Float64Array; // k: Σ w·rₖ over the current pattern's rows
  private readonly part: MissingStats; // the current block's partial

  constructor(
    readonly d: number,
    readonly k: number,
    readonly layout: LayoutName,
    options: WorkspaceOptions = {},
  ) {
    if (!(Number.isInteger(d) && d >= 1 && Number.isInteger(k) && k >= 1)) {
      throw new MissingDataError(`MissingWorkspace: d and k must be integers ≥ 1; got d=${d}, k=${k}`);
    }
    if (!Object.hasOwn(LAYOUTS, layout)) throw new MissingDataError(`MissingWorkspace: unknown layout '${layout}'`);
    this.block = options.block ?? missingBlockRows(d, k);
    if (!(Number.isInteger(this.block) && this.block >= 1))
      throw new MissingDataError(`MissingWorkspace: block must be an integer ≥ 1; got ${this.block}`);
    this.sxxKind = sxxKindOf(layout);
    this.storage = LAYOUTS[layout];
    this.grouping = new PatternGrouping(d, this.block);
    this.nFactors = this.storage.blocks(k);
    const slotBytes = this.nFactors * (4 * d * d + d) * 8 + 2 * d * 4;
    this.maxSlots = Math.max(1, Math.floor((options.cacheBytes ?? DEFAULT_CACHE_BYTES) / slotBytes));
    this.rowFactors = new Array<ConditionalFactors>(k);
    this.logW = new Float64Array(k);
    this.means = new Float64Array(k * d);
    this.cov = new Float64Array(this.nFactors * this.storage.blockSize(d));
    this.dev = new Float64Array(k * d);
    this.lp = new Float64Array(k);
    this.resp = new Float64Array(k);
    this.rsum = new Float64Array(k);
    this.part = emptyMissingStats(k, d, this.sxxKind, this.means);
  }

  /** Sets the parameters for the next passes (copied) and clears the factorisation cache. */
  setParams(p: MixtureParams): void {
    const { k, d, layout } = this;
    if (p.k !== k || p.d !== d || p.layout !== layout) {
      throw new MissingDataError(
        `MissingWorkspace: parameters are k=${p.k}, d=${p.d}, '${p.layout}'; the workspace is k=${k}, d=${d}, '${layout}'`,
      );
    }
    const nw = (p.logWeights ?? p.weights).length;
    if (nw !== k || p.means.length !== k * d || p.covariances.length !== this.cov.length) {
      throw new MissingDataError(
        `MissingWorkspace: parameter shapes (weights ${nw}, means ${p.means.length}, covariances ${p.covariances.length}) ` +
          `do not match k=${k}, d=${d}, '${layout}' (${k}, ${k * d}, ${this.cov.length})`,
      );
    }
    if (p.logWeights) this.logW.set(p.logWeights);
    else for (let c = 0; c < k; c++) this.logW[c] = Math.log(p.weights[c]);
    this.means.set(p.means);
    this.cov.set(p.covariances);
    this.part.centers.set(p.means);
    this.cache.clear();
    this.hasParams = true;
  }

  /** The current means (the centers statistics are accumulated around). */
  centers(): Float64Array {
    return this.means.slice();
  }

  /**
   * Expected sufficient statistics of rows [start, end) of X (row-major, d columns, NaN = missing), around the
   * current means; added into `into` when given. See the module comment for the order of summation.
   */
  accumulate(X: Float64Array, options: AccumulateOptions = {}): MissingStats {
    const { d } = this;
    const { start, end, rowBase } = this.range(X, options);
    const sw = options.sampleWeight ?? null;
    if (sw && sw.length * d !== X.length)
      throw new MissingDataError(`sampleWeight has ${sw.length} entries; X has ${X.length / d} rows`);
    const total = this.runningTotal(options.into);
    for (let s0 = start; s0 < end; ) {
      const s1 = Math.min(end, (Math.floor((rowBase + s0) / this.block) + 1) * this.block - rowBase);
      this.blockPartial(X, s0, s1, rowBase, sw);
      this.addPartTo(total);
      s0 = s1;
    }
    if (this.sxxKind === 'full') mirrorUpperTriangles(total.sxx, this.k, d);
    return total;
  }

  /** `into` once checked to match this workspace and the current means, or fresh statistics around them. */
  private runningTotal(into: MissingStats | undefined): MissingStats {
    const { k, d, sxxKind } = this;
    if (!into) return emptyMissingStats(k, d, sxxKind, this.means);
    if (into.k !== k || into.d !== d || into.sxxKind !== sxxKind) {
      throw new MissingDataError(
        `accumulate: 'into' has k=${into.k}, d=${into.d}, sxxKind='${into.sxxKind}'; expected k=${k}, d=${d}, '${sxxKind}'`,
      );
    }
    for (let t = 0; t < k * d; t++) {
      if (into.centers[t] !== this.means[t])
        throw new MissingDataError("accumulate: 'into' was accumulated around different centers");
    }
    return into;
  }

  /** The partial statistics (this.part, from zero) of rows [s0, s1) of X, one block, pattern by pattern. */
  private blockPartial(X: Float64Array, s0: number, s1: number, rowBase: number, sw: ArrayLike<number> | null): void {
    const { d, rsum, grouping: g } = this;
    const P = this.part;
    g.group(X, s0, s1, rowBase);
    P.logLik = 0;
    P.sumW = 0;
    P.nk.fill(0);
    P.sx.fill(0);
    P.sxx.fill(0);
    for (let p = 0; p < g.count; p++) {
      const F = this.factorsFor(p);
      rsum.fill(0);
      for (let t = g.offsets[p]; t < g.offsets[p + 1]; t++) {
        const row = g.rows[t];
        const w = sw ? +sw[row] : 1;
        const lse = this.rowResponsibilities(F, X, row);
        if (w !== 0) P.logLik += w * lse;
        P.sumW += w;
        this.addRowToPart(w);
      }
      // Σ w·rₖ·Cₖ on the missing block, once per pattern
      const q = d - g.nObs[p];
      if (q > 0) this.addConditionalCovariances(F, q);
    }
  }

  /** Adds the current row (dev, resp) with weight w to the block partial and to rsum. */
  private addRowToPart(w: number): void {
    const { k, d, dev, rsum, resp } = this;
    const P = this.part;
    const full = this.sxxKind === 'full';
    for (let c = 0; c < k; c++) {
      const wr = w * resp[c];
      P.nk[c] += wr;
      rsum[c] += wr;
      const o = c * d;
      for (let i = 0; i < d; i++) P.sx[o + i] += wr * dev[o + i];
      if (full) {
        const os = c * d * d;
        for (let i = 0; i < d; i++) {
          const a = wr * dev[o + i];
          const ri = os + i * d;
          for (let j = i; j < d; j++) P.sxx[ri + j] += a * dev[o + j];
        }
      } else {
        for (let i = 0; i < d; i++) P.sxx[o + i] += wr * dev[o + i] * dev[o + i];
      }
    }
  }

  /** Adds Σ w·rₖ·Cₖ (rsum, the pattern's q×q conditional covariances) on the missing block to the block partial. */
  private addConditionalCovariances(F: ConditionalFactors[], q: number): void {
    const { k, d, rsum } = this;
    const P = this.part;
    const full = this.sxxKind === 'full';
    for (let c = 0; c < k; c++) {
      const C = F[c].condCov;
      const M = F[c].mis;
      const a = rsum[c];
      if (!full) {
        for (let u = 0; u < q; u++) P.sxx[c * d + M[u]] += a * C[u * q + u];
        continue;
      }
      const os = c * d * d;
      for (let u = 0; u < q; u++) {
        // M ascending: M[u] ≤ M[v], so this is the upper triangle
        for (let v = u; v < q; v++) P.sxx[os + M[u] * d + M[v]] += a * C[u * q + v];
      }
    }
  }

  /** Adds the block partial to the running total (full: the upper triangles only; the lower ones are mirrored at the end). */
  private addPartTo(total: MissingStats): void {
    const { k, d } = this;
    const P = this.part;
    total.logLik += P.logLik;
    total.sumW += P.sumW;
    for (let t = 0; t < P.nk.length; t++) total.nk[t] += P.nk[t];
    for (let t = 0; t < P.sx.length; t++) total.sx[t] += P.sx[t];
    if (this.sxxKind === 'full') {
      for (let c = 0; c < k; c++) {
        const os = c * d * d;
        for (let i = 0; i < d; i++) for (let j = i; j < d; j++) total.sxx[os + i * d + j] += P.sxx[os + i * d + j];
      }
    } else {
      for (let t = 0; t < P.sxx.length; t++) total.sxx[t] += P.sxx[t];
    }
  }

  /**
   * log πₖ N(x_O; μₖ_O, Σₖ_OO) for rows [start, end) into out ((end − start)×k, row-major, in row order) — the
   * observed-data analogue of the kernels' logProb: scoreSamples = logsumexp per row, predictProba, predict.
   */
  logProb(X: Float64Array, out?: Float64Array, options: RowRange = {}): Float64Array {
    const { k, d } = this;
    const { start, end, rowBase } = this.range(X, options);
    const res = out ?? new Float64Array((end - start) * k);
    if (res.length < (end - start) * k)
      throw new MissingDataError(`logProb: out has ${res.length} entries; ${(end - start) * k} needed`);
    const g = this.grouping;
    for (let s0 = start; s0 < end; ) {
      const s1 = Math.min(end, (Math.floor((rowBase + s0) / this.block) + 1) * this.block - rowBase);
      g.group(X, s0, s1, rowBase);
      for (let p = 0; p < g.count; p++) {
        const F = this.factorsFor(p);
        for (let t = g.offsets[p]; t < g.offsets[p + 1]; t++) {
          const row = g.rows[t];
          for (let c = 0; c < k; c++)
            res[(row - start) * k + c] =
              this.logW[c] + conditionalRow(F[c], X, row * d, this.means, c * d, this.dev, c * d);
        }
      }
      s0 = s1;
    }
    return res;
  }

  /**
   * Conditional-mean imputation of rows [start, end) into out ((end − start)×d): observed entries are copied,
   * missing ones are Σₖ rₖ·E[x_M | x_O, k] with rₖ the observed-data responsibilities.
   */
  impute(X: Float64Array, out?: Float64Array, options: RowRange = {}): Float64Array {
    const { d } = this;
    const { start, end, rowBase } = this.range(X, options);
    const res = out ?? new Float64Array((end - start) * d);
    if (res.length < (end - start) * d)
      throw new MissingDataError(`impute: out has ${res.length} entries; ${(end - start) * d} needed`);
    const g = this.grouping;
    for (let s0 = start; s0 < end; ) {
      const s1 = Math.min(end, (Math.floor((rowBase + s0) / this.block) + 1) * this.block - rowBase);
      g.group(X, s0, s1, rowBase);
      for (let p = 0; p < g.count; p++) {
        const q = d - g.nObs[p];
        const F = q > 0 ? this.factorsFor(p) : null;
        const M = g.missing(p);
        for (let t = g.offsets[p]; t < g.offsets[p + 1]; t++) {
          const row = g.rows[t];
          const o = (row - start) * d;
          for (let j = 0; j < d; j++) res[o + j] = X[row * d + j];
          if (!F) continue;
          this.rowResponsibilities(F, X, row);
          this.writeConditionalMean(res, o, M, q);
        }
      }
      s0 = s1;
    }
    return res;
  }

  /** Writes Σₖ rₖ·E[x_M | x_O, k] (from the current row's resp and dev) into the q missing entries M of res[o…]. */
  private writeConditionalMean(res: Float64Array, o: number, M: Int32Array, q: number): void {
    const { k, d, dev, resp, means } = this;
    for (let u = 0; u < q; u++) {
      const j = M[u];
      let s = 0;
      for (let c = 0; c < k; c++) s += resp[c] * (means[c * d + j] + dev[c * d + j]);
      res[o + j] = s;
    }
  }

  /** Fills dev (x̂ₖ − μₖ) and resp for one row; returns log p(x_O). Rows whose densities all underflow get uniform responsibilities and −∞. */
  private rowResponsibilities(F: ConditionalFactors[], X: Float64Array, row: number): number {
    const { k, d, lp, resp, dev } = this;
    let m = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = this.logW[c] + conditionalRow(F[c], X, row * d, this.means, c * d, dev, c * d);
      lp[c] = v;
      if (v > m) m = v;
    }
    if (m === -Infinity || Number.isNaN(m)) {
      resp.fill(1 / k);
      return -Infinity;
    }
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(lp[c] - m);
      resp[c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) resp[c] /= s;
    return m + Math.log(s);
  }

  /** The factors of every component for pattern p of the current grouping (from the cache, or computed into it). */
  private factorsFor(p: number): ConditionalFactors[] {
    if (!this.hasParams) throw new MissingDataError('MissingWorkspace: call setParams before a pass');
    const g = this.grouping;
    const W = g.words;
    let key: number | string;
    if (W === 1) key = g.keys[p];
    else {
      key = '';
      for (let t = 0; t < W; t++) key += `${g.keys[p * W + t].toString(36)},`;
    }
    let slot = this.cache.get(key);
    if (slot === undefined) {
      if (this.cache.size >= this.maxSlots) this.cache.clear();
      slot = this.cache.size;
      if (slot === this.slots.length) {
        this.slots.push(Array.from({ length: this.nFactors }, () => new ConditionalFactors(this.d)));
      }
      this.factor(this.slots[slot], g.observed(p), g.missing(p));
      this.cache.set(key, slot);
    }
    const F = this.slots[slot];
    if (this.nFactors === 1) this.rowFactors.fill(F[0]);
    else for (let c = 0; c < this.k; c++) this.rowFactors[c] = F[c];
    return this.rowFactors;
  }

  private factor(F: ConditionalFactors[], obs: Int32Array, mis: Int32Array): void {
    const { d, cov, storage: layout } = this;
    for (let c = 0; c < F.length; c++) {
      // F holds one factorisation per stored block (one for a shared layout), each at its block's offset
      const off = c * layout.blockSize(d);
      let ok: boolean;
      if (this.sxxKind === 'full') ok = factorFull(F[c], cov, off, obs, mis);
      else ok = factorDiagonal(F[c], cov, off, layout.name === 'diag' ? 1 : 0, obs, mis);
      if (!ok) {
        // a shared covariance is the tied one in every message users see (degeneracy.ts's too)
        const who = layout.shared ? 'the tied covariance' : `component ${c}'s covariance`;
        throw new RangeError(
          `missing-value E-step: ${who} restricted to the observed coordinates [${Array.from(obs).join(', ')}] is not positive definite`,
        );
      }
    }
  }

  private range(X: Float64Array, o: RowRange): { start: number; end: number; rowBase: number } {
    const { d } = this;
    if (X.length % d !== 0) throw new MissingDataError(`X has ${X.length} values, not a multiple of d = ${d}`);
    const n = X.length / d;
    const start = o.start ?? 0;
    const end = o.end ?? n;
    const rowBase = o.rowBase ?? 0;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= n)) {
      throw new MissingDataError(`row range [${start}, ${end}) is not within the ${n} rows of X`);
    }
    if (!(Number.isInteger(rowBase) && rowBase >= 0))
      throw new MissingDataError(`rowBase must be an integer ≥ 0; got ${rowBase}`);
    return { start, end, rowBase };
  }
}

/** One-shot accumulate: a workspace for `params` (or the given one, whose parameters are then replaced). */
export function accumulateMissing(
  X: Float64Array,
  params: MixtureParams,
  options: AccumulateOptions & WorkspaceOptions & { workspace?: MissingWorkspace } = {},
): MissingStats {
  const ws = options.workspace ?? new MissingWorkspace(params.d, params.k, params.layout, options);
  ws.setParams(params);
  return ws.accumulate(X, options);
}

/** log πₖ N(x_O; μₖ_O, Σₖ_OO) per row and component ((end − start)×k). */
export function logProbMissing(
  X: Float64Array,
  params: MixtureParams,
  options: RowRange & WorkspaceOptions & { workspace?: MissingWorkspace; out?: Float64Array } = {},
): Float64Array {
  const ws = options.workspace ?? new MissingWorkspace(params.d, params.k, params.layout, options);
  ws.setParams(params);
  return ws.logProb(X, options.out, options);
}

/** Conditional-mean imputation ((end − start)×d): x_O kept, x_M = Σₖ rₖ·E[x_M | x_O, k]. */
export function imputeRows(
  X: Float64Array,
  params: MixtureParams,
  options: RowRange & WorkspaceOptions & { workspace?: MissingWorkspace; out?: Float64Array } = {},
): Float64Array {
  const ws = options.workspace ?? new MissingWorkspace(params.d, params.k, params.layout, options);
  ws.setParams(params);
  return ws.impute(X, options.out, options);
}

/**
 * From log πₖ N(·) rows (n×k): log p(x) per row into lse, responsibilities into resp (n×k) when given. Rows whose
 * densities all underflow get −∞ and uniform responsibilities (the library's convention).
 */
export function normalizeLogProb(lp: Float64Array, n: number, k: number, lse: Float64Array, resp?: Float64Array): void {
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) if (lp[r * k + c] > m) m = lp[r * k + c];
    if (m === -Infinity || Number.isNaN(m)) {
      lse[r] = -Infinity;
      if (resp) resp.fill(1 / k, r * k, r * k + k);
      continue;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(lp[r * k + c] - m);
    lse[r] = m + Math.log(s);
    if (resp) for (let c = 0; c < k; c++) resp[r * k + c] = Math.exp(lp[r * k + c] - m) / s;
  }
}

/** Copies the upper triangle of each of the k d×d matrices in sxx onto its lower one. */
function mirrorUpperTriangles(sxx: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    const os = c * d * d;
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) sxx[os + i * d + j] = sxx[os + j * d + i];
  }
}
