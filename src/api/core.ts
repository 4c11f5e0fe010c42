/**
 * The public API of `gaussmix/core`: GaussianMixture with scikit-learn's four covariance types and the options that
 * go with them, its tools (kmeans, anomalies), errors and types. What it leaves out — mclust's models, missing
 * values, 'hc' starts, the prior, the noise component, online EM (partialFit, fit's batchSize),
 * BayesianGaussianMixture, selectModel and the plots — is in `gaussmix` (api/index.ts), which exports all of this
 * too; asking core's GaussianMixture for a left-out capability is an OptionError naming the entry that has it
 * (src/extensions.ts).
 */
export { GaussianMixture, type FitOptions, type FitAsyncOptions, type PartialFitOptions } from './gaussian-mixture.js';
export { kmeans, type KMeansOptions, type KMeansResult } from '../tools/kmeans.js';
export { init, type KernelName } from '../backends/index.js';
export { setMaxWorkers, terminateIdleWorkers } from '../drivers/workers/pool.js';
export { releaseMemory } from './memory.js';
export { anomalyThreshold, detectAnomalies, type AnomalyOptions, type AnomalyResult } from '../tools/anomaly.js';
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
  InitSample,
  BackendChoice,
  Algorithm,
  Frozen,
  IterationInfo,
} from './options.js';
export type { ModelJSON } from './model-json.js';
export { SKLEARN_TYPES } from '../model/covariance/registry.js';
export { SufficientStats, type SufficientStatsJSON } from '../model/stats.js';
export { DegenerateError, type ResetRecord } from '../model/degeneracy.js';
export type { ChunkSource, StreamChunk } from '../drivers/stream/fit-stream.js';
export type { OnDegenerate, FitStreamOptions, CsvOptions } from './options.js';
export type { WarningPolicy, GaussianMixtureWarning } from './warnings.js';
