/**
 * Static types a user meets (issue 13): a model whose options name its covariance type has covariances of that exact
 * shape; selectModel's rows narrow on `failed`. Checked by `npm run typecheck` (tsc over test/) and at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CovarianceType, GaussianMixture, selectModel, type SelectionRow } from '../../../src/api/index.js';

const X = Array.from({ length: 60 }, (_, i) => [Math.sin(i) + (i % 2) * 5, Math.cos(i * 1.3)]);

describe('static types', () => {
  it('covariances and precisionsCholesky have the shape of the named covariance type', () => {
    const full = new GaussianMixture({ nComponents: 2, covarianceType: 'full' }).fit(X);
    expectTypeOf(full.covariances).toEqualTypeOf<Float64Array[][]>();
    expect(full.covariances[0][0][0]).toBeGreaterThan(0); // TS7053 before the model was generic
    const vev = new GaussianMixture({ covarianceType: 'VEV' });
    expectTypeOf<(typeof vev)['precisionsCholesky']>().toEqualTypeOf<Float64Array[][]>();
    const tied = new GaussianMixture({ covarianceType: 'tied' });
    expectTypeOf<(typeof tied)['covariances']>().toEqualTypeOf<Float64Array[]>();
    const diag = new GaussianMixture({ nComponents: 2, covarianceType: 'diag' }).fit(X);
    expectTypeOf(diag.covariances).toEqualTypeOf<Float64Array[]>();
    expect(diag.covariances[1][1]).toBeGreaterThan(0);
    const spherical = new GaussianMixture({ nComponents: 2, covarianceType: 'spherical' }).fit(X);
    expectTypeOf(spherical.covariances).toEqualTypeOf<Float64Array>();
    expect(spherical.covariances[0]).toBeGreaterThan(0);
  });

  it('a type known only at run time (or a loaded model) gives the union of the shapes', () => {
    const t = 'diag' as CovarianceType;
    type Any = Float64Array | Float64Array[] | Float64Array[][];
    const runtime = new GaussianMixture({ covarianceType: t });
    const unnamed = new GaussianMixture();
    expectTypeOf<(typeof runtime)['covariances']>().toEqualTypeOf<Any>();
    expectTypeOf<(typeof unnamed)['covariances']>().toEqualTypeOf<Any>();
    expectTypeOf(GaussianMixture.fromJSON).returns.toEqualTypeOf<GaussianMixture>();
  });

  it("selectModel's rows narrow on failed", () => {
    const r = selectModel(X, { nComponents: [1, 2], covarianceTypes: ['full'] });
    for (const row of r.table) {
      if (!row.failed) {
        expectTypeOf(row.score).toEqualTypeOf<number>();
        expect(Number.isFinite(row.score)).toBe(true);
      } else {
        expectTypeOf(row.score).toEqualTypeOf<null>();
        expectTypeOf(row.error).toEqualTypeOf<string>();
      }
    }
    expectTypeOf<Extract<SelectionRow, { failed: true }>['score']>().toEqualTypeOf<null>();
  });
});
