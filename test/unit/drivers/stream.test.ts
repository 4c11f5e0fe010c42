/**
 * Streaming EM (fitStream) and the public sufficient statistics (expectation / SufficientStats.merge /
 * maximization). Reference: `fit` on the same rows — the streaming driver runs the same EM loop, so it must agree to
 * rounding (1e-10), and a hand-written map-reduce loop over expectation/maximization must too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DataError,
  GaussianMixture,
  GaussianMixtureError,
  ModelFormatError,
  OptionError,
  SufficientStats,
  type CovarianceType,
  type GaussianMixtureOptions,
  type StreamChunk,
} from '../../../src/api/index.js';
import { expectClose } from '../../helpers/compare.js';
import { mixture } from '../../helpers/data.js';

const COV_TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const tmp = mkdtempSync(join(tmpdir(), 'gaussmix-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Splits rows into chunks of irregular sizes (including an empty one), as typed arrays and plain arrays. */
function chunked(X: number[][], sizes = [1, 17, 0, 64, 5, 1000]): StreamChunk[] {
  const out: StreamChunk[] = [];
  let at = 0;
  for (let i = 0; at < X.length; i++) {
    const size = sizes[i % sizes.length];
    const part = X.slice(at, at + size);
    at += size;
    out.push(i % 2 ? { data: Float64Array.from(part.flat()), rows: part.length, cols: X[0].length } : part);
  }
  return out;
}

/** A re-iterable async source that counts its passes. */
function source(chunks: StreamChunk[]): { src: () => AsyncIterable<StreamChunk>; passes: () => number } {
  let passes = 0;
  return {
    src: () => {
      passes++;
      return (async function* () {
        for (const c of chunks) yield c;
      })();
    },
    passes: () => passes,
  };
}

