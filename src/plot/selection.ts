/**
 * The model-selection curve: the criterion against the number of components, one line per covariance type
 * (mclust's BIC plot), with the best candidate ringed and labelled and failed fits marked on the axis.
 */
import { selectionPlotOptions } from '../api/options.js';
import { COVARIANCE_TYPES, type CovarianceType } from '../model/covariance/registry.js';
import type { SelectionResult } from '../tools/select.js';
import {
  axes,
  color,
  esc,
  leftMargin,
  n,
  niceTicks,
  px,
  py,
  short,
  svgDocument,
  textWidth,
  type Frame,
} from './svg.js';

export interface SelectionPlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** A covariance type's place in the registry: its series keeps one colour and marker in every plot. */
const styleOf = (type: CovarianceType): number => Math.max(0, COVARIANCE_TYPES.indexOf(type));

/** The colour of series i (this palette order gives full, tied, diag, spherical their usual colours). */
const seriesColor = (i: number): string => color([0, 1, 4, 2, 3, 5, 6, 7][i % 8] + 8 * Math.floor(i / 8));

/** Marker of the i-th series: circle, square, triangle, diamond, then again. */
function marker(i: number, x: number, y: number, fill: string): string {
  const s = 4.5;
  switch (i % 4) {
    case 1:
      return `<rect x="${n(x - s)}" y="${n(y - s)}" width="${n(2 * s)}" height="${n(2 * s)}" fill="${fill}" stroke="#fff" stroke-width="1"/>`;
    case 2:
      return `<path d="M${n(x)} ${n(y - s * 1.25)}L${n(x + s * 1.2)} ${n(y + s * 0.9)}L${n(x - s * 1.2)} ${n(y + s * 0.9)}Z" fill="${fill}" stroke="#fff" stroke-width="1"/>`;
    case 3:
      return `<path d="M${n(x)} ${n(y - s * 1.35)}L${n(x + s * 1.35)} ${n(y)}L${n(x)} ${n(y + s * 1.35)}L${n(x - s * 1.35)} ${n(y)}Z" fill="${fill}" stroke="#fff" stroke-width="1"/>`;
    default:
      return `<circle cx="${n(x)}" cy="${n(y)}" r="${n(s)}" fill="${fill}" stroke="#fff" stroke-width="1"/>`;
  }
}

export const criterionName = (r: Pick<SelectionResult, 'criterion'>): string =>
  r.criterion === 'cv' ? 'held-out log-likelihood per row' : r.criterion.toUpperCase();

