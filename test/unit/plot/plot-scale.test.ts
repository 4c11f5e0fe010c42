/**
 * Plots at scale and over dense clouds (issue 13): at most maxPoints points drawn as a documented uniform sample
 * ("showing n of N" in the subtitle, the same picture every time), files under 1 MB for 2·10⁵ rows, ellipses with a
 * white outline under their colour, the model's featureNames on the axes, and the pairs plot's panels.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GaussianMixture, mixtureSvg, OptionError, pairsSvg } from '../../../src/api/index.js';
import { MAX_POINTS, sampleRows } from '../../../src/plot/sample.js';
import { mixture } from '../../helpers/data.js';

const count = (svg: string, re: RegExp): number => (svg.match(re) ?? []).length;

describe('sampleRows', () => {
  it('all rows when they fit; else exactly max distinct rows, ascending, spread uniformly, the same every time', () => {
    expect(Array.from(sampleRows(4, 10))).toEqual([0, 1, 2, 3]);
    const s = sampleRows(200_000, 5000);
    expect(s.length).toBe(5000);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect(s[s.length - 1]).toBeLessThan(200_000);
    expect(Array.from(sampleRows(200_000, 5000))).toEqual(Array.from(s));
    // uniform: each tenth of the rows gets about a tenth of the sample (binomial sd ≈ 21; the seed is fixed)
    const tenths = new Array(10).fill(0);
    for (const i of s) tenths[Math.floor(i / 20_000)]++;
    for (const t of tenths) expect(Math.abs(t - 500)).toBeLessThan(100);
  });
});

describe('mixtureSvg at scale', () => {
  // 2·10⁵ rows in 8 overlapping clusters; the model is fitted on a part (plotting is what is tested)
  const { X } = mixture(41, 200_000, 2, 8, 3);
  const gm = new GaussianMixture({ nComponents: 8, seed: 0, maxIter: 20 }).fit(X.slice(0, 4000));

  it('draws 5000 of 2·10⁵ points, says so, and stays under 1 MB', () => {
    const svg = mixtureSvg(gm, X);
    expect(count(svg, /<circle /g)).toBe(MAX_POINTS);
    expect(svg).toContain('showing 5,000 of 200,000 points (uniform sample)');
    expect(Buffer.byteLength(svg)).toBeLessThan(1_000_000);
    expect(mixtureSvg(gm, X)).toBe(svg);
  });

  it('maxPoints sets the cap; all points below it', () => {
    expect(count(mixtureSvg(gm, X, { maxPoints: 300 }), /<circle /g)).toBe(300);
    const few = mixtureSvg(gm, X.slice(0, 250));
    expect(count(few, /<circle /g)).toBe(250);
    expect(few).toContain('250 points');
    expect(few).not.toContain('showing');
    expect(() => mixtureSvg(gm, X, { maxPoints: 0 })).toThrow(OptionError);
  });

  it('outlines every ellipse in white under its colour', () => {
    const svg = mixtureSvg(gm, X, { maxPoints: 100 });
    // each ellipse is painted with a white, wider stroke, then used again in its component's colour
    const outlined = [...svg.matchAll(/<g [^>]*stroke="#fff"[^>]*stroke-width="([\d.]+)"><ellipse [^>]*id="([^"]+)"/g)];
    expect(outlined.length).toBe(16);
    for (const [, width, id] of outlined) {
      const use = new RegExp(`<use href="#${id}" fill="none" stroke="(#[0-9a-f]{6})" stroke-width="([\\d.]+)"`).exec(
        svg,
      );
      expect(use).not.toBeNull();
      expect(use![1]).not.toBe('#fff');
      expect(Number(width)).toBeGreaterThan(Number(use![2]));
    }
  });

  it("labels the axes with the model's featureNames unless columns are given", () => {
    const named = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X.slice(0, 500), {
      featureNames: ['height', 'weight'],
    });
    const svg = mixtureSvg(named, X.slice(0, 500));
    expect(svg).toContain('>height</text>');
    expect(svg).toContain('>weight</text>');
    expect(mixtureSvg(named, X.slice(0, 500), { columns: ['u', 'v'] })).toContain('>u</text>');
  });
});

describe('pairsSvg', () => {
  const text = readFileSync(new URL('../../../data/iris.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const names = text[0].split(',').slice(0, 4);
  const iris = text.slice(1).map((l) => l.split(',').slice(0, 4).map(Number));
  const gm = new GaussianMixture({ nComponents: 3, seed: 0 }).fit(iris, { featureNames: names });

  it('one panel per pair below the diagonal, the features named on it, each component’s marginal ellipses', () => {
    const svg = pairsSvg(gm, iris);
    expect(count(svg, /<g class="panel"/g)).toBe(6);
    for (const name of names) expect(svg).toContain(`>${name}</text>`);
    expect(count(svg, /<ellipse /g)).toBe(6 * 3 * 2);
    expect(count(svg, /<circle /g)).toBe(6 * 150);
    expect(svg).toContain('data-x="sepal_length" data-y="petal_width"');
  });

  it("draws the marginal of each component: the 2σ ellipses' extents along x and y scale as √Σ_jj and √Σ_ii", () => {
    const svg = pairsSvg(gm, iris);
    // the first panel: x = sepal_length (0), y = sepal_width (1)
    const at = svg.indexOf('<g class="panel"');
    const panel = svg.slice(at, svg.indexOf('<g class="means">', at));
    const ellipses = [
      ...panel.matchAll(/class="sigma2" [^>]*rx="([\d.]+)" ry="([\d.]+)" transform="rotate\(([-\d.]+) /g),
    ];
    expect(ellipses.length).toBe(3);
    // half-extents of a rotated ellipse along the axes
    const extent = ellipses.map(([, rx, ry, deg]) => {
      const [a, b, t] = [Number(rx), Number(ry), (Number(deg) * Math.PI) / 180];
      return [Math.hypot(a * Math.cos(t), b * Math.sin(t)), Math.hypot(a * Math.sin(t), b * Math.cos(t))];
    });
    const cov = gm.covariances as Float64Array[][];
    for (const c of [1, 2]) {
      // ratios to component 0 are free of the pixel scale (coordinates are rounded to 0.01 px)
      expect(extent[c][0] / extent[0][0]).toBeCloseTo(Math.sqrt(cov[c][0][0] / cov[0][0][0]), 2);
      expect(extent[c][1] / extent[0][1]).toBeCloseTo(Math.sqrt(cov[c][1][1] / cov[0][1][1]), 2);
    }
  });

  it('the first 4 of more features by default; features sets how many; D < 2 is refused', () => {
    const { X } = mixture(42, 300, 6, 2, 6);
    const six = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);
    const svg = pairsSvg(six, X);
    expect(count(svg, /<g class="panel"/g)).toBe(6);
    expect(svg).toContain('the first 4 of 6 features');
    expect(count(pairsSvg(six, X, { features: 3 }), /<g class="panel"/g)).toBe(3);
    expect(() => pairsSvg(six, X, { features: 1 })).toThrow(OptionError);
    const one = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X.map((r) => [r[0]]));
    expect(() =>
      pairsSvg(
        one,
        X.map((r) => [r[0]]),
      ),
    ).toThrow(OptionError);
  });

  it('stays under 1 MB for 2·10⁵ rows of 4 features (2000 points per panel)', () => {
    const { X } = mixture(43, 200_000, 4, 3, 6);
    const m = new GaussianMixture({ nComponents: 3, seed: 0, maxIter: 20 }).fit(X.slice(0, 3000));
    const svg = pairsSvg(m, X);
    expect(count(svg, /<circle /g)).toBe(6 * 2000);
    expect(svg).toContain('showing 2,000 of 200,000 points');
    expect(Buffer.byteLength(svg)).toBeLessThan(1_000_000);
  });
});
