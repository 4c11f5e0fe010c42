/**
 * What each command does, given parsed options. Data goes to stdout; progress, notes and warnings to stderr.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectAnomalies } from '../tools/anomaly.js';
import { DataError, OptionError } from '../api/errors.js';
import { BayesianGaussianMixture } from '../api/bayesian-gaussian-mixture.js';
import { BAYESIAN_FORMAT } from '../api/bayesian-json.js';
import { GaussianMixture } from '../api/gaussian-mixture.js';
import {
  BAYESIAN_COVARIANCE_TYPES,
  type BackendChoice,
  type BayesianCovarianceType,
  type CovarianceType,
  type GaussianMixtureOptions,
  type InitParams,
  type InitSample,
} from '../api/options.js';
import { mixtureSvg } from '../plot/mixture.js';
import { selectionSvg } from '../plot/selection.js';
import { selectModel, type Criterion } from '../tools/select.js';
import type { Matrix } from '../data/matrix.js';
import { bayesianSummary } from './bayesian-format.js';
import { fileSize, readTable, readText, rowOf, type ReadOptions, type Table } from './csv.js';
import { clustering } from './clustering.js';
import { inOriginalUnits, scalingOf, STANDARDIZE_TYPES, standardized } from './standardize.js';
import { rescaledAs } from '../model/covariance/rescale.js';
import { pairsSvg } from '../plot/pairs.js';
import { csvLine, modelSummary, num, selectionTable } from './format.js';
import { inCliTerms, inFlags } from './messages.js';
import { fitReporter, progressEnabled, readReporter, selectReporter } from './progress.js';

export interface CsvFlags {
  delimiter?: string;
  header?: boolean;
  columns?: string;
  missing?: 'error' | 'marginalize';
}

export interface ModelFlags {
  nInit?: number;
  seed?: number;
  maxIter?: number;
  tol?: number;
  regCovar?: number;
  init?: InitParams;
  initSample?: InitSample;
  backend?: BackendChoice;
  onDegenerate?: 'error' | 'reset';
  progress?: boolean;
  prior?: boolean;
  noise?: boolean;
  noiseVolume?: number;
}

export const out = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
export const note = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

export const readOptions = (f: CsvFlags, weights?: string): ReadOptions => ({
  delimiter: f.delimiter,
  header: f.header,
  columns: f.columns,
  weights,
  missing: f.missing === 'marginalize',
});

export function modelOptions(f: ModelFlags & { missing?: 'error' | 'marginalize' }): GaussianMixtureOptions {
  const o: GaussianMixtureOptions = {};
  if (f.missing === 'marginalize') o.missing = 'marginalize';
  if (f.nInit !== undefined) o.nInit = f.nInit;
  if (f.seed !== undefined) o.seed = f.seed;
  if (f.maxIter !== undefined) o.maxIter = f.maxIter;
  if (f.tol !== undefined) o.tol = f.tol;
  if (f.regCovar !== undefined) o.regCovar = f.regCovar;
  if (f.init !== undefined) o.initParams = f.init;
  if (f.initSample !== undefined) o.initSample = f.initSample;
  if (f.backend !== undefined) o.backend = f.backend;
  if (f.onDegenerate !== undefined) o.onDegenerate = f.onDegenerate;
  if (f.prior) o.prior = true;
  if (f.noiseVolume !== undefined) o.noise = { volume: f.noiseVolume };
  else if (f.noise) o.noise = true;
  return o;
}

export function writeOutput(path: string, content: string, what: string): void {
  // The directory must exist: creating it would hide a typo, and creating directories under /proc hangs.
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new DataError(`cannot write ${what} to '${path}': the directory '${dir}' does not exist`);
  try {
    writeFileSync(path, content);
  } catch (e) {
    throw new DataError(`cannot write ${what} to '${path}': ${(e as Error).message}`);
  }
}

/** A saved model of either class (fit --bayesian writes BayesianGaussianMixture's format). */
type Model = GaussianMixture | BayesianGaussianMixture;

function isBayesian(text: string): boolean {
  try {
    return (JSON.parse(text) as { format?: unknown } | null)?.format === BAYESIAN_FORMAT;
  } catch {
    return false; // GaussianMixture.fromJSON reports the parse error
  }
}

/**
 * A saved model of either class; a GaussianMixture's `missing` option is replaced when one is given (--missing on
 * predict, score, anomalies). A BayesianGaussianMixture has no missing-value mode.
 */
