/**
 * GaussianMixture: the public model. It validates (options.ts), hands fitting to a driver (drivers/) and inference
 * to a workspace over the kernels, and commits new parameters only after a fit succeeds — a failed fit leaves the
 * model as it was.
 */
import { getBackend, kernelsOf, type KernelName } from '../backends/index.js';
import type { BackendName } from '../backends/types.js';
import { Workspace } from '../backends/workspace.js';
import { chunkWeights, rowsView, toRows, toSampleWeight, type Matrix, type Rows } from '../data/matrix.js';
import { checkSummary, summarize, type DataSummary } from '../data/summary.js';
import {
  logDensities,
  logLikAndMaxResponsibility,
  predictLabels,
  responsibilities,
  sumLogMaxResponsibility,
  totalLogDensity,
  type LogDensities,
} from '../drivers/local/inference.js';
import { checkAndSummarize, throwIfAborted } from '../drivers/async.js';
import type { ChunkSource } from '../drivers/stream/fit-stream.js';
import { fitSync } from '../drivers/sync.js';
import { emLoop, type WarmStart } from '../em/loop.js';
import { extension } from '../extensions.js';
import type { ResolvedPrior } from '../model/prior.js';
import type { OnlineResult, OnlineState } from '../em/online.js';
import type { Plan, RowPass } from '../drivers/plan.js';
import type { EMResult, Steps } from '../em/protocol.js';
import { runWithoutData } from '../em/drive.js';
import { initialParamsSteps, type DataShape } from '../init/init.js';
import { covarianceModel, publicValues } from '../model/covariance/registry.js';
import { degenerateError, type ResetRecord } from '../model/degeneracy.js';
import type { NoiseRegion } from '../model/noise.js';
import { mStepChecked } from '../model/mstep.js';
import { cloneParams, kernelParams, modelOf, parameterCount, type Params } from '../model/params.js';
import { checkStats, type SufficientStats } from '../model/stats.js';
import { Random } from '../util/random.js';
import { sampleRows, type SampleBatch } from '../model/sampling.js';
import type { StartCache } from '../init/start-cache.js';
import { anomalyThreshold, detectAnomalies, type AnomalyOptions, type AnomalyResult } from '../tools/anomaly.js';
import { DataError, ModelFormatError, NotFittedError, OptionError, quote } from './errors.js';
import { emitWarning } from './warnings.js';
import { namesFor } from './feature-names.js';
import { inspectModel, modelString } from './describe.js';
import { precisionsFromFactors } from '../model/precisions.js';
import { deserialize, serialize, type ModelJSON } from './model-json.js';
import type { StartPartition } from './noise-start.js';
import {
  fitAsyncOptions,
  fitOptions,
  fitStreamOptions,
  partialFitOptions,
  resolveOptions,
  weightOptions,
  sampleOptions,
  type FitAsyncOptions,
  type FitOptions,
  type FitStreamOptions,
  type PartialFitOptions,
  type CovariancesOf,
  type CovarianceType,
  type GaussianMixtureOptions,
  type IterationInfo,
  type ResolvedOptions,
} from './options.js';

export type { FitAsyncOptions, FitOptions, PartialFitOptions };

interface Fitted {
  params: Params;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  backend: BackendName | null;
  /** Re-seedings under onDegenerate: 'reset' during the fit that produced these parameters. */
  resets?: readonly ResetRecord[];
  /** The prior's hyper-parameters the fit resolved (option prior), for maximization() and toJSON. */
  priorParams?: ResolvedPrior | null;
  /** Online learning's running state, after partialFit (any other fit or maximization drops it). */
  online?: OnlineState;
  /** The names of the features the parameters were fitted on, when the fit was given them. */
  featureNames?: readonly string[] | null;
}

/**
 * The feature names after a partialFit batch: the batch's names when the model has none yet, else the model's, which
 * a batch that names its columns must repeat (as scikit-learn checks feature_names_in_): a batch whose columns are
 * in another order would otherwise update the wrong parameters silently.
 */
function batchNames(given: readonly string[] | null, model: readonly string[] | null): readonly string[] | null {
  if (!given || !model) return model ?? given;
  if (given.length === model.length && given.every((n, j) => n === model[j])) return model;
  throw new OptionError(
    'featureNames',
    `partialFit: the batch's featureNames ${quote(given.join(', '))} differ from the model's ${quote(model.join(', '))}: the columns must be the same features in the same order`,
  );
}

/**
 * Online and mini-batch EM blend running statistics and take their own M-steps, which know neither the log prior
 * nor the noise component: refused rather than run as plain EM.
 */
function refuseOnline(o: ResolvedOptions, what: string): void {
  const option = o.prior ? 'prior' : o.noise ? 'noise' : null;
  if (option) throw new OptionError(option, `${option} is not available with ${what} (not implemented); use fit`);
}

/** EM as a driver's plan: the options, the warm start (if any) and the loop. */
function emPlan(o: ResolvedOptions, warm: WarmStart | null): Plan<EMResult & { priorParams: ResolvedPrior | null }> {
  return {
    backend: o.backend,
    nComponents: o.nComponents,
    seed: o.seed,
    onDegenerate: o.onDegenerate,
    respInit: warm ? null : o.respInit,
    initialises: warm === null,
    features: warm ? warm.params.d : null,
    missing: o.missing,
    // the prior (its defaults resolved from the data first) is an extension gaussmix/core leaves out
    steps: (data) => (o.prior ? extension('prior').emWithPrior(o, o.prior, data, warm) : withoutPrior(o, data, warm)),
  };
}