/** SVG (a string) of a selectModel result. */
export function selectionSvg(result: SelectionResult, given: SelectionPlotOptions = {}): string {
  const options = selectionPlotOptions<SelectionPlotOptions>(given);
  const ks = [...new Set(result.table.map((r) => r.nComponents))].sort((a, b) => a - b);
  const types = [...new Set(result.table.map((r) => r.covarianceType))];
  const ok = result.table.filter((r) => !r.failed && r.score !== null && Number.isFinite(r.score));
  const scores = ok.map((r) => r.score!);
  let yMin = scores.length ? Math.min(...scores) : 0;
  let yMax = scores.length ? Math.max(...scores) : 1;
  const span = yMax - yMin || Math.abs(yMax) * 0.1 || 1;
  // Failed fits are marked in a band along the bottom, kept clear of the data by extra padding.
  const anyFailed = result.table.some((r) => r.failed || r.score === null);
  yMin -= (anyFailed ? 0.2 : 0.06) * span;
  yMax += 0.1 * span;
  const kLo = ks[0];
  const kHi = ks[ks.length - 1];
  const xPad = Math.max(0.35, (kHi - kLo) * 0.04);

  const width = options.width ?? 760;
  const height = options.height ?? 500;
  const yt = niceTicks(yMin, yMax, 6);
  yt.ticks = yt.ticks.filter((t) => t >= yMin && t <= yMax);
  const stepK = Math.max(1, Math.ceil(ks.length / 16));
  const xTicks = ks.filter((_, i) => i % stepK === 0);
  const f: Frame = {
    left: leftMargin(yt),
    top: 62,
    right: width - 170,
    bottom: height - 62,
    xMin: kLo - xPad,
    xMax: kHi + xPad,
    yMin,
    yMax,
  };
  const name = criterionName(result);
  const direction = result.lowerIsBetter ? 'lower is better' : 'higher is better';
  const title = options.title ?? `Model selection by ${name}`;
  const body: string[] = [];
  body.push(`<text x="${n(f.left)}" y="26" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`);
  body.push(
    `<text x="${n(f.left)}" y="46" font-size="12" fill="#555">${esc(`${direction} · best: K = ${result.best.nComponents}, ${result.best.covarianceType} (${short(result.best.score, 6)})`)}</text>`,
  );
  body.push(axes(f, { ticks: xTicks, step: 1 }, yt, 'number of components K', `${name} (${direction})`));

  types.forEach((type, ti) => {
    const c = seriesColor(styleOf(type));
    const rows = result.table.filter((r) => r.covarianceType === type).sort((a, b) => a.nComponents - b.nComponents);
    // Lines connect consecutive successful K; a failed fit breaks the line.
    let d = '';
    let pen = false;
    for (const r of rows) {
      if (r.failed || r.score === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${n(px(f, r.nComponents))} ${n(py(f, r.score))}`;
      pen = true;
    }
    body.push(`<g class="series" data-covariance="${esc(type)}">`);
    if (d) body.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const r of rows) {
      if (r.failed || r.score === null) {
        const x = px(f, r.nComponents) + (ti - (types.length - 1) / 2) * 10;
        const y = f.bottom - 10;
        body.push(
          `<path class="failed" d="M${n(x - 4)} ${n(y - 4)}L${n(x + 4)} ${n(y + 4)}M${n(x - 4)} ${n(y + 4)}L${n(x + 4)} ${n(y - 4)}" stroke="${c}" stroke-width="2"><title>${esc(`K = ${r.nComponents}, ${type}: failed — ${r.error ?? ''}`)}</title></path>`,
        );
      } else {
        body.push(marker(styleOf(type), px(f, r.nComponents), py(f, r.score), c));
      }
    }
    body.push('</g>');
  });

  // The best candidate: a ring and a label placed where it fits inside the plot area.
  const bx = px(f, result.best.nComponents);
  const by = py(f, result.best.score);
  body.push(`<circle class="best" cx="${n(bx)}" cy="${n(by)}" r="10" fill="none" stroke="#111" stroke-width="2"/>`);
  const label = `best: K = ${result.best.nComponents}, ${result.best.covarianceType}`;
  const lw = textWidth(label, 12);
  const lx = bx + 14 + lw < f.right ? bx + 14 : bx - 14 - lw;
  const ly = by - 14 > f.top + 14 ? by - 14 : by + 24;
  body.push(
    `<text x="${n(lx)}" y="${n(ly)}" font-size="12" font-weight="bold" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(label)}</text>`,
  );

  // Legend.
  const gx = f.right + 22;
  let gy = f.top + 4;
  body.push(
    `<g class="legend" font-size="12" fill="#222"><text x="${n(gx)}" y="${n(gy)}" font-weight="bold">covariance</text>`,
  );
  gy += 22;
  for (const type of types) {
    const c = seriesColor(styleOf(type));
    body.push(
      `<line x1="${n(gx)}" y1="${n(gy - 4)}" x2="${n(gx + 28)}" y2="${n(gy - 4)}" stroke="${c}" stroke-width="2"/>`,
    );
    body.push(marker(styleOf(type), gx + 14, gy - 4, c));
    body.push(`<text x="${n(gx + 36)}" y="${n(gy)}">${esc(type)}</text>`);
    gy += 20;
  }
  if (result.table.some((r) => r.failed)) {
    gy += 6;
    body.push(
      `<path d="M${n(gx + 10)} ${n(gy - 8)}L${n(gx + 18)} ${n(gy)}M${n(gx + 10)} ${n(gy)}L${n(gx + 18)} ${n(gy - 8)}" stroke="#555" stroke-width="2"/>`,
    );
    body.push(`<text x="${n(gx + 36)}" y="${n(gy)}">fit failed</text>`);
  }
  body.push('</g>');
  return svgDocument(width, height, `${title} (${direction})`, body.join('\n'));
}
