/**
 * Property-based fuzzing (fast-check) of fit / predict / fromJSON with random shapes, values (subnormals, huge,
 * negative zero, duplicates), options and sample weights. Invariants:
 *  - nothing throws except a typed GaussianMixtureError;
 *  - accepted input gives no NaN anywhere (parameters, lowerBound, predict, predictProba, scoreSamples);
 *  - inputs are never mutated;
 *  - a failed call leaves the model exactly as it was;
 *  - fromJSON rejects prototype-pollution keys and wrong shapes, and whatever it accepts predicts without NaN.
 * `FUZZ_RUNS=n` scales every property (default: quick enough for `npm test`); the runs actually made are printed.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GaussianMixture,
  GaussianMixtureError,
  ModelFormatError,
  type GaussianMixtureOptions,
} from '../../src/index.js';
import { flat } from '../helpers/compare.js';
import { mixture } from '../helpers/data.js';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number): { numRuns: number } => ({ numRuns: Math.max(1, Math.round(n * SCALE)) });
const TIMEOUT = 60_000 * Math.max(1, SCALE / 4);
const made: Record<string, number> = {};
const tally = (key: string): void => {
  made[key] = (made[key] ?? 0) + 1;
};
afterAll(() => {
  // eslint-disable-next-line no-console
  if (process.env.FUZZ_RUNS) console.log('fuzz runs:', made);
});

const SPECIAL = [
  0,
  -0,
  5e-324,
  -5e-324,
  1e-310,
  2.2250738585072014e-308,
  1e-300,
  1e-150,
  1e150,
  1e300,
  -1e300,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  1e9,
  1e9 + 0.5,
  4.5e15,
  1,
  -1,
  0.1,
];
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

type Layout = 'arrays' | 'typed' | 'dense';

/** n×d data, partly drawn from a small pool of rows (duplicates), in one of the accepted layouts. */
const data = (dArb: fc.Arbitrary<number> = fc.integer({ min: 1, max: 5 })) =>
  dArb.chain((d) =>
    fc
      .record({
        d: fc.constant(d),
        pool: fc.array(fc.array(value, { minLength: d, maxLength: d }), { minLength: 1, maxLength: 6 }),
        picks: fc.array(fc.oneof(fc.nat(5), fc.array(value, { minLength: d, maxLength: d })), {
          minLength: 1,
          maxLength: 40,
        }),
        layout: fc.constantFrom<Layout>('arrays', 'typed', 'dense'),
        scale: fc.constantFrom(1, 1, 1, 1e-150, 1e150, 1e-300),
      })
      .map(({ d, pool, picks, layout, scale }) => {
        const rows = picks.map((p) => (typeof p === 'number' ? pool[p % pool.length] : p).map((v) => v * scale));
        return { d, rows, layout };
      }),
  );

function asMatrix(
  rows: number[][],
  d: number,
  layout: Layout,
): number[][] | Float64Array[] | { data: Float64Array; rows: number; cols: number } {
  if (layout === 'typed') return rows.map((r) => Float64Array.from(r));
  if (layout === 'dense') return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: d };
  return rows.map((r) => [...r]);
}

const weightsFor = (n: number) =>
  fc.option(
    fc.array(
      fc.oneof(fc.constantFrom(0, 1, 2.5, 5e-324, 1e-300, 1e300, 3), fc.double({ min: 0, max: 1e6, noNaN: true })),
      { minLength: n, maxLength: n },
    ),
    { nil: undefined },
  );

const options = fc.record({
  nComponents: fc.integer({ min: 1, max: 4 }),
  covarianceType: fc.constantFrom('full', 'tied', 'diag', 'spherical') as fc.Arbitrary<
    GaussianMixtureOptions['covarianceType']
  >,
  regCovar: fc.constantFrom(0, 1e-6, 1e-2, 1e-300),
  maxIter: fc.integer({ min: 0, max: 15 }),
  tol: fc.constantFrom(0, 1e-3),
  nInit: fc.integer({ min: 1, max: 2 }),
  initParams: fc.constantFrom('kmeans', 'k-means++', 'random', 'random_from_data') as fc.Arbitrary<
    GaussianMixtureOptions['initParams']
  >,
  algorithm: fc.constantFrom('em', 'hard') as fc.Arbitrary<GaussianMixtureOptions['algorithm']>,
  freeze: fc.subarray(['weights', 'means', 'covariances'] as const).map((a) => [...a]),
  onDegenerate: fc.constantFrom('error', 'reset') as fc.Arbitrary<GaussianMixtureOptions['onDegenerate']>,
  warmStart: fc.boolean(),
  seed: fc.integer({ min: -1e9, max: 1e9 }),
  backend: fc.constantFrom('js', 'wasm') as fc.Arbitrary<GaussianMixtureOptions['backend']>,
});

