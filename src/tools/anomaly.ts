/**
 * Anomaly detection with a fitted mixture: a row is anomalous when its log-density log p(x) falls below a threshold.
 * The threshold is either given, or derived from a contamination rate as the contamination-quantile of the scores
 * of reference data (usually the training data) — scikit-learn's `offset_` convention for outlier detectors.
 */
import { OptionError } from '../api/errors.js';
import type { Matrix } from '../data/matrix.js';

/** Anything that scores rows by log-density (a fitted GaussianMixture). */
export interface Scorer {
  scoreSamples(X: Matrix): Float64Array;
}

export type AnomalyOptions =
  | { threshold: number; contamination?: undefined }
  | { contamination: number; threshold?: undefined };

export interface AnomalyResult {
  /** Rows with score < threshold are anomalies. */
  threshold: number;
  /** log p(x) of every row. */
  scores: Float64Array;
  /** 1 for an anomalous row, 0 otherwise (one entry per row). */
  isAnomaly: Uint8Array;
  /** Indices (0-based, ascending) of the anomalous rows. */
  indices: Int32Array;
}

function checkContamination(contamination: unknown): number {
  if (typeof contamination !== 'number' || !(contamination > 0 && contamination <= 0.5)) {
    throw new OptionError('contamination', `contamination must be a number in (0, 0.5]; got ${String(contamination)}`);
  }
  return contamination;
}

/**
 * The q-quantile of `values` with linear interpolation between order statistics (NumPy's default `percentile`):
 * position h = q·(n − 1) in the sorted values.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) throw new OptionError('values', 'quantile of an empty set of scores');
  const sorted = Float64Array.from(values).sort();
  const h = q * (n - 1);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The contamination-quantile of the scores of X: flagging rows with score < threshold marks about
 * contamination·n rows of X (exactly ⌊contamination·(n−1)⌋ + 1 when the scores are distinct and the quantile
 * position is not an integer; ties at the threshold are not flagged).
 */
export function anomalyThreshold(model: Scorer, X: Matrix, contamination: number): number {
  const c = checkContamination(contamination);
  return quantile(model.scoreSamples(X), c);
}

/** Scores X and flags rows whose log p(x) is below the threshold (given, or from a contamination rate on X). */
export function detectAnomalies(model: Scorer, X: Matrix, options: AnomalyOptions): AnomalyResult {
  if (options === null || typeof options !== 'object') {
    throw new OptionError('options', 'detectAnomalies needs { threshold } or { contamination }');
  }
  const hasT = options.threshold !== undefined;
  const hasC = options.contamination !== undefined;
  if (hasT === hasC) {
    throw new OptionError(
      hasT ? 'threshold' : 'options',
      'detectAnomalies needs exactly one of { threshold } or { contamination }',
    );
  }
  if (hasT && (typeof options.threshold !== 'number' || Number.isNaN(options.threshold))) {
    throw new OptionError('threshold', `threshold must be a number (a log-density); got ${String(options.threshold)}`);
  }
  const scores = model.scoreSamples(X);
  const threshold = hasT ? (options.threshold as number) : quantile(scores, checkContamination(options.contamination));
  const isAnomaly = new Uint8Array(scores.length);
  let count = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] < threshold) {
      isAnomaly[i] = 1;
      count++;
    }
  }
  const indices = new Int32Array(count);
  for (let i = 0, at = 0; i < scores.length; i++) if (isAnomaly[i]) indices[at++] = i;
  return { threshold, scores, isAnomaly, indices };
}
