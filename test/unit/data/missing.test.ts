/**
 * data/missing.ts and the 'marginalize' validation mode: the complete-row view must give exactly the complete rows
 * (every start and length, runs of incomplete rows anywhere), the filled rows and observed means must equal direct
 * computations, and validation must name the bad row and column.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/api/index.js';
import { checkValues, toRows } from '../../../src/data/matrix.js';
import { filledRows, incompleteRows, ObservedMeans, observedMeans, RowSplit } from '../../../src/data/missing.js';
import { denseRows } from '../../../src/data/rows.js';
import { Random } from '../../../src/util/random.js';

const d = 3;

/** n rows; row i is incomplete when pattern(i). */
function rows(n: number, pattern: (i: number) => boolean): Float64Array {
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = i * 10 + j;
    if (pattern(i)) X[i * d + (i % d)] = NaN;
  }
  return X;
}

describe('RowSplit', () => {
  const rng = new Random(5);
  const patterns: [string, (i: number) => boolean][] = [
    ['none', () => false],
    ['all', () => true],
    ['first and last', (i) => i === 0 || i === 39],
    ['runs', (i) => Math.floor(i / 3) % 2 === 0],
    ['random', () => rng.random() < 0.4],
  ];
  for (const [name, pattern] of patterns) {
    it(`complete rows, counts and weights: ${name} incomplete`, () => {
      const n = 40;
      const X = rows(n, pattern);
      const split = RowSplit.of(denseRows(X, d));
      const incomplete: number[] = [];
      const complete: number[] = [];
      for (let i = 0; i < n; i++) (Number.isNaN(X[i * d + (i % d)]) ? incomplete : complete).push(i);
      expect(Array.from(split.incomplete)).toEqual(incomplete);
      expect(split.complete.n).toBe(complete.length);
      for (let r = 0; r <= n; r++) {
        expect(split.incompleteBefore(r)).toBe(incomplete.filter((i) => i < r).length);
        expect(split.completeBefore(r)).toBe(complete.filter((i) => i < r).length);
      }
      const wrong: string[] = [];
      for (let s = 0; s < complete.length; s++) {
        for (let count = 0; s + count <= complete.length; count++) {
          const out = new Float64Array(count * d + 2).fill(-1);
          split.complete.copyRows(s, count, out, 1);
          const want = [
            -1,
            ...complete.slice(s, s + count).flatMap((i) => Array.from(X.subarray(i * d, (i + 1) * d))),
            -1,
          ];
          if (want.some((v, t) => v !== out[t])) wrong.push(`copyRows(${s}, ${count})`);
        }
      }
      expect(wrong).toEqual([]);
      const w = Float64Array.from({ length: n }, (_, i) => i + 0.5);
      expect(Array.from(split.completeWeights(w)!)).toEqual(complete.map((i) => i + 0.5));
      expect(split.completeWeights(null)).toBeNull();
    });
  }

  it('incompleteRows scans any number of blocks', () => {
    const n = 70_000; // more than one scan block at d = 3
    const X = rows(n, (i) => i % 9_999 === 0);
    const want = Array.from({ length: n }, (_, i) => i).filter((i) => i % 9_999 === 0);
    expect(Array.from(incompleteRows(denseRows(X, d)))).toEqual(want);
  });
});

describe('filled rows and observed means', () => {
  it('fill NaN entries only, with the weighted observed mean of their column (blocks in any split)', () => {
    const X = rows(50, (i) => i % 4 === 1);
    const w = Float64Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 0 : 1 + (i % 3)));
    const means = observedMeans(denseRows(X, d), w);
    for (let j = 0; j < d; j++) {
      let sw = 0;
      let s = 0;
      let ref = Number.NaN;
      for (let i = 0; i < 50; i++) {
        const v = X[i * d + j];
        if (Number.isNaN(v)) continue;
        if (Number.isNaN(ref)) ref = v;
        sw += w[i];
        s += w[i] * (v - ref);
      }
      expect(means[j]).toBe(ref + s / sw);
    }
    const split = new ObservedMeans(d);
    split.add(X.subarray(0, 7 * d), 7, w);
    split.add(X.subarray(7 * d), 43, w, 7);
    expect(Array.from(split.finish())).toEqual(Array.from(means));
    const filled = new Float64Array(50 * d);
    filledRows(denseRows(X, d), means).copyRows(0, 50, filled, 0);
    for (let t = 0; t < 50 * d; t++) expect(filled[t]).toBe(Number.isNaN(X[t]) ? means[t % d] : X[t]);
  });

  it('a column with no observed value of positive weight is a DataError naming it', () => {
    const X = rows(6, () => false);
    for (let i = 0; i < 6; i++) X[i * d + 1] = i === 2 ? 5 : NaN;
    const w = Float64Array.from([1, 1, 0, 1, 1, 1]);
    expect(() => observedMeans(denseRows(X, d), w)).toThrow(/column 1 has no observed value with positive weight/);
    expect(Array.from(observedMeans(denseRows(X, d), null))[1]).toBe(5);
  });
});

describe("validation under missing 'marginalize'", () => {
  const good = [
    [1, NaN, 3],
    [NaN, 2, NaN],
  ];
  it('lets NaN through in every form of X', () => {
    expect(toRows(good, 'X', undefined, 'marginalize').n).toBe(2);
    expect(toRows({ data: good.flat(), rows: 2, cols: 3 }, 'X', undefined, 'marginalize').n).toBe(2);
    expect(
      toRows(
        good.map((r) => Float64Array.from(r)),
        'X',
        undefined,
        'marginalize',
      ).n,
    ).toBe(2);
    expect(() => toRows(good)).toThrow('X must contain only finite numbers; row 0, column 1 is NaN');
  });

  it('names the row and column of ±Infinity or a non-number, and a row without an observed value', () => {
    const cases: [unknown[][], RegExp, number, number | undefined][] = [
      [
        [
          [1, 2, 3],
          [4, -Infinity, NaN],
        ],
        /row 1, column 1 is -Infinity/,
        1,
        1,
      ],
      [
        [
          [1, 2, 3],
          [4, '5', NaN],
        ],
        /row 1, column 1 is string "5"/,
        1,
        1,
      ],
      [
        [
          [1, 2, 3],
          [NaN, NaN, NaN],
        ],
        /row 1 has no observed value \(all 3 entries are NaN\)/,
        1,
        undefined,
      ],
    ];
    for (const [X, message, row, column] of cases) {
      for (const x of [X, { data: X.flat(), rows: X.length, cols: 3 }]) {
        try {
          checkValues(x as never, 3, 0, X.length, 'X', 'marginalize');
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
          expect((e as Error).message).toMatch(message);
          expect(e).toMatchObject({ row, column });
        }
      }
    }
    expect(() => toRows([[1, 2], [3]], 'X', undefined, 'marginalize')).toThrow(/ragged: row 1 has 1 columns/);
  });
});