/** Exact copy for the no-mutation check (keeps -0 and typed-array classes). */
function snapshot(v: unknown): unknown {
  return structuredClone(v);
}
function sameValue(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as Float64Array;
    const y = b as Float64Array;
    return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (typeof a === 'object' && a !== null) {
    const ka = Object.keys(a);
    return (
      typeof b === 'object' &&
      b !== null &&
      ka.length === Object.keys(b).length &&
      ka.every((k) => sameValue((a as never)[k], (b as never)[k]))
    );
  }
  return Object.is(a, b);
}

function expectTyped(e: unknown): void {
  if (!(e instanceof GaussianMixtureError))
    throw new Error(`untyped exception: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
}

/** No NaN in any parameter or inference output of a fitted model (on X). */
function expectNoNaN(gm: GaussianMixture, X: unknown): void {
  const params = [
    ...flat(gm.weights),
    ...flat(gm.means),
    ...flat(gm.covariances as never),
    ...flat(gm.precisionsCholesky as never),
  ];
  expect(params.every(Number.isFinite), 'finite parameters').toBe(true);
  expect(Number.isNaN(gm.lowerBound), 'lowerBound').toBe(false);
  const k = gm.weights.length;
  const labels = gm.predict(X as never);
  expect(Array.from(labels).every((l) => l >= 0 && l < k)).toBe(true);
  for (const row of gm.predictProba(X as never)) {
    expect(row.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
  }
  const ll = gm.scoreSamples(X as never);
  expect(
    ll.every((v) => !Number.isNaN(v) && v !== Infinity),
    'scoreSamples',
  ).toBe(true);
}

const valid = mixture(3, 40, 5, 2, 6).X;
const validFor = (d: number): number[][] => valid.map((r) => r.slice(0, d));

describe('fuzz', () => {
  it(
    'fit: typed errors only, no NaN for accepted input, no mutation, failures keep the model',
    () => {
      made.fit = 0;
      fc.assert(
        fc.property(
          data(),
          options,
          fc.boolean(),
          fc.integer({ min: 0, max: 2 ** 31 }),
          ({ d, rows, layout }, opts, prefit, wSeed) => {
            made.fit++;
            const X = asMatrix(rows, d, layout);
            const n = rows.length;
            const w = fc.sample(weightsFor(n), { numRuns: 1, seed: wSeed })[0];
            const before = snapshot(X);
            const wBefore = snapshot(w);
            let gm: GaussianMixture;
            try {
              gm = new GaussianMixture(opts);
            } catch (e) {
              expectTyped(e);
              return;
            }
            if (prefit) {
              try {
                gm.fit(validFor(d));
              } catch (e) {
                expectTyped(e);
              }
            }
            const saved = gm.isFitted ? JSON.stringify(gm.toJSON()) : null;
            let ok = false;
            try {
              gm.fit(X, { sampleWeight: w });
              ok = true;
            } catch (e) {
              expectTyped(e);
              tally(`fit rejected: ${(e as Error).name}`);
              if (process.env.FUZZ_VERBOSE && (e as Error).name === process.env.FUZZ_VERBOSE)
                console.log((e as Error).message, JSON.stringify({ rows, opts, w }));
              expect(gm.isFitted ? JSON.stringify(gm.toJSON()) : null).toBe(saved);
            }
            if (ok) {
              tally('fit accepted');
              expectNoNaN(gm, X);
              // what fit produced, fromJSON accepts, and it predicts the same
              const again = GaussianMixture.fromJSON(JSON.stringify(gm.toJSON()));
              expect(Array.from(again.predict(X))).toEqual(Array.from(gm.predict(X)));
            }
            expect(sameValue(X, before), 'X unchanged').toBe(true);
            expect(sameValue(w, wBefore), 'sampleWeight unchanged').toBe(true);
          },
        ),
        runs(250),
      );
    },
    TIMEOUT,
  );

  it(
    'predict / predictProba / scoreSamples / score on arbitrary input: typed errors only, never NaN',
    () => {
      made.predict = 0;
      const models = (['full', 'tied', 'diag', 'spherical'] as const).map((covarianceType) =>
        new GaussianMixture({ nComponents: 2, covarianceType, seed: 0 }).fit(validFor(3)),
      );
      models.push(
        GaussianMixture.fromJSON(
          JSON.stringify(
            new GaussianMixture({ nComponents: 3, seed: 1 })
              .fit(validFor(3).map((r) => r.map((v) => v * 1e150 + 1e160)))
              .toJSON(),
          ),
        ),
      );
      fc.assert(
        fc.property(data(fc.constantFrom(3, 3, 3, 2)), fc.nat(models.length - 1), ({ d, rows, layout }, m) => {
          made.predict++;
          const gm = models[m];
          const X = asMatrix(rows, d, layout);
          const before = snapshot(X);
          const saved = JSON.stringify(gm.toJSON());
          try {
            const labels = gm.predict(X);
            expect(labels.length).toBe(rows.length);
            for (const row of gm.predictProba(X)) expect(row.every((p) => p >= 0 && p <= 1)).toBe(true);
            expect(gm.scoreSamples(X).every((v) => !Number.isNaN(v) && v !== Infinity)).toBe(true);
            expect(Number.isNaN(gm.score(X))).toBe(false);
          } catch (e) {
            expectTyped(e);
          }
          expect(sameValue(X, before)).toBe(true);
          expect(JSON.stringify(gm.toJSON())).toBe(saved);
        }),
        runs(250),
      );
    },
    TIMEOUT,
  );

  it(
    'fromJSON: rejects pollution keys and wrong shapes with ModelFormatError; what it accepts predicts without NaN',
    () => {
      made.fromJSON = 0;
      const X = validFor(3);
      const goods = (['full', 'tied', 'diag', 'spherical'] as const).map((covarianceType) =>
        new GaussianMixture({ nComponents: 2, covarianceType, seed: 0 }).fit(X).toJSON(),
      );
      const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
        leaf: fc.oneof(
          value,
          fc.constant(null),
          fc.boolean(),
          fc.string({ maxLength: 4 }),
          fc.constantFrom('full', 'gaussmix-model', 1, 2, 0),
        ),
        node: fc.oneof(
          { depthSize: 'small' },
          tie('leaf'),
          fc.array(tie('node'), { maxLength: 3 }),
          fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 2 }),
        ),
      })).node;
      const mutation = fc.record({
        kind: fc.constantFrom('set', 'set', 'set', 'delete', 'add', 'pollute', 'scale'),
        path: fc.array(fc.nat(6), { minLength: 1, maxLength: 5 }),
        v: jsonValue,
        key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'options'),
        factor: fc.constantFrom(-1, 0, 1e-320, 1e300, 2, 1 + 1e-9),
      });
      fc.assert(
        fc.property(
          fc.nat(goods.length - 1),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          fc.boolean(),
          (g, muts, asText) => {
            made.fromJSON++;
            const json = JSON.parse(JSON.stringify(goods[g])) as Record<string, unknown>;
            let text: string | null = null;
            for (const m of muts) {
              // walk to a random container along the path
              let parent: Record<string, unknown> | unknown[] = json;
              let key: string | number = '';
              for (const step of m.path) {
                const keys: (string | number)[] = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
                if (keys.length === 0) break;
                key = keys[step % keys.length];
                const child = (parent as Record<string, unknown>)[key as string];
                if (child === null || typeof child !== 'object') break;
                parent = child as Record<string, unknown>;
                key = '';
              }
              const target = parent as Record<string, unknown>;
              if (m.kind === 'set' && key !== '') target[key as string] = m.v;
              else if (m.kind === 'delete' && key !== '') delete target[key as string];
              else if (m.kind === 'add' && !Array.isArray(target))
                Object.defineProperty(target, m.key, {
                  value: m.v,
                  enumerable: true,
                  configurable: true,
                  writable: true,
                });
              else if (m.kind === 'scale' && key !== '' && typeof target[key as string] === 'number')
                target[key as string] = (target[key as string] as number) * m.factor;
              else if (m.kind === 'pollute') text = JSON.stringify(json).replace(/^\{/, `{"${m.key}":{"polluted":1},`);
            }
            const input = text ?? (asText ? JSON.stringify(json) : json);
            let gm: GaussianMixture | null = null;
            try {
              gm = GaussianMixture.fromJSON(input);
              tally('fromJSON accepted');
            } catch (e) {
              expectTyped(e);
              expect(e).toBeInstanceOf(ModelFormatError);
            }
            if (text !== null && /"(__proto__|constructor|prototype)"/.test(text)) expect(gm).toBeNull();
            if (gm) expectNoNaN(gm, X);
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
            expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
          },
        ),
        runs(400),
      );
    },
    TIMEOUT,
  );
});
