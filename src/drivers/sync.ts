/** The in-process driver: an algorithm of the protocol with every request served over all rows, here. */
import type { Backend } from '../backends/types.js';
import type { Rows } from '../data/matrix.js';
import { driveSync } from '../em/drive.js';
import type { Steps } from '../em/protocol.js';
import { RowServer } from './local/row-server.js';
import type { Plan } from './plan.js';

/** Runs `steps` over in-memory rows on one backend (with the user's initial responsibilities, if any). */
export function runLocal<R>(
  rows: Rows,
  w: Float64Array | null,
  backend: Backend,
  steps: Steps<R>,
  resp: Float64Array | null = null,
): R {
  return driveSync(steps, new RowServer(rows, w, backend, undefined, resp).handlers);
}

/** Runs a plan's algorithm over in-memory rows, synchronously. */
export function fitSync<R>(rows: Rows, w: Float64Array | null, plan: Plan<R>, backend: Backend): R {
  const steps = plan.steps({ n: rows.n, d: rows.d, weighted: w !== null });
  return runLocal(rows, w, backend, steps, plan.respInit?.values ?? null);
}
