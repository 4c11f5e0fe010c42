/**
 * Exact EM with missing values through the public API (missing: 'marginalize', impute), on the JS backend:
 *  - parity with the independent numpy reference (scripts/generate-missing-fixtures.py → test/fixtures/missing-em.json)
 *    to 1e-8: parameters, the lower bound of every iteration, score, scoreSamples, predictProba, predict, bic, impute;
 *  - without any NaN, 'marginalize' is today's fit bit for bit;
 *  - properties: the observed-data log-likelihood never decreases (regCovar 0), X is never mutated, fit ≡ fitStream,
 *    and on data missing at random from a known mixture the parameter error shrinks with N and stays far below that
 *    of mean imputation; typed errors for what cannot be fitted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DataError,
  GaussianMixture,
  OptionError,
  SufficientStats,
  type CovarianceType,
  type GaussianMixtureOptions,
  type InitParams,
  type Matrix,
  type StreamChunk,
} from '../../../src/api/index.js';
import { Random } from '../../../src/util/random.js';
import { expectClose, flat } from '../../helpers/compare.js';
import { dataset, expectMatchesReference, missingFixture, startOptions, withNaN } from '../../helpers/missing.js';

const COV_TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const tmp = mkdtempSync(join(tmpdir(), 'gaussmix-missing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Everything a fit produces, for bit-for-bit comparison. */
function fitted(gm: GaussianMixture): unknown {
  return {
    weights: Array.from(gm.weights),
    means: gm.means.map((m) => Array.from(m)),
    covariances: flat(gm.covariances as never),
    precisionsCholesky: flat(gm.precisionsCholesky as never),
    lowerBound: gm.lowerBound,
    nIter: gm.nIter,
    converged: gm.converged,
  };
}

function expectSameFit(a: GaussianMixture, b: GaussianMixture, rtol: number, label: string): void {
  expect(a.nIter, `${label}: nIter`).toBe(b.nIter);
  expectClose(a.weights, b.weights, rtol, `${label}: weights`);
  expectClose(a.means, b.means, rtol, `${label}: means`);
  expectClose(a.covariances as never, b.covariances as never, rtol, `${label}: covariances`);
  expectClose(a.lowerBound, b.lowerBound, rtol, `${label}: lowerBound`);
}

/** Chunks of irregular sizes (one empty), as plain and dense matrices. */
function chunks(X: number[][], sizes = [1, 37, 0, 200, 3]): StreamChunk[] {
  const out: StreamChunk[] = [];
  for (let at = 0, i = 0; at < X.length; i++) {
    const part = X.slice(at, at + sizes[i % sizes.length]);
    at += part.length;
    out.push(i % 2 ? { data: Float64Array.from(part.flat()), rows: part.length, cols: X[0].length } : part);
  }
  return out;
}

describe('parity with the numpy reference (JS backend)', () => {
  it('has the cases it claims', () => {
    expect(missingFixture.cases.length).toBe(48);
    expect(new Set(missingFixture.cases.map((c) => c.covarianceType))).toEqual(new Set(COV_TYPES));
  });
  for (const c of missingFixture.cases) {
    it(c.name, () => {
      const X = dataset(c.dataset);
      const lowerBounds: number[] = [];
      const gm = new GaussianMixture({
        ...startOptions(c),
        backend: 'js',
        onIteration: (i) => lowerBounds.push(i.lowerBound),
      }).fit(X, { sampleWeight: c.sampleWeight });
      expectMatchesReference(gm, X, lowerBounds, c, 1e-8);
    });
  }

  it('refuses a row without any observed value, naming it (fit, fitStream, scoreSamples, impute)', async () => {
    const r = missingFixture.refused[0];
    const X = withNaN(r.X);
    const gm = new GaussianMixture({ nComponents: r.nComponents, missing: 'marginalize', backend: 'js' });
    const check = (e: unknown): void => {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).row).toBe(r.row);
      expect((e as Error).message).toMatch(new RegExp(`row ${r.row} has no observed value`));
    };
    expect(() => gm.fit(X)).toThrow(DataError);
    try {
      gm.fit(X);
    } catch (e) {
      check(e);
    }
    await gm
      .fitStream(() => chunks(X))
      .then(
        () => expect.unreachable(),
        (e) => {
          expect(e).toBeInstanceOf(DataError);
          expect((e as DataError).row).toBe(r.row);
        },
      );
    const ok = new GaussianMixture({ nComponents: 3, missing: 'marginalize', backend: 'js' }).fit(dataset('iris-10'));
    for (const f of [() => ok.scoreSamples(X), () => ok.impute(X), () => ok.predict(X)]) {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        check(e);
      }
    }
  });
});

