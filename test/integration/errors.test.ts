/**
 * Every error path: typed error class, and a message that names the problem.
 */
import { describe, expect, it } from 'vitest';
import {
  DataError,
  FitError,
  GaussianMixture,
  GaussianMixtureError,
  ModelFormatError,
  NotFittedError,
  OptionError,
  SufficientStats,
  kmeans,
} from '../../src/index.js';
import { mixture } from '../helpers/data.js';

const { X } = mixture(1, 60, 2, 2, 8);

function expectError(fn: () => unknown, type: new (...a: never[]) => Error, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(type);
  expect(caught).toBeInstanceOf(GaussianMixtureError);
  expect((caught as Error).message).toMatch(message);
}

describe('bad options', () => {
  it.each([
    [{ nComponents: 0 }, /nComponents must be an integer ≥ 1; got 0/],
    [{ nComponents: 2.5 }, /nComponents must be an integer ≥ 1; got 2.5/],
    [
      { covarianceType: 'ful' },
      /covarianceType must be one of 'full', 'tied', 'diag', 'spherical', 'EII', .*, 'VVV'; got "ful"/,
    ],
    [{ tol: -1 }, /tol must be a finite number ≥ 0; got -1/],
    [{ regCovar: Number.NaN }, /regCovar must be a finite number ≥ 0; got NaN/],
    [{ maxIter: -1 }, /maxIter must be an integer ≥ 0; got -1/],
    [{ nInit: 0 }, /nInit must be an integer ≥ 1; got 0/],
    [{ initParams: 'kmeans+' }, /initParams must be one of 'kmeans', 'k-means\+\+', 'random', 'random_from_data'/],
    [{ seed: 1.5 }, /seed must be a safe integer; got 1.5/],
    [{ warmStart: 'yes' }, /warmStart must be true or false; got "yes"/],
    [{ backend: 'gpu' }, /backend must be one of 'auto', 'wasm', 'js'; got "gpu"/],
    [{ freeze: ['mean'] }, /freeze\[0\] must be one of 'weights', 'means', 'covariances'; got "mean"/],
    [{ algorithm: 'cem' }, /algorithm must be one of 'em', 'hard'; got "cem"/],
    [{ n_components: 3 }, /unknown option 'n_components'/],
    [{ nComponents: 2, weightsInit: [0.5, 0.6] }, /weightsInit must be weights that sum to 1/],
    [{ nComponents: 2, weightsInit: [1] }, /weightsInit must have nComponents = 2 entries; got 1/],
    [{ nComponents: 2, weightsInit: [-0.5, 1.5] }, /weightsInit\[0\] must be in \[0, 1\]; got -0.5/],
    [{ nComponents: 2, meansInit: [[0, 0]] }, /meansInit must have nComponents = 2 rows; got 1/],
    [{ nComponents: 2, meansInit: [[0, 0], [1]] }, /meansInit\[1\] must be an array of length 2/],
    [
      { nComponents: 1, meansInit: [[0, Number.POSITIVE_INFINITY]] },
      /meansInit\[0\]\[1\] must be a finite number; got Infinity/,
    ],
    [{ onIteration: 5 }, /onIteration must be a function; got 5/],
  ])('%j', (opts, message) => {
    expectError(() => new GaussianMixture(opts as never), OptionError, message);
  });

  it('names the option on the error object', () => {
    try {
      new GaussianMixture({ tol: -1 });
    } catch (e) {
      expect((e as OptionError).option).toBe('tol');
    }
  });

  it('checks init shapes against the data at fit time', () => {
    expectError(
      () =>
        new GaussianMixture({
          nComponents: 2,
          meansInit: [
            [0, 0, 0],
            [1, 1, 1],
          ],
        }).fit(X),
      OptionError,
      /meansInit must be 2×2/,
    );
    expectError(
      () => new GaussianMixture({ nComponents: 2, covarianceType: 'diag', precisionsInit: [1, 1] }).fit(X),
      OptionError,
      /precisionsInit for covarianceType 'diag' must have shape \[2, 2\]; got \[2\]/,
    );
    expectError(
      () =>
        new GaussianMixture({
          nComponents: 1,
          covarianceType: 'tied',
          precisionsInit: [
            [1, 2],
            [2, 1],
          ],
        }).fit(X),
      OptionError,
      /precisionsInit must be positive definite/,
    );
  });
});

