/**
 * EM on the k-means sample (initSample: 'em'): a large fit's start is the EM fit of the sample its k-means ran on,
 * so that EM over all rows begins next to an optimum instead of at k-means centers with hard-assignment covariances.
 *
 * Why: on overlapping clusters EM from a k-means start crawls for several full passes (10⁶ × 2, K = 6: 7 iterations
 * at tol 1e-3), while the same iterations on 8192 sampled rows cost a hundredth of a pass each. What the sample
 * cannot give is the last few hundredths of a nat: its optimum differs from the full data's by sampling error
 * (about p / 2m per row in log-likelihood for p free parameters and m rows), which the full-data iterations then
 * remove. It replaces the nearest-center pass over all rows that the k-means start took its first M-step from.
 *
 * The sample EM is this library's own EM (em/run.ts emRun) over the sample's rows on the driver's backend — one
 * request ('sample-em') that a driver answers where it holds its initialisation rows (drivers/local/row-server.ts;
 * fitAsync: worker 0). A degenerate component on the sample (too few of its rows, a vanished weight) ends it with
 * no result, and the fit takes the nearest-center start instead: the sample only ever replaces a start, it never
 * makes a fit fail.
 */
import { driveSync } from '../em/drive.js';
import type { EMConfig } from '../em/loop.js';
import { ask, type Handlers, type Steps } from '../em/protocol.js';
import { emRun } from '../em/run.js';
import { covarianceModel, type CovarianceType } from '../model/covariance/registry.js';
import { DegenerateError } from '../model/degeneracy.js';
import type { Params } from '../model/params.js';
import type { ResolvedPrior } from '../model/prior.js';

/**
 * The sample's EM stops by the fit's rule, but never at a tolerance below this: the sample's optimum lies about
 * p / 2m nats per row from the full data's (p free parameters, m rows: 0.0015 at K = 4, D = 2 and 0.02 at K = 8,
 * D = 8 for m = 8192), so converging on the sample more tightly than this moves the start by less than the sampling
 * error the full-data iterations remove anyway. A fit with tol 0 (run exactly maxIter iterations) would otherwise
 * run its sample to maxIter too.
 */
export const SAMPLE_EM_MIN_TOL = 1e-3;

/**
 * At most this many iterations on the sample (and never more than the fit's maxIter): the sample's EM is one request
 * a driver cannot interrupt between iterations, so it is bounded — 100 passes over m ≤ max(8192, 256·K) rows. From
 * the k-means start it converges in 3–30 on the benchmark's data.
 */
export const SAMPLE_EM_MAX_ITER = 100;

/** The options of the fit that the sample's EM runs with (plain data: the request may go to a worker). */
export interface SampleEmOptions {
  covarianceType: CovarianceType;
  regCovar: number;
  mstepTol: number;
  mstepMaxIter: number;
  priorParams: ResolvedPrior | null;
  /** The fit's tol and maxIter, bounded by SAMPLE_EM_MIN_TOL and SAMPLE_EM_MAX_ITER. */
  tol: number;
  maxIter: number;
}

/** The 'sample-em' request: the sample, its k-means centers and moments, and the fit's options. */
export interface SampleEmRequest {
  /** The sample's rows, row-major. */
  values: Float64Array;
  d: number;
  /** The k-means centers (K × d) and the units their nearest-center assignment is measured in. */
  centers: Float64Array;
  invScale: number;
  /** The sample's moments: the fallback parameters of a component that receives no rows. */
  mean: Float64Array;
  variance: Float64Array;
  options: SampleEmOptions;
}

/** The sample's EM fit: its parameters, iterations and final lower bound (mean log-likelihood of the sample). */
export interface SampleEmResult {
  params: Params;
  nIter: number;
  lowerBound: number;
}

/** The EM config of the sample's run: the fit's model and stopping rule, no callbacks, no restarts, no resets. */
function sampleConfig(k: number, o: SampleEmOptions): EMConfig {
  return {
    nComponents: k,
    covarianceType: o.covarianceType,
    initParams: 'kmeans',
    regCovar: o.regCovar,
    onDegenerate: 'error',
    weightsInit: null,
    meansInit: null,
    precisionsInit: null,
    respInit: null,
    mstepTol: o.mstepTol,
    mstepMaxIter: o.mstepMaxIter,
    priorParams: o.priorParams,
    tol: o.tol,
    maxIter: o.maxIter,
    nInit: 1,
    seed: 0,
    freeze: [],
    algorithm: 'em',
    onIteration: null,
    accelerate: 'none',
  };
}

/** Nearest-center statistics of the sample, the first M-step from them, then EM: the algorithm run on the sample. */
function* sampleEmSteps(req: SampleEmRequest): Steps<SampleEmResult> {
  const o = req.options;
  const k = req.centers.length / req.d;
  const kind = covarianceModel(o.covarianceType).statsKind;
  const st = yield* ask({ type: 'assign', centers: req.centers, invScale: req.invScale, kind });
  const { covarianceType, regCovar, mstepTol, mstepMaxIter, priorParams } = o;
  const start = yield* ask({
    type: 'initial-mstep',
    k,
    st,
    mean: req.mean,
    variance: req.variance,
    noise: null,
    options: { covarianceType, regCovar, onDegenerate: 'error', mstepTol, mstepMaxIter, priorParams },
  });
  const r = yield* emRun(sampleConfig(k, o), start, -Infinity, 0, 1);
  return { params: r.params, nIter: r.nIter, lowerBound: r.lowerBound };
}

/**
 * Answers 'sample-em' with `handlers` over the request's rows (a RowServer of them on the driver's backend): the
 * sample's EM fit, or null when a component degenerated on the sample.
 */
export function fitSample(req: SampleEmRequest, handlers: Handlers): SampleEmResult | null {
  try {
    return driveSync(sampleEmSteps(req), handlers);
  } catch (e) {
    if (e instanceof DegenerateError) return null;
    throw e;
  }
}
