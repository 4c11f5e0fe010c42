/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii; scikit-learn's variant with 2 + ⌊ln k⌋ local trials per center)
 * and the data moments initialisation starts from, written so that their passes over the data can run on several
 * workers and still give exactly what one thread gives.
 *
 * The rows are cut into chunks of SEED_CHUNK_ROWS (fixed, whatever the number of workers). Every sum over the rows —
 * the potential Σ w·min distance², each trial's potential — is a sum per chunk in row order, then over the chunks in
 * chunk order; the weighted draw of a row finds the chunk from the chunk sums and continues the running sum inside it.
 * The moments are such sums too. kmeansPlusPlusSteps and dataMomentsSteps are the algorithms as generators of data
 * requests (the first owns the Random); a SeedServer answers them for a range of chunks: all of them in `fit` and
 * `kmeans`, its own share in each fitAsync worker.
 */
import type { Backend } from '../backends/types.js';
import { forEachBlock, forEachHalfSqDist, rowRange } from './distances.js';
import type { Rows } from '../data/matrix.js';
import type { Random } from '../util/random.js';
import { invScaleOf, maxRange } from '../data/summary.js';

/** Rows per chunk of the seeding sums (see above). */
export const SEED_CHUNK_ROWS = 65536;

export const seedChunkCount = (n: number): number => Math.ceil(n / SEED_CHUNK_ROWS);

/** A weighted draw: the row of chunk `chunk` where the running sum, started at `prefix`, first exceeds `target`. */
export interface SeedPick {
  chunk: number;
  prefix: number;
  target: number;
}

export type SeedRequest =
  /** The first center of a weighted fit: the row where the running sum of w first exceeds u·Σw (all rows). */
  | { type: 'seed-first-weighted'; u: number }
  /** The values of these rows (row-major). */
  | { type: 'seed-rows'; rows: number[] }
  /** Distances to the first center: starts the seeding state; per-chunk potentials back. */
  | { type: 'seed-start'; center: Float64Array; invScale: number }
  /** Weighted draws (one per trial), answered with the drawn rows' values, in order. */
  | { type: 'seed-pick'; picks: SeedPick[] }
  /** Each chunk's potential if each candidate (row-major) were added: chunks × candidates, chunk-major. */
  | { type: 'seed-trials'; cands: Float64Array }
  /** Adds the chosen center: distances become min(old, distance to it). */
  | { type: 'seed-update'; center: Float64Array }
  /** Per chunk: Σw, then per feature Σ w·(x − ref), min and max (1 + 3d values). */
  | { type: 'seed-moments'; ref: Float64Array }
  /** Per chunk: per feature Σ w·(x − mean)², then Σ w·‖(x − mean)·invScale‖² (d + 1 values). */
  | { type: 'seed-spread'; mean: Float64Array; invScale: number };

export interface DataMoments {
  mean: Float64Array;
  variance: Float64Array;
  /** s⁻¹, the power of two initialisation measures distances in (see summary.ts). */
  invScale: number;
  /** Mean per-feature variance in units of s²: the scale of k-means' tolerance. */
  scaledMeanVariance: number;
}

/**
 * The weighted mean and variance per feature (the mean accumulated around row 0, against cancellation), and the scale
 * of the data's range, over n rows as a generator of SeedRequests: per-chunk sums added in chunk order.
 */
