export { GaussianMixture, type FitOptions, type FitAsyncOptions } from './gaussian-mixture.js';
export { kmeans, type KMeansOptions, type KMeansResult } from './kmeans.js';
export { init } from './backends/index.js';
export { terminateIdleWorkers } from './parallel/pool.js';
export { selectModel, type SelectModelOptions, type SelectionResult, type SelectionRow, type Criterion } from './select.js';
export { anomalyThreshold, detectAnomalies, type AnomalyOptions, type AnomalyResult } from './anomaly.js';
export { mixtureSvg, selectionSvg, type MixturePlotOptions, type SelectionPlotOptions } from './plot/index.js';
export {
  GaussianMixtureError, OptionError, DataError, NotFittedError, BackendError, ModelFormatError, FitError,
} from './errors.js';
export type { Matrix } from './matrix.js';
export type {
  GaussianMixtureOptions, ResolvedOptions, CovarianceType, InitParams, BackendChoice, Algorithm, Frozen, IterationInfo,
} from './options.js';
export type { ModelJSON } from './serialize.js';
export { SufficientStats, type SufficientStatsJSON } from './stats.js';
export { DegenerateError, type ResetRecord } from './degenerate.js';
export type { ChunkSource, StreamChunk, FitStreamOptions, CsvOptions } from './stream.js';
export type { OnDegenerate } from './options.js';
