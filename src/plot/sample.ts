/**
 * Which rows a plot draws when there are too many to draw them all: a uniform random sample of `max` rows out of
 * `n` without replacement (Knuth's selection sampling, Algorithm S: every subset of that size equally likely), from
 * a fixed seed, so the same data give the same picture. Rows come out in their original order.
 */
import { Random } from '../util/random.js';

/** Points drawn by default: enough to show the shape of any cloud, few enough to keep an SVG well under 1 MB. */
export const MAX_POINTS = 5000;

/** The seed of the sample: fixed, so a plot is reproducible; unrelated to the model's seed. */
const SAMPLE_SEED = 0x5eed;

/** Indices of the rows to draw, ascending: all of 0…n−1 when n ≤ max. */
export function sampleRows(n: number, max: number): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(max);
  const rng = new Random(SAMPLE_SEED);
  let chosen = 0;
  for (let i = 0; i < n && chosen < max; i++) {
    // row i is taken with probability (still needed) / (still left)
    if ((n - i) * rng.random() < max - chosen) out[chosen++] = i;
  }
  return out;
}