/** How a model's data treat missing values (a BayesianGaussianMixture has no missing-value mode). */
const missingOf = (m: Model): 'error' | 'marginalize' => (m instanceof GaussianMixture ? m.options.missing : 'error');

async function loadModel(path: string, missing?: 'error' | 'marginalize'): Promise<Model> {
  const text = await readText(path, 'model');
  try {
    if (isBayesian(text)) {
      if (missing === 'marginalize') {
        throw new OptionError('--missing', '--missing marginalize needs a GaussianMixture model; this one is Bayesian');
      }
      return BayesianGaussianMixture.fromJSON(text);
    }
    if (missing !== undefined) {
      let json: { options?: Record<string, unknown> } | null = null;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: fromJSON below reports it
      }
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        return GaussianMixture.fromJSON({ ...json, options: { ...json.options, missing } });
      }
    }
    return GaussianMixture.fromJSON(text);
  } catch (e) {
    if (e instanceof Error) e.message = `${path === '-' ? '<stdin>' : path}: ${e.message}`;
    throw e;
  }
}

/** Inputs larger than this show a reading progress line (when progress is on). */
const PROGRESS_BYTES = 8 << 20;

/** Reads a table, with a progress line for large inputs and the reader's notes and warnings on stderr. */
async function loadTable(
  path: string,
  f: CsvFlags & { progress?: boolean },
  weights?: string,
  source?: string,
  chooseColumns?: ReadOptions['chooseColumns'],
): Promise<Table> {
  const bar =
    progressEnabled(f.progress) && (path === '-' || fileSize(path) > PROGRESS_BYTES)
      ? readReporter(path === '-' ? '<stdin>' : path)
      : null;
  let t: Table;
  try {
    const progress = bar ? (bytes: number, total: number | null) => bar.update({ bytes, total }) : undefined;
    t = await readTable(path, { ...readOptions(f, weights), progress, chooseColumns }, source);
  } finally {
    bar?.stop();
  }
  for (const n of t.notes) note(`gaussmix: note: ${n}`);
  for (const w of t.warnings) note(`gaussmix: warning: ${w}`);
  return t;
}

/** The feature names a model was fitted with. */
const namesOf = (model: Model): string[] | null => model.featureNames;

/** 'a', 'b', 'c' — at most 8 names, then how many more. */
const nameList = (names: readonly string[]): string =>
  names
    .slice(0, 8)
    .map((s) => `'${s}'`)
    .join(', ') + (names.length > 8 ? `, … (${names.length} in all)` : '');

/**
 * Reads data for an existing model. A model that knows its features' names takes them from the file's header by
 * name, wherever they are and whatever else the file holds (a label column, row names); a file without a header is
 * read by position. --columns overrides both.
 */
async function readFor(model: Model, path: string, f: CsvFlags): Promise<Table> {
  const names = f.columns === undefined ? namesOf(model) : null;
  const where = path === '-' ? '<stdin>' : path;
  const byName = names
    ? (cols: string[], header: boolean): readonly string[] | undefined => {
        if (!header) return undefined;
        const missing = names.filter((n) => !cols.includes(n));
        if (missing.length === 0) return names;
        throw new DataError(
          `${where} has no column ${nameList(missing)}, which the model was fitted on (its features: ${nameList(names)}; ` +
            `the file's columns: ${nameList(cols)}); pick the columns to use, in the model's order, with --columns`,
        );
      }
    : undefined;
  const t = await loadTable(path, f, undefined, undefined, byName);
  if (t.columns.length !== model.nFeatures) {
    const known = namesOf(model);
    const fitted = known ? ` (${nameList(known)})` : '';
    throw new DataError(
      `${t.source} has ${t.columns.length} feature column${t.columns.length === 1 ? '' : 's'} (${t.columns.join(', ')}) but the model was fitted on ` +
        `${model.nFeatures}${fitted}; pick them with --columns`,
    );
  }
  const fitted = namesOf(model);
  if (f.columns !== undefined && fitted && t.header && t.columns.some((c, j) => c !== fitted[j])) {
    note(
      `gaussmix: note: the columns selected (${nameList(t.columns)}) are not named as the model's features (${nameList(fitted)}); they are used in that order`,
    );
  }
  return t;
}

/** A table's (or a batch's) column names as a model's featureNames: when they come from a header and name each feature once. */
export const featureNamesOf = (t: { header: boolean; columns: string[] }): string[] | null =>
  t.header && new Set(t.columns).size === t.columns.length ? t.columns : null;

