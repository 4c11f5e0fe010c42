/**
 * The EM driver: E-pass (statistics) → M-step, until |Δ lower bound| < tol or maxIter, for nInit restarts;
 * the run with the highest final lower bound wins (scikit-learn's semantics, including that the lower bound is the
 * mean log-likelihood under the parameters *before* the last M-step).
 *
 * The loop is written once, as a generator that yields the data work it needs (an E-pass under some parameters,
 * or an initialisation) and receives the result. `fitEM` serves those requests synchronously on one backend; the
 * worker-thread and streaming drivers serve the same requests elsewhere, so every driver runs identical EM logic.
 */
import type { Backend } from './backends/types.js';
import { initialParams } from './init.js';
import type { Rows } from './matrix.js';
import { mStep } from './mstep.js';
import type { ResolvedOptions } from './options.js';
import { logConstants, type Params } from './params.js';
import type { Random } from './random.js';
import type { SufficientStats } from './stats.js';
import { Workspace } from './workspace.js';

export interface EMResult {
  params: Params;
  lowerBound: number;
  nIter: number;
  converged: boolean;
}

/** Work the EM loop asks its driver to do over the data. */
export type EMRequest =
  /** Initial parameters for restart `init` (the driver runs initialParams with the shared Random). */
  | { type: 'init'; init: number }
  /** One E-pass: sufficient statistics of all rows around params.means. */
  | { type: 'estep'; params: Params; hard: boolean };

export type EMReply = Params | SufficientStats;

export interface WarmStart {
  params: Params;
  lowerBound: number;
}

/** Writes a model's parameters into a workspace (means, precision factors, log constants). */
export function loadParams(ws: Workspace, p: Params): void {
  const lc = new Float64Array(p.k);
  logConstants(p, lc);
  ws.setParams(p.means, p.precChol, lc);
}

/** The EM loop with restarts, as a generator of data requests. */
export function* emLoop(o: ResolvedOptions, warm: WarmStart | null): Generator<EMRequest, EMResult, EMReply> {
  let best: EMResult | null = null;
  const runs = warm ? 1 : o.nInit;
  const hard = o.algorithm === 'hard';
  for (let init = 0; init < runs; init++) {
    let params = warm ? warm.params : ((yield { type: 'init', init }) as Params);
    let lowerBound = warm ? warm.lowerBound : -Infinity;
    let converged = false;
    let nIter = 0;
    for (let iter = 1; iter <= o.maxIter; iter++) {
      nIter = iter;
      const prev = lowerBound;
      const st = (yield { type: 'estep', params, hard }) as SufficientStats;
      params = mStep(st, params, { covType: o.covarianceType, regCovar: o.regCovar, freeze: o.freeze, iteration: iter });
      lowerBound = st.logLik / st.sumW;
      const change = lowerBound - prev;
      o.onIteration?.({ init, iter, lowerBound, change });
      if (Math.abs(change) < o.tol) {
        converged = true;
        break;
      }
    }
    if (!best || lowerBound > best.lowerBound) best = { params, lowerBound, nIter, converged };
  }
  return best!;
}

/** Serves EM requests on one backend, synchronously, over all rows. */
export function fitEM(
  rows: Rows, w: Float64Array | null, o: ResolvedOptions, backend: Backend, rng: Random, warm: WarmStart | null,
): EMResult {
  const ws = new Workspace(backend, rows.d, o.nComponents, o.covarianceType);
  const loop = emLoop(o, warm);
  let step = loop.next();
  while (!step.done) {
    const req = step.value;
    if (req.type === 'init') {
      step = loop.next(initialParams(rows, w, o, rng, backend));
    } else {
      loadParams(ws, req.params);
      step = loop.next(ws.accumulate(rows, w, req.hard));
    }
  }
  return step.value;
}
