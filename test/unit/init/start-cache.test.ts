/**
 * StartCache (src/init/start-cache.ts): a memoised start is computed once per key and generator state, replayed as a
 * copy, and leaves the generator exactly where the computation would have.
 */
import { describe, expect, it } from 'vitest';
import { rowsView } from '../../../src/data/matrix.js';
import { summarize } from '../../../src/data/summary.js';
import type { Steps } from '../../../src/em/protocol.js';
import { copyStats, StartCache } from '../../../src/init/start-cache.js';
import { emptyStats } from '../../../src/model/stats.js';
import { Random } from '../../../src/util/random.js';

/** Runs steps that ask for nothing. */
function run<T>(g: Steps<T>): T {
  const r = g.next();
  if (!r.done) throw new Error('unexpected request');
  return r.value;
}

describe('StartCache', () => {
  it('computes once per key and generator state; a hit is a copy and moves the generator as the computation did', () => {
    const cache = new StartCache();
    let runs = 0;
    const steps = (rng: Random) =>
      function* (): Steps<Float64Array> {
        runs++;
        return Float64Array.from({ length: 3 }, () => rng.random());
      };
    const copy = (v: Float64Array) => v.slice();

    const a = new Random(7);
    const first = run(cache.memo('start', a, steps(a), copy));
    const afterFirst = a.random();

    const b = new Random(7);
    const second = run(cache.memo('start', b, steps(b), copy));
    expect(runs).toBe(1);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(b.random()).toBe(afterFirst); // the generator continues as if k-means had run

    second[0] = 99; // a fit changing its copy changes nobody else's
    expect(run(cache.memo('start', new Random(7), steps(new Random(7)), copy))[0]).toBe(first[0]);

    // another state of the generator (a restart) or another key is computed anew
    const c = new Random(7);
    c.random();
    run(cache.memo('start', c, steps(c), copy));
    run(cache.memo('other', new Random(7), steps(new Random(7)), copy));
    expect(runs).toBe(3);
  });

  it('copyStats copies every array', () => {
    const st = emptyStats(2, 2, 'full', Float64Array.of(1, 2, 3, 4));
    const c = copyStats(st);
    expect(c).toEqual(st);
    for (const key of ['nk', 'sx', 'sxx', 'centers'] as const) expect(c[key]).not.toBe(st[key]);
  });
});

describe('the shared data summary', () => {
  // 40 rows of 2 columns with 5 distinct values, each repeated
  const X = Array.from({ length: 40 }, (_, i) => [i % 5, (i % 5) * 10 - 3]);
  const dense = rowsView({ data: Float64Array.from(X.flat()), rows: 40, cols: 2 });
  const arrays = rowsView(X);

  it('reads a dense X in place and gives what copying its rows gives', () => {
    expect(dense.dense).toBeInstanceOf(Float64Array);
    expect(arrays.dense).toBeUndefined();
    const w = Float64Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? 0 : 1 + (i % 3)));
    for (const weights of [null, w]) {
      for (const cap of [1, 3, 5, 8]) expect(summarize(dense, weights, cap)).toEqual(summarize(arrays, weights, cap));
    }
  });

  it('is summarize(rows, w, cap) for every cap asked, whatever was asked before, and a copy each time', () => {
    const cache = new StartCache();
    // 2 (counted to 2: saturated), 6 (recount: exact 5), 1, 3, 8 (from the exact count), 4
    for (const cap of [2, 6, 1, 3, 8, 4]) {
      const got = cache.summary(dense, null, cap);
      expect(got, `cap ${cap}`).toEqual(summarize(dense, null, cap));
      got.min[0] = 99; // a caller's change does not reach the next caller
    }
    const w = new Float64Array(40).fill(2);
    expect(cache.summary(dense, w, 3)).toEqual(summarize(dense, w, 3)); // other weights: computed for them
  });
});