// ── fit ──────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface FitFlags extends CsvFlags, ModelFlags {
  /** Required unless `bayesian` (main.ts checks). */
  k?: number;
  covariance?: CovarianceType;
  bayesian?: boolean;
  maxComponents?: number;
  priorType?: 'dp' | 'dirichlet';
  weights?: string;
  out?: string;
  plot?: string;
  pairs?: string;
  standardize?: boolean;
}

/** The flags a batch (non-Bayesian) fit refuses, checked before any data is read. */
function checkBatchFitFlags(f: FitFlags, covarianceType: CovarianceType): void {
  if (f.maxComponents !== undefined || f.priorType !== undefined) {
    throw new OptionError(
      f.maxComponents !== undefined ? '--max-components' : '--prior-type',
      `${f.maxComponents !== undefined ? '--max-components' : '--prior-type'} needs --bayesian`,
    );
  }
  if (f.standardize && !STANDARDIZE_TYPES.includes(covarianceType))
    throw new OptionError('--standardize', `--standardize works with --covariance ${STANDARDIZE_TYPES.join(', ')}`);
  // a prior's hyper-parameters and a noise volume would be in z-units: not mapped back to the original ones
  const zUnits = f.prior ? '--prior' : f.noise ? '--noise' : f.noiseVolume !== undefined ? '--noise-volume' : null;
  if (f.standardize && zUnits)
    throw new OptionError('--standardize', `--standardize cannot be used with ${zUnits} yet`);
}

/** Says how many entries EM integrated out, so a user learns the data had holes. */
function noteMissingValues(X: Table['X']): void {
  let holes = 0;
  for (let i = 0; i < X.data.length; i++) if (Number.isNaN(X.data[i])) holes++;
  if (holes > 0) {
    const share = ((100 * holes) / X.data.length).toFixed(1);
    note(
      `gaussmix: ${holes} missing values (${share}% of the entries) integrated out, assuming they are missing at random`,
    );
  }
}

/** The z-unit criteria of a standardized fit: the ones comparable across K and types (see the text). */
function standardizedSummary(
  fitted: GaussianMixture,
  Z: Table['X'],
  rows: number,
  covarianceType: CovarianceType,
): string {
  const to = rescaledAs(covarianceType);
  const sp = to?.shape ? `; ${covarianceType} in z-units is ${to.shape} in the original ones (saved as ${to.as})` : '';
  return (
    `\nfitted on standardized features (z = (x − mean) / sd per column); parameters above in the original units${sp}.\n` +
    `standardized fit (z-units): log-likelihood ${num(fitted.score(Z) * rows)}, BIC ${num(fitted.bic(Z))}, AIC ${num(fitted.aic(Z))} ` +
    `(${fitted.nParameters()} free parameters). The log-likelihood above is this one − N·Σ log sd, the same shift for ` +
    'every K and type: compare standardized fits by these z-unit criteria.'
  );
}

/** --out, --plot and --pairs of a fitted model, each said on stdout as it is saved. */
function saveFitOutputs(gm: GaussianMixture, t: Table, f: FitFlags): void {
  if (f.out) {
    writeOutput(f.out, `${JSON.stringify(gm.toJSON(), null, 2)}\n`, 'the model');
    out(`\nmodel saved to ${f.out}`);
  }
  if (f.plot) {
    // points with missing values are drawn where the model expects them (their conditional means)
    const points = f.missing === 'marginalize' ? gm.impute(t.X) : t.X;
    writeOutput(
      f.plot,
      mixtureSvg(gm, points, { columns: t.columns, title: `Gaussian mixture of ${basename(t.source)}` }),
      'the plot',
    );
    out(`${f.out ? '' : '\n'}plot saved to ${f.plot}`);
  }
  if (f.pairs) {
    const points = f.missing === 'marginalize' ? gm.impute(t.X) : t.X;
    writeOutput(
      f.pairs,
      pairsSvg(gm, points, {
        columns: t.columns,
        title: `Gaussian mixture of ${basename(t.source)}: pairs of features`,
      }),
      'the plot',
    );
    out(`${f.out || f.plot ? '' : '\n'}pairs plot saved to ${f.pairs}`);
  }
}

