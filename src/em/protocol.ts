/**
 * The typed request protocol between the algorithms and the data. EM, initialisation and k-means are generators
 * that yield a request for work over the data (an E-pass, a k-means++ pass, the worst-explained rows…) and receive
 * its reply; a driver (sync, workers, stream, distributed) answers every request in this one map, wherever the rows
 * live. Adding a request is one entry here and one handler per driver.
 */
import type { InitialMStep } from '../init/init.js';
import type { SampleEmRequest, SampleEmResult } from '../init/sample-em.js';
import type { ResetRecord } from '../model/degeneracy.js';
import type { MStepOptions, MStepResult } from '../model/mstep.js';
import type { KernelParams, Params } from '../model/params.js';
import type { SufficientStats } from '../model/stats.js';
import type { KernelParams as VariationalKernelParams } from '../model/variational/expectations.js';
import type { VariationalPriors } from '../model/variational/types.js';
import type { VariationalStep } from './variational.js';
import type { RandomState } from '../util/random.js';

/** A weighted draw: the row of chunk `chunk` where the running sum, started at `prefix`, first exceeds `target`. */
export interface SeedPick {
  chunk: number;
  prefix: number;
  target: number;
}

/** What 'prepare' (the in-order pass of the random starts) gives back: seed points, or the statistics of random responsibilities. */
export interface InitPrep {
  seeds: Float64Array | null;
  stats: SufficientStats | null;
}

/** Every request: its fields and its reply. */
export interface RequestMap {
  /** One E-pass: sufficient statistics of all rows around params.means (hard: one-hot responsibilities). */
  estep: { request: { params: KernelParams; hard: boolean }; reply: SufficientStats };
  /**
   * The `count` rows of positive weight with the lowest log p(x) under `params`, lowest first (earliest row on
   * ties, exact duplicates skipped). Only asked for under onDegenerate: 'reset'.
   */
  worst: { request: { params: KernelParams; count: number }; reply: Float64Array[] };
  /**
   * The in-order pass of the random starts over every row, drawing from the fit's Random (its state travels with
   * the request and comes back with the reply): 'random' → statistics of uniformly random responsibilities centered
   * on `mean`; 'random_from_data' → k distinct rows.
   */
  prepare: {
    request: {
      kind: 'random' | 'random_from_data';
      k: number;
      sxxKind: 'full' | 'diag';
      mean: Float64Array;
      rng: RandomState;
    };
    reply: { prep: InitPrep; rng: RandomState };
  };
  /** Statistics of the responsibilities the user gave (`respInit`, held by the driver), centered on `mean`. */
  'resp-stats': { request: { k: number; sxxKind: 'full' | 'diag'; mean: Float64Array }; reply: SufficientStats };
  /**
   * Statistics of the nearest-center assignment: a hard E-pass with precisions s⁻¹·I and zero log constants, so the
   * log density is −½‖(x − c)·s⁻¹‖² (`kind`: full or diagonal scatter).
   */
  assign: { request: { centers: Float64Array; invScale: number; kind: 'full' | 'diag' }; reply: SufficientStats };
  /** The `count` rows farthest from their nearest center, farthest first (earlier row first on ties). */
  farthest: { request: { centers: Float64Array; invScale: number; count: number }; reply: Float64Array[] };
  /** The first center of a weighted fit: the row where the running sum of w first exceeds u·Σw (all rows). */
  'seed-first-weighted': { request: { u: number }; reply: number };
  /** The values of these rows (row-major). */
  'seed-rows': { request: { rows: number[] }; reply: Float64Array };
  /** The values (row-major) and sample weights (null: unweighted) of these rows, for 'hc' (init/hc-start.ts). */
  'row-subset': { request: { rows: number[] }; reply: { values: Float64Array; weights: Float64Array | null } };
  /** Distances to the first center: starts the seeding state; per-chunk potentials back. */
  'seed-start': { request: { center: Float64Array; invScale: number }; reply: Float64Array };
  /** Weighted draws (one per trial), answered with the drawn rows' values, in order. */
  'seed-pick': { request: { picks: SeedPick[] }; reply: Float64Array };
  /** Each chunk's potential if each candidate (row-major) were added: chunks × candidates, chunk-major. */
  'seed-trials': { request: { cands: Float64Array }; reply: Float64Array };
  /** Adds the chosen center: distances become min(old, distance to it). */
  'seed-update': { request: { center: Float64Array }; reply: null };
  /** Per chunk: Σw, then per feature Σ w·(x − ref), min and max (1 + 3d values). */
  'seed-moments': { request: { ref: Float64Array }; reply: Float64Array };
  /** Per chunk: per feature Σ w·(x − mean)², then Σ w·‖(x − mean)·invScale‖² (d + 1 values). */
  'seed-spread': { request: { mean: Float64Array; invScale: number }; reply: Float64Array };
  /*
   * The M-steps (and SQUAREM's extrapolation) read no rows, but cost K factorisations of D×D (seconds at large K·D):
   * asked for like a pass, so a driver answers them where its heavy work runs — fitAsync in a worker, keeping the
   * caller's event loop free; the others in place (drivers/local/math.ts). Every driver calls the same function, so
   * results are the same.
   */
  /** EM's M-step (model/mstep.ts mStepChecked) from statistics taken under `prev`. */
  mstep: { request: { st: SufficientStats; prev: Params; options: MStepOptions }; reply: MStepResult };
  /** SQUAREM's extrapolated point from three EM iterates, or null (em/squarem.ts extrapolate: K·D³ per try). */
  'squarem-jump': { request: { p0: Params; p1: Params; p2: Params }; reply: Params | null };
  /**
   * EM on the k-means sample (init/sample-em.ts): the sample's own fit, or null when a component degenerated on it.
   * Reads only the rows it carries, with the driver's backend: answered where the initialisation rows are.
   */
  'sample-em': { request: SampleEmRequest; reply: SampleEmResult | null };
  /** Initialisation's M-step from the initial statistics and the data's moments (init/init.ts initialMStep). */
  'initial-mstep': { request: InitialMStep; reply: Params };
  /**
   * The variational M-step from statistics the E-pass of `kernel` gave (null: the initial step), with that pass's
   * lower bound and the next pass's kernel parameters (em/variational.ts variationalStep).
   */
  'variational-mstep': {
    request: {
      st: SufficientStats;
      priors: VariationalPriors;
      regCovar: number;
      iteration: number;
      init: number;
      runs: number;
      kernel: VariationalKernelParams | null;
    };
    reply: VariationalStep;
  };
}

