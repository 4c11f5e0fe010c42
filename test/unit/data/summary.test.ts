/**
 * The data pass before a fit (src/data/summary.ts, src/data/matrix.ts): the summary's per-feature range, taken a few
 * columns per sweep of a block, equals a per-value reference for every width and block split; the finiteness check of
 * a dense Float64Array, four running sums per block, finds a non-finite value wherever it is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/api/errors.js';
import { checkValues, rowsView } from '../../../src/data/matrix.js';
import { SummaryBuilder, summarize } from '../../../src/data/summary.js';

/** min and max of each column, value by value in row order (the comparison summarize makes, so -0/0 ties agree). */
function rangeRef(x: Float64Array, n: number, d: number) {
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  return { min, max };
}

describe('summarize', () => {
  it('gives every column its min and max, for widths 1–13 and blocks split anywhere', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 13 * 60, maxLength: 13 * 60 }),
        fc.integer({ min: 1, max: 60 }),
        (d, n, values, split) => {
          const x = Float64Array.from(values.slice(0, n * d));
          const ref = rangeRef(x, n, d);
          const whole = summarize(rowsView({ data: x, rows: n, cols: d }), null, 1);
          expect(Array.from(whole.min)).toEqual(Array.from(ref.min));
          expect(Array.from(whole.max)).toEqual(Array.from(ref.max));
          // the same rows added in two blocks (a stream's chunks)
          const b = new SummaryBuilder(d, 1);
          const s = Math.min(split, n);
          b.add(x.subarray(0, s * d), s, null);
          if (s < n) b.add(x.subarray(s * d), n - s, null);
          const parts = b.finish();
          expect(Array.from(parts.min)).toEqual(Array.from(ref.min));
          expect(Array.from(parts.max)).toEqual(Array.from(ref.max));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('spans blocks of the dense path (2·10⁴ rows of 7 columns: three blocks)', () => {
    const n = 20_000;
    const d = 7;
    const x = Float64Array.from({ length: n * d }, (_, t) => Math.sin(t * 12.9898) * 43758.5453);
    x[(n - 1) * d + 6] = 1e9; // the very last value
    x[5] = -1e9;
    const got = summarize(rowsView({ data: x, rows: n, cols: d }), null, 3);
    const ref = rangeRef(x, n, d);
    expect(Array.from(got.min)).toEqual(Array.from(ref.min));
    expect(Array.from(got.max)).toEqual(Array.from(ref.max));
    expect(got.max[6]).toBe(1e9);
    expect(got.min[5]).toBe(-1e9);
  });
});

describe('the finiteness check of a dense Float64Array', () => {
  it('finds NaN and ±Infinity at every position of a block and its tail, naming row and column', () => {
    const d = 3;
    const n = 4101; // 12 303 values: three 4096-value blocks and a tail of 15; lanes of the 4-way sums and the rest
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const t of [0, 1, 2, 3, 4, 4095, 4096, 8190, 12_287, 12_288, 12_300, 12_302]) {
        const x = new Float64Array(n * d).fill(1.5);
        x[t] = bad;
        const row = Math.floor(t / d);
        const col = t % d;
        expect(() => checkValues({ data: x, rows: n, cols: d }, d, 0, n), `${bad} at ${t}`).toThrow(
          new RegExp(`row ${row}, column ${col} is ${String(bad)}`),
        );
        expect(() => checkValues({ data: x, rows: n, cols: d }, d, 0, n)).toThrow(DataError);
        // a range that does not hold it passes
        if (row > 0) checkValues({ data: x, rows: n, cols: d }, d, 0, row);
      }
    }
    checkValues({ data: new Float64Array(n * d).fill(-0), rows: n, cols: d }, d, 0, n);
  });
});