describe('bad data', () => {
  const gm = () => new GaussianMixture({ nComponents: 2 });
  it('names the row and column of a non-finite value', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const Y = X.map((r) => [...r]);
      Y[7][1] = bad;
      expectError(() => gm().fit(Y), DataError, new RegExp(`row 7, column 1 is ${String(bad)}`));
    }
    const dense = { data: Float64Array.from(X.flat()), rows: 60, cols: 2 };
    dense.data[9] = Number.NaN;
    expectError(() => gm().fit(dense), DataError, /row 4, column 1 is NaN/);
    const Y = X.map((r) => [...r]) as unknown[][];
    Y[3][0] = '1';
    expectError(() => gm().fit(Y as never), DataError, /row 3, column 0 is string "1"/);
  });
  it('rejects ragged rows, empty data and wrong shapes', () => {
    expectError(() => gm().fit([[1, 2], [3], [4, 5]]), DataError, /ragged: row 1 has 1 columns but row 0 has 2/);
    expectError(() => gm().fit([]), DataError, /X has no rows/);
    expectError(() => gm().fit([[]]), DataError, /row 0 is empty/);
    expectError(
      () => gm().fit({ data: new Float64Array(5), rows: 3, cols: 2 }),
      DataError,
      /X.data must hold rows×cols = 6 numbers; got 5/,
    );
    expectError(() => gm().fit('abc' as never), DataError, /X must be an array of rows/);
    expectError(() => gm().fit([null] as never), DataError, /X\[0\] must be an array of numbers/);
  });
  it('needs at least nComponents samples', () => {
    expectError(
      () => new GaussianMixture({ nComponents: 3 }).fit([[1], [2]]),
      DataError,
      /nComponents = 3 needs at least 3 samples; got 2/,
    );
    expectError(
      () => new GaussianMixture({ nComponents: 2 }).fit([[1], [2], [3]], { sampleWeight: [0, 0, 1] }),
      DataError,
      /at least 2 samples with positive weight; got 1/,
    );
  });
  it('rejects negative, non-finite, misshapen or all-zero sample weights', () => {
    const w = X.map(() => 1);
    expectError(
      () => gm().fit(X, { sampleWeight: w.map((v, i) => (i === 5 ? -1 : v)) }),
      DataError,
      /sampleWeight\[5\] is -1/,
    );
    expectError(
      () => gm().fit(X, { sampleWeight: w.map((v, i) => (i === 2 ? Number.NaN : v)) }),
      DataError,
      /sampleWeight\[2\] is NaN/,
    );
    expectError(() => gm().fit(X, { sampleWeight: w.map(() => 0) }), DataError, /sampleWeight must not be all zero/);
    expectError(() => gm().fit(X, { sampleWeight: [1, 2] }), DataError, /one weight per row of X \(60\); got 2/);
  });
  it('checks the number of features at predict time', () => {
    const m = gm().fit(X);
    for (const call of [
      () => m.predict([[1, 2, 3]]),
      () => m.predictProba([[1]]),
      () => m.scoreSamples([[1, 2, 3]]),
      () => m.score([[1]]),
      () => m.bic([[1]]),
    ]) {
      expectError(call, DataError, /features \(columns\) but the model was fitted on 2/);
    }
  });
});

