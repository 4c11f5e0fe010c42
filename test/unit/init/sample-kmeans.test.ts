/**
 * k-means on a sample as the start of large unweighted fits (init/sample-kmeans.ts): the sample is m distinct rows,
 * the same for a seed; k-means++ and Lloyd on it recover well-separated centers; a fit on more rows than the sample
 * takes that path and ends at the optimum the full-data start (still taken with sample weights) reaches; fewer rows
 * than the sample keep the full-data path bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../../src/api/index.js';
import { lloydSample, sampleRows, sampleSize, seedSample } from '../../../src/init/sample-kmeans.js';
import { Random } from '../../../src/util/random.js';
import { mixture } from '../../helpers/data.js';

describe('sampleRows', () => {
  it('draws m distinct ascending rows of n, the same for the same seed', () => {
    for (const [n, m] of [
      [10, 10],
      [1000, 1],
      [100_000, 8192],
    ]) {
      const a = sampleRows(n, m, new Random(3));
      expect(a.length).toBe(m);
      for (let i = 1; i < m; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
      expect(a[0]).toBeGreaterThanOrEqual(0);
      expect(a[m - 1]).toBeLessThan(n);
      expect(sampleRows(n, m, new Random(3))).toEqual(a);
    }
    expect(sampleRows(100_000, 8192, new Random(4))).not.toEqual(sampleRows(100_000, 8192, new Random(3)));
  });

  it('is uniform: each half of the rows gets about half of the sample', () => {
    const a = sampleRows(1_000_000, 8192, new Random(9));
    const low = a.filter((i) => i < 500_000).length;
    expect(Math.abs(low - 4096)).toBeLessThan(4 * Math.sqrt(8192 / 4)); // 4 standard deviations
  });

  it('sizes the sample at 8192 rows, or 256 per component', () => {
    expect(sampleSize(3)).toBe(8192);
    expect(sampleSize(100)).toBe(25_600);
  });
});

describe('k-means on the sample', () => {
  it('k-means++ and Lloyd find the centers of well-separated clusters', () => {
    const { X, means } = mixture(5, 3000, 3, 4, 20);
    const x = Float64Array.from(X.flat());
    const seeds = seedSample(x, X.length, 3, 4, 1 / 64, new Random(1));
    const { centers, labels } = lloydSample(x, X.length, 3, seeds, 300, 0, 1 / 64);
    for (const mu of means) {
      const dist = Math.min(...[0, 1, 2, 3].map((c) => Math.hypot(...mu.map((v, j) => v - centers[c * 3 + j]))));
      expect(dist).toBeLessThan(0.2);
    }
    expect(new Set(labels).size).toBe(4);
  });
});

describe('fit on more rows than the sample', () => {
  const k = 4;
  const { X } = mixture(11, 3 * sampleSize(k), 2, k, 8);

  it('reaches the optimum of the full-data start (which sample weights still take) to 1e-6', () => {
    for (const initParams of ['kmeans', 'k-means++'] as const) {
      const sampled = new GaussianMixture({ nComponents: k, initParams, seed: 2, backend: 'js' }).fit(X);
      const full = new GaussianMixture({ nComponents: k, initParams, seed: 2, backend: 'js' }).fit(X, {
        sampleWeight: new Float64Array(X.length).fill(1),
      });
      expect(sampled.converged).toBe(true);
      expect(sampled.score(X)).toBeGreaterThan(full.score(X) - 1e-6);
    }
  });

  it('is deterministic for a seed', () => {
    const a = new GaussianMixture({ nComponents: k, seed: 4, backend: 'js' }).fit(X);
    const b = new GaussianMixture({ nComponents: k, seed: 4, backend: 'js' }).fit(X);
    expect(Array.from(b.means.flatMap((m) => Array.from(m)))).toEqual(
      Array.from(a.means.flatMap((m) => Array.from(m))),
    );
    expect(b.lowerBound).toBe(a.lowerBound);
  });
});