/** BIC and AIC from the mean log-likelihood `score` of n rows and p free parameters (bic, aic and criteriaOf). */
const bicOf = (score: number, n: number, p: number): number => -2 * score * n + p * Math.log(n);
const aicOf = (score: number, n: number, p: number): number => -2 * score * n + 2 * p;

function* withoutPrior(
  o: ResolvedOptions,
  data: DataShape,
  warm: WarmStart | null,
): Steps<EMResult & { priorParams: ResolvedPrior | null }> {
  return { ...(yield* emLoop(o, data, warm)), priorParams: null };
}

/** A flat array in the given shape, with Float64Array leaves (a copy). */
export function shaped(flat: Float64Array, shape: number[]): Float64Array | Float64Array[] | Float64Array[][] {
  const rows = (a: Float64Array, n: number, m: number): Float64Array[] =>
    Array.from({ length: n }, (_, i) => a.slice(i * m, (i + 1) * m));
  if (shape.length === 1) return flat.slice();
  if (shape.length === 2) return rows(flat, shape[0], shape[1]);
  const [a, b, c] = shape;
  return Array.from({ length: a }, (_, i) => rows(flat.subarray(i * b * c, (i + 1) * b * c), b, c));
}

/**
 * A Gaussian mixture fitted by EM (scikit-learn's GaussianMixture in camelCase, with R mclust's covariance models).
 * `T` is the covariance type when the options name it literally, so `covariances` and `precisionsCholesky` have
 * their exact shape statically (`new GaussianMixture({ covarianceType: 'full' })` gives Float64Array[][]).
 */
export class GaussianMixture<T extends CovarianceType = CovarianceType> {
  private opts: ResolvedOptions;
  private state: Fitted | null = null;
  private lastWarnings: string[] = [];

  /**
   * A model with the given options (see GaussianMixtureOptions for each one's default and range); throws an
   * OptionError naming the first bad option. The options object is copied, never kept or mutated.
   * @example const gmm = new GaussianMixture({ nComponents: 3, covarianceType: 'diag', seed: 1 }).fit(X);
   */
  constructor(options: GaussianMixtureOptions<T> = {}) {
    this.opts = resolveOptions(options);
  }

  /** The resolved options (defaults filled in). */
  get options(): ResolvedOptions {
    return this.opts;
  }

  /**
   * Fits the model to X by EM. Synchronous; see fitAsync for worker threads. With `batchSize` (smaller than X), by
   * mini-batch EM: one online update per batch (see partialFit), passes until converged; the running state is kept.
   */
  fit(X: Matrix, options: FitOptions = {}): this {
    const { sampleWeight, featureNames, batchSize, signal } = fitOptions(options);
    throwIfAborted(signal);
    const rows = toRows(X, 'X', undefined, this.opts.missing);
    const w = toSampleWeight(sampleWeight, rows.n);
    return this.fitRows(rows, w, namesFor(featureNames, rows.d), batchSize, signal, null);
  }

  /**
   * fit on rows the caller has validated (toRows with this model's `missing`), sharing k-means starts through
   * `starts` with other fits of the same rows (selectModel). Not part of the documented API.
   * @internal
   */
  fitRows(
    rows: Rows,
    w: Float64Array | null,
    names: readonly string[] | null,
    batchSize: number | null,
    signal: AbortSignal | null | undefined,
    starts: StartCache | null,
  ): this {
    const check = signal ? () => throwIfAborted(signal) : null;
    const o = this.opts;
    const summary = starts ? starts.summary(rows, w, o.nComponents) : summarize(rows, w, o.nComponents);
    const warm = this.startFit(rows, w, summary);
    const backend = getBackend(o.backend);
    if (batchSize !== null && batchSize < rows.n) {
      if (o.respInit) {
        throw new OptionError(
          'batchSize',
          'respInit starts EM from responsibilities for all of X, mini-batch EM (batchSize) from its first batch: use one of them',
        );
      }
      refuseOnline(o, 'mini-batch EM (batchSize)');
      const r = extension('online', 'batchSize').fitMiniBatch(
        rows,
        w,
        o,
        backend,
        batchSize,
        warm?.params ?? null,
        check,
      );
      this.commitFit(r.result, backend.name, warm !== null, names);
      if (r.state) this.state!.online = r.state;
      return this;
    }
    const start = this.withNoiseStart(rows, w, warm);
    const plan = emPlan(starts ? { ...start, starts } : start, warm);
    this.commitFit(fitSync(rows, w, plan, backend, check), backend.name, warm !== null, names);
    return this;
  }

