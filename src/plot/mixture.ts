/**
 * Scatter plot of a fitted mixture: points coloured by their most responsible component, each component drawn as
 * its 1σ and 2σ ellipses (Mahalanobis distance 1 and 2, from the eigen-decomposition of its covariance) with the
 * mean marked. D = 2 plots the raw features; D > 2 projects everything on the data's two leading principal axes
 * (points W(x − c), means W(μ − c), covariances WΣWᵀ); D = 1 draws a histogram with the mixture density.
 * Scatter plots draw at most `maxPoints` points (default 5000): beyond that a uniform random sample from a fixed
 * seed (sample.ts), said in the subtitle ("showing n of N points"), so 2·10⁵ rows still make a file well under 1 MB;
 * the ellipses and the axes' range still come from the model and every row's projection.
 */
import { DataError, NotFittedError } from '../api/errors.js';
import type { GaussianMixture } from '../api/gaussian-mixture.js';
import { toRows, type Matrix } from '../data/matrix.js';
import { mixturePlotOptions } from '../api/options.js';
import {
  ellipseOf,
  fullCovariances,
  type Projection,
  projectCovariance,
  projectionFor,
  projectPoint,
} from './project.js';
import { MAX_POINTS, sampleRows } from './sample.js';
import { axes, color, esc, leftMargin, n, niceTicks, px, py, svgDocument, textWidth, type Frame } from './svg.js';

/** Rows a noise component explains best (predict −1) are drawn in grey: they belong to no cluster. */
export const NOISE_GREY = '#9a9a9a';

export interface MixturePlotOptions {
  /** Feature names (default the model's featureNames, else x1, x2, …); used for axis titles and PCA loadings. */
  columns?: readonly string[];
  /** Heading (default 'Gaussian mixture'). */
  title?: string;
  /** Total width in pixels (default 760, 240…10 000). */
  width?: number;
  /** Total height in pixels (default 540, 160…10 000; grows to fit the legend). */
  height?: number;
  /** Labels to colour the points by, one per row of X (default model.predict on the rows drawn). */
  labels?: ArrayLike<number>;
  /** Most points a scatter plot draws (default 5000); more rows are drawn as a uniform sample of this many. */
  maxPoints?: number;
}

const LEGEND_WIDTH = 190;

type Ticks = ReturnType<typeof niceTicks>;

/** SVG (a string) of the mixture over the data X. */
export function mixtureSvg(model: GaussianMixture, X: Matrix, given: MixturePlotOptions = {}): string {
  const options = mixturePlotOptions<MixturePlotOptions>(given);
  if (!model.isFitted) throw new NotFittedError('mixtureSvg');
  const rows = toRows(X, 'X', model.nFeatures);
  const d = rows.d;
  const columns = options.columns ?? model.featureNames ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
  if (columns.length !== d) throw new DataError(`columns must name the ${d} features; got ${columns.length} names`);
  return d === 1 ? densityPlot(model, rows, columns, options) : scatterPlot(model, X, rows.n, columns, options);
}

const thousands = (v: number): string => v.toLocaleString('en-US');

/** "K = 3, full covariance, 272 points", or "…, showing 5,000 of 200,000 points (uniform sample)". */
export function describeModel(model: GaussianMixture, count: number, shown = count): string {
  const points =
    shown < count ? `showing ${thousands(shown)} of ${thousands(count)} points (uniform sample)` : `${count} points`;
  return `K = ${model.weights.length}, ${model.options.covarianceType} covariance, ${points}`;
}

function legend(x: number, y: number, model: GaussianMixture, extra: string[]): string {
  const out: string[] = [`<g class="legend" font-size="12" fill="#222">`];
  out.push(`<text x="${n(x)}" y="${n(y)}" font-weight="bold">component (weight)</text>`);
  let at = y + 20;
  model.weights.forEach((w, k) => {
    out.push(
      `<rect x="${n(x)}" y="${n(at - 10)}" width="14" height="12" rx="2" fill="${color(k)}" stroke="#333" stroke-width="0.5"/>`,
    );
    out.push(`<text x="${n(x + 22)}" y="${n(at)}">${k}  (${(w * 100).toFixed(1)}%)</text>`);
    at += 19;
  });
  at += 8;
  out.push(...extra.map((s) => s.replace(/__Y(-?\d+)__/g, (_, dy: string) => n(at + Number(dy)))));
  out.push('</g>');
  return out.join('\n');
}