describe("without NaN, 'marginalize' is today's fit bit for bit", () => {
  const X = dataset('iris-0');
  const w = Array.from({ length: X.length }, (_, i) => 0.5 + (i % 7) / 4);
  const inits: InitParams[] = ['kmeans', 'k-means++', 'random', 'random_from_data'];
  for (const covarianceType of COV_TYPES) {
    for (const initParams of inits) {
      it(`${covarianceType}, ${initParams}`, () => {
        const o: GaussianMixtureOptions = { nComponents: 3, covarianceType, initParams, seed: 3, backend: 'js' };
        const sampleWeight = initParams === 'random' ? w : null;
        const a = new GaussianMixture(o).fit(X, { sampleWeight });
        const b = new GaussianMixture({ ...o, missing: 'marginalize' }).fit(X, { sampleWeight });
        expect(fitted(b)).toEqual(fitted(a));
        expect(Array.from(b.scoreSamples(X))).toEqual(Array.from(a.scoreSamples(X)));
        expect(b.predictProba(X).map((r) => Array.from(r))).toEqual(a.predictProba(X).map((r) => Array.from(r)));
        expect(Array.from(b.predict(X))).toEqual(Array.from(a.predict(X)));
        expect(b.bic(X)).toBe(a.bic(X));
        expect(b.impute(X).map((r) => Array.from(r))).toEqual(X);
      });
    }
  }

  it('fitStream, expectation and onDegenerate reset too', async () => {
    const o: GaussianMixtureOptions = { nComponents: 3, seed: 1, backend: 'js' };
    const a = await new GaussianMixture(o).fitStream(() => chunks(X));
    const b = await new GaussianMixture({ ...o, missing: 'marginalize' }).fitStream(() => chunks(X));
    expect(fitted(b)).toEqual(fitted(a));
    const ea = a.expectation(X);
    const eb = new GaussianMixture({ ...o, missing: 'marginalize' }).fitStream(() => chunks(X));
    expect((await eb).expectation(X)).toEqual(ea);
    // more components than the data support: resets at the worst-explained rows, identically
    const r = { nComponents: 8, covarianceType: 'full' as const, regCovar: 0, onDegenerate: 'reset' as const, seed: 2 };
    const dup = [...X.slice(0, 20), ...X.slice(0, 20), [9, 9, 9, 9]];
    let ra: GaussianMixture | Error;
    let rb: GaussianMixture | Error;
    try {
      ra = new GaussianMixture({ ...r, backend: 'js' }).fit(dup);
    } catch (e) {
      ra = e as Error;
    }
    try {
      rb = new GaussianMixture({ ...r, backend: 'js', missing: 'marginalize' }).fit(dup);
    } catch (e) {
      rb = e as Error;
    }
    if (ra instanceof Error) expect((rb as Error).message).toBe(ra.message);
    else {
      expect(fitted(rb as GaussianMixture)).toEqual(fitted(ra));
      expect((rb as GaussianMixture).resets).toEqual(ra.resets);
    }
  });
});

