/**
 * Behaviour of the public API beyond scikit-learn parity: persistence, sampling, criteria, warm starts, constraints,
 * hard EM, k-means, input layouts, and that getters hand out copies.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GaussianMixture, init, kmeans } from '../../src/index.js';
import { adjustedRand, mixture } from '../helpers/data.js';
import { expectClose, flat } from '../helpers/compare.js';

const faithful = readFileSync(new URL('../../data/faithful.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number));

describe('GaussianMixture API', () => {
  it('fits Old Faithful into the two well-known eruption modes', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(faithful);
    const means = gm.means.map((m) => Array.from(m)).sort((a, b) => a[0] - b[0]);
    // Short eruptions ≈ 2.04 min after ≈ 54.5 min waits; long ≈ 4.29 min after ≈ 80 min (classic EM result).
    expect(means[0][0]).toBeCloseTo(2.04, 1);
    expect(means[0][1]).toBeCloseTo(54.5, 0);
    expect(means[1][0]).toBeCloseTo(4.29, 1);
    expect(means[1][1]).toBeCloseTo(80.0, 0);
    expect(gm.converged).toBe(true);
    expect(gm.warnings).toEqual([]);
  });

  it('fitPredict equals fit(X).predict(X) for every init and algorithm', () => {
    const { X } = mixture(3, 200, 3, 3, 3);
    for (const initParams of ['kmeans', 'k-means++', 'random', 'random_from_data'] as const) {
      for (const algorithm of ['em', 'hard'] as const) {
        const opts = { nComponents: 3, initParams, algorithm, seed: 5 };
        expect(new GaussianMixture(opts).fitPredict(X)).toEqual(new GaussianMixture(opts).fit(X).predict(X));
      }
    }
  });

  it('accepts number[][], Float64Array[] and { data, rows, cols } alike', () => {
    const { X } = mixture(4, 100, 3, 2, 6);
    const opts = { nComponents: 2, seed: 1 };
    const a = new GaussianMixture(opts).fit(X);
    const b = new GaussianMixture(opts).fit(X.map((r) => Float64Array.from(r)));
    const c = new GaussianMixture(opts).fit({ data: Float64Array.from(X.flat()), rows: 100, cols: 3 });
    const e = new GaussianMixture(opts).fit({ data: X.flat(), rows: 100, cols: 3 });
    for (const m of [b, c, e]) {
      expect(flat(m.means)).toEqual(flat(a.means));
      expect(m.scoreSamples(X)).toEqual(a.scoreSamples(X));
    }
  });

  it('round-trips through toJSON / fromJSON (object and string) with identical inference', () => {
    const { X } = mixture(5, 150, 2, 3, 5);
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
      const gm = new GaussianMixture({
        nComponents: 3,
        covarianceType,
        seed: 2,
        freeze: ['weights'],
        onDegenerate: 'reset',
      }).fit(X);
      const back = GaussianMixture.fromJSON(JSON.stringify(gm));
      const back2 = GaussianMixture.fromJSON(gm.toJSON());
      expect(back.scoreSamples(X)).toEqual(gm.scoreSamples(X));
      expect(back2.predict(X)).toEqual(gm.predict(X));
      expect(back.options.freeze).toEqual(['weights']);
      expect(back.options.onDegenerate).toBe('reset');
      expect(back.lowerBound).toBe(gm.lowerBound);
      expect(back.nIter).toBe(gm.nIter);
      expect(JSON.stringify(back)).toBe(JSON.stringify(gm));
    }
  });

  it('getters return copies, so callers cannot corrupt the model', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(faithful);
    const before = gm.score(faithful);
    gm.weights[0] = 0.99;
    gm.means[0][0] = 1e9;
    (gm.covariances as Float64Array[][])[0][0][0] = -1;
    expect(gm.score(faithful)).toBe(before);
  });

  it('bic / aic use scikit-learn parameter counts', () => {
    const { X } = mixture(6, 120, 3, 2, 6);
    const counts = { full: 2 * 6 + 6 + 1, tied: 6 + 6 + 1, diag: 6 + 6 + 1, spherical: 2 + 6 + 1 };
    for (const [covarianceType, p] of Object.entries(counts)) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType: covarianceType as never, seed: 0 }).fit(X);
      expect(gm.nParameters()).toBe(p);
      const ll = gm.score(X) * X.length;
      expect(gm.bic(X)).toBeCloseTo(-2 * ll + p * Math.log(X.length), 9);
      expect(gm.aic(X)).toBeCloseTo(-2 * ll + 2 * p, 9);
    }
    const frozen = new GaussianMixture({ nComponents: 2, freeze: ['weights'], seed: 0 }).fit(X);
    expect(frozen.nParameters()).toBe(counts.full - 1);
  });

  it('sample draws from the fitted mixture, grouped by component, reproducibly', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(faithful);
    const { X, y } = gm.sample(20000, { seed: 7 });
    expect(X.length).toBe(20000);
    expect(Array.from(y)).toEqual([...y].sort((a, b) => a - b));
    const w = gm.weights;
    const share = y.filter((c) => c === 0).length / y.length;
    expect(Math.abs(share - w[0])).toBeLessThan(0.02);
    for (let c = 0; c < 2; c++) {
      const rows = X.filter((_, i) => y[i] === c);
      const mean = [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
      const cov = (gm.covariances as Float64Array[][])[c];
      for (let j = 0; j < 2; j++)
        expect(Math.abs(mean[j] - gm.means[c][j])).toBeLessThan(4 * Math.sqrt(cov[j][j] / rows.length));
      const cross = rows.reduce((s, r) => s + (r[0] - mean[0]) * (r[1] - mean[1]), 0) / rows.length;
      expect(Math.abs(cross - cov[0][1])).toBeLessThan(0.1 * Math.sqrt(cov[0][0] * cov[1][1]));
    }
    expect(flat(gm.sample(10, { seed: 7 }).X)).toEqual(flat(gm.sample(10, { seed: 7 }).X));
    expect(flat(gm.sample(10, { seed: 7 }).X)).not.toEqual(flat(gm.sample(10, { seed: 8 }).X));
  });

  it('warmStart continues from the fitted parameters', () => {
    const { X } = mixture(8, 300, 2, 3, 3);
    const gm = new GaussianMixture({ nComponents: 3, seed: 0, maxIter: 3, warmStart: true, tol: 1e-8 });
    gm.fit(X);
    const first = gm.lowerBound;
    gm.fit(X);
    expect(gm.lowerBound).toBeGreaterThanOrEqual(first);
    const cold = new GaussianMixture({ nComponents: 3, seed: 0, maxIter: 6, tol: 1e-8 }).fit(X);
    expectClose(gm.means, cold.means, 1e-9, 'warm 3+3 iterations = cold 6');
    expect(gm.nIter).toBeLessThanOrEqual(3);
  });

  it('freeze holds parameter groups at their initial values', () => {
    const { X } = mixture(9, 200, 2, 2, 6);
    const meansInit = [
      [0, 0],
      [1, 1],
    ];
    const precisionsInit = [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [2, 0],
        [0, 2],
      ],
    ];
    const w = new GaussianMixture({ nComponents: 2, freeze: ['weights'], weightsInit: [0.5, 0.5], seed: 0 }).fit(X);
    expect(Array.from(w.weights)).toEqual([0.5, 0.5]);
    const m = new GaussianMixture({ nComponents: 2, freeze: ['means'], meansInit, seed: 0 }).fit(X);
    expect(m.means.map((r) => Array.from(r))).toEqual(meansInit);
    const c = new GaussianMixture({ nComponents: 2, freeze: ['covariances'], precisionsInit, seed: 0 }).fit(X);
    expectClose(
      c.covariances as never,
      [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [0.5, 0],
          [0, 0.5],
        ],
      ],
      1e-14,
      'frozen covariances',
    );
  });

  it('hard EM with equal frozen weights and spherical frozen covariances is k-means', () => {
    const { X } = mixture(10, 300, 2, 3, 8);
    const km = kmeans(X, 3, { seed: 4 });
    const cem = new GaussianMixture({
      nComponents: 3,
      covarianceType: 'spherical',
      algorithm: 'hard',
      freeze: ['weights', 'covariances'],
      weightsInit: [1 / 3, 1 / 3, 1 / 3],
      precisionsInit: [1, 1, 1],
      meansInit: km.centers,
      tol: 0,
      maxIter: 5,
    }).fit(X);
    expectClose(cem.means, km.centers, 1e-9, 'k-means fixed point');
    expect(adjustedRand(cem.predict(X), km.labels)).toBe(1);
  });

  it('kmeans returns centers, nearest-center labels and the inertia', () => {
    const { X, labels } = mixture(11, 400, 3, 4, 12);
    const km = kmeans(X, 4, { seed: 0, nInit: 3 });
    expect(adjustedRand(km.labels, labels)).toBeGreaterThan(0.95);
    let inertia = 0;
    X.forEach((x, i) => {
      const dist = km.centers.map((c) => c.reduce((s, v, j) => s + (x[j] - v) ** 2, 0));
      expect(km.labels[i]).toBe(dist.indexOf(Math.min(...dist)));
      inertia += Math.min(...dist);
    });
    expect(km.inertia).toBeCloseTo(inertia, 6);
    expect(km.converged).toBe(true);
  });

  it('records a warning when the best run did not converge, and none otherwise', () => {
    const gm = new GaussianMixture({ nComponents: 2, maxIter: 2, tol: 0, seed: 0 }).fit(faithful);
    expect(gm.converged).toBe(false);
    expect(gm.warnings[0]).toMatch(/did not converge within maxIter = 2/);
    expect(gm.nIter).toBe(2);
  });

  it('init() resolves the backend auto will use; backend reports what ran', async () => {
    expect(await init()).toBe('wasm');
    expect(new GaussianMixture().fit(faithful).backend).toBe('wasm');
    expect(new GaussianMixture({ backend: 'js' }).fit(faithful).backend).toBe('js');
  });

  it('handles one feature, one component and one row per component', () => {
    const one = new GaussianMixture().fit(faithful.map((r) => [r[0]]));
    expect(one.means[0][0]).toBeCloseTo(faithful.reduce((s, r) => s + r[0], 0) / faithful.length, 10);
    const tiny = new GaussianMixture({ nComponents: 3, regCovar: 1e-3 }).fit([
      [0, 0],
      [5, 5],
      [10, 0],
    ]);
    expect(
      tiny
        .predict([
          [0, 0],
          [5, 5],
          [10, 0],
        ])
        .slice()
        .sort(),
    ).toEqual(Int32Array.from([0, 1, 2]));
  });
});

describe('restarts', () => {
  it('restarts that reach the same optimum (a tie within rounding) keep the earliest, on every engine', async () => {
    // two k-means++ restarts of this problem converge to the same optimum with the components in another order
    const { X } = mixture(31, 700, 3, 3, 6);
    const w = X.map((_, i) => (i % 4 === 0 ? 0 : 1 + (i % 3)));
    const last: number[] = [];
    const opts = { nComponents: 3, seed: 2, initParams: 'k-means++' as const };
    const two = new GaussianMixture({
      ...opts,
      nInit: 2,
      onIteration: ({ init, lowerBound }) => {
        last[init] = lowerBound;
      },
    }).fit(X, { sampleWeight: w });
    expect(Math.abs(last[1] - last[0])).toBeLessThan(1e-12 * Math.abs(last[0]));
    const one = new GaussianMixture({ ...opts, nInit: 1 }).fit(X, { sampleWeight: w });
    expectClose(two.means, one.means, 1e-12, 'means: the first restart won');
    for (const backend of ['js', 'wasm'] as const) {
      const other = await new GaussianMixture({ ...opts, nInit: 2, backend }).fitAsync(X, {
        sampleWeight: w,
        workers: 2,
      });
      expectClose(other.means, one.means, 1e-10, `${backend} fitAsync means`);
    }
  });
});

describe('predict on rows far outside the model', () => {
  it('a row whose deviations overflow gets label 0, as its uniform predictProba row says', () => {
    const { X } = mixture(3, 200, 2, 3, 4);
    const gm = new GaussianMixture({ nComponents: 3, seed: 1 }).fit(X);
    const far = [[1.7e308, -1.7e308], [-1.7e308, 1.7e308], X[0]];
    const labels = gm.predict(far);
    const proba = gm.predictProba(far);
    for (let i = 0; i < 2; i++) {
      expect(labels[i]).toBe(0);
      for (const p of proba[i]) expect(p).toBeCloseTo(1 / 3, 12);
    }
    expect(labels[2]).toBe(gm.predict([X[0]])[0]);
  });
});
