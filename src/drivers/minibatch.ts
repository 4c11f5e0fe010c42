/**
 * Mini-batch EM over rows in memory (`fit(X, { batchSize })`): passes over X in batches, each batch one stepwise-EM
 * update (em/online.ts) — on large X a faster alternative to full-batch EM, which makes one update per pass.
 *
 * Batches sample all of X: with B = ⌈N / batchSize⌉ batches, batch j holds rows j, j + B, j + 2B, … (a systematic
 * sample), so rows stored in some order (by time, by class) still give representative batches and no permutation of
 * X is ever built; the order of the batches is shuffled in every pass (seeded). Without a warm start the model is
 * first fitted by EM on a systematic sample of max(batchSize, 10 000) rows (as fitStream initialises on a 10 000-row
 * sample): a small first batch gives a poor start that the passes are slow to undo. A pass's score is the weighted mean of its batches' scores (each
 * batch's mean log-likelihood under the parameters before its update); passes repeat until that score changes by
 * less than tol, or maxIter passes.
 */
import type { Backend } from '../backends/types.js';
import type { Rows } from '../data/matrix.js';
import type { MissingMode } from '../api/options.js';
import type { OnlineConfig, OnlineState } from '../em/online.js';
import type { EMResult } from '../em/protocol.js';
import type { ResetRecord } from '../model/degeneracy.js';
import type { Params } from '../model/params.js';
import { Random } from '../util/random.js';
import { updateLocal } from './online.js';

/** Rows the model is initialised on (at least; a larger batchSize initialises on one batch). */
const INIT_ROWS = 10_000;

/** Rows j, j + stride, j + 2·stride, … of `rows`. */
function strided(rows: Rows, j: number, stride: number): Rows {
  const { d } = rows;
  return {
    n: Math.ceil((rows.n - j) / stride),
    d,
    copyRows(start, count, dst, dstOff) {
      for (let i = 0; i < count; i++) rows.copyRows(j + (start + i) * stride, 1, dst, dstOff + i * d);
    },
  };
}

function stridedWeights(w: Float64Array, j: number, stride: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = w[j + i * stride];
  return out;
}

/**
 * Mini-batch EM over `rows` (weights `w`) in batches of about `batchSize` rows, from `start` (a warm start) or
 * initialised on a sample. Returns EM's result (nIter = passes) and the running state of the last update (null when
 * none ran: maxIter 0 from a warm start).
 */
export function fitMiniBatch(
  rows: Rows,
  w: Float64Array | null,
  o: OnlineConfig & { readonly missing: MissingMode },
  backend: Backend,
  batchSize: number,
  start: Params | null,
  check: (() => void) | null = null,
): { result: EMResult; state: OnlineState | null } {
  const stride = Math.ceil(rows.n / batchSize);
  const order = Array.from({ length: stride }, (_, j) => j);
  const rng = new Random(o.seed).fork(); // its own stream: the first batch's initialisation draws from Random(seed)
  let current: { params: Params; state: OnlineState | null } | null = start ? { params: start, state: null } : null;
  let state: OnlineState | null = null;
  const resets: ResetRecord[] = [];
  let prev = -Infinity;
  let lowerBound = -Infinity;
  let converged = false;
  let passes = 0;
  /** One update from rows j, j + every, …; null for a batch without weight. */
  const update = (
    j: number,
    every: number,
    cfg: OnlineConfig & { readonly missing: MissingMode } = o,
  ): { score: number; weight: number } | null => {
    check?.();
    const batch = strided(rows, j, every);
    const bw = w ? stridedWeights(w, j, every, batch.n) : null;
    const weight = bw ? bw.reduce((a, v) => a + v, 0) : batch.n;
    if (!(weight > 0)) return null; // a batch of zero-weight rows carries nothing to learn
    const r = updateLocal(batch, bw, backend, cfg, current);
    current = { params: r.params, state: r.state };
    state = r.state;
    resets.push(...r.resets);
    return { score: r.batchScore, weight };
  };
  if (current === null) {
    // onIteration reports the passes, not the iterations of this initial fit
    update(0, Math.ceil(rows.n / Math.min(rows.n, Math.max(batchSize, INIT_ROWS))), { ...o, onIteration: null });
  }
  for (let pass = 1; pass <= o.maxIter; pass++) {
    for (let i = stride - 1; i > 0; i--) {
      const k = rng.int(i + 1);
      [order[i], order[k]] = [order[k], order[i]];
    }
    let sum = 0;
    let total = 0;
    for (const j of order) {
      const u = update(j, stride);
      if (u === null) continue;
      sum += u.weight * u.score;
      total += u.weight;
    }
    passes = pass;
    lowerBound = sum / total;
    const change = lowerBound - prev;
    o.onIteration?.({ init: 0, iter: pass, lowerBound, change });
    if (Math.abs(change) < o.tol) {
      converged = true;
      break;
    }
    prev = lowerBound;
  }
  const { params } = current!;
  return { result: { params, lowerBound, nIter: passes, converged, resets }, state };
}