describe('properties', () => {
  it('the observed-data log-likelihood never decreases with regCovar 0 (k-means start, 60 iterations)', () => {
    for (const [key, covarianceType, k] of [
      ['iris-30', 'full', 3],
      ['diabetes-20', 'diag', 3],
      ['faithful-30', 'tied', 2],
      ['banknote-10', 'spherical', 2],
    ] as const) {
      const lbs: number[] = [];
      new GaussianMixture({
        nComponents: k,
        covarianceType,
        regCovar: 0,
        tol: 0,
        maxIter: 60,
        missing: 'marginalize',
        backend: 'js',
        onIteration: (i) => lbs.push(i.lowerBound),
      }).fit(dataset(key));
      for (let t = 1; t < lbs.length; t++) {
        expect(lbs[t], `${key} ${covarianceType}: iteration ${t + 1}`).toBeGreaterThanOrEqual(
          lbs[t - 1] - 1e-12 * Math.abs(lbs[t - 1]),
        );
      }
    }
  });

  it('never mutates X, its rows, the weights or the options', async () => {
    const X = dataset('iris-20');
    const snapshot = JSON.stringify(X.map((r) => r.map(String)));
    const dense = { data: Float64Array.from(X.flat()), rows: X.length, cols: 4 };
    const denseCopy = dense.data.slice();
    const w = X.map((_, i) => 1 + (i % 3));
    const wCopy = w.slice();
    const options: GaussianMixtureOptions = { nComponents: 3, missing: 'marginalize', backend: 'js' };
    const optionsCopy = JSON.stringify(options);
    const gm = new GaussianMixture(options).fit(X, { sampleWeight: w });
    await new GaussianMixture(options).fitStream(() => chunks(X));
    gm.fit(dense);
    for (const f of [
      (x: Matrix) => gm.scoreSamples(x),
      (x: Matrix) => gm.predict(x),
      (x: Matrix) => gm.predictProba(x),
      (x: Matrix) => gm.impute(x),
      (x: Matrix) => gm.score(x),
      (x: Matrix) => gm.bic(x),
    ]) {
      f(X);
      f(dense);
    }
    gm.expectation(X, { sampleWeight: w });
    expect(JSON.stringify(X.map((r) => r.map(String)))).toBe(snapshot);
    expect(dense.data).toEqual(denseCopy);
    expect(w).toEqual(wCopy);
    expect(JSON.stringify(options)).toBe(optionsCopy);
  });

  it('fit ≡ fitStream to 1e-10 (every covariance type, weights, a CSV path with empty and NA fields)', async () => {
    const X = dataset('diabetes-30');
    const w = X.map((_, i) => 0.25 + (i % 5) / 2);
    for (const covarianceType of COV_TYPES) {
      const o: GaussianMixtureOptions = { nComponents: 3, covarianceType, missing: 'marginalize', backend: 'js' };
      const a = new GaussianMixture(o).fit(X, { sampleWeight: w });
      let at = 0;
      const weighted = chunks(X).map((c) => {
        const n = Array.isArray(c) ? c.length : (c as { rows: number }).rows;
        at += n;
        return { X: c, sampleWeight: w.slice(at - n, at) } as StreamChunk;
      });
      const b = await new GaussianMixture(o).fitStream(() => weighted);
      expectSameFit(b, a, 1e-10, covarianceType);
    }
    const path = join(tmp, 'holes.csv');
    const field = (v: number, i: number): string => (Number.isNaN(v) ? ['', 'NA', 'NaN', 'N/A'][i % 4] : String(v));
    writeFileSync(path, `glucose,insulin,sspg\n${X.map((r, i) => r.map((v) => field(v, i)).join(',')).join('\n')}\n`);
    const o: GaussianMixtureOptions = { nComponents: 3, missing: 'marginalize', backend: 'js' };
    const c = await new GaussianMixture(o).fitStream(path, { csv: { chunkRows: 50 } });
    expectSameFit(c, new GaussianMixture(o).fit(X), 1e-10, 'CSV path');
    // the same file is refused without the option
    // the shared CSV reader (data/csv.ts) names the option that would accept the missing field
    await expect(new GaussianMixture({ nComponents: 3 }).fitStream(path)).rejects.toThrow(
      /missing values need missing: 'marginalize'/,
    );
  });

  it('is deterministic: initialisation fills missing entries with column means, then runs unchanged', () => {
    const X = dataset('iris-30');
    for (const initParams of ['kmeans', 'k-means++', 'random', 'random_from_data'] as const) {
      const o: GaussianMixtureOptions = { nComponents: 3, initParams, missing: 'marginalize', backend: 'js', seed: 4 };
      // maxIter 0: the start itself, which is the start of a fit on the filled rows
      const start = new GaussianMixture({ ...o, maxIter: 0 }).fit(X);
      const means = X[0].map((_, j) => {
        const v = X.map((r) => r[j]).filter((x) => !Number.isNaN(x));
        return v.reduce((s, x) => s + (x - v[0]), 0) / v.length + v[0];
      });
      const filled = X.map((r) => r.map((v, j) => (Number.isNaN(v) ? means[j] : v)));
      const ref = new GaussianMixture({ ...o, missing: 'error', maxIter: 0 }).fit(filled);
      expect(Array.from(start.weights), initParams).toEqual(Array.from(ref.weights));
      expect(flat(start.covariances as never), initParams).toEqual(flat(ref.covariances as never));
      expect(fitted(new GaussianMixture(o).fit(X))).toEqual(fitted(new GaussianMixture(o).fit(X)));
    }
  });

  it('integer sample weights fit like repeated rows (to 1e-10)', () => {
    const X = dataset('faithful-20').slice(0, 120);
    const w = X.map((_, i) => 1 + (i % 3));
    const rep = X.flatMap((r, i) => Array.from({ length: w[i] }, () => r));
    const o: GaussianMixtureOptions = {
      nComponents: 2,
      missing: 'marginalize',
      backend: 'js',
      weightsInit: [0.5, 0.5],
      meansInit: [
        [2, 55],
        [4.5, 80],
      ],
      precisionsInit: [
        [
          [4, 0],
          [0, 0.03],
        ],
        [
          [4, 0],
          [0, 0.03],
        ],
      ],
      tol: 0,
      maxIter: 30,
    };
    expectSameFit(
      new GaussianMixture(o).fit(X, { sampleWeight: w }),
      new GaussianMixture(o).fit(rep),
      1e-10,
      'weights',
    );
  });

  it('expectation() + maximization() on rows with NaN is one EM iteration', () => {
    const c = missingFixture.cases.find((x) => x.name === 'iris-20-full')!;
    const X = dataset(c.dataset);
    const o = { ...startOptions(c), backend: 'js' as const };
    const one = new GaussianMixture({ ...o, maxIter: 1 }).fit(X);
    const gm = new GaussianMixture(o);
    const parts = [X.slice(0, 60), X.slice(60)].map((p) => gm.expectation(p));
    gm.maximization(SufficientStats.merge(...parts));
    expectSameFit(gm, one, 1e-12, 'map-reduce');
  });

  it('on data missing at random from a known mixture, the error shrinks with N and is far below mean imputation', () => {
    const err = (n: number, seed: number): { em: number; meanImputed: number } => {
      const X = marData(seed * 7919 + n, n);
      const o: GaussianMixtureOptions = { nComponents: 2, tol: 1e-6, maxIter: 500, backend: 'js', seed };
      const em = new GaussianMixture({ ...o, missing: 'marginalize' }).fit(X);
      const means = [0, 1, 2].map((j) => {
        const v = X.map((r) => r[j]).filter((x) => !Number.isNaN(x));
        return v.reduce((s, x) => s + x, 0) / v.length;
      });
      const mi = new GaussianMixture(o).fit(X.map((r) => r.map((v, j) => (Number.isNaN(v) ? means[j] : v))));
      return { em: parameterError(em), meanImputed: parameterError(mi) };
    };
    const avg = (n: number) => {
      const runs = [1, 2].map((s) => err(n, s));
      return { em: (runs[0].em + runs[1].em) / 2, meanImputed: (runs[0].meanImputed + runs[1].meanImputed) / 2 };
    };
    const small = avg(1000);
    const large = avg(16000);
    expect(large.em, 'error shrinks with N').toBeLessThan(small.em / 2.5);
    expect(small.em, 'far below mean imputation').toBeLessThan(small.meanImputed / 5);
    expect(large.em, 'far below mean imputation').toBeLessThan(large.meanImputed / 20);
    expect(large.meanImputed, 'mean imputation stays biased').toBeGreaterThan(small.meanImputed / 2);
  });
});

