/**
 * Initial parameters for one EM run, as scikit-learn: initial responsibilities from the chosen `initParams`, one
 * M-step from them, then user-supplied weightsInit / meansInit / precisionsInit override their parts. Hard seeds
 * (kmeans, k-means++, random_from_data) assign every row to its nearest seed point; on more than sampleSize(K) rows
 * without weights, the k-means seeds come from a uniform sample of the rows (sample-kmeans.ts). Written as a generator of data
 * requests (em/protocol.ts), so every driver — in-process, workers, a stream's sample — runs the same code.
 */
import { OptionError } from '../api/errors.js';
import { extension } from '../extensions.js';
import { ask, type Steps } from '../em/protocol.js';
import { covarianceModel, precisionFactors, type CovarianceType } from '../model/covariance/registry.js';
import { degenerateError } from '../model/degeneracy.js';
import { mStepChecked } from '../model/mstep.js';
import type { Params } from '../model/params.js';
import type { ResolvedPrior } from '../model/prior.js';
import type { NoiseTerm } from '../model/noise.js';
import type { SufficientStats } from '../model/stats.js';
import type { Random } from '../util/random.js';
import { kmeansPlusPlusSteps } from './kmeans-plus-plus.js';
import { lloydSteps } from './lloyd.js';
import { dataMomentsSteps } from './moments.js';
import { SAMPLE_EM_MAX_ITER, SAMPLE_EM_MIN_TOL, type SampleEmRequest } from './sample-em.js';
import { sampleKmeans, sampleSize, type SampleStart } from './sample-kmeans.js';
import { copyStats, type StartCache } from './start-cache.js';

export type InitParams = 'kmeans' | 'k-means++' | 'random' | 'random_from_data' | 'hc';
/** What a large unweighted fit's k-means start does with a sample of its rows (options.ts initSample). */
export type InitSample = 'em' | 'kmeans' | 'none';
export type OnDegenerate = 'error' | 'reset';

/** What initialisation reads of the options. */
export interface InitConfig {
  readonly nComponents: number;
  readonly covarianceType: CovarianceType;
  readonly initParams: InitParams;
  readonly regCovar: number;
  readonly onDegenerate: OnDegenerate;
  readonly weightsInit: Float64Array | null;
  readonly meansInit: Float64Array[] | null;
  /** Flattened values with the nesting depth they came in; the shape is checked against D here. */
  readonly precisionsInit: { values: Float64Array; shape: number[] } | null;
  /** Initial responsibilities (n×k, row-major), held by the driver; the first M-step is taken from them. */
  readonly respInit: { values: Float64Array; n: number } | null;
  /** Inner-loop tolerance and cap of the iterative mclust models' M-steps. */
  readonly mstepTol: number;
  readonly mstepMaxIter: number;
  /** A conjugate prior, resolved: the first M-step is already the posterior mode (as mclust's me()). */
  readonly priorParams?: ResolvedPrior | null;
  /**
   * A uniform noise component (model/noise.ts; its weight is taken from the start): respInit then has K + 1 columns,
   * the noise last, and the first M-step gives the Gaussians and π₀.
   */
  readonly noiseTerm?: NoiseTerm | null;
  /**
   * k-means starts already computed on these rows by another fit (selectModel's other covariance types for this K);
   * see start-cache.ts. Not an option: set by the library for fits of rows it has validated once.
   */
  readonly starts?: StartCache | null;
  /**
   * 'kmeans' and 'k-means++' on more than sampleSize(K) unweighted rows: 'em' (the fit's default) runs them on a
   * sample and fits the sample by EM (sample-em.ts), 'kmeans' runs them on the sample and sends every row to its
   * nearest center, 'none' runs them on all rows. Absent: 'kmeans' (the starts of the variational fit and
   * selectModel's K = 1 … use only the k-means part).
   */
  readonly initSample?: InitSample;
}

