/**
 * Pairs plot of a fitted mixture (mclust's scatter matrix): for the first few features, one panel per pair of them
 * below the diagonal, points coloured by their most responsible component and each component's 1σ and 2σ ellipses —
 * the exact marginal of its Gaussian on those two features (means μ_j, μ_i and the 2×2 block of Σ). The diagonal
 * names the features. Unlike the PCA projection of mixtureSvg, every axis is a feature in its own units.
 */
import { DataError, NotFittedError, OptionError } from '../api/errors.js';
import type { GaussianMixture } from '../api/gaussian-mixture.js';
import { pairsPlotOptions } from '../api/options.js';
import { toRows, type Matrix } from '../data/matrix.js';
import { describeModel, ellipsePair, meanMarker, NOISE_GREY } from './mixture.js';
import { ellipseOf, fullCovariances } from './project.js';
import { MAX_POINTS, sampleRows } from './sample.js';
import { color, esc, n, niceTicks, px, py, svgDocument, tickLabel, type Frame } from './svg.js';

export interface PairsPlotOptions {
  /** Feature names (default the model's featureNames, else x1, x2, …). */
  columns?: readonly string[];
  /** Heading (default 'Gaussian mixture: pairs of features'). */
  title?: string;
  /** Features drawn: the first this many (default 4, at most 8); a scatter matrix of more is unreadable. */
  features?: number;
  /** Panel size in pixels (default 190). */
  panel?: number;
  /** Labels to colour the points by, one per row of X (default model.predict on the rows drawn). */
  labels?: ArrayLike<number>;
  /**
   * Most points drawn in each panel (default 12000 over all panels, at most 5000 per panel — 2000 for 4 features);
   * more rows are drawn as a uniform sample of this many, the same rows in every panel.
   */
  maxPoints?: number;
}

const GAP = 8;
/** Points drawn over all panels by default: keeps a pairs plot of any number of rows well under 1 MB. */
const PAIRS_POINTS = 12000;
const LEGEND_WIDTH = 170;

/** What every panel draws from: the rows drawn, their colours and the mixture's marginals. */
interface PanelData {
  columns: readonly string[];
  ticks: { step: number; ticks: number[] }[];
  subset: Float64Array;
  shown: number;
  d: number;
  labels: ArrayLike<number>;
  covs: Float64Array[];
  means: ArrayLike<number>[];
  k: number;
  size: number;
}

/** Each feature's range: the points drawn and every component's ±2σ marginal, padded 4%. */
function featureRanges(
  subset: Float64Array,
  shown: number,
  d: number,
  p: number,
  covs: Float64Array[],
  means: ArrayLike<number>[],
  k: number,
): (readonly [number, number])[] {
  return Array.from({ length: p }, (_, j) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < shown; i++) {
      lo = Math.min(lo, subset[i * d + j]);
      hi = Math.max(hi, subset[i * d + j]);
    }
    for (let c = 0; c < k; c++) {
      const h = 2 * Math.sqrt(covs[c][j * d + j]);
      lo = Math.min(lo, means[c][j] - h);
      hi = Math.max(hi, means[c][j] + h);
    }
    const span = hi - lo || Math.abs(lo) || 1;
    return [lo - 0.04 * span, hi + 0.04 * span] as const;
  });
}

/** Tick labels on the outer panels only: the bottom row's x, the left column's y. */
function outerTickLabels(frame: (row: number, col: number) => Frame, p: number, ticks: PanelData['ticks']): string[] {
  const body = [`<g class="ticks" font-size="10" fill="#333">`];
  for (let j = 0; j < p; j++) {
    const f = frame(p - 1, j);
    for (const t of ticks[j].ticks)
      body.push(
        `<text x="${n(px(f, t))}" y="${n(f.bottom + 14)}" text-anchor="middle">${esc(tickLabel(t, ticks[j].step))}</text>`,
      );
  }
  for (let i = 0; i < p; i++) {
    const f = frame(i, 0);
    for (const t of ticks[i].ticks)
      body.push(
        `<text x="${n(f.left - 5)}" y="${n(py(f, t) + 3)}" text-anchor="end">${esc(tickLabel(t, ticks[i].step))}</text>`,
      );
  }
  body.push('</g>');
  return body;
}

/** The legend, in the empty upper-right triangle's corner. */
function pairsLegend(model: GaussianMixture, lx: number, top: number): string[] {
  const legend = [`<g class="legend" font-size="12" fill="#222">`];
  legend.push(`<text x="${n(lx)}" y="${n(top + 4)}" font-weight="bold">component (weight)</text>`);
  model.weights.forEach((w, c) => {
    const y = top + 24 + 19 * c;
    legend.push(
      `<rect x="${n(lx)}" y="${n(y - 10)}" width="14" height="12" rx="2" fill="${color(c)}" stroke="#333" stroke-width="0.5"/>`,
      `<text x="${n(lx + 22)}" y="${n(y)}">${c}  (${(w * 100).toFixed(1)}%)</text>`,
    );
  });
  legend.push('</g>');
  return legend;
}