/** The known mixture of the missing-at-random test: two full-covariance components in three dimensions. */
const MAR = {
  weights: [0.4, 0.6],
  means: [
    [0, 0, 0],
    [4, 3, -2],
  ],
  // lower Cholesky factors of the covariances
  factors: [
    [
      [1, 0, 0],
      [0.6, 0.8, 0],
      [-0.3, 0.4, 0.7],
    ],
    [
      [0.8, 0, 0],
      [-0.5, 0.9, 0],
      [0.2, 0.3, 0.6],
    ],
  ],
};

/**
 * n rows of the MAR mixture with ~26% of entries missing: x₂ goes missing with probability σ(1.5·x₀ − 3), a function
 * of x₀, which is always observed (missing at random, not completely at random: mean imputation is biased), and x₁
 * with probability 0.2.
 */
function marData(seed: number, n: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => {
    const c = rng.random() < MAR.weights[0] ? 0 : 1;
    const z = [rng.normal(), rng.normal(), rng.normal()];
    const x = MAR.means[c].map((m, a) => m + MAR.factors[c][a].reduce((s, f, b) => s + f * z[b], 0));
    if (rng.random() < 1 / (1 + Math.exp(-(1.5 * x[0] - 3)))) x[2] = NaN;
    if (rng.random() < 0.2) x[1] = NaN;
    return x;
  });
}

