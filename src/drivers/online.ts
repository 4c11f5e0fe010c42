/**
 * The in-process driver of online EM: one update (em/online.ts) served over rows in memory — partialFit's batch, or
 * one batch of a mini-batch fit. With missing: 'marginalize', rows holding NaN are served by the missing-value
 * server: the first batch's initialisation runs on its rows filled with their columns' observed means (as fit's
 * does), and later batches' E-steps use only the observed entries, which need no stand-ins (so a later batch may
 * lack every value of a column).
 */
import type { MissingMode } from '../api/options.js';
import type { Backend } from '../backends/types.js';
import type { Rows } from '../data/matrix.js';
import { extension } from '../extensions.js';
import { partialFitSteps, type OnlineConfig, type OnlineResult, type OnlineState } from '../em/online.js';
import type { Params } from '../model/params.js';
import { runLocal } from './sync.js';

/** One online update over `rows`; `start` null initialises on them (with the user's responsibilities `resp`). */
export function updateLocal(
  rows: Rows,
  w: Float64Array | null,
  backend: Backend,
  o: OnlineConfig & { readonly missing: MissingMode },
  start: { params: Params; state: OnlineState | null } | null,
  resp: Float64Array | null = null,
): OnlineResult {
  const fill =
    o.missing !== 'marginalize' ? null : start ? new Float64Array(rows.d) : extension('missing').observedMeans(rows, w);
  const steps = partialFitSteps(o, { n: rows.n, d: rows.d, weighted: w !== null }, start);
  return runLocal(rows, w, backend, steps, start ? null : resp, fill);
}
