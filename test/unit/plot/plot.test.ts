/**
 * SVG plots, checked at the parse level: well-formed XML, one 1σ/2σ ellipse pair per component, one circle per
 * point, no NaN/Infinity in any attribute; plus the projection maths (eigen-decomposition, W Σ Wᵀ).
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, mixtureSvg, selectionSvg, selectModel } from '../../../src/api/index.js';
import { ellipseOf, projectCovariance, projectionFor, symmetricEigen } from '../../../src/plot/project.js';
import { mixture } from '../../helpers/data.js';

/** Minimal XML well-formedness check: balanced, properly nested tags and quoted attributes. Returns the tag names. */
function checkXml(svg: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    // Text between tags must not contain stray markup.
    expect(body.slice(last, m.index)).not.toMatch(/[<>]/);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else {
      names.push(name);
      if (!selfClose) stack.push(name);
    }
  }
  expect(body.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  expect(names[0]).toBe('svg');
  return names;
}

function attributes(svg: string): string[] {
  return [...svg.matchAll(/\s[\w:-]+="([^"]*)"/g)].map((m) => m[1]);
}

function expectClean(svg: string): void {
  checkXml(svg);
  for (const a of attributes(svg)) expect(a).not.toMatch(/NaN|Infinity|undefined/);
}

const count = (svg: string, re: RegExp): number => (svg.match(re) ?? []).length;

