/**
 * BayesianGaussianMixture: scikit-learn 1.2's variational Bayesian Gaussian mixture. Fit a generous nComponents and
 * the posterior empties the components the data do not need. It validates (options.ts), hands the fit to the same
 * drivers as GaussianMixture with a variational plan (em/variational.ts), infers with the same kernels given the
 * posterior's parameters, and commits a fit only after it succeeds — a failed fit leaves the model as it was.
 *
 * Inference is scikit-learn's: predict, predictProba, scoreSamples and score use the expected log-probabilities
 * under the posterior (E[log π] + E[log N(x; μ, Λ⁻¹)], with scikit-learn's dropped constants), not the density of the
 * point-estimate mixture; sample() draws from that point-estimate mixture (weights, means, covariances), as
 * scikit-learn's does, and prune() returns it as a GaussianMixture.
 */
import { getBackend } from '../backends/index.js';
import type { BackendName } from '../backends/types.js';
import { Workspace } from '../backends/workspace.js';
import { rowsView, toRows, toSampleWeight, type Matrix, type Rows } from '../data/matrix.js';
import { checkSummary, summarize, type DataSummary } from '../data/summary.js';
import { checkAndSummarize, throwIfAborted } from '../drivers/async.js';
import { logDensities, predictLabels, responsibilities, totalLogDensity } from '../drivers/local/inference.js';
import type { Plan } from '../drivers/plan.js';
import type { ChunkSource } from '../drivers/stream/fit-stream.js';
import { fitSync } from '../drivers/sync.js';
import {
  posteriorKernelParams,
  variationalLoop,
  variationalStep,
  type VariationalResult,
  type VariationalWarmStart,
} from '../em/variational.js';
import { covarianceModel } from '../model/covariance/registry.js';
import type { KernelParams } from '../model/params.js';
import type { SampleBatch } from '../model/sampling.js';
import { variationalCovariance } from '../model/variational/covariance/registry.js';
import { mixtureWeights } from '../model/variational/expectations.js';
import type { VariationalPosterior, VariationalPriors } from '../model/variational/types.js';
import { deserializeBayesian, serializeBayesian, type BayesianModelJSON } from './bayesian-json.js';
import { DataError, ModelFormatError, NotFittedError, OptionError, warn } from './errors.js';
import { namesFor } from './feature-names.js';
import { GaussianMixture, shaped } from './gaussian-mixture.js';
import { nest } from './json-reader.js';
import { FORMAT, FORMAT_VERSION, type ModelJSON } from './model-json.js';
import {
  fitAsyncOptions,
  fitOptions,
  fitStreamOptions,
  pruneOptions,
  resolveBayesianOptions,
  type BayesianGaussianMixtureOptions,
  type FitAsyncOptions,
  type FitOptions,
  type FitStreamOptions,
  type PruneOptions,
  type ResolvedBayesianOptions,
} from './options.js';

/**
 * The weight above which a component counts as active (activeComponents, prune's default). An empty component keeps
 * a weight of the order of its prior pseudo-count over the data: ≈ 1/N between used components of a Dirichlet
 * process (each stick's Beta has a = 1 + N_c), ≈ γ₀/N after them or under a Dirichlet distribution. 1 % is far above
 * that for a few hundred rows and far below the weight of any cluster worth reporting; with fewer rows, or when
 * small clusters matter, read `weights` or pass prune({ minWeight }).
 */
export const ACTIVE_WEIGHT = 0.01;

const NAME = 'BayesianGaussianMixture';

interface Fitted {
  posterior: VariationalPosterior;
  priors: VariationalPriors;
  weights: Float64Array;
  /** The E-step kernel's parameters of the posterior (what inference runs with). */
  kernel: KernelParams;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: Float64Array;
  backend: BackendName | null;
  /** The names of the features the posterior was fitted on, when the fit was given them. */
  featureNames: readonly string[] | null;
}

