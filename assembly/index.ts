// gaussmix kernels — the wasm module's exports (the entry of asconfig.json). ./README.md is the ABI (the contract).
//
// This file only checks arguments and sends each call to its phases, so that the whole surface TypeScript sees is
// readable in one screen; the arithmetic lives in one file per phase:
//   buffer.ts            the static buffer, sizes, storage-layout codes, argument checks
//   vmath.ts             f64x2 exp/log (vexp, vlog), their scalar forms (exp1, log1), the constant table
//   log-density.ts       phase 1: tiles, Mahalanobis terms, logDensitiesAll
//   responsibilities.ts  phase 2: log-sum-exp, responsibilities, the body of normalizeRows
//   statistics.ts        phase 3: nk, sx, sxx (rank-b packed updates, d ≤ 4 in registers, diagonal layouts)
//   small-d.ts           the fused d ≤ 4 pass (all three phases per 4-row tile)
// Every kernel allocates nothing and returns its results through memory the caller passed in.
//
// The pure-TypeScript twin (src/backends/js/) mirrors these files and performs the same floating-point operations
// in the same order per output: with rows in lanes, each lane is one row's plain sequential sum, and each
// statistic's partial sum has its own accumulator, so the twin is the natural scalar loop with the same block
// boundaries. Log densities are bit-identical across backends; the rest differs only through exp and log (~1 ulp
// each).

import { checkArgs, NEGLIGIBLE_LOG, negligibleOn } from './buffer';
import { logDensitiesAll } from './log-density';
import { logNormalizeRows, responsibilities, rowScores } from './responsibilities';
import { eStepFused, SMALL_D, SMALL_MAX_K } from './small-d';
import { accumulateStats } from './statistics';

/** First free byte after static data. TypeScript lays out its arrays from here (rounded up to 16). */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * out[r·k + c] = log πc N(x_r; μc, Σc). x: n×d, means: k×d, prec: the factors in storage layout `layout` (README;
 * for the triangular layouts the entries below the diagonal are never read), logConst: k, out: n×k.
 * Preconditions: 1 ≤ d ≤ 4096, k ≥ 1, layout in 0..3 (checked); out overlaps no input. Only the static buffer is used
 * as scratch.
 */
export function logProb(
  x: usize, n: i32, d: i32, k: i32, layout: i32,
  means: usize, prec: usize, logConst: usize, out: usize,
): void {
  checkArgs(d, k, layout);
  logDensitiesAll(x, n, d, k, layout, means, prec, logConst, out, 0.0);
}

/**
 * Per row: lse[r] = log Σc exp(lp[r,c]), lp[r,c] −= lse[r] in place (README).
 * Preconditions: k ≥ 1 (not checked); lp: n×k, lse: n, not overlapping.
 */
export function normalizeRows(lp: usize, n: i32, k: i32, lse: usize): void {
  logNormalizeRows(lp, n, k, lse);
}

/**
 * A scoring pass over one block (README): per row, lse[r] = log Σc πc N(x_r; μc, Σc) — the value logProb and
 * normalizeRows give — and lmr[r] = log max_c r_rc = −log Σc exp(lp_rc − max lp_r); a row whose densities all
 * underflow gets lse = −∞. For d ≤ SMALL_D and k ≤ SMALL_MAX_K in the fused kernel's lanes (no log densities
 * stored), else log densities into scratch, then per row. Preconditions: as logProb (checked); scratch n·k doubles;
 * lse and lmr n doubles each; none overlapping.
 */
export function scoreRows(
  x: usize, n: i32, d: i32, k: i32, layout: i32,
  means: usize, prec: usize, logConst: usize, scratch: usize, lse: usize, lmr: usize,
): void {
  checkArgs(d, k, layout);
  if (d <= SMALL_D && k <= SMALL_MAX_K) {
    eStepFused(x, 0, 0, n, d, k, layout, 0, means, prec, logConst, scratch, 0, lse, lmr);
    return;
  }
  logDensitiesAll(x, n, d, k, layout, means, prec, logConst, scratch, 0.0);
  rowScores(scratch, n, k, lse, lmr);
}

/**
 * The fused E-pass over one block (README): log densities into scratch (n×k), responsibilities in place, then
 * Σ w·lse, Σ w and the block's statistics added into stats. On the generic path, (row, component) pairs whose
 * responsibility is below `prune` add nothing to the statistics (0 = exact; the fused d ≤ 4 path is always exact).
 * Preconditions: as logProb (checked); w (n doubles) is read only when hasW = 1; scratch (n·k doubles) and stats
 * overlap nothing else.
 */
export function eStepAccumulate(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, layout: i32, hard: i32,
  means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, prune: f64,
): void {
  checkArgs(d, k, layout);
  if (d <= SMALL_D && k <= SMALL_MAX_K) {
    eStepFused(x, w, hasW, n, d, k, layout, hard, means, prec, logConst, scratch, stats, 0, 0);
    return;
  }
  // E: log densities, then responsibilities (adding Σ w·lse and Σ w to stats[0], stats[1])
  logDensitiesAll(x, n, d, k, layout, means, prec, logConst, scratch, prune);
  responsibilities(scratch, n, k, hard, w, hasW, stats, negligibleOn(prune, k) ? -NEGLIGIBLE_LOG : -Infinity);
  // M statistics around the current means
  accumulateStats(x, w, hasW, n, d, k, layout, means, scratch, stats, prune);
}
