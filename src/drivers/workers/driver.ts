/**
 * The worker-thread EM driver behind `GaussianMixture.fitAsync`. It runs the same `emLoop` generator as `fitEM`
 * on the main thread (so onIteration fires there) and serves its requests with workers:
 *  - 'estep': the rows are cut into segments (segmentBounds); workers accumulate segments' statistics with their
 *    own backend instances, taking segments from a shared counter in turn (so a worker whose core is busy with other
 *    work, or which runs slower code for a while, takes fewer), and the driver adds them in segment order:
 *    deterministic whichever worker served which, and different from one pass over all rows only by the order of
 *    floating-point additions (~1e-16 relative).
 *  - 'init': initialisation's own generator (initSteps) runs here with one Random(seed) for the whole fit, as in
 *    `fit`, so restarts draw the same numbers. The data moments and k-means++ seeding run over fixed chunks of rows
 *    that the workers share out (seeding.ts: the same sums, hence the same moments and seeds, as `fit`); worker 0
 *    makes the in-order pass of the random starts (the draws of 'random' and 'random_from_data', with the Random's
 *    state handed over and back); Lloyd's iterations and the nearest-seed statistics fan out like E-passes.
 * X is copied once into a SharedArrayBuffer that every worker reads (no per-worker copies); a dense X whose data
 * already lives in a SharedArrayBuffer is used as is. Without shared memory (browsers that are not
 * cross-origin isolated) each worker gets a copy of its own rows, and worker 0 of all rows when it serves init;
 * each worker then serves its own rows as one segment.
 */
import type { BackendName } from '../../backends/types.js';
import { WorstCollector } from '../../model/degeneracy.js';
import { emLoop, type EMReply, type EMResult, type WarmStart } from '../../em/loop.js';
import { initSteps } from '../../init/init.js';
import { Random } from '../../util/random.js';
import { isSeedRequest, seedChunkCount, type SeedRequest } from '../../init/seeding.js';
import { OptionError } from '../../api/errors.js';
import { checkValues, type Matrix, type Rows } from '../../data/matrix.js';
import type { ResolvedOptions } from '../../api/options.js';
import type { Params } from '../../model/params.js';
import { addStats, sxxKindOf, type SufficientStats } from '../../model/stats.js';
import { SummaryBuilder, type DataSummary } from '../../data/summary.js';
import type { FromWorker, SetupMessage, StatsPayload, ToWorker } from './messages.js';
import { giveBack, settleSharedBuffer, takeSharedBuffer, takeWorker } from './pool.js';
import { defaultWorkerCount, type WorkerHandle } from './spawn.js';
import { payloadToError } from './wire.js';

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

const describe = (v: unknown): string =>
  v === null ? 'null' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : `a value of type ${typeof v}`;

/** Validates fitAsync's own options (sampleWeight is validated with X, as in fit). */
export function checkParallelOptions(opts: unknown): { workers: number | undefined; signal: AbortSignal | null } {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new OptionError('options', `fitAsync options must be a plain object; got ${Array.isArray(opts) ? 'an array' : describe(opts)}`);
  }
  const known = ['sampleWeight', 'workers', 'signal'];
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) {
      throw new OptionError(key, `unknown fitAsync option '${key}'; valid options are: ${known.join(', ')}`);
    }
  }
  const { workers, signal } = opts as { workers?: unknown; signal?: unknown };
  if (workers !== undefined && !(typeof workers === 'number' && Number.isInteger(workers) && workers >= 1)) {
    throw new OptionError('workers', `workers must be an integer ≥ 1; got ${describe(workers)}`);
  }
  if (signal != null) {
    const s = signal as Partial<AbortSignal>;
    if (typeof s !== 'object' || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
      throw new OptionError('signal', `signal must be an AbortSignal; got ${describe(signal)}`);
    }
  }
  return { workers: workers as number | undefined, signal: (signal as AbortSignal | null | undefined) ?? null };
}

