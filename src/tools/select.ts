/**
 * Model selection: fit every (nComponents, covarianceType) candidate — any mix of the 18 covariance names — and rank
 * them by BIC, AIC, ICL or held-out log-likelihood (k-fold cross-validation), like mclust's BIC table. Candidates
 * whose fit fails (a collapsing covariance, more components than rows) are recorded as failed rather than aborting
 * the search. The result carries what an mclust-style summary prints: the table, the top three with their
 * differences, and the chosen model's cluster sizes and mixing proportions.
 */
import { DataError, FitError, OptionError } from '../api/errors.js';
import { GaussianMixture } from '../api/gaussian-mixture.js';
import {
  selectModelOptions,
  type CovarianceType,
  type Criterion,
  type GaussianMixtureOptions,
  type SelectionOnlyOptions,
} from '../api/options.js';
import { toRows, type Matrix, type Rows } from '../data/matrix.js';
import { namesFor } from '../api/feature-names.js';
import { StartCache } from '../init/start-cache.js';
import { priorModels } from '../model/prior.js';
import { Random } from '../util/random.js';

export type { Criterion };

export interface SelectModelOptions
  extends Omit<GaussianMixtureOptions, 'nComponents' | 'covarianceType'>,
    SelectionOnlyOptions<SelectionRow> {}

/** What every row of the selection table has, whether its fit succeeded or failed. */
interface SelectionRowBase {
  /** The candidate's K. */
  nComponents: number;
  /** The candidate's covariance model. */
  covarianceType: CovarianceType;
  /** Free parameters of the candidate. */
  nParameters?: number;
  /** bic/aic/icl: the candidate's BIC and ICL on X (lower is better; mclust's are −1 times these). */
  bic?: number;
  /** bic/aic/icl: the candidate's ICL on X, bic − 2·Σ log max_k r_k(x) (mclust's icl() with the sign flipped). */
  icl?: number;
  /** bic/aic: total log-likelihood of X; cv: total held-out log-likelihood (sum over folds). */
  logLikelihood?: number;
  /** bic/aic: whether EM converged; cv: whether it converged in every fold. */
  converged?: boolean;
  /** bic/aic: EM iterations of the fit. */
  nIter?: number;
  /** cv only: mean held-out log-likelihood per row, fold by fold. */
  foldScores?: number[];
}

/**
 * One candidate of the table. Narrow on `failed`: a fitted candidate has a finite `score`, a failed one `score: null`
 * and the error message.
 */
export type SelectionRow =
  | (SelectionRowBase & {
      failed: false;
      /** The criterion's value. */
      score: number;
      /** cv only: set when this candidate won on the folds but its fit on all rows failed. */
      error?: string;
    })
  | (SelectionRowBase & {
      failed: true;
      score: null;
      /** Why the fit failed (the error message). */
      error: string;
    });

/** A row while its candidate is being fitted. */
type DraftRow = SelectionRowBase & { score: number | null; failed: boolean; error?: string };

export interface SelectionResult {
  criterion: Criterion;
  /** true for 'bic' and 'aic', false for 'cv' (held-out log-likelihood: higher is better). */
  lowerIsBetter: boolean;
  /** One row per candidate, ordered by nComponents then covarianceType as given. */
  table: SelectionRow[];
  best: { nComponents: number; covarianceType: CovarianceType; score: number };
  /** The best three candidates, best first; `difference` = how much worse than the best (0 for the best, ≥ 0). */
  top: { nComponents: number; covarianceType: CovarianceType; score: number; difference: number }[];
  /** The best candidate fitted on all of X. */
  model: GaussianMixture;
  /** Rows of X the chosen model assigns to each component (predict), and its mixing proportions (weights). */
  clusterSizes: number[];
  proportions: number[];
  /** With option noise: the rows the chosen model assigns to the noise component (predict −1) and its weight. */
  noise?: { size: number; proportion: number };
}

/** Rows of X as an array (views into a dense buffer; no copy when X is already an array of rows). */
function rowList(X: Matrix): ArrayLike<number>[] {
  if (Array.isArray(X)) return X as ArrayLike<number>[];
  const { data, rows, cols } = X as { data: ArrayLike<number>; rows: number; cols: number };
  const out: ArrayLike<number>[] = [];
  for (let i = 0; i < rows; i++) {
    out.push(
      data instanceof Float64Array
        ? data.subarray(i * cols, (i + 1) * cols)
        : Float64Array.from({ length: cols }, (_, j) => data[i * cols + j]),
    );
  }
  return out;
}

