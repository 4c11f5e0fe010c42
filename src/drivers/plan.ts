/**
 * What a driver needs to know to run an algorithm, beside the rows: which backend, the model's size (for how work is
 * split), the seed (a stream's reservoir sample), the degeneracy policy (the data checks), the user's initial
 * responsibilities (held where the rows are), whether initialisation runs at all (a warm start skips it), and the
 * algorithm itself — a function from the shape of the rows initialisation runs over to a generator of requests.
 * EM, the variational fit and any later algorithm plug in here; the drivers never know which one runs.
 */
import type { BackendChoice } from '../api/options.js';
import type { MissingMode } from '../data/matrix.js';
import type { Handlers, Steps } from '../em/protocol.js';
import type { DataShape, OnDegenerate } from '../init/init.js';
import type { Rows } from '../data/matrix.js';

/** Runs `visit` over every row of the data, block by block, in order (one pass over a stream). */
export type RowPass = (visit: (X: Float64Array, n: number) => void) => Promise<void>;

export interface Plan<R> {
  readonly backend: BackendChoice;
  readonly nComponents: number;
  readonly seed: number;
  readonly onDegenerate: OnDegenerate;
  readonly respInit: { values: Float64Array; n: number } | null;
  /** Whether the algorithm initialises from the data (false for a warm start: a stream then keeps no sample). */
  readonly initialises: boolean;
  /** The number of features the rows must have (a warm start's), or null for any. */
  readonly features: number | null;
  /**
   * 'marginalize': NaN entries of the rows are missing values — E-passes use the observed values only and
   * initialisation runs on rows filled with each column's observed mean (data/missing.ts). Absent: 'error'.
   */
  readonly missing?: MissingMode;
  /**
   * For a driver that holds only a sample of the rows (a stream): the plan to run instead, made from the
   * initialisation sample and passes over all rows (the noise component's start: the data region from every row,
   * the clutter estimate and starting partition on the sample; its `respInit` then has one row per sample row).
   * Drivers with every row in memory never call it: the caller has already made the start from the rows.
   */
  readonly fromSample?: (sample: { rows: Rows; w: Float64Array | null }, pass: RowPass) => Promise<Plan<R>>;
  /**
   * Answers to requests that read no rows and that only this algorithm asks (the variational M-step), so a page that
   * never runs it does not load their code; EM's are every driver's own (local/math.ts).
   */
  readonly math?: Partial<Handlers>;
  /** The algorithm, given the rows its initialisation runs over (all rows, or a stream's sample). */
  steps(data: DataShape): Steps<R>;
}
