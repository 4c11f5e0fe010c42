/**
 * The package entry point (Node and browsers): the public API, and the build's artifacts handed to the library —
 * the kernel binary and the bundled worker script (generated into build/ by `npm run build`).
 */
import { wasmBase64 } from '../build/kernels-wasm.js';
import { workerSource } from '../build/worker-source.js';
import { provideWasm } from './backends/index.js';
import { provideWorkerSource } from './drivers/workers/spawn.js';

provideWasm(wasmBase64);
provideWorkerSource(workerSource);

export { GaussianMixture, type FitOptions, type FitAsyncOptions } from './api/gaussian-mixture.js';
export { kmeans, type KMeansOptions, type KMeansResult } from './tools/kmeans.js';
export { init } from './backends/index.js';
export { terminateIdleWorkers } from './drivers/workers/pool.js';
export { selectModel, type SelectModelOptions, type SelectionResult, type SelectionRow, type Criterion } from './tools/select.js';
export { anomalyThreshold, detectAnomalies, type AnomalyOptions, type AnomalyResult } from './tools/anomaly.js';
export { mixtureSvg, selectionSvg, type MixturePlotOptions, type SelectionPlotOptions } from './plot/index.js';
export {
  GaussianMixtureError, OptionError, DataError, NotFittedError, BackendError, ModelFormatError, FitError,
} from './api/errors.js';
export type { Matrix } from './data/matrix.js';
export type {
  GaussianMixtureOptions, ResolvedOptions, CovarianceType, InitParams, BackendChoice, Algorithm, Frozen, IterationInfo,
} from './api/options.js';
export type { ModelJSON } from './api/model-json.js';
export { SufficientStats, type SufficientStatsJSON } from './model/stats.js';
export { DegenerateError, type ResetRecord } from './model/degeneracy.js';
export type { ChunkSource, StreamChunk } from './drivers/stream/fit-stream.js';
export type { OnDegenerate, FitStreamOptions, CsvOptions } from './api/options.js';