describe('state errors', () => {
  it('refuses inference before fit', () => {
    const m = new GaussianMixture();
    for (const [name, call] of [
      ['predict', () => m.predict(X)],
      ['predictProba', () => m.predictProba(X)],
      ['scoreSamples', () => m.scoreSamples(X)],
      ['score', () => m.score(X)],
      ['bic', () => m.bic(X)],
      ['aic', () => m.aic(X)],
      ['sample', () => m.sample(3)],
      ['weights', () => m.weights],
      ['means', () => m.means],
      ['covariances', () => m.covariances],
      ['toJSON', () => m.toJSON()],
    ] as const) {
      expectError(call, NotFittedError, new RegExp(`GaussianMixture\\.${name}\\(\\) needs a fitted model`));
    }
  });

  it('a failed fit leaves the previous model intact', () => {
    const m = new GaussianMixture({ nComponents: 2, seed: 3 }).fit(X);
    const snapshot = JSON.stringify(m.toJSON());
    const labels = m.predict(X);
    const Y = X.map((r) => [...r]);
    Y[10][0] = Number.NaN;
    expect(() => m.fit(Y)).toThrow(DataError);
    expect(() => m.fit([[1, 2]])).toThrow(DataError);
    expect(JSON.stringify(m.toJSON())).toBe(snapshot);
    expect(m.predict(X)).toEqual(labels);
  });

  it('a collapsing covariance without regularisation raises FitError naming the fix, and keeps the old model', () => {
    const m = new GaussianMixture({ nComponents: 1, seed: 1 }).fit(X);
    const snapshot = JSON.stringify(m.toJSON());
    const collapsed = [
      [1, 1],
      [1, 1],
      [1, 1],
      [2, 2],
      [2, 2],
      [2, 2],
    ];
    const bad = new GaussianMixture({ nComponents: 2, regCovar: 0, initParams: 'kmeans' });
    expectError(() => bad.fit(collapsed), FitError, /not positive definite.*Increase regCovar/);
    const again = new GaussianMixture({ nComponents: 1, regCovar: 0 });
    expect(() =>
      again.fit([
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    ).toThrow(FitError); // perfectly collinear, singular covariance
    expect(JSON.stringify(m.toJSON())).toBe(snapshot);
  });

  it("backend 'wasm' failure would be a BackendError; kmeans validates its arguments", () => {
    expectError(() => kmeans(X, 0), OptionError, /k must be an integer ≥ 1; got 0/);
    expectError(() => kmeans(X, 100), OptionError, /k = 100 clusters need at least 100 rows; X has 60/);
    expectError(() => kmeans(X, 2, { nInit: 0 }), OptionError, /nInit must be an integer ≥ 1/);
  });

  it('sample validates n and seed', () => {
    const m = new GaussianMixture().fit(X);
    expectError(() => m.sample(0), OptionError, /n must be an integer ≥ 1; got 0/);
    expectError(() => m.sample(2, { seed: 0.5 }), OptionError, /seed must be a safe integer/);
  });
});

describe('fromJSON rejects junk', () => {
  const good = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X).toJSON();
  // biome-ignore lint/suspicious/noExplicitAny: the cases reach into arbitrary parts of the model JSON
  const mutate = (f: (j: Record<string, any>) => void) => {
    const j = JSON.parse(JSON.stringify(good));
    f(j);
    return j;
  };
  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['not an object', 42, /expected an object/],
    ['wrong format', mutate((j) => (j.format = 'other')), /format must be 'gaussmix-model'/],
    ['future version', mutate((j) => (j.version = 99)), /version 99 is not supported/],
    ['missing means', mutate((j) => delete j.means), /missing 'means'/],
    ['unknown key', mutate((j) => (j.extra = 1)), /unknown key 'extra'/],
    ['bad covariance type', mutate((j) => (j.covarianceType = 'weird')), /covarianceType must be/],
    ['wrong means shape', mutate((j) => j.means.pop()), /means must be an array of length 2/],
    [
      'NaN in covariances',
      mutate((j) => (j.covariances[0][0][0] = null)),
      /covariances\[0\]\[0\]\[0\] must be a finite number/,
    ],
    ['weights not summing to 1', mutate((j) => (j.weights = [0.7, 0.7])), /weights must sum to 1/],
    // a hole (delete on an array) used to be skipped, leaving weights [1] of a 2-component model: NaN predictions
    [
      'a sparse array',
      mutate((j) => {
        j.weights = [1, 0.5];
        delete j.weights[1];
      }),
      /weights\[1\] must be a finite number; got undefined/,
    ],
    ['a sparse nested array', mutate((j) => delete j.means[1][0]), /means\[1\]\[0\] must be a finite number/],
    ['asymmetric covariance', mutate((j) => (j.covariances[1][0][1] += 1)), /covariances\[1\] must be symmetric/],
    [
      'not positive definite',
      mutate(
        (j) =>
          (j.covariances[0] = [
            [1, 2],
            [2, 1],
          ]),
      ),
      /covariances\[0\] must be positive definite/,
    ],
    [
      'inconsistent precisionsCholesky',
      mutate((j) => (j.precisionsCholesky[0][0][0] *= 2)),
      /precisionsCholesky does not match covariances/,
    ],
    ['bad option', mutate((j) => (j.options.tol = -5)), /options: tol must be a finite number ≥ 0/],
  ])('%s', (_name, json, message) => {
    expectError(() => GaussianMixture.fromJSON(json), ModelFormatError, message);
  });
  it('SufficientStats.fromJSON rejects claimed shapes it was not given, without allocating them', () => {
    const st = SufficientStats.toJSON(new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X).expectation(X));
    for (const k of [1e300, 2 ** 31]) {
      expectError(
        () => SufficientStats.fromJSON({ ...st, nComponents: k }),
        ModelFormatError,
        /must be an integer|must be an array of length/,
      );
    }
    expectError(() => SufficientStats.fromJSON({ ...st, __proto__x: 1 }), ModelFormatError, /unknown key '__proto__x'/);
  });
  it('rejects prototype-pollution keys', () => {
    for (const text of [
      JSON.stringify(good).replace('{"format"', '{"__proto__":{"polluted":1},"format"'),
      JSON.stringify(good).replace('"options":{', '"options":{"constructor":{"prototype":{"polluted":1}},'),
    ]) {
      expectError(() => GaussianMixture.fromJSON(text), ModelFormatError, /forbidden key/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });
});