export type RequestType = keyof RequestMap;

/** Every request type (a runtime list; the `satisfies` keeps it complete). */
export const REQUEST_TYPES = Object.keys({
  estep: 0,
  worst: 0,
  prepare: 0,
  'resp-stats': 0,
  assign: 0,
  farthest: 0,
  'seed-first-weighted': 0,
  'seed-rows': 0,
  'row-subset': 0,
  'seed-start': 0,
  'seed-pick': 0,
  'seed-trials': 0,
  'seed-update': 0,
  'seed-moments': 0,
  'seed-spread': 0,
  mstep: 0,
  'squarem-jump': 0,
  'sample-em': 0,
  'initial-mstep': 0,
  'variational-mstep': 0,
} satisfies Record<RequestType, 0>) as RequestType[];
export type Request<T extends RequestType = RequestType> = { [K in T]: { type: K } & RequestMap[K]['request'] }[T];
export type Reply<T extends RequestType> = RequestMap[T]['reply'];

/** An algorithm over the data: yields requests, receives their replies, returns R. */
export type Steps<R> = Generator<Request, R, unknown>;

/** Asks for one piece of work and returns its reply — the protocol's only cast. */
export function* ask<T extends RequestType>(request: Request<T>): Generator<Request, Reply<T>, unknown> {
  return (yield request as Request) as Reply<T>;
}

/** A driver's answers, synchronous. */
export type Handlers = { [K in RequestType]: (request: Request<K>) => Reply<K> };
/** A driver's answers, possibly asynchronous. */
export type AsyncHandlers = { [K in RequestType]: (request: Request<K>) => Reply<K> | Promise<Reply<K>> };

/** The result of a finished EM run (restarts included). */
export interface EMResult {
  params: Params;
  lowerBound: number;
  nIter: number;
  converged: boolean;
  /** Re-seedings of the winning run (onDegenerate: 'reset'); empty otherwise. */
  resets: ResetRecord[];
}
