/**
 * EM accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3), the `accelerate: 'squarem'` option.
 *
 * Why: where components overlap, EM's steps shrink long before it reaches the optimum (its rate is the fraction of
 * missing information), so it crawls for tens to hundreds of iterations — and a plateau early on can look like
 * convergence to the |Δ| < tol rule. SQUAREM squares the EM map: from θ0 it takes two EM steps θ1 = F(θ0),
 * θ2 = F(θ1), and jumps to θ' = θ0 − 2αr + α²v (r = θ1 − θ0, v = θ2 − 2θ1 + θ0, α = −‖r‖/‖v‖ ≤ −1), which follows
 * the direction EM is crawling along.
 *
 * How it stays safe: θ' only supplies responsibilities. The next accepted point is the M-step from them, θ'' =
 * M(E(θ')) — a member of the covariance model's family whatever the extrapolation did (constrained mclust models
 * too) — and it is accepted only if its log-likelihood is at least θ1's; otherwise the cycle falls back to θ2 = F(θ1),
 * a plain EM step. So accepted points never decrease the objective (beyond what regularised EM itself can, see
 * README), and the run stops by the same rule as EM: |Δ lower bound| < tol between consecutive accepted points, the
 * returned parameters being the M-step after the last E-pass. θ' is extrapolated in log weights (softmax back),
 * means and covariances (the model's storage); a θ' whose covariances are not positive definite halves α towards −1
 * (squarem-jump.ts, the 'squarem-jump' request every driver answers).
 *
 * Costs: an E-pass at θ1, at θ' and at θ'' (which starts the next cycle); nIter counts every E-pass. Hard EM and
 * runs that meet a degenerate component continue as plain EM.
 */
import { degenerateError } from '../model/degeneracy.js';
import type { MStepOptions } from '../model/mstep.js';
import { kernelParams, type Params } from '../model/params.js';
import type { SufficientStats } from '../model/stats.js';
import { checkFinite } from './finite.js';
import type { EMConfig } from './loop.js';
import { ask, type EMResult, type Steps } from './protocol.js';

/** One E-pass: the statistics at `p`, their mean log-likelihood, and the M-step from them (or null if degenerate). */
interface Pass {
  st: SufficientStats;
  lb: number;
  next: Params | null;
}

/** The M-step's options at iteration `iteration` of restart `init` of `nInit`. */
function mStepOptions(o: EMConfig, iteration: number, init: number, nInit: number): MStepOptions {
  const { covarianceType: covType, regCovar, freeze } = o;
  return { covType, regCovar, freeze, iteration, detectVanished: true, init, nInit };
}

/**
 * SQUAREM from `start` whose bound is `startBound` (−∞, or a warm start's), restart `init` of `runs`. `plain(from, bound, done)` continues the run as plain EM from
 * `from` after `done` iterations (when a component degenerates: the reset policy lives there).
 */
export function* squaremRun(
  o: EMConfig,
  start: Params,
  startBound: number,
  init: number,
  runs: number,
  plain: (from: Params, lowerBound: number, done: number) => Steps<EMResult>,
): Steps<EMResult> {
  let nIter = 0;
  /**
   * An E-pass at p, counted as one EM iteration, with the M-step from it (null if a component degenerates). A
   * degenerate accepted point throws under onDegenerate 'error', as EM does; a tentative one (the jump) only fails.
   */
  const estep = function* (p: Params, tentative: boolean): Steps<Pass> {
    nIter++;
    const st = yield* ask({ type: 'estep', params: kernelParams(p), hard: false });
    checkFinite(st, nIter);
    const m = yield* ask({ type: 'mstep', st, prev: p, options: mStepOptions(o, nIter, init, runs) });
    if (m.degenerate.length > 0 && !tentative && o.onDegenerate === 'error')
      throw degenerateError(m.degenerate[0], nIter, init, runs, o.regCovar);
    return { st, lb: st.logLik / st.sumW, next: m.degenerate.length > 0 ? null : m.params };
  };
  let prev = startBound; // the last accepted point's bound (a warm start's: the fit it continues)
  /** Reports an accepted point; true when the run has converged there. */
  const accept = (lb: number): boolean => {
    const change = lb - prev;
    o.onIteration?.({ init, iter: nIter, lowerBound: lb, change });
    prev = lb;
    return Math.abs(change) < o.tol;
  };
  const result = (a: Pass, converged: boolean): EMResult => ({
    params: a.next!,
    lowerBound: a.lb,
    nIter,
    converged,
    resets: [],
  });

  let p0 = start;
  let a0 = yield* estep(p0, false);
  for (;;) {
    if (!a0.next) return yield* plain(p0, prev, nIter - 1); // degenerate under 'reset': plain EM from here
    if (accept(a0.lb)) return result(a0, true);
    if (nIter >= o.maxIter) return result(a0, false);
    const p1 = a0.next;
    const a1 = yield* estep(p1, false);
    if (!a1.next) return yield* plain(p1, prev, nIter - 1);
    if (accept(a1.lb)) return result(a1, true);
    if (nIter >= o.maxIter) return result(a1, false);
    const p2 = a1.next;
    const jump = nIter + 2 <= o.maxIter ? yield* ask({ type: 'squarem-jump', p0, p1, p2 }) : null;
    let next: Pass | null = null;
    if (jump) {
      // θ'' = M(E(θ')), kept if its bound is at least θ1's
      const aj = yield* estep(jump, true);
      if (aj.next) {
        const cand = yield* estep(aj.next, true);
        if (cand.next && cand.lb >= a1.lb) {
          p0 = aj.next;
          next = cand;
        }
      }
    }
    if (!next) {
      // the plain EM step θ2
      if (nIter >= o.maxIter) return result(a1, false);
      p0 = p2;
      next = yield* estep(p2, false);
    }
    a0 = next;
  }
}
