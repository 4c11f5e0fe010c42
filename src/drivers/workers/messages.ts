/**
 * Messages between the fitAsync driver (main thread) and its workers. A worker answers the protocol's requests
 * (em/protocol.ts) over its rows; statistics passes come back per segment and the worst rows with their log p(x), so
 * the driver can put them together exactly as one pass would. Everything here is structured-cloneable.
 */
import type { BackendChoice } from '../../api/options.js';
import type { BackendName } from '../../backends/types.js';
import type { Reply, Request, RequestType } from '../../em/protocol.js';

/** Where a worker finds its rows: `data` holds rows [offset, offset + data.length / d) of X, row-major. */
export interface SetupMessage {
  type: 'setup';
  /** All of X (offset 0) when shared memory is available or the worker serves init; else only its own range. */
  data: Float64Array;
  /** Sample weights for the same rows as `data`, or null. */
  weights: Float64Array | null;
  offset: number;
  n: number;
  d: number;
  /**
   * This worker's own rows, [start, end) in X's numbering: its segment when passes are split statically, and the
   * range it reports its worst-explained rows from.
   */
  start: number;
  end: number;
  /**
   * Bounds of the segments a statistics pass ('estep', 'assign') is split into, in X's numbering, the same for all
   * workers. With `claim` (shared memory: every worker reads all rows) workers take segments in turn from the shared
   * counter claim[0], so a worker on a busier core takes fewer; without it each worker serves segment `segment`.
   */
  segments: number[];
  claim: Int32Array | null;
  segment: number;
  backend: BackendChoice;
  /** The compiled kernels (the workers instantiate it instead of compiling a copy of their own), or null. */
  wasmModule: WebAssembly.Module | null;
  /** Worker 0 of a fit that initialises: it holds all rows and serves the in-order requests ('prepare', …). */
  servesInit: boolean;
  /** The user's initial responsibilities (n×k), for worker 0 of a fit that initialises from them; else null. */
  resp: Float64Array | null;
  /** The k-means++ chunks [from, to) whose distances this worker keeps and sums (see init/chunks.ts). */
  seedChunks: [number, number];
  /** Under missing: 'marginalize', the stand-ins for missing entries during initialisation (data/missing.ts); else null. */
  fill: Float64Array | null;
}

export type ToWorker =
  | SetupMessage
  | { type: 'request'; request: Request }
  /** The fit is over and the worker goes back to the pool: it drops its rows (no reply). */
  | { type: 'release' };

/** One segment's statistics; the driver adds segments in index order, whichever worker served them. */
export interface SegmentStats {
  segment: number;
  stats: StatsPayload;
}

/** Sufficient statistics without their centers (the driver knows them). */
export interface StatsPayload {
  logLik: number;
  sumW: number;
  nk: Float64Array;
  sx: Float64Array;
  sxx: Float64Array;
}

/** A worker's reply to a request of type T. */
export type WorkerReply<T extends RequestType> = T extends 'estep' | 'assign'
  ? SegmentStats[]
  : T extends 'worst'
    ? { rows: Float64Array[]; lse: number[] }
    : Reply<T>;

/** An error as it crosses the thread boundary; `kind` names the gaussmix error class to rebuild. */
export interface ErrorPayload {
  kind:
    | 'OptionError'
    | 'DataError'
    | 'DegenerateError'
    | 'FitError'
    | 'BackendError'
    | 'ModelFormatError'
    | 'GaussianMixtureError'
    | 'Error';
  name: string;
  message: string;
  option?: string;
  row?: number;
  column?: number;
  stack?: string;
  /** Other own fields of the error with primitive values (e.g. DegenerateError's component, iteration). */
  props?: Record<string, string | number | boolean | null>;
}

export type FromWorker =
  | { type: 'ready'; backend: BackendName }
  | { type: 'reply'; value: unknown }
  | { type: 'error'; error: ErrorPayload };
