/**
 * fit --standardize's mapping back to the original units (src/cli/standardize.ts): exact for a Gaussian under
 * x = m + S z, so the mapped model's log-density of every row equals the standardized model's minus Σ log s_j,
 * its responsibilities are the standardized ones, and spherical becomes diag.
 */
import { describe, expect, it } from 'vitest';
import { DataError, GaussianMixture, OptionError } from '../../../src/api/index.js';
import { inOriginalUnits, scalingOf, standardized } from '../../../src/cli/standardize.js';
import { mixture } from '../../helpers/data.js';

describe('--standardize', () => {
  // features on very different scales: the second in thousands
  const { X: raw } = mixture(31, 240, 3, 3, 6);
  const rows = raw.map((r) => [r[0], 1000 * r[1] + 5000, 0.01 * r[2]]);
  const X = { data: Float64Array.from(rows.flat()), rows: rows.length, cols: 3 };
  const names = ['a', 'b', 'c'];

  it('z-scores every column to mean 0 and sd 1', () => {
    const s = scalingOf(X, names);
    const Z = standardized(X, s);
    for (let j = 0; j < 3; j++) {
      let m = 0;
      let v = 0;
      for (let i = 0; i < Z.rows; i++) m += Z.data[i * 3 + j] / Z.rows;
      for (let i = 0; i < Z.rows; i++) v += (Z.data[i * 3 + j] - m) ** 2 / Z.rows;
      expect(m).toBeCloseTo(0, 12);
      expect(v).toBeCloseTo(1, 12);
    }
    expect(X.data[1]).toBe(rows[0][1]); // the caller's data untouched
  });

  for (const type of ['full', 'tied', 'diag', 'spherical'] as const) {
    it(`${type}: the mapped model's log-density is the standardized one − Σ log s, responsibilities equal`, () => {
      const s = scalingOf(X, names);
      const Z = standardized(X, s);
      const z = new GaussianMixture({ nComponents: 3, covarianceType: type, seed: 0 }).fit(Z, { featureNames: names });
      const x = inOriginalUnits(z, s);
      expect(x.covarianceType).toBe(type === 'spherical' ? 'diag' : type);
      expect(x.featureNames).toEqual(names);
      const shift = Math.log(s.scale[0]) + Math.log(s.scale[1]) + Math.log(s.scale[2]);
      const lz = z.scoreSamples(Z);
      const lx = x.scoreSamples(X);
      for (let i = 0; i < X.rows; i++) expect(lx[i]).toBeCloseTo(lz[i] - shift, 9);
      const pz = z.predictProba(Z);
      const px = x.predictProba(X);
      for (let i = 0; i < X.rows; i++) for (let k = 0; k < 3; k++) expect(px[i][k]).toBeCloseTo(pz[i][k], 9);
      for (let k = 0; k < 3; k++)
        for (let j = 0; j < 3; j++) expect(x.means[k][j]).toBeCloseTo(s.center[j] + s.scale[j] * z.means[k][j], 9);
    });
  }

  it('refuses a constant column and a covariance type it cannot map back', () => {
    const c = { data: Float64Array.from([1, 5, 2, 5, 3, 5]), rows: 3, cols: 2 };
    expect(() => scalingOf(c, ['x', 'k'])).toThrow(DataError);
    expect(() => scalingOf(c, ['x', 'k'])).toThrow("column 'k' is constant");
    const s = scalingOf(X, names);
    const z = new GaussianMixture({ nComponents: 2, covarianceType: 'EEI', seed: 0 }).fit(standardized(X, s));
    expect(() => inOriginalUnits(z, s)).toThrow(OptionError);
  });
});