/** The stopping rule of EM on the sample (initSample 'em'): the fit's tol and maxIter. */
export interface SampleStop {
  tol: number;
  maxIter: number;
}

/** The rows initialisation runs over, as far as it needs to know them. */
export interface DataShape {
  n: number;
  d: number;
  /** The fit has sample weights. */
  weighted: boolean;
  /**
   * The power of two the driver multiplied the caller's weights by (fitStream scales the largest to about 1), so
   * the statistics it returns are that much larger; 1 when absent. EM is invariant to it; the variational fit,
   * whose weights count rows, divides it back out.
   */
  weightScale?: number;
}

const copySampleStart = (s: SampleStart): SampleStart => ({
  rows: s.rows.slice(),
  centers: s.centers.slice(),
  mean: s.mean.slice(),
  variance: s.variance.slice(),
  invScale: s.invScale,
});

/** Placeholder parameters for components that receive no rows at initialisation: the data's spread. */
function fallbackParams(
  covType: CovarianceType,
  k: number,
  d: number,
  mean: Float64Array,
  variance: Float64Array,
  reg: number,
): Params {
  const model = covarianceModel(covType);
  const v = variance.map((x) => (x > 0 ? x : 1) + reg);
  const covariances = model.fromVariances(v, k);
  const precChol = new Float64Array(covariances.length);
  model.layout.factor(covariances, k, d, precChol);
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) means.set(mean, c * d);
  return { k, d, covType, weights: new Float64Array(k).fill(1 / k), means, covariances, precChol };
}

/** Checks the shape of precisionsInit for this covariance type and feature count. */
function checkPrecisionsShape(shape: number[], covType: CovarianceType, k: number, d: number): void {
  const want = covarianceModel(covType).shape(k, d);
  if (shape.length !== want.length || shape.some((s, i) => s !== want[i])) {
    throw new OptionError(
      'precisionsInit',
      `precisionsInit for covarianceType '${covType}' must have shape [${want.join(', ')}]; got [${shape.join(', ')}]`,
    );
  }
}

/** What initialisation's M-step reads: the initial statistics, the data's moments (for the fallback) and the options. */
export interface InitialMStep {
  /** The number of Gaussian components (the statistics have one more with a noise component from respInit). */
  k: number;
  st: SufficientStats;
  mean: Float64Array;
  variance: Float64Array;
  noise: NoiseTerm | null;
  options: Pick<
    InitConfig,
    'covarianceType' | 'regCovar' | 'onDegenerate' | 'mstepTol' | 'mstepMaxIter' | 'priorParams'
  >;
}

/**
 * The M-step from the initial responsibilities (the 'initial-mstep' request: drivers call this). A component whose
 * covariance is not positive definite raises a DegenerateError under onDegenerate 'error'; under 'reset' it starts
 * from the data's spread instead (the fallback).
 */
export function initialMStep(req: InitialMStep): Params {
  const o = req.options;
  const { covarianceType: covType, regCovar } = o;
  const { mstepTol, mstepMaxIter } = o;
  const base = fallbackParams(covType, req.k, req.st.d, req.mean, req.variance, regCovar);
  const fallback = req.noise ? { ...base, noise: req.noise } : base;
  const r = mStepChecked(req.st, fallback, {
    covType,
    regCovar,
    freeze: [],
    iteration: 0,
    mstepTol,
    mstepMaxIter,
    prior: o.priorParams,
  });
  if (r.degenerate.length === 0) return r.params;
  if (o.onDegenerate !== 'reset') throw degenerateError(r.degenerate[0], 0, 0, 1, regCovar);
  const per = covarianceModel(covType).layout.blockSize(fallback.d);
  const covariances = r.params.covariances.slice();
  const precChol = r.params.precChol.slice();
  for (const b of r.degenerate) {
    const c = Math.max(0, b.component);
    covariances.set(fallback.covariances.subarray(c * per, (c + 1) * per), c * per);
    precChol.set(fallback.precChol.subarray(c * per, (c + 1) * per), c * per);
  }
  return { ...r.params, covariances, precChol };
}

