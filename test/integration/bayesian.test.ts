/**
 * BayesianGaussianMixture on the built kernels and the other drivers: scikit-learn parity on the wasm backend (the
 * same fixture checks as the JS twin's, test/helpers/bayesian-parity.ts), and fit ≡ fitAsync ≡ fitStream to 1e-10
 * — the variational fit runs on the existing drivers unchanged, so worker threads (shared memory or per-worker
 * copies) and a chunked stream must reproduce the in-process fit up to the order statistics are added in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BayesianGaussianMixture,
  OptionError,
  type BayesianCovarianceType,
  type BayesianGaussianMixtureOptions,
  type WeightConcentrationPriorType,
} from '../../src/index.js';
import { setForceCopies } from '../../src/drivers/workers/driver.js';
import { terminateIdleWorkers } from '../../src/drivers/workers/pool.js';
import { liveWorkers } from '../../src/drivers/workers/spawn.js';
import { bayesianParity } from '../helpers/bayesian-parity.js';
import { expectClose, flat } from '../helpers/compare.js';
import { mixture } from '../helpers/data.js';

bayesianParity(BayesianGaussianMixture, 'wasm');

const TOL = 1e-10;
const COVARIANCE_TYPES: BayesianCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const PRIOR_TYPES: WeightConcentrationPriorType[] = ['dirichlet_process', 'dirichlet_distribution'];

function expectSameFit(a: BayesianGaussianMixture, b: BayesianGaussianMixture, label: string): void {
  expect(a.backend, `${label}: backend`).toBe(b.backend);
  expect(a.nIter, `${label}: nIter`).toBe(b.nIter);
  expect(a.converged, `${label}: converged`).toBe(b.converged);
  expectClose(a.weights, b.weights, TOL, `${label}: weights`);
  expectClose(a.means, b.means, TOL, `${label}: means`);
  expectClose(a.covariances as never, b.covariances as never, TOL, `${label}: covariances`);
  expectClose(a.precisionsCholesky as never, b.precisionsCholesky as never, TOL, `${label}: precisionsCholesky`);
  expectClose(flat(a.weightConcentration as never), flat(b.weightConcentration as never), TOL, `${label}: conc.`);
  expectClose(a.meanPrecision, b.meanPrecision, TOL, `${label}: meanPrecision`);
  expectClose(a.degreesOfFreedom as never, b.degreesOfFreedom as never, TOL, `${label}: degreesOfFreedom`);
  expectClose(a.lowerBounds, b.lowerBounds, TOL, `${label}: lowerBounds`);
  expectClose(a.priors.covariancePrior as never, b.priors.covariancePrior as never, TOL, `${label}: covariancePrior`);
}

afterEach(async () => {
  setForceCopies(false);
  await terminateIdleWorkers();
  expect(liveWorkers(), 'workers still running after the test').toBe(0);
});

describe('BayesianGaussianMixture: fit ≡ fitAsync ≡ fitStream (wasm)', () => {
  const { X } = mixture(21, 3000, 3, 4, 4);
  const chunks = (rows: number[][], w?: number[]) => () =>
    Array.from({ length: Math.ceil(rows.length / 700) }, (_, i) =>
      w
        ? { X: rows.slice(i * 700, (i + 1) * 700), sampleWeight: w.slice(i * 700, (i + 1) * 700) }
        : rows.slice(i * 700, (i + 1) * 700),
    );

  for (const t of COVARIANCE_TYPES) {
    for (const prior of PRIOR_TYPES) {
      it(`${t}, ${prior}`, async () => {
        const o: BayesianGaussianMixtureOptions = {
          nComponents: 8,
          covarianceType: t,
          weightConcentrationPriorType: prior,
          seed: 7,
          maxIter: 300,
        };
        const a = new BayesianGaussianMixture(o).fit(X);
        expect(a.backend).toBe('wasm');
        const b = await new BayesianGaussianMixture(o).fitAsync(X, { workers: 2 });
        expectSameFit(b, a, 'fitAsync');
        const s = await new BayesianGaussianMixture(o).fitStream(chunks(X));
        expectSameFit(s, a, 'fitStream');
      });
    }
  }

  it('with sample weights, restarts from random responsibilities, and workers holding copies of their rows', async () => {
    const w = X.map((_, i) => 0.5 + (i % 7));
    const o: BayesianGaussianMixtureOptions = { nComponents: 6, initParams: 'random', nInit: 2, seed: 3, maxIter: 80 };
    const a = new BayesianGaussianMixture(o).fit(X, { sampleWeight: w });
    const named = await new BayesianGaussianMixture(o).fitAsync(X, {
      sampleWeight: w,
      workers: 3,
      featureNames: ['u', 'v', 'z'],
    });
    expectSameFit(named, a, 'fitAsync');
    expect(named.featureNames).toEqual(['u', 'v', 'z']);
    setForceCopies(true);
    expectSameFit(await new BayesianGaussianMixture(o).fitAsync(X, { sampleWeight: w, workers: 2 }), a, 'copies');
    expectSameFit(await new BayesianGaussianMixture(o).fitStream(chunks(X, w)), a, 'fitStream');
  });

  it('respInit is served by the worker that holds all rows', async () => {
    setForceCopies(true);
    const o: BayesianGaussianMixtureOptions = {
      nComponents: 5,
      respInit: Int32Array.from(X, (_, i) => i % 5),
      tol: 0,
      maxIter: 25,
    };
    const a = new BayesianGaussianMixture(o).fit(X);
    expectSameFit(await new BayesianGaussianMixture(o).fitAsync(X, { workers: 2 }), a, 'fitAsync');
  });

  it('warm starts continue the same way on every driver', async () => {
    const o: BayesianGaussianMixtureOptions = { nComponents: 5, warmStart: true, maxIter: 4, tol: 0, seed: 1 };
    const a = new BayesianGaussianMixture(o).fit(X).fit(X);
    const b = await (await new BayesianGaussianMixture(o).fitAsync(X, { workers: 2 })).fitAsync(X, { workers: 2 });
    expectSameFit(b, a, 'fitAsync');
    const s = await (await new BayesianGaussianMixture(o).fitStream(chunks(X))).fitStream(chunks(X));
    expectSameFit(s, a, 'fitStream');
  });

  it('fitAsync rejects with fit’s errors and leaves the model unchanged, also on abort', async () => {
    const m = new BayesianGaussianMixture({ nComponents: 3, meanPrior: [0, 0], seed: 2 });
    await expect(m.fitAsync(X, { workers: 2 })).rejects.toThrow(OptionError);
    await expect(m.fitAsync(X, { workers: 2 })).rejects.toThrow(
      'meanPrior must have one entry per feature of X (3); got 2',
    );
    expect(m.isFitted).toBe(false);
    const ok = await new BayesianGaussianMixture({ nComponents: 3, seed: 2 }).fitAsync(X, { workers: 2 });
    const before = JSON.stringify(ok.toJSON());
    const ac = new AbortController();
    ac.abort(new Error('stopped'));
    await expect(ok.fitAsync(X, { workers: 2, signal: ac.signal })).rejects.toThrow('stopped');
    expect(JSON.stringify(ok.toJSON())).toBe(before);
  });
});
