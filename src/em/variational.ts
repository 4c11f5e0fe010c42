/**
 * The variational fit of BayesianGaussianMixture (scikit-learn 1.2's fit_predict for it), as a generator of data
 * requests (protocol.ts), so every driver runs it unchanged: the same 'estep' pass as EM, given the posterior's
 * kernel parameters (the expected log weights, E[log |Λ|], −D/β and the ν terms folded into each component's log
 * constant; ν·W as the precision factor), then the variational M-step and the lower bound from the statistics
 * (model/variational/).
 *
 * Order of work, as scikit-learn: the priors from the data (here one statistics pass of a single component around
 * the data mean, so fitStream and fitAsync get them from every row), initial responsibilities from the same init
 * generators as EM (init/init.ts) and the first M-step from their statistics; then per iteration an E-pass, the
 * M-step, and the lower bound — computed after the M-step with the entropy of that E-step's responsibilities. The
 * bound is scikit-learn's lower_bound_: a sum over rows, not a mean. Convergence: |Δ bound| < tol (strict), counting
 * iterations as scikit-learn's n_iter_; with nInit restarts the highest final bound wins (ties within 1e-12 keep the
 * earlier run, as EM). Restarts draw from one Random in the same order as EM, so the same seed gives the same
 * starting responsibilities as GaussianMixture.
 *
 * Sample weights count rows: the statistics are used at their absolute size (a driver that rescaled the weights says
 * so in DataShape.weightScale and is undone here), so integer weights fit exactly like repeated rows.
 */
import { DataError, FitError, OptionError } from '../api/errors.js';
import { initialStats, type DataShape, type InitConfig, type InitParams } from '../init/init.js';
import { LAYOUTS } from '../model/covariance/layouts.js';
import { covarianceModel } from '../model/covariance/registry.js';
import { DegenerateError } from '../model/degeneracy.js';
import type { KernelParams } from '../model/params.js';
import type { SufficientStats } from '../model/stats.js';
import { lowerBound, responsibilityEntropy } from '../model/variational/bound.js';
import { priorShape, variationalCovariance } from '../model/variational/covariance/registry.js';
import {
  kernelParams as variationalKernelParams,
  type KernelParams as VariationalKernelParams,
} from '../model/variational/expectations.js';
import { NotPositiveDefiniteError, variationalMStep } from '../model/variational/mstep.js';
import { momentsFromStats, resolvePriors, type DataMoments } from '../model/variational/priors.js';
import type {
  CovarianceType as BayesianCovarianceType,
  VariationalPosterior,
  VariationalPriors,
  WeightPriorType,
} from '../model/variational/types.js';
import { Random } from '../util/random.js';
import { beats, type IterationInfo } from './loop.js';
import { ask, type Request, type Steps } from './protocol.js';

export type { BayesianCovarianceType, WeightPriorType };

/** What the variational fit reads of the options (BayesianGaussianMixture's resolved options satisfy it). */
export interface VariationalConfig {
  readonly nComponents: number;
  readonly covarianceType: BayesianCovarianceType;
  readonly initParams: InitParams;
  readonly regCovar: number;
  readonly tol: number;
  readonly maxIter: number;
  readonly nInit: number;
  readonly seed: number;
  readonly respInit: { values: Float64Array; n: number } | null;
  readonly onIteration: ((info: IterationInfo) => void) | null;
  readonly weightConcentrationPriorType: WeightPriorType;
  /** null: the default (1/nComponents, 1, the data mean, D, the data covariance). */
  readonly weightConcentrationPrior: number | null;
  readonly meanPrecisionPrior: number | null;
  readonly meanPrior: Float64Array | null;
  readonly degreesOfFreedomPrior: number | null;
  /** Flattened: D×D row-major ('full', 'tied'), D ('diag') or 1 ('spherical'). */
  readonly covariancePrior: Float64Array | null;
}

/** A fitted posterior to continue from (warmStart), and its lower bound. */
export interface VariationalWarmStart {
  posterior: VariationalPosterior;
  lowerBound: number;
}

