/**
 * A contaminated data set for the noise component's tests: a true Gaussian mixture (test/helpers/data.ts) plus a
 * given fraction of rows drawn uniformly in a box around it, with the truth (means, which rows are clutter).
 * Deterministic for a seed.
 */
import { Random } from '../../src/util/random.js';
import { mixture } from './data.js';

export interface Contaminated {
  X: number[][];
  /** 1 for the clutter rows (appended after the mixture's). */
  clutter: Uint8Array;
  means: number[][];
}

export function contaminatedMixture(seed: number, n: number, d: number, k: number, fraction = 0.1): Contaminated {
  const m = mixture(seed, n, d, k);
  const lo = Array.from({ length: d }, (_, j) => Math.min(...m.X.map((r) => r[j])));
  const hi = Array.from({ length: d }, (_, j) => Math.max(...m.X.map((r) => r[j])));
  const rng = new Random(seed + 1);
  const extra = Math.round(n * fraction);
  // the box is the mixture's, widened by half its width on every side: clutter is spread far beyond the clusters
  const rows = Array.from({ length: extra }, () =>
    lo.map((l, j) => {
      const w = hi[j] - l;
      return l - w / 2 + rng.random() * 2 * w;
    }),
  );
  const clutter = new Uint8Array(n + extra);
  clutter.fill(1, n);
  return { X: [...m.X, ...rows], clutter, means: m.means };
}

/** The largest distance from a true mean to the nearest fitted mean, divided by nothing (data units). */
export function meanError(fitted: ArrayLike<number>[], truth: number[][]): number {
  let worst = 0;
  for (const t of truth) {
    let best = Infinity;
    for (const f of fitted) best = Math.min(best, Math.hypot(...t.map((v, j) => v - f[j])));
    worst = Math.max(worst, best);
  }
  return worst;
}