/** The plotted range: all points and every 2σ ellipse's bounding box, padded 4%. */
/**
 * The page, the plot area over the data domain and the axis ticks inside it, shared by the scatter and the density
 * plot: the page grows with the legend's K rows, the left margin with the widest y label.
 */
function plotFrame(
  o: MixturePlotOptions,
  k: number,
  xMin: number,
  xMax: number,
  yMin: number,
  yMax: number,
): { width: number; height: number; f: Frame; xt: Ticks; yt: Ticks } {
  const width = o.width ?? 760;
  const height = Math.max(o.height ?? 540, 120 + 19 * k + 110);
  const yt = niceTicks(yMin, yMax, 6);
  const xt = niceTicks(xMin, xMax, 7);
  const f: Frame = {
    left: leftMargin(yt),
    top: 62,
    right: width - LEGEND_WIDTH - 20,
    bottom: height - 62,
    xMin,
    xMax,
    yMin,
    yMax,
  };
  const inside = (t: number, lo: number, hi: number) => t >= lo && t <= hi;
  xt.ticks = xt.ticks.filter((t) => inside(t, xMin, xMax));
  yt.ticks = yt.ticks.filter((t) => inside(t, yMin, yMax));
  return { width, height, f, xt, yt };
}

function scatterDomain(
  pts: [number, number][],
  means: [number, number][],
  covs: [number, number, number][],
): { xMin: number; xMax: number; yMin: number; yMax: number } {
  let xMin = Infinity,
    xMax = -Infinity,
    yMin = Infinity,
    yMax = -Infinity;
  for (const [a, b] of pts) {
    xMin = Math.min(xMin, a);
    xMax = Math.max(xMax, a);
    yMin = Math.min(yMin, b);
    yMax = Math.max(yMax, b);
  }
  means.forEach(([a, b], c) => {
    const hx = 2 * Math.sqrt(covs[c][0]);
    const hy = 2 * Math.sqrt(covs[c][2]);
    xMin = Math.min(xMin, a - hx);
    xMax = Math.max(xMax, a + hx);
    yMin = Math.min(yMin, b - hy);
    yMax = Math.max(yMax, b + hy);
  });
  const pad = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || Math.abs(lo) || 1;
    return [lo - 0.04 * span, hi + 0.04 * span];
  };
  [xMin, xMax] = pad(xMin, xMax);
  [yMin, yMax] = pad(yMin, yMax);
  return { xMin, xMax, yMin, yMax };
}

/** "PC1 (92.5%) ≈ 0.86·petal_length + 0.36·sepal_length + …" with as many loadings as fit along the axis. */
function axisTitle(proj: Projection, columns: readonly string[], a: 0 | 1, room: number): string {
  if (!proj.explained) return columns[a];
  const head = `PC${a + 1} (${(proj.explained[a] * 100).toFixed(1)}% of variance)`;
  const w = proj.axes[a];
  const order = Array.from(w, (v, j) => [v, j] as const).sort((p, q) => Math.abs(q[0]) - Math.abs(p[0]));
  let title = head;
  for (let t = 1; t <= order.length; t++) {
    const terms = order
      .slice(0, t)
      .map(
        ([v, j], i) => `${i === 0 ? (v < 0 ? '−' : '') : v < 0 ? ' − ' : ' + '}${Math.abs(v).toFixed(2)}·${columns[j]}`,
      )
      .join('');
    const candidate = `${head} ≈ ${terms}${t < order.length ? ' + …' : ''}`;
    if (textWidth(candidate, 13) > room) break;
    title = candidate;
  }
  return title;
}