/** Whether the k-means start runs on a sample of the rows: a large unweighted fit, unless initSample is 'none'. */
function usesSample(o: InitConfig, data: DataShape): boolean {
  const kmeans = o.initParams === 'kmeans' || o.initParams === 'k-means++';
  return kmeans && !o.respInit && !data.weighted && o.initSample !== 'none' && data.n > sampleSize(o.nComponents);
}

/** k-means on a uniform sample of the rows (sample-kmeans.ts), shared with the fits that share `o.starts`. */
function* sampleStart(o: InitConfig, data: DataShape, rng: Random): Steps<SampleStart> {
  const { n, d } = data;
  const k = o.nComponents;
  const sample = (): Steps<SampleStart> => sampleKmeans(n, d, k, o.initParams === 'kmeans', rng);
  return o.starts
    ? yield* o.starts.memo(`sample-kmeans|${n}|${d}|${k}|${o.initParams}`, rng, sample, copySampleStart)
    : yield* sample();
}

/**
 * The statistics of the initial responsibilities of `initParams` (or respInit), with the data's moments. Exported
 * for algorithms that take their own first step from them (the variational fit). `sampled`: the k-means sample
 * start, when the caller has drawn it already.
 */
export function* initialStats(
  o: InitConfig,
  data: DataShape,
  rng: Random,
  sampled: SampleStart | null = null,
): Steps<{ st: SufficientStats; mean: Float64Array; variance: Float64Array }> {
  const { n, d, weighted } = data;
  const k = o.nComponents;
  const kind = covarianceModel(o.covarianceType).statsKind;
  if (usesSample(o, data)) {
    // a large unweighted fit: k-means on a uniform sample (sample-kmeans.ts), then every row to its nearest center
    const s = sampled ?? (yield* sampleStart(o, data, rng));
    const assign = (): Steps<SufficientStats> =>
      ask({ type: 'assign', centers: s.centers, invScale: s.invScale, kind });
    const st = o.starts
      ? yield* o.starts.memo(`assign|${n}|${d}|${kind}|${s.invScale}|${s.centers.join(',')}`, rng, assign, copyStats)
      : yield* assign();
    return { st, mean: s.mean, variance: s.variance };
  }
  const m = yield* dataMomentsSteps(n, d);
  if (o.respInit)
    return {
      st: yield* ask({ type: 'resp-stats', k: o.noiseTerm ? k + 1 : k, sxxKind: kind, mean: m.mean }),
      mean: m.mean,
      variance: m.variance,
    };
  if (o.initParams === 'hc') {
    const st = yield* extension('hc', 'initParams').hcStartStats(k, kind, n, d, rng);
    return { st, mean: m.mean, variance: m.variance };
  }
  let seeds: Float64Array;
  if (o.initParams === 'random' || o.initParams === 'random_from_data') {
    const r = yield* ask({ type: 'prepare', kind: o.initParams, k, sxxKind: kind, mean: m.mean, rng: rng.getState() });
    rng.setState(r.rng);
    if (r.prep.stats) return { st: r.prep.stats, mean: m.mean, variance: m.variance };
    seeds = r.prep.seeds!;
  } else {
    seeds = yield* kmeansPlusPlusSteps(n, d, k, weighted, m.invScale, rng);
    if (o.initParams === 'kmeans')
      seeds = (yield* lloydSteps(seeds, k, d, 300, 1e-4 * m.scaledMeanVariance, m.invScale, false)).centers;
  }
  // every row to its nearest seed, exactly Euclidean (s a power of two) at any data scale
  const st = yield* ask({ type: 'assign', centers: seeds, invScale: m.invScale, kind });
  return { st, mean: m.mean, variance: m.variance };
}

