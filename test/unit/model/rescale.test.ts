/**
 * Covariances under a per-feature change of units (src/model/covariance/rescale.ts), entry by entry against
 * S·Σ·S written out: full and tied blocks, diag's variances, spherical's one variance spread over the features as
 * diag; and the models whose constraint would not survive are refused. (The end-to-end mapping of a fitted model —
 * densities, responsibilities — is test/unit/cli/standardize.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { MCLUST_TYPES } from '../../../src/model/covariance/registry.js';
import { RESCALABLE_TYPES, rescaledAs, rescaleCovariances } from '../../../src/model/covariance/rescale.js';

const sd = Float64Array.of(0.5, 3, 1e3);
const d = sd.length;
const k = 2;

/** Σ_c(i, j) of S·Σ_c·S from a function giving Σ_c(i, j). */
const scaled = (sigma: (c: number, i: number, j: number) => number, c: number, i: number, j: number) =>
  sigma(c, i, j) * sd[i] * sd[j];

describe('rescaleCovariances', () => {
  it('full and tied: every block is S·Σ·S', () => {
    const sym = (c: number, i: number, j: number) => 1 + c + 0.1 * (i + j) + (i === j ? 2 : 0);
    for (const [name, blocks] of [
      ['full', k],
      ['tied', 1],
    ] as const) {
      const values = new Float64Array(blocks * d * d);
      for (let c = 0; c < blocks; c++)
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) values[c * d * d + i * d + j] = sym(c, i, j);
      const before = values.slice();
      const r = rescaleCovariances(name, values, k, sd);
      expect(r.covarianceType).toBe(name);
      expect(values).toEqual(before); // the input untouched
      for (let c = 0; c < blocks; c++)
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) expect(r.covariances[c * d * d + i * d + j]).toBe(scaled(sym, c, i, j));
    }
  });

  it('diag scales each variance by s_j²; spherical becomes diag, σ²·s_j²', () => {
    const diag = rescaleCovariances('diag', Float64Array.of(1, 2, 3, 4, 5, 6), k, sd);
    expect(diag.covarianceType).toBe('diag');
    for (let c = 0; c < k; c++)
      for (let j = 0; j < d; j++) expect(diag.covariances[c * d + j]).toBe((c * d + j + 1) * sd[j] ** 2);
    const sph = rescaleCovariances('spherical', Float64Array.of(2, 7), k, sd);
    expect(sph.covarianceType).toBe('diag');
    expect(Array.from(sph.covariances)).toEqual([2, 7].flatMap((v) => Array.from(sd, (s) => v * s * s)));
    expect(rescaledAs('spherical')).toEqual({ as: 'diag', shape: 'diagonal' });
    expect(rescaledAs('full')).toEqual({ as: 'full' });
  });

  it("refuses mclust's constrained models, whose constraint rescaling would break", () => {
    expect(RESCALABLE_TYPES).toEqual(['full', 'tied', 'diag', 'spherical']);
    for (const name of MCLUST_TYPES) {
      expect(rescaledAs(name)).toBeNull();
      expect(() => rescaleCovariances(name, new Float64Array(k), k, sd)).toThrow('do not stay a model');
    }
  });
});
