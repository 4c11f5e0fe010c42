/**
 * The k-means start on a sample (init/sample-kmeans.ts) is part of the generator, and the EM on that sample
 * (initSample 'em', init/sample-em.ts) one request every driver answers with the same code, so every driver computes
 * the same start: on more rows than the sample, fit ≡ fitAsync (1–3 workers, shared-memory segments; worker 0 fits
 * the sample) ≡ fitStream with the whole data as its initialisation sample, to 1e-10 (only the order in which
 * statistics are added differs), on both backends.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, type GaussianMixtureOptions } from '../../src/index.js';
import { sampleSize } from '../../src/init/sample-kmeans.js';
import { mixture } from '../helpers/data.js';
import { expectClose } from '../helpers/compare.js';

const k = 3;
const { X } = mixture(21, sampleSize(k) + 5000, 3, k, 6);

function same(a: GaussianMixture, b: GaussianMixture, what: string): void {
  expect(b.nIter, `${what}: nIter`).toBe(a.nIter);
  expectClose([b.lowerBound], [a.lowerBound], 1e-10, `${what}: lowerBound`);
  expectClose(
    b.means.flatMap((m) => Array.from(m)),
    a.means.flatMap((m) => Array.from(m)),
    1e-10,
    `${what}: means`,
  );
  expectClose(Array.from(b.weights), Array.from(a.weights), 1e-10, `${what}: weights`);
}

describe('the sampled k-means start is the same in every driver', () => {
  for (const backend of ['wasm', 'js'] as const) {
    for (const [initParams, initSample] of [
      ['kmeans', 'em'],
      ['k-means++', 'em'],
      ['kmeans', 'kmeans'],
    ] as const) {
      const o: GaussianMixtureOptions = { nComponents: k, initParams, initSample, seed: 5, backend };
      it(`${initParams}, initSample ${initSample}, ${backend}: fit ≡ fitAsync ≡ fitStream`, async () => {
        const ref = new GaussianMixture(o).fit(X);
        for (const workers of [1, 3])
          same(ref, await new GaussianMixture(o).fitAsync(X, { workers }), `fitAsync ×${workers}`);
        const chunks = () =>
          Array.from({ length: Math.ceil(X.length / 4000) }, (_, i) => X.slice(i * 4000, (i + 1) * 4000));
        same(ref, await new GaussianMixture(o).fitStream(chunks, { initSampleSize: X.length }), 'fitStream');
      });
    }
  }
});