/** Largest absolute error over weights, means and covariance entries, components matched by their first mean. */
function parameterError(gm: GaussianMixture): number {
  const means = gm.means;
  const cov = gm.covariances as Float64Array[][];
  const order = means[0][0] < means[1][0] ? [0, 1] : [1, 0];
  let e = 0;
  order.forEach((c, t) => {
    const L = MAR.factors[t];
    e = Math.max(e, Math.abs(gm.weights[c] - MAR.weights[t]));
    for (let i = 0; i < 3; i++) {
      e = Math.max(e, Math.abs(means[c][i] - MAR.means[t][i]));
      for (let j = 0; j < 3; j++) {
        const s = L[i].reduce((acc, v, b) => acc + v * L[j][b], 0);
        e = Math.max(e, Math.abs(cov[c][i][j] - s));
      }
    }
  });
  return e;
}

describe('errors and forms', () => {
  const X = dataset('iris-10');

  it('±Infinity stays a DataError naming row and column; NaN without the option keeps today’s message', () => {
    const bad = X.map((r) => r.slice());
    bad[5][2] = Infinity;
    const gm = new GaussianMixture({ nComponents: 2, missing: 'marginalize', backend: 'js' });
    try {
      gm.fit(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect(e).toMatchObject({ row: 5, column: 2 });
      expect((e as Error).message).toMatch(/row 5, column 2 is Infinity/);
    }
    expect(() => new GaussianMixture({ nComponents: 2 }).fit(X)).toThrow(
      /X must contain only finite numbers; row \d+, column \d+ is NaN/,
    );
  });

  it('a column with no observed value is a DataError naming it', async () => {
    const holes = dataset('iris-0').map((r) => [r[0], NaN, r[2]]);
    holes[0][0] = NaN; // still one observed value per row
    const gm = new GaussianMixture({ nComponents: 2, missing: 'marginalize', backend: 'js' });
    expect(() => gm.fit(holes)).toThrow(/column 1 has no observed value/);
    await expect(gm.fitStream(() => [holes])).rejects.toThrow(/the stream column 1 has no observed value/);
    expect(gm.isFitted).toBe(false);
  });

  it("is refused with algorithm 'hard'", () => {
    expect(() => new GaussianMixture({ missing: 'marginalize', algorithm: 'hard' })).toThrow(OptionError);
    expect(() => new GaussianMixture({ missing: 'nan' as never })).toThrow(
      /missing must be one of 'error', 'marginalize'/,
    );
  });

  it('a failed fit leaves the model unchanged', () => {
    const gm = new GaussianMixture({ nComponents: 3, missing: 'marginalize', backend: 'js' }).fit(X);
    const before = JSON.stringify(gm.toJSON());
    const bad = X.map((r) => r.slice());
    bad[3] = [NaN, NaN, NaN, NaN];
    expect(() => gm.fit(bad)).toThrow(DataError);
    expect(JSON.stringify(gm.toJSON())).toBe(before);
  });

  it('impute returns X’s form, copies observed entries, and works for models fitted without the option', () => {
    const gm = new GaussianMixture({ nComponents: 3, missing: 'marginalize', backend: 'js' }).fit(X);
    const rows = gm.impute(X);
    const dense = gm.impute({ data: Float64Array.from(X.flat()), rows: X.length, cols: 4 });
    expect(dense.rows).toBe(X.length);
    expect(dense.cols).toBe(4);
    expect(Array.from(dense.data)).toEqual(rows.flatMap((r) => Array.from(r)));
    X.forEach((r, i) =>
      r.forEach((v, j) => {
        if (Number.isNaN(v)) expect(Number.isFinite(rows[i][j])).toBe(true);
        else expect(rows[i][j]).toBe(v);
      }),
    );
    // the same parameters loaded into a model without the option impute the same values
    const json = gm.toJSON();
    expect(json.options.missing).toBe('marginalize');
    const plain = GaussianMixture.fromJSON({ ...json, options: { ...json.options, missing: 'error' } });
    expect(plain.impute(X).map((r) => Array.from(r))).toEqual(rows.map((r) => Array.from(r)));
    expect(() => plain.scoreSamples(X)).toThrow(DataError);
    // a loaded model keeps the option and scores rows with NaN as the fitted one does
    expect(Array.from(GaussianMixture.fromJSON(json).scoreSamples(X))).toEqual(Array.from(gm.scoreSamples(X)));
  });
});
