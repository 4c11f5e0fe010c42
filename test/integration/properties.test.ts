/**
 * Property tests (fast-check) of the EM invariants, on synthetic mixtures from test/helpers/data.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DegenerateError, FitError, GaussianMixture, type CovarianceType } from '../../src/index.js';
import { adjustedRand, covMatrices, deepFreeze, isSPD, mixture } from '../helpers/data.js';
import { expectClose, flat } from '../helpers/compare.js';

const COV_TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const covArb = fc.constantFrom(...COV_TYPES);
const backendArb = fc.constantFrom('js' as const, 'wasm' as const);
const runs = { numRuns: 25 };

describe('EM invariants', () => {
  it('the lower bound never decreases between iterations (soft and hard EM, frozen groups, weights)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        covArb,
        backendArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('em' as const, 'hard' as const),
        fc.subarray(['weights', 'means', 'covariances'] as const),
        fc.boolean(),
        (seed, covarianceType, backend, k, d, algorithm, freeze, weighted) => {
          const { X } = mixture(seed, 120, d, 3, 3);
          const bounds: number[] = [];
          const sampleWeight = weighted ? X.map((_, i) => ((i * 7919) % 5) / 2) : undefined;
          // regCovar 0: with regularisation the M-step is a MAP-like update, and the plain likelihood may dip by
          // O(regCovar²) (scikit-learn behaves the same); EM proper is monotone only without it.
          try {
            new GaussianMixture({
              nComponents: k,
              covarianceType,
              backend,
              algorithm,
              freeze: [...freeze],
              seed,
              tol: 0,
              maxIter: 30,
              regCovar: 0,
              onIteration: ({ lowerBound }) => bounds.push(lowerBound),
            }).fit(X, { sampleWeight });
          } catch (e) {
            fc.pre(!(e instanceof FitError)); // a component collapsed onto < d+1 points: no likelihood to compare
            throw e;
          }
          for (let i = 1; i < bounds.length; i++) {
            expect(bounds[i] - bounds[i - 1]).toBeGreaterThanOrEqual(-1e-9 * Math.max(1, Math.abs(bounds[i])));
          }
        },
      ),
      runs,
    );
  });

  it('responsibilities of every row sum to 1 and lie in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        covArb,
        backendArb,
        fc.integer({ min: 1, max: 5 }),
        (seed, covarianceType, backend, k) => {
          const { X } = mixture(seed, 80, 3, 3, 4);
          const proba = new GaussianMixture({ nComponents: k, covarianceType, backend, seed }).fit(X).predictProba(X);
          for (const row of proba) {
            expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
            for (const p of row) expect(p >= 0 && p <= 1).toBe(true);
          }
        },
      ),
      runs,
    );
  });

  it('fitted covariances are symmetric positive definite and parameters finite', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        covArb,
        backendArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        (seed, covarianceType, backend, k, d) => {
          const { X } = mixture(seed, 100, d, 3, 3);
          const gm = new GaussianMixture({ nComponents: k, covarianceType, backend, seed }).fit(X);
          for (const m of covMatrices(gm)) expect(isSPD(m)).toBe(true);
          for (const v of [...flat(gm.means), ...flat(gm.weights), ...flat(gm.covariances as never)])
            expect(Number.isFinite(v)).toBe(true);
          expect(Math.abs(gm.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        },
      ),
      runs,
    );
  });

  it('wasm and js backends agree to 1e-10', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        covArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        (seed, covarianceType, k, d, weighted) => {
          const { X } = mixture(seed, 150, d, 3, 4);
          const sampleWeight = weighted ? X.map((_, i) => 0.5 + (i % 3)) : undefined;
          const opts = { nComponents: k, covarianceType, seed, tol: 0, maxIter: 15 };
          const a = new GaussianMixture({ ...opts, backend: 'js' }).fit(X, { sampleWeight });
          const b = new GaussianMixture({ ...opts, backend: 'wasm' }).fit(X, { sampleWeight });
          expect(a.backend).toBe('js');
          expect(b.backend).toBe('wasm');
          expectClose(b.means, a.means, 1e-10, 'means');
          expectClose(b.covariances as never, a.covariances as never, 1e-10, 'covariances');
          expectClose(b.weights, a.weights, 1e-10, 'weights');
          expectClose(b.lowerBound, a.lowerBound, 1e-10, 'lowerBound');
          expectClose(b.scoreSamples(X), a.scoreSamples(X), 1e-10, 'scoreSamples', 1);
        },
      ),
      runs,
    );
  });

  it('the same seed gives a bit-identical fit; nInit restarts pick the best lower bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        covArb,
        backendArb,
        fc.constantFrom('kmeans', 'k-means++', 'random', 'random_from_data') as fc.Arbitrary<'kmeans'>,
        (seed, covarianceType, backend, initParams) => {
          const { X } = mixture(seed, 90, 2, 3, 3);
          const opts = { nComponents: 3, covarianceType, backend, seed, initParams, maxIter: 20 };
          const a = new GaussianMixture(opts).fit(X);
          const b = new GaussianMixture(opts).fit(X);
          expect(flat(b.means)).toEqual(flat(a.means));
          expect(flat(b.covariances as never)).toEqual(flat(a.covariances as never));
          expect(b.lowerBound).toBe(a.lowerBound);
          const multi = new GaussianMixture({ ...opts, nInit: 3 }).fit(X);
          expect(multi.lowerBound).toBeGreaterThanOrEqual(a.lowerBound - 1e-12);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('recovers well-separated mixtures (adjusted Rand index > 0.95)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        covArb,
        backendArb,
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 2, max: 6 }),
        (seed, covarianceType, backend, k, d) => {
          const { X, labels } = mixture(seed, 400, d, k, 12);
          const gm = new GaussianMixture({ nComponents: k, covarianceType, backend, seed, nInit: 3 });
          expect(adjustedRand(gm.fitPredict(X), labels)).toBeGreaterThan(0.95);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('never mutates its inputs (deep-frozen X, options and weights)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), covArb, backendArb, (seed, covarianceType, backend) => {
        const { X } = mixture(seed, 60, 3, 2, 5);
        const frozen = deepFreeze(X.map((r) => [...r]));
        const weights = deepFreeze(X.map((_, i) => 1 + (i % 2)));
        const meansInit = deepFreeze([frozen[0].slice(), frozen[1].slice()]);
        const options = Object.freeze({
          nComponents: 2,
          covarianceType,
          backend,
          seed,
          meansInit,
          freeze: deepFreeze(['weights' as const]),
        });
        const typed = Float64Array.from(X.flat());
        const before = typed.slice();
        const gm = new GaussianMixture(options);
        gm.fit(frozen, { sampleWeight: weights });
        gm.predict(frozen);
        gm.predictProba(frozen);
        gm.score(frozen);
        gm.fit({ data: typed, rows: 60, cols: 3 });
        expect(typed).toEqual(before);
        expect(frozen).toEqual(X);
      }),
      { numRuns: 10 },
    );
  });

  it('integer sample weights fit exactly like repeated rows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        covArb,
        backendArb,
        fc.constantFrom('em' as const, 'hard' as const),
        (seed, covarianceType, backend, algorithm) => {
          const { X } = mixture(seed, 50, 2, 2, 5);
          const counts = X.map((_, i) => (i * 31 + seed) % 4); // zeros included
          counts[0] = Math.max(counts[0], 1);
          counts[1] = Math.max(counts[1], 1);
          const repeated = X.flatMap((row, i) => Array.from({ length: counts[i] }, () => row));
          const start = { meansInit: [X[0], X[1]], weightsInit: [0.5, 0.5] };
          const opts = { nComponents: 2, covarianceType, backend, algorithm, tol: 0, maxIter: 25, ...start };
          // Hard EM can empty a component (a DegenerateError under the default policy): then both must fail alike.
          const attempt = (fit: () => GaussianMixture): GaussianMixture | Error => {
            try {
              return fit();
            } catch (e) {
              if (e instanceof DegenerateError) return e;
              throw e;
            }
          };
          const a = attempt(() => new GaussianMixture(opts).fit(X, { sampleWeight: counts }));
          const b = attempt(() => new GaussianMixture(opts).fit(repeated));
          if (a instanceof Error || b instanceof Error) {
            expect(
              a instanceof Error && b instanceof Error,
              `one failed, the other did not: ${String(a)} / ${String(b)}`,
            ).toBe(true);
            expect({
              component: (a as DegenerateError).component,
              iteration: (a as DegenerateError).iteration,
            }).toEqual({ component: (b as DegenerateError).component, iteration: (b as DegenerateError).iteration });
            return;
          }
          expectClose(a.means, b.means, 1e-9, 'means');
          expectClose(a.covariances as never, b.covariances as never, 1e-9, 'covariances');
          expectClose(a.weights, b.weights, 1e-9, 'weights');
          expectClose(a.lowerBound, b.lowerBound, 1e-9, 'lowerBound');
        },
      ),
      runs,
    );
  });
});
