/**
 * The fitAsync worker: bundled by scripts/build-worker.mjs into one self-contained script (build/worker-source.ts)
 * and started from that string, so it runs the same code in Node (worker_threads, eval) and in browsers (Blob URL).
 *
 * A worker has its own backend instance and reads all rows of X (shared memory) or a private copy of its own range
 * (all rows for worker 0 when it serves initialisation). It answers the EM loop's data requests:
 * 'estep' and initialisation's 'assign' → sufficient statistics per segment of the rows (the segments it claims
 * from the shared counter, or its own range); 'worst' → over its own range; k-means++ seeding passes over its seed
 * chunks (and the data moments' sums); worker 0 also 'prepare' (the random starts' pass over all rows, drawing from
 * the fit's Random, whose state comes with the request and goes back with the reply), 'farthest', 'seed-rows' and
 * 'seed-first-weighted' (all rows).
 */
import { getBackend, init as initWasm } from '../../backends/index.js';
import type { Backend } from '../../backends/types.js';
import { loadParams, serveWorst } from '../../em/loop.js';
import { prepareInit } from '../../init/init.js';
import { farthestRows, serveAssign } from '../../tools/kmeans.js';
import type { Rows } from '../../data/matrix.js';
import { Random } from '../../util/random.js';
import { isSeedRequest, SeedServer } from '../../init/seeding.js';
import { Workspace } from '../../backends/workspace.js';
import type { SufficientStats } from '../../model/stats.js';
import type { FromWorker, SegmentStats, SetupMessage, ToWorker } from './messages.js';
import { arrayRows, errorToPayload } from './wire.js';

interface Port {
  post(msg: FromWorker, transfer?: Transferable[]): void;
  listen(fn: (msg: ToWorker) => void): void;
}

/** Node's spawner defines __gaussmixPort (from worker_threads' parentPort) before this script; browsers use self. */
function port(): Port {
  const g = globalThis as unknown as {
    __gaussmixPort?: Port;
    postMessage(m: unknown, t?: Transferable[]): void;
    addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  };
  if (g.__gaussmixPort) return g.__gaussmixPort;
  return {
    post: (m, t) => g.postMessage(m, t ?? []),
    listen: (fn) => g.addEventListener('message', (e) => fn(e.data as ToWorker)),
  };
}

interface State {
  setup: SetupMessage;
  backend: Backend;
  rows: Rows;
  weights: Float64Array | null;
  ws: Workspace;
  /** k-means++ state while an initialisation seeds (dropped at the next other request). */
  seeding: SeedServer | null;
}

const io = port();
let state: State | null = null;

async function setup(m: SetupMessage): Promise<FromWorker> {
  // Asynchronous compilation first: large modules may not compile synchronously everywhere.
  if (m.options.backend !== 'js') await initWasm();
  const backend = getBackend(m.options.backend);
  const o = m.options;
  state = {
    setup: m,
    backend,
    rows: arrayRows(m.data, m.d),
    weights: m.weights,
    ws: new Workspace(backend, m.d, o.nComponents, o.covarianceType),
    seeding: null,
  };
  return { type: 'ready', backend: backend.name };
}

function handle(m: Exclude<ToWorker, { type: 'release' }>): FromWorker | Promise<FromWorker> {
  if (m.type === 'setup') return setup(m);
  const s = state;
  if (!s) throw new Error('gaussmix worker: request before setup');
  if (isSeedRequest(m)) {
    const [c0, c1] = s.setup.seedChunks;
    if ((m.type === 'seed-first-weighted' || m.type === 'seed-rows') && !s.setup.servesInit) {
      throw new Error(`gaussmix worker: ${m.type} request to a worker that does not hold all rows`);
    }
    return { type: 'seed', value: (s.seeding ??= new SeedServer(s.rows, s.weights, s.backend, c0, c1)).serve(m) };
  }
  s.seeding = null; // seeding is over: its per-row distances can go
  if (m.type === 'prepare') {
    if (!s.setup.servesInit) throw new Error('gaussmix worker: prepare request to a worker that does not hold all rows');
    const rng = new Random(0);
    rng.setState(m.rng);
    const prep = prepareInit(s.rows, s.weights, s.setup.options, rng, m.mean);
    return { type: 'prep', prep, rng: rng.getState() };
  }
  if (m.type === 'farthest') {
    if (!s.setup.servesInit) throw new Error('gaussmix worker: farthest request to a worker that does not hold all rows');
    return { type: 'rows', rows: farthestRows(s.rows, m) };
  }
  const { offset, start, end, d } = s.setup;
  if (m.type === 'assign') return segmentStats(s, (a, b) => serveAssign(s.rows, s.weights, m, s.backend, a, b));
  if (m.type === 'worst') {
    // The worst rows of this worker's range (the driver merges ranges in order, as one pass would see them) and
    // their log p(x), recomputed row by row with the same kernels (a row's log p does not depend on its block).
    const own = arrayRows(s.setup.data.subarray((start - offset) * d, (end - offset) * d), d);
    const ownW = s.weights ? s.weights.subarray(start - offset, end - offset) : null;
    const rows = serveWorst(own, ownW, m.params, m.count, s.backend);
    const lse: number[] = [];
    if (rows.length > 0) {
      const flat = new Float64Array(rows.length * d);
      rows.forEach((r, i) => flat.set(r, i * d));
      const ws = new Workspace(s.backend, d, m.params.k, m.params.covType);
      loadParams(ws, m.params);
      ws.forEachLogResp(arrayRows(flat, d), (_s, count, _lr, l) => {
        for (let r = 0; r < count; r++) lse.push(l[r]);
      });
    }
    return { type: 'worst', rows, lse };
  }
  loadParams(s.ws, m.params);
  return segmentStats(s, (a, b) => s.ws.accumulate(s.rows, s.weights, m.hard, a, b));
}

/**
 * A statistics pass: the statistics of each segment this worker serves — the segments it claims from the shared
 * counter until none is left, or its own one. `pass` takes row bounds in this worker's `data` numbering.
 */
function segmentStats(s: State, pass: (start: number, end: number) => SufficientStats): FromWorker {
  const { segments, claim, segment, offset } = s.setup;
  const parts: SegmentStats[] = [];
  const serve = (i: number): void => {
    const st = pass(segments[i] - offset, segments[i + 1] - offset);
    parts.push({ segment: i, stats: { logLik: st.logLik, sumW: st.sumW, nk: st.nk, sx: st.sx, sxx: st.sxx } });
  };
  if (claim) for (let i = Atomics.add(claim, 0, 1); i < segments.length - 1; i = Atomics.add(claim, 0, 1)) serve(i);
  else serve(segment);
  return { type: 'stats', parts };
}

function reply(msg: FromWorker): void {
  if (msg.type === 'stats') io.post(msg, msg.parts.flatMap((p) => [p.stats.nk.buffer, p.stats.sx.buffer, p.stats.sxx.buffer]));
  else io.post(msg);
}

io.listen((m) => {
  if (m.type === 'release') {
    state = null; // the rows (and a shared X) may be freed while the worker waits in the pool
    return;
  }
  try {
    const out = handle(m);
    if (out instanceof Promise) out.then(reply, (e: unknown) => io.post({ type: 'error', error: errorToPayload(e) }));
    else reply(out);
  } catch (e) {
    io.post({ type: 'error', error: errorToPayload(e) });
  }
});