describe('mixtureSvg', () => {
  const { X } = mixture(21, 300, 2, 3, 8);

  for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
    it(`2-D, ${covarianceType}: one ellipse pair per component, one circle per point`, () => {
      const gm = new GaussianMixture({ nComponents: 3, covarianceType, seed: 0 }).fit(X);
      const svg = mixtureSvg(gm, X, { columns: ['length', 'width'], title: 'A & B <test>' });
      expectClean(svg);
      expect(count(svg, /<ellipse class="sigma1"/g)).toBe(3);
      expect(count(svg, /<ellipse class="sigma2"/g)).toBe(3);
      expect(count(svg, /<ellipse/g)).toBe(6);
      expect(count(svg, /<circle/g)).toBe(X.length);
      expect(count(svg, /class="mean"/g)).toBe(6); // halo + cross per component
      expect(svg).toContain('>length</text>');
      expect(svg).toContain('A &amp; B &lt;test&gt;');
      // 2σ ellipses are the 1σ ones doubled.
      const r1 = [...svg.matchAll(/class="sigma1"[^>]* rx="([\d.]+)"/g)].map((m) => Number(m[1]));
      const r2 = [...svg.matchAll(/class="sigma2"[^>]* rx="([\d.]+)"/g)].map((m) => Number(m[1]));
      r1.forEach((r, i) => expect(r2[i]).toBeCloseTo(2 * r, 1));
      if (covarianceType === 'diag' || covarianceType === 'spherical') {
        // Axis-aligned covariances stay axis-aligned on screen.
        for (const m of svg.matchAll(/rotate\((-?[\d.]+) /g)) expect(Math.abs(Number(m[1])) % 90).toBeCloseTo(0, 6);
      }
    });
  }

  it('colours points by predicted component', () => {
    const gm = new GaussianMixture({ nComponents: 3, seed: 0 }).fit(X);
    const labels = gm.predict(X);
    const fills = [...mixtureSvg(gm, X).matchAll(/<circle [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    const byLabel = new Map<number, string>();
    labels.forEach((l, i) => {
      if (!byLabel.has(l)) byLabel.set(l, fills[i]);
      expect(fills[i]).toBe(byLabel.get(l));
    });
    expect(new Set(byLabel.values()).size).toBe(3);
  });

  it('D > 2 projects on the two leading principal components', () => {
    const { X: X5 } = mixture(22, 200, 5, 4, 10);
    const gm = new GaussianMixture({ nComponents: 4, covarianceType: 'diag', seed: 0 }).fit(X5);
    const svg = mixtureSvg(gm, X5);
    expectClean(svg);
    expect(count(svg, /<ellipse/g)).toBe(8);
    expect(count(svg, /<circle/g)).toBe(200);
    expect(svg).toMatch(/PC1 \([\d.]+% of variance\)/);
    expect(svg).toMatch(/PC2 \([\d.]+% of variance\)/);
  });

  it('D = 1 draws a histogram with the mixture density', () => {
    const x1 = mixture(23, 200, 1, 2, 8).X;
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(x1);
    const svg = mixtureSvg(gm, x1);
    expectClean(svg);
    expect(count(svg, /class="density"/g)).toBe(1);
    expect(count(svg, /<path class="component"/g)).toBe(2);
    expect(count(svg, /<ellipse/g)).toBe(0);
  });

  it('rejects unfitted models and mismatched data', () => {
    expect(() => mixtureSvg(new GaussianMixture(), X)).toThrow(/fitted/);
    const gm = new GaussianMixture({ nComponents: 2 }).fit(X);
    expect(() => mixtureSvg(gm, [[1, 2, 3]])).toThrow(/features/);
    expect(() => mixtureSvg(gm, X, { columns: ['a'] })).toThrow(/columns/);
  });
});

describe('selectionSvg', () => {
  it('draws one series per covariance type, marks the best and failed fits', () => {
    const dup = [
      [1, 1],
      [1, 1],
      [1, 1],
      [2, 2],
      [2, 2],
      [3, 3],
      [3, 3],
      [3, 3],
      [1, 2],
      [2, 3],
    ];
    const r = selectModel(dup, { nComponents: [1, 2, 3], covarianceTypes: ['full', 'diag', 'spherical'], regCovar: 0 });
    const svg = selectionSvg(r);
    expectClean(svg);
    expect(count(svg, /<g class="series"/g)).toBe(3);
    expect(count(svg, /class="best"/g)).toBe(1);
    expect(count(svg, /class="failed"/g)).toBe(r.table.filter((t) => t.failed).length);
    expect(svg).toContain('lower is better');
  });

  it('says higher is better for cv', () => {
    const { X } = mixture(24, 200, 2, 2, 8);
    const r = selectModel(X, { nComponents: [1, 2, 3], covarianceTypes: ['full', 'tied'], criterion: 'cv', folds: 3 });
    const svg = selectionSvg(r);
    expectClean(svg);
    expect(svg).toContain('higher is better');
    expect(count(svg, /class="failed"/g)).toBe(0);
  });
});

describe('projection maths', () => {
  it('symmetricEigen recovers eigenpairs (descending)', () => {
    // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 5, 3, 1 with eigenvectors e3, (1,1,0)/√2, (1,−1,0)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 0, 1, 2, 0, 0, 0, 5), 3);
    expect(Array.from(values).map((v) => +v.toFixed(12))).toEqual([5, 3, 1]);
    expect(Math.abs(vectors[0][2])).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[1][0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[1][0] * vectors[1][1]).toBeGreaterThan(0);
  });

  it('ellipseOf gives semi-axes √λ and the major-axis angle', () => {
    expect(ellipseOf(4, 0, 1)).toEqual({ r1: 2, r2: 1, angle: 0 });
    const e = ellipseOf(1, 0, 4);
    expect([e.r1, e.r2, e.angle]).toEqual([2, 1, 90]);
    const t = ellipseOf(2, 1, 2); // eigenvalues 3 and 1, major axis at 45°
    expect(t.r1).toBeCloseTo(Math.sqrt(3), 12);
    expect(t.r2).toBeCloseTo(1, 12);
    expect(t.angle).toBeCloseTo(45, 12);
  });

  it('projects covariances as W Σ Wᵀ onto the principal axes', () => {
    // Data stretched along (1, 1, 0)/√2 — PC1 must be that direction.
    const X: number[][] = [];
    for (let t = -10; t <= 10; t++) X.push([t + 0.1, t - 0.1, 0.01], [t - 0.1, t + 0.1, -0.01]);
    const p = projectionFor(X);
    expect(p.axes[0][0]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(p.axes[0][1]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(p.explained![0]).toBeGreaterThan(0.99);
    const cov = Float64Array.of(2, 1, 0, 1, 2, 0, 0, 0, 5);
    const [s00] = projectCovariance(p, cov, 3);
    expect(s00).toBeCloseTo(3, 10); // (1,1,0)/√2 is the eigenvector with eigenvalue 3
  });
});