/** The panel of feature j (x) against feature i (y): grid, points, then each component's marginal ellipses. */
function panel(P: PanelData, f: Frame, i: number, j: number): string {
  const { columns, ticks, subset, shown, d, labels, covs, means, k, size } = P;
  const out = [`<g class="panel" data-x="${esc(columns[j])}" data-y="${esc(columns[i])}">`];
  const grid = [`<g stroke="#ececec" stroke-width="1">`];
  for (const t of ticks[j].ticks)
    grid.push(`<line x1="${n(px(f, t))}" y1="${n(f.top)}" x2="${n(px(f, t))}" y2="${n(f.bottom)}"/>`);
  for (const t of ticks[i].ticks)
    grid.push(`<line x1="${n(f.left)}" y1="${n(py(f, t))}" x2="${n(f.right)}" y2="${n(py(f, t))}"/>`);
  out.push(...grid, '</g>');
  out.push(`<g class="points" fill-opacity="0.7">`);
  for (let r = 0; r < shown; r++)
    out.push(
      `<circle cx="${n(px(f, subset[r * d + j]))}" cy="${n(py(f, subset[r * d + i]))}" r="2.2" fill="${labels[r] < 0 ? NOISE_GREY : color(labels[r])}"/>`,
    );
  out.push('</g>');
  const sx = (f.right - f.left) / (f.xMax - f.xMin);
  const sy = (f.bottom - f.top) / (f.yMax - f.yMin);
  const marks: string[] = [];
  for (let c = 0; c < k; c++) {
    const S = covs[c];
    const e = ellipseOf(sx * sx * S[j * d + j], -sx * sy * S[j * d + i], sy * sy * S[i * d + i]);
    const cx = px(f, means[c][j]);
    const cy = py(f, means[c][i]);
    out.push(
      `<g class="component" data-component="${c}">`,
      ...ellipsePair(`p${i}_${j}c${c}`, cx, cy, e.r1, e.r2, `rotate(${n(e.angle)} ${n(cx)} ${n(cy)})`, color(c)),
      '</g>',
    );
    marks.push(...meanMarker(cx, cy, String(c), 4, 10));
  }
  out.push(`<g class="means">`, ...marks, '</g>');
  out.push(
    `<rect x="${n(f.left)}" y="${n(f.top)}" width="${n(size)}" height="${n(size)}" fill="none" stroke="#555" stroke-width="1"/>`,
  );
  out.push('</g>');
  return out.join('\n');
}

/** SVG (a string) of the scatter matrix of the first features of X, with the mixture's marginal ellipses. */
export function pairsSvg(model: GaussianMixture, X: Matrix, given: PairsPlotOptions = {}): string {
  const o = pairsPlotOptions<PairsPlotOptions>(given);
  if (!model.isFitted) throw new NotFittedError('pairsSvg');
  const rows = toRows(X, 'X', model.nFeatures);
  const d = rows.d;
  if (d < 2) throw new OptionError('X', 'a pairs plot needs at least 2 features; mixtureSvg draws 1');
  const columns = o.columns ?? model.featureNames ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
  if (columns.length !== d) throw new DataError(`columns must name the ${d} features; got ${columns.length} names`);
  const p = Math.min(d, o.features ?? 4);
  const k = model.nComponents;

  const panels = (p * (p - 1)) / 2;
  const drawn = sampleRows(rows.n, o.maxPoints ?? Math.min(MAX_POINTS, Math.floor(PAIRS_POINTS / panels)));
  const shown = drawn.length;
  const subset = new Float64Array(shown * d);
  for (let i = 0; i < shown; i++) rows.copyRows(drawn[i], 1, subset, i * d);
  const givenLabels = o.labels;
  const labels = givenLabels
    ? Array.from(drawn, (i) => givenLabels[i])
    : model.predict({ data: subset, rows: shown, cols: d });
  const covs = fullCovariances(model);
  const means = model.means;

  const range = featureRanges(subset, shown, d, p, covs, means, k);
  const ticks = range.map(([lo, hi]) => {
    const t = niceTicks(lo, hi, 4);
    return { step: t.step, ticks: t.ticks.filter((v) => v >= lo && v <= hi) };
  });

  const size = o.panel ?? 190;
  const left = 62;
  const top = 62;
  const width = left + p * size + (p - 1) * GAP + 24 + LEGEND_WIDTH;
  const height = Math.max(top + p * size + (p - 1) * GAP + 48, top + 40 + 19 * k + 40);
  const frame = (row: number, col: number): Frame => {
    const x0 = left + col * (size + GAP);
    const y0 = top + row * (size + GAP);
    return {
      left: x0,
      top: y0,
      right: x0 + size,
      bottom: y0 + size,
      xMin: range[col][0],
      xMax: range[col][1],
      yMin: range[row][0],
      yMax: range[row][1],
    };
  };
  const data: PanelData = { columns, ticks, subset, shown, d, labels, covs, means, k, size };

  const body: string[] = [];
  const title = o.title ?? 'Gaussian mixture: pairs of features';
  body.push(`<text x="${n(left)}" y="26" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`);
  const which = p < d ? ` · the first ${p} of ${d} features` : '';
  const sub = `${describeModel(model, rows.n, shown)}${which} · ellipses: each component's marginal on the pair`;
  body.push(`<text x="${n(left)}" y="46" font-size="12" fill="#555">${esc(sub)}</text>`);

  for (let i = 0; i < p; i++) {
    // the diagonal: the feature's name, with its range
    const f = frame(i, i);
    body.push(
      `<g class="feature"><rect x="${n(f.left)}" y="${n(f.top)}" width="${n(size)}" height="${n(size)}" fill="#f6f6f6" stroke="#555" stroke-width="1"/>`,
      `<text x="${n(f.left + size / 2)}" y="${n(f.top + size / 2 + 5)}" text-anchor="middle" font-size="${Math.min(14, Math.floor((size - 12) / (0.6 * Math.max(1, columns[i].length))))}" font-weight="bold" fill="#222">${esc(columns[i])}</text></g>`,
    );
    for (let j = 0; j < i; j++) body.push(panel(data, frame(i, j), i, j));
  }
  body.push(...outerTickLabels(frame, p, ticks));
  body.push(...pairsLegend(model, left + p * (size + GAP) + 16, top));
  return svgDocument(width, height, `${title}: ${describeModel(model, rows.n, shown)}`, body.join('\n'));
}
