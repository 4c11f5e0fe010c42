/**
 * Missing values on the built kernels and every driver:
 *  - parity with the numpy reference (test/fixtures/missing-em.json) on the wasm backend, to 1e-8;
 *  - without any NaN, missing: 'marginalize' gives today's results bit for bit (a guard-grid-style grid over data
 *    sets, covariance types, initialisations and both backends, plus weights, restarts, resets, fitStream and
 *    fitAsync);
 *  - with NaN, fit ≡ fitAsync ≡ fitStream to 1e-10 (shared memory and private copies, 1–3 workers, weights), and
 *    fitAsync gives the same result on every run;
 *  - fitAsync's typed errors for what cannot be fitted.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DataError,
  GaussianMixture,
  type CovarianceType,
  type GaussianMixtureOptions,
  type InitParams,
} from '../../src/index.js';
import { setForceCopies } from '../../src/drivers/workers/driver.js';
import { expectClose, flat } from '../helpers/compare.js';
import { dataset, expectMatchesReference, missingFixture, startOptions } from '../helpers/missing.js';

const COV: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const BACKENDS = ['wasm', 'js'] as const;

function csv(name: string): number[][] {
  return readFileSync(new URL(`../../data/${name}.csv`, import.meta.url), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) =>
      l
        .split(',')
        .map(Number)
        .filter((_, j, row) => !(name === 'iris' && j === row.length - 1)),
    );
}

function fitted(gm: GaussianMixture): unknown {
  return {
    weights: Array.from(gm.weights),
    means: gm.means.map((m) => Array.from(m)),
    covariances: flat(gm.covariances as never),
    precisionsCholesky: flat(gm.precisionsCholesky as never),
    lowerBound: gm.lowerBound,
    nIter: gm.nIter,
    converged: gm.converged,
    backend: gm.backend,
    resets: gm.resets,
  };
}

function expectSameFit(a: GaussianMixture, b: GaussianMixture, label: string): void {
  expect(a.backend, `${label}: backend`).toBe(b.backend);
  expect(a.nIter, `${label}: nIter`).toBe(b.nIter);
  expect(a.converged, `${label}: converged`).toBe(b.converged);
  expectClose(a.weights, b.weights, 1e-10, `${label}: weights`);
  expectClose(a.means, b.means, 1e-10, `${label}: means`);
  expectClose(a.covariances as never, b.covariances as never, 1e-10, `${label}: covariances`);
  expectClose(a.lowerBound, b.lowerBound, 1e-10, `${label}: lowerBound`);
}

const chunks = (X: number[][], size: number): number[][][] =>
  Array.from({ length: Math.ceil(X.length / size) }, (_, i) => X.slice(i * size, (i + 1) * size));

afterEach(() => setForceCopies(false));

describe('parity with the numpy reference on the wasm backend', () => {
  it.each(missingFixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const X = dataset(c.dataset);
    const lowerBounds: number[] = [];
    const gm = new GaussianMixture({
      ...startOptions(c),
      backend: 'wasm',
      onIteration: (i) => lowerBounds.push(i.lowerBound),
    }).fit(X, { sampleWeight: c.sampleWeight });
    expect(gm.backend).toBe('wasm');
    expectMatchesReference(gm, X, lowerBounds, c, 1e-8);
  });
});

describe("without NaN, 'marginalize' changes nothing, bit for bit", () => {
  const DATA: Record<string, { X: number[][]; k: number }> = {
    faithful: { X: csv('faithful'), k: 3 },
    iris: { X: csv('iris'), k: 3 },
    diabetes: { X: csv('diabetes'), k: 3 },
    banknote: { X: csv('banknote'), k: 2 },
  };
  const INITS: InitParams[] = ['kmeans', 'random'];
  const grid: [string, number[][], GaussianMixtureOptions][] = [];
  for (const [set, { X, k }] of Object.entries(DATA)) {
    for (const covarianceType of COV) {
      for (const initParams of INITS) {
        for (const backend of BACKENDS) {
          grid.push([
            `${set}/${covarianceType}/${initParams}/${backend}`,
            X,
            { nComponents: k, covarianceType, initParams, seed: 7, backend },
          ]);
        }
      }
    }
  }
  it.each(grid)('fit %s', (_, X, o) => {
    const a = new GaussianMixture(o).fit(X);
    const b = new GaussianMixture({ ...o, missing: 'marginalize' }).fit(X);
    expect(fitted(b)).toEqual(fitted(a));
    expect(Array.from(b.scoreSamples(X))).toEqual(Array.from(a.scoreSamples(X)));
  });

  for (const backend of BACKENDS) {
    it(`weights, restarts, resets, fitStream and fitAsync (${backend})`, async () => {
      const F = DATA.faithful.X;
      const I = DATA.iris.X;
      const w = F.map((_, i) => 1 + (i % 3));
      const runs: [string, (o: GaussianMixtureOptions) => Promise<GaussianMixture> | GaussianMixture][] = [
        ['sampleWeight', (o) => new GaussianMixture(o).fit(F, { sampleWeight: w })],
        ['nInit 3', (o) => new GaussianMixture({ ...o, nInit: 3 }).fit(I)],
        [
          'onDegenerate reset',
          (o) => new GaussianMixture({ ...o, nComponents: 4, tol: 0, maxIter: 25, onDegenerate: 'reset' }).fit(I),
        ],
        ['fitStream', (o) => new GaussianMixture(o).fitStream(() => chunks(F, 50))],
        ['fitAsync', (o) => new GaussianMixture(o).fitAsync(DATA.banknote.X, { workers: 2 })],
        ['fitAsync weighted', (o) => new GaussianMixture(o).fitAsync(F, { workers: 2, sampleWeight: w })],
      ];
      for (const covarianceType of COV) {
        const o: GaussianMixtureOptions = { nComponents: 3, covarianceType, seed: 3, backend };
        for (const [name, run] of runs) {
          const a = await run(o);
          const b = await run({ ...o, missing: 'marginalize' });
          expect(fitted(b), `${covarianceType} ${name}`).toEqual(fitted(a));
        }
      }
    });
  }
});

describe('with NaN, fit ≡ fitAsync ≡ fitStream', () => {
  for (const backend of BACKENDS) {
    it(`every covariance type, weights, 2 and 3 workers, shared memory and copies (${backend})`, async () => {
      const X = dataset('banknote-30');
      const w = X.map((_, i) => 0.5 + (i % 4));
      for (const covarianceType of COV) {
        const o: GaussianMixtureOptions = { nComponents: 2, covarianceType, missing: 'marginalize', seed: 5, backend };
        const ref = new GaussianMixture(o).fit(X, { sampleWeight: w });
        for (const [workers, copies] of [
          [2, false],
          [3, true],
        ] as const) {
          setForceCopies(copies);
          const got = await new GaussianMixture(o).fitAsync(X, { workers, sampleWeight: w });
          expectSameFit(got, ref, `${covarianceType}: fitAsync ${workers} workers${copies ? ' (copies)' : ''}`);
          if (covarianceType === 'full') {
            const again = await new GaussianMixture(o).fitAsync(X, { workers, sampleWeight: w });
            expect(fitted(again), 'fitAsync is the same from run to run').toEqual(fitted(got));
          }
        }
        setForceCopies(false);
        let at = 0;
        const weighted = chunks(X, 97).map((c) => {
          at += c.length;
          return { X: c, sampleWeight: w.slice(at - c.length, at) };
        });
        const streamed = await new GaussianMixture(o).fitStream(() => weighted);
        expectSameFit(streamed, ref, `${covarianceType}: fitStream`);
      }
    });
  }

  it('onDegenerate reset on rows with NaN: the same re-seedings in every driver, at completed rows', async () => {
    const X = dataset('iris-10');
    const o: GaussianMixtureOptions = {
      nComponents: 9,
      covarianceType: 'diag',
      regCovar: 0,
      tol: 0,
      maxIter: 30,
      onDegenerate: 'reset',
      missing: 'marginalize',
      seed: 1,
    };
    const ref = new GaussianMixture(o).fit(X);
    expect(ref.resets.length, 'the case re-seeds').toBeGreaterThan(0);
    for (const m of ref.means) expect(Array.from(m).every(Number.isFinite)).toBe(true);
    const par = await new GaussianMixture(o).fitAsync(X, { workers: 2 });
    expect(par.resets).toEqual(ref.resets);
    expectSameFit(par, ref, 'fitAsync with resets');
    const str = await new GaussianMixture(o).fitStream(() => chunks(X, 40));
    expect(str.resets).toEqual(ref.resets);
    expectSameFit(str, ref, 'fitStream with resets');
  });

  it('fitAsync refuses what fit refuses, with the same typed errors, and keeps the model', async () => {
    const X = dataset('iris-20');
    const gm = new GaussianMixture({ nComponents: 3, missing: 'marginalize' }).fit(X);
    const before = JSON.stringify(gm.toJSON());
    const noRow = X.map((r) => r.slice());
    noRow[9] = [NaN, NaN, NaN, NaN];
    const noColumn = X.map((r) => [r[0], NaN, r[2], r[3]]).filter((r) => !Number.isNaN(r[0] + r[2] + r[3]));
    for (const bad of [noRow, noColumn]) {
      let syncError: unknown = null;
      try {
        new GaussianMixture({ nComponents: 3, missing: 'marginalize' }).fit(bad);
      } catch (e) {
        syncError = e;
      }
      expect(syncError).toBeInstanceOf(DataError);
      const e = await gm.fitAsync(bad, { workers: 2 }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(DataError);
      expect((e as Error).message).toBe((syncError as Error).message);
      expect(JSON.stringify(gm.toJSON())).toBe(before);
    }
  });
});
