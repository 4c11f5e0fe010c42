/**
 * Degenerate data and collapsing components (issue 5): every case of the corpus either fits — finite parameters,
 * positive definite covariances, no NaN anywhere — or fails with a typed error that names the problem and the fix.
 * The onDegenerate policy: 'error' (default) throws DegenerateError; 'reset' re-seeds and records it.
 * Reference values are derived by hand in each test (the transform laws of a Gaussian mixture, or the data itself).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  DegenerateError,
  FitError,
  GaussianMixture,
  GaussianMixtureError,
  OptionError,
  ModelFormatError,
  type CovarianceType,
  type GaussianMixtureOptions,
} from '../../src/index.js';
import { expectClose, flat } from '../helpers/compare.js';
import { adjustedRand, covMatrices, isSPD, mixture } from '../helpers/data.js';

const COV_TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectError(fn: () => unknown, type: new (...a: never[]) => Error, message: RegExp): unknown {
  const e = caught(fn);
  expect(e, 'expected an error').toBeInstanceOf(type);
  expect(e).toBeInstanceOf(GaussianMixtureError);
  expect((e as Error).message).toMatch(message);
  return e;
}

/** A usable model: finite parameters, weights summing to 1, SPD covariances, no NaN in any inference output. */
function expectSane(gm: GaussianMixture, X: number[][]): void {
  const all = [
    ...flat(gm.weights),
    ...flat(gm.means),
    ...flat(gm.covariances as never),
    ...flat(gm.precisionsCholesky as never),
  ];
  expect(all.every(Number.isFinite), 'finite parameters').toBe(true);
  expect(Math.abs(flat(gm.weights).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
  for (const m of covMatrices(gm)) expect(isSPD(m), 'SPD covariance').toBe(true);
  expect(Number.isNaN(gm.lowerBound)).toBe(false);
  expect(flat(gm.scoreSamples(X)).some(Number.isNaN)).toBe(false);
  expect(flat(gm.predictProba(X)).every((p) => p >= 0 && p <= 1)).toBe(true);
  expect(Array.from(gm.predict(X)).every((l) => l >= 0 && l < gm.weights.length)).toBe(true);
}

const base = mixture(21, 150, 2, 3, 8).X;

describe('degenerate data corpus', () => {
  it('all rows identical: K = 1 fits a point mass with covariance regCovar·I; K > 1 needs onDegenerate "reset"', () => {
    const X = Array.from({ length: 20 }, () => [3, -1]);
    for (const covarianceType of COV_TYPES) {
      const one = new GaussianMixture({ covarianceType }).fit(X);
      expectSane(one, X);
      expectClose(one.means, [[3, -1]], 1e-12, 'mean');
      expect(flat(covMatrices(one)[0])).toEqual([1e-6, 0, 0, 1e-6].map((v) => expect.closeTo(v, 12)));
      expectError(
        () => new GaussianMixture({ nComponents: 3, covarianceType }).fit(X),
        DataError,
        /X has only 1 distinct row but nComponents = 3.*Use nComponents ≤ 1, or onDegenerate: 'reset'/,
      );
      const three = new GaussianMixture({ nComponents: 3, covarianceType, onDegenerate: 'reset' }).fit(X);
      expectSane(three, X);
      for (const m of three.means) expectClose(m, [3, -1], 1e-12, 'every component on the point');
    }
    // Without regularisation no Gaussian fits a single point: a precise error, already at initialisation.
    const e = expectError(
      () => new GaussianMixture({ regCovar: 0 }).fit(X),
      DegenerateError,
      /at initialisation: component 0 is not positive definite — feature 0 has \(numerically\) zero variance.*Increase regCovar/,
    );
    expect((e as DegenerateError).iteration).toBe(0);
  });

  it('fewer distinct points than K: a DataError by default; "reset" fits duplicate components', () => {
    const pts = [
      [0, 0],
      [5, 5],
      [10, 0],
    ];
    const X = Array.from({ length: 30 }, (_, i) => pts[i % 3]);
    expectError(
      () => new GaussianMixture({ nComponents: 5 }).fit(X),
      DataError,
      /only 3 distinct rows but nComponents = 5/,
    );
    const w = X.map((_, i) => (i % 3 === 2 ? 0 : 1)); // distinct rows are counted among positive weights
    expectError(
      () => new GaussianMixture({ nComponents: 3 }).fit(X, { sampleWeight: w }),
      DataError,
      /only 2 distinct rows with positive weight but nComponents = 3/,
    );
    for (const covarianceType of COV_TYPES) {
      const gm = new GaussianMixture({ nComponents: 5, covarianceType, onDegenerate: 'reset', seed: 1 }).fit(X);
      expectSane(gm, X);
      // every point is explained: its own log-density is that of a regCovar-wide spike (≫ 0)
      expect(Math.min(...gm.scoreSamples(pts))).toBeGreaterThan(0);
    }
  });

  it('a constant column: fits with regCovar; without it, the error names the feature; "reset" cannot help and says so', () => {
    const X = base.map((r) => [r[0], 7, r[1]]);
    for (const covarianceType of COV_TYPES) {
      const gm = new GaussianMixture({ nComponents: 3, covarianceType, seed: 0 }).fit(X);
      expectSane(gm, X);
      for (const m of gm.means) expect(m[1]).toBeCloseTo(7, 12);
    }
    expectError(
      () => new GaussianMixture({ nComponents: 3, regCovar: 0, covarianceType: 'diag' }).fit(X),
      DegenerateError,
      /feature 1 has \(numerically\) zero variance within it.*constant, one-hot or integer-coded column.*Increase regCovar \(now 0/,
    );
    expectError(
      () => new GaussianMixture({ nComponents: 3, regCovar: 0, onDegenerate: 'reset' }).fit(X),
      DegenerateError,
      /feature 1 has zero variance over all of the data.*drop the constant column 1/,
    );
  });

  it('one-hot and integer-coded columns fit with the default regCovar; without it the collapse is reported', () => {
    const { X: Z, labels } = mixture(5, 200, 2, 3, 8);
    // one-hot of the true cluster (constant within each cluster) + an integer code 0..4
    const X = Z.map((r, i) => [...r, ...[0, 1, 2].map((c) => (labels[i] === c ? 1 : 0)), (i * 7) % 5]);
    for (const covarianceType of COV_TYPES) {
      const gm = new GaussianMixture({ nComponents: 3, covarianceType, seed: 2 }).fit(X);
      expectSane(gm, X);
      if (covarianceType !== 'spherical') expect(adjustedRand(gm.predict(X), labels)).toBe(1);
    }
    const e = expectError(
      () => new GaussianMixture({ nComponents: 3, regCovar: 0, seed: 2 }).fit(X),
      DegenerateError,
      /component \d is not positive definite — feature [2-4] has \(numerically\) zero variance/,
    );
    expect((e as DegenerateError).reason).toBe('not-pd');
    expect((e as DegenerateError).component).toBeGreaterThanOrEqual(0);
  });

  it('two perfectly collinear columns: full covariances fit with regCovar; without it the error names the combination', () => {
    const X = base.map((r) => [r[0], 2 * r[0] + 1, r[1]]);
    for (const covarianceType of COV_TYPES)
      expectSane(new GaussianMixture({ nComponents: 3, covarianceType, seed: 0 }).fit(X), X);
    expectError(
      () => new GaussianMixture({ nComponents: 3, regCovar: 0, seed: 0 }).fit(X),
      DegenerateError,
      /feature 1 is \(numerically\) a linear combination of features 0–0 within it.*collinear/,
    );
    // diagonal covariances do not see the collinearity: fine without regularisation
    expectSane(new GaussianMixture({ nComponents: 3, regCovar: 0, covarianceType: 'diag', seed: 0 }).fit(X), X);
  });

  describe.each(COV_TYPES)(
    'data scaled by 1e±150 and shifted by 1e9 fit like the original, up to the transform (%s)',
    (covarianceType) => {
      const X = mixture(8, 240, 3, 3, 6).X;
      const reg = 1e-6;
      const opts = { nComponents: 3, covarianceType, seed: 4, tol: 0, maxIter: 60 } as const;
      const ref = new GaussianMixture({ ...opts, regCovar: reg }).fit(X);
      it.each([
        ['×1e150', 1e150, 0],
        ['×1e-150', 1e-150, 0],
        ['+1e9', 1, 1e9],
        ['×1e150 +1e9·1e150', 1e150, 1e159],
      ])('%s', (_name, s, t) => {
        const Y = X.map((r) => r.map((v) => v * s + t));
        // regCovar is in squared data units: it scales with the data (s²) for the fit to be equivariant
        const gm = new GaussianMixture({ ...opts, regCovar: reg * s * s }).fit(Y);
        expectSane(gm, Y);
        const d = 3;
        expectClose(gm.weights, ref.weights, 1e-6, 'weights');
        expectClose(
          gm.means.map((m) => Array.from(m, (v) => (v - t) / s)),
          ref.means,
          1e-6,
          'means',
        );
        expectClose(
          flat(gm.covariances as never).map((v) => v / s / s),
          flat(ref.covariances as never),
          1e-6,
          'covariances',
        );
        // relative to the largest entry: the shifted data carry only ~1e-7 of their spread (1e9 + O(1) in doubles)
        const pc = flat(ref.precisionsCholesky as never);
        expectClose(
          flat(gm.precisionsCholesky as never).map((v) => v * s),
          pc,
          1e-6,
          'precisionsCholesky',
          1e3 * Math.max(...pc.map(Math.abs)),
        );
        expect(gm.lowerBound + d * Math.log(s)).toBeCloseTo(ref.lowerBound, 6);
        expect(Array.from(gm.predict(Y))).toEqual(Array.from(ref.predict(X)));
        expect(flat(gm.scoreSamples(Y)).map((v) => v + d * Math.log(s))).toEqual(
          flat(ref.scoreSamples(X)).map((v) => expect.closeTo(v, 5)),
        );
      });
    },
  );

  it('data too spread out for double precision is a DataError with the fix, not NaN', () => {
    const X = base.map((r) => [r[0] * 1e300, r[1]]);
    expectError(
      () => new GaussianMixture({ nComponents: 2 }).fit(X),
      DataError,
      /too spread out for double precision: feature 0 ranges from .*Rescale X \(e\.g\. divide it by 1e\+/,
    );
    expectError(() => new GaussianMixture().fit([[1.7e308], [-1.7e308]]), DataError, /too spread out/);
    // values near the top of the range are fine as long as their spread is representable (sums are taken relative
    // to a row, so 20 × 1e307 never overflows)
    const near = Array.from({ length: 20 }, (_, i) => [1e307, -1e307, i]);
    const top = new GaussianMixture().fit(near);
    expectSane(top, near);
    expectClose(top.means, [[1e307, -1e307, 9.5]], 1e-15, 'mean near the top of the range');
    // and tiny values: subnormal-scale data fits with a matching regCovar
    const tiny = base.map((r) => [r[0] * 1e-300, r[1] * 1e-300]);
    expectSane(
      new GaussianMixture({ nComponents: 3, covarianceType: 'diag', seed: 0, regCovar: 1e-306 }).fit(tiny),
      tiny,
    );
  });

  it('N = K: one component per point', () => {
    const X = [
      [0, 0],
      [3, 1],
      [-2, 4],
    ];
    for (const covarianceType of COV_TYPES) {
      const gm = new GaussianMixture({ nComponents: 3, covarianceType }).fit(X);
      expectSane(gm, X);
      expect(new Set(gm.predict(X)).size).toBe(3);
      expectClose(gm.weights, [1 / 3, 1 / 3, 1 / 3], 1e-9, 'weights');
    }
    expectError(
      () => new GaussianMixture({ nComponents: 3, regCovar: 0 }).fit(X),
      DegenerateError,
      /not positive definite/,
    );
  });

  it('D = 1', () => {
    const X = [
      ...Array.from({ length: 100 }, (_, i) => [Math.sin(i) * 0.5]),
      ...Array.from({ length: 60 }, (_, i) => [20 + Math.cos(i)]),
    ];
    for (const covarianceType of COV_TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 0 }).fit(X);
      expectSane(gm, X);
      const means = flat(gm.means).sort((a, b) => a - b);
      expect(means[0]).toBeCloseTo(X.slice(0, 100).reduce((a, r) => a + r[0], 0) / 100, 9);
      expect(means[1]).toBeCloseTo(X.slice(100).reduce((a, r) => a + r[0], 0) / 60, 9);
    }
  });

  it('D = 200 with N = 300 (fewer points per component than features)', () => {
    const { X, labels } = mixture(3, 300, 200, 2, 40);
    for (const covarianceType of COV_TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 0, maxIter: 5 }).fit(X);
      expect(flat(gm.weights).every(Number.isFinite)).toBe(true);
      expect(flat(gm.means).every(Number.isFinite)).toBe(true);
      expect(flat(gm.covariances as never).every(Number.isFinite)).toBe(true);
      expect(flat(gm.scoreSamples(X)).some(Number.isNaN)).toBe(false);
      expect(adjustedRand(gm.predict(X), labels)).toBe(1);
    }
    // without regularisation a full covariance from 150 points in 200 dimensions is singular: reported, not NaN
    expectError(
      () => new GaussianMixture({ nComponents: 2, regCovar: 0, seed: 0, maxIter: 5 }).fit(X),
      DegenerateError,
      /not positive definite/,
    );
  });

  it('sample weights with zeros equal fitting the rows of positive weight', () => {
    const { X } = mixture(9, 120, 2, 2, 6);
    const w = X.map((_, i) => (i % 3 === 0 ? 0 : (i % 5) + 1));
    const kept = X.filter((_, i) => w[i] > 0);
    const keptW = w.filter((v) => v > 0);
    const start = {
      meansInit: [kept[0], kept[1]],
      weightsInit: [0.5, 0.5],
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    };
    const opts: GaussianMixtureOptions = { nComponents: 2, tol: 0, maxIter: 30, ...start };
    const a = new GaussianMixture(opts).fit(X, { sampleWeight: w });
    const b = new GaussianMixture(opts).fit(kept, { sampleWeight: keptW });
    expectClose(a.means, b.means, 1e-12, 'means');
    expectClose(a.covariances as never, b.covariances as never, 1e-12, 'covariances');
    expectClose(a.lowerBound, b.lowerBound, 1e-12, 'lowerBound');
    // weights near the ends of the double range are relative: the same fit
    for (const s of [1e-300, 5e-324 * 2 ** 40, 1e300]) {
      const c = new GaussianMixture(opts).fit(X, { sampleWeight: w.map((v) => v * s) });
      expectClose(c.means, a.means, 1e-9, `means, weights × ${s}`);
      expectClose(c.lowerBound, a.lowerBound, 1e-9, `lowerBound, weights × ${s}`);
    }
    // only K rows of positive weight: still a fit
    const few = X.map((_, i) => (i < 2 ? 1 : 0));
    expectSane(new GaussianMixture({ nComponents: 2 }).fit(X, { sampleWeight: few }), X);
  });

  it('NaN or ±Infinity anywhere is a typed error naming where', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(base);
    const snapshot = JSON.stringify(gm.toJSON());
    for (const bad of [NaN, Infinity, -Infinity]) {
      const X = base.map((r) => [...r]);
      X[17][1] = bad;
      expectError(() => gm.fit(X), DataError, new RegExp(`row 17, column 1 is ${bad}`));
      expectError(() => gm.predict(X), DataError, /row 17, column 1/);
      expectError(
        () => gm.scoreSamples({ data: Float64Array.from(X.flat()), rows: X.length, cols: 2 }),
        DataError,
        /row 17, column 1/,
      );
      const w = base.map(() => 1);
      w[3] = bad;
      expectError(() => gm.fit(base, { sampleWeight: w }), DataError, /sampleWeight\[3\]/);
      expectError(
        () =>
          new GaussianMixture({
            nComponents: 2,
            meansInit: [
              [0, bad],
              [1, 1],
            ],
          }),
        OptionError,
        /meansInit\[0\]\[1\] must be a finite number/,
      );
      const json = gm.toJSON() as unknown as { means: number[][] };
      json.means[1][0] = bad;
      expectError(() => GaussianMixture.fromJSON(json), ModelFormatError, /means\[1\]\[0\] must be a finite number/);
    }
    expect(JSON.stringify(gm.toJSON())).toBe(snapshot);
  });
});

