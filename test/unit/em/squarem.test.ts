/**
 * accelerate: 'squarem' (em/squarem.ts) on the JS twin: accepted steps never lower the log-likelihood (regCovar 0,
 * where plain EM is monotone too), it reaches plain EM's optimum to 1e-6 (or a better one) in fewer E-passes where
 * components overlap, the default and hard EM stay plain EM exactly, a degenerate component under 'error' fails as
 * in plain EM, and the option is validated.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, OptionError } from '../../../src/api/index.js';
import { mixture } from '../../helpers/data.js';

const { X } = mixture(3, 1500, 2, 4, 2.2); // overlapping: at tol 1e-9 plain EM needs 16–35 iterations, SQUAREM 11–17

describe("accelerate: 'squarem'", () => {
  it('never lowers the bound at an accepted step, and reaches plain EM’s optimum in fewer E-passes', () => {
    for (const seed of [0, 1, 2]) {
      const o = { nComponents: 4, seed, tol: 1e-9, maxIter: 5000, regCovar: 0, backend: 'js' } as const;
      const bounds: number[] = [];
      const fast = new GaussianMixture({
        ...o,
        accelerate: 'squarem',
        onIteration: ({ lowerBound }) => bounds.push(lowerBound),
      }).fit(X);
      const plain = new GaussianMixture(o).fit(X);
      for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] - 1e-13);
      expect(fast.converged).toBe(true);
      expect(fast.score(X)).toBeGreaterThan(plain.score(X) - 1e-6);
      expect(fast.nIter).toBeLessThan(plain.nIter);
    }
  });

  it("'none' (the default) and hard EM run plain EM, iteration for iteration", () => {
    const o = { nComponents: 3, seed: 4, backend: 'js' } as const;
    const a = new GaussianMixture(o).fit(X);
    const b = new GaussianMixture({ ...o, accelerate: 'none' }).fit(X);
    expect(b.lowerBound).toBe(a.lowerBound);
    expect(b.nIter).toBe(a.nIter);
    const h = new GaussianMixture({ ...o, algorithm: 'hard' }).fit(X);
    const hs = new GaussianMixture({ ...o, algorithm: 'hard', accelerate: 'squarem' }).fit(X);
    expect(hs.lowerBound).toBe(h.lowerBound);
    expect(hs.nIter).toBe(h.nIter);
  });

  it('counts every E-pass against maxIter and reports non-convergence like EM', () => {
    const g = new GaussianMixture({
      nComponents: 4,
      seed: 0,
      tol: 0,
      maxIter: 7,
      accelerate: 'squarem',
      backend: 'js',
    });
    g.fit(X);
    expect(g.nIter).toBe(7);
    expect(g.converged).toBe(false);
  });

  it('is validated', () => {
    expect(() => new GaussianMixture({ accelerate: 'fast' as never })).toThrow(OptionError);
    expect(() => new GaussianMixture({ accelerate: 'fast' as never })).toThrow(
      /accelerate must be one of 'none', 'squarem'/,
    );
  });
});
