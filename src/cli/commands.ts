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
} from '../api/options.js';
import { mixtureSvg } from '../plot/mixture.js';
import { selectionSvg } from '../plot/selection.js';
import { selectModel, type Criterion } from '../tools/select.js';
import type { Matrix } from '../data/matrix.js';
import { bayesianSummary } from './bayesian-format.js';
import { fileSize, readTable, readText, rowOf, type ReadOptions, type Table } from './csv.js';
import { csvLine, modelSummary, selectionTable } from './format.js';
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

/** Reads a table, with a progress line for large inputs and the reader's notes on stderr. */
async function loadTable(
  path: string,
  f: CsvFlags & { progress?: boolean },
  weights?: string,
  source?: string,
): Promise<Table> {
  const bar =
    progressEnabled(f.progress) && (path === '-' || fileSize(path) > PROGRESS_BYTES)
      ? readReporter(path === '-' ? '<stdin>' : path)
      : null;
  let t: Table;
  try {
    const progress = bar ? (bytes: number, total: number | null) => bar.update({ bytes, total }) : undefined;
    t = await readTable(path, { ...readOptions(f, weights), progress }, source);
  } finally {
    bar?.stop();
  }
  for (const n of t.notes) note(`gaussmix: note: ${n}`);
  return t;
}

/** Reads data for an existing model, with a hint when the width does not match. */
async function readFor(model: Model, path: string, f: CsvFlags): Promise<Table> {
  const t = await loadTable(path, f);
  if (t.columns.length !== model.nFeatures) {
    throw new DataError(
      `${t.source} has ${t.columns.length} feature column${t.columns.length === 1 ? '' : 's'} (${t.columns.join(', ')}) but the model was fitted on ` +
        `${model.nFeatures}; pick them with --columns`,
    );
  }
  return t;
}

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
}

export async function fitCommand(file: string, f: FitFlags): Promise<void> {
  if (f.bayesian) return bayesianFitCommand(file, f);
  if (f.maxComponents !== undefined || f.priorType !== undefined) {
    throw new OptionError(
      f.maxComponents !== undefined ? '--max-components' : '--prior-type',
      `${f.maxComponents !== undefined ? '--max-components' : '--prior-type'} needs --bayesian`,
    );
  }
  const t = await loadTable(file, f, f.weights);
  const opts: GaussianMixtureOptions = { ...modelOptions(f), nComponents: f.k, covarianceType: f.covariance ?? 'full' };
  const progress = progressEnabled(f.progress) ? fitReporter(opts.maxIter ?? 100, opts.nInit ?? 1) : null;
  const gm = new GaussianMixture({ ...opts, onIteration: progress ? (i) => progress.update(i) : null });
  try {
    inCliTerms(() => gm.fit(t.X, { sampleWeight: t.weights }), t);
  } finally {
    progress?.stop();
  }
  for (const w of gm.warnings) note(`gaussmix: warning: ${inFlags(w)}`);
  let holes = 0;
  for (let i = 0; i < t.X.data.length; i++) if (Number.isNaN(t.X.data[i])) holes++;
  if (holes > 0) {
    const share = ((100 * holes) / t.X.data.length).toFixed(1);
    note(
      `gaussmix: ${holes} missing values (${share}% of the entries) integrated out, assuming they are missing at random`,
    );
  }
  out(modelSummary(gm, { columns: t.columns, X: t.X, source: t.source, weighted: t.weights !== null }));
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
    inCliTerms(() => bgm.fit(t.X, { sampleWeight: t.weights }), t);
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
  // streamed batch by batch, waiting for stdout to drain: memory stays small for any -n
  await write(
    `${csvLine([...Array.from({ length: d }, (_, j) => `x${j + 1}`), ...(f.labels ? ['component'] : [])])}\n`,
  );
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

function runSelection(X: Matrix, f: Omit<SelectFlags, keyof CsvFlags>) {
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
  const result = runSelection(t.X, f);
  out(`${t.source}: ${t.X.rows} rows × ${t.columns.length} features (${t.columns.join(', ')})\n`);
  out(selectionTable(result));
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
  const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', seed: 0 }).fit(t.X);
  out(modelSummary(gm, { columns: t.columns, X: t.X, source: 'Old Faithful', rowNoun: 'eruptions' }));
  out('\nChoosing K and the covariance type by BIC (K = 1…6 × full, tied, diag, spherical):\n');
  const result = runSelection(t.X, {
    k: [1, 2, 3, 4, 5, 6],
    covariance: ['full', 'tied', 'diag', 'spherical'],
    criterion: 'bic',
    folds: 5,
    seed: 0,
    progress: f.progress,
  });
  out(selectionTable(result));
  const svg = join(f.outDir, 'faithful.svg');
  writeOutput(
    svg,
    mixtureSvg(result.model, t.X, {
      columns: t.columns,
      title: `Old Faithful — BIC-best mixture (K = ${result.best.nComponents}, ${result.best.covarianceType})`,
    }),
    'the plot',
  );
  out(`\nplot of the BIC-best model saved to ${svg}`);
}
