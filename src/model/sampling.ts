/**
 * Drawing rows from a mixture, in batches: the component counts first (n uniform draws), then each component's rows
 * in turn (d standard normals each, scaled by its covariance's factor) — scikit-learn's order, so rows come grouped by
 * component. Batches keep memory at O(batch·d) whatever n is; the rows are the same however they are batched.
 */
import { modelOf, type Params } from './params.js';
import type { Random } from '../util/random.js';

export interface SampleBatch {
  /** rows × d values, row-major. */
  X: Float64Array;
  /** The component each row was drawn from. */
  y: Int32Array;
  rows: number;
}

export function* sampleRows(p: Params, n: number, rng: Random, batch = 8192): Generator<SampleBatch> {
  const { k, d } = p;
  // a noise component (model/noise.ts) is drawn last: label −1, uniform in the data's bounding box
  const kk = p.noise ? k + 1 : k;
  const weight = (c: number): number => (c < k ? p.weights[c] : p.noise!.weight);
  const counts = new Float64Array(kk);
  for (let i = 0; i < n; i++) {
    let u = rng.random();
    let c = 0;
    while (c < kk - 1 && u >= weight(c)) u -= weight(c++);
    counts[c]++;
  }
  const addNoise = modelOf(p).layout.sampler(p.covariances, k, d);
  const z = new Float64Array(d);
  let X = new Float64Array(Math.min(batch, n) * d);
  let y = new Int32Array(Math.min(batch, n));
  let at = 0;
  for (let c = 0; c < kk; c++) {
    for (let t = 0; t < counts[c]; t++) {
      const x = X.subarray(at * d, (at + 1) * d);
      if (c === k) {
        const { lower, upper } = p.noise!;
        for (let j = 0; j < d; j++) x[j] = lower[j] + rng.random() * (upper[j] - lower[j]);
      } else {
        for (let j = 0; j < d; j++) z[j] = rng.normal();
        x.set(p.means.subarray(c * d, (c + 1) * d));
        addNoise(c, z, x);
      }
      y[at++] = c === k ? -1 : c;
      if (at === y.length) {
        yield { X, y, rows: at };
        X = new Float64Array(X.length);
        y = new Int32Array(y.length);
        at = 0;
      }
    }
  }
  if (at > 0) yield { X: X.subarray(0, at * d), y: y.subarray(0, at), rows: at };
}
