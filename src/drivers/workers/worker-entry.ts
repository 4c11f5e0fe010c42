/**
 * The fitAsync worker: bundled by scripts/build-worker.mjs into one self-contained script (build/worker-source.ts)
 * and started from that string, so it runs the same code in Node (worker_threads, eval) and in browsers (Blob URL).
 *
 * A worker has its own backend instance and a RowServer over the rows it holds: all of X (shared memory) or a
 * private copy of its own range (all rows for worker 0 when it serves initialisation). Statistics passes ('estep',
 * 'assign') cover the segments it claims from the shared counter (or its own range); 'worst' its own range; the
 * seeding passes its seed chunks; the requests that need every row in order ('prepare', 'farthest', 'seed-rows',
 * 'seed-first-weighted') go to worker 0 only.
 */
import { getBackend, init as initWasm, provideWasmModule } from '../../backends/index.js';
import { denseRows } from '../../data/rows.js';
import { serve } from '../../em/drive.js';
import { variationalStep } from '../../em/variational.js';
import type { Request } from '../../em/protocol.js';
import type { SufficientStats } from '../../model/stats.js';
import { localServer } from '../local/missing-server.js';
import type { RowServer } from '../local/row-server.js';
import type { FromWorker, SegmentStats, SetupMessage, ToWorker } from './messages.js';
import { detachShared } from './stage.js';
import { errorToPayload } from './wire.js';
import { installModelMath } from '../../model-math.js';

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
  server: RowServer;
}

const ALL_ROWS: readonly Request['type'][] = [
  'prepare',
  'resp-stats',
  'farthest',
  'seed-rows',
  'row-subset',
  'seed-first-weighted',
];

const io = port();
let state: State | null = null;

// Worker 0 takes the M-steps, which may be any covariance model's and use a prior, whichever entry started the fit
// (core refuses those options before a worker starts; the script is loaded only by fitAsync).
installModelMath();

async function setup(m: SetupMessage): Promise<FromWorker> {
  if (m.wasmModule) provideWasmModule(m.wasmModule);
  if (m.backend !== 'js') await initWasm();
  const backend = getBackend(m.backend);
  state = { setup: m, server: localServer(denseRows(m.data, m.d), m.weights, backend, m.fill, m.seedChunks, m.resp) };
  return { type: 'ready', backend: backend.name };
}

/**
 * A statistics pass: the statistics of each segment this worker serves — the segments it claims from the shared
 * counter until none is left, or its own one. `pass` takes row bounds in this worker's `data` numbering.
 */
function segmentStats(s: State, pass: (start: number, end: number) => SufficientStats): SegmentStats[] {
  const { segments, claim, segment, offset } = s.setup;
  const parts: SegmentStats[] = [];
  const run = (i: number): void => {
    const st = pass(segments[i] - offset, segments[i + 1] - offset);
    parts.push({ segment: i, stats: { logLik: st.logLik, sumW: st.sumW, nk: st.nk, sx: st.sx, sxx: st.sxx } });
  };
  if (claim) for (let i = Atomics.add(claim, 0, 1); i < segments.length - 1; i = Atomics.add(claim, 0, 1)) run(i);
  else run(segment);
  return parts;
}

/** The worst rows of this worker's own range, with their log p(x) for the driver's merge in row order. */
function ownWorst(s: State, req: Request<'worst'>): { rows: Float64Array[]; lse: number[] } {
  const { start, end, offset } = s.setup;
  const col = s.server.worst(req, start - offset, end - offset);
  return { rows: col.result(), lse: col.scores() };
}

function answer(req: Request): unknown {
  const s = state;
  if (!s) throw new Error('gaussmix worker: request before setup');
  if (ALL_ROWS.includes(req.type) && !s.setup.servesInit) {
    throw new Error(`gaussmix worker: ${req.type} request to a worker that does not hold all rows`);
  }
  switch (req.type) {
    case 'estep':
      return segmentStats(s, (a, b) => s.server.estep(req, a, b));
    case 'assign':
      return segmentStats(s, (a, b) => s.server.assign(req, a, b));
    case 'worst':
      return ownWorst(s, req);
    case 'variational-mstep': // in-process drivers take it from the plan (Plan.math); this bundle has all the code
      return variationalStep(req);
    default:
      return serve(s.server.handlers, req);
  }
}

/** The requests whose replies are fresh parameters: those that read no rows (drivers/local/math.ts), the sample's EM. */
const MATH: readonly Request['type'][] = ['mstep', 'squarem-jump', 'initial-mstep', 'variational-mstep', 'sample-em'];

/** The ArrayBuffers under the typed arrays of such a reply (parameters, a noise term's bounds), once each. */
function buffersOf(value: unknown, depth = 0, out = new Set<ArrayBuffer>()): Set<ArrayBuffer> {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (typeof value === 'object' && value !== null && depth < 3) {
    for (const v of Object.values(value)) buffersOf(v, depth + 1, out);
  }
  return out;
}

/**
 * Posts the reply to a request; segment statistics and M-step results move (their buffers are transferred, not
 * copied: K·D² values each, whose copy would otherwise be paid on the calling thread too).
 */
function reply(req: Request, value: unknown): void {
  const stats = req.type === 'estep' || req.type === 'assign' ? (value as SegmentStats[]) : [];
  if (MATH.includes(req.type)) {
    const own = detachShared(value); // nothing of the request's shared arrays, which the next request overwrites
    io.post({ type: 'reply', value: own }, [...buffersOf(own)]);
    return;
  }
  io.post(
    { type: 'reply', value },
    stats.flatMap((p) => [p.stats.nk.buffer, p.stats.sx.buffer, p.stats.sxx.buffer]),
  );
}

io.listen((m) => {
  if (m.type === 'release') {
    state = null; // the rows (and a shared X) may be freed while the worker waits in the pool
    return;
  }
  try {
    if (m.type === 'setup')
      setup(m).then(
        (r) => io.post(r),
        (e: unknown) => io.post({ type: 'error', error: errorToPayload(e) }),
      );
    else reply(m.request, answer(m.request));
  } catch (e) {
    io.post({ type: 'error', error: errorToPayload(e) });
  }
});