export async function fitCommand(file: string, f: FitFlags): Promise<void> {
  if (f.bayesian && (f.standardize || f.pairs))
    throw new OptionError(
      f.standardize ? '--standardize' : '--pairs',
      `${f.standardize ? '--standardize' : '--pairs'} is not available with --bayesian yet`,
    );
  if (f.bayesian) return bayesianFitCommand(file, f);
  const covarianceType = f.covariance ?? 'full';
  checkBatchFitFlags(f, covarianceType);
  const t = await loadTable(file, f, f.weights);
  if (f.pairs && t.columns.length < 2)
    throw new OptionError('--pairs', '--pairs needs at least 2 feature columns (--plot draws one feature)');
  const opts: GaussianMixtureOptions = { ...modelOptions(f), nComponents: f.k, covarianceType };
  const progress = progressEnabled(f.progress) ? fitReporter(opts.maxIter ?? 100, opts.nInit ?? 1) : null;
  const fitted = new GaussianMixture({ ...opts, onIteration: progress ? (i) => progress.update(i) : null });
  const scaling = f.standardize ? scalingOf(t.X, t.columns) : null;
  const Z = scaling ? standardized(t.X, scaling) : t.X;
  try {
    inCliTerms(() => fitted.fit(Z, { sampleWeight: t.weights, featureNames: featureNamesOf(t) }), t);
  } finally {
    progress?.stop();
  }
  const gm = scaling ? inOriginalUnits(fitted, scaling) : fitted;
  for (const w of fitted.warnings) note(`gaussmix: warning: ${inFlags(w)}`);
  noteMissingValues(t.X);
  out(
    modelSummary(gm, {
      columns: t.columns,
      X: t.X,
      source: t.source,
      weighted: t.weights !== null,
      clustering: clustering(gm, t.X),
    }),
  );
  if (scaling) out(standardizedSummary(fitted, Z, t.X.rows, covarianceType));
  saveFitOutputs(gm, t, f);
}

/** fit --bayesian: a BayesianGaussianMixture with --max-components components; prints the effective K. */
async function bayesianFitCommand(file: string, f: FitFlags): Promise<void> {
  if (f.k !== undefined) {
    throw new OptionError(
      '-k',
      'with --bayesian the data choose K: give the largest number of components as --max-components',
    );
  }
  if (f.onDegenerate === 'reset') {
    throw new OptionError(
      '--on-degenerate',
      '--on-degenerate reset does not apply to --bayesian (components may stay empty)',
    );
  }
  if (f.missing === 'marginalize') {
    throw new OptionError('--missing', '--missing marginalize is not available with --bayesian (fit without it)');
  }
  if (f.initSample !== undefined) {
    throw new OptionError('--init-sample', '--init-sample does not apply to --bayesian (it starts from k-means alone)');
  }
  if (f.prior || f.noise || f.noiseVolume !== undefined) {
    const flag = f.prior ? '--prior' : f.noise ? '--noise' : '--noise-volume';
    throw new OptionError(flag, `${flag} is not available with --bayesian (its priors are --prior-type's)`);
  }
  const covariance = f.covariance ?? 'full';
  if (!(BAYESIAN_COVARIANCE_TYPES as readonly string[]).includes(covariance)) {
    throw new OptionError(
      '--covariance',
      `--bayesian supports ${BAYESIAN_COVARIANCE_TYPES.join(', ')}; got '${covariance}'`,
    );
  }
  const t = await loadTable(file, f, f.weights);
  // EM's options: the degeneracy policy (here empty components are normal) and the missing-value mode
  const { onDegenerate: _, missing: __, ...common } = modelOptions(f);
  const opts = {
    ...common,
    nComponents: f.maxComponents ?? 10,
    covarianceType: covariance as BayesianCovarianceType,
    weightConcentrationPriorType:
      f.priorType === 'dirichlet' ? ('dirichlet_distribution' as const) : ('dirichlet_process' as const),
  };
  const progress = progressEnabled(f.progress) ? fitReporter(opts.maxIter ?? 100, opts.nInit ?? 1) : null;
  const bgm = new BayesianGaussianMixture({ ...opts, onIteration: progress ? (i) => progress.update(i) : null });
  try {
    inCliTerms(() => bgm.fit(t.X, { sampleWeight: t.weights, featureNames: featureNamesOf(t) }), t);
  } finally {
    progress?.stop();
  }
  for (const w of bgm.warnings) note(`gaussmix: warning: ${inFlags(w)}`);
  out(bayesianSummary(bgm, { columns: t.columns, X: t.X, source: t.source, weighted: t.weights !== null }));
  if (f.out) {
    writeOutput(f.out, `${JSON.stringify(bgm.toJSON(), null, 2)}\n`, 'the model');
    out(`\nmodel saved to ${f.out}`);
  }
  if (f.plot) {
    const k = bgm.activeComponents.length;
    writeOutput(
      f.plot,
      mixtureSvg(bgm.prune(), t.X, {
        columns: t.columns,
        title: `Bayesian Gaussian mixture of ${basename(t.source)} (effective K = ${k})`,
      }),
      'the plot',
    );
    out(`${f.out ? '' : '\n'}plot saved to ${f.plot}`);
  }
}

