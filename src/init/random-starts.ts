/**
 * The row-by-row draws of the random starts, one pass over every row in order with the fit's Random: 'random'
 * (statistics of uniformly random soft responsibilities, scikit-learn's) and 'random_from_data' (k distinct rows as
 * seed points). A driver serves the 'prepare' request with `prepareInit` where all rows are (worker 0 in fitAsync).
 */
import { emptyStats, type SufficientStats } from '../model/stats.js';
import { forEachBlock } from '../data/rows.js';
import type { Rows } from '../data/matrix.js';
import type { InitPrep, Request } from '../em/protocol.js';
import type { Random } from '../util/random.js';

/** Statistics of uniformly random soft responsibilities, centered on the data mean. */
function randomStats(
  rows: Rows,
  w: Float64Array | null,
  k: number,
  kind: 'full' | 'diag',
  mean: Float64Array,
  rng: Random,
): SufficientStats {
  const { d } = rows;
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) centers.set(mean, c * d);
  const st = emptyStats(k, d, kind, centers);
  const r = new Float64Array(k);
  const diff = new Float64Array(d);
  forEachBlock(rows, (buf, s, count) => {
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += r[c] = rng.random();
      const wi = w ? w[s + i] : 1;
      st.sumW += wi;
      for (let j = 0; j < d; j++) diff[j] = buf[i * d + j] - mean[j];
      for (let c = 0; c < k; c++) {
        const wr = (wi * r[c]) / sum;
        st.nk[c] += wr;
        for (let j = 0; j < d; j++) st.sx[c * d + j] += wr * diff[j];
        if (st.sxxKind === 'full') {
          for (let a = 0; a < d; a++)
            for (let b = 0; b < d; b++) st.sxx[c * d * d + a * d + b] += wr * diff[a] * diff[b];
        } else {
          for (let j = 0; j < d; j++) st.sxx[c * d + j] += wr * diff[j] * diff[j];
        }
      }
    }
  });
  return st;
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
  if (req.kind === 'random') return { seeds: null, stats: randomStats(rows, w, req.k, req.sxxKind, req.mean, rng) };
  return { seeds: distinctRows(rows, req.k, rng), stats: null };
}
