/**
 * The weighted mean, variance and range of the data that initialisation starts from, as a generator of requests:
 * per-chunk sums (chunks.ts) added in chunk order, so every driver and worker count gives the same moments.
 */
import { invScaleOf, maxRange } from '../data/summary.js';
import { ask, type Steps } from '../em/protocol.js';
import { seedChunkCount } from './chunks.js';

export interface DataMoments {
  mean: Float64Array;
  variance: Float64Array;
  /** s⁻¹, the power of two initialisation measures distances in (see data/summary.ts). */
  invScale: number;
  /** Mean per-feature variance in units of s²: the scale of k-means' tolerance. */
  scaledMeanVariance: number;
}

/** The moments over n rows of d features (the mean accumulated around row 0, against cancellation). */
export function* dataMomentsSteps(n: number, d: number): Steps<DataMoments> {
  const chunks = seedChunkCount(n);
  const ref = yield* ask({ type: 'seed-rows', rows: [0] });
  const m1 = yield* ask({ type: 'seed-moments', ref });
  const w1 = 1 + 3 * d;
  let sw = 0;
  const mean = new Float64Array(d);
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let ch = 0; ch < chunks; ch++) {
    const o = ch * w1;
    sw += m1[o];
    for (let j = 0; j < d; j++) {
      mean[j] += m1[o + 1 + j];
      min[j] = Math.min(min[j], m1[o + 1 + d + j]);
      max[j] = Math.max(max[j], m1[o + 1 + 2 * d + j]);
    }
  }
  for (let j = 0; j < d; j++) mean[j] = ref[j] + mean[j] / sw;
  const invScale = invScaleOf(maxRange(min, max));
  const m2 = yield* ask({ type: 'seed-spread', mean, invScale });
  const variance = new Float64Array(d);
  let scaled = 0;
  for (let ch = 0; ch < chunks; ch++) {
    const o = ch * (d + 1);
    for (let j = 0; j < d; j++) variance[j] += m2[o + j];
    scaled += m2[o + d];
  }
  for (let j = 0; j < d; j++) variance[j] /= sw;
  return { mean, variance, invScale, scaledMeanVariance: scaled / sw / d };
}
