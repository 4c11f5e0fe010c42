/**
 * Scatter plot of a fitted mixture: points coloured by their most responsible component, each component drawn as
 * its 1σ and 2σ ellipses (Mahalanobis distance 1 and 2, from the eigen-decomposition of its covariance) with the
 * mean marked. D = 2 plots the raw features; D > 2 projects everything on the data's two leading principal axes
 * (points W(x − c), means W(μ − c), covariances WΣWᵀ); D = 1 draws a histogram with the mixture density.
 */
import { DataError, NotFittedError } from '../api/errors.js';
import type { GaussianMixture } from '../api/gaussian-mixture.js';
import { toRows, type Matrix } from '../data/matrix.js';
import { mixturePlotOptions } from '../api/options.js';
import { ellipseOf, fullCovariances, projectCovariance, projectionFor, projectPoint } from './project.js';
import { axes, color, esc, leftMargin, n, niceTicks, px, py, svgDocument, textWidth, type Frame } from './svg.js';

/** Rows a noise component explains best (predict −1) are drawn in grey: they belong to no cluster. */
const NOISE_GREY = '#9a9a9a';

export interface MixturePlotOptions {
  /** Feature names (default x1, x2, …); used for axis titles and PCA loadings. */
  columns?: readonly string[];
  title?: string;
  /** Total size in pixels (default 760 × 540). */
  width?: number;
  height?: number;
  /** Labels to colour the points by (default model.predict(X)). */
  labels?: ArrayLike<number>;
}

const LEGEND_WIDTH = 190;

/** SVG (a string) of the mixture over the data X. */
export function mixtureSvg(model: GaussianMixture, X: Matrix, given: MixturePlotOptions = {}): string {
  const options = mixturePlotOptions<MixturePlotOptions>(given);
  if (!model.isFitted) throw new NotFittedError('mixtureSvg');
  const rows = toRows(X, 'X', model.nFeatures);
  const d = rows.d;
  const columns = options.columns ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
  if (columns.length !== d) throw new DataError(`columns must name the ${d} features; got ${columns.length} names`);
  return d === 1 ? densityPlot(model, rows, columns, options) : scatterPlot(model, X, rows.n, columns, options);
}

