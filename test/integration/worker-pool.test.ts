/**
 * The process-wide bound on fitAsync's worker threads (issue 11, item 8): a fit asking for more workers than the bound
 * gets the bound; concurrent fits share the bounded pool and wait their turn instead of starting threads of their
 * own; an abort while waiting leaves the queue; setMaxWorkers validates and moves the bound.
 */
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { GaussianMixture, OptionError, setMaxWorkers, terminateIdleWorkers } from '../../src/index.js';
import { waitingFits } from '../../src/drivers/workers/pool.js';
import { liveWorkers } from '../../src/drivers/workers/spawn.js';
import { mixture } from '../helpers/data.js';

const { X } = mixture(5, 3000, 2, 3, 6);
const cores = availableParallelism();

/** Samples liveWorkers() every few ms while `p` runs; returns its maximum. */
async function peakWorkers<T>(p: Promise<T>): Promise<{ peak: number; value: T }> {
  let peak = liveWorkers();
  const timer = setInterval(() => (peak = Math.max(peak, liveWorkers())), 2);
  try {
    const value = await p;
    return { peak: Math.max(peak, liveWorkers()), value };
  } finally {
    clearInterval(timer);
  }
}

afterAll(async () => {
  setMaxWorkers(null);
  await terminateIdleWorkers();
});

describe('a bounded pool of fitAsync workers', () => {
  it('workers: 64 runs on at most the available cores, and equals fit', async () => {
    await terminateIdleWorkers();
    const gm = new GaussianMixture({ nComponents: 3, seed: 2 });
    const { peak } = await peakWorkers(gm.fitAsync(X, { workers: 64 }));
    expect(peak).toBeLessThanOrEqual(cores);
    const ref = new GaussianMixture({ nComponents: 3, seed: 2 }).fit(X);
    expect(gm.lowerBound).toBeCloseTo(ref.lowerBound, 10);
  });

  it('twelve concurrent fits share the bound and all finish', async () => {
    const fits = Array.from({ length: 12 }, (_, i) =>
      new GaussianMixture({ nComponents: 3, seed: i }).fitAsync(X, { workers: 2 }),
    );
    const { peak, value } = await peakWorkers(Promise.all(fits));
    expect(peak).toBeLessThanOrEqual(cores);
    expect(value.every((g) => g.isFitted)).toBe(true);
    expect(waitingFits()).toBe(0);
  });

  it('an abort while waiting for workers rejects with its reason and leaves the queue', async () => {
    setMaxWorkers(1);
    const long = new GaussianMixture({ nComponents: 3, tol: 0, maxIter: 200 }).fitAsync(X, { workers: 1 });
    const ac = new AbortController();
    const waiting = new GaussianMixture({ nComponents: 3 }).fitAsync(X, { workers: 1, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 20));
    expect(waitingFits()).toBe(1);
    ac.abort(new Error('not now'));
    await expect(waiting).rejects.toThrow('not now');
    expect(waitingFits()).toBe(0);
    await long;
    setMaxWorkers(null);
  });

  it('setMaxWorkers validates its argument and can raise the bound explicitly', async () => {
    expect(() => setMaxWorkers(0)).toThrow(OptionError);
    expect(() => setMaxWorkers(2.5)).toThrow(/maxWorkers must be an integer in 1…1024 or null/);
    setMaxWorkers(cores + 1);
    const { peak } = await peakWorkers(new GaussianMixture({ nComponents: 3 }).fitAsync(X, { workers: cores + 1 }));
    expect(peak).toBe(cores + 1);
    setMaxWorkers(null);
  });
});