/** The resolved priors as scikit-learn exposes them (weight_concentration_prior_, …, covariance_prior_). */
export interface ResolvedPriors {
  weightConcentrationPrior: number;
  meanPrecisionPrior: number;
  meanPrior: Float64Array;
  degreesOfFreedomPrior: number;
  /** D×D for 'full' and 'tied', D for 'diag', a number for 'spherical'. */
  covariancePrior: number | Float64Array | Float64Array[];
}

/**
 * Sample weights for a variational fit: validated exactly as GaussianMixture's (the same errors), but kept at their
 * size — here a weight counts rows (weight 2 ≡ the row twice), because the posterior weighs the data against the
 * priors by how much data there is. GaussianMixture may rescale its weights; this must not.
 */
function frequencyWeights(sampleWeight: ArrayLike<number> | null, n: number): Float64Array | null {
  if (toSampleWeight(sampleWeight, n) === null) return null;
  const w = Float64Array.from(sampleWeight as ArrayLike<number>);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i];
  if (!Number.isFinite(sum)) {
    throw new DataError(
      `sampleWeight sums to ${sum}: in a BayesianGaussianMixture weights count rows, and their total must be a finite double`,
    );
  }
  return w;
}

/** The variational fit as a driver's plan. */
function variationalPlan(
  o: ResolvedBayesianOptions,
  warm: (VariationalWarmStart & { weights: Float64Array }) | null,
): Plan<VariationalResult> {
  return {
    backend: o.backend,
    nComponents: o.nComponents,
    seed: o.seed,
    // only the drivers' data checks read this: with 'reset' they refuse data out of double range but not fewer
    // distinct rows than components — here components may stay empty
    onDegenerate: 'reset',
    respInit: warm ? null : o.respInit,
    initialises: warm === null,
    features: warm ? warm.posterior.d : null,
    steps: (data) => variationalLoop(o, data, warm),
    math: { 'variational-mstep': variationalStep },
  };
}

function clonePosterior(p: VariationalPosterior): VariationalPosterior {
  return {
    ...p,
    weightConcentration: p.weightConcentration.slice(),
    weightConcentrationTail: p.weightConcentrationTail?.slice() ?? null,
    meanPrecision: p.meanPrecision.slice(),
    means: p.means.slice(),
    degreesOfFreedom: p.degreesOfFreedom.slice(),
    covariances: p.covariances.slice(),
    precChol: p.precChol.slice(),
  };
}

export class BayesianGaussianMixture {
  private opts: ResolvedBayesianOptions;
  private state: Fitted | null = null;
  private lastWarnings: string[] = [];

  /**
   * A variational Bayesian mixture with the given options (scikit-learn 1.2's BayesianGaussianMixture; defaults of
   * the priors computed from X at fit time); throws an OptionError naming the first bad option.
   * @example const bgm = new BayesianGaussianMixture({ nComponents: 10, seed: 0 }).fit(X); bgm.activeComponents
   */
  constructor(options: BayesianGaussianMixtureOptions = {}) {
    this.opts = resolveBayesianOptions(options);
  }

  /** The resolved options (defaults filled in; null priors are computed from X at fit time). */
  get options(): ResolvedBayesianOptions {
    return this.opts;
  }

  /** Fits the variational posterior to X. Synchronous; see fitAsync for worker threads. */
  fit(X: Matrix, options: FitOptions = {}): this {
    const { sampleWeight, batchSize, signal, featureNames } = fitOptions(options);
    if (batchSize !== null) {
      throw new OptionError(
        'batchSize',
        "BayesianGaussianMixture has no mini-batch fit (batchSize is GaussianMixture.fit's)",
      );
    }
    throwIfAborted(signal);
    const rows = toRows(X);
    const w = frequencyWeights(sampleWeight, rows.n);
    const names = namesFor(featureNames, rows.d);
    const o = this.opts;
    const warm = this.startFit(rows, w, summarize(rows, w, o.nComponents));
    const backend = getBackend(o.backend);
    const check = signal ? () => throwIfAborted(signal) : null;
    this.commitFit(fitSync(rows, w, variationalPlan(o, warm), backend, check), backend.name, warm !== null, names);
    return this;
  }

