/** Exact EM with missing values: pattern grouping, Gaussian conditionals, the E-pass, imputation. */
export { MissingDataError, PatternGrouping, patternWords } from './patterns.js';
export { ConditionalFactors, LOG_2PI, conditionalRow, factorDiagonal, factorFull } from './conditional.js';
export {
  MissingWorkspace,
  accumulateMissing,
  emptyMissingStats,
  imputeRows,
  logProbMissing,
  missingBlockRows,
  normalizeLogProb,
  sxxKindOf,
  type AccumulateOptions,
  type MissingStats,
  type MixtureParams,
  type RowRange,
  type WorkspaceOptions,
} from './accumulate.js';
