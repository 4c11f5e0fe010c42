/** The in-process driver: an algorithm of the protocol with every request served over all rows, here. */
import type { Backend } from '../backends/types.js';
import type { Rows } from '../data/matrix.js';
import { driveSync } from '../em/drive.js';
import type { Steps } from '../em/protocol.js';
import { observedMeans } from '../data/missing.js';
import { localServer } from './local/missing-server.js';
import type { Plan } from './plan.js';

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
  return driveSync(steps, localServer(rows, w, backend, fill, undefined, resp).handlers, check);
}

/** Runs a plan's algorithm over in-memory rows, synchronously; `check` before each pass (an abort signal). */
export function fitSync<R>(
  rows: Rows,
  w: Float64Array | null,
  plan: Plan<R>,
  backend: Backend,
  check: (() => void) | null = null,
): R {
  const fill = plan.missing === 'marginalize' ? observedMeans(rows, w) : null;
  const steps = plan.steps({ n: rows.n, d: rows.d, weighted: w !== null });
  const server = localServer(rows, w, backend, fill, undefined, plan.respInit?.values ?? null);
  return driveSync(steps, { ...server.handlers, ...plan.math }, check);
}
