/**
 * releaseMemory (issue 11's hazard "the wasm heap never shrinks"): after a large fit the thread's kernel heap is
 * replaced by a small one, fits afterwards give the same results, and a fit in progress across the release is
 * unaffected.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, init, releaseMemory } from '../../src/index.js';
import { getBackend } from '../../src/backends/index.js';

const heapBytes = () => getBackend('wasm').f64().buffer.byteLength;

function data(n: number, d: number, k: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: d }, (_, j) => Math.sin(i * 7.1 + j * 1.3) + (i % k) * 3 + Math.cos(i * 0.37 * (j + 1))),
  );
}

describe('releaseMemory', () => {
  it('gives back the heap a large fit grew, and later fits are unchanged', async () => {
    await init();
    const small = data(200, 2, 2);
    const before = new GaussianMixture({ nComponents: 2, seed: 0, backend: 'wasm' }).fit(small);
    // D = 400 full covariance, K = 8: the precision factors and the statistics are 8·400² doubles (10 MB) each
    new GaussianMixture({ nComponents: 8, seed: 0, backend: 'wasm', maxIter: 1 }).fit(data(2000, 400, 8));
    const grown = heapBytes();
    expect(grown).toBeGreaterThan(16 << 20);
    await releaseMemory();
    expect(heapBytes()).toBeLessThan(grown / 4);
    const after = new GaussianMixture({ nComponents: 2, seed: 0, backend: 'wasm' }).fit(small);
    expect(after.toJSON()).toEqual(before.toJSON());
  });

  it('a fitStream in progress keeps its instance and finishes as it would have', async () => {
    await init();
    const X = data(3000, 3, 3);
    const reference = new GaussianMixture({ nComponents: 3, seed: 1, backend: 'wasm' }).fit(X);
    let released: Promise<void> | null = null;
    const source = async function* () {
      for (let s = 0; s < X.length; s += 500) {
        released ??= releaseMemory(); // during the first pass, between chunks
        await released;
        yield X.slice(s, s + 500);
      }
    };
    const streamed = await new GaussianMixture({ nComponents: 3, seed: 1, backend: 'wasm' }).fitStream(source);
    expect(released).not.toBeNull();
    expect(streamed.nIter).toBe(reference.nIter);
    const m1 = streamed.means;
    const m0 = reference.means;
    for (let c = 0; c < 3; c++) for (let j = 0; j < 3; j++) expect(m1[c][j]).toBeCloseTo(m0[c][j], 10);
  });
});
