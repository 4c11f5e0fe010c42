/**
 * Property tests (fast-check) of MAP-EM and the noise component on both backends: the log posterior never decreases
 * (regCovar 0: the prior alone keeps covariances positive definite), and with noise the log-likelihood never
 * decreases, the noise weight stays in [0, 1] and the weights with it sum to 1. EEI is left out of the monotone
 * property: mclust's EEI prior step does not shrink the means, so it is not an exact posterior mode (model/prior.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitError, GaussianMixture, type CovarianceType } from '../../src/index.js';
import { contaminatedMixture } from '../helpers/contaminated.js';
import { mixture } from '../helpers/data.js';

const PRIOR_TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical', 'EII', 'VEI', 'EVI', 'EEV', 'VEV'];
const backendArb = fc.constantFrom('js' as const, 'wasm' as const);
const runs = { numRuns: 15 };

function nonDecreasing(bounds: number[]): void {
  for (let i = 1; i < bounds.length; i++)
    expect(bounds[i] - bounds[i - 1]).toBeGreaterThanOrEqual(-1e-9 * Math.max(1, Math.abs(bounds[i])));
}

describe('MAP-EM and noise invariants', () => {
  it('the log posterior never decreases (prior, regCovar 0)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom(...PRIOR_TYPES),
        backendArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (seed, covarianceType, backend, k, d, weighted) => {
          const { X } = mixture(seed, 120, d, 3, 3);
          const sampleWeight = weighted ? X.map((_, i) => ((i * 7919) % 5) / 2) : undefined;
          const bounds: number[] = [];
          try {
            new GaussianMixture({
              nComponents: k,
              covarianceType,
              backend,
              seed,
              prior: true,
              regCovar: 0,
              tol: 0,
              maxIter: 30,
              onIteration: ({ lowerBound }) => bounds.push(lowerBound),
            }).fit(X, { sampleWeight });
          } catch (e) {
            fc.pre(!(e instanceof FitError)); // a component's mass vanished: nothing to compare
            throw e;
          }
          nonDecreasing(bounds);
        },
      ),
      runs,
    );
  });

  it('with noise: the log-likelihood never decreases, the noise weight is in [0, 1] and the weights sum to 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom<CovarianceType>('full', 'tied', 'diag', 'spherical', 'VEV', 'EVE'),
        backendArb,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0.02, max: 0.3, noNaN: true }),
        (seed, covarianceType, backend, k, d, fraction) => {
          const c = contaminatedMixture(seed, 150, d, 2, fraction);
          const bounds: number[] = [];
          let gm: GaussianMixture;
          try {
            gm = new GaussianMixture({
              nComponents: k,
              covarianceType,
              backend,
              seed,
              noise: true,
              regCovar: 0,
              tol: 0,
              maxIter: 25,
              onIteration: ({ lowerBound }) => bounds.push(lowerBound),
            }).fit(c.X);
          } catch (e) {
            fc.pre(!(e instanceof FitError));
            throw e;
          }
          nonDecreasing(bounds);
          const w0 = gm.noiseWeight!;
          expect(w0).toBeGreaterThanOrEqual(0);
          expect(w0).toBeLessThanOrEqual(1);
          expect(gm.weights.reduce((a, b) => a + b, 0) + w0).toBeCloseTo(1, 12);
        },
      ),
      runs,
    );
  });
});
