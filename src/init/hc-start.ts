/**
 * `initParams: 'hc'` — mclust's default start (Mclust(), mclustBIC()): model-based agglomerative clustering (hc.ts;
 * VVV merging on SVD-transformed data) cut at K, and the first M-step from that partition.
 *
 * The rule, as mclust's with one documented difference:
 *  - N ≤ HC_SUBSET (2 000, mclust.options("subset")): hc runs on every row, and the first M-step is taken from its
 *    partition — exactly Mclust()'s start (me() from unmap(hclass(hc(X, "VVV", use = "SVD"), K))).
 *  - N > HC_SUBSET: hc runs on HC_SUBSET rows drawn uniformly without replacement with the fit's seeded Random, in
 *    row order, and the first M-step is taken from the subset's partition; EM then runs on all rows. That is
 *    mclust's rule too (mstep() on the subset, then EM on everything), but mclust draws its subset with R's RNG,
 *    which cannot be reproduced here: above 2 000 rows the start differs from mclust's.
 *  - Fewer rows than features (mclust: n ≤ d): Ward's criterion (EII) on the untransformed rows.
 *  - Sample weights: rows of zero weight are left out; hc itself is unweighted (mclust has no weights), the first
 *    M-step uses the weights.
 * It is deterministic for a seed and the same in every driver: the rows come through the protocol ('row-subset',
 * answered where the rows are; a stream answers from its reservoir sample) and hc runs here, in the generator.
 */
import { DataError } from '../api/errors.js';
import { ask, type Steps } from '../em/protocol.js';
import type { SufficientStats } from '../model/stats.js';
import type { Random } from '../util/random.js';
import { hclass, hcMerges, svdTransform } from './hc.js';

/** Rows hc runs on at most (mclust.options("subset")); beyond it, a seeded uniform subset. */
export const HC_SUBSET = 2000;

/** `count` distinct indices of 0…n−1 drawn uniformly (a partial Fisher–Yates shuffle), sorted; all of them if n ≤ count. */
export function subsetRows(n: number, count: number, rng: Random): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const perm = new Map<number, number>(); // sparse Fisher–Yates: only the touched positions
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    const vj = perm.get(j) ?? j;
    perm.set(j, perm.get(i) ?? i);
    out.push(vj);
  }
  return out.sort((a, b) => a - b);
}

/** The hc partition of the rows into k groups and the statistics of the first M-step from it. */
export function* hcStartStats(
  k: number,
  kind: 'full' | 'diag',
  n: number,
  d: number,
  rng: Random,
): Steps<SufficientStats> {
  const picked = subsetRows(n, HC_SUBSET, rng);
  const { values, weights } = yield* ask({ type: 'row-subset', rows: picked });
  // rows of zero weight do not take part
  const keep: number[] = [];
  for (let i = 0; i < picked.length; i++) if (!weights || weights[i] > 0) keep.push(i);
  const m = keep.length;
  if (m < k) {
    throw new DataError(
      `initParams 'hc' needs at least nComponents = ${k} rows of positive weight among the ${picked.length} it clusters; got ${m}`,
    );
  }
  const x = new Float64Array(m * d);
  keep.forEach((i, t) => x.set(values.subarray(i * d, (i + 1) * d), t * d));
  const w = weights ? Float64Array.from(keep, (i) => weights[i]) : null;
  const labels = hcPartition(x, m, d, k);
  return groupStats(x, w, labels, m, d, k, kind);
}

/** hclass(hc(x), k): VVV on the SVD transformation (EII on x itself when there are fewer rows than features). */
export function hcPartition(x: Float64Array, n: number, d: number, k: number): Int32Array {
  if (n <= d) return hclass(hcMerges(x, n, d, 'EII'), n, k);
  const t = svdTransform(x, n, d);
  return hclass(hcMerges(t.z, n, t.p, 'VVV'), n, k);
}

/**
 * Statistics of a hard partition, each group's accumulated around its own (weighted) mean: the M-step then takes
 * the means as they are (Σ w·(x − μ) = 0) and the scatter without cancellation.
 */
function groupStats(
  x: Float64Array,
  w: Float64Array | null,
  labels: Int32Array,
  n: number,
  d: number,
  k: number,
  kind: 'full' | 'diag',
): SufficientStats {
  const nk = new Float64Array(k);
  const centers = new Float64Array(k * d);
  let sumW = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const c = labels[i];
    nk[c] += wi;
    sumW += wi;
    for (let j = 0; j < d; j++) centers[c * d + j] += wi * x[i * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] /= nk[c];
  const sxx = new Float64Array(kind === 'full' ? k * d * d : k * d);
  const dev = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const c = labels[i];
    for (let j = 0; j < d; j++) dev[j] = x[i * d + j] - centers[c * d + j];
    if (kind === 'full') {
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) sxx[c * d * d + a * d + b] += wi * dev[a] * dev[b];
    } else {
      for (let j = 0; j < d; j++) sxx[c * d + j] += wi * dev[j] * dev[j];
    }
  }
  if (kind === 'full') {
    for (let c = 0; c < k; c++)
      for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) sxx[c * d * d + a * d + b] = sxx[c * d * d + b * d + a];
  }
  return { k, d, sxxKind: kind, logLik: 0, sumW, nk, sx: new Float64Array(k * d), sxx, centers };
}
