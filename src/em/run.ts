/**
 * One EM run: E-pass → M-step until |Δ lower bound| < tol or maxIter, with the onDegenerate policy. Its own module,
 * apart from the restarts and initialisation of loop.ts, because fitAsync's workers run it too (the EM on a large
 * fit's sample, init/sample-em.ts) and their bundle should not carry the initialisation code.
 */
import { degenerateError } from '../model/degeneracy.js';
import { kernelParams, type Params } from '../model/params.js';
import { checkFinite } from './finite.js';
import type { EMConfig } from './loop.js';
import { ask, type EMResult, type Steps } from './protocol.js';
import { ResetPolicy } from './reset.js';

/**
 * One EM run from `start` (restart `init` of `runs`), its iterations counted from `done` + 1 (a SQUAREM run that
 * continues as plain EM has done some already). Also the EM on a large fit's sample (init/sample-em.ts).
 */
export function* emRun(
  o: EMConfig,
  start: Params,
  startBound: number,
  init: number,
  runs: number,
  done = 0,
): Steps<EMResult> {
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
