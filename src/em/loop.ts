/**
 * The EM loop: E-pass (statistics) → M-step, until |Δ lower bound| < tol or maxIter, for nInit restarts; the run with
 * the highest final lower bound wins (scikit-learn's semantics, including that the lower bound is the mean
 * log-likelihood under the parameters *before* the last M-step).
 *
 * Written once, as a generator of data requests (protocol.ts): initialisation's passes, E-passes, the M-steps and
 * the worst-explained rows for a reset. Every driver answers the same requests, so every driver runs identical EM.
 */
import { extension } from '../extensions.js';
import { initialParamsSteps, type DataShape, type InitConfig, type SampleStop } from '../init/init.js';
import type { Frozen, Params } from '../model/params.js';
import type { ResolvedPrior } from '../model/prior.js';
import { Random } from '../util/random.js';
import type { EMResult, Steps } from './protocol.js';
import { emRun } from './run.js';

/** Progress report passed to `onIteration` after every EM iteration. */
export interface IterationInfo {
  /** 0-based restart index (`nInit` restarts). */
  init: number;
  /** 1-based iteration within this restart. */
  iter: number;
  /** Mean log-likelihood (classification log-likelihood for algorithm 'hard') before this iteration's M-step. */
  lowerBound: number;
  /** lowerBound minus the previous iteration's (Infinity on the first iteration). */
  change: number;
}

/** What the EM loop reads of the options. */
export interface EMConfig extends InitConfig {
  readonly tol: number;
  readonly maxIter: number;
  readonly nInit: number;
  readonly seed: number;
  readonly freeze: readonly Frozen[];
  readonly algorithm: 'em' | 'hard';
  readonly onIteration: ((info: IterationInfo) => void) | null;
  /** A conjugate prior, resolved (em/prior-start.ts): MAP-EM, and the lower bound is the log posterior. */
  readonly priorParams?: ResolvedPrior | null;
  /** 'squarem': EM accelerated by SQUAREM (squarem.ts, an extension); 'none' (the default when absent): plain EM. */
  readonly accelerate?: 'none' | 'squarem';
}

export interface WarmStart {
  params: Params;
  lowerBound: number;
}

/**
 * Whether a restart's lower bound beats the best so far. Bounds within 1e-12·max(1, |best|) are a tie (relative for
 * bounds above 1 in magnitude, absolute below), which the earlier restart wins: restarts that reach the same optimum
 * (often with the components in another order) differ only by rounding, and rounding differs between fit, fitAsync,
 * fitStream and the backends (summation order, exp/log), so a plain `>` would let those pick different — equally
 * good — restarts.
 */
export function beats(lb: number, best: number): boolean {
  if (best === -Infinity) return lb > best;
  return lb - best > 1e-12 * Math.max(1, Math.abs(best));
}

/**
 * The stopping rule EM on the k-means sample runs by (init/sample-em.ts), or null where plain EM over all rows should
 * not start from it: classification EM (its start is its hard assignment), frozen parameters (the sample's fit would
 * move them) and maxIter 0 (the fit returns its start: the k-means one).
 */
export function sampleStop(o: EMConfig): SampleStop | null {
  return o.algorithm === 'em' && o.freeze.length === 0 && o.maxIter > 0 ? { tol: o.tol, maxIter: o.maxIter } : null;
}

/** The EM loop with restarts over `data`; a warm start runs once from the given parameters. */
export function* emLoop(o: EMConfig, data: DataShape, warm: WarmStart | null): Steps<EMResult> {
  const rng = new Random(o.seed);
  const runs = warm ? 1 : o.nInit;
  let best: EMResult | null = null;
  for (let init = 0; init < runs; init++) {
    const start = warm ? warm.params : yield* initialParamsSteps(o, data, rng, sampleStop(o));
    const startBound = warm ? warm.lowerBound : -Infinity;
    const r =
      o.accelerate === 'squarem' && o.algorithm !== 'hard' && o.maxIter > 0
        ? yield* extension('squarem', 'accelerate').squaremRun(o, start, startBound, init, runs, (from, bound, done) =>
            emRun(o, from, bound, init, runs, done),
          )
        : yield* emRun(o, start, startBound, init, runs);
    if (!best || beats(r.lowerBound, best.lowerBound)) best = r;
  }
  return best!;
}