describe("onDegenerate: 'error' (default)", () => {
  it('a vanishing component: typed error naming the component, the iteration and the fixes; the old model stays', () => {
    const { X } = mixture(2, 100, 2, 2, 8);
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);
    const snapshot = JSON.stringify(gm.toJSON());
    // a third component 1e6 away: its responsibilities underflow to exactly 0
    const far = new GaussianMixture({
      nComponents: 3,
      weightsInit: [0.4, 0.4, 0.2],
      meansInit: [X[0], X[1], [1e6, 1e6]],
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    });
    const e = expectError(
      () => far.fit(X),
      DegenerateError,
      /component 2 vanished at iteration 1: its responsibility mass fell to 0.*Use fewer components.*onDegenerate: 'reset'/,
    ) as DegenerateError;
    expect([e.component, e.iteration, e.reason, e.init]).toEqual([2, 1, 'vanished', 0]);
    expect(e).toBeInstanceOf(FitError);
    expect(() =>
      gm.fit(
        X.map((r) => [r[0], r[0]]),
        {},
      ),
    ).not.toThrow(); // regCovar keeps collinear data fittable
    gm.fit(X);
    expect(JSON.stringify(gm.toJSON())).toBe(snapshot);
    expect(far.isFitted).toBe(false);
  });

  it('restarts are named in the message', () => {
    const { X } = mixture(2, 100, 2, 2, 8);
    const far = {
      nComponents: 3,
      weightsInit: [0.4, 0.4, 0.2],
      meansInit: [X[0], X[1], [1e6, 1e6]],
      nInit: 3,
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    };
    expectError(
      () => new GaussianMixture(far).fit(X),
      DegenerateError,
      /component 2 vanished at iteration 1 of restart 1\/3/,
    );
  });
});