export function* dataMomentsSteps(n: number, d: number): Generator<SeedRequest, DataMoments, unknown> {
  const chunks = seedChunkCount(n);
  const ref = (yield { type: 'seed-rows', rows: [0] }) as Float64Array;
  const m1 = (yield { type: 'seed-moments', ref }) as Float64Array;
  const w1 = 1 + 3 * d;
  let sw = 0;
  const mean = new Float64Array(d);
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let ch = 0; ch < chunks; ch++) {
    const o = ch * w1;
    sw += m1[o];
    for (let j = 0; j < d; j++) {
      mean[j] += m1[o + 1 + j];
      min[j] = Math.min(min[j], m1[o + 1 + d + j]);
      max[j] = Math.max(max[j], m1[o + 1 + 2 * d + j]);
    }
  }
  for (let j = 0; j < d; j++) mean[j] = ref[j] + mean[j] / sw;
  const invScale = invScaleOf(maxRange(min, max));
  const m2 = (yield { type: 'seed-spread', mean, invScale }) as Float64Array;
  const variance = new Float64Array(d);
  let scaled = 0;
  for (let ch = 0; ch < chunks; ch++) {
    const o = ch * (d + 1);
    for (let j = 0; j < d; j++) variance[j] += m2[o + j];
    scaled += m2[o + d];
  }
  for (let j = 0; j < d; j++) variance[j] /= sw;
  return { mean, variance, invScale, scaledMeanVariance: scaled / sw / d };
}

export function isSeedRequest(req: { type: string }): req is SeedRequest {
  return req.type.startsWith('seed-');
}

/**
 * k-means++ over n rows (weighted: the fit has sample weights) as a generator of SeedRequests; returns the k×d centers.
 * Draws from `rng` in the same order as a direct implementation: the first row, then per round one draw per trial.
 */
export function* kmeansPlusPlusSteps(
  n: number, d: number, k: number, weighted: boolean, invScale: number, rng: Random,
): Generator<SeedRequest, Float64Array, unknown> {
  const centers = new Float64Array(k * d);
  const chunks = seedChunkCount(n);
  const first = weighted ? ((yield { type: 'seed-first-weighted', u: rng.random() }) as number) : rng.int(n);
  centers.set((yield { type: 'seed-rows', rows: [first] }) as Float64Array, 0);
  let chunkPot = (yield { type: 'seed-start', center: centers.slice(0, d), invScale }) as Float64Array;
  let pot = 0;
  for (let ch = 0; ch < chunks; ch++) pot += chunkPot[ch];
  const trials = 2 + Math.floor(Math.log(k));
  const pots = new Float64Array(trials);
  for (let c = 1; c < k; c++) {
    let cand: Float64Array;
    if (pot > 0) {
      const picks: SeedPick[] = [];
      for (let t = 0; t < trials; t++) picks.push(locate(chunkPot, rng.random() * pot));
      cand = (yield { type: 'seed-pick', picks }) as Float64Array;
    } else {
      const rows: number[] = [];
      for (let t = 0; t < trials; t++) rows.push(rng.int(n));
      cand = (yield { type: 'seed-rows', rows }) as Float64Array;
    }
    const byChunk = (yield { type: 'seed-trials', cands: cand }) as Float64Array;
    pots.fill(0);
    for (let ch = 0; ch < chunks; ch++) for (let t = 0; t < trials; t++) pots[t] += byChunk[ch * trials + t];
    let best = 0;
    for (let t = 1; t < trials; t++) if (pots[t] < pots[best]) best = t;
    const chosen = cand.slice(best * d, (best + 1) * d);
    centers.set(chosen, c * d);
    if (c + 1 < k) yield { type: 'seed-update', center: chosen }; // the last center's distances are never used
    chunkPot = Float64Array.from({ length: chunks }, (_, ch) => byChunk[ch * trials + best]);
    pot = pots[best];
  }
  return centers;
}

/**
 * The chunk where the running sum of the chunk potentials first exceeds target, with the sum of the chunks before
 * it. If rounding leaves no such chunk, the last chunk with a positive potential, to take its last positive row.
 */
function locate(chunkPot: Float64Array, target: number): SeedPick {
  let acc = 0;
  let last: SeedPick | null = null;
  for (let ch = 0; ch < chunkPot.length; ch++) {
    const p = chunkPot[ch];
    if (acc + p > target) return { chunk: ch, prefix: acc, target };
    if (p > 0) last = { chunk: ch, prefix: acc, target: Infinity };
    acc += p;
  }
  return last ?? { chunk: chunkPot.length - 1, prefix: 0, target: Infinity };
}

