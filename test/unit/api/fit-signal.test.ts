/**
 * fit's optional signal (issue 11: "give fit an optional signal so a server can bound any call"): checked before
 * every pass, it stops EM, mini-batch EM and the variational fit with the signal's reason and leaves the model as it
 * was.
 */
import { describe, expect, it } from 'vitest';
import { BayesianGaussianMixture, GaussianMixture, OptionError } from '../../../src/api/index.js';

const X = Array.from({ length: 300 }, (_, i) => [Math.sin(i) + (i % 3) * 4, Math.cos(i * 1.7) + (i % 3)]);

describe('fit({ signal })', () => {
  it('an already aborted signal throws its reason before any work', () => {
    const reason = new Error('stop');
    const gm = new GaussianMixture({ nComponents: 3, seed: 0 });
    expect(() => gm.fit(X, { signal: AbortSignal.abort(reason) })).toThrow(reason);
    expect(gm.isFitted).toBe(false);
  });

  it('an abort from onIteration stops EM at the next pass and keeps the previous fit', () => {
    const ac = new AbortController();
    let seen = 0;
    const gm = new GaussianMixture({
      nComponents: 3,
      seed: 0,
      tol: 0,
      maxIter: 50,
      warmStart: true,
      onIteration: () => {
        if (++seen === 3 && ac.signal.aborted === false && gm.isFitted) ac.abort();
      },
    });
    gm.fit(X, { signal: ac.signal }); // first fit: not aborted (the callback waits for a fitted model)
    const before = gm.toJSON();
    seen = 0;
    expect(() => gm.fit(X, { signal: ac.signal })).toThrow(/abort/i);
    expect(seen).toBe(3); // no iteration ran after the abort
    expect(gm.toJSON()).toEqual(before);
  });

  it('stops mini-batch EM between batches', () => {
    const ac = new AbortController();
    let passes = 0;
    const gm = new GaussianMixture({
      nComponents: 3,
      seed: 0,
      onIteration: () => {
        if (++passes === 1) ac.abort(new RangeError('enough'));
      },
    });
    expect(() => gm.fit(X, { batchSize: 50, signal: ac.signal })).toThrow(RangeError);
    expect(passes).toBe(1);
    expect(gm.isFitted).toBe(false);
  });

  it('stops the variational fit; BayesianGaussianMixture refuses batchSize', () => {
    const ac = new AbortController();
    let n = 0;
    const bgm = new BayesianGaussianMixture({
      nComponents: 4,
      seed: 0,
      onIteration: () => {
        if (++n === 2) ac.abort();
      },
    });
    expect(() => bgm.fit(X, { signal: ac.signal })).toThrow(/abort/i);
    expect(n).toBe(2);
    expect(bgm.isFitted).toBe(false);
    expect(() => new BayesianGaussianMixture({ nComponents: 2 }).fit(X, { batchSize: 10 })).toThrow(OptionError);
  });

  it('a signal that is not an AbortSignal is an OptionError naming it', () => {
    expect(() => new GaussianMixture({ nComponents: 2 }).fit(X, { signal: {} as AbortSignal })).toThrow(/signal/);
  });
});