/** The reason an aborted signal carries, or a DOMException AbortError when it has none. */
export function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  if (typeof DOMException === 'function') return new DOMException('This operation was aborted', 'AbortError');
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

const sharedMemory = (): boolean =>
  !forceCopies &&
  typeof SharedArrayBuffer === 'function' &&
  (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

/** Lets the event loop run (timers, I/O) between chunks of main-thread work. */
const breathe = (): Promise<void> =>
  new Promise((resolve) => {
    const si = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate;
    if (typeof si === 'function') si(resolve);
    else setTimeout(resolve, 0);
  });

const CHUNK_VALUES = 1 << 19; // ~4 MB of doubles per slice of copying before yielding

/** Without shared memory, workers go back to the pool only after fits of X up to this size (see `poolable`). */
const MAX_POOLED_COPY_BYTES = 1 << 22;

/** Values checked and summarised between two turns of the event loop (a few milliseconds' work). */
const CHECK_VALUES = 1 << 17;

/**
 * fitAsync's pass over X before a fit, in slices with the event loop running between them: checks every value
 * (checkValues: the DataError toRows throws) and, if `summarise`, summarises the rows (summarize: the same
 * summary; without it the returned summary is incomplete and must not be used). An aborted signal stops it between
 * slices with the signal's reason.
 */
export async function checkAndSummarize(
  X: Matrix, rows: Rows, w: Float64Array | null, distinctCap: number, signal: AbortSignal | null, summarise = true,
): Promise<DataSummary> {
  const { n, d } = rows;
  const b = new SummaryBuilder(d, distinctCap);
  const block = Math.max(1, Math.floor(65536 / d));
  const buf = new Float64Array(block * d);
  let sinceBreak = 0;
  for (let s = 0; s < n; s += block) {
    if (sinceBreak >= CHECK_VALUES) {
      await breathe();
      if (signal?.aborted) throw abortReason(signal);
      sinceBreak = 0;
    }
    const count = Math.min(block, n - s);
    checkValues(X, d, s, s + count);
    if (summarise) {
      rows.copyRows(s, count, buf, 0);
      b.add(buf, count, w, s);
    }
    sinceBreak += count * d;
  }
  return b.finish();
}

/** The caller's own row-major Float64Array when X is dense and already lives in a SharedArrayBuffer. */
function callerShared(X: Matrix, rows: Rows): Float64Array | null {
  if (typeof X !== 'object' || X === null || Array.isArray(X)) return null;
  const data = (X as { data: unknown }).data;
  return data instanceof Float64Array && data.buffer instanceof SharedArrayBuffer && data.length === rows.n * rows.d ? data : null;
}

/**
 * Rows [start, end) as one row-major Float64Array, copied in slices between which the event loop runs: into `out`
 * (a view of exactly that size) or a new array.
 */
async function packRows(
  rows: Rows, start: number, end: number, check: () => void, out: Float64Array = new Float64Array((end - start) * rows.d),
): Promise<Float64Array> {
  const { d } = rows;
  const step = Math.max(1, Math.floor(CHUNK_VALUES / d));
  for (let s = start; s < end; s += step) {
    rows.copyRows(s, Math.min(step, end - s), out, (s - start) * d);
    if (s + step < end) {
      await breathe();
      check();
    }
  }
  return out;
}

/** One request at a time per worker; a dead worker rejects what it owes. */
class Channel {
  private pending: { resolve: (m: FromWorker) => void; reject: (e: unknown) => void } | null = null;
  private dead: Error | null = null;

  /** No request in flight and the worker alive: it may serve another fit. */
  get idle(): boolean {
    return this.pending === null && this.dead === null && !this.handle.dead;
  }

  constructor(readonly handle: WorkerHandle, private readonly onDeath: (e: Error) => void) {
    handle.listen(
      (m) => {
        const p = this.pending;
        this.pending = null;
        if (!p) return;
        if (m.type === 'error') p.reject(payloadToError(m.error));
        else p.resolve(m);
      },
      (e) => {
        this.dead = e;
        const p = this.pending;
        this.pending = null;
        p?.reject(e);
        this.onDeath(e);
      },
    );
  }

  request(msg: ToWorker, transfer?: Transferable[]): Promise<FromWorker> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.handle.post(msg, transfer);
    });
  }
}

