/**
 * The EM driver: E-pass (statistics) → M-step, until |Δ lower bound| < tol or maxIter, for nInit restarts;
 * the run with the highest final lower bound wins (scikit-learn's semantics, including that the lower bound is the
 * mean log-likelihood under the parameters *before* the last M-step).
 */
import type { Backend } from './backends/types.js';
import { initialParams } from './init.js';
import type { Rows } from './matrix.js';
import { mStep } from './mstep.js';
import type { ResolvedOptions } from './options.js';
import { logConstants, type Params } from './params.js';
import type { Random } from './random.js';
import { Workspace } from './workspace.js';

export interface EMResult {
  params: Params;
  lowerBound: number;
  nIter: number;
  converged: boolean;
}

/** Writes a model's parameters into a workspace (means, precision factors, log constants). */
export function loadParams(ws: Workspace, p: Params): void {
  const lc = new Float64Array(p.k);
  logConstants(p, lc);
  ws.setParams(p.means, p.precChol, lc);
}

/** One EM run from `start`; `startBound` is −∞ for a fresh start, the previous lower bound for a warm start. */
function runOnce(
  rows: Rows, w: Float64Array | null, o: ResolvedOptions, ws: Workspace, start: Params, startBound: number, init: number,
): EMResult {
  let params = start;
  let lowerBound = startBound;
  let converged = false;
  let nIter = 0;
  const hard = o.algorithm === 'hard';
  for (let iter = 1; iter <= o.maxIter; iter++) {
    nIter = iter;
    const prev = lowerBound;
    loadParams(ws, params);
    const st = ws.accumulate(rows, w, hard);
    params = mStep(st, params, { covType: o.covarianceType, regCovar: o.regCovar, freeze: o.freeze, iteration: iter });
    lowerBound = st.logLik / st.sumW;
    const change = lowerBound - prev;
    o.onIteration?.({ init, iter, lowerBound, change });
    if (Math.abs(change) < o.tol) {
      converged = true;
      break;
    }
  }
  return { params, lowerBound, nIter, converged };
}

/**
 * Fits by EM with restarts. `warm` continues from fitted parameters (one run, no initialisation), as
 * scikit-learn's warm_start. Throws FitError when a covariance stops being positive definite.
 */
export function fitEM(
  rows: Rows, w: Float64Array | null, o: ResolvedOptions, backend: Backend, rng: Random,
  warm: { params: Params; lowerBound: number } | null,
): EMResult {
  const ws = new Workspace(backend, rows.d, o.nComponents, o.covarianceType);
  let best: EMResult | null = null;
  const runs = warm ? 1 : o.nInit;
  for (let init = 0; init < runs; init++) {
    const start = warm ? warm.params : initialParams(rows, w, o, rng, backend);
    const res = runOnce(rows, w, o, ws, start, warm ? warm.lowerBound : -Infinity, init);
    if (!best || res.lowerBound > best.lowerBound) best = res;
  }
  return best!;
}