/** The clipped plot area: points first (so ellipses and means stay visible on top of dense clouds), then components. */
function scatterMarks(
  f: Frame,
  pts: [number, number][],
  labels: ArrayLike<number>,
  means: [number, number][],
  covs: [number, number, number][],
  k: number,
): string[] {
  const sx = (f.right - f.left) / (f.xMax - f.xMin);
  const sy = (f.bottom - f.top) / (f.yMax - f.yMin);
  const body: string[] = [];
  body.push(
    `<clipPath id="plot-area"><rect x="${n(f.left)}" y="${n(f.top)}" width="${n(f.right - f.left)}" height="${n(f.bottom - f.top)}"/></clipPath>`,
  );
  body.push(`<g clip-path="url(#plot-area)">`);
  body.push(`<g class="points" fill-opacity="0.6">`);
  pts.forEach(([a, b], i) => {
    body.push(
      `<circle cx="${n(px(f, a))}" cy="${n(py(f, b))}" r="2.6" fill="${labels[i] < 0 ? NOISE_GREY : color(labels[i])}"/>`,
    );
  });
  body.push('</g>');
  body.push(`<g class="components">`);
  const marks: string[] = [];
  for (let c = 0; c < k; c++) {
    // The covariance in pixel space (y flipped, axes scaled differently) gives the drawn ellipse directly.
    const e = ellipseOf(sx * sx * covs[c][0], -sx * sy * covs[c][1], sy * sy * covs[c][2]);
    const cx = px(f, means[c][0]);
    const cy = py(f, means[c][1]);
    const rot = `rotate(${n(e.angle)} ${n(cx)} ${n(cy)})`;
    const stroke = color(c);
    body.push(`<g class="component" data-component="${c}">`);
    body.push(...ellipsePair(`e${c}`, cx, cy, e.r1, e.r2, rot, stroke));
    body.push('</g>');
    marks.push(...meanMarker(cx, cy, String(c)));
  }
  // the means and their numbers last, so no other component's ellipse covers them
  body.push(`<g class="means">`, ...marks, '</g>');
  body.push('</g></g>');
  return body;
}

function scatterLegend(lx: number, f: Frame, model: GaussianMixture): string {
  return legend(lx, f.top + 4, model, [
    `<line x1="${n(lx)}" y1="__Y0__" x2="${n(lx + 26)}" y2="__Y0__" stroke="#444" stroke-width="2.4"/>`,
    `<text x="${n(lx + 34)}" y="__Y4__">1σ ellipse</text>`,
    `<line x1="${n(lx)}" y1="__Y20__" x2="${n(lx + 26)}" y2="__Y20__" stroke="#444" stroke-width="1.6" stroke-dasharray="6 4"/>`,
    `<text x="${n(lx + 34)}" y="__Y24__">2σ ellipse</text>`,
    `<path d="M${n(lx + 7)} __Y34__L${n(lx + 19)} __Y46__M${n(lx + 7)} __Y46__L${n(lx + 19)} __Y34__" stroke="#111" stroke-width="2.2" stroke-linecap="round"/>`,
    `<text x="${n(lx + 34)}" y="__Y44__">mean</text>`,
  ]);
}

