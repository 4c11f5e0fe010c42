/**
 * MAP-EM (option prior) and the noise component (option noise) on the built wasm kernels and in every driver:
 *  - parity with R mclust 6.0's me() on the wasm backend (every recorded run of one data set per model; the JS twin
 *    runs the whole grid in test/unit/api/prior-parity.test.ts and noise-parity.test.ts) to 1e-6 relative;
 *  - wasm ≡ js and fit ≡ fitAsync ≡ fitStream (1e-10; a stream whose sample is all rows) with a prior — the prior's
 *    defaults come from E-passes over all rows, so every driver resolves the same prior — and wasm ≡ js ≡ fitAsync ≡
 *    fitStream with noise (a stream whose sample is all rows: its region is measured in passes over the stream, its
 *    start made on the sample — fit's start on the same rows), for every storage layout; fitStream over a CSV file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GaussianMixture, type GaussianMixtureOptions } from '../../src/index.js';
import { MCLUST_MODELS } from '../../src/model/covariance/mclust/types.js';
import { expectClose } from '../helpers/compare.js';
import { contaminatedMixture } from '../helpers/contaminated.js';
import { mclustData } from '../helpers/mclust-fixture.js';
import { contaminated, fitLikeMe, priorNoiseFixture, runDeviation } from '../helpers/prior-noise-fixture.js';

const TOL = 1e-10;
const PRIOR_MODELS = ['EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'EEV', 'VEV', 'VVV'];

function expectSame(a: GaussianMixture, b: GaussianMixture, label: string): void {
  expect(a.nIter, `${label}: nIter`).toBe(b.nIter);
  expectClose(a.weights, b.weights, TOL, `${label}: weights`);
  expectClose(a.means, b.means, TOL, `${label}: means`);
  expectClose(a.covariances, b.covariances, TOL, `${label}: covariances`);
  expectClose(a.lowerBound, b.lowerBound, TOL, `${label}: lowerBound`);
  if (b.noiseWeight !== null) expectClose(a.noiseWeight!, b.noiseWeight, TOL, `${label}: noiseWeight`);
}

describe('parity with mclust on the wasm backend', () => {
  const cases = priorNoiseFixture.cases;
  it.each(PRIOR_MODELS.map((m, i) => [m, cases[i % cases.length]] as const))('prior: %s', (model, c) => {
    for (const run of c.prior[model].runs) {
      const gm = fitLikeMe(c, model, run, 'wasm', { prior: true });
      expect(gm.backend).toBe('wasm');
      const dev = runDeviation(gm, run, mclustData(c.file));
      expect(dev.params, `${c.name} ${model} itmax ${run.itmax}`).toBeLessThan(1e-6);
      expect(dev.loglik, `${c.name} ${model} itmax ${run.itmax}`).toBeLessThan(1e-6);
    }
  });
  it.each(MCLUST_MODELS.map((m, i) => [m, cases[i % cases.length]] as const))('noise: %s', (model, c) => {
    for (const run of c.contaminated.models[model].runs) {
      const gm = fitLikeMe(c, model, run, 'wasm', {}, true);
      const dev = runDeviation(gm, run, contaminated(c));
      expect(dev.params, `${c.name} ${model} itmax ${run.itmax}`).toBeLessThan(1e-6);
      expect(dev.loglik, `${c.name} ${model} itmax ${run.itmax}`).toBeLessThan(1e-6);
    }
  });
});

describe('every driver and backend', () => {
  const X = mclustData('iris');
  it.each(['full', 'tied', 'diag', 'spherical', 'EEI', 'VEV'] as const)('prior: %s', async (covarianceType) => {
    const o: GaussianMixtureOptions = { nComponents: 3, covarianceType, prior: true, maxIter: 15, tol: 0, seed: 2 };
    const js = new GaussianMixture({ ...o, backend: 'js' }).fit(X);
    const wasm = new GaussianMixture({ ...o, backend: 'wasm' }).fit(X);
    expectSame(wasm, js, `${covarianceType} wasm vs js`);
    const parallel = await new GaussianMixture({ ...o, backend: 'wasm' }).fitAsync(X, { workers: 2 });
    expectSame(parallel, wasm, `${covarianceType} fitAsync vs fit`);
    const stream = await new GaussianMixture({ ...o, backend: 'wasm' }).fitStream(() => [X.slice(0, 70), X.slice(70)]);
    expectSame(stream, wasm, `${covarianceType} fitStream vs fit`);
  });

  const c = contaminatedMixture(9, 400, 3, 3, 0.1);
  it.each(['full', 'tied', 'diag', 'spherical', 'VEV'] as const)('noise: %s', async (covarianceType) => {
    const o: GaussianMixtureOptions = { nComponents: 3, covarianceType, noise: true, maxIter: 15, tol: 0, seed: 2 };
    const js = new GaussianMixture({ ...o, backend: 'js' }).fit(c.X);
    const wasm = new GaussianMixture({ ...o, backend: 'wasm' }).fit(c.X);
    expectSame(wasm, js, `${covarianceType} wasm vs js`);
    expect(wasm.predict(c.X)).toEqual(js.predict(c.X));
    const parallel = await new GaussianMixture({ ...o, backend: 'wasm' }).fitAsync(c.X, { workers: 2 });
    expectSame(parallel, wasm, `${covarianceType} fitAsync vs fit`);
    const stream = await new GaussianMixture({ ...o, backend: 'wasm' }).fitStream(() => [
      c.X.slice(0, 150),
      c.X.slice(150),
    ]);
    expectSame(stream, wasm, `${covarianceType} fitStream vs fit`);
    const both = { ...o, prior: true, backend: 'wasm' } as const;
    const bothFit = new GaussianMixture(both).fit(c.X);
    expectSame(
      await new GaussianMixture(both).fitAsync(c.X, { workers: 2 }),
      bothFit,
      `${covarianceType} prior + noise fitAsync vs fit`,
    );
    expectSame(
      await new GaussianMixture(both).fitStream(() => [c.X]),
      bothFit,
      `${covarianceType} prior + noise fitStream vs fit`,
    );
  });

  it('noise: fitStream over a CSV file equals fit on its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaussmix-noise-'));
    try {
      const file = join(dir, 'contaminated.csv');
      writeFileSync(file, `a,b,c\n${c.X.map((r) => r.join(',')).join('\n')}\n`);
      const o: GaussianMixtureOptions = { nComponents: 3, noise: true, seed: 2, backend: 'wasm' };
      const fromFile = await new GaussianMixture(o).fitStream(file);
      expectSame(fromFile, new GaussianMixture(o).fit(c.X), 'CSV fitStream vs fit');
      expect(fromFile.featureNames).toEqual(['a', 'b', 'c']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
