import type { GaussianMixture } from '../../src/index.js';
import { Random } from '../../src/util/random.js';

export interface Synthetic {
  X: number[][];
  labels: number[];
  means: number[][];
}

/**
 * Samples a K-component mixture in D dimensions whose means are `sep` standard deviations apart along random
 * directions, with random (well-conditioned) full covariances. Deterministic for a seed.
 */
export function mixture(seed: number, n: number, d: number, k: number, sep = 10, weights?: number[]): Synthetic {
  const rng = new Random(seed);
  // Means at least `sep` apart (covariance scales are ≤ 1.5), drawn in a box that leaves room for all k.
  // Greedy placement can paint itself into a corner, so after too many rejections it starts over.
  let means: number[][] = [];
  for (let tries = 0; means.length < k; tries++) {
    if (tries > 200) {
      means = [];
      tries = 0;
    }
    const m = Array.from({ length: d }, () => (rng.random() - 0.5) * sep * 2 * k);
    if (means.every((o) => Math.hypot(...o.map((v, j) => v - m[j])) >= sep)) means.push(m);
  }
  // Random lower-triangular factors with diagonal in [0.5, 1.5] and small off-diagonals.
  const factors = means.map(() =>
    Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => (j < i ? 0.3 * (rng.random() - 0.5) : j === i ? 0.5 + rng.random() : 0)),
    ),
  );
  const X: number[][] = [];
  const labels: number[] = [];
  const w = weights ?? Array(k).fill(1 / k);
  for (let i = 0; i < n; i++) {
    let u = rng.random();
    let c = 0;
    while (c < k - 1 && u >= w[c]) u -= w[c++];
    const z = Array.from({ length: d }, () => rng.normal());
    X.push(means[c].map((m, a) => m + factors[c][a].reduce((s, f, b) => s + f * z[b], 0)));
    labels.push(c);
  }
  return { X, labels, means };
}

/** Adjusted Rand index of two labelings. */
export function adjustedRand(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const table = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
    rb.set(b[i], (rb.get(b[i]) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  let sb = 0;
  for (const v of ra.values()) sa += c2(v);
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Lower Cholesky succeeds ⇔ symmetric matrix is positive definite. */
export function isSPD(m: ArrayLike<ArrayLike<number>>): boolean {
  const d = m.length;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < i; j++) {
      if (Math.abs(m[i][j] - m[j][i]) > 1e-12 * Math.max(1, Math.abs(m[i][j]))) return false;
    }
  const l = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let p = 0; p < j; p++) s -= l[i][p] * l[j][p];
      if (i === j) {
        if (!(s > 0)) return false;
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  return true;
}

/** Recursively freezes nested arrays so any write throws in strict mode. */
export function deepFreeze<T>(v: T): T {
  if (Array.isArray(v)) {
    v.forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

/** Covariances of any covariance type as K full D×D matrices. */
export function covMatrices(gm: GaussianMixture): number[][][] {
  const k = gm.weights.length;
  const d = gm.nFeatures;
  const cov = gm.covariances;
  const t = gm.options.covarianceType;
  return Array.from({ length: k }, (_, c) =>
    Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => {
        if (t === 'full') return (cov as Float64Array[][])[c][i][j];
        if (t === 'tied') return (cov as Float64Array[])[i][j];
        if (i !== j) return 0;
        return t === 'diag' ? (cov as Float64Array[])[c][i] : (cov as Float64Array)[c];
      }),
    ),
  );
}