  /**
   * The same fit on worker threads (the event loop keeps running); equal to fit(X) to rounding. Errors reject with
   * the errors fit throws; on error or abort the model keeps its parameters.
   */
  async fitAsync(X: Matrix, options: FitAsyncOptions = {}): Promise<this> {
    const { sampleWeight, workers, signal, featureNames } = fitAsyncOptions(options);
    const o = this.opts;
    const rows = rowsView(X);
    // as fit: a bad value of X is reported before a bad weight
    let w: Float64Array | null = null;
    let wError: unknown = null;
    try {
      w = frequencyWeights(sampleWeight, rows.n);
    } catch (e) {
      wError = e;
    }
    const summary = await checkAndSummarize(X, rows, w, o.nComponents, signal, wError === null);
    if (wError !== null) throw wError;
    const names = namesFor(featureNames, rows.d);
    const warm = this.startFit(rows, w, summary);
    // Loaded on first use, as GaussianMixture's drivers are.
    const { fitParallel } = await import('../drivers/workers/driver.js');
    const { result, backend } = await fitParallel(X, rows, w, variationalPlan(o, warm), { workers, signal });
    this.commitFit(result, backend, warm !== null, names);
    return this;
  }

  /**
   * The same fit over a re-iterable source of row chunks (or a CSV path), one pass per iteration; initialisation
   * runs on a reservoir sample (the data itself when smaller, so the result then equals fit's), the priors and every
   * E-step on all rows. See GaussianMixture.fitStream.
   */
  async fitStream(source: ChunkSource | string, options: FitStreamOptions = {}): Promise<this> {
    const so = fitStreamOptions(options);
    if (this.opts.respInit) {
      throw new OptionError(
        'respInit',
        'respInit needs the rows in memory (fit, fitAsync); fitStream initialises from a sample of the stream',
      );
    }
    const warm = this.warmStart(null);
    const { fitStream } = await import('../drivers/stream/fit-stream.js');
    const { result, backend, d, header } = await fitStream(source, variationalPlan(this.opts, warm), so);
    // a CSV path names its features from its header, unless told otherwise
    this.commitFit(result, backend, warm !== null, namesFor(so.featureNames ?? header, d));
    return this;
  }

  /** Fits, then returns the labels of X under the fitted model (equal to fit(X).predict(X)). */
  fitPredict(X: Matrix, options: FitOptions = {}): Int32Array {
    return this.fit(X, options).predict(X);
  }

  /** The warm start (a private copy of the fitted posterior) when warmStart applies, else null. */
  private warmStart(d: number | null): (VariationalWarmStart & { weights: Float64Array }) | null {
    const o = this.opts;
    const cur = o.warmStart && this.state ? this.state : null;
    if (!cur) return null;
    const p = cur.posterior;
    if (d !== null && p.d !== d)
      throw new DataError(`warmStart: X has ${d} features but the model was fitted on ${p.d}`);
    if (
      p.k !== o.nComponents ||
      p.covType !== o.covarianceType ||
      p.weightPriorType !== o.weightConcentrationPriorType
    ) {
      throw new OptionError(
        'warmStart',
        'warmStart needs the same nComponents, covarianceType and weightConcentrationPriorType as the fitted model',
      );
    }
    return { posterior: clonePosterior(p), lowerBound: cur.lowerBound, weights: cur.weights.slice() };
  }

