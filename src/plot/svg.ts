/**
 * Minimal SVG writing helpers shared by the plots: escaping, compact number formatting, "nice" axis ticks and the
 * palette. Plain strings, no DOM, so plots render the same in Node, workers and browsers.
 */

/**
 * Tableau 10 (distinct, readable on white, kinder to colour-blind readers than pure hues), then ten darker or
 * shifted hues for K > 10; beyond 20 colours repeat (the component numbers at the means still tell them apart).
 */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#17becf',
  '#bcbd22',
  '#393b79',
  '#843c39',
  '#637939',
  '#7b4173',
  '#8c6d31',
  '#d6616b',
  '#6b6ecf',
  '#e7ba52',
];

export const color = (i: number): string => PALETTE[i % PALETTE.length];

export const FONT = 'DejaVu Sans, Verdana, Helvetica, Arial, sans-serif';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate for an attribute: 2 decimals, no trailing zeros, never NaN (non-finite input is a bug upstream). */
export function n(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`plot: non-finite coordinate ${v}`);
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

/** Ticks at 1, 2 or 5 × 10^k spacing covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return { ticks, step };
}

/** Tick label with as many decimals as the step needs; exponent notation for very large or small magnitudes. */
export function tickLabel(v: number, step: number): string {
  const a = Math.max(Math.abs(v), step);
  if (v !== 0 && (a >= 1e6 || a < 1e-4))
    return v.toExponential(Math.max(0, Math.min(6, Math.round(Math.log10(a) - Math.log10(step))))).replace('e+', 'e');
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals).replace('-', '−');
}

/** Short human number for titles and legends (4 significant digits, thin formatting). */
export function short(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const s =
    a !== 0 && (a >= 1e6 || a < 1e-3)
      ? v.toExponential(digits - 1)
      : a >= 10 ** digits
        ? v.toFixed(0)
        : v.toPrecision(digits);
  return s.replace('-', '−');
}

/** Approximate rendered width of text in pixels (average glyph ≈ 0.6 em for sans-serif digits and letters). */
export const textWidth = (s: string, size: number): number => s.length * size * 0.6;

export interface Frame {
  /** Plot area in pixels. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** Data domain. */
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export const px = (f: Frame, x: number): number => f.left + ((x - f.xMin) / (f.xMax - f.xMin)) * (f.right - f.left);
export const py = (f: Frame, y: number): number => f.bottom - ((y - f.yMin) / (f.yMax - f.yMin)) * (f.bottom - f.top);

/** Axes box, grid lines, tick labels and axis titles. */
export function axes(
  f: Frame,
  xTicks: { ticks: number[]; step: number; labels?: string[] },
  yTicks: { ticks: number[]; step: number },
  xTitle: string,
  yTitle: string,
): string {
  const out: string[] = [];
  out.push(`<g class="grid" stroke="#e6e6e6" stroke-width="1">`);
  for (const t of xTicks.ticks)
    out.push(`<line x1="${n(px(f, t))}" y1="${n(f.top)}" x2="${n(px(f, t))}" y2="${n(f.bottom)}"/>`);
  for (const t of yTicks.ticks)
    out.push(`<line x1="${n(f.left)}" y1="${n(py(f, t))}" x2="${n(f.right)}" y2="${n(py(f, t))}"/>`);
  out.push('</g>');
  out.push(
    `<rect x="${n(f.left)}" y="${n(f.top)}" width="${n(f.right - f.left)}" height="${n(f.bottom - f.top)}" fill="none" stroke="#555" stroke-width="1"/>`,
  );
  out.push(`<g class="ticks" font-size="11" fill="#333">`);
  xTicks.ticks.forEach((t, i) => {
    const x = px(f, t);
    out.push(`<line x1="${n(x)}" y1="${n(f.bottom)}" x2="${n(x)}" y2="${n(f.bottom + 5)}" stroke="#555"/>`);
    out.push(
      `<text x="${n(x)}" y="${n(f.bottom + 18)}" text-anchor="middle">${esc(xTicks.labels?.[i] ?? tickLabel(t, xTicks.step))}</text>`,
    );
  });
  for (const t of yTicks.ticks) {
    const y = py(f, t);
    out.push(`<line x1="${n(f.left - 5)}" y1="${n(y)}" x2="${n(f.left)}" y2="${n(y)}" stroke="#555"/>`);
    out.push(`<text x="${n(f.left - 8)}" y="${n(y + 4)}" text-anchor="end">${esc(tickLabel(t, yTicks.step))}</text>`);
  }
  out.push('</g>');
  const yLabelWidth = Math.max(...yTicks.ticks.map((t) => textWidth(tickLabel(t, yTicks.step), 11)), 0);
  out.push(
    `<text x="${n((f.left + f.right) / 2)}" y="${n(f.bottom + 42)}" text-anchor="middle" font-size="13" fill="#222">${esc(xTitle)}</text>`,
  );
  const yx = f.left - yLabelWidth - 22;
  const yy = (f.top + f.bottom) / 2;
  out.push(
    `<text x="${n(yx)}" y="${n(yy)}" text-anchor="middle" font-size="13" fill="#222" transform="rotate(-90 ${n(yx)} ${n(yy)})">${esc(yTitle)}</text>`,
  );
  return out.join('\n');
}

/** Left margin that fits the y tick labels and the rotated y title. */
export const leftMargin = (yTicks: { ticks: number[]; step: number }): number =>
  Math.ceil(Math.max(...yTicks.ticks.map((t) => textWidth(tickLabel(t, yTicks.step), 11)), 0) + 48);

export function svgDocument(width: number, height: number, title: string, body: string): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="${FONT}">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