/** Failures that belong in the table: EM broke down, or the candidate cannot be fitted to this many rows. */
const isCandidateFailure = (e: unknown): e is Error => e instanceof FitError || e instanceof DataError;

/** Each row's fold (0 … folds − 1): the rows shuffled with the seed, then dealt out in turn. */
function foldAssignment(n: number, folds: number, seed: number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Random(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const foldOf = new Int32Array(n);
  perm.forEach((row, pos) => (foldOf[row] = pos % folds));
  return foldOf;
}

/** The rows split into folds, as criterion 'cv' needs them. */
interface Folds {
  list: ArrayLike<number>[];
  foldOf: Int32Array;
  folds: number;
}

/**
 * 'cv': the candidate's held-out log-likelihood, fitted on all folds but one in turn. Fills `row` as it goes, so a
 * fold that fails leaves what the earlier folds recorded (as the table has always shown).
 */
function scoreOnFolds(row: DraftRow, opts: GaussianMixtureOptions, { list, foldOf, folds }: Folds, n: number): void {
  const foldScores: number[] = [];
  let sum = 0;
  let converged = true;
  for (let f = 0; f < folds; f++) {
    const train = list.filter((_, i) => foldOf[i] !== f);
    const test = list.filter((_, i) => foldOf[i] === f);
    const gm = new GaussianMixture(opts).fit(train);
    const s = gm.score(test);
    foldScores.push(s);
    sum += s * test.length;
    converged &&= gm.converged;
    row.nParameters = gm.nParameters();
  }
  row.score = sum / n;
  row.logLikelihood = sum;
  row.foldScores = foldScores;
  row.converged = converged;
}

/** What every bic/aic/icl candidate shares: X validated once, its feature names, and the k-means starts per K. */
interface Shared {
  rows: Rows;
  names: readonly string[] | null;
  starts: StartCache;
}

/**
 * bic/aic/icl: the candidate fitted on all of X and scored on it; the model is kept, as it may be the winner. The fit
 * takes X as validated by selectModel and reuses the k-means start of an earlier candidate with the same K (what
 * fit(X) would compute again); the four criteria come from one pass. Values equal fit(X).bic(X) etc. exactly.
 */
function scoreOnAll(
  row: DraftRow,
  opts: GaussianMixtureOptions,
  criterion: Criterion,
  shared: Shared,
): GaussianMixture {
  const { rows, names, starts } = shared;
  const model = new GaussianMixture(opts).fitRows(rows, null, names, null, null, starts);
  const c = model.criteriaOf(rows);
  row.bic = c.bic;
  row.icl = c.icl;
  row.score = criterion === 'bic' ? c.bic : criterion === 'icl' ? c.icl : c.aic;
  row.nParameters = model.nParameters();
  row.logLikelihood = c.score * rows.n;
  row.converged = model.converged;
  row.nIter = model.nIter;
  return model;
}

/** The fitted candidates, best first. */
function rankRows(table: DraftRow[], lowerIsBetter: boolean): DraftRow[] {
  return table.filter((r) => !r.failed).sort((a, b) => (lowerIsBetter ? a.score! - b.score! : b.score! - a.score!));
}

/**
 * cv only scored the candidates on folds: fit the winner on all of X. Should that fit fail, fall back to the next
 * best (its row records why the better one was passed over).
 */
function fitWinnerOnAll(
  table: DraftRow[],
  lowerIsBetter: boolean,
  rest: GaussianMixtureOptions,
  X: Matrix,
  featureNames: readonly string[] | null,
): { model: GaussianMixture; row: DraftRow } {
  for (const r of rankRows(table, lowerIsBetter)) {
    try {
      const model = new GaussianMixture({ ...rest, nComponents: r.nComponents, covarianceType: r.covarianceType }).fit(
        X,
        { featureNames },
      );
      return { model, row: r };
    } catch (e) {
      if (!isCandidateFailure(e)) throw e;
      r.error = `fit on all rows failed: ${e.message}`;
    }
  }
  throw new FitError('selectModel: no candidate could be fitted on all of X');
}

/** The best three candidates, with how much worse each is than the best. */
function topThree(table: DraftRow[], lowerIsBetter: boolean): SelectionResult['top'] {
  const ranked = rankRows(table, lowerIsBetter).slice(0, 3);
  return ranked.map((r) => ({
    nComponents: r.nComponents,
    covarianceType: r.covarianceType,
    score: r.score!,
    difference: Math.abs(r.score! - ranked[0].score!),
  }));
}

/** Rows the model assigns to each component, and to the noise component (label −1). */
function clusterCounts(model: GaussianMixture, X: Matrix): { clusterSizes: number[]; noiseSize: number } {
  const clusterSizes = new Array<number>(model.weights.length).fill(0);
  let noiseSize = 0;
  for (const label of model.predict(X)) {
    if (label < 0) noiseSize++;
    else clusterSizes[label]++;
  }
  return { clusterSizes, noiseSize };
}

/**
 * Fits every candidate and ranks them. BIC/AIC/ICL are computed on X (lower is better); 'cv' is the mean held-out
 * log-likelihood per row over `folds` folds of shuffled rows (higher is better). The best candidate's model is
 * fitted on all of X. Throws FitError if every candidate fails (or the DataError that failed them all alike).
 */
export function selectModel(X: Matrix, options: SelectModelOptions = {}): SelectionResult {
  const { ks, types, criterion, folds, rest, onCandidate, featureNames } = selectModelOptions<SelectionRow>(options);
  const rows = toRows(X, 'X', undefined, rest.missing); // validates X once: bad data is an error, not a table of failures
  const lowerIsBetter = criterion !== 'cv';
  const better = (a: number, b: number): boolean => (lowerIsBetter ? a < b : a > b);
  const total = ks.length * types.length;
  if (criterion === 'cv' && rest.noiseInit != null)
    throw new OptionError(
      'noiseInit',
      "noiseInit gives one flag per row of X; criterion 'cv' fits subsets of the rows",
    );
  // with a prior, the models mclust has none for are listed as failed candidates (as mclust's BIC table has NA there)
  const takesPrior = new Set(priorModels(types));

  let cv: Folds | null = null;
  if (criterion === 'cv') {
    if (folds > rows.n)
      throw new OptionError('folds', `folds = ${folds} needs at least ${folds} rows; X has ${rows.n}`);
    const list = rowList(X);
    cv = { list, foldOf: foldAssignment(rows.n, folds, rest.seed ?? 0), folds };
  }

  const shared: Shared = { rows, names: namesFor(featureNames, rows.d), starts: new StartCache() };
  const table: DraftRow[] = [];
  let bestRow: DraftRow | null = null;
  let bestModel: GaussianMixture | null = null;
  let firstError: Error | null = null;
  for (const k of ks) {
    for (const covarianceType of types) {
      const row: DraftRow = { nComponents: k, covarianceType, score: null, failed: false };
      const opts: GaussianMixtureOptions = { ...rest, nComponents: k, covarianceType };
      let model: GaussianMixture | null = null;
      try {
        if (rest.prior && !takesPrior.has(covarianceType))
          throw new FitError(`covarianceType '${covarianceType}' takes no prior (as in mclust)`);
        if (cv) scoreOnFolds(row, opts, cv, rows.n);
        else model = scoreOnAll(row, opts, criterion, shared);
        if (!Number.isFinite(row.score)) throw new FitError(`the ${criterion} score is not finite (${row.score})`);
      } catch (e) {
        if (!isCandidateFailure(e)) throw e;
        row.failed = true;
        row.score = null;
        row.error = e.message;
        firstError ??= e;
        model = null;
      }
      table.push(row);
      if (!row.failed && (bestRow === null || better(row.score!, bestRow.score!))) {
        bestRow = row;
        bestModel = model;
      }
      onCandidate?.({ index: table.length - 1, total, row: row as SelectionRow });
    }
  }
  if (!bestRow) {
    // A problem with the data itself (e.g. too spread out for double precision) fails every candidate alike:
    // report it as the DataError it is rather than as a table of failures.
    if (firstError instanceof DataError && table.every((r) => r.error === firstError!.message)) throw firstError;
    throw new FitError(`selectModel: every candidate failed; the first error was: ${table[0].error}`);
  }
  if (!bestModel) ({ model: bestModel, row: bestRow } = fitWinnerOnAll(table, lowerIsBetter, rest, X, featureNames));
  const top = topThree(table, lowerIsBetter);
  const { clusterSizes, noiseSize } = clusterCounts(bestModel, X);
  const noiseWeight = bestModel.noiseWeight;
  return {
    criterion,
    lowerIsBetter,
    // every draft is complete here: failed rows have score null and their error, the others a finite score
    table: table as SelectionRow[],
    best: { nComponents: bestRow.nComponents, covarianceType: bestRow.covarianceType, score: bestRow.score! },
    top,
    model: bestModel,
    clusterSizes,
    proportions: Array.from(bestModel.weights),
    ...(noiseWeight !== null ? { noise: { size: noiseSize, proportion: noiseWeight } } : {}),
  };
}
