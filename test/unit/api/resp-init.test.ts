/**
 * respInit: EM started from given responsibilities (mclust's me() from z). With maxIter 0 the model is the first
 * M-step itself, which must equal the weighted means and covariances of the given groups computed directly; labels
 * equal their one-hot matrix; bad shapes and values are OptionErrors naming the problem.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, OptionError } from '../../../src/api/index.js';
import { expectClose, flat } from '../../helpers/compare.js';
import { mixture } from '../../helpers/data.js';

const { X, labels } = mixture(11, 200, 2, 3, 6);
const L = Int32Array.from(labels);
const oneHot = labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));

describe('respInit', () => {
  it("the first M-step from labels is the groups' weighted means and covariances (+ regCovar)", () => {
    const gm = new GaussianMixture({ nComponents: 3, respInit: L, maxIter: 0 }).fit(X);
    expect(gm.nIter).toBe(0);
    for (let c = 0; c < 3; c++) {
      const rows = X.filter((_, i) => labels[i] === c);
      const n = rows.length;
      const mean = [0, 1].map((j) => rows.reduce((a, r) => a + r[j], 0) / n);
      const cov = [0, 1].map((a) =>
        [0, 1].map((b) => rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / n + (a === b ? 1e-6 : 0)),
      );
      expect(gm.weights[c]).toBeCloseTo(n / X.length, 12);
      expectClose(Array.from(gm.means[c]), mean, 1e-12, `mean ${c}`);
      expectClose(flat((gm.covariances as Float64Array[][])[c]), cov.flat(), 1e-10, `covariance ${c}`);
    }
  });

  it('labels and their one-hot matrix give the same fit; initParams is not used', () => {
    const a = new GaussianMixture({ nComponents: 3, respInit: L, initParams: 'random', seed: 5 }).fit(X);
    const b = new GaussianMixture({ nComponents: 3, respInit: oneHot }).fit(X);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(a.lowerBound).toBe(b.lowerBound);
  });

  it('is validated like every option', () => {
    expect(() => new GaussianMixture({ nComponents: 2, respInit: L })).toThrow(
      /respInit\[\d+\] must be a label in 0…1/,
    );
    expect(() => new GaussianMixture({ nComponents: 3, respInit: [[0.5, 0.5]] })).toThrow(/N×3 matrix/);
    expect(() => new GaussianMixture({ nComponents: 2, respInit: [[0.5, 0.6]] })).toThrow(
      /respInit\[0\] must be responsibilities that sum to 1/,
    );
    expect(() => new GaussianMixture({ nComponents: 2, respInit: [[1.5, -0.5]] })).toThrow(
      /respInit\[0\]\[1\] must be a responsibility ≥ 0/,
    );
    expect(() => new GaussianMixture({ nComponents: 3, respInit: L, nInit: 2 })).toThrow(OptionError);
    expect(() => new GaussianMixture({ nComponents: 3, respInit: L }).fit(X.slice(1))).toThrow(
      /one row of responsibilities per row of X \(199\); got 200/,
    );
  });

  it('fitStream refuses it (it initialises from a sample)', async () => {
    await expect(new GaussianMixture({ nComponents: 3, respInit: L }).fitStream(() => [X])).rejects.toThrow(
      /needs the rows in memory/,
    );
  });
});
