/** The in-process driver: an algorithm of the protocol with every request served over all rows, here. */
import type { Backend } from '../backends/types.js';
import type { Rows } from '../data/matrix.js';
import { driveSync } from '../em/drive.js';
import type { Steps } from '../em/protocol.js';
import { extension } from '../extensions.js';
import { RowServer } from './local/row-server.js';
import type { Plan } from './plan.js';

/** The server of in-memory rows: the missing-value one when NaN means missing (`fill`), else the plain one. */
function localRows(
  rows: Rows,
  w: Float64Array | null,
  backend: Backend,
  resp: Float64Array | null,
  fill: Float64Array | null,
): RowServer {
  // rows with NaN (missing: 'marginalize') need the missing-value server, an extension gaussmix/core leaves out
  return fill
    ? extension('missing').localServer(rows, w, backend, fill, undefined, resp)
    : new RowServer(rows, w, backend, undefined, resp);
}

/**
 * Runs `steps` over in-memory rows on one backend (with the user's initial responsibilities, if any; `fill`: the
 * stand-ins for missing entries when NaN means missing).
 */
export function runLocal<R>(
  rows: Rows,
  w: Float64Array | null,
  backend: Backend,
  steps: Steps<R>,
  resp: Float64Array | null = null,
  fill: Float64Array | null = null,
  check: (() => void) | null = null,
): R {
  return driveSync(steps, localRows(rows, w, backend, resp, fill).handlers, check);
}

/** Runs a plan's algorithm over in-memory rows, synchronously; `check` before each pass (an abort signal). */
export function fitSync<R>(
  rows: Rows,
  w: Float64Array | null,
  plan: Plan<R>,
  backend: Backend,
  check: (() => void) | null = null,
): R {
  const fill = plan.missing === 'marginalize' ? extension('missing').observedMeans(rows, w) : null;
  const steps = plan.steps({ n: rows.n, d: rows.d, weighted: w !== null });
  const server = localRows(rows, w, backend, plan.respInit?.values ?? null, fill);
  return driveSync(steps, { ...server.handlers, ...plan.math }, check);
}
