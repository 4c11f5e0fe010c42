/**
 * The EM loop: E-pass (statistics) → M-step, until |Δ lower bound| < tol or maxIter, for nInit restarts; the run with
 * the highest final lower bound wins (scikit-learn's semantics, including that the lower bound is the mean
 * log-likelihood under the parameters *before* the last M-step).
 *
 * Written once, as a generator of data requests (protocol.ts): initialisation's passes, E-passes, the M-steps and
 * the worst-explained rows for a reset. Every driver answers the same requests, so every driver runs identical EM.
 */
import { initialParamsSteps, type DataShape, type InitConfig } from '../init/init.js';
import { degenerateError } from '../model/degeneracy.js';
import { kernelParams, type Frozen, type Params } from '../model/params.js';
import type { ResolvedPrior } from '../model/prior.js';
import { Random } from '../util/random.js';
import { checkFinite } from './finite.js';
import { ask, type EMResult, type Steps } from './protocol.js';
import { ResetPolicy } from './reset.js';
import { squaremRun } from './squarem.js';

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
  /** 'squarem': EM accelerated by SQUAREM (squarem.ts); 'none' (the default when absent): plain EM. */
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
 * One EM run from `start` (restart `init` of `runs`), its iterations counted from `done` + 1 (a SQUAREM run that
 * continues as plain EM has done some already).
 */
function* run(o: EMConfig, start: Params, startBound: number, init: number, runs: number, done = 0): Steps<EMResult> {
  const hard = o.algorithm === 'hard';
  const policy = new ResetPolicy(o, init, runs);
  let params = start;
  let lowerBound = startBound;
  let prev = lowerBound; // the bound the next change is measured from (−∞ after a reset: no convergence across it)
  let converged = false;
  let nIter = done;
  for (let iter = done + 1; iter <= o.maxIter; iter++) {
    nIter = iter;
    const st = yield* ask({ type: 'estep', params: kernelParams(params), hard });
    checkFinite(st, iter);
    const m = yield* ask({
      type: 'mstep',
      st,
      prev: params,
      options: {
        covType: o.covarianceType,
        regCovar: o.regCovar,
        freeze: o.freeze,
        iteration: iter,
        detectVanished: true,
        init,
        nInit: runs,
        mstepTol: o.mstepTol,
        mstepMaxIter: o.mstepMaxIter,
        prior: o.priorParams,
      },
    });
    const reset = m.degenerate.length > 0;
    if (reset && o.onDegenerate === 'error') throw degenerateError(m.degenerate[0], iter, init, runs, o.regCovar);
    params = reset ? yield* policy.apply(m.params, params, m.degenerate, st, iter) : m.params;
    lowerBound = (st.logLik + m.logPrior) / st.sumW; // + log p(θ) under a prior: the log posterior
    const change = lowerBound - prev;
    o.onIteration?.({ init, iter, lowerBound, change });
    if (!reset && Math.abs(change) < o.tol) {
      converged = true;
      break;
    }
    prev = reset ? -Infinity : lowerBound;
  }
  return { params, lowerBound, nIter, converged, resets: policy.resets };
}

/** The EM loop with restarts over `data`; a warm start runs once from the given parameters. */
export function* emLoop(o: EMConfig, data: DataShape, warm: WarmStart | null): Steps<EMResult> {
  const rng = new Random(o.seed);
  const runs = warm ? 1 : o.nInit;
  let best: EMResult | null = null;
  for (let init = 0; init < runs; init++) {
    const start = warm ? warm.params : yield* initialParamsSteps(o, data, rng);
    const startBound = warm ? warm.lowerBound : -Infinity;
    const r =
      o.accelerate === 'squarem' && o.algorithm !== 'hard' && o.maxIter > 0
        ? yield* squaremRun(o, start, startBound, init, runs, (from, bound, done) =>
            run(o, from, bound, init, runs, done),
          )
        : yield* run(o, start, startBound, init, runs);
    if (!best || beats(r.lowerBound, best.lowerBound)) best = r;
  }
  return best!;
}