describe("onDegenerate: 'reset'", () => {
  it('re-seeds a vanished component at the worst-explained point, records it and warns', () => {
    const { X } = mixture(2, 100, 2, 2, 8);
    const outlier = [40, -40];
    const Y = [...X, outlier];
    const bounds: { iter: number; lowerBound: number }[] = [];
    const gm = new GaussianMixture({
      nComponents: 3,
      weightsInit: [0.4, 0.4, 0.2],
      meansInit: [X[0], X[1], [1e6, 1e6]],
      onDegenerate: 'reset',
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
      tol: 1e-8,
      maxIter: 200,
      onIteration: (i) => bounds.push(i),
    }).fit(Y);
    expectSane(gm, Y);
    expect(gm.resets.length).toBeGreaterThanOrEqual(1);
    expect(gm.resets[0]).toMatchObject({ init: 0, iteration: 1, component: 2, reason: 'vanished' });
    expect(
      gm.warnings.some((w) =>
        /onDegenerate 'reset' re-seeded \d+ degenerate component\(s\).*component 2 at iteration 1/.test(w),
      ),
    ).toBe(true);
    // the re-seeded component started at the outlier (the worst-explained row under the two others)
    expect(gm.predict([outlier])[0]).toBe(2);
    expect(gm.converged).toBe(true);
    // monotone after the reset
    for (let i = 2; i < bounds.length; i++)
      expect(bounds[i].lowerBound).toBeGreaterThanOrEqual(bounds[i - 1].lowerBound - 1e-9);
  });

  it('the lower bound is non-decreasing between resets (fast-check, regCovar 0, collapse-prone data)', () => {
    let sawReset = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom<CovarianceType>('full', 'diag', 'spherical'),
        fc.integer({ min: 2, max: 5 }),
        fc.constantFrom('js' as const, 'wasm' as const),
        fc.constantFrom('kmeans' as const, 'random' as const, 'random_from_data' as const),
        (seed, covarianceType, k, backend, initParams) => {
          // a mixture plus a few duplicated points, on which components like to collapse
          const { X } = mixture(seed, 60, 2, 2, 6);
          const Y = [...X, ...Array.from({ length: 3 }, () => [X[0][0] + 30, X[0][1]]), [X[1][0] - 30, X[1][1] + 30]];
          const bounds: number[] = [];
          let gm: GaussianMixture;
          try {
            gm = new GaussianMixture({
              nComponents: k,
              covarianceType,
              regCovar: 0,
              onDegenerate: 'reset',
              tol: 0,
              maxIter: 40,
              seed,
              backend,
              initParams,
              onIteration: ({ lowerBound }) => bounds.push(lowerBound),
            }).fit(Y);
          } catch (e) {
            expect(e).toBeInstanceOf(DegenerateError); // gave up after repeated resets: typed, and says so
            return;
          }
          expectSane(gm, Y);
          const resetAt = new Set(gm.resets.map((r) => r.iteration));
          sawReset += resetAt.size > 0 ? 1 : 0;
          for (let i = 1; i < bounds.length; i++) {
            if (resetAt.has(i)) continue; // iteration i (1-based) ended with a reset: bound i+1 may be lower
            expect(bounds[i] - bounds[i - 1]).toBeGreaterThanOrEqual(-1e-9 * Math.max(1, Math.abs(bounds[i])));
          }
        },
      ),
      { numRuns: 30 },
    );
    expect(sawReset).toBeGreaterThan(0);
  });

  it('regression (seed 272376): a rank-1 covariance that rounding left barely positive is caught in its own M-step, and resets cannot loop on an isolated point', async () => {
    const seed = 272376;
    const { X } = mixture(seed, 60, 2, 2, 6);
    const Y = [...X, ...Array.from({ length: 3 }, () => [X[0][0] + 30, X[0][1]]), [X[1][0] - 30, X[1][1] + 30]];
    const opts = (maxIter: number, bounds: number[] = []): GaussianMixtureOptions => ({
      nComponents: 3,
      covarianceType: 'full',
      regCovar: 0,
      onDegenerate: 'reset',
      tol: 0,
      maxIter,
      seed,
      backend: 'js',
      initParams: 'random_from_data',
      onIteration: ({ lowerBound }) => bounds.push(lowerBound),
    });
    const bounds: number[] = [];
    // Before the fix: component 0 was re-seeded at the isolated row [X1 − 30, X1 + 30] and collapsed on it again in
    // every iteration from 12 to 40 (29 resets), and the fit returned that reset state.
    const e = expectError(
      () => new GaussianMixture(opts(40, bounds)).fit(Y),
      DegenerateError,
      /gave up after 3 re-seeded components degenerated again.*Increase regCovar \(now 0/,
    ) as DegenerateError;
    expect(e.iteration).toBeLessThan(40);
    expect(bounds.length, 'EM stopped where it gave up').toBe(e.iteration - 1);
    // the same run up to the iteration before giving up: the resets, and a monotone bound between them
    const gm = new GaussianMixture(opts(e.iteration - 1)).fit(Y);
    expect(gm.resets.length).toBeLessThanOrEqual(6);
    // Before the fix the collapse of component 0 onto 2 points was missed by the M-step of iterations 9 and 10 (the
    // covariance came out barely positive definite), the bound fell from iteration 10 to 11 with no reset, and the
    // reset came at iteration 11. Now it is caught in the M-step that produced it.
    expect(gm.resets[0]).toMatchObject({ component: 0, reason: 'not-pd' });
    expect(gm.resets[0].iteration).toBeLessThanOrEqual(10);
    expect(gm.resets[0].detail).toMatch(
      /feature 1 is \(numerically\) a linear combination of features 0–0 within it \(it holds 2\.00/,
    );
    const resetAt = new Set(gm.resets.map((r) => r.iteration));
    for (let i = 1; i < bounds.length; i++) {
      if (resetAt.has(i)) continue;
      expect(bounds[i] - bounds[i - 1], `iteration ${i + 1}`).toBeGreaterThanOrEqual(
        -1e-9 * Math.max(1, Math.abs(bounds[i])),
      );
    }
    // a component is never re-seeded twice in a row at the same point: no component is reset in consecutive
    // iterations more than twice (each failed seed row is excluded from then on)
    for (const r of gm.resets) {
      const run = [1, 2, 3].filter((t) =>
        gm.resets.some((q) => q.component === r.component && q.iteration === r.iteration + t),
      );
      expect(run.length).toBeLessThan(3);
    }
    // the worker-thread driver serves the same 'worst' requests and gives up identically
    await expect(new GaussianMixture(opts(40)).fitAsync(Y, { workers: 2 })).rejects.toMatchObject({
      name: 'DegenerateError',
      message: e.message,
    });
  });

  it('a tied covariance cannot be repaired by re-seeding: a DegenerateError says so', () => {
    const X = base.map((r) => [r[0], 7]);
    expectError(
      () => new GaussianMixture({ nComponents: 2, covarianceType: 'tied', regCovar: 0, onDegenerate: 'reset' }).fit(X),
      DegenerateError,
      /tied covariance is not positive definite.*cannot repair a shared covariance|zero variance over all of the data/,
    );
  });

  it('hard EM with an emptied component keeps K live components', () => {
    const { X } = mixture(13, 200, 2, 2, 10);
    const gm = new GaussianMixture({
      nComponents: 3,
      algorithm: 'hard',
      onDegenerate: 'reset',
      weightsInit: [0.45, 0.45, 0.1],
      meansInit: [X[0], X[1], [500, 500]],
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    }).fit(X);
    expectSane(gm, X);
    expect(gm.resets[0]).toMatchObject({ component: 2, reason: 'vanished' });
    expect(new Set(gm.predict(X)).size).toBe(3);
  });
});