function scatterPlot(
  model: GaussianMixture,
  X: Matrix,
  count: number,
  columns: readonly string[],
  o: MixturePlotOptions,
): string {
  const rows = toRows(X);
  const d = rows.d;
  const k = model.weights.length;
  const proj = projectionFor(X);
  const drawn = sampleRows(count, o.maxPoints ?? MAX_POINTS);
  const shown = drawn.length;
  const subset = new Float64Array(shown * d);
  for (let i = 0; i < shown; i++) rows.copyRows(drawn[i], 1, subset, i * d);
  const given = o.labels;
  const labels = given ? Array.from(drawn, (i) => given[i]) : model.predict({ data: subset, rows: shown, cols: d });
  const pts: [number, number][] = [];
  for (let i = 0; i < shown; i++) pts.push(projectPoint(proj, subset.subarray(i * d, (i + 1) * d)));
  const means = model.means.map((m) => projectPoint(proj, m));
  const covs = fullCovariances(model).map((c) => projectCovariance(proj, c, d));
  const { xMin, xMax, yMin, yMax } = scatterDomain(pts, means, covs);

  const { width, height, f, xt, yt } = plotFrame(o, k, xMin, xMax, yMin, yMax);

  const body: string[] = [];
  const title = o.title ?? 'Gaussian mixture';
  body.push(`<text x="${n(f.left)}" y="26" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`);
  let sub = describeModel(model, count, shown);
  if (proj.explained)
    sub += ` · projected on the 2 leading principal components (${((proj.explained[0] + proj.explained[1]) * 100).toFixed(1)}% of the variance)`;
  body.push(`<text x="${n(f.left)}" y="46" font-size="12" fill="#555">${esc(sub)}</text>`);
  body.push(
    axes(f, xt, yt, axisTitle(proj, columns, 0, f.right - f.left), axisTitle(proj, columns, 1, f.bottom - f.top)),
  );
  body.push(...scatterMarks(f, pts, labels, means, covs, k));
  body.push(scatterLegend(f.right + 24, f, model));
  return svgDocument(width, height, `${title}: ${describeModel(model, count, shown)}`, body.join('\n'));
}

/** A mean: a dark cross on a white halo, with the component's number beside it. */
export function meanMarker(cx: number, cy: number, label: string, m = 6, size = 13): string[] {
  const cross = `M${n(cx - m)} ${n(cy - m)}L${n(cx + m)} ${n(cy + m)}M${n(cx - m)} ${n(cy + m)}L${n(cx + m)} ${n(cy - m)}`;
  return [
    `<path class="mean" d="${cross}" stroke="#fff" stroke-width="5" stroke-linecap="round"/>`,
    `<path class="mean" d="${cross}" stroke="#111" stroke-width="2.2" stroke-linecap="round"/>`,
    `<text x="${n(cx + m + 3)}" y="${n(cy - m - 2)}" font-size="${size}" font-weight="bold" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(label)}</text>`,
  ];
}

/**
 * A component's 1σ and 2σ ellipses, each painted twice: first a wide white outline with the light fill, then (a <use>
 * of the same ellipse) the component's colour on top, so an ellipse stays visible over a cloud of points of its own
 * colour. The <ellipse> carries only geometry and takes its paint from its group or its <use>; `id` must be unique
 * in the document.
 */
export function ellipsePair(
  id: string,
  cx: number,
  cy: number,
  r1: number,
  r2: number,
  transform: string,
  stroke: string,
): string[] {
  const out: string[] = [];
  for (const [level, width, dash, fill] of [
    [2, 1.6, ' stroke-dasharray="6 4"', 0.05],
    [1, 2.4, '', 0.1],
  ] as const) {
    const ref = `${id}s${level}`;
    out.push(
      `<g fill="${stroke}" fill-opacity="${fill}" stroke="#fff" stroke-opacity="0.9" stroke-width="${width + 3}">` +
        `<ellipse class="sigma${level}" id="${ref}" cx="${n(cx)}" cy="${n(cy)}" rx="${n(level * r1)}" ry="${n(level * r2)}" transform="${transform}"/></g>`,
      `<use href="#${ref}" fill="none" stroke="${stroke}" stroke-width="${width}"${dash}/>`,
    );
  }
  return out;
}

/** The histogram's bars: bin b covers [dataLo + b·bw, dataLo + (b + 1)·bw), at least half a pixel wide. */
function histogramBars(f: Frame, hist: Float64Array, dataLo: number, bw: number): string[] {
  const body: string[] = [`<g class="histogram" fill="#c9d3de" stroke="#fff" stroke-width="0.5">`];
  hist.forEach((h, b) => {
    const x0 = px(f, dataLo + b * bw);
    body.push(
      `<rect x="${n(x0)}" y="${n(py(f, h))}" width="${n(Math.max(0.5, px(f, dataLo + (b + 1) * bw) - x0))}" height="${n(f.bottom - py(f, h))}"/>`,
    );
  });
  body.push('</g>');
  return body;
}

