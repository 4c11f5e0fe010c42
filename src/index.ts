export { GaussianMixture, type FitOptions } from './gaussian-mixture.js';
export { kmeans, type KMeansOptions, type KMeansResult } from './kmeans.js';
export { init } from './backends/index.js';
export {
  GaussianMixtureError, OptionError, DataError, NotFittedError, BackendError, ModelFormatError, FitError,
} from './errors.js';
export type { Matrix } from './matrix.js';
export type {
  GaussianMixtureOptions, ResolvedOptions, CovarianceType, InitParams, BackendChoice, Algorithm, Frozen, IterationInfo,
} from './options.js';
export type { ModelJSON } from './serialize.js';
export type { SufficientStats } from './stats.js';
