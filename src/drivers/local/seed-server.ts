/**
 * The seeding passes of initialisation (data moments, k-means++: init/moments.ts, init/kmeans-plus-plus.ts) answered
 * over chunks [c0, c1) of in-memory rows: all chunks in `fit` and `kmeans`, its own share in each fitAsync worker.
 * It keeps each of its rows' squared distance to the nearest center chosen so far. Sums come back per chunk (see
 * init/chunks.ts), so any split of the chunks gives what one pass gives.
 */
import type { Backend } from '../../backends/types.js';
import type { Rows } from '../../data/matrix.js';
import { forEachBlock, rowRange } from '../../data/rows.js';
import type { Handlers, SeedPick } from '../../em/protocol.js';
import { SEED_CHUNK_ROWS } from '../../init/chunks.js';
import { forEachHalfSqDist } from './distances.js';

/** The requests a SeedServer answers. */
export type SeedRequestType =
  | 'seed-first-weighted'
  | 'seed-rows'
  | 'seed-start'
  | 'seed-pick'
  | 'seed-trials'
  | 'seed-update'
  | 'seed-moments'
  | 'seed-spread';

export const SEED_REQUESTS: readonly SeedRequestType[] = [
  'seed-first-weighted',
  'seed-rows',
  'seed-start',
  'seed-pick',
  'seed-trials',
  'seed-update',
  'seed-moments',
  'seed-spread',
];

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
    private readonly rows: Rows,
    private readonly w: Float64Array | null,
    private readonly backend: Backend,
    readonly c0: number,
    readonly c1: number,
  ) {
    this.start = Math.min(rows.n, c0 * SEED_CHUNK_ROWS);
    this.end = Math.min(rows.n, c1 * SEED_CHUNK_ROWS);
  }

  /** Its answers to the seeding requests. */
  readonly handlers: Pick<Handlers, SeedRequestType> = {
    'seed-first-weighted': (req) => {
      const w = this.w!;
      let total = 0;
      for (let i = 0; i < w.length; i++) total += w[i];
      return weightedRow(w, req.u * total);
    },
    'seed-rows': (req) => this.values(req.rows),
    'seed-start': (req) => {
      this.invScale = req.invScale;
      this.closest = new Float64Array(this.end - this.start);
      return this.pass(req.center, 'start');
    },
    'seed-pick': (req) => this.values(req.picks.map((p) => this.pick(p))),
    'seed-trials': (req) => this.pass(req.cands, 'trials'),
    'seed-update': (req) => {
      this.pass(req.center, 'update');
      return null;
    },
    'seed-moments': (req) => this.moments(req.ref),
    'seed-spread': (req) => this.spread(req.mean, req.invScale),
  };

  /**
   * Splits own rows [s, s + count) (a block) into the runs that lie in one chunk: fn(from, to, ch) with offsets from s
   * and the chunk counted from c0, in row order.
   */
  private byChunk(s: number, count: number, fn: (from: number, to: number, ch: number) => void): void {
    for (let r = 0; r < count; ) {
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
    forEachBlock(rowRange(this.rows, start, this.end), (buf, s, count) =>
      this.byChunk(s, count, (from, to, ch) => {
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
      }),
    );
    return out;
  }

  private spread(mean: Float64Array, invScale: number): Float64Array {
    const { d } = this.rows;
    const { w, start } = this;
    const out = new Float64Array((this.c1 - this.c0) * (d + 1));
    forEachBlock(rowRange(this.rows, start, this.end), (buf, s, count) =>
      this.byChunk(s, count, (from, to, ch) => {
        const o = ch * (d + 1);
        for (let r = from; r < to; r++) {
          const wi = w ? w[start + s + r] : 1;
          for (let j = 0; j < d; j++) {
            const t = buf[r * d + j] - mean[j];
            out[o + j] += wi * t * t;
            out[o + d] += wi * (t * invScale) ** 2;
          }
        }
      }),
    );
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
    if (p.chunk < this.c0 || p.chunk >= this.c1)
      throw new Error(`gaussmix: seeding chunk ${p.chunk} is not served here`);
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