  /**
   * Fits the model to X by EM on worker threads (Node worker_threads, Web Workers in browsers), each with its own
   * backend instance, taking segments of the rows in turn; the event loop keeps running. The result equals fit(X)
   * to rounding (~1e-15 relative: statistics are added per segment). Errors reject the promise with the errors fit
   * throws (the same class and message for the same input); on error or abort the model keeps its parameters.
   */
  async fitAsync(X: Matrix, options: FitAsyncOptions = {}): Promise<this> {
    const { sampleWeight, workers, signal, featureNames } = fitAsyncOptions(options);
    const o = this.opts;
    // X's values are checked and summarised in slices between which the event loop runs (a large X would otherwise
    // block it for as long as that pass takes): the same errors and summary as fit's.
    const rows = rowsView(X);
    // fit reports a bad value of X before a bad weight: the weights' error waits for the values' check
    let w: Float64Array | null = null;
    let wError: unknown = null;
    try {
      w = toSampleWeight(sampleWeight, rows.n);
    } catch (e) {
      wError = e;
    }
    const summary = await checkAndSummarize(X, rows, w, o.nComponents, signal, wError === null, o.missing);
    if (wError !== null) throw wError;
    const names = namesFor(featureNames, rows.d);
    const warm = this.startFit(rows, w, summary);
    const plan = emPlan(this.withNoiseStart(rows, w, warm), warm);
    // Loaded on first use: a page that only calls fit does not download the worker driver.
    const { fitParallel } = await import('../drivers/workers/driver.js');
    const { result, backend } = await fitParallel(X, rows, w, plan, { workers, signal });
    this.commitFit(result, backend, warm !== null, names);
    return this;
  }

  /**
   * Fits by EM over a re-iterable source of row chunks — a function returning an (async) iterable of chunks
   * (`Matrix` or `{ X, sampleWeight }`), or a CSV file path (Node) — with one pass per iteration and memory
   * independent of the number of rows. Initialisation runs on a reservoir sample (`initSampleSize`, default 10 000
   * rows; the data itself when smaller, so the result then equals fit on the same rows). See drivers/stream/.
   */
  async fitStream(source: ChunkSource | string, options: FitStreamOptions = {}): Promise<this> {
    const so = fitStreamOptions(options);
    if (this.opts.respInit) {
      throw new OptionError(
        'respInit',
        'respInit needs the rows in memory (fit, fitAsync); fitStream initialises from a sample of the stream',
      );
    }
    if (this.opts.noiseInit) {
      throw new OptionError(
        'noiseInit',
        'noiseInit flags rows in memory (fit, fitAsync); fitStream starts the noise component from a clutter estimate on its initialisation sample',
      );
    }
    const warm = this.warmStart(null);
    const plan = emPlan(this.opts, warm);
    // Loaded on first use, like fitAsync's driver: the streaming driver and its CSV reader stay out of a page's
    // first download.
    const { fitStream } = await import('../drivers/stream/fit-stream.js');
    const { result, backend, d, header } = await fitStream(
      source,
      this.opts.noise && !warm ? { ...plan, fromSample: (sample, pass) => this.noisePlan(sample, pass) } : plan,
      so,
    );
    // a CSV path names its features from its header, unless told otherwise
    this.commitFit(result, backend, warm !== null, namesFor(so.featureNames ?? header, d));
    return this;
  }

  /**
   * Fits by EM on a driver from outside the core (gaussmix/distributed's coordinator), which runs EM's plan over
   * data this process never holds; commits its result as fitStream does (a failed fit leaves the model unchanged).
   * `onIteration` is called after the model's own. Not part of the documented API.
   * @internal
   */
  async fitWith(
    run: (plan: Plan<EMResult>) => Promise<{ result: EMResult; backend: BackendName }>,
    what: string,
    onIteration: ((info: IterationInfo) => void) | null = null,
  ): Promise<this> {
    if (this.opts.respInit) {
      throw new OptionError(
        'respInit',
        `respInit needs the rows in memory (fit, fitAsync); ${what} initialises from a sample`,
      );
    }
    if (this.opts.noise) {
      throw new OptionError(
        'noise',
        `noise is available with fit, fitAsync and fitStream: its start (the data region, the clutter estimate) is not implemented for ${what}`,
      );
    }
    const warm = this.warmStart(null);
    const own = this.opts.onIteration;
    const both = (i: IterationInfo): void => {
      own?.(i);
      onIteration?.(i);
    };
    const o = onIteration ? { ...this.opts, onIteration: both } : this.opts;
    const { result, backend } = await run(emPlan(o, warm));
    this.commitFit(result, backend, warm !== null);
    return this;
  }

  /**
   * fitStream's plan with a noise component: the region measured over every row of the stream, the start made on
   * its initialisation sample (the whole stream when it fits in the sample: then the start is fit's).
   */
  private async noisePlan(
    sample: { rows: Rows; w: Float64Array | null },
    pass: RowPass,
  ): Promise<ReturnType<typeof emPlan>> {
    const region = await extension('noise').regionOfPasses(pass, sample.rows.d, this.opts.noise!.volume !== null);
    return emPlan(this.withNoiseStart(sample.rows, sample.w, null, region), null);
  }