export interface VariationalResult {
  posterior: VariationalPosterior;
  priors: VariationalPriors;
  /** The final lower bound of the winning run (−∞ with maxIter 0). */
  lowerBound: number;
  /** The lower bound after every iteration of the winning run. */
  lowerBounds: Float64Array;
  nIter: number;
  converged: boolean;
}

/** The kernels' view of a posterior: the variational E-step is the ordinary E-pass with these parameters. */
export function posteriorKernelParams(post: VariationalPosterior): KernelParams {
  return toKernel(variationalKernelParams(post));
}

function toKernel(kp: ReturnType<typeof variationalKernelParams>): KernelParams {
  const model = covarianceModel(kp.covType);
  return {
    k: kp.k,
    d: kp.d,
    layout: model.layout.code,
    sxxKind: model.statsKind,
    means: kp.means,
    prec: kp.precChol,
    logConst: kp.logConst,
  };
}

/**
 * Checks the given priors against the number of features (only known once the rows are: fitStream learns it from
 * its first pass); what does not depend on it was checked with the options.
 */
export function checkPriorShapes(o: VariationalConfig, d: number): void {
  if (o.meanPrior && o.meanPrior.length !== d) {
    throw new OptionError(
      'meanPrior',
      `meanPrior must have one entry per feature of X (${d}); got ${o.meanPrior.length}`,
    );
  }
  const nu = o.degreesOfFreedomPrior;
  if (nu !== null && !(nu > d - 1)) {
    throw new OptionError(
      'degreesOfFreedomPrior',
      `degreesOfFreedomPrior must be greater than the number of features minus 1 (${d - 1}); got ${nu}`,
    );
  }
  const cp = o.covariancePrior;
  if (cp) {
    const ct = o.covarianceType;
    const form = variationalCovariance(ct).priorForm;
    const variances = form === 'variances';
    const want = priorShape(form, d).reduce((a, b) => a * b, 1);
    if (cp.length !== want) {
      const got = variances ? `${cp.length}` : `${Math.sqrt(cp.length)}×${Math.sqrt(cp.length)}`;
      throw new OptionError(
        'covariancePrior',
        `covariancePrior for covarianceType '${ct}' must be ${variances ? `${d} variances` : `a ${d}×${d} matrix`} ` +
          `(one per feature of X); got ${got}`,
      );
    }
  }
}

/** Multiplies every sum of the statistics by s (a power of two: exact), undoing a driver's weight scale. */
function rescale(st: SufficientStats, s: number): SufficientStats {
  if (s === 1) return st;
  st.logLik *= s;
  st.sumW *= s;
  for (const a of [st.nk, st.sx, st.sxx]) for (let i = 0; i < a.length; i++) a[i] *= s;
  return st;
}

/** Statistics that overflowed would silently become NaN parameters: stop with a typed error instead. */
function checkFinite(st: SufficientStats, iteration: number): void {
  let ok = Number.isFinite(st.sumW) && st.sumW > 0 && !Number.isNaN(st.logLik) && st.logLik !== Infinity;
  for (const a of [st.nk, st.sx, st.sxx]) for (let i = 0; ok && i < a.length; i++) ok = Number.isFinite(a[i]);
  if (!ok) {
    throw new FitError(
      `the variational fit failed ${iteration === 0 ? 'at initialisation' : `at iteration ${iteration}`}: the E-step ` +
        `statistics are not finite (Σw = ${st.sumW}): the data or the sample weights are too large for double ` +
        'precision (weights count rows here). Rescale X or the weights.',
    );
  }
}

/** One variational M-step's results (the reply to 'variational-mstep'). */
export interface VariationalStep {
  posterior: VariationalPosterior;
  /** The lower bound of the E-pass the statistics came from (null for the initial step). */
  lowerBound: number | null;
  /** The next E-pass's kernel parameters (model/variational/expectations.ts). */
  kernel: VariationalKernelParams;
}

/**
 * The 'variational-mstep' request (drivers call this): the M-step, the lower bound with the entropy of the E-pass
 * `req.kernel` gave `req.st` (null: the initial step, which has no E-pass), and the kernel parameters of the next
 * E-pass — the K·D³ of the iteration, so fitAsync's worker takes all of it.
 */