function want<T extends FromWorker['type']>(m: FromWorker, type: T): Extract<FromWorker, { type: T }> {
  if (m.type !== type) throw new Error(`gaussmix: fitAsync worker sent '${m.type}' where '${type}' was expected`);
  return m as Extract<FromWorker, { type: T }>;
}

function toStats(p: StatsPayload, k: number, d: number, kind: 'full' | 'diag', centers: Float64Array): SufficientStats {
  return { k, d, sxxKind: kind, logLik: p.logLik, sumW: p.sumW, nk: p.nk, sx: p.sx, sxx: p.sxx, centers };
}

/**
 * The segments' statistics (around `centers`) added in segment order, whichever worker served which: what one pass
 * over all rows gives, up to the order of floating-point additions, and the same from run to run.
 */
function mergeStats(
  replies: FromWorker[], segments: number, k: number, d: number, kind: 'full' | 'diag', centers: Float64Array,
): SufficientStats {
  const parts = replies.flatMap((m) => want(m, 'stats').parts).sort((a, b) => a.segment - b.segment);
  if (parts.length !== segments || parts.some((p, i) => p.segment !== i)) {
    throw new Error(`gaussmix: fitAsync workers returned segments ${parts.map((p) => p.segment).join(',')} of ${segments}`);
  }
  const st = toStats(parts[0].stats, k, d, kind, centers.slice());
  for (let i = 1; i < parts.length; i++) addStats(st, toStats(parts[i].stats, k, d, kind, st.centers));
  return st;
}

/**
 * Serves a k-means++ request (seeding.ts): whole-data ones by worker 0, the passes by the workers that own seed chunks
 * (their per-chunk potentials put together in chunk order), and each draw by the owner of its chunk.
 */
async function serveSeed(r: SeedRequest, channels: Channel[], seedChunks: [number, number][], chunks: number, d: number): Promise<unknown> {
  const value = (m: FromWorker): number | Float64Array | null => want(m, 'seed').value;
  if (r.type === 'seed-first-weighted' || r.type === 'seed-rows') return value(await channels[0].request(r));
  const owners = channels.map((ch, i) => ({ ch, c0: seedChunks[i][0], c1: seedChunks[i][1] })).filter((o) => o.c1 > o.c0);
  if (r.type === 'seed-pick') {
    const out = new Float64Array(r.picks.length * d);
    await Promise.all(owners.map(async (o) => {
      const mine = r.picks.map((p, t) => ({ p, t })).filter(({ p }) => p.chunk >= o.c0 && p.chunk < o.c1);
      if (!mine.length) return;
      const rows = value(await o.ch.request({ type: 'seed-pick', picks: mine.map(({ p }) => p) })) as Float64Array;
      mine.forEach(({ t }, j) => out.set(rows.subarray(j * d, (j + 1) * d), t * d));
    }));
    return out;
  }
  const parts = (await Promise.all(owners.map((o) => o.ch.request(r)))).map((p) => value(p) as Float64Array | null);
  if (r.type === 'seed-update') return null;
  const m = parts[0]!.length / (owners[0].c1 - owners[0].c0); // values per chunk
  const all = new Float64Array(chunks * m);
  parts.forEach((part, i) => all.set(part!, owners[i].c0 * m));
  return all;
}

/**
 * Segments of a pass: at least this many rows, at most SEGMENTS_PER_WORKER per worker, and their statistics ≤ 2 MB
 * per pass beyond one segment per worker (each segment's arrays are allocated, moved to this thread and dropped).
 */
const MIN_SEGMENT_ROWS = 4096;
const SEGMENTS_PER_WORKER = 8;
const MAX_PASS_STATS_BYTES = 1 << 21;

