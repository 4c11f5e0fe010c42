/**
 * Human-readable output: the fitted-model summary, the model-selection table, and CSV lines. Numbers in summaries
 * are fixed-width so columns line up; numbers in CSV output keep full precision (shortest round-trip form).
 */
import type { GaussianMixture } from '../api/gaussian-mixture.js';
import { covarianceModel } from '../model/covariance/registry.js';
import type { SelectionResult } from '../tools/select.js';

/** 4 decimals in the usual range (|v| in [0.001, 1e7)), otherwise exponent notation with 5 significant digits. */
export function num(v: number): string {
  const a = Math.abs(v);
  if (v !== 0 && (a >= 1e7 || a < 1e-3)) return v.toExponential(4);
  return v.toFixed(4);
}

/** Right-aligned cells of equal width per column. */
export function alignTable(rows: string[][], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, j) => (widths[j] = Math.max(widths[j] ?? 0, [...c].length)));
  return rows
    .map((row) =>
      row
        .map((c, j) => c.padStart(widths[j]))
        .join(' '.repeat(gap))
        .replace(/\s+$/, ''),
    )
    .join('\n');
}

export const csvLine = (values: (string | number)[]): string =>
  values
    .map((v) => (typeof v === 'number' ? String(v) : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v))
    .join(',');

export interface SummaryContext {
  /** Feature names. */
  columns: string[];
  /** The data the model was fitted on (for log-likelihood, BIC, AIC), packed row-major; absent for data streamed through (--online). */
  X?: { data: ArrayLike<number>; rows: number; cols: number };
  /** The number of rows when X is absent. */
  rows?: number;
  /** A line about the fit in place of "converged: … after … iterations". */
  fitLine?: string;
  /** What a row is ("rows", "eruptions"). */
  rowNoun?: string;
  /** Where the data came from, shown in the first line. */
  source?: string;
  /** Sample weights used in the fit (the criteria below are then computed unweighted). */
  weighted?: boolean;
}

/** The model as a block of text: parameters per component, then likelihood and criteria. */
export function modelSummary(gm: GaussianMixture, ctx: SummaryContext): string {
  const o = gm.options;
  const d = gm.nFeatures;
  const k = gm.weights.length;
  const n = ctx.X?.rows ?? ctx.rows ?? 0;
  const noun = ctx.rowNoun ?? 'rows';
  const out: string[] = [];
  out.push(
    `${ctx.source ? `${ctx.source}: ` : ''}${n} ${noun} × ${d} feature${d === 1 ? '' : 's'} (${ctx.columns.join(', ')})`,
  );
  const extra = [o.nInit !== 1 ? `nInit: ${o.nInit}` : '', `seed: ${o.seed}`].filter(Boolean).join(', ');
  out.push(
    `GaussianMixture(nComponents: ${k}, covarianceType: '${o.covarianceType}', ${extra}) on the ${gm.backend} backend`,
  );
  out.push(ctx.fitLine ?? `converged: ${gm.converged} after ${gm.nIter} iteration${gm.nIter === 1 ? '' : 's'}`);
  out.push('');

  const label = (s: string) => `  ${s.padEnd(11)}`;
  const cells = (v: ArrayLike<number>) => Array.from(v, (x) => num(x));
  // One table so every number column shares a width; the first row names the features.
  const rows: string[][] = [];
  const text: (string | null)[] = [];
  const push = (prefix: string, values: string[]) => {
    rows.push(values);
    text.push(prefix);
  };
  push(label(''), ctx.columns);
  // the covariances as users see them: a matrix per component (rank 3), one shared matrix, a row of variances per
  // component, or one variance per component
  const cov = gm.covariances;
  const model = covarianceModel(o.covarianceType);
  const rank = model.shape(k, d).length;
  const matrix = (m: Float64Array[]) => m.forEach((r, i) => push(label(i === 0 ? 'covariance' : ''), cells(r)));
  for (let c = 0; c < k; c++) {
    rows.push([]);
    text.push(`component ${c}: weight ${gm.weights[c].toFixed(4)}`);
    push(label('mean'), cells(gm.means[c]));
    if (rank === 3) matrix((cov as Float64Array[][])[c]);
    else if (rank === 2 && !model.layout.shared) push(label('variances'), cells((cov as Float64Array[])[c]));
    else if (rank === 1) push(label('variance'), [num((cov as Float64Array)[c])]);
  }
  if (gm.noiseWeight !== null) {
    rows.push([]);
    text.push(`noise: weight ${gm.noiseWeight.toFixed(4)}, uniform over volume ${num(gm.noiseVolume!)} (label -1)`);
  }
  if (rank === 2 && model.layout.shared) {
    rows.push([]);
    text.push(`shared covariance (${o.covarianceType}):`);
    matrix(cov as Float64Array[]);
  }
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, j) => (widths[j] = Math.max(widths[j] ?? 0, c.length, 9)));
  rows.forEach((r, i) => {
    out.push(r.length === 0 ? (text[i] as string) : `${text[i]}${r.map((c, j) => c.padStart(widths[j] + 2)).join('')}`);
  });
  if (!ctx.X) return out.join('\n');
  const mean = gm.score(ctx.X);
  out.push('');
  out.push(
    `log-likelihood: ${num(mean * n)} (mean per ${noun.replace(/s$/, '')} ${mean.toFixed(6)})${ctx.weighted ? ', unweighted' : ''}`,
  );
  out.push(
    `BIC: ${num(gm.bic(ctx.X))}   AIC: ${num(gm.aic(ctx.X))}   (lower is better; ${gm.nParameters()} free parameters)`,
  );
  return out.join('\n');
}