/** The row where the running sum of w first exceeds target (the last row of positive weight if none does). */
export function weightedRow(w: Float64Array, target: number): number {
  let acc = 0;
  let last = -1;
  for (let i = 0; i < w.length; i++) {
    if (w[i] > 0) last = i;
    acc += w[i];
    if (acc > target) return i;
  }
  return last >= 0 ? last : w.length - 1;
}

/**
 * Answers SeedRequests for chunks [c0, c1) of `rows` (numbered as in the whole data), keeping each of their rows'
 * squared distance to the nearest center chosen so far. 'seed-first-weighted' and 'seed-rows' need every row.
 * Potentials come back for its own chunks only: arrays of (c1 − c0)·m values.
 */
export class SeedServer {
  private readonly start: number;
  private readonly end: number;
  private closest: Float64Array | null = null;
  private invScale = 1;

  constructor(
    private readonly rows: Rows, private readonly w: Float64Array | null, private readonly backend: Backend,
    readonly c0: number, readonly c1: number,
  ) {
    this.start = Math.min(rows.n, c0 * SEED_CHUNK_ROWS);
    this.end = Math.min(rows.n, c1 * SEED_CHUNK_ROWS);
  }

  serve(req: SeedRequest): number | Float64Array | null {
    switch (req.type) {
      case 'seed-first-weighted': {
        const w = this.w!;
        let total = 0;
        for (let i = 0; i < w.length; i++) total += w[i];
        return weightedRow(w, req.u * total);
      }
      case 'seed-rows':
        return this.values(req.rows);
      case 'seed-start':
        this.invScale = req.invScale;
        this.closest = new Float64Array(this.end - this.start);
        return this.pass(req.center, 'start');
      case 'seed-pick':
        return this.values(req.picks.map((p) => this.pick(p)));
      case 'seed-trials':
        return this.pass(req.cands, 'trials');
      case 'seed-update':
        this.pass(req.center, 'update');
        return null;
      case 'seed-moments':
        return this.moments(req.ref);
      case 'seed-spread':
        return this.spread(req.mean, req.invScale);
    }
  }

  /**
   * Splits own rows [s, s + count) (a block) into the runs that lie in one chunk: fn(from, to, ch) with offsets from s
   * and the chunk counted from c0, in row order.
   */
  private byChunk(s: number, count: number, fn: (from: number, to: number, ch: number) => void): void {
    for (let r = 0; r < count;) {
      const g = Math.floor((this.start + s + r) / SEED_CHUNK_ROWS); // the chunk's global index
      const to = Math.min(count, (g + 1) * SEED_CHUNK_ROWS - this.start - s);
      fn(r, to, g - this.c0);
      r = to;
    }
  }

  private moments(ref: Float64Array): Float64Array {
    const { d } = this.rows;
    const { w, start } = this;
    const m = 1 + 3 * d;
    const out = new Float64Array((this.c1 - this.c0) * m);
    for (let ch = 0; ch < this.c1 - this.c0; ch++) {
      out.fill(Infinity, ch * m + 1 + d, ch * m + 1 + 2 * d);
      out.fill(-Infinity, ch * m + 1 + 2 * d, ch * m + m);
    }
    forEachBlock(rowRange(this.rows, start, this.end), (buf, s, count) => this.byChunk(s, count, (from, to, ch) => {
      const o = ch * m;
      for (let r = from; r < to; r++) {
        const wi = w ? w[start + s + r] : 1;
        out[o] += wi;
        for (let j = 0; j < d; j++) {
          const v = buf[r * d + j];
          out[o + 1 + j] += wi * (v - ref[j]);
          if (v < out[o + 1 + d + j]) out[o + 1 + d + j] = v;
          if (v > out[o + 1 + 2 * d + j]) out[o + 1 + 2 * d + j] = v;
        }
      }
    }));
    return out;
  }