function expectSameFit(a: GaussianMixture, b: GaussianMixture, rtol: number): void {
  expect(a.nIter).toBe(b.nIter);
  expect(a.converged).toBe(b.converged);
  expectClose(a.weights, b.weights, rtol, 'weights');
  expectClose(a.means, b.means, rtol, 'means');
  expectClose(a.covariances as never, b.covariances as never, rtol, 'covariances');
  expectClose(a.precisionsCholesky as never, b.precisionsCholesky as never, rtol, 'precisionsCholesky');
  expectClose(a.lowerBound, b.lowerBound, rtol, 'lowerBound');
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('fitStream', () => {
  const { X } = mixture(31, 700, 3, 3, 6);

  it.each(COV_TYPES)(
    'equals fit on the same rows, default (k-means) initialisation, one pass per iteration (%s)',
    async (covarianceType) => {
      const opts: GaussianMixtureOptions = { nComponents: 3, covarianceType, seed: 5, tol: 1e-6 };
      const ref = new GaussianMixture(opts).fit(X);
      const s = source(chunked(X));
      const gm = await new GaussianMixture(opts).fitStream(s.src);
      expectSameFit(gm, ref, 1e-10);
      expect(s.passes()).toBe(1 + gm.nIter); // the summary/sample pass, then one per EM iteration
    },
  );

  it('equals fit with sample weights (zeros included), nInit restarts and hard EM', async () => {
    const w = X.map((_, i) => (i % 4 === 0 ? 0 : 1 + (i % 3)));
    for (const algorithm of ['em', 'hard'] as const) {
      const opts: GaussianMixtureOptions = { nComponents: 3, seed: 2, nInit: 2, algorithm, initParams: 'k-means++' };
      const ref = new GaussianMixture(opts).fit(X, { sampleWeight: w });
      const chunks: StreamChunk[] = [];
      for (let at = 0; at < X.length; at += 90)
        chunks.push({ X: X.slice(at, at + 90), sampleWeight: w.slice(at, at + 90) });
      const gm = await new GaussianMixture(opts).fitStream(() => chunks);
      expectSameFit(gm, ref, 1e-10);
    }
  });

  it('with more rows than the init sample: a fixed start equals fit; a default start is deterministic for the seed', async () => {
    const start = {
      weightsInit: [0.3, 0.3, 0.4],
      meansInit: [X[0], X[1], X[2]],
      precisionsInit: [0, 1, 2].map(() => [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    };
    const opts: GaussianMixtureOptions = { nComponents: 3, tol: 0, maxIter: 40, ...start };
    const ref = new GaussianMixture(opts).fit(X);
    const gm = await new GaussianMixture(opts).fitStream(source(chunked(X)).src, { initSampleSize: 50 });
    expectSameFit(gm, ref, 1e-10);
    const a = await new GaussianMixture({ nComponents: 3, seed: 9 }).fitStream(source(chunked(X)).src, {
      initSampleSize: 100,
    });
    const b = await new GaussianMixture({ nComponents: 3, seed: 9 }).fitStream(source(chunked(X)).src, {
      initSampleSize: 100,
    });
    expect(a.toJSON()).toEqual(b.toJSON()); // bit-identical for the same seed and chunking
    // another chunking: the same sample (reservoir order is row order), sums in another order
    const c = await new GaussianMixture({ nComponents: 3, seed: 9 }).fitStream(source(chunked(X, [33])).src, {
      initSampleSize: 100,
    });
    expectSameFit(c, a, 1e-10);
    expect(a.score(X)).toBeGreaterThan(ref.score(X) - 0.05); // a good fit from a 100-row sample
  });

  it('reads a CSV path (header detected, chunked) and equals fit on the parsed rows', async () => {
    const text = readFileSync(new URL('../../../data/faithful.csv', import.meta.url), 'utf8');
    const rows = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    const path = join(tmp, 'faithful.csv');
    writeFileSync(path, text);
    const opts: GaussianMixtureOptions = { nComponents: 2, seed: 0, tol: 1e-8 };
    const ref = new GaussianMixture(opts).fit(rows);
    const gm = await new GaussianMixture(opts).fitStream(path, { csv: { chunkRows: 50 } });
    expectSameFit(gm, ref, 1e-10);
    // semicolons, no header
    const semi = join(tmp, 'semi.csv');
    writeFileSync(semi, rows.map((r) => r.join(';')).join('\r\n'));
    expectSameFit(
      await new GaussianMixture(opts).fitStream(semi, { csv: { delimiter: ';', header: false } }),
      ref,
      1e-10,
    );
  });

  it('CSV problems are DataErrors naming the line and column', async () => {
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n3,x\n');
    expect(await rejection(new GaussianMixture().fitStream(bad))).toSatisfy(
      // one CSV reader for the CLI and fitStream (data/csv.ts): its messages name the line and the column by name
      (e: unknown) => e instanceof DataError && /bad\.csv: line 3, column 'b': 'x' is not a number/.test(e.message),
    );
    writeFileSync(bad, '1,2\n3,4,5\n');
    expect(await rejection(new GaussianMixture().fitStream(bad))).toSatisfy(
      (e: unknown) => e instanceof DataError && /bad\.csv/.test(e.message),
    );
    expect(await rejection(new GaussianMixture().fitStream(join(tmp, 'missing.csv')))).toSatisfy(
      (e: unknown) => e instanceof DataError && /cannot read data file '.*missing\.csv': no such file/.test(e.message),
    );
  });

  it('validates chunks (errors name the row in the whole stream), sources and options; a failure keeps the old model', async () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);
    const snapshot = JSON.stringify(gm.toJSON());
    const Y = X.map((r) => [...r]);
    Y[130][2] = Number.NaN;
    const e1 = await rejection(gm.fitStream(source(chunked(Y, [100])).src));
    expect(e1).toBeInstanceOf(DataError);
    expect((e1 as DataError).row).toBe(130);
    expect((e1 as Error).message).toMatch(
      /chunk starting at row 100: .*row 30, column 2 is NaN.*row 130 of the stream/,
    );
    const ragged = [X.slice(0, 10), X.slice(10, 20).map((r) => r.slice(0, 2))];
    expect(await rejection(gm.fitStream(() => ragged))).toSatisfy(
      (e: unknown) => e instanceof DataError && /2 features .* 3/.test((e as Error).message),
    );
    let calls = 0;
    const shrinking = () => (calls++ === 0 ? chunked(X) : chunked(X.slice(1)));
    expect(await rejection(gm.fitStream(shrinking))).toSatisfy(
      (e: unknown) => e instanceof DataError && /same rows on every call/.test((e as Error).message),
    );
    expect(await rejection(gm.fitStream(() => []))).toSatisfy(
      (e: unknown) => e instanceof DataError && /no rows/.test((e as Error).message),
    );
    expect(await rejection(gm.fitStream(42 as never))).toBeInstanceOf(OptionError);
    expect(await rejection(gm.fitStream(() => 5 as never))).toBeInstanceOf(OptionError);
    expect(await rejection(gm.fitStream(() => [X], { initSampleSize: 0 }))).toBeInstanceOf(OptionError);
    expect(await rejection(gm.fitStream(() => [X], { chunk: 3 } as never))).toBeInstanceOf(OptionError);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    expect(((await rejection(gm.fitStream(() => [X], { signal: ac.signal }))) as Error).message).toBe('stop');
    expect(JSON.stringify(gm.toJSON())).toBe(snapshot);
  });

  it("serves onDegenerate 'reset' (worst-explained rows) from the stream, like fit", async () => {
    const Z = [...X, [60, 60, 60]];
    const opts: GaussianMixtureOptions = {
      nComponents: 4,
      onDegenerate: 'reset',
      weightsInit: [0.3, 0.3, 0.3, 0.1],
      meansInit: [X[0], X[1], X[2], [1e6, 0, 0]],
      precisionsInit: [0, 1, 2, 3].map(() => [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
      tol: 1e-8,
    };
    const ref = new GaussianMixture(opts).fit(Z);
    const gm = await new GaussianMixture(opts).fitStream(source(chunked(Z)).src);
    expect(gm.resets).toEqual(ref.resets);
    expect(gm.resets[0]).toMatchObject({ component: 3, iteration: 1, reason: 'vanished' });
    expectSameFit(gm, ref, 1e-10);
  });

  it('warmStart continues from the fitted model', async () => {
    const a = new GaussianMixture({ nComponents: 3, seed: 1, maxIter: 3, tol: 0, warmStart: true }).fit(X);
    const b = new GaussianMixture({ nComponents: 3, seed: 1, maxIter: 3, tol: 0, warmStart: true }).fit(X);
    a.fit(X);
    await b.fitStream(source(chunked(X)).src);
    expectSameFit(b, a, 1e-10);
    expect(await rejection(b.fitStream(() => [X.map((r) => r.slice(0, 2))]))).toBeInstanceOf(DataError);
  });
});

describe('SufficientStats: expectation / merge / maximization (map-reduce)', () => {
  const { X } = mixture(41, 500, 2, 3, 6);
  const start = {
    weightsInit: [0.3, 0.3, 0.4],
    meansInit: [X[0], X[1], X[2]],
    precisionsInit: [0, 1, 2].map(() => [
      [1, 0],
      [0, 1],
    ]),
  };

  it.each(COV_TYPES)('a map-reduce loop over chunks equals fit (%s)', (covarianceType) => {
    const opts: GaussianMixtureOptions = {
      nComponents: 3,
      covarianceType,
      tol: 1e-7,
      maxIter: 200,
      ...start,
      precisionsInit:
        covarianceType === 'full'
          ? start.precisionsInit
          : covarianceType === 'tied'
            ? [
                [1, 0],
                [0, 1],
              ]
            : covarianceType === 'diag'
              ? [
                  [1, 1],
                  [1, 1],
                  [1, 1],
                ]
              : [1, 1, 1],
    };
    const ref = new GaussianMixture(opts).fit(X);
    const parts = [X.slice(0, 123), X.slice(123, 400), X.slice(400)];
    const gm = new GaussianMixture(opts); // a complete start: expectation works before any fit
    for (let i = 0; i < 200 && !(gm.isFitted && gm.converged); i++) {
      // "map" where the data live, ship JSON, "reduce" here
      const shipped = parts.map((p) => JSON.stringify(SufficientStats.toJSON(gm.expectation(p))));
      gm.maximization(SufficientStats.merge(...shipped.map((t) => SufficientStats.fromJSON(t))));
    }
    expect(gm.nIter).toBe(ref.nIter);
    expectClose(gm.weights, ref.weights, 1e-10, 'weights');
    expectClose(gm.means, ref.means, 1e-10, 'means');
    expectClose(gm.covariances as never, ref.covariances as never, 1e-10, 'covariances');
    expectClose(gm.lowerBound, ref.lowerBound, 1e-10, 'lowerBound');
  });

  it('merge adds statistics of chunks into those of the whole; JSON round-trips exactly', () => {
    const gm = new GaussianMixture({ nComponents: 3, seed: 0 }).fit(X);
    const w = X.map((_, i) => (i % 7) / 3);
    const whole = gm.expectation(X, { sampleWeight: w });
    const merged = SufficientStats.merge(
      gm.expectation(X.slice(0, 200), { sampleWeight: w.slice(0, 200) }),
      gm.expectation(X.slice(200), { sampleWeight: w.slice(200) }),
    );
    for (const key of ['nk', 'sx', 'sxx'] as const) expectClose(merged[key], whole[key], 1e-12, key);
    expectClose(merged.logLik, whole.logLik, 1e-12, 'logLik');
    expect(merged.sumW).toBeCloseTo(whole.sumW, 10);
    const back = SufficientStats.fromJSON(JSON.parse(JSON.stringify(SufficientStats.toJSON(whole))));
    expect(back).toEqual(whole);
    // the neutral element
    const zero = SufficientStats.empty(3, 2, 'full', whole.centers);
    expect(SufficientStats.merge(whole, zero)).toEqual(whole);
  });

  it('rejects incompatible or malformed statistics with typed errors', () => {
    const gm = new GaussianMixture({ nComponents: 3, seed: 0 }).fit(X);
    const other = new GaussianMixture({ nComponents: 3, seed: 0 }).fit(X.slice(0, 250));
    const a = gm.expectation(X);
    expect(() => SufficientStats.merge(a, other.expectation(X))).toThrow(/different centers/);
    expect(() => SufficientStats.merge(a, new GaussianMixture({ nComponents: 2 }).fit(X).expectation(X))).toThrow(
      DataError,
    );
    expect(() => SufficientStats.merge()).toThrow(DataError);
    expect(() => gm.maximization({ ...a, sumW: Number.NaN })).toThrow(DataError);
    expect(() => new GaussianMixture({ nComponents: 2 }).fit(X).maximization(a)).toThrow(/stats have k=3/);
    expect(() => new GaussianMixture({ nComponents: 3 }).expectation(X)).toThrow(/needs a fitted model/);
    const json = SufficientStats.toJSON(a) as unknown as Record<string, unknown>;
    const text = JSON.stringify(json);
    for (const [bad, msg] of [
      [text.replace('{"format"', '{"__proto__":{"polluted":1},"format"'), /forbidden key '__proto__'/],
      [
        text.replace('{"format"', '{"constructor":{"prototype":{"polluted":1}},"format"'),
        /forbidden key 'constructor'/,
      ],
      [{ ...json, extra: 1 }, /unknown key 'extra'/],
      [{ ...json, nk: [1, 2] }, /nk must be an array of length 3/],
      [{ ...json, sxx: [[1]] }, /sxx must be an array of length 3/],
      [{ ...json, nk: [1, -2, 3] }, /nk\[1\] must be ≥ 0/],
      [{ ...json, sumW: 'many' }, /sumW must be a finite number/],
      [{ ...json, format: 'x' }, /format must be 'gaussmix-stats'/],
      [
        {
          ...json,
          sx: [
            [1, null],
            [1, 2],
            [3, 4],
          ],
        },
        /sx\[0\]\[1\] must be a finite number/,
      ],
      ['{nope', /not valid JSON/],
      [[1, 2], /expected an object/],
    ] as const) {
      let err: unknown;
      try {
        SufficientStats.fromJSON(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelFormatError);
      expect(err).toBeInstanceOf(GaussianMixtureError);
      expect((err as Error).message).toMatch(msg);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('maximization respects freeze and leaves the model unchanged when a component degenerates', () => {
    const gm = new GaussianMixture({ nComponents: 3, seed: 0, freeze: ['weights'], weightsInit: [0.2, 0.3, 0.5] }).fit(
      X,
    );
    const w0 = Array.from(gm.weights);
    gm.maximization(gm.expectation(X));
    expect(Array.from(gm.weights)).toEqual(w0);
    const snapshot = JSON.stringify(gm.toJSON());
    const st = gm.expectation(X);
    st.nk[1] = 0; // as if component 1 explained nothing
    expect(() => gm.maximization(st)).toThrow(/component 1 vanished/);
    expect(JSON.stringify(gm.toJSON())).toBe(snapshot);
  });
});
