/**
 * The worker-thread driver behind `fitAsync`. It runs the algorithm's generator (the same as `fit`'s) on the main
 * thread (so onIteration fires there) and answers its requests with workers (handlers.ts says how each request
 * is shared out). The fit's Random lives in the generator, so fit and fitAsync draw the same numbers, and every sum
 * over the rows is put together in a fixed order: results equal fit's to rounding and are the same run to run.
 *
 * X is copied once into a SharedArrayBuffer that every worker reads (no per-worker copies); a dense X whose data
 * already lives in a SharedArrayBuffer is used as is. Without shared memory (browsers that are not cross-origin
 * isolated) each worker gets a copy of its own rows, and worker 0 of all rows when it serves init; each worker then
 * serves its own rows as one segment.
 */
import { compiledModule } from '../../backends/index.js';
import type { BackendName } from '../../backends/types.js';
import type { Matrix, Rows } from '../../data/matrix.js';
import { ObservedMeans } from '../../data/missing.js';
import { driveAsync } from '../../em/drive.js';
import { seedChunkCount } from '../../init/chunks.js';
import { abortReason, breathe } from '../async.js';
import type { Plan } from '../plan.js';
import { Channel } from './channel.js';
import { workerHandlers } from './handlers.js';
import type { SetupMessage } from './messages.js';
import { giveBack, settleSharedBuffer, takeSharedBuffer, takeWorkers } from './pool.js';
import { defaultWorkerCount } from './spawn.js';
import { Stage } from './stage.js';

export interface ParallelOptions {
  /** Number of worker threads (integer ≥ 1); default: available cores. Never more than the number of rows. */
  workers?: number;
  signal?: AbortSignal | null;
}

/** Test hook: pretend SharedArrayBuffer is unavailable, to exercise the per-worker-copy path. */
let forceCopies = false;
export function setForceCopies(v: boolean): void {
  forceCopies = v;
}

