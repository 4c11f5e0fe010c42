/**
 * The M-step: new weights, means and covariances from sufficient statistics, honouring regCovar and frozen
 * parameter groups. The weights and means are the same for every covariance model; the covariance estimate and the
 * noise floors its factorisation is checked against come from the model (covariance/).
 *
 * `mStepChecked` reports degenerate components (see degeneracy.ts) instead of throwing, so the EM loop can apply the
 * onDegenerate policy; `mStep` throws a DegenerateError on a covariance that is not positive definite.
 */
import { DEFAULT_INNER_CONTROL } from './covariance/mclust/types.js';
import {
  covarianceModel,
  type CovarianceModel,
  type CovarianceType,
  type ScatterInput,
} from './covariance/registry.js';
import { FitError } from '../api/errors.js';
import { degenerateError, diagnoseNotPD, type Degeneracy } from './degeneracy.js';
import type { Frozen, Params } from './params.js';
import { extension } from '../extensions.js';
import type { ResolvedPrior } from './prior.js';
import type { SufficientStats } from './stats.js';
import { splitNoiseStats } from './noise.js';

const EPS10 = 10 * Number.EPSILON;

export interface MStepOptions {
  covType: CovarianceType;
  regCovar: number;
  freeze: readonly Frozen[];
  /** 1-based EM iteration, for error messages (0 = initialisation). */
  iteration: number;
  /** Report components whose responsibility mass vanished (Σr < ε·Σw) as degenerate (EM iterations; not init). */
  detectVanished?: boolean;
  /** For messages: restart index and count. */
  init?: number;
  nInit?: number;
  /** Inner-loop tolerance and cap of the iterative mclust models (VEI, VEE, EVE, VVE, VEV); mclust's defaults if absent. */
  mstepTol?: number;
  mstepMaxIter?: number;
  /** A conjugate prior (model/prior.ts): the step is then the posterior mode (MAP-EM). */
  prior?: ResolvedPrior | null;
  /**
   * Factor only part `index` of `count` of the covariance blocks (partBlocks); the others' precision factors stay
   * zero. fitAsync shares the K factorisations out among its workers this way and joinMStepParts puts the parts
   * back together — the same numbers, block for block, as one step over every block. Absent: all blocks.
   */
  part?: { index: number; count: number };
}

export interface MStepResult {
  /** New parameters; degenerate components keep their previous mean and covariance (their precision factor too). */
  params: Params;
  degenerate: Degeneracy[];
  /**
   * log p(θ) of `prev` — the parameters the statistics were taken under — with a prior (0 without): the EM loop
   * adds it to the statistics' log-likelihood, so its lower bound is the log posterior MAP-EM increases.
   */
  logPrior: number;
}

/** The inner control from the options, each part defaulting to mclust's. */
function innerControl(o: MStepOptions): { tol: number; maxIter: number } {
  return { tol: o.mstepTol ?? DEFAULT_INNER_CONTROL.tol, maxIter: o.mstepMaxIter ?? DEFAULT_INNER_CONTROL.maxIter };
}

/** True when a component received (numerically) no responsibility: its statistics define nothing. */
const isEmpty = (st: SufficientStats, c: number): boolean => !(st.nk[c] > 0) || st.nk[c] < Number.EPSILON * st.sumW;

const num = (v: number): string => (v === 0 ? '0' : v.toExponential(2));

function vanished(st: SufficientStats, c: number): Degeneracy {
  return {
    component: c,
    reason: 'vanished',
    detail:
      `its responsibility mass fell to ${num(st.nk[c])} of the total weight ${num(st.sumW)} (below machine epsilon), so it ` +
      'explains none of the data — more components than clusters or distinct points, or a component that drifted away from the data',
  };
}

/**
 * A covariance (or the rounding-noise floor it is checked against) that overflowed double precision is not a
 * degenerate component — no re-seeding or larger regCovar helps — but numbers out of range: a typed error that says
 * which, and whether regCovar itself is the cause.
 */
function overflowed(component: number, o: MStepOptions, variance: number): FitError {
  const who = component < 0 ? 'the shared covariance' : `component ${component}'s covariance`;
  const when = o.iteration === 0 ? 'at initialisation' : `at iteration ${o.iteration}`;
  const cause =
    o.regCovar >= 1e300 || !Number.isFinite(o.regCovar + Math.abs(variance))
      ? `regCovar = ${o.regCovar} is added to every variance and leaves no room in double precision; use a regCovar in proportion to the data's variances (e.g. 1e-6 × a typical one)`
      : 'the data are too large for double precision; rescale X';
  return new FitError(`EM failed ${when}: ${who} overflowed double precision (a variance of ${variance}): ${cause}.`);
}