/** mclust-style table: rows K, columns covariance type; '*' marks the best, '~' a fit that did not converge. */
export function selectionTable(result: SelectionResult): string {
  const ks = [...new Set(result.table.map((r) => r.nComponents))].sort((a, b) => a - b);
  const types = [...new Set(result.table.map((r) => r.covarianceType))];
  const name = result.criterion === 'cv' ? 'held-out log-likelihood per row' : result.criterion.toUpperCase();
  const digits = result.criterion === 'cv' ? 4 : 2;
  const rows: string[][] = [['K', ...types.map((t) => `${t} `)]];
  let anyUnconverged = false;
  for (const k of ks) {
    const row = [String(k)];
    for (const t of types) {
      const r = result.table.find((x) => x.nComponents === k && x.covarianceType === t);
      if (!r) row.push('');
      else if (r.failed || r.score === null) row.push('failed ');
      else {
        const best = k === result.best.nComponents && t === result.best.covarianceType;
        const mark = best ? '*' : r.converged === false ? '~' : ' ';
        anyUnconverged ||= !best && r.converged === false;
        row.push(`${r.score.toFixed(digits)}${mark}`);
      }
    }
    rows.push(row);
  }
  const mclustSign = result.criterion === 'bic' || result.criterion === 'icl' ? ` (mclust's ${name} = −1 × these)` : '';
  const out = [
    `${name} by number of components K (rows) and covariance type (columns); ${result.lowerIsBetter ? 'lower' : 'higher'} is better${mclustSign}`,
    '',
  ];
  out.push(alignTable(rows, 3));
  out.push('');
  out.push(
    `* best: K = ${result.best.nComponents}, ${result.best.covarianceType} (${name} ${result.best.score.toFixed(digits)})`,
  );
  if (anyUnconverged) out.push('~ EM did not converge within --max-iter iterations');
  out.push('', ...selectionSummary(result, name, digits));
  const failed = result.table.filter((r) => r.failed);
  if (failed.length) {
    out.push(
      `${failed.length} candidate${failed.length === 1 ? '' : 's'} failed, e.g. K = ${failed[0].nComponents}, ${failed[0].covarianceType}: ${failed[0].error}`,
    );
  }
  return out.join('\n');
}

/** mclust's summary below the table: the top three with their differences, the chosen model's clusters. */
function selectionSummary(result: SelectionResult, name: string, digits: number): string[] {
  const out = [`Top ${result.top.length} models by ${name}:`];
  const rows = result.top.map((t, i) => [
    `${i + 1}.`,
    `${t.covarianceType},`,
    `K = ${t.nComponents}`,
    t.score.toFixed(digits),
    i === 0 ? '' : `(${result.lowerIsBetter ? '+' : '−'}${t.difference.toFixed(digits)})`,
  ]);
  out.push(alignTable(rows, 2));
  const b = result.best;
  out.push(
    '',
    `Chosen: ${b.covarianceType} with K = ${b.nComponents} — cluster sizes (rows assigned) and mixing proportions:`,
  );
  const comps = result.clusterSizes.map((_, c) => String(c));
  out.push(
    alignTable(
      [
        ['component', ...comps],
        ['size', ...result.clusterSizes.map(String)],
        ['proportion', ...result.proportions.map((p) => p.toFixed(4))],
      ].map((row, i) =>
        result.noise ? [...row, ['noise', String(result.noise.size), result.noise.proportion.toFixed(4)][i]] : row,
      ),
      2,
    ),
  );
  return out;
}
