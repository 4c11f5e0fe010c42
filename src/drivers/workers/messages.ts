/**
 * Messages between the fitAsync driver (main thread) and its workers. Everything here is structured-cloneable:
 * options travel without their onIteration callback (callbacks stay on the main thread, where the EM loop runs).
 */
import type { BackendName } from '../../backends/types.js';
import type { ResolvedOptions } from '../../api/options.js';
import type { InitPrep } from '../../init/init.js';
import type { LloydRequest } from '../../tools/kmeans.js';
import type { Params } from '../../model/params.js';
import type { RandomState } from '../../util/random.js';
import type { SeedRequest } from '../../init/seeding.js';

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
  /** This worker's own rows, [start, end) in X's numbering: its segment when passes are split statically, and the
   *  range it reports its worst-explained rows from. */
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
  /** Options without onIteration. */
  options: Omit<ResolvedOptions, 'onIteration'> & { onIteration: null };
  /** Worker 0 of a fit that initialises: it holds all rows and serves the in-order requests ('prepare', …). */
  servesInit: boolean;
  /** The k-means++ chunks [from, to) whose distances this worker keeps and sums (see seeding.ts). */
  seedChunks: [number, number];
}

export type ToWorker =
  | SetupMessage
  /** Worker 0 only (it holds all rows): the random starts' in-order pass (prepareInit), drawing from the fit's Random. */
  | { type: 'prepare'; rng: RandomState; mean: Float64Array }
  /** Chunked initialisation passes (seeding.ts): 'seed-first-weighted' and 'seed-rows' to worker 0, the others to the owners of chunks. */
  | SeedRequest
  /** Initialisation's nearest-center statistics, per segment like 'estep' (LloydRequest 'assign'). */
  | Extract<LloydRequest, { type: 'assign' }>
  /** Worker 0 only: the rows farthest from their nearest center (LloydRequest 'farthest'). */
  | Extract<LloydRequest, { type: 'farthest' }>
  | { type: 'estep'; params: Params; hard: boolean }
  /** The worker's `count` worst-explained rows (see EMRequest 'worst'), with their log p(x) for the merge. */
  | { type: 'worst'; params: Params; count: number }
  /** The fit is over and the worker goes back to the pool: it drops its rows (no reply). */
  | { type: 'release' };

/** One segment's statistics; the driver adds segments in index order, whichever worker served them. */
export interface SegmentStats {
  segment: number;
  stats: StatsPayload;
}

/** Sufficient statistics without their centers (the driver knows them: the means of the E-pass parameters). */
export interface StatsPayload {
  logLik: number;
  sumW: number;
  nk: Float64Array;
  sx: Float64Array;
  sxx: Float64Array;
}

/** An error as it crosses the thread boundary; `kind` names the gaussmix error class to rebuild. */
export interface ErrorPayload {
  kind:
    | 'OptionError' | 'DataError' | 'DegenerateError' | 'FitError' | 'BackendError' | 'ModelFormatError'
    | 'GaussianMixtureError' | 'Error';
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
  /** The in-order pass, and the Random's state after it. */
  | { type: 'prep'; prep: InitPrep; rng: RandomState }
  /** A SeedServer's answer (potentials of the worker's own chunks, rows, a row index, or null). */
  | { type: 'seed'; value: number | Float64Array | null }
  | { type: 'rows'; rows: Float64Array[] }
  /** The segments this worker served in a statistics pass (possibly none). */
  | { type: 'stats'; parts: SegmentStats[] }
  | { type: 'worst'; rows: Float64Array[]; lse: number[] }
  | { type: 'error'; error: ErrorPayload };
