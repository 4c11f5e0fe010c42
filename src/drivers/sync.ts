/** The in-process driver: EM (or any algorithm of the protocol) with every request served over all rows, here. */
import type { Backend } from '../backends/types.js';
import type { Rows } from '../data/matrix.js';
import { driveSync } from '../em/drive.js';
import { emLoop, type EMConfig, type WarmStart } from '../em/loop.js';
import type { EMResult, Steps } from '../em/protocol.js';
import { RowServer } from './local/row-server.js';

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

/** Fits by EM over in-memory rows, synchronously. */
export function fitSync(
  rows: Rows,
  w: Float64Array | null,
  o: EMConfig,
  backend: Backend,
  warm: WarmStart | null,
): EMResult {
  return runLocal(
    rows,
    w,
    backend,
    emLoop(o, { n: rows.n, d: rows.d, weighted: w !== null }, warm),
    o.respInit?.values ?? null,
  );
}