  /**
   * The options a fit from scratch runs with: with noise, its start from the rows (api/noise-start.ts) — a warm
   * start already carries its noise component. `region`: the data region when measured over more rows than these.
   */
  private withNoiseStart(
    rows: Rows,
    w: Float64Array | null,
    warm: WarmStart | null,
    region: NoiseRegion | null = null,
  ): ResolvedOptions {
    const o = this.opts;
    if (!o.noise || warm) return o;
    // the Gaussians' start: initParams over the rows not taken for noise (EM's starting parameters, no iteration)
    // this.constructor, not the class's name, which esbuild would rename to '_GaussianMixture' (see fromJSON)
    const Self = this.constructor as typeof GaussianMixture;
    const partition: StartPartition = (X, sw) =>
      new Self({
        nComponents: o.nComponents,
        covarianceType: o.covarianceType,
        initParams: o.initParams,
        seed: o.seed,
        regCovar: o.regCovar,
        onDegenerate: o.onDegenerate,
        mstepTol: o.mstepTol,
        mstepMaxIter: o.mstepMaxIter,
        backend: o.backend,
        maxIter: 0,
      })
        .fit(X, sw ? { sampleWeight: sw } : {})
        .predict(X);
    return extension('noise').noiseStart(rows, w, o, partition, region).options;
  }

  /**
   * Online (stepwise) EM: learns from one batch of rows and returns `this`. The first call on an unfitted model fits
   * the batch by EM exactly as fit would (initParams, nInit, maxIter, tol, seed; at least nComponents rows — far
   * more in practice, see README "Online learning"); every later call runs the E-step on the batch under the current
   * parameters, blends the batch's statistics per unit weight into the running statistics with step size ηₜ
   * (`learningRate`), and takes the M-step from them. A model fitted by fit, fitAsync or fitStream (or loaded)
   * continues from its parameters, which count as one batch. Afterwards `lowerBound` is the batch's mean
   * log-likelihood under the parameters before the update, `nIter` counts updates and `converged` is false. toJSON
   * includes the running state, so fromJSON then partialFit continues bit-identically. A failed call leaves the
   * model unchanged; fit (without batchSize), fitAsync, fitStream or maximization start afresh and drop the running
   * state.
   */
  partialFit(X: Matrix, options: PartialFitOptions = {}): this {
    const { sampleWeight, featureNames } = partialFitOptions(options);
    const cur = this.state;
    const o = this.opts;
    refuseOnline(o, 'partialFit');
    const { updateLocal } = extension('online', 'partialFit');
    const rows = toRows(X, 'X', cur?.params.d, o.missing);
    const w = toSampleWeight(sampleWeight, rows.n);
    const names = batchNames(namesFor(featureNames, rows.d), cur?.featureNames ?? null);
    // the first batch is checked like fit's data: enough (distinct) rows, representable spread, respInit's length
    if (!cur) this.startFit(rows, w, summarize(rows, w, o.nComponents));
    const backend = getBackend(o.backend);
    const start = cur ? { params: cloneParams(cur.params), state: cur.online ?? null } : null;
    this.commitPartial(updateLocal(rows, w, backend, o, start, o.respInit?.values ?? null), backend.name, names);
    return this;
  }

  /** Commits an online update (only after it succeeded). */
  private commitPartial(r: OnlineResult, backend: BackendName, featureNames: readonly string[] | null): void {
    this.lastWarnings = [];
    if (r.resets.length > 0) {
      this.warn(
        `onDegenerate 'reset' re-seeded ${r.resets.map((x) => `component ${x.component}`).join(', ')} at the worst-explained ` +
          `rows of partialFit batch ${r.state.nBatches}. See gmm.resets; consider fewer components or a larger regCovar.`,
        'GMM_COMPONENT_RESET',
      );
    }
    this.state = {
      params: r.params,
      converged: false,
      nIter: r.state.nBatches,
      lowerBound: r.batchScore,
      backend,
      resets: r.resets,
      online: r.state,
      featureNames,
    };
  }

  /** Rows partialFit has learned from since online learning started on this model (0 before). */
  get nSeen(): number {
    return this.state?.online?.nSeen ?? 0;
  }

  /** Updates partialFit has made since online learning started on this model (0 before). */
  get nBatches(): number {
    return this.state?.online?.nBatches ?? 0;
  }

  /** Fits, then returns the labels of X under the fitted model (equal to fit(X).predict(X)). */
  fitPredict(X: Matrix, options: FitOptions = {}): Int32Array {
    return this.fit(X, options).predict(X);
  }

  /** The warm start (a private copy of the fitted parameters) when warmStart applies, else null. */
  private warmStart(d: number | null): WarmStart | null {
    const o = this.opts;
    const cur = o.warmStart && this.state ? this.state : null;
    if (!cur) return null;
    if (d !== null && cur.params.d !== d)
      throw new DataError(`warmStart: X has ${d} features but the model was fitted on ${cur.params.d}`);
    if (cur.params.k !== o.nComponents || cur.params.covType !== o.covarianceType) {
      throw new OptionError('warmStart', 'warmStart needs the same nComponents and covarianceType as the fitted model');
    }
    return { params: cloneParams(cur.params), lowerBound: cur.lowerBound };
  }