/**
 * The precision factors of the estimated covariances, block by block, so every bad block is reported (appended to
 * `degenerate`) and the good ones are usable for a reset. A block that is not positive definite, and a component
 * already found degenerate, keeps the previous (positive definite) covariance and factor, so the parameters stay
 * usable; `cov` is updated in place.
 */
function factorBlocks(
  model: CovarianceModel,
  cov: Float64Array,
  floor: Float64Array,
  prev: Params,
  st: SufficientStats,
  o: MStepOptions,
  degenerate: Degeneracy[],
): Float64Array {
  const { k, d } = st;
  const { layout } = model;
  const per = layout.blockSize(d);
  const fper = layout.diagonal(d);
  const precChol = new Float64Array(cov.length);
  const lost = new Set(degenerate.map((b) => b.component));
  const [from, to] = o.part ? partBlocks(layout.blocks(k), o.part.index, o.part.count) : [0, layout.blocks(k)];
  for (let b = from; b < to; b++) {
    const keep = (): void => {
      cov.set(prev.covariances.subarray(b * per, (b + 1) * per), b * per);
      precChol.set(prev.precChol.subarray(b * per, (b + 1) * per), b * per);
    };
    if (!layout.shared && lost.has(b)) {
      precChol.set(prev.precChol.subarray(b * per, (b + 1) * per), b * per);
      continue;
    }
    const fl = floor.subarray(b * fper, (b + 1) * fper);
    if (layout.factor(cov.subarray(b * per, (b + 1) * per), 1, d, precChol.subarray(b * per, (b + 1) * per), fl) < 0)
      continue;
    const component = layout.shared ? -1 : b;
    const mass = layout.shared ? st.sumW : st.nk[b];
    const failed = layout.pivotFailure(cov, b, d, floor);
    if (failed.overflow || !Number.isFinite(failed.variance) || !Number.isFinite(failed.floor)) {
      throw overflowed(component, o, failed.variance);
    }
    degenerate.push({
      component,
      reason: 'not-pd',
      detail: diagnoseNotPD(layout, cov, b, d, o.regCovar, mass, st.sumW, floor),
    });
    keep();
  }
  return precChol;
}

export function mStepChecked(st: SufficientStats, prev: Params, o: MStepOptions): MStepResult {
  if (prev.noise && st.k === prev.k + 1) return noiseMStep(st, prev, o);
  const { k, d } = st;
  const { covType, regCovar } = o;
  const model = covarianceModel(covType);
  const freezeM = o.freeze.includes('means');
  const degenerate: Degeneracy[] = [];

  const nk = new Float64Array(k);
  let total = 0;
  for (let c = 0; c < k; c++) {
    nk[c] = st.nk[c] + EPS10;
    total += nk[c];
  }
  const weights = o.freeze.includes('weights') ? prev.weights.slice() : nk.map((v) => v / total);
  const empty = Array.from({ length: k }, (_, c) => isEmpty(st, c));
  if (o.detectVanished && !freezeM) for (let c = 0; c < k; c++) if (empty[c]) degenerate.push(vanished(st, c));

  // δ = shift of each mean; zero when means are frozen (statistics are then centered on the fixed means).
  const delta = new Float64Array(k * d);
  const means = st.centers.slice();
  if (!freezeM) {
    for (let c = 0; c < k; c++) {
      if (empty[c]) continue; // no responsibility: the component stays where the E-step had it
      for (let j = 0; j < d; j++) {
        delta[c * d + j] = st.sx[c * d + j] / nk[c];
        means[c * d + j] += delta[c * d + j];
      }
    }
  }
  const pm = o.prior ? extension('priorMath', 'prior') : null; // the prior's math (model/prior.ts), an extension
  const prior = o.prior && pm ? pm.scatterPrior(o.prior, covType, k) : null;
  const lp = o.prior && pm ? pm.logPrior(o.prior, prev) : 0;
  if (pm && prior && prior.rule.shrinks !== false && !freezeM)
    for (let c = 0; c < k; c++) if (!empty[c]) pm.shrinkMean(prior.prior, nk[c], means, c * d, d);
  if (o.freeze.includes('covariances')) {
    return {
      params: { k, d, covType, weights, means, covariances: prev.covariances.slice(), precChol: prev.precChol.slice() },
      degenerate,
      logPrior: lp,
    };
  }

  const input: ScatterInput = {
    st,
    nk,
    total,
    delta,
    empty,
    regCovar,
    prev: prev.covariances,
    warm: o.iteration > 0, // an EM iteration: prev is this model's previous M-step (0: initialisation's placeholder)
    inner: o.mstepTol === undefined && o.mstepMaxIter === undefined ? undefined : innerControl(o),
    failures: [],
    prior: pm && prior ? (W, n, xbar, full) => pm.posteriorScatter(prior, W, n, xbar, d, full) : undefined,
  };
  const cov = model.estimate(input);
  const floor = model.floors(input, cov);
  for (const f of input.failures!) degenerate.push({ component: f.component, reason: 'not-pd', detail: f.detail });

  const precChol = factorBlocks(model, cov, floor, prev, st, o, degenerate);
  degenerate.sort((a, b) => a.component - b.component);
  return { params: { k, d, covType, weights, means, covariances: cov, precChol }, degenerate, logPrior: lp };
}