/** The 'sample-em' request of a fit: its sample, the sample's k-means centers and moments, its model and rule. */
function sampleEmRequest(o: InitConfig, s: SampleStart, d: number, stop: SampleStop): SampleEmRequest {
  const { covarianceType, regCovar, mstepTol, mstepMaxIter } = o;
  const tol = Math.max(stop.tol, SAMPLE_EM_MIN_TOL);
  const maxIter = Math.min(stop.maxIter, SAMPLE_EM_MAX_ITER);
  const options = {
    covarianceType,
    regCovar,
    mstepTol,
    mstepMaxIter,
    priorParams: o.priorParams ?? null,
    tol,
    maxIter,
  };
  return { values: s.rows, d, centers: s.centers, invScale: s.invScale, mean: s.mean, variance: s.variance, options };
}

/**
 * Initial parameters for one EM run. `rng` is the fit's Random: restarts continue its stream, and the 'prepare'
 * pass draws from it too (its state travels with the request). Shapes of user-supplied starts are checked first,
 * before any data pass. `stop`: plain EM's stopping rule, given by an EM fit whose start may be EM on the k-means
 * sample (initSample 'em'; not with a noise component or a partial user start, whose parameters the sample's fit
 * would not respect); null elsewhere.
 */
export function* initialParamsSteps(
  o: InitConfig,
  data: DataShape,
  rng: Random,
  stop: SampleStop | null = null,
): Steps<Params> {
  const { d } = data;
  const k = o.nComponents;
  const covType = o.covarianceType;
  const model = covarianceModel(covType);
  if (o.meansInit && o.meansInit[0].length !== d) {
    throw new OptionError(
      'meansInit',
      `meansInit must be ${k}×${d} (nComponents × features of X); got ${k}×${o.meansInit[0].length}`,
    );
  }
  if (o.precisionsInit) checkPrecisionsShape(o.precisionsInit.shape, covType, k, d);

  const size = model.layout.blocks(k) * model.layout.blockSize(d);
  let p: Params = {
    k,
    d,
    covType,
    weights: new Float64Array(k),
    means: new Float64Array(k * d),
    covariances: new Float64Array(size),
    precChol: new Float64Array(size),
  };
  if (!(o.weightsInit && o.meansInit && o.precisionsInit)) {
    const partial = o.weightsInit || o.meansInit || o.precisionsInit;
    const sampled = usesSample(o, data) ? yield* sampleStart(o, data, rng) : null;
    const fitted =
      sampled && stop && o.initSample === 'em' && !partial && !o.noiseTerm
        ? yield* ask({ type: 'sample-em', ...sampleEmRequest(o, sampled, d, stop) })
        : null;
    if (fitted) p = fitted.params;
    else {
      const s = yield* initialStats(o, data, rng, sampled);
      const { mean, variance } = s;
      const { regCovar, onDegenerate, mstepTol, mstepMaxIter, priorParams } = o;
      const options = { covarianceType: covType, regCovar, onDegenerate, mstepTol, mstepMaxIter, priorParams };
      p = yield* ask({ type: 'initial-mstep', k, st: s.st, mean, variance, noise: o.noiseTerm ?? null, options });
    }
  }
  const weights = o.weightsInit ? o.weightsInit.slice() : p.weights;
  const means = p.means;
  if (o.meansInit) o.meansInit.forEach((m, c) => means.set(m, c * d));
  if (!o.precisionsInit) return { ...p, weights, means };
  const precChol = new Float64Array(size);
  let bad: number;
  try {
    bad = precisionFactors(covType, o.precisionsInit.values, k, d, precChol);
  } catch (e) {
    throw new OptionError('precisionsInit', `precisionsInit must be precisions of ${(e as Error).message}`);
  }
  if (bad >= 0) {
    throw new OptionError(
      'precisionsInit',
      `precisionsInit must be positive definite; ${model.layout.shared ? 'the tied precision' : `component ${bad}`} is not`,
    );
  }
  const covariances = new Float64Array(size);
  model.layout.unfactor(precChol, k, d, covariances);
  return { k, d, covType, weights, means, covariances, precChol };
}
