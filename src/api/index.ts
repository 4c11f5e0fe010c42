/**
 * The public API, straight from the sources: everything the package exports except the build's artifacts (the
 * kernel binary and the worker script, which src/index.ts provides). Without them 'auto' runs the JS twin and
 * fitAsync is unavailable — what unit tests need, with no build step.
 */
export { GaussianMixture, type FitOptions, type FitAsyncOptions, type PartialFitOptions } from './gaussian-mixture.js';
export {
  BayesianGaussianMixture,
  ACTIVE_WEIGHT,
  type ResolvedPriors,
} from './bayesian-gaussian-mixture.js';
export type { BayesianModelJSON } from './bayesian-json.js';
export type {
  BayesianGaussianMixtureOptions,
  BayesianCovarianceType,
  ResolvedBayesianOptions,
  WeightConcentrationPriorType,
  PruneOptions,
} from './options.js';
export { kmeans, type KMeansOptions, type KMeansResult } from '../tools/kmeans.js';
export { init, type KernelName } from '../backends/index.js';
export { setMaxWorkers, terminateIdleWorkers } from '../drivers/workers/pool.js';
export { releaseMemory } from './memory.js';
export {
  selectModel,
  type SelectModelOptions,
  type SelectionResult,
  type SelectionRow,
  type Criterion,
} from '../tools/select.js';
export { anomalyThreshold, detectAnomalies, type AnomalyOptions, type AnomalyResult } from '../tools/anomaly.js';
export { mixtureSvg, selectionSvg, type MixturePlotOptions, type SelectionPlotOptions } from '../plot/index.js';
export { pairsSvg, type PairsPlotOptions } from '../plot/index.js';
export {
  GaussianMixtureError,
  OptionError,
  DataError,
  NotFittedError,
  BackendError,
  ModelFormatError,
  FitError,
} from './errors.js';
export type { Matrix } from '../data/matrix.js';
export type {
  GaussianMixtureOptions,
  ResolvedOptions,
  CovarianceType,
  CovariancesOf,
  InitParams,
  BackendChoice,
  Algorithm,
  Frozen,
  IterationInfo,
  PriorOption,
  NoiseOption,
} from './options.js';
export type { ModelJSON } from './model-json.js';
export { COVARIANCE_TYPES, MCLUST_TYPES, SKLEARN_TYPES } from '../model/covariance/registry.js';
export { SufficientStats, type SufficientStatsJSON } from '../model/stats.js';
export { DegenerateError, type ResetRecord } from '../model/degeneracy.js';
export type { ChunkSource, StreamChunk } from '../drivers/stream/fit-stream.js';
export type { OnDegenerate, FitStreamOptions, CsvOptions } from './options.js';
export type { WarningPolicy, GaussianMixtureWarning } from './warnings.js';
