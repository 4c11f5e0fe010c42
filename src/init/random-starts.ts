/**
 * Starts that are a pass over every row in order: the row-by-row draws of the random starts with the fit's Random —
 * 'random' (statistics of uniformly random soft responsibilities, scikit-learn's) and 'random_from_data' (k distinct
 * rows as seed points) — and the statistics of responsibilities the user gave (`respInit`, mclust's me() from z). A
 * driver serves 'prepare' and 'resp-stats' where all rows are (worker 0 in fitAsync).
 */
import { emptyStats, type SufficientStats } from '../model/stats.js';
import { forEachBlock } from '../data/rows.js';
import type { Rows } from '../data/matrix.js';
import type { InitPrep, Request } from '../em/protocol.js';
import type { Random } from '../util/random.js';

/**
 * Statistics of soft responsibilities, centered on the data mean: `respond(i, r)` fills row i's k responsibilities
 * (up to a positive factor) and returns their sum, which they are divided by.
 */
function softStats(
  rows: Rows,
  w: Float64Array | null,
  k: number,
  kind: 'full' | 'diag',
  mean: Float64Array,
  respond: (i: number, r: Float64Array) => number,
): SufficientStats {
  const { d } = rows;
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) centers.set(mean, c * d);
  const st = emptyStats(k, d, kind, centers);
  const r = new Float64Array(k);
  const diff = new Float64Array(d);
  forEachBlock(rows, (buf, s, count) => {
    for (let i = 0; i < count; i++) {
      const sum = respond(s + i, r);
      const wi = w ? w[s + i] : 1;
      st.sumW += wi;
      for (let j = 0; j < d; j++) diff[j] = buf[i * d + j] - mean[j];
      for (let c = 0; c < k; c++) {
        const wr = (wi * r[c]) / sum;
        st.nk[c] += wr;
        for (let j = 0; j < d; j++) st.sx[c * d + j] += wr * diff[j];
        addScatter(st, c, wr, diff);
      }
    }
  });
  return st;
}

/** Adds wr·diff·diffᵀ (or its diagonal, by the statistics' kind) to component c's scatter. */
function addScatter(st: SufficientStats, c: number, wr: number, diff: Float64Array): void {
  const d = diff.length;
  if (st.sxxKind === 'full') {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) st.sxx[c * d * d + a * d + b] += wr * diff[a] * diff[b];
  } else {
    for (let j = 0; j < d; j++) st.sxx[c * d + j] += wr * diff[j] * diff[j];
  }
}

/** k distinct rows: a partial Fisher–Yates over indices without materialising all n of them. */
function distinctRows(rows: Rows, k: number, rng: Random): Float64Array {
  const picked = new Map<number, number>();
  const seeds = new Float64Array(k * rows.d);
  for (let t = 0; t < k; t++) {
    const j = t + rng.int(rows.n - t);
    const vj = picked.get(j) ?? j;
    picked.set(j, picked.get(t) ?? t);
    rows.copyRows(vj, 1, seeds, t * rows.d);
  }
  return seeds;
}

/** Serves 'prepare' over all rows, drawing from `rng` (the fit's Random, whose state the request carried). */
export function prepareInit(rows: Rows, w: Float64Array | null, req: Request<'prepare'>, rng: Random): InitPrep {
  if (req.kind === 'random_from_data') return { seeds: distinctRows(rows, req.k, rng), stats: null };
  const random = (_i: number, r: Float64Array): number => {
    let sum = 0;
    for (let c = 0; c < req.k; c++) sum += r[c] = rng.random();
    return sum;
  };
  return { seeds: null, stats: softStats(rows, w, req.k, req.sxxKind, req.mean, random) };
}

/** Serves 'resp-stats': the statistics of the given n×k responsibilities (used as given: each row sums to 1). */
export function respStats(
  rows: Rows,
  w: Float64Array | null,
  resp: Float64Array,
  req: Request<'resp-stats'>,
): SufficientStats {
  const { k } = req;
  if (resp.length !== rows.n * k)
    throw new Error(`gaussmix: ${resp.length / k} rows of responsibilities for ${rows.n} rows`);
  return softStats(rows, w, k, req.sxxKind, req.mean, (i, r) => {
    r.set(resp.subarray(i * k, (i + 1) * k));
    return 1;
  });
}