export function variationalStep(req: Request<'variational-mstep'>): VariationalStep {
  const posterior = mStep(req.st, req.priors, req.regCovar, req.iteration, req.init, req.runs);
  const bound = req.kernel ? lowerBound(posterior, responsibilityEntropy(req.st, req.kernel)) : null;
  return { posterior, lowerBound: bound, kernel: variationalKernelParams(posterior) };
}

/** The M-step, with a posterior that is not positive definite reported as the library's DegenerateError. */
function mStep(
  st: SufficientStats,
  priors: VariationalPriors,
  regCovar: number,
  iteration: number,
  init: number,
  runs: number,
): VariationalPosterior {
  try {
    return variationalMStep(st, priors, regCovar);
  } catch (e) {
    if (!(e instanceof NotPositiveDefiniteError)) throw e;
    const shared = variationalCovariance(priors.covType).shared;
    const block = shared ? `the ${priors.covType} covariance` : null;
    const where = `${iteration === 0 ? 'at initialisation' : `at iteration ${iteration}`}${runs > 1 ? ` of restart ${init + 1}/${runs}` : ''}`;
    if (e.overflow) {
      // numbers out of range, not a degenerate component: say which, and whether regCovar itself is the cause
      const cause =
        regCovar >= 1e300
          ? `regCovar = ${regCovar} is added to every variance and leaves no room in double precision; use a regCovar in proportion to the data's variances (e.g. 1e-6 × a typical one)`
          : 'the data, the sample weights (they count rows) or covariancePrior are too large for double precision; rescale them';
      throw new FitError(
        `the variational fit failed ${where}: ${block ?? `component ${e.component}'s covariance`} overflowed double precision: ${cause}.`,
      );
    }
    throw new DegenerateError(
      `the variational fit failed ${where}: the posterior covariance of ${block ?? `component ${e.component}`} ` +
        'is not positive definite (the covariance prior plus the data scatter lost definiteness to rounding or ' +
        'overflow). Increase regCovar, pass a larger covariancePrior, or rescale X.',
      shared ? -1 : e.component,
      iteration,
      'not-pd',
      init,
    );
  }
}

/**
 * Moments of all rows: the statistics of one component around `center` (a hard pass, so every responsibility is 1
 * whatever the kernel computes; its precision factor is zero). Two passes when the center may be far from the data
 * (a warm start's), so the scatter is taken around the data mean.
 */
function* dataMoments(
  center: Float64Array,
  d: number,
  kind: 'full' | 'diag',
  passes: number,
  scale: number,
): Steps<DataMoments> {
  let m: DataMoments | null = null;
  let c = center;
  for (let p = 0; p < passes; p++) {
    const params: KernelParams = {
      k: 1,
      d,
      layout: (kind === 'full' ? LAYOUTS.tri : LAYOUTS.diag).code,
      sxxKind: kind,
      means: c,
      prec: new Float64Array(kind === 'full' ? d * d : d),
      logConst: new Float64Array(1),
    };
    const st = rescale(yield* ask({ type: 'estep', params, hard: true }), scale);
    st.logLik = 0; // a hard pass' classification log-likelihood, unused (and −∞-prone with a zero precision)
    checkFinite(st, 0);
    m = momentsFromStats(st);
    c = m.mean;
  }
  return m!;
}

/** The priors, resolved from the options and the data's moments (scikit-learn's _check_parameters). */
function* priorSteps(
  o: VariationalConfig,
  d: number,
  center: Float64Array,
  passes: number,
  scale: number,
): Steps<VariationalPriors> {
  const kind = covarianceModel(o.covarianceType).statsKind;
  const m = yield* dataMoments(center, d, kind, passes, scale);
  if (o.covariancePrior === null && !(m.n > 1)) {
    throw new DataError(
      `the default covariancePrior is the covariance of X with ddof 1 (sample weights count rows), which needs a total ` +
        `weight > 1; got ${m.n}. Pass covariancePrior, or give the rows more weight.`,
    );
  }
  return resolvePriors(m, o.covarianceType, o.nComponents, {
    weightConcentrationPriorType: o.weightConcentrationPriorType,
    weightConcentrationPrior: o.weightConcentrationPrior,
    meanPrecisionPrior: o.meanPrecisionPrior,
    meanPrior: o.meanPrior,
    degreesOfFreedomPrior: o.degreesOfFreedomPrior,
    covariancePrior: o.covariancePrior,
  });
}