// ── predict / score / anomalies / sample ─────────────────────────────────────────────────────────────────────────

export async function predictCommand(
  modelPath: string,
  file: string,
  f: CsvFlags & { proba?: boolean },
): Promise<void> {
  const gm = await loadModel(modelPath, f.missing);
  const t = await readFor(gm, file, { ...f, missing: missingOf(gm) });
  const labels = gm.predict(t.X);
  const lines: string[] = [];
  const k = gm.weights.length;
  if (f.proba) {
    const p = gm.predictProba(t.X);
    // a GaussianMixture's noise component has the last column
    const noise = 'noiseWeight' in gm && gm.noiseWeight !== null ? ['p_noise'] : [];
    if (t.header) lines.push(csvLine(['component', ...Array.from({ length: k }, (_, c) => `p${c}`), ...noise]));
    for (let i = 0; i < labels.length; i++) lines.push(csvLine([labels[i], ...Array.from(p[i])]));
  } else {
    if (t.header) lines.push('component');
    for (let i = 0; i < labels.length; i++) lines.push(String(labels[i]));
  }
  out(lines.join('\n'));
}

export async function scoreCommand(modelPath: string, file: string, f: CsvFlags): Promise<void> {
  const gm = await loadModel(modelPath, f.missing);
  const t = await readFor(gm, file, { ...f, missing: missingOf(gm) });
  const s = gm.scoreSamples(t.X);
  const lines = t.header ? ['log_likelihood'] : [];
  for (let i = 0; i < s.length; i++) lines.push(String(s[i]));
  out(lines.join('\n'));
}

export async function anomaliesCommand(
  modelPath: string,
  file: string,
  f: CsvFlags & { contamination?: number; threshold?: number },
): Promise<void> {
  if ((f.contamination === undefined) === (f.threshold === undefined)) {
    throw new OptionError('--contamination', 'anomalies needs exactly one of --contamination RATE or --threshold LOGP');
  }
  const gm = await loadModel(modelPath, f.missing);
  const t = await readFor(gm, file, { ...f, missing: missingOf(gm) });
  const r =
    f.threshold !== undefined
      ? detectAnomalies(gm, t.X, { threshold: f.threshold })
      : detectAnomalies(gm, t.X, { contamination: f.contamination! });
  const lines = [csvLine(['row', 'line', 'log_likelihood', ...t.columns])];
  for (const i of r.indices) lines.push(csvLine([i + 1, t.lines[i], r.scores[i], ...Array.from(rowOf(t, i))]));
  out(lines.join('\n'));
  const how = f.threshold !== undefined ? 'given' : `the ${f.contamination} quantile of the ${t.X.rows} scores`;
  note(`threshold ${r.threshold} (${how}): ${r.indices.length} of ${t.X.rows} rows have a lower log-likelihood`);
}

export async function imputeCommand(modelPath: string, file: string, f: CsvFlags): Promise<void> {
  const gm = await loadModel(modelPath);
  if (!(gm instanceof GaussianMixture)) {
    throw new DataError(
      `impute needs a GaussianMixture model (fit without --bayesian); ${modelPath} is a BayesianGaussianMixture`,
    );
  }
  const t = await readFor(gm, file, { ...f, missing: 'marginalize' });
  const completed = gm.impute(t.X);
  const { cols } = completed;
  const lines = t.header ? [csvLine(t.columns)] : [];
  for (let i = 0; i < completed.rows; i++)
    lines.push(csvLine(Array.from(completed.data.subarray(i * cols, (i + 1) * cols))));
  out(lines.join('\n'));
}

export async function sampleCommand(
  modelPath: string,
  f: { n: number; seed?: number; labels?: boolean },
): Promise<void> {
  const gm = await loadModel(modelPath);
  const d = gm.nFeatures;
  const names = namesOf(gm) ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
  // streamed batch by batch, waiting for stdout to drain: memory stays small for any -n
  await write(`${csvLine([...names, ...(f.labels ? ['component'] : [])])}\n`);
  for (const b of gm.sampleBatches(f.n, f.seed !== undefined ? { seed: f.seed } : {})) {
    const lines: string[] = [];
    for (let i = 0; i < b.rows; i++) {
      lines.push(csvLine([...Array.from(b.X.subarray(i * d, (i + 1) * d)), ...(f.labels ? [b.y[i]] : [])]));
    }
    await write(`${lines.join('\n')}\n`);
  }
}