/**
 * The M-step of a mixture with a noise component (model/noise.ts): the Gaussians' step from the first K components'
 * statistics, π₀ = n₀/Σw from the last (mclust's pro[K+1] = Σz₀/n), and the Gaussians' weights scaled to 1 − π₀
 * (so each is nₖ/Σw as in mclust).
 */
function noiseMStep(st: SufficientStats, prev: Params, o: MStepOptions): MStepResult {
  const { noise, ...gaussians } = prev;
  const { gauss, noiseMass } = splitNoiseStats(st, prev.k);
  const r = mStepChecked(gauss, gaussians, o);
  const frozen = o.freeze.includes('weights');
  const weight = frozen ? noise!.weight : Math.min(1, Math.max(0, noiseMass / st.sumW));
  const weights = frozen ? r.params.weights : r.params.weights.map((v) => v * (1 - weight));
  return { ...r, params: { ...r.params, weights, noise: { ...noise!, weight } } };
}

/** Blocks [from, to) of part `index` of `count` (contiguous, in block order, sizes differing by at most one). */
export function partBlocks(blocks: number, index: number, count: number): [number, number] {
  return [Math.floor((index * blocks) / count), Math.floor(((index + 1) * blocks) / count)];
}

/**
 * Below this K·D³ a whole M-step takes well under a millisecond (K factorisations of D×D: at D = 8, K = 8, ~10 µs)
 * and one worker answering it beats the extra round trips of sharing it out; at (D, K) = (64, 16) it takes 3–5 ms,
 * 15–25% of a 2-worker EM iteration (docs/performance-notes.md).
 */
const MIN_SPLIT_WORK = 1 << 18;

/**
 * Into how many parts (≤ `workers`) an M-step over statistics `st` is worth splitting: one unless the model keeps a
 * covariance per component (a shared one is one factorisation), its covariances are estimated, and K·D³ is large.
 */
export function mStepPartCount(st: SufficientStats, prev: Params, o: MStepOptions, workers: number): number {
  const { layout } = covarianceModel(o.covType);
  const k = prev.k; // without a noise term's extra statistics
  if (layout.shared || o.freeze.includes('covariances') || k * st.d ** 3 < MIN_SPLIT_WORK) return 1;
  return Math.max(1, Math.min(workers, layout.blocks(k)));
}

/**
 * One M-step from its parts (each the same request with `part` = { index, count: parts.length }, in index order):
 * the weights, means and covariance estimate every part computed alike, each block's covariance and precision
 * factor from the part that factored it, and the degenerate components of all parts once each in component order —
 * exactly what `mStepChecked` without `part` returns. The parts are consumed: part 0's arrays become the result's.
 */
export function joinMStepParts(parts: readonly MStepResult[], covType: CovarianceType): MStepResult {
  const base = parts[0];
  const { k, d } = base.params;
  const { layout } = covarianceModel(covType);
  const per = layout.blockSize(d);
  const { covariances, precChol } = base.params;
  for (let i = 1; i < parts.length; i++) {
    const [from, to] = partBlocks(layout.blocks(k), i, parts.length);
    covariances.set(parts[i].params.covariances.subarray(from * per, to * per), from * per);
    precChol.set(parts[i].params.precChol.subarray(from * per, to * per), from * per);
  }
  // a vanished component, or an estimate's failure, is reported by every part; a block's factorisation only by its own
  const seen = new Set<string>();
  const degenerate: Degeneracy[] = [];
  for (const b of parts.flatMap((p) => p.degenerate)) {
    const key = `${b.component}|${b.reason}|${b.detail}`;
    if (!seen.has(key)) degenerate.push(b);
    seen.add(key);
  }
  degenerate.sort((a, b) => a.component - b.component);
  return { ...base, params: { ...base.params, covariances, precChol }, degenerate };
}

/** The M-step that throws a DegenerateError (a FitError) when a covariance is not positive definite. */
export function mStep(st: SufficientStats, prev: Params, o: MStepOptions): Params {
  const r = mStepChecked(st, prev, { ...o, detectVanished: false });
  const bad = r.degenerate.find((b) => b.reason === 'not-pd');
  if (bad) throw degenerateError(bad, o.iteration, o.init ?? 0, o.nInit ?? 1, o.regCovar);
  return r.params;
}