/** One run from `start` (restart `init` of `runs`): E-pass, M-step, bound, until |Δ bound| < tol or maxIter. */
function* run(
  o: VariationalConfig,
  priors: VariationalPriors,
  start: Omit<VariationalStep, 'lowerBound'>,
  startBound: number,
  init: number,
  runs: number,
  scale: number,
): Steps<VariationalResult> {
  let post = start.posterior;
  let kp = start.kernel;
  let bound = startBound;
  let converged = false;
  let nIter = 0;
  const trace: number[] = [];
  for (let iter = 1; iter <= o.maxIter; iter++) {
    nIter = iter;
    const prev = bound;
    const st = rescale(yield* ask({ type: 'estep', params: toKernel(kp), hard: false }), scale);
    checkFinite(st, iter);
    const step = yield* ask({
      type: 'variational-mstep',
      st,
      priors,
      regCovar: o.regCovar,
      iteration: iter,
      init,
      runs,
      kernel: kp,
    });
    post = step.posterior;
    kp = step.kernel;
    bound = step.lowerBound!;
    trace.push(bound);
    const change = bound - prev;
    o.onIteration?.({ init, iter, lowerBound: bound, change });
    if (Math.abs(change) < o.tol) {
      converged = true;
      break;
    }
  }
  return { posterior: post, priors, lowerBound: bound, lowerBounds: Float64Array.from(trace), nIter, converged };
}

/** The mean of the fitted mixture: a center near the data for a warm start's moments pass. */
function mixtureMean(post: VariationalPosterior, weights: Float64Array): Float64Array {
  const { k, d } = post;
  const c = new Float64Array(d);
  for (let t = 0; t < k; t++) for (let j = 0; j < d; j++) c[j] += weights[t] * post.means[t * d + j];
  return c;
}

/**
 * The variational fit with restarts over `data`; a warm start runs once from the given posterior (the priors are
 * still computed from the data, as scikit-learn does on every fit).
 */
export function* variationalLoop(
  o: VariationalConfig,
  data: DataShape,
  warm: (VariationalWarmStart & { weights: Float64Array }) | null,
): Steps<VariationalResult> {
  checkPriorShapes(o, data.d);
  const scale = 1 / (data.weightScale ?? 1);
  const rng = new Random(o.seed);
  const init: InitConfig = {
    nComponents: o.nComponents,
    covarianceType: o.covarianceType,
    initParams: o.initParams,
    regCovar: o.regCovar,
    onDegenerate: 'reset',
    weightsInit: null,
    meansInit: null,
    precisionsInit: null,
    respInit: o.respInit,
    // read only by EM's initial M-step of the iterative mclust models, which the variational fit does not take
    mstepTol: Math.sqrt(Number.EPSILON),
    mstepMaxIter: 2147483647,
  };
  const runs = warm ? 1 : o.nInit;
  // scikit-learn resolves the priors before initialising; the order does not change results (the priors draw no
  // random numbers), and initialising first gives the moments pass the data mean as its center.
  const first = warm ? null : yield* initialStats(init, data, rng);
  const priors = first
    ? yield* priorSteps(o, data.d, first.mean, 1, scale)
    : yield* priorSteps(o, data.d, mixtureMean(warm!.posterior, warm!.weights), 2, scale);
  let best: VariationalResult | null = null;
  for (let r = 0; r < runs; r++) {
    let start: Omit<VariationalStep, 'lowerBound'>;
    if (warm) start = { posterior: warm.posterior, kernel: variationalKernelParams(warm.posterior) };
    else {
      const s = r === 0 ? first! : yield* initialStats(init, data, rng);
      const st = rescale(s.st, scale);
      checkFinite(st, 0);
      start = yield* ask({
        type: 'variational-mstep',
        st,
        priors,
        regCovar: o.regCovar,
        iteration: 0,
        init: r,
        runs,
        kernel: null,
      });
    }
    const res = yield* run(o, priors, start, warm ? warm.lowerBound : -Infinity, r, runs, scale);
    if (!best || beats(res.lowerBound, best.lowerBound)) best = res;
  }
  return best!;
}
