/**
 * StartCache (src/init/start-cache.ts): a memoised start is computed once per key and generator state, replayed as a
 * copy, and leaves the generator exactly where the computation would have.
 */
import { describe, expect, it } from 'vitest';
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
