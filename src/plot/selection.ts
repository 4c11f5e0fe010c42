/**
 * The model-selection curve: the criterion against the number of components, one line per covariance type
 * (mclust's BIC plot), with the best candidate ringed and labelled and failed fits marked on the axis. By default the
 * y axis shows the competitive range (see competitiveRange), so a covariance type far behind does not flatten the
 * ones that compete into a band; candidates beyond it are marked at the edge.
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
  /** Heading (default 'Model selection by BIC', or the criterion used). */
  title?: string;
  /** Width in pixels (default 760, 240…10 000). */
  width?: number;
  /** Height in pixels (default 500, 160…10 000). */
  height?: number;
  /**
   * 'competitive' (default): the y axis runs from the best score to the best + 2 × (median − best) (mirrored when
   * higher is better), so the candidates that compete fill the plot; those beyond are marked at the edge. 'all':
   * every score.
   */
  yRange?: 'competitive' | 'all';
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

/**
 * The scores worth telling apart: from the best to twice the median's distance from it (the better half of the
 * candidates and as much again). A covariance type far behind (spherical on Old Faithful: BIC 2900–4000 against
 * 2314–2600) would otherwise set the scale and press the competitive ones into a flat band.
 */
export function competitiveRange(scores: number[], lowerIsBetter: boolean): [number, number] {
  const sorted = [...scores].sort((a, b) => a - b);
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  const mid =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return lowerIsBetter ? [lo, Math.min(hi, lo + 2 * (mid - lo))] : [Math.max(lo, hi - 2 * (hi - mid)), hi];
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Whether segment (x1, y1)–(x2, y2) meets the box (Liang–Barsky clipping). */
function segmentMeets(b: Box, x1: number, y1: number, x2: number, y2: number): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const edges: [number, number][] = [
    [-dx, x1 - b.x],
    [dx, b.x + b.w - x1],
    [-dy, y1 - b.y],
    [dy, b.y + b.h - y1],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/**
 * Where the "best" label goes: of a ring of candidate spots around the best point (nearest first), the first whose
 * box stays inside the plot and meets no curve segment and no marker; failing that, the one that meets fewest.
 */
function placeLabel(
  bx: number,
  by: number,
  w: number,
  h: number,
  f: Frame,
  segments: [number, number, number, number][],
  markers: [number, number][],
): Box {
  const spots: Box[] = [];
  for (const r of [16, 34, 60, 95]) {
    for (const [ax, ay] of [
      [1, -1],
      [1, 1],
      [-1, -1],
      [-1, 1],
      [0, -1.3],
      [0, 1.3],
    ]) {
      const x = ax > 0 ? bx + r * 0.8 : ax < 0 ? bx - r * 0.8 - w : bx - w / 2;
      const y = ay < 0 ? by - r * Math.abs(ay) * 0.8 - h : by + r * Math.abs(ay) * 0.8;
      spots.push({ x, y, w, h });
    }
  }
  let best = spots[0];
  let fewest = Infinity;
  for (const b of spots) {
    if (b.x < f.left + 2 || b.x + b.w > f.right - 2 || b.y < f.top + 2 || b.y + b.h > f.bottom - 2) continue;
    let hits = 0;
    for (const [x1, y1, x2, y2] of segments) if (segmentMeets(b, x1, y1, x2, y2)) hits++;
    for (const [x, y] of markers)
      if (segmentMeets({ x: b.x - 6, y: b.y - 6, w: b.w + 12, h: b.h + 12 }, x, y, x, y)) hits++;
    if (hits < fewest) {
      fewest = hits;
      best = b;
      if (hits === 0) break;
    }
  }
  return best;
}

/**
 * One covariance type's series: its curve, then a mark per K (a marker, a triangle at the edge when beyond the range
 * shown, or a cross along the bottom when its fit failed). Records the curve's segments and markers, in pixels, in
 * `segments` and `markers`: what the best label must keep clear of.
 */
function seriesMarks(
  result: SelectionResult,
  f: Frame,
  type: CovarianceType,
  ti: number,
  nTypes: number,
  [shownLo, shownHi]: [number, number],
  segments: [number, number, number, number][],
  markers: [number, number][],
): string[] {
  const out: string[] = [];
  const c = seriesColor(styleOf(type));
  const rows = result.table.filter((r) => r.covarianceType === type).sort((a, b) => a.nComponents - b.nComponents);
  // Lines connect consecutive successful K; a failed fit breaks the line.
  let d = '';
  let pen = false;
  let last: [number, number] | null = null;
  for (const r of rows) {
    if (r.failed || r.score === null) {
      pen = false;
      last = null;
      continue;
    }
    const p: [number, number] = [px(f, r.nComponents), py(f, r.score)];
    d += `${pen ? 'L' : 'M'}${n(p[0])} ${n(p[1])}`;
    if (last) segments.push([last[0], last[1], p[0], p[1]]);
    markers.push(p);
    last = p;
    pen = true;
  }
  out.push(`<g class="series" data-covariance="${esc(type)}">`);
  if (d) out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
  for (const r of rows) {
    if (r.failed || r.score === null) {
      const x = px(f, r.nComponents) + (ti - (nTypes - 1) / 2) * 10;
      const y = f.bottom - 10;
      out.push(
        `<path class="failed" d="M${n(x - 4)} ${n(y - 4)}L${n(x + 4)} ${n(y + 4)}M${n(x - 4)} ${n(y + 4)}L${n(x + 4)} ${n(y - 4)}" stroke="${c}" stroke-width="2"><title>${esc(`K = ${r.nComponents}, ${type}: failed — ${r.error ?? ''}`)}</title></path>`,
      );
    } else if (r.score < shownLo || r.score > shownHi) {
      // beyond the range shown: a triangle at the edge, pointing the way it lies
      const up = r.score > shownHi === result.lowerIsBetter ? 1 : -1;
      const x = px(f, r.nComponents);
      const y = up > 0 ? f.top + 7 : f.bottom - 7;
      out.push(
        `<path class="beyond" d="M${n(x)} ${n(y - 5 * up)}L${n(x + 5)} ${n(y + 4 * up)}L${n(x - 5)} ${n(y + 4 * up)}Z" fill="${c}" stroke="#fff" stroke-width="1"><title>${esc(`K = ${r.nComponents}, ${type}: ${short(r.score, 6)}`)}</title></path>`,
      );
    } else {
      out.push(marker(styleOf(type), px(f, r.nComponents), py(f, r.score), c));
    }
  }
  out.push('</g>');
  return out;
}

/** The best candidate: a ring and a label placed where it fits inside the plot area. */
function bestMarks(
  result: SelectionResult,
  f: Frame,
  segments: [number, number, number, number][],
  markers: [number, number][],
): string[] {
  const out: string[] = [];
  const bx = px(f, result.best.nComponents);
  const by = py(f, result.best.score);
  out.push(`<circle class="best" cx="${n(bx)}" cy="${n(by)}" r="10" fill="none" stroke="#111" stroke-width="2"/>`);
  const label = `best: K = ${result.best.nComponents}, ${result.best.covarianceType}`;
  const spot = placeLabel(bx, by, textWidth(label, 12), 14, f, segments, markers);
  // a thin leader from the ring to the label, which may sit a little away to keep off the curves
  const ex = Math.min(Math.max(bx, spot.x), spot.x + spot.w);
  const ey = Math.min(Math.max(by, spot.y), spot.y + spot.h);
  const dist = Math.hypot(ex - bx, ey - by);
  if (dist > 14) {
    out.push(
      `<line class="leader" x1="${n(bx + ((ex - bx) * 10) / dist)}" y1="${n(by + ((ey - by) * 10) / dist)}" x2="${n(ex)}" y2="${n(ey)}" stroke="#111" stroke-width="1"/>`,
    );
  }
  out.push(
    `<text class="best-label" x="${n(spot.x)}" y="${n(spot.y + 11)}" font-size="12" font-weight="bold" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(label)}</text>`,
  );
  return out;
}

/** The legend: one line and marker per covariance type, and the failed-fit cross when any fit failed. */
function selectionLegend(result: SelectionResult, f: Frame, types: CovarianceType[]): string[] {
  const out: string[] = [];
  const gx = f.right + 22;
  let gy = f.top + 4;
  out.push(
    `<g class="legend" font-size="12" fill="#222"><text x="${n(gx)}" y="${n(gy)}" font-weight="bold">covariance</text>`,
  );
  gy += 22;
  for (const type of types) {
    const c = seriesColor(styleOf(type));
    out.push(
      `<line x1="${n(gx)}" y1="${n(gy - 4)}" x2="${n(gx + 28)}" y2="${n(gy - 4)}" stroke="${c}" stroke-width="2"/>`,
    );
    out.push(marker(styleOf(type), gx + 14, gy - 4, c));
    out.push(`<text x="${n(gx + 36)}" y="${n(gy)}">${esc(type)}</text>`);
    gy += 20;
  }
  if (result.table.some((r) => r.failed)) {
    gy += 6;
    out.push(
      `<path d="M${n(gx + 10)} ${n(gy - 8)}L${n(gx + 18)} ${n(gy)}M${n(gx + 10)} ${n(gy)}L${n(gx + 18)} ${n(gy - 8)}" stroke="#555" stroke-width="2"/>`,
    );
    out.push(`<text x="${n(gx + 36)}" y="${n(gy)}">fit failed</text>`);
  }
  out.push('</g>');
  return out;
}

/** SVG (a string) of a selectModel result. */
export function selectionSvg(result: SelectionResult, given: SelectionPlotOptions = {}): string {
  const options = selectionPlotOptions<SelectionPlotOptions>(given);
  const ks = [...new Set(result.table.map((r) => r.nComponents))].sort((a, b) => a - b);
  const types = [...new Set(result.table.map((r) => r.covarianceType))];
  const ok = result.table.filter((r) => !r.failed && r.score !== null && Number.isFinite(r.score));
  const scores = ok.map((r) => r.score!);
  let [yMin, yMax] = !scores.length
    ? [0, 1]
    : options.yRange === 'all'
      ? [Math.min(...scores), Math.max(...scores)]
      : competitiveRange(scores, result.lowerIsBetter);
  // scores beyond the range shown are marked at the edge they are beyond
  const [shownLo, shownHi] = [yMin, yMax];
  const beyond = ok.filter((r) => r.score! < shownLo || r.score! > shownHi);
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
  const zoom = beyond.length
    ? ` · ${beyond.length} candidate${beyond.length === 1 ? '' : 's'} beyond the competitive range (▲ at the edge)`
    : '';
  body.push(
    `<text x="${n(f.left)}" y="46" font-size="12" fill="#555">${esc(`${direction} · best: K = ${result.best.nComponents}, ${result.best.covarianceType} (${short(result.best.score, 6)})${zoom}`)}</text>`,
  );
  body.push(axes(f, { ticks: xTicks, step: 1 }, yt, 'number of components K', `${name} (${direction})`));
  body.push(
    `<clipPath id="selection-area"><rect x="${n(f.left)}" y="${n(f.top)}" width="${n(f.right - f.left)}" height="${n(f.bottom - f.top)}"/></clipPath>`,
  );
  body.push(`<g clip-path="url(#selection-area)">`);
  // what the best label must keep clear of, in pixels
  const segments: [number, number, number, number][] = [];
  const markers: [number, number][] = [];

  types.forEach((type, ti) => {
    body.push(...seriesMarks(result, f, type, ti, types.length, [shownLo, shownHi], segments, markers));
  });
  body.push('</g>');

  body.push(...bestMarks(result, f, segments, markers));
  body.push(...selectionLegend(result, f, types));
  return svgDocument(width, height, `${title} (${direction})`, body.join('\n'));
}