function densityLegend(lx: number, f: Frame, model: GaussianMixture): string {
  return legend(lx, f.top + 4, model, [
    `<line x1="${n(lx)}" y1="__Y0__" x2="${n(lx + 26)}" y2="__Y0__" stroke="#222" stroke-width="2.4"/>`,
    `<text x="${n(lx + 34)}" y="__Y4__">mixture density</text>`,
    `<rect x="${n(lx)}" y="__Y14__" width="26" height="12" fill="#888" fill-opacity="0.35" stroke="#666" stroke-width="1"/>`,
    `<text x="${n(lx + 34)}" y="__Y24__">weight × component</text>`,
    `<rect x="${n(lx)}" y="__Y34__" width="26" height="12" fill="#c9d3de"/>`,
    `<text x="${n(lx + 34)}" y="__Y44__">data (histogram)</text>`,
  ]);
}

/** D = 1: density-scaled histogram, the mixture density, and each weighted component density. */
function densityPlot(
  model: GaussianMixture,
  rows: ReturnType<typeof toRows>,
  columns: readonly string[],
  o: MixturePlotOptions,
): string {
  const count = rows.n;
  const xs = new Float64Array(count);
  rows.copyRows(0, count, xs, 0);
  const k = model.weights.length;
  const w = model.weights;
  const mu = model.means.map((m) => m[0]);
  const sd = fullCovariances(model).map((c) => Math.sqrt(c[0]));
  let lo = Math.min(...xs, ...mu.map((m, c) => m - 3 * sd[c]));
  let hi = Math.max(...xs, ...mu.map((m, c) => m + 3 * sd[c]));
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const bins = Math.max(10, Math.min(60, Math.round(Math.sqrt(count))));
  const dataLo = Math.min(...xs);
  const dataHi = Math.max(...xs);
  const bw = (dataHi - dataLo || 1) / bins;
  const hist = new Float64Array(bins);
  for (const v of xs) hist[Math.min(bins - 1, Math.floor((v - dataLo) / bw))] += 1 / (count * bw);
  const pdf = (x: number, c: number) =>
    (w[c] * Math.exp(-0.5 * ((x - mu[c]) / sd[c]) ** 2)) / (sd[c] * Math.sqrt(2 * Math.PI));
  const grid = Array.from({ length: 301 }, (_, i) => lo + ((hi - lo) * i) / 300);
  const total = grid.map((x) => mu.reduce((s, _m, c) => s + pdf(x, c), 0));
  const yMax = Math.max(...hist, ...total) * 1.08;

  const { width, height, f, xt, yt } = plotFrame(o, k, lo, hi, 0, yMax);
  const title = o.title ?? 'Gaussian mixture';
  const body: string[] = [];
  body.push(`<text x="${n(f.left)}" y="26" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`);
  body.push(`<text x="${n(f.left)}" y="46" font-size="12" fill="#555">${esc(describeModel(model, count))}</text>`);
  body.push(axes(f, xt, yt, columns[0], 'density'));
  body.push(...histogramBars(f, hist, dataLo, bw));
  const line = (ys: number[]) => ys.map((y, i) => `${i ? 'L' : 'M'}${n(px(f, grid[i]))} ${n(py(f, y))}`).join('');
  for (let c = 0; c < k; c++) {
    const area = `${line(grid.map((x) => pdf(x, c)))}L${n(f.right)} ${n(f.bottom)}L${n(f.left)} ${n(f.bottom)}Z`;
    body.push(
      `<path class="component" d="${area}" fill="${color(c)}" fill-opacity="0.28" stroke="${color(c)}" stroke-width="1.5"/>`,
    );
    body.push(
      `<line class="mean" x1="${n(px(f, mu[c]))}" y1="${n(f.bottom)}" x2="${n(px(f, mu[c]))}" y2="${n(f.bottom - 10)}" stroke="${color(c)}" stroke-width="3"/>`,
    );
  }
  body.push(`<path class="density" d="${line(total)}" fill="none" stroke="#222" stroke-width="2.4"/>`);
  body.push(densityLegend(f.right + 24, f, model));
  return svgDocument(width, height, `${title}: ${describeModel(model, count)}`, body.join('\n'));
}