  private spread(mean: Float64Array, invScale: number): Float64Array {
    const { d } = this.rows;
    const { w, start } = this;
    const out = new Float64Array((this.c1 - this.c0) * (d + 1));
    forEachBlock(rowRange(this.rows, start, this.end), (buf, s, count) => this.byChunk(s, count, (from, to, ch) => {
      const o = ch * (d + 1);
      for (let r = from; r < to; r++) {
        const wi = w ? w[start + s + r] : 1;
        for (let j = 0; j < d; j++) {
          const t = buf[r * d + j] - mean[j];
          out[o + j] += wi * t * t;
          out[o + d] += wi * (t * invScale) ** 2;
        }
      }
    }));
    return out;
  }

  private values(indices: number[]): Float64Array {
    const { d } = this.rows;
    const out = new Float64Array(indices.length * d);
    indices.forEach((r, t) => this.rows.copyRows(r, 1, out, t * d));
    return out;
  }

  /**
   * One kernel pass over the own rows measuring the m = centers.length / d centers: 'start' sets the distances,
   * 'update' lowers them, and both 'start' and 'trials' return per-chunk potentials (chunk-major, m per chunk).
   */
  private pass(centers: Float64Array, mode: 'start' | 'trials' | 'update'): Float64Array {
    const closest = this.closest;
    if (!closest) throw new Error('gaussmix: k-means++ seeding request before seed-start');
    const m = centers.length / this.rows.d;
    const { w, start } = this;
    const sums = new Float64Array((this.c1 - this.c0) * m);
    forEachHalfSqDist(rowRange(this.rows, start, this.end), centers, this.backend, this.invScale, (s, count, lp) => {
      if (mode === 'update') {
        for (let r = 0; r < count; r++) closest[s + r] = Math.min(closest[s + r], -2 * lp[r * m]);
        return;
      }
      this.byChunk(s, count, (from, to, ch) => {
        const so = ch * m;
        for (let r = from; r < to; r++) {
          const i = s + r;
          const lo = r * m;
          const wi = w ? w[start + i] : 1;
          if (mode === 'start') {
            closest[i] = -2 * lp[lo];
            sums[so] += wi * closest[i];
          } else {
            const cl = closest[i];
            for (let t = 0; t < m; t++) sums[so + t] += wi * Math.min(cl, -2 * lp[lo + t]);
          }
        }
      });
    });
    return sums;
  }

  /** The drawn row of one of its chunks (global index). */
  private pick(p: SeedPick): number {
    if (p.chunk < this.c0 || p.chunk >= this.c1) throw new Error(`gaussmix: seeding chunk ${p.chunk} is not served here`);
    const from = Math.max(this.start, p.chunk * SEED_CHUNK_ROWS);
    const to = Math.min(this.end, (p.chunk + 1) * SEED_CHUNK_ROWS);
    let acc = p.prefix;
    let last = -1;
    for (let r = from; r < to; r++) {
      const v = (this.w ? this.w[r] : 1) * this.closest![r - this.start];
      if (v > 0) last = r;
      acc += v;
      if (acc > p.target) return r;
    }
    return last >= 0 ? last : to - 1;
  }
}

/** Runs a generator of SeedRequests in-process, served by one SeedServer over all rows. */
function serveAll<T>(rows: Rows, w: Float64Array | null, backend: Backend, steps: Generator<SeedRequest, T, unknown>): T {
  const server = new SeedServer(rows, w, backend, 0, seedChunkCount(rows.n));
  let s = steps.next();
  while (!s.done) s = steps.next(server.serve(s.value));
  return s.value;
}

/** k-means++ in-process over all rows. */
export function kmeansPlusPlus(rows: Rows, k: number, w: Float64Array | null, rng: Random, backend: Backend, invScale = 1): Float64Array {
  return serveAll(rows, w, backend, kmeansPlusPlusSteps(rows.n, rows.d, k, w !== null, invScale, rng));
}

/** The data moments in-process over all rows (no kernel involved: any backend serves). */
export function dataMoments(rows: Rows, w: Float64Array | null, backend: Backend): DataMoments {
  return serveAll(rows, w, backend, dataMomentsSteps(rows.n, rows.d));
}
