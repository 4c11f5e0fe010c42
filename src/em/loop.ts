/**
 * The EM driver: E-pass (statistics) → M-step, until |Δ lower bound| < tol or maxIter, for nInit restarts;
 * the run with the highest final lower bound wins (scikit-learn's semantics, including that the lower bound is the
 * mean log-likelihood under the parameters *before* the last M-step).
 *
 * The loop is written once, as a generator that yields the data work it needs (an E-pass under some parameters,
 * an initialisation, or the worst-explained rows for a reset) and receives the result. `fitEM` serves those
 * requests synchronously on one backend; the worker-thread and streaming drivers serve the same requests
 * elsewhere, so every driver runs identical EM logic.
 */
import type { Backend } from '../backends/types.js';
import {
  checkResettable, DegenerateError, degenerateError, resetComponents, survivors, WorstCollector, type Degeneracy, type ResetRecord,
} from '../model/degeneracy.js';
import { FitError } from '../api/errors.js';
import { initialParams } from '../init/init.js';
import type { Rows } from '../data/matrix.js';
import { mStepChecked } from '../model/mstep.js';
import type { ResolvedOptions } from '../api/options.js';
import { logConstants, type Params } from '../model/params.js';
import type { Random } from '../util/random.js';
import type { SufficientStats } from '../model/stats.js';
import { Workspace } from '../backends/workspace.js';

export interface EMResult {
  params: Params;
  lowerBound: number;
  nIter: number;
  converged: boolean;
  /** Re-seedings of the winning run (onDegenerate: 'reset'); empty otherwise. */
  resets: ResetRecord[];
}

/** Work the EM loop asks its driver to do over the data. */
export type EMRequest =
  /**
   * Initial parameters for restart `init`: the driver runs initSteps (in-process: initialParams) with the fit's one
   * Random, so every restart draws the numbers `fit` would.
   */
  | { type: 'init'; init: number }
  /** One E-pass: sufficient statistics of all rows around params.means. */
  | { type: 'estep'; params: Params; hard: boolean }
  /**
   * The `count` rows of positive weight with the lowest log p(x) under `params`, lowest first (earliest row on
   * ties, exact duplicates skipped), as Float64Arrays. Only asked for under onDegenerate: 'reset'; serve it with
   * `serveWorst` (or a WorstCollector over any pass).
   */
  | { type: 'worst'; params: Params; count: number };

export type EMReply = Params | SufficientStats | Float64Array[];

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

/** At most this many re-seedings per run and component before EM gives up (resetting is not helping). */
const RESETS_PER_COMPONENT = 10;

/**
 * onDegenerate 'reset' gives up (DegenerateError) when re-seeded components degenerated again this many times in
 * one run. A re-seeding *fails* when the component seeded at a row degenerates again; that row is then never used
 * as a seed again in the run (the 'worst' request asks for extra candidates and the failed rows are skipped), so a
 * reset cannot loop on one point. The typical failure: with regCovar = 0 (or negligible) an isolated point — or
 * ≤ D points — gives a component an unbounded likelihood, and the worst-explained rows a reset seeds at are exactly
 * such points; each failed re-seeding also costs the progress EM had made. After a few failures resetting is
 * clearly not converging to a model, and the user is better served by an error that says to raise regCovar (or use
 * fewer components) than by a model that is just the last reset state.
 */
const RESEED_FAILURES = 3;

function sameRow(a: Float64Array, b: Float64Array): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** The DegenerateError of a 'reset' run that gives up: `why` first, then the diagnosis and fixes (without 'reset'). */
function giveUp(b: Degeneracy, why: string, iter: number, init: number, runs: number, regCovar: number): DegenerateError {
  const e = degenerateError(b, iter, init, runs, regCovar);
  let msg = `onDegenerate 'reset' gave up ${why}. ${e.message.replace(/,? or pass onDegenerate: 'reset'[^.]*\./, '.')}`;
  if (b.reason === 'not-pd' && !/Increase regCovar/.test(msg)) msg += ` Increase regCovar (now ${regCovar}).`;
  e.message = msg;
  return e;
}

/** Statistics that overflowed would silently become NaN parameters: stop with a typed error instead. */
function checkFinite(st: SufficientStats, iteration: number): void {
  let ok = Number.isFinite(st.sumW) && st.sumW > 0 && !Number.isNaN(st.logLik) && st.logLik !== Infinity;
  for (let i = 0; ok && i < st.nk.length; i++) ok = Number.isFinite(st.nk[i]);
  for (let i = 0; ok && i < st.sx.length; i++) ok = Number.isFinite(st.sx[i]);
  for (let i = 0; ok && i < st.sxx.length; i++) ok = Number.isFinite(st.sxx[i]);
  if (!ok) {
    throw new FitError(
      `EM failed at iteration ${iteration}: the E-step statistics are not finite (Σw = ${st.sumW}): squared deviations of ` +
        'the data from the current means overflow double precision — the data are too large, or lie too far from the means ' +
        'EM started from (warmStart, meansInit, frozen means). Rescale X, or start from means near the data.',
    );
  }
}

/**
 * Whether a restart's lower bound beats the best so far. Bounds within 1e-12·max(1, |best|) are a tie (relative for
 * bounds above 1 in magnitude, absolute below), which the earlier
 * restart wins: restarts that reach the same optimum (often with the components in another order) differ only by
 * rounding, and rounding differs between fit, fitAsync, fitStream and the backends (summation order, exp/log), so a
 * plain `>` would let those pick different — equally good — restarts.
 */