  /**
   * Checks shared by fit and fitAsync, given the data's summary (summarize, capped at nComponents distinct rows);
   * returns the warm start or null.
   */
  private startFit(rows: Rows, w: Float64Array | null, summary: DataSummary): WarmStart | null {
    const o = this.opts;
    const k = o.nComponents;
    const effective = w ? w.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) : rows.n;
    if (effective < k) {
      throw new DataError(
        `nComponents = ${k} needs at least ${k} samples${w ? ' with positive weight' : ''}; got ${effective}`,
      );
    }
    // representable in double precision; enough distinct rows (see data/summary.ts)
    checkSummary(summary, k, o.onDegenerate, w !== null);
    if (o.respInit && o.respInit.n !== rows.n) {
      throw new OptionError(
        'respInit',
        `respInit must have one row of responsibilities per row of X (${rows.n}); got ${o.respInit.n}`,
      );
    }
    return this.warmStart(rows.d);
  }

  /** Commits a finished fit (only ever after success, so a failed fit leaves the model as it was). */
  private commitFit(
    res: EMResult & { priorParams?: ResolvedPrior | null },
    backend: BackendName,
    warm: boolean,
    featureNames: readonly string[] | null = null,
  ): void {
    const o = this.opts;
    this.lastWarnings = [];
    if (!res.converged && o.maxIter > 0) {
      this.warn(
        `the best of ${warm ? 1 : o.nInit} EM run(s) did not converge within maxIter = ${o.maxIter} iterations ` +
          `(last change of the lower bound ≥ tol = ${o.tol}). Increase maxIter or tol, or check the data for degenerate columns.`,
        'GMM_NOT_CONVERGED',
      );
    }
    const resets = res.resets ?? [];
    if (resets.length > 0) {
      const list = resets
        .slice(0, 5)
        .map(
          (r) =>
            `component ${r.component} at iteration ${r.iteration} (${r.reason === 'vanished' ? 'its mass vanished' : 'covariance not positive definite'})`,
        );
      this.warn(
        `onDegenerate 'reset' re-seeded ${resets.length} degenerate component(s) at the worst-explained rows: ` +
          `${list.join(', ')}${resets.length > 5 ? ', …' : ''}. See gmm.resets; consider fewer components or a larger regCovar.`,
        'GMM_COMPONENT_RESET',
      );
    }
    this.state = {
      params: res.params,
      converged: res.converged,
      nIter: res.nIter,
      lowerBound: res.lowerBound,
      backend,
      resets,
      featureNames,
      priorParams: res.priorParams ?? null,
    };
  }

  private warn(message: string, code: string): void {
    this.lastWarnings.push(message);
    emitWarning(this.opts.onWarning, message, code);
  }

  private fitted(method: string): Fitted {
    if (!this.state) throw new NotFittedError(method);
    return this.state;
  }

  /**
   * Validates X against the fitted model and returns it with a workspace loaded with the parameters — under missing
   * 'marginalize' one that gives rows with NaN their observed-data densities (drivers/local/observed.ts).
   */
  private inference(method: string, X: Matrix): { rows: Rows; ws: LogDensities } {
    const rows = toRows(X, 'X', this.fitted(method).params.d, this.opts.missing);
    return { rows, ws: this.densities(method) };
  }

  /** A workspace loaded with the fitted parameters (see inference). */
  private densities(method: string): LogDensities {
    const s = this.fitted(method);
    const backend = getBackend(this.opts.backend);
    const kp = kernelParams(s.params);
    if (this.opts.missing !== 'marginalize') return Workspace.of(backend, kp);
    return new (extension('missing').ObservedPass)(backend).load(kp);
  }

  /** Index of the most responsible component for each row (the argmax of log πc N(x; μc, Σc), as scikit-learn). */
  predict(X: Matrix): Int32Array {
    const { rows, ws } = this.inference('predict', X);
    const labels = predictLabels(ws, rows);
    const p = this.fitted('predict').params;
    if (p.noise) for (let i = 0; i < labels.length; i++) if (labels[i] === p.k) labels[i] = -1; // the noise component
    return labels;
  }

  /**
   * Posterior probability of each component for each row (responsibilities; each row sums to 1). With a noise
   * component there are K + 1 columns, the noise last.
   */
  predictProba(X: Matrix): Float64Array[] {
    const { rows, ws } = this.inference('predictProba', X);
    return responsibilities(ws, rows);
  }

  /** log p(x) of each row under the mixture. */
  scoreSamples(X: Matrix): Float64Array {
    const { rows, ws } = this.inference('scoreSamples', X);
    return logDensities(ws, rows);
  }

  /** Mean log-likelihood of X (per sample). */
  score(X: Matrix): number {
    const { rows, ws } = this.inference('score', X);
    return totalLogDensity(ws, rows) / rows.n;
  }

  /** Number of free parameters (scikit-learn's count, minus frozen groups). */
  nParameters(): number {
    const p = this.fitted('nParameters').params;
    // a noise component adds 2, as mclust's nMclustParams(noise = TRUE): its weight and the volume V (estimated from
    // the data by hypvol), so bic/aic equal mclust's BIC (signs flipped)
    const noise = p.noise ? 2 : 0;
    return parameterCount(p.covType, p.k, p.d, this.opts.freeze) + noise;
  }

  /** Bayesian information criterion on X (lower is better; n = rows of X, also with missing values). */
  bic(X: Matrix): number {
    const n = toRows(X, 'X', this.fitted('bic').params.d, this.opts.missing).n;
    return bicOf(this.score(X), n, this.nParameters());
  }

  /**
   * Integrated completed likelihood on X (Biernacki, Celeux & Govaert 2000; lower is better, like bic): BIC plus
   * the classification entropy, bic(X) − 2·Σ log max_k r_k(x) — mclust's icl() with the sign flipped (mclust's
   * ICL and BIC are higher-is-better). It favours well-separated clusters over a density fit.
   */
  icl(X: Matrix): number {
    const { rows, ws } = this.inference('icl', X);
    return this.bic(X) - 2 * sumLogMaxResponsibility(ws, rows);
  }

  /**
   * bic, icl, aic and score of rows validated for this model (toRows with its `missing` and D), from one pass where
   * the four methods take four — each value identical to theirs. selectModel's table. Not part of the documented API.
   * @internal
   */
  criteriaOf(rows: Rows): { bic: number; icl: number; aic: number; score: number } {
    const { total, sumLogMax } = logLikAndMaxResponsibility(this.densities('criteriaOf'), rows);
    const n = rows.n;
    const score = total / n;
    const p = this.nParameters();
    const bic = bicOf(score, n, p);
    return { bic, icl: bic - 2 * sumLogMax, aic: aicOf(score, n, p), score };
  }

  /** Akaike information criterion on X (lower is better). */
  aic(X: Matrix): number {
    const n = toRows(X, 'X', this.fitted('aic').params.d, this.opts.missing).n;
    return aicOf(this.score(X), n, this.nParameters());
  }

  /**
   * X with every missing entry (NaN) replaced by its conditional mean under the mixture, Σₖ rₖ·E[x_M | x_O, k], where
   * rₖ are the component probabilities given the row's observed entries; observed entries are copied. Returns a new
   * matrix in X's form (rows of one new buffer, or { data, rows, cols } for a dense X); X is not modified. NaN is
   * accepted whatever the `missing` option says (filling it is the point); ±Infinity, and a row without any
   * observed value, are DataErrors.
   */
  impute(X: { data: ArrayLike<number>; rows: number; cols: number }): {
    data: Float64Array;
    rows: number;
    cols: number;
  };
  impute(X: ArrayLike<number>[] | readonly ArrayLike<number>[]): Float64Array[];
  impute(X: Matrix): Float64Array[] | { data: Float64Array; rows: number; cols: number };
  impute(X: Matrix): Float64Array[] | { data: Float64Array; rows: number; cols: number } {
    const p = this.fitted('impute').params;
    const rows = toRows(X, 'X', p.d, 'marginalize');
    const { n, d } = rows;
    const out = new Float64Array(n * d);
    const { ObservedPass } = extension('missing', 'impute');
    new ObservedPass(getBackend(this.opts.backend)).load(kernelParams(p)).impute(rows, out);
    if (!Array.isArray(X)) return { data: out, rows: n, cols: d };
    return Array.from({ length: n }, (_, i) => out.subarray(i * d, (i + 1) * d));
  }

  /**
   * Draws n samples; rows come grouped by component (y is sorted), as scikit-learn. Everything is in memory at once
   * (n·D numbers); for large n use `sampleBatches`, which draws the same rows in pieces.
   */
  sample(n: number, options: { seed?: number } = {}): { X: Float64Array[]; y: Int32Array } {
    const { d } = this.fitted('sample').params;
    const o = sampleOptions(n, options, this.opts.seed);
    const X: Float64Array[] = [];
    const y = new Int32Array(o.n);
    let at = 0;
    for (const b of this.sampleBatches(o.n, { seed: o.seed, batchSize: o.batchSize })) {
      for (let r = 0; r < b.rows; r++) X.push(b.X.slice(r * d, (r + 1) * d));
      y.set(b.y, at);
      at += b.rows;
    }
    return { X, y };
  }

  /**
   * The rows `sample(n, { seed })` draws, as a sequence of batches (`{ X: rows×D row-major, y, rows }`, at most
   * `batchSize` rows each, default 8192), so memory stays O(batchSize·D) for any n. Each batch's arrays are its own.
   */
  *sampleBatches(n: number, options: { seed?: number; batchSize?: number } = {}): Generator<SampleBatch> {
    const p = this.fitted('sample').params;
    const o = sampleOptions(n, options, this.opts.seed);
    yield* sampleRows(p, o.n, new Random(o.seed), o.batchSize);
  }

  /**
   * Mixing weights πₖ (K, summing to 1 — with a noise component to 1 − noiseWeight, as mclust's pro), scikit-learn's
   * weights_. A copy: changing it does not change the model.
   */
  get weights(): Float64Array {
    return this.fitted('weights').params.weights.slice();
  }
  /** The noise component's mixing weight π₀ (option noise), or null for a model without one. */
  get noiseWeight(): number | null {
    return this.fitted('noiseWeight').params.noise?.weight ?? null;
  }
  /** The volume V of the noise component's region (its density is 1/V), or null for a model without one. */
  get noiseVolume(): number | null {
    const n = this.fitted('noiseVolume').params.noise;
    return n ? Math.exp(n.logVolume) : null;
  }
  /** Component means, K rows of D (scikit-learn's means_); copies. */
  get means(): Float64Array[] {
    const p = this.fitted('means').params;
    return shaped(p.means, [p.k, p.d]) as Float64Array[];
  }
  /** scikit-learn shapes: full K×D×D, tied D×D, diag K×D, spherical K; every mclust-named model K×D×D. */
  get covariances(): CovariancesOf<T> {
    const p = this.fitted('covariances').params;
    return shaped(publicValues(p.covType, p.covariances, p.k, p.d), modelOf(p).shape(p.k, p.d)) as CovariancesOf<T>;
  }
  /** Cholesky factors of the precision matrices, scikit-learn's precisions_cholesky_ (same shapes as covariances). */
  get precisionsCholesky(): CovariancesOf<T> {
    const p = this.fitted('precisionsCholesky').params;
    return shaped(publicValues(p.covType, p.precChol, p.k, p.d), modelOf(p).shape(p.k, p.d)) as CovariancesOf<T>;
  }
  /** Whether the kept run stopped because the lower bound changed by less than tol (not by reaching maxIter). */
  get converged(): boolean {
    return this.fitted('converged').converged;
  }
  /** EM iterations of the kept run (scikit-learn's n_iter_). */
  get nIter(): number {
    return this.fitted('nIter').nIter;
  }
  /** Mean log-likelihood of the training data under the parameters before the final M-step (scikit-learn's lower_bound_). */
  get lowerBound(): number {
    return this.fitted('lowerBound').lowerBound;
  }
  /** The backend that ran the last fit ('wasm' | 'js'); for a loaded model, the one inference will use. */
  get backend(): BackendName {
    const s = this.fitted('backend');
    return s.backend ?? getBackend(this.opts.backend).name;
  }
  /**
   * The kernels behind `backend`: 'relaxed-simd' (the wasm build with fused multiply-adds, where the engine validates
   * relaxed SIMD), 'simd' (the baseline wasm build) or 'js' (the JavaScript twin).
   */
  get kernels(): KernelName {
    return kernelsOf(this.backend);
  }
  /** D, the number of features the model was fitted on (scikit-learn's n_features_in_). */
  get nFeatures(): number {
    return this.fitted('nFeatures').params.d;
  }
  /** Names of the features when the fit was given them (fit's `featureNames`, a CSV header), else null. */
  get featureNames(): string[] | null {
    const names = this.fitted('featureNames').featureNames;
    return names ? [...names] : null;
  }
  /** The number of components K (the option; available before fitting). */
  get nComponents(): number {
    return this.opts.nComponents;
  }
  /** The covariance type (the option; available before fitting). */
  get covarianceType(): CovarianceType {
    return this.opts.covarianceType;
  }
  /** Precision matrices Σ⁻¹, scikit-learn's precisions_ (same shapes as covariances). */
  get precisions(): CovariancesOf<T> {
    const p = this.fitted('precisions').params;
    const model = modelOf(p);
    const storage = precisionsFromFactors(model.layout, p.precChol, p.k, p.d);
    return shaped(publicValues(p.covType, storage, p.k, p.d), model.shape(p.k, p.d)) as CovariancesOf<T>;
  }
  /** True once a fit, partialFit, maximization or fromJSON has given the model parameters. Never throws. */
  get isFitted(): boolean {
    return this.state !== null;
  }
  /** Warnings raised by the last fit (also emitted through process.emitWarning / console.warn, as `onWarning` says). */
  get warnings(): readonly string[] {
    return [...this.lastWarnings];
  }

  /**
   * The contamination-quantile of scoreSamples(X) (linear interpolation, as numpy.percentile): rows of X with
   * log p(x) below it are about a fraction `contamination` (0 < contamination ≤ 0.5) of X.
   */
  anomalyThreshold(X: Matrix, contamination: number): number {
    return anomalyThreshold(this, X, contamination);
  }

  /** Flags rows whose log p(x) is below `threshold`, or below anomalyThreshold(X, contamination). */
  detectAnomalies(X: Matrix, options: AnomalyOptions): AnomalyResult {
    return detectAnomalies(this, X, options);
  }

  /** Re-seedings performed under onDegenerate: 'reset' by the fit that produced the current parameters. */
  get resets(): ResetRecord[] {
    return (this.fitted('resets').resets ?? []).map((r) => ({ ...r }));
  }

  /** The parameters expectation/maximization work from: the fitted ones, or a complete user start. */
  private current(method: string): Fitted {
    if (this.state) return this.state;
    const o = this.opts;
    if (o.weightsInit && o.meansInit && o.precisionsInit) {
      const data = { n: 0, d: o.meansInit[0].length, weighted: false };
      const params = runWithoutData(initialParamsSteps(o, data, new Random(o.seed)));
      return { params, converged: false, nIter: 0, lowerBound: -Infinity, backend: null, resets: [] };
    }
    throw new NotFittedError(method);
  }

  /**
   * E-step over one chunk of rows: the sufficient statistics of X under the current parameters (accumulated around
   * the current means). Statistics of different chunks merge with SufficientStats.merge, so any map-reduce engine
   * can run this where the data live and send back the (small, serialisable) result. Weights are used as given
   * (not rescaled), so chunks stay comparable.
   */
  expectation(X: Matrix, options: Pick<FitOptions, 'sampleWeight'> = {}): SufficientStats {
    const { sampleWeight } = weightOptions(options, 'expectation');
    const s = this.current('expectation');
    const rows = toRows(X, 'X', s.params.d, this.opts.missing);
    const w = chunkWeights(sampleWeight, rows.n, 0);
    const backend = getBackend(this.opts.backend);
    const missing = this.opts.missing === 'marginalize' ? extension('missing') : null;
    const split = missing ? missing.RowSplit.of(rows) : null;
    if (missing && split && split.incomplete.length > 0) {
      return new missing.ObservedPass(backend)
        .load(kernelParams(s.params))
        .accumulate(split, w, split.completeWeights(w), 0, rows.n);
    }
    return Workspace.of(backend, kernelParams(s.params)).accumulate(rows, w, this.opts.algorithm === 'hard');
  }

  /**
   * M-step from (merged) statistics: updates the parameters (respecting freeze and regCovar), `lowerBound` (the
   * statistics' mean log-likelihood, i.e. of the parameters before this step), `nIter` (+1) and `converged`
   * (|Δ lowerBound| < tol). A degenerate component throws a DegenerateError and leaves the model unchanged —
   * also under onDegenerate 'reset', which needs data rows to re-seed from (fit and fitStream have them).
   */
  maximization(stats: SufficientStats): this {
    const st = checkStats(stats);
    const cur = this.current('maximization');
    const p = cur.params;
    const o = this.opts;
    const kind = covarianceModel(p.covType).statsKind;
    if (st.k !== p.k + (p.noise ? 1 : 0) || st.d !== p.d || st.sxxKind !== kind) {
      throw new DataError(
        `stats have k=${st.k}, d=${st.d}, sxxKind='${st.sxxKind}' but the model has nComponents=${p.k}${p.noise ? ' (+1 noise)' : ''}, ${p.d} features, ` +
          `covarianceType '${p.covType}' (sxxKind '${kind}')`,
      );
    }
    if (o.freeze.includes('means') && st.centers.subarray(0, p.k * p.d).some((v, i) => v !== p.means[i])) {
      throw new DataError(
        "stats were accumulated around other means than the model's, which freeze: ['means'] keeps fixed; compute them with expectation() under the current model",
      );
    }
    if (!(st.sumW > 0)) throw new DataError('stats hold no data (sumW = 0)');
    const iteration = cur.nIter + 1;
    const m = mStepChecked(st, p, {
      covType: p.covType,
      regCovar: o.regCovar,
      freeze: o.freeze,
      iteration,
      detectVanished: true,
      mstepTol: o.mstepTol,
      mstepMaxIter: o.mstepMaxIter,
      prior: cur.priorParams,
    });
    if (m.degenerate.length > 0) {
      const e = degenerateError(m.degenerate[0], iteration, 0, 1, o.regCovar);
      if (o.onDegenerate === 'reset')
        e.message += ' (maximization() cannot re-seed: it has no rows; fit/fitStream can.)';
      throw e;
    }
    const lowerBound = (st.logLik + m.logPrior) / st.sumW;
    this.state = {
      params: m.params,
      converged: Math.abs(lowerBound - cur.lowerBound) < o.tol,
      nIter: iteration,
      lowerBound,
      backend: cur.backend,
      resets: [],
      featureNames: cur.featureNames ?? null,
      priorParams: cur.priorParams,
    };
    this.lastWarnings = [];
    return this;
  }

  /**
   * The fitted model as plain JSON ('gaussmix-model', versioned): options, parameters in scikit-learn's shapes, fit
   * diagnostics and, after partialFit, the running state. `GaussianMixture.fromJSON` validates and restores it exactly
   * (a round trip is bit-identical). Also what JSON.stringify(gmm) writes.
   */
  toJSON(): ModelJSON {
    const s = this.fitted('toJSON');
    return serialize(s.params, s, this.opts);
  }

  /** Rebuilds a fitted model from toJSON output (object or JSON string); validates everything. */
  static fromJSON(json: unknown): GaussianMixture {
    const m = deserialize(json);
    let gm: GaussianMixture;
    try {
      // `this`, not the class's own name: a class that names itself inside its body is emitted by esbuild as
      // `var GaussianMixture = class _GaussianMixture`, and GaussianMixture.name would be '_GaussianMixture'
      gm = new this({ ...m.options, nComponents: m.params.k, covarianceType: m.params.covType });
    } catch (e) {
      throw new ModelFormatError(`invalid gaussmix model: options: ${(e as Error).message}`);
    }
    const po = gm.opts.prior;
    const priorParams = po
      ? extension('prior').resolvePrior(
          m.params.covType,
          m.params.k,
          m.params.d,
          0,
          new Float64Array(0),
          new Float64Array(0),
          po,
        )
      : null;
    gm.state = {
      params: m.params,
      converged: m.converged,
      nIter: m.nIter,
      lowerBound: m.lowerBound,
      backend: null,
      featureNames: m.featureNames,
      priorParams,
    };
    if (m.online) gm.state.online = m.online;
    return gm;
  }

  /** A one-line summary: "GaussianMixture(nComponents: 2, covarianceType: 'full', …)". */
  toString(): string {
    return modelString(this);
  }

  /** What console.log and util.inspect show in Node: the summary, not the internal state. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: unknown, inspect?: unknown): string {
    return inspectModel(this, options, inspect);
  }
}
