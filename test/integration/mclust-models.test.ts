/**
 * mclust's fourteen models on the built wasm kernels and in every driver:
 *  - parity with R mclust 6.0's me() on the wasm backend (a sample of the fixture's grid: every model on one data
 *    set each, two controls) to 1e-6 relative, as the JS twin in test/unit/api/mclust-parity.test.ts;
 *  - wasm ≡ js (1e-10) and fit ≡ fitAsync ≡ fitStream (1e-10; a stream whose sample is all rows) for every model,
 *    from initParams 'hc' — so the 'row-subset' request works in every driver — and from k-means.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, type GaussianMixtureOptions } from '../../src/index.js';
import { MCLUST_MODELS } from '../../src/model/covariance/mclust/types.js';
import { expectClose } from '../helpers/compare.js';
import { mclustData, mclustFixture } from '../helpers/mclust-fixture.js';
import { deviation, fitLikeMe } from '../helpers/mclust-parity.js';

const TOL = 1e-10;

function expectSame(a: GaussianMixture, b: GaussianMixture, label: string): void {
  expect(a.nIter, `${label}: nIter`).toBe(b.nIter);
  expectClose(a.weights, b.weights, TOL, `${label}: weights`);
  expectClose(a.means, b.means, TOL, `${label}: means`);
  expectClose(a.covariances, b.covariances, TOL, `${label}: covariances`);
  expectClose(a.lowerBound, b.lowerBound, TOL, `${label}: lowerBound`);
}

describe('parity with mclust on the wasm backend', () => {
  const cases = mclustFixture.cases;
  it.each(MCLUST_MODELS.map((m, i) => [m, cases[i % cases.length]] as const))('%s', (model, c) => {
    for (const run of c.models[model].me.filter((r) => r.id === 'default' || r.id === 't0-it50-in50')) {
      const gm = fitLikeMe(c, model, run, 'wasm');
      expect(gm.backend).toBe('wasm');
      const dev = deviation(gm, c, run);
      for (const key of ['params', 'loglik', 'bic', 'icl'] as const)
        expect(dev[key], `${c.name} K=${c.K} ${model} ${run.id} ${key}`).toBeLessThan(1e-6);
    }
  });
});

describe('every driver and backend', () => {
  const X = mclustData('iris');
  it.each(MCLUST_MODELS.map((m, i) => [m, i % 2 === 0 ? 'hc' : 'kmeans'] as const))(
    '%s (%s start)',
    async (model, initParams) => {
      const o: GaussianMixtureOptions = {
        nComponents: 3,
        covarianceType: model,
        initParams,
        maxIter: 15,
        tol: 0,
        seed: 2,
      };
      const js = new GaussianMixture({ ...o, backend: 'js' }).fit(X);
      const wasm = new GaussianMixture({ ...o, backend: 'wasm' }).fit(X);
      expectSame(wasm, js, `${model} wasm vs js`);
      const parallel = await new GaussianMixture({ ...o, backend: 'wasm' }).fitAsync(X, { workers: 2 });
      expectSame(parallel, wasm, `${model} fitAsync vs fit`);
      const stream = await new GaussianMixture({ ...o, backend: 'wasm' }).fitStream(() => [
        X.slice(0, 70),
        X.slice(70),
      ]);
      expectSame(stream, wasm, `${model} fitStream vs fit`);
    },
  );
});
