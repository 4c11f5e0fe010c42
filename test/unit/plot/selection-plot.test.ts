/**
 * The model-selection plot as issue 13 asks: the y axis zoomed to the competitive range by default (candidates
 * beyond it marked at the edge, `yRange: 'all'` for every score), and the "best" label kept off the curves.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OptionError, selectionSvg, selectModel } from '../../../src/api/index.js';
import { competitiveRange } from '../../../src/plot/selection.js';
import { textWidth } from '../../../src/plot/svg.js';

const faithful = readFileSync(new URL('../../../data/faithful.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));
const result = selectModel(faithful, {
  nComponents: [1, 2, 3, 4, 5, 6],
  covarianceTypes: ['full', 'tied', 'diag', 'spherical'],
  seed: 0,
});
const count = (svg: string, re: RegExp): number => (svg.match(re) ?? []).length;

/** The polyline segments of every series, in pixels. */
function segments(svg: string): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  for (const m of svg.matchAll(/<g class="series"[^>]*>\s*<path d="([^"]+)"/g)) {
    const pts = [...m[1].matchAll(/([ML])([-\d.]+) ([-\d.]+)/g)].map(
      (p) => [p[1], Number(p[2]), Number(p[3])] as const,
    );
    for (let i = 1; i < pts.length; i++)
      if (pts[i][0] === 'L') out.push([pts[i - 1][1], pts[i - 1][2], pts[i][1], pts[i][2]]);
  }
  return out;
}

describe('competitiveRange', () => {
  it('runs from the best to twice the median distance from it (mirrored when higher is better)', () => {
    expect(competitiveRange([10, 11, 12, 13, 100], true)).toEqual([10, 14]);
    expect(competitiveRange([10, 11, 12, 13], true)).toEqual([10, 13]);
    expect(competitiveRange([-100, 7, 8, 9, 10], false)).toEqual([6, 10]);
    // never beyond the scores themselves
    expect(competitiveRange([1, 2, 3], true)).toEqual([1, 3]);
    expect(competitiveRange([5], true)).toEqual([5, 5]);
  });
});

describe('selectionSvg y range', () => {
  it("zooms to the competitive range by default: Old Faithful's spherical curve is marked at the edge", () => {
    const svg = selectionSvg(result);
    const scores = result.table.filter((r) => !r.failed).map((r) => r.score as number);
    const [lo, hi] = competitiveRange(scores, true);
    const beyond = scores.filter((s) => s < lo || s > hi).length;
    // all six spherical fits (BIC ≥ 3100) and the K = 1 fits lie beyond 2314…~2400
    expect(beyond).toBeGreaterThanOrEqual(6);
    expect(count(svg, /class="beyond"/g)).toBe(beyond);
    expect(svg).toContain(`${beyond} candidates beyond the competitive range`);
    const all = selectionSvg(result, { yRange: 'all' });
    expect(count(all, /class="beyond"/g)).toBe(0);
    expect(all).not.toContain('competitive range');
  });

  it('rejects an unknown yRange', () => {
    expect(() => selectionSvg(result, { yRange: 'zoom' as never })).toThrow(OptionError);
  });

  it('keeps the best label off every curve segment, in both ranges', () => {
    for (const svg of [selectionSvg(result), selectionSvg(result, { yRange: 'all' })]) {
      const m = /<text class="best-label" x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]+)</.exec(svg);
      expect(m).not.toBeNull();
      const [x, base] = [Number(m![1]), Number(m![2])];
      const box = { x0: x, x1: x + textWidth(m![3], 12), y0: base - 11, y1: base + 3 };
      for (const [x1, y1, x2, y2] of segments(svg)) {
        // sample the segment densely: no point of it falls inside the label's box
        for (let t = 0; t <= 1; t += 0.01) {
          const px = x1 + t * (x2 - x1);
          const py = y1 + t * (y2 - y1);
          expect(px > box.x0 && px < box.x1 && py > box.y0 && py < box.y1).toBe(false);
        }
      }
    }
  });
});