function beats(lb: number, best: number): boolean {
  if (best === -Infinity) return lb > best;
  return lb - best > 1e-12 * Math.max(1, Math.abs(best));
}

/** The EM loop with restarts, as a generator of data requests. */
export function* emLoop(o: ResolvedOptions, warm: WarmStart | null): Generator<EMRequest, EMResult, EMReply> {
  let best: EMResult | null = null;
  const runs = warm ? 1 : o.nInit;
  const hard = o.algorithm === 'hard';
  const policy = o.onDegenerate ?? 'error';
  for (let init = 0; init < runs; init++) {
    let params = warm ? warm.params : ((yield { type: 'init', init }) as Params);
    let lowerBound = warm ? warm.lowerBound : -Infinity;
    let prev = lowerBound; // the bound the next change is measured from (−∞ after a reset: no convergence across it)
    let converged = false;
    let nIter = 0;
    const resets: ResetRecord[] = [];
    const seededAt = new Map<number, Float64Array>(); // component → the row it was last re-seeded at
    const failedSeeds: Float64Array[] = []; // rows whose re-seeded component degenerated again: never seeds again
    let failures = 0;
    for (let iter = 1; iter <= o.maxIter; iter++) {
      nIter = iter;
      const st = (yield { type: 'estep', params, hard }) as SufficientStats;
      checkFinite(st, iter);
      const m = mStepChecked(st, params, {
        covType: o.covarianceType, regCovar: o.regCovar, freeze: o.freeze, iteration: iter, detectVanished: true, init, nInit: runs,
      });
      let next = m.params;
      const reset = m.degenerate.length > 0;
      if (reset) {
        const bad = m.degenerate;
        if (policy === 'error') throw degenerateError(bad[0], iter, init, runs, o.regCovar);
        checkResettable(bad, iter, init, runs);
        for (const b of bad) {
          const row = seededAt.get(b.component);
          if (!row) continue; // degenerated from where EM took it, not from a seed
          seededAt.delete(b.component);
          failures++;
          if (!failedSeeds.some((r) => sameRow(r, row))) failedSeeds.push(row);
        }
        if (failures >= RESEED_FAILURES) {
          throw giveUp(bad[0], `after ${failures} re-seeded components degenerated again (each re-seeding at a different worst-explained row)`,
            iter, init, runs, o.regCovar);
        }
        if (resets.length + bad.length > RESETS_PER_COMPONENT * o.nComponents) {
          throw giveUp(bad[0], `after ${resets.length} re-seedings (components keep degenerating)`, iter, init, runs, o.regCovar);
        }
        const alive = survivors(next, bad) ?? params;
        // extra candidates: every failed row (or a copy of it) may be among the worst; the collector skips duplicates
        const candidates = (yield { type: 'worst', params: alive, count: bad.length + failedSeeds.length }) as Float64Array[];
        const worst = candidates.filter((r) => !failedSeeds.some((f) => sameRow(f, r))).slice(0, bad.length);
        if (worst.length === 0 && candidates.length > 0) {
          throw giveUp(bad[0], 'because every row left to re-seed at already made a re-seeded component degenerate', iter, init, runs, o.regCovar);
        }
        next = resetComponents(next, bad, worst, st, { regCovar: o.regCovar, freeze: o.freeze, iteration: iter, init, nInit: runs });
        bad.forEach((b, i) => {
          if (!o.freeze.includes('means') && worst.length > 0) seededAt.set(b.component, worst[i % worst.length]);
          resets.push({ init, iteration: iter, component: b.component, reason: b.reason, detail: b.detail });
        });
      }
      params = next;
      lowerBound = st.logLik / st.sumW;
      const change = lowerBound - prev;
      o.onIteration?.({ init, iter, lowerBound, change });
      if (!reset && Math.abs(change) < o.tol) {
        converged = true;
        break;
      }
      prev = reset ? -Infinity : lowerBound;
    }
    if (!best || beats(lowerBound, best.lowerBound)) best = { params, lowerBound, nIter, converged, resets };
  }
  return best!;
}

/** Serves a 'worst' request over in-memory rows: the `count` distinct rows of positive weight with the lowest log p. */
export function serveWorst(rows: Rows, w: Float64Array | null, params: Params, count: number, backend: Backend): Float64Array[] {
  const ws = new Workspace(backend, rows.d, params.k, params.covType);
  loadParams(ws, params);
  const col = new WorstCollector(count, rows.d);
  const row = new Float64Array(rows.d);
  ws.forEachLogResp(rows, (start, n, _lr, lse) => {
    for (let r = 0; r < n; r++) {
      if (w && !(w[start + r] > 0)) continue;
      if (!col.wants(lse[r])) continue;
      rows.copyRows(start + r, 1, row, 0);
      col.offer(lse[r], row);
    }
  });
  return col.result();
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
    } else if (req.type === 'worst') {
      step = loop.next(serveWorst(rows, w, req.params, req.count, backend));
    } else {
      loadParams(ws, req.params);
      step = loop.next(ws.accumulate(rows, w, req.hard));
    }
  }
  return step.value;
}