/** Writes to stdout, waiting for it to drain when its buffer is full (backpressure). */
function write(text: string): Promise<void> {
  if (process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

// ── select ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface SelectFlags extends CsvFlags, ModelFlags {
  k: number[];
  covariance: CovarianceType[];
  /** --models: replaces --covariance ('all' = mclust's fourteen). */
  models?: CovarianceType[];
  criterion: Criterion;
  folds: number;
  out?: string;
  plot?: string;
}

function runSelection(X: Matrix, f: Omit<SelectFlags, keyof CsvFlags>, featureNames: string[] | null) {
  const types = f.models ?? f.covariance;
  const total = f.k.length * types.length;
  const progress = progressEnabled(f.progress) ? selectReporter(total) : null;
  try {
    return selectModel(X, {
      ...modelOptions(f),
      nComponents: f.k,
      covarianceTypes: types,
      criterion: f.criterion,
      folds: f.folds,
      featureNames,
      onCandidate: progress
        ? ({ index, row }) =>
            progress.update({
              done: index + 1,
              label: `K = ${row.nComponents}, ${row.covarianceType}${row.failed ? ' (failed)' : ''}`,
            })
        : null,
    });
  } finally {
    progress?.stop();
  }
}

export async function selectCommand(file: string, f: SelectFlags): Promise<void> {
  const t = await loadTable(file, f);
  const result = runSelection(t.X, f, featureNamesOf(t));
  out(`${t.source}: ${t.X.rows} rows × ${t.columns.length} features (${t.columns.join(', ')})\n`);
  out(selectionTable(result, clustering(result.model, t.X).uncertainty));
  out(`\nbest model:\n${modelSummary(result.model, { columns: t.columns, X: t.X })}`);
  if (f.out) {
    writeOutput(f.out, `${JSON.stringify(result.model.toJSON(), null, 2)}\n`, 'the model');
    out(`\nmodel saved to ${f.out}`);
  }
  if (f.plot) {
    writeOutput(f.plot, selectionSvg(result), 'the plot');
    out(`${f.out ? '' : '\n'}plot saved to ${f.plot}`);
  }
}

// ── demo ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** data/faithful.csv shipped with the package, found relative to this file (dist/cli.js, or src/cli/ under vitest). */
function faithfulPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../data/faithful.csv'), resolve(here, '../../data/faithful.csv')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new DataError(`the demo data is missing: expected ${candidates[0]}`);
  return found;
}

export async function demoCommand(f: { outDir: string; progress?: boolean }): Promise<void> {
  const path = faithfulPath();
  if (!existsSync(f.outDir)) {
    try {
      mkdirSync(f.outDir); // one level only: --out-dir names a directory to create, not a path of them
    } catch (e) {
      throw new DataError(`cannot create --out-dir '${f.outDir}': ${(e as Error).message}`);
    }
  }
  const t = await readTable(path, {}, 'Old Faithful');
  const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', seed: 0 }).fit(t.X, {
    featureNames: t.columns,
  });
  out(
    modelSummary(gm, {
      columns: t.columns,
      X: t.X,
      source: 'Old Faithful',
      rowNoun: 'eruptions',
      clustering: clustering(gm, t.X),
    }),
  );
  out('\nChoosing K and the covariance type by BIC (K = 1…6 × full, tied, diag, spherical):\n');
  const result = runSelection(
    t.X,
    {
      k: [1, 2, 3, 4, 5, 6],
      covariance: ['full', 'tied', 'diag', 'spherical'],
      criterion: 'bic',
      folds: 5,
      seed: 0,
      progress: f.progress,
    },
    t.columns,
  );
  out(selectionTable(result, clustering(result.model, t.X).uncertainty));
  const svg = join(f.outDir, 'faithful.svg');
  // the title says what the picture is; the subtitle (the plot's own) gives K, the covariance type and the points
  writeOutput(svg, mixtureSvg(result.model, t.X, { title: 'Old Faithful: the mixture chosen by BIC' }), 'the plot');
  out(`\nplot of the BIC-best model saved to ${svg}`);
}