/**
 * Bounds of the segments a statistics pass over n rows is split into when `count` workers share it dynamically:
 * small enough that a worker on a busier core hands its share to the others, large enough that per-segment costs
 * (a statistics array each, K·D² values) stay small. At least one segment per worker. Depends only on n, the
 * worker count and the model's size, so results are the same from run to run.
 */
export function segmentBounds(n: number, count: number, k: number, d: number): number[] {
  const statsBytes = 8 * (2 + k + k * d + k * d * d);
  const s = Math.max(count, Math.min(SEGMENTS_PER_WORKER * count, Math.floor(n / MIN_SEGMENT_ROWS), Math.floor(MAX_PASS_STATS_BYTES / statsBytes)));
  return Array.from({ length: s + 1 }, (_, i) => Math.floor((i * n) / s));
}

/**
 * Fits on worker threads. Resolves with the EM result and the backend the workers ran; rejects with the typed
 * error a worker or the EM loop raised, or with the signal's reason on abort. Workers come from the pool; those
 * with no request in flight when the fit ends (it succeeded, or failed with a typed error) go back to it, the
 * others (abort, a dead worker, a request still running) are terminated.
 */
export async function fitParallel(
  X: Matrix, rows: Rows, w: Float64Array | null, o: ResolvedOptions, warm: WarmStart | null, opts: ParallelOptions,
): Promise<{ result: EMResult; backend: BackendName }> {
  const signal = opts.signal ?? null;
  const { n, d } = rows;
  const k = o.nComponents;

  // Everything awaited below races against `failed`, which rejects on abort or when any worker dies.
  let fail!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // observed through the races; never an unhandled rejection
  let failure: { reason: unknown } | null = null;
  const stop = (reason: unknown): void => {
    if (failure) return;
    failure = { reason };
    fail(reason);
  };
  const check = (): void => {
    if (failure) throw failure.reason;
  };
  const onAbort = (): void => stop(abortReason(signal!));
  if (signal?.aborted) throw abortReason(signal);
  signal?.addEventListener('abort', onAbort, { once: true });

  const channels: Channel[] = [];
  let pooled: SharedArrayBuffer | null = null;
  // Private copies (no shared memory) stay in a pooled worker's heap until it next collects garbage: pool such
  // workers only when their copies are small.
  let poolable = true;
  try {
    const race = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]);
    const count = Math.min(opts.workers ?? (await race(defaultWorkerCount())), n);
    // New workers boot (tens of ms each) while this thread packs the rows for them.
    for (let i = 0; i < count; i++) {
      const h = await takeWorker(); // not raced: a worker that started must reach `channels` to be given back
      channels.push(new Channel(h, (e) => stop(e)));
    }
    check();

    const shared = sharedMemory();
    poolable = shared || n * d * 8 <= MAX_POOLED_COPY_BYTES;
    const bounds = Array.from({ length: count + 1 }, (_, i) => Math.floor((i * n) / count));
    const needInit = warm === null;
    // Shared memory: one copy of X (or none, if X already is shared) and of the weights, in one buffer from the pool,
    // that every worker reads. Without it: worker 0 gets all rows when it serves init, the others their own range,
    // each a private copy moved to the worker.
    let all: Float64Array | null = null;
    let sharedW: Float64Array | null = null;
    if (shared) {
      const own = callerShared(X, rows);
      const xLen = own ? 0 : n * d;
      if (!own || w) {
        pooled = takeSharedBuffer(8 * (xLen + (w ? n : 0)));
        if (w) (sharedW = new Float64Array(pooled, 8 * xLen, n)).set(w);
      }
      all = own ?? (await race(packRows(rows, 0, n, check, new Float64Array(pooled!, 0, xLen))));
    }
    check();

    // Statistics passes: with shared memory, segments claimed dynamically from a shared counter; else one static
    // segment per worker (its own rows are all it holds).
    const claim = shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const segments = shared ? segmentBounds(n, count, k, d) : bounds;
    const statsPass = async (msg: ToWorker): Promise<FromWorker[]> => {
      if (claim) Atomics.store(claim, 0, 0); // every worker is idle between requests
      return race(Promise.all(channels.map((ch) => ch.request(msg))));
    };
    const options = { ...o, onIteration: null };
    // k-means++ chunks: with shared memory shared out like the rows; else worker 0 (which holds all rows) keeps all.
    const chunks = seedChunkCount(n);
    const seedChunks = channels.map((_, i): [number, number] => (shared
      ? [Math.floor((i * chunks) / count), Math.floor(((i + 1) * chunks) / count)]
      : i === 0 ? [0, chunks] : [0, 0]));
    const rng = new Random(o.seed);
    const ready: Promise<FromWorker>[] = [];
    for (let i = 0; i < count; i++) {
      const [start, end] = [bounds[i], bounds[i + 1]];
      const servesInit = i === 0 && needInit;
      const whole = shared || servesInit;
      const data = all ?? (await race(packRows(rows, whole ? 0 : start, whole ? n : end, check)));
      const weights = sharedW ?? (w && (whole ? w.slice() : w.slice(start, end)));
      check();
      const msg: SetupMessage = {
        type: 'setup', data, weights, offset: whole ? 0 : start, n, d, start, end, segments, claim, segment: i, options, servesInit,
        seedChunks: seedChunks[i],
      };
      const setupDone = channels[i].request(msg, shared ? [] : [data.buffer as ArrayBuffer, ...(weights ? [weights.buffer as ArrayBuffer] : [])]);
      setupDone.catch(() => {}); // a failure surfaces through Promise.all below, possibly after later setups
      ready.push(setupDone);
    }
    const replies = await race(Promise.all(ready));
    const backend = want(replies[0], 'ready').backend;

    const loop = emLoop(o, warm);
    let step = loop.next();
    try {
      while (!step.done) {
        check();
        const req = step.value;
        let reply: EMReply;
        if (req.type === 'init') {
          // Initialisation runs here as its own generator, with the fit's one Random (as fit: restarts continue its
          // stream). Worker 0 makes the in-order pass of the random starts with the Random's state handed over and
          // back; the moments, k-means++ seeding, Lloyd's iterations and the nearest-seed statistics fan out.
          const steps = initSteps(o, n, d, w !== null, rng);
          let s = steps.next();
          while (!s.done) {
            check();
            const r = s.value;
            let sub: unknown;
            if (r.type === 'prepare') {
              const m = want(await race(channels[0].request({ type: 'prepare', rng: rng.getState(), mean: r.mean })), 'prep');
              rng.setState(m.rng);
              sub = m.prep;
            } else if (isSeedRequest(r)) {
              sub = await race(serveSeed(r, channels, seedChunks, chunks, d));
            } else if (r.type === 'farthest') {
              sub = want(await race(channels[0].request(r)), 'rows').rows;
            } else {
              sub = mergeStats(await statsPass(r), segments.length - 1, r.centers.length / d, d, r.kind, r.centers);
            }
            s = steps.next(sub);
          }
          reply = s.value;
        } else if (req.type === 'worst') {
          // Each worker's list is sorted with ties in row order; offering them in worker order reproduces one pass.
          const parts = await race(Promise.all(channels.map((ch) => ch.request({ type: 'worst', params: req.params, count: req.count }))));
          const col = new WorstCollector(req.count, d);
          for (const part of parts) {
            const { rows: worst, lse } = want(part, 'worst');
            worst.forEach((row, i) => col.offer(lse[i], row));
          }
          reply = col.result();
        } else {
          const params: Params = req.params;
          const parts = await statsPass({ type: 'estep', params, hard: req.hard });
          reply = mergeStats(parts, segments.length - 1, k, d, sxxKindOf(o.covarianceType), params.means);
        }
        check();
        step = loop.next(reply);
      }
    } finally {
      loop.return(undefined as never);
    }
    check();
    return { result: step.value, backend };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    const reusable = failure === null && poolable;
    await Promise.all(channels.map((ch) => (reusable && ch.idle ? giveBack(ch.handle) : ch.handle.terminate())));
    settleSharedBuffer(pooled);
  }
}