function describeModel(model: GaussianMixture, count: number): string {
  return `K = ${model.weights.length}, ${model.options.covarianceType} covariance, ${count} points`;
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
  const labels = o.labels ?? model.predict(X);
  const pts: [number, number][] = [];
  const buf = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    rows.copyRows(i, 1, buf, 0);
    pts.push(projectPoint(proj, buf));
  }
  const means = model.means.map((m) => projectPoint(proj, m));
  const covs = fullCovariances(model).map((c) => projectCovariance(proj, c, d));

  // Domain: all points and every 2σ ellipse's bounding box, padded 4%.
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

  const sx = (f.right - f.left) / (xMax - xMin);
  const sy = (f.bottom - f.top) / (yMax - yMin);
  const body: string[] = [];
  const title = o.title ?? 'Gaussian mixture';
  body.push(`<text x="${n(f.left)}" y="26" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`);
  let sub = describeModel(model, count);
  if (proj.explained)
    sub += ` · projected on the 2 leading principal components (${((proj.explained[0] + proj.explained[1]) * 100).toFixed(1)}% of the variance)`;
  body.push(`<text x="${n(f.left)}" y="46" font-size="12" fill="#555">${esc(sub)}</text>`);

  // "PC1 (92.5%) ≈ 0.86·petal_length + 0.36·sepal_length + …" with as many loadings as fit along the axis.
  const axisTitle = (a: 0 | 1, room: number): string => {
    if (!proj.explained) return columns[a];
    const head = `PC${a + 1} (${(proj.explained[a] * 100).toFixed(1)}% of variance)`;
    const w = proj.axes[a];
    const order = Array.from(w, (v, j) => [v, j] as const).sort((p, q) => Math.abs(q[0]) - Math.abs(p[0]));
    let title = head;
    for (let t = 1; t <= order.length; t++) {
      const terms = order
        .slice(0, t)
        .map(
          ([v, j], i) =>
            `${i === 0 ? (v < 0 ? '−' : '') : v < 0 ? ' − ' : ' + '}${Math.abs(v).toFixed(2)}·${columns[j]}`,
        )
        .join('');
      const candidate = `${head} ≈ ${terms}${t < order.length ? ' + …' : ''}`;
      if (textWidth(candidate, 13) > room) break;
      title = candidate;
    }
    return title;
  };
  body.push(axes(f, xt, yt, axisTitle(0, f.right - f.left), axisTitle(1, f.bottom - f.top)));

  body.push(
    `<clipPath id="plot-area"><rect x="${n(f.left)}" y="${n(f.top)}" width="${n(f.right - f.left)}" height="${n(f.bottom - f.top)}"/></clipPath>`,
  );
  body.push(`<g clip-path="url(#plot-area)">`);
  // Points first (so ellipses and means stay visible on top of dense clouds).
  body.push(`<g class="points" fill-opacity="0.6">`);
  pts.forEach(([a, b], i) => {
    body.push(
      `<circle cx="${n(px(f, a))}" cy="${n(py(f, b))}" r="2.6" fill="${labels[i] < 0 ? NOISE_GREY : color(labels[i])}"/>`,
    );
  });
  body.push('</g>');
  body.push(`<g class="components">`);
  for (let c = 0; c < k; c++) {
    // The covariance in pixel space (y flipped, axes scaled differently) gives the drawn ellipse directly.
    const e = ellipseOf(sx * sx * covs[c][0], -sx * sy * covs[c][1], sy * sy * covs[c][2]);
    const cx = px(f, means[c][0]);
    const cy = py(f, means[c][1]);
    const rot = `rotate(${n(e.angle)} ${n(cx)} ${n(cy)})`;
    const stroke = color(c);
    body.push(`<g class="component" data-component="${c}">`);
    body.push(
      `<ellipse class="sigma2" cx="${n(cx)}" cy="${n(cy)}" rx="${n(2 * e.r1)}" ry="${n(2 * e.r2)}" transform="${rot}" fill="${stroke}" fill-opacity="0.05" stroke="${stroke}" stroke-width="1.6" stroke-dasharray="6 4"/>`,
    );
    body.push(
      `<ellipse class="sigma1" cx="${n(cx)}" cy="${n(cy)}" rx="${n(e.r1)}" ry="${n(e.r2)}" transform="${rot}" fill="${stroke}" fill-opacity="0.1" stroke="${stroke}" stroke-width="2.4"/>`,
    );
    const m = 6;
    const cross = `M${n(cx - m)} ${n(cy - m)}L${n(cx + m)} ${n(cy + m)}M${n(cx - m)} ${n(cy + m)}L${n(cx + m)} ${n(cy - m)}`;
    body.push(`<path class="mean" d="${cross}" stroke="#fff" stroke-width="5" stroke-linecap="round"/>`);
    body.push(`<path class="mean" d="${cross}" stroke="#111" stroke-width="2.2" stroke-linecap="round"/>`);
    body.push(
      `<text x="${n(cx + 9)}" y="${n(cy - 8)}" font-size="13" font-weight="bold" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">${c}</text>`,
    );
    body.push('</g>');
  }
  body.push('</g></g>');

  const lx = f.right + 24;
  body.push(
    legend(lx, f.top + 4, model, [
      `<line x1="${n(lx)}" y1="__Y0__" x2="${n(lx + 26)}" y2="__Y0__" stroke="#444" stroke-width="2.4"/>`,
      `<text x="${n(lx + 34)}" y="__Y4__">1σ ellipse</text>`,
      `<line x1="${n(lx)}" y1="__Y20__" x2="${n(lx + 26)}" y2="__Y20__" stroke="#444" stroke-width="1.6" stroke-dasharray="6 4"/>`,
      `<text x="${n(lx + 34)}" y="__Y24__">2σ ellipse</text>`,
      `<path d="M${n(lx + 7)} __Y34__L${n(lx + 19)} __Y46__M${n(lx + 7)} __Y46__L${n(lx + 19)} __Y34__" stroke="#111" stroke-width="2.2" stroke-linecap="round"/>`,
      `<text x="${n(lx + 34)}" y="__Y44__">mean</text>`,
    ]),
  );
  return svgDocument(width, height, `${title}: ${describeModel(model, count)}`, body.join('\n'));
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

  const width = o.width ?? 760;
  const height = Math.max(o.height ?? 540, 120 + 19 * k + 110);
  const yt = niceTicks(0, yMax, 6);
  const xt = niceTicks(lo, hi, 7);
  const f: Frame = {
    left: leftMargin(yt),
    top: 62,
    right: width - LEGEND_WIDTH - 20,
    bottom: height - 62,
    xMin: lo,
    xMax: hi,
    yMin: 0,
    yMax,
  };
  xt.ticks = xt.ticks.filter((t) => t >= lo && t <= hi);
  yt.ticks = yt.ticks.filter((t) => t <= yMax);
  const title = o.title ?? 'Gaussian mixture';
  const body: string[] = [];
  body.push(`<text x="${n(f.left)}" y="26" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`);
  body.push(`<text x="${n(f.left)}" y="46" font-size="12" fill="#555">${esc(describeModel(model, count))}</text>`);
  body.push(axes(f, xt, yt, columns[0], 'density'));
  body.push(`<g class="histogram" fill="#c9d3de" stroke="#fff" stroke-width="0.5">`);
  hist.forEach((h, b) => {
    const x0 = px(f, dataLo + b * bw);
    body.push(
      `<rect x="${n(x0)}" y="${n(py(f, h))}" width="${n(Math.max(0.5, px(f, dataLo + (b + 1) * bw) - x0))}" height="${n(f.bottom - py(f, h))}"/>`,
    );
  });
  body.push('</g>');
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
  const lx = f.right + 24;
  body.push(
    legend(lx, f.top + 4, model, [
      `<line x1="${n(lx)}" y1="__Y0__" x2="${n(lx + 26)}" y2="__Y0__" stroke="#222" stroke-width="2.4"/>`,
      `<text x="${n(lx + 34)}" y="__Y4__">mixture density</text>`,
      `<rect x="${n(lx)}" y="__Y14__" width="26" height="12" fill="#888" fill-opacity="0.35" stroke="#666" stroke-width="1"/>`,
      `<text x="${n(lx + 34)}" y="__Y24__">weight × component</text>`,
      `<rect x="${n(lx)}" y="__Y34__" width="26" height="12" fill="#c9d3de"/>`,
      `<text x="${n(lx + 34)}" y="__Y44__">data (histogram)</text>`,
    ]),
  );
  return svgDocument(width, height, `${title}: ${describeModel(model, count)}`, body.join('\n'));
}