const sharedMemory = (): boolean =>
  !forceCopies &&
  typeof SharedArrayBuffer === 'function' &&
  (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

const CHUNK_VALUES = 1 << 19; // ~4 MB of doubles per slice of summing before yielding
/**
 * Copying X into new (shared) memory faults in its pages, ~10 ms per MB on a loaded host: copy 512 KB at a time and
 * let the event loop turn whenever 4 ms have passed.
 */
const COPY_VALUES = 1 << 16;
const TURN_MS = 4;

/** Without shared memory, workers go back to the pool only after fits of X up to this size (see `poolable`). */
const MAX_POOLED_COPY_BYTES = 1 << 22;

/** The caller's own row-major Float64Array when X is dense and already lives in a SharedArrayBuffer. */
function callerShared(X: Matrix, rows: Rows): Float64Array | null {
  if (typeof X !== 'object' || X === null || Array.isArray(X)) return null;
  const data = (X as { data: unknown }).data;
  return data instanceof Float64Array && data.buffer instanceof SharedArrayBuffer && data.length === rows.n * rows.d
    ? data
    : null;
}

/**
 * Rows [start, end) as one row-major Float64Array, copied in slices between which the event loop runs: into `out`
 * (a view of exactly that size) or a new array.
 */
async function packRows(
  rows: Rows,
  start: number,
  end: number,
  check: () => void,
  out: Float64Array = new Float64Array((end - start) * rows.d),
): Promise<Float64Array> {
  const { d } = rows;
  const step = Math.max(1, Math.floor(COPY_VALUES / d));
  let since = performance.now();
  for (let s = start; s < end; s += step) {
    rows.copyRows(s, Math.min(step, end - s), out, (s - start) * d);
    if (s + step < end && performance.now() - since > TURN_MS) {
      await breathe();
      check();
      since = performance.now();
    }
  }
  return out;
}

/**
 * The stand-ins for missing entries during initialisation (each column's observed mean, data/missing.ts), summed in
 * slices between which the event loop runs: the same values fit computes in one go.
 */
async function fillValues(rows: Rows, w: Float64Array | null, check: () => void): Promise<Float64Array> {
  const { n, d } = rows;
  const means = new ObservedMeans(d);
  const step = Math.max(1, Math.floor(CHUNK_VALUES / d));
  const buf = new Float64Array(Math.min(step, n) * d);
  for (let s = 0; s < n; s += step) {
    const count = Math.min(step, n - s);
    rows.copyRows(s, count, buf, 0);
    means.add(buf, count, w, s);
    if (s + step < n) {
      await breathe();
      check();
    }
  }
  return means.finish('X', w !== null);
}

/**
 * Segments of a pass: at least this many rows, at most SEGMENTS_PER_WORKER per worker, and their statistics ≤ 4 MB
 * per pass beyond one segment per worker (each segment's arrays are allocated, moved to this thread and dropped).
 */
const MIN_SEGMENT_ROWS = 4096;
const SEGMENTS_PER_WORKER = 8;
const MAX_PASS_STATS_BYTES = 1 << 22;

/**
 * Bounds of the segments a statistics pass over n rows is split into when `count` workers share it dynamically:
 * small enough that a worker on a busier core hands its share to the others, large enough that per-segment costs
 * (a statistics array each, K·D² values) stay small. A multiple of the worker count, so that workers on equally
 * fast cores finish together: 3 segments for 2 workers would leave one worker idle for a third of the pass (as at
 * (N, D, K) = (2·10⁴, 64, 16) under a 2 MB bound; docs/performance-notes.md). Depends only on n, the worker count
 * and the model's size, so results are the same from run to run.
 */
export function segmentBounds(n: number, count: number, k: number, d: number): number[] {
  const statsBytes = 8 * (2 + k + k * d + k * d * d);
  const most = Math.min(
    SEGMENTS_PER_WORKER * count,
    Math.floor(n / MIN_SEGMENT_ROWS),
    Math.floor(MAX_PASS_STATS_BYTES / statsBytes),
  );
  const s = count * Math.max(1, Math.floor(most / count));
  return Array.from({ length: s + 1 }, (_, i) => Math.floor((i * n) / s));
}

/** The failure of a fit in flight: the first abort or worker death wins, and every await races against it. */
class Failure {
  private reason: { value: unknown } | null = null;
  private reject!: (e: unknown) => void;
  private readonly failed = new Promise<never>((_, reject) => (this.reject = reject));

  constructor() {
    this.failed.catch(() => {}); // observed through the races; never an unhandled rejection
  }

  get happened(): boolean {
    return this.reason !== null;
  }

  stop = (reason: unknown): void => {
    if (this.reason) return;
    this.reason = { value: reason };
    this.reject(reason);
  };

  check = (): void => {
    if (this.reason) throw this.reason.value;
  };

  race = <T>(p: Promise<T>): Promise<T> => Promise.race([p, this.failed]);
}

interface Placement {
  /** Every worker reads all of X from shared memory. */
  shared: boolean;
  /** X (and the weights) in shared memory, or null. */
  all: Float64Array | null;
  sharedW: Float64Array | null;
  /** The pooled shared buffer holding them, to settle when the fit ends. */
  pooled: SharedArrayBuffer | null;
}

/** Puts X where the workers can read it: one shared copy (or the caller's shared array), or nothing yet (copies). */
async function place(X: Matrix, rows: Rows, w: Float64Array | null, f: Failure): Promise<Placement> {
  const { n, d } = rows;
  if (!sharedMemory()) return { shared: false, all: null, sharedW: null, pooled: null };
  const own = callerShared(X, rows);
  const xLen = own ? 0 : n * d;
  let pooled: SharedArrayBuffer | null = null;
  let sharedW: Float64Array | null = null;
  if (!own || w) {
    pooled = takeSharedBuffer(8 * (xLen + (w ? n : 0)));
    if (w) (sharedW = new Float64Array(pooled, 8 * xLen, n)).set(w);
  }
  const all = own ?? (await f.race(packRows(rows, 0, n, f.check, new Float64Array(pooled!, 0, xLen))));
  return { shared: true, all, sharedW, pooled };
}

/** Sends every worker its rows and how passes are split; resolves with the backend the workers run. */
async function setUp(
  channels: Channel[],
  rows: Rows,
  w: Float64Array | null,
  at: Placement,
  plan: Plan<unknown>,
  segments: number[],
  claim: Int32Array | null,
  seedChunks: [number, number][],
  fill: Float64Array | null,
  f: Failure,
): Promise<BackendName> {
  const { n, d } = rows;
  const count = channels.length;
  const bounds = Array.from({ length: count + 1 }, (_, i) => Math.floor((i * n) / count));
  const ready: Promise<{ backend: BackendName }>[] = [];
  const wasmModule = plan.backend === 'js' ? null : compiledModule();
  for (let i = 0; i < count; i++) {
    const [start, end] = [bounds[i], bounds[i + 1]];
    const servesInit = i === 0 && plan.initialises;
    const whole = at.shared || servesInit;
    const data = at.all ?? (await f.race(packRows(rows, whole ? 0 : start, whole ? n : end, f.check)));
    const weights = at.sharedW ?? (w && (whole ? w.slice() : w.slice(start, end)));
    f.check();
    const msg: SetupMessage = {
      type: 'setup',
      data,
      weights,
      offset: whole ? 0 : start,
      n,
      d,
      start,
      end,
      segments: at.shared ? segments : bounds,
      claim,
      segment: i,
      backend: plan.backend,
      wasmModule,
      servesInit,
      resp: servesInit ? (plan.respInit?.values ?? null) : null,
      seedChunks: seedChunks[i],
      fill,
    };
    const done = channels[i].setup(
      msg,
      at.shared ? [] : [data.buffer as ArrayBuffer, ...(weights ? [weights.buffer as ArrayBuffer] : [])],
    );
    done.catch(() => {}); // a failure surfaces through Promise.all below, possibly after later setups
    ready.push(done);
  }
  return (await f.race(Promise.all(ready)))[0].backend;
}

/**
 * Runs a plan's algorithm on worker threads. Resolves with its result and the backend the workers ran; rejects with
 * the typed error a worker or the algorithm raised, or with the signal's reason on abort. Workers come from the pool; those
 * with no request in flight when the fit ends (it succeeded, or failed with a typed error) go back to it, the
 * others (abort, a dead worker, a request still running) are terminated.
 */
export async function fitParallel<R>(
  X: Matrix,
  rows: Rows,
  w: Float64Array | null,
  plan: Plan<R>,
  opts: ParallelOptions,
): Promise<{ result: R; backend: BackendName }> {
  const signal = opts.signal ?? null;
  const { n, d } = rows;
  const f = new Failure();
  const onAbort = (): void => f.stop(abortReason(signal!));
  if (signal?.aborted) throw abortReason(signal);
  signal?.addEventListener('abort', onAbort, { once: true });

  const channels: Channel[] = [];
  let at: Placement | null = null;
  try {
    // before any worker starts: a column without an observed value is a DataError
    const fill = plan.missing === 'marginalize' ? await f.race(fillValues(rows, w, f.check)) : null;
    // Workers from the process-wide pool (never more than its bound; a fit beyond it waits its turn). Not raced: a
    // worker that started must reach `channels` to be given back.
    for (const h of await takeWorkers(Math.min(opts.workers ?? (await defaultWorkerCount()), n), signal)) {
      channels.push(new Channel(h, f.stop));
    }
    const count = channels.length;
    f.check();
    at = await place(X, rows, w, f);
    // Statistics passes: with shared memory, segments claimed dynamically from a shared counter; else one static
    // segment per worker (its own rows are all it holds).
    const claim = at.shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const segments = at.shared
      ? segmentBounds(n, count, plan.nComponents, d)
      : Array.from({ length: count + 1 }, (_, i) => Math.floor((i * n) / count));
    // k-means++ chunks: with shared memory shared out like the rows; else worker 0 (which holds all rows) keeps all.
    const chunks = seedChunkCount(n);
    const seedChunks = channels.map((_, i): [number, number] =>
      at!.shared
        ? [Math.floor((i * chunks) / count), Math.floor(((i + 1) * chunks) / count)]
        : i === 0
          ? [0, chunks]
          : [0, 0],
    );
    const backend = await setUp(channels, rows, w, at, plan, segments, claim, seedChunks, fill, f);
    const stage = new Stage();
    const handlers = workerHandlers({
      channels,
      seedChunks,
      chunks,
      d,
      segments: segments.length - 1,
      claim,
      race: f.race,
      share: at.shared ? (r) => stage.share(r) : async (r) => r,
    });
    const result = await driveAsync(plan.steps({ n, d, weighted: w !== null }), handlers, f.check);
    return { result, backend };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Private copies (no shared memory) stay in a pooled worker's heap until it next collects garbage: pool such
    // workers only when their copies are small.
    const reusable = !f.happened && (at?.shared || n * d * 8 <= MAX_POOLED_COPY_BYTES);
    await Promise.all(channels.map((ch) => giveBack(ch.handle, reusable && ch.idle)));
    settleSharedBuffer(at?.pooled ?? null);
  }
}
