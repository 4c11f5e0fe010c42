/**
 * Online (stepwise) EM — Cappé & Moulines (2009), Liang & Klein (2009): one update per batch of rows. The E-step
 * runs on the batch under the current parameters; the batch's statistics per unit weight s̄ are blended into the
 * running statistics, s ← (1 − ηₜ)·s + ηₜ·s̄; the M-step takes the parameters from s. Memory is the statistics
 * (K·(1 + D + D²) numbers), whatever the number of batches.
 *
 * The running statistics are kept around the current means (model/running-stats.ts re-centres them exactly when the
 * M-step moves the means), which is where the next E-step accumulates, so blending is a plain weighted sum.
 *
 * Step sizes. The first batch seeds s (fitted by EM, see partialFitSteps); after t batches have been absorbed, the
 * next gets ηₜ = (t + τ)^(−κ) — the decaying schedule: Σηₜ = ∞ and Σηₜ² < ∞ for κ ∈ (0.5, 1], so on a
 * stationary stream it converges to a stationary point of the likelihood (Cappé & Moulines give the conditions) —
 * or a constant η, which forgets geometrically (a batch's weight halves every ln 2/η batches) and so tracks a
 * drifting stream. With τ = 1 this is Liang & Klein's (k + 2)^(−α) with k counting updates after the first;
 * κ = 1, τ = 1 gives the plain running mean of the batch statistics. Written as a generator of requests
 * (protocol.ts), like EM, so any driver can serve it.
 */
import { FitError } from '../api/errors.js';
import type { DataShape } from '../init/init.js';
import { degenerateError, type ResetRecord } from '../model/degeneracy.js';
import { mStepChecked } from '../model/mstep.js';
import { kernelParams, type Params } from '../model/params.js';
import { blendStats, recenterStats, reseededStats, statsOfParams } from '../model/running-stats.js';
import type { SufficientStats } from '../model/stats.js';
import { emLoop, type EMConfig } from './loop.js';
import { ask, type Steps } from './protocol.js';
import { ResetPolicy } from './reset.js';

/** The decaying schedule ηₜ = (t + τ)^(−κ). */
export interface DecayingRate {
  readonly kappa: number;
  readonly tau: number;
}

/** A constant step in (0, 1], or the decaying schedule. */
export type LearningRate = number | DecayingRate;

/**
 * The default schedule: κ = 0.6, inside the range (0.5, 1] of Cappé & Moulines and of Liang & Klein, and τ = 1
 * (Liang & Klein's (k + 2)^(−α)). bench/online.mjs compares the choices on stationary streams: κ = 0.6 is within
 * 0.0012 nats/row of converged batch EM for batches of 10 to 10 000 rows (README "Online learning").
 */
export const DEFAULT_LEARNING_RATE: DecayingRate = Object.freeze({ kappa: 0.6, tau: 1 });

/** The step that blends the batch after `t` ≥ 1 absorbed batches into the running statistics. */
export function stepSize(rate: LearningRate, t: number): number {
  return typeof rate === 'number' ? rate : (t + rate.tau) ** -rate.kappa;
}

/** What online learning keeps between batches (besides the parameters). */
export interface OnlineState {
  /** Statistics per unit weight (Σw = 1), around the parameters' means. */
  readonly stats: SufficientStats;
  /** Batch statistics absorbed into `stats` (t of the schedule); parameters taken over from a fit count as one. */
  readonly step: number;
  /** Rows given to partialFit. */
  readonly nSeen: number;
  /** Calls of partialFit that updated the model. */
  readonly nBatches: number;
}

/** What an online update reads of the options. */
export interface OnlineConfig extends EMConfig {
  readonly learningRate: LearningRate;
}

/** The result of one update. */
export interface OnlineResult {
  params: Params;
  state: OnlineState;
  /** The batch's mean log-likelihood under the parameters before this update (a test-then-train score). */
  batchScore: number;
  /** Re-seedings of this update (onDegenerate: 'reset'). */
  resets: ResetRecord[];
}

/** Batch statistics that overflowed would become NaN parameters: a typed error instead. */
function checkBatch(b: SufficientStats, batch: number): void {
  let ok = Number.isFinite(b.sumW) && b.sumW > 0;
  for (const a of [b.nk, b.sx, b.sxx]) for (let i = 0; ok && i < a.length; i++) ok = Number.isFinite(a[i]);
  if (!ok) {
    throw new FitError(
      `partialFit failed on batch ${batch}: its E-step statistics are not finite (Σw = ${b.sumW}): squared deviations ` +
        'of its rows from the current means overflow double precision — the rows are far too large for the model. ' +
        'Rescale X, or check the batch for corrupt values.',
    );
  }
}

/**
 * The running state a model fitted by other means starts online learning from: its parameters stand for the
 * statistics of one batch (t = 1).
 */
export function stateOfParams(p: Params, regCovar: number): OnlineState {
  return { stats: statsOfParams(p, regCovar), step: 1, nSeen: 0, nBatches: 0 };
}

/**
 * One online update over a batch (`data`: its shape). `start` is the current parameters with their running state
 * (null: derive it from the parameters). Without a start (the first batch of an unfitted model) the batch is fitted
 * by EM exactly as fit fits it — initParams, nInit restarts, maxIter, tol, seeded — and the fitted parameters stand
 * for the statistics of this first batch, so partialFit(first) then partialFit(next) is fit(first) then
 * partialFit(next).
 */
export function* partialFitSteps(
  o: OnlineConfig,
  data: DataShape,
  start: { params: Params; state: OnlineState | null } | null,
): Steps<OnlineResult> {
  if (!start) {
    const r = yield* emLoop(o, data, null);
    const state = { ...stateOfParams(r.params, o.regCovar), nSeen: data.n, nBatches: 1 };
    return { params: r.params, state, batchScore: r.lowerBound, resets: r.resets };
  }
  const { params } = start;
  const prev = start.state ?? stateOfParams(params, o.regCovar);
  const batch = prev.nBatches + 1;
  const b = yield* ask({ type: 'estep', params: kernelParams(params), hard: o.algorithm === 'hard' });
  checkBatch(b, batch);
  const blended = blendStats(prev.stats, b, stepSize(o.learningRate, prev.step));
  const m = mStepChecked(blended, params, {
    covType: o.covarianceType,
    regCovar: o.regCovar,
    freeze: o.freeze,
    iteration: batch,
    detectVanished: true,
  });
  let next = m.params;
  let stats = recenterStats(blended, next.means);
  let resets: ResetRecord[] = [];
  if (m.degenerate.length > 0) {
    if (o.onDegenerate === 'error') {
      const e = degenerateError(m.degenerate[0], batch, 0, 1, o.regCovar);
      e.message = e.message.replace(`at iteration ${batch}`, `in partialFit batch ${batch}`);
      throw e;
    }
    // the worst-explained rows of this batch take the degenerate components' place
    const policy = new ResetPolicy(o, 0, 1);
    next = yield* policy.apply(m.params, params, m.degenerate, blended, batch);
    stats = reseededStats(recenterStats(blended, next.means), next, m.degenerate, o.regCovar);
    resets = policy.resets;
  }
  return {
    params: next,
    state: { stats, step: prev.step + 1, nSeen: prev.nSeen + data.n, nBatches: batch },
    batchScore: b.logLik / b.sumW,
    resets,
  };
}
