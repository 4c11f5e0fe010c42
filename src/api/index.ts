/**
 * The public API, straight from the sources: everything the package exports except the build's artifacts (the
 * kernel binary and the worker script, which src/index.ts provides). Without them 'auto' runs the JS twin and
 * fitAsync is unavailable — what unit tests need, with no build step. Everything of gaussmix/core (api/core.ts) and
 * the rest; the entry points call full.ts's installFull() for what the rest needs at run time (mclust's models,
 * missing values, 'hc' starts, the prior and the noise component).
 */
export * from './core.js';
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
  PriorOption,
  NoiseOption,
} from './options.js';
export {
  selectModel,
  type SelectModelOptions,
  type SelectionResult,
  type SelectionRow,
  type Criterion,
} from '../tools/select.js';
export { mixtureSvg, selectionSvg, type MixturePlotOptions, type SelectionPlotOptions } from '../plot/index.js';
export { pairsSvg, type PairsPlotOptions } from '../plot/index.js';
export { COVARIANCE_TYPES, MCLUST_TYPES } from '../model/covariance/registry.js';