  /** GaussianMixture's checks of the data, except that fewer distinct rows than components is fine here. */
  private startFit(
    rows: Rows,
    w: Float64Array | null,
    summary: DataSummary,
  ): (VariationalWarmStart & { weights: Float64Array }) | null {
    const o = this.opts;
    const k = o.nComponents;
    const effective = w ? w.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) : rows.n;
    if (effective < k) {
      throw new DataError(
        `nComponents = ${k} needs at least ${k} samples${w ? ' with positive weight' : ''}; got ${effective}`,
      );
    }
    checkSummary(summary, k, 'reset', w !== null);
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
    res: VariationalResult,
    backend: BackendName,
    warm: boolean,
    featureNames: readonly string[] | null,
  ): void {
    const o = this.opts;
    this.lastWarnings = [];
    if (!res.converged && o.maxIter > 0) {
      this.warn(
        `the best of ${warm ? 1 : o.nInit} variational run(s) did not converge within maxIter = ${o.maxIter} iterations ` +
          `(last change of the lower bound ≥ tol = ${o.tol}). Increase maxIter or tol, or check the data for degenerate columns.`,
        'GMM_NOT_CONVERGED',
      );
    }
    this.state = {
      posterior: res.posterior,
      priors: res.priors,
      weights: mixtureWeights(res.posterior),
      kernel: posteriorKernelParams(res.posterior),
      converged: res.converged,
      nIter: res.nIter,
      lowerBound: res.lowerBound,
      lowerBounds: res.lowerBounds,
      backend,
      featureNames,
    };
  }

  private warn(message: string, code: string): void {
    this.lastWarnings.push(message);
    warn(message, code);
  }

  private fitted(method: string): Fitted {
    if (!this.state) throw new NotFittedError(method, NAME);
    return this.state;
  }

  /** Validates X against the fitted model and returns it with a workspace loaded with the posterior's parameters. */
  private inference(method: string, X: Matrix): { rows: Rows; ws: Workspace } {
    const s = this.fitted(method);
    const rows = toRows(X, 'X', s.posterior.d);
    return { rows, ws: Workspace.of(getBackend(this.opts.backend), s.kernel) };
  }

  /** The most responsible component of each row (argmax of the expected log-probabilities, as scikit-learn). */
  predict(X: Matrix): Int32Array {
    const { rows, ws } = this.inference('predict', X);
    return predictLabels(ws, rows);
  }

  /** The responsibilities of the components for each row (each row sums to 1). */
  predictProba(X: Matrix): Float64Array[] {
    const { rows, ws } = this.inference('predictProba', X);
    return responsibilities(ws, rows);
  }

  /** scikit-learn's score_samples: log Σ_c exp(E[log π_c] + E[log N(x; μ_c, Λ_c⁻¹)]) of each row. */
  scoreSamples(X: Matrix): Float64Array {
    const { rows, ws } = this.inference('scoreSamples', X);
    return logDensities(ws, rows);
  }

  /** The mean of scoreSamples over the rows (scikit-learn's score). */
  score(X: Matrix): number {
    const { rows, ws } = this.inference('score', X);
    return totalLogDensity(ws, rows) / rows.n;
  }

  /** Draws n samples from the point-estimate mixture (weights, means, covariances), grouped by component, as scikit-learn. */
  sample(n: number, options: { seed?: number } = {}): { X: Float64Array[]; y: Int32Array } {
    return this.everyComponent('sample').sample(n, options);
  }

  /** The rows `sample(n, { seed })` draws, in batches (see GaussianMixture.sampleBatches). */
  sampleBatches(n: number, options: { seed?: number; batchSize?: number } = {}): Generator<SampleBatch> {
    return this.everyComponent('sampleBatches').sampleBatches(n, options);
  }

  /** The point-estimate mixture of all components, which sample() draws from. */
  private everyComponent(method: string): GaussianMixture {
    const s = this.fitted(method);
    return this.mixture(
      s,
      Array.from({ length: s.posterior.k }, (_, c) => c),
    );
  }

  /**
   * The point-estimate mixture without its empty components, as a GaussianMixture: the components whose weight is at
   * least `minWeight` (default ACTIVE_WEIGHT: those of activeComponents), in their order, with their weights
   * renormalised and their means and covariances. Its density is Σ π_c N(x; μ_c, Σ_c), the plug-in mixture that
   * sample() draws from — not the posterior expectation that this model's scoreSamples computes.
   */
  prune(options: PruneOptions = {}): GaussianMixture {
    const s = this.fitted('prune');
    return this.mixture(s, this.active(s, pruneOptions(options, ACTIVE_WEIGHT).minWeight));
  }

  /** Components with weight ≥ minWeight, or the heaviest one when none is (weights sum to 1, so with K > 1/minWeight). */
  private active(s: Fitted, minWeight: number): number[] {
    const keep: number[] = [];
    s.weights.forEach((v, c) => v >= minWeight && keep.push(c));
    if (keep.length === 0) keep.push(s.weights.indexOf(Math.max(...s.weights)));
    return keep;
  }

  /** The point-estimate mixture of components `keep` (weights renormalised), validated as a GaussianMixture. */
  private mixture(s: Fitted, keep: number[]): GaussianMixture {
    const { d, covType } = s.posterior;
    const model = covarianceModel(covType);
    const { layout } = model;
    const k = keep.length;
    let total = 0;
    for (const c of keep) total += s.weights[c];
    const pick = (a: Float64Array, per: number): Float64Array => {
      const out = new Float64Array(k * per);
      keep.forEach((c, i) => out.set(a.subarray(c * per, (c + 1) * per), i * per));
      return out;
    };
    const per = layout.blockSize(d);
    const covariances = layout.shared ? s.posterior.covariances : pick(s.posterior.covariances, per);
    const precChol = layout.shared ? s.posterior.precChol : pick(s.posterior.precChol, per);
    const o = this.opts;
    const json: ModelJSON = {
      format: FORMAT,
      version: FORMAT_VERSION,
      covarianceType: covType,
      nComponents: k,
      nFeatures: d,
      weights: keep.map((c) => s.weights[c] / total),
      means: nest(pick(s.posterior.means, d), [k, d]) as number[][],
      covariances: nest(covariances, model.shape(k, d)),
      precisionsCholesky: nest(precChol, model.shape(k, d)),
      converged: s.converged,
      nIter: s.nIter,
      lowerBound: null,
      options: {
        tol: o.tol,
        regCovar: o.regCovar,
        maxIter: o.maxIter,
        nInit: o.nInit,
        initParams: o.initParams,
        seed: o.seed,
        backend: o.backend,
      },
    };
    if (s.featureNames) json.featureNames = [...s.featureNames];
    return GaussianMixture.fromJSON(json);
  }

  /** Indices of the components with weight ≥ ACTIVE_WEIGHT (0.01; see there), ascending; at least one. */
  get activeComponents(): Int32Array {
    const s = this.fitted('activeComponents');
    return Int32Array.from(this.active(s, ACTIVE_WEIGHT));
  }

  /** scikit-learn's weights_: the expected mixture weights under the posterior. */
  get weights(): Float64Array {
    return this.fitted('weights').weights.slice();
  }
  /** The posterior means of the component means (means_). */
  get means(): Float64Array[] {
    const p = this.fitted('means').posterior;
    return shaped(p.means, [p.k, p.d]) as Float64Array[];
  }
  /** (ν·W)⁻¹, the inverse of each component's expected precision (covariances_); scikit-learn's shapes. */
  get covariances(): Float64Array | Float64Array[] | Float64Array[][] {
    const p = this.fitted('covariances').posterior;
    return shaped(p.covariances, covarianceModel(p.covType).shape(p.k, p.d));
  }
  /** Cholesky factors of the expected precisions (precisions_cholesky_), same shapes as covariances. */
  get precisionsCholesky(): Float64Array | Float64Array[] | Float64Array[][] {
    const p = this.fitted('precisionsCholesky').posterior;
    return shaped(p.precChol, covarianceModel(p.covType).shape(p.k, p.d));
  }
  /**
   * weight_concentration_: for the Dirichlet process the Beta parameters of the sticks as [a, b] (two arrays of K);
   * for the Dirichlet distribution α (K).
   */
  get weightConcentration(): Float64Array | [Float64Array, Float64Array] {
    const p = this.fitted('weightConcentration').posterior;
    return p.weightConcentrationTail
      ? [p.weightConcentration.slice(), p.weightConcentrationTail.slice()]
      : p.weightConcentration.slice();
  }
  /** β, the precision of each mean's posterior (mean_precision_). */
  get meanPrecision(): Float64Array {
    return this.fitted('meanPrecision').posterior.meanPrecision.slice();
  }
  /** ν, the Wishart degrees of freedom (degrees_of_freedom_): one per component, a number for 'tied'. */
  get degreesOfFreedom(): Float64Array | number {
    const p = this.fitted('degreesOfFreedom').posterior;
    return variationalCovariance(p.covType).shared ? p.degreesOfFreedom[0] : p.degreesOfFreedom.slice();
  }
  /** The priors the last fit used, defaults computed from its X (scikit-learn's *_prior_ attributes). */
  get priors(): ResolvedPriors {
    const p = this.fitted('priors').priors;
    const d = p.d;
    const cov = p.covariancePrior;
    const form = variationalCovariance(p.covType).priorForm;
    return {
      weightConcentrationPrior: p.weightConcentrationPrior,
      meanPrecisionPrior: p.meanPrecisionPrior,
      meanPrior: p.meanPrior.slice(),
      degreesOfFreedomPrior: p.degreesOfFreedomPrior,
      covariancePrior:
        form === 'scalar' ? cov[0] : form === 'variances' ? cov.slice() : (shaped(cov, [d, d]) as Float64Array[]),
    };
  }
  /** The variational lower bound (ELBO, up to scikit-learn's constants) after the last iteration: a sum over rows. */
  get lowerBound(): number {
    return this.fitted('lowerBound').lowerBound;
  }
  /** The lower bound after every iteration of the winning run (non-decreasing up to rounding). */
  get lowerBounds(): Float64Array {
    return this.fitted('lowerBounds').lowerBounds.slice();
  }
  /** Whether the kept run stopped because the lower bound changed by less than tol (not by reaching maxIter). */
  get converged(): boolean {
    return this.fitted('converged').converged;
  }
  /** Iterations of the kept run. */
  get nIter(): number {
    return this.fitted('nIter').nIter;
  }
  /** The backend that ran the last fit ('wasm' | 'js'); for a loaded model, the one inference will use. */
  get backend(): BackendName {
    return this.fitted('backend').backend ?? getBackend(this.opts.backend).name;
  }
  /** Names of the features when the fit was given them (fit's `featureNames`, a CSV header), else null. */
  get featureNames(): string[] | null {
    const names = this.fitted('featureNames').featureNames;
    return names ? [...names] : null;
  }

  /** D, the number of features the model was fitted on. */
  get nFeatures(): number {
    return this.fitted('nFeatures').posterior.d;
  }
  /** True once fit (or fromJSON) has given the model a posterior. Never throws. */
  get isFitted(): boolean {
    return this.state !== null;
  }
  /** Warnings raised by the last fit (also emitted through process.emitWarning / console.warn). */
  get warnings(): readonly string[] {
    return [...this.lastWarnings];
  }

  /**
   * The fitted model as plain JSON ('gaussmix-bayesian-model'): options, the resolved priors, the posterior and fit
   * diagnostics; `BayesianGaussianMixture.fromJSON` validates and restores it exactly.
   */
  toJSON(): BayesianModelJSON {
    const s = this.fitted('toJSON');
    return serializeBayesian(s.posterior, s.priors, s.weights, s, this.opts);
  }

  /** Rebuilds a fitted model from toJSON output (object or JSON string); validates everything. */
  static fromJSON(json: unknown): BayesianGaussianMixture {
    const m = deserializeBayesian(json);
    const p = m.posterior;
    let bgm: BayesianGaussianMixture;
    try {
      // `this`, not the class's own name, which esbuild would rename to '_BayesianGaussianMixture' (see GaussianMixture)
      bgm = new this({
        ...m.options,
        nComponents: p.k,
        covarianceType: p.covType,
        weightConcentrationPriorType: p.weightPriorType,
      });
    } catch (e) {
      throw new ModelFormatError(`invalid gaussmix Bayesian model: options: ${(e as Error).message}`);
    }
    bgm.state = {
      posterior: p,
      priors: m.priors,
      weights: m.weights,
      kernel: posteriorKernelParams(p),
      converged: m.converged,
      nIter: m.nIter,
      lowerBound: m.lowerBound,
      lowerBounds: m.lowerBounds,
      backend: null,
      featureNames: m.featureNames,
    };
    return bgm;
  }
}
