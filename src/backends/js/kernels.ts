/**
 * The twin of `assembly/index.ts`: the three kernels of the ABI (`assembly/README.md`) in pure TypeScript, for
 * hosts without wasm SIMD and as the reference the wasm kernels are tested against.
 *
 * Like index.ts this file only checks arguments, converts the ABI's byte pointers to element indices and sends each
 * call to its phase (log-density.ts, responsibilities.ts, statistics.ts, small-d.ts), taking the same path as wasm
 * for the same arguments — the fused d ≤ 4 path's statistics are summed in a different order than the generic path's,
 * so the choice of path is part of the result. Pointers are byte offsets (multiples of 16) into the heap returned by
 * `getHeap()`; index = ptr >>> 3. Results differ from wasm only through exp and log (wasm: polynomials within ~1 ulp;
 * here Math.exp/Math.log); log densities are bit-identical.
 */
import type { Kernels } from '../types.js';
import { checkArgs, NEGLIGIBLE_LOG, negligibleOn, Scratch } from './buffer.js';
import { logDensities } from './log-density.js';
import { normalizeRows as normalizeRowsAt, responsibilities, rowScores } from './responsibilities.js';
import { eStepFused, SMALL_D, SMALL_MAX_K } from './small-d.js';
import { accumulateStats } from './statistics.js';

/**
 * Kernels over the heap returned by `getHeap` (called once per kernel call, so a heap that was reallocated
 * between calls is picked up).
 */
export function createJsKernels(getHeap: () => Float64Array): Kernels {
  const tmp = new Scratch();

  function logProb(
    x: number,
    n: number,
    d: number,
    k: number,
    layout: number,
    means: number,
    prec: number,
    logConst: number,
    out: number,
  ): void {
    checkArgs(d, k, layout);
    tmp.ensure(d);
    logDensities(getHeap(), x >>> 3, n, d, k, layout, means >>> 3, prec >>> 3, logConst >>> 3, out >>> 3, tmp);
  }

  function normalizeRows(lp: number, n: number, k: number, lse: number): void {
    normalizeRowsAt(getHeap(), lp >>> 3, n, k, lse >>> 3);
  }

  // wasm keeps the log densities of d ≤ 4 in its lanes; per row the arithmetic is this (log densities, then rowScores)
  function scoreRows(
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
  ): void {
    logProb(x, n, d, k, layout, means, prec, logConst, scratch);
    rowScores(getHeap(), scratch >>> 3, n, k, lse >>> 3, lmr >>> 3);
  }

  function eStepAccumulate(
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
  ): void {
    checkArgs(d, k, layout);
    tmp.ensure(d);
    const h = getHeap();
    const xE = x >>> 3,
      mE = means >>> 3,
      wE = w >>> 3,
      sc = scratch >>> 3;
    const st = stats >>> 3;
    if (d <= SMALL_D && k <= SMALL_MAX_K) {
      eStepFused(h, xE, wE, hasW, n, d, k, layout, hard, mE, prec >>> 3, logConst >>> 3, sc, st, tmp);
      return;
    }
    // E: log densities, then responsibilities (adding Σ w·lse and Σ w to stats[0], stats[1])
    logDensities(h, xE, n, d, k, layout, mE, prec >>> 3, logConst >>> 3, sc, tmp, prune);
    responsibilities(
      h,
      sc,
      n,
      k,
      hard,
      wE,
      hasW,
      st,
      negligibleOn(prune, k) ? -NEGLIGIBLE_LOG : Number.NEGATIVE_INFINITY,
    );
    // M statistics around the current means
    accumulateStats(h, xE, wE, hasW, n, d, k, layout, mE, sc, st, prune, tmp);
  }

  return { logProb, normalizeRows, scoreRows, eStepAccumulate };
}
