/**
 * Answers every request of the protocol (em/protocol.ts) over rows held in memory — all of X in `fit`, one worker's
 * share in fitAsync, a stream's reservoir sample — with the kernels of one backend. The in-process driver is this
 * plus `driveSync`; the other drivers use it for whatever they serve locally.
 */
import type { Backend } from '../../backends/types.js';
import { Workspace } from '../../backends/workspace.js';
import type { Rows } from '../../data/matrix.js';
import { denseRows, forEachBlock, rowOf, rowRange } from '../../data/rows.js';
import type { Handlers, Request } from '../../em/protocol.js';
import { seedChunkCount } from '../../init/chunks.js';
import { prepareInit, respStats } from '../../init/random-starts.js';
import { fitSample, type SampleEmResult } from '../../init/sample-em.js';
import type { KernelParams } from '../../model/params.js';
import type { SufficientStats } from '../../model/stats.js';
import { Random } from '../../util/random.js';
import { nearestCenterWorkspace, sqDist } from './distances.js';
import { mathHandlers } from './math.js';
import { SeedServer } from './seed-server.js';
import { collectWorst, WorstCollector } from './worst.js';

/** The `count` rows farthest from their nearest center, farthest first (scikit-learn's remedy for empty clusters). */
export function farthestRows(rows: Rows, req: Request<'farthest'>): Float64Array[] {
  const { d } = rows;
  const { centers, invScale, count } = req;
  const k = centers.length / d;
  const far: { i: number; dist: number }[] = [];
  forEachBlock(rows, (buf, s, n) => {
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let c = 0; c < k; c++) best = Math.min(best, sqDist(buf, i * d, centers, c * d, d, invScale));
      far.push({ i: s + i, dist: best });
      if (far.length > 4 * count) {
        far.sort((a, b) => b.dist - a.dist);
        far.length = count;
      }
    }
  });
  far.sort((a, b) => b.dist - a.dist);
  return far.slice(0, count).map((f) => rowOf(rows, f.i));
}

/** The values and weights of the given rows (row-major), for the 'row-subset' request. */
export function rowSubset(
  rows: Rows,
  w: Float64Array | null,
  indices: readonly number[],
): { values: Float64Array; weights: Float64Array | null } {
  const { d } = rows;
  const values = new Float64Array(indices.length * d);
  indices.forEach((r, i) => values.set(rowOf(rows, r), i * d));
  return { values, weights: w ? Float64Array.from(indices, (r) => w[r]) : null };
}

/**
 * A server over `rows` with weights `w` (as given to the kernels). Statistics passes may be restricted to a row
 * range; k-means++ state covers seed chunks [c0, c1) (all by default).
 */
export class RowServer {
  private ws: Workspace | null = null;
  private seeding: SeedServer | null = null;
  private readonly chunks: [number, number];

  constructor(
    readonly rows: Rows,
    readonly w: Float64Array | null,
    readonly backend: Backend,
    chunks?: [number, number],
    /** The user's initial responsibilities (n×k, row-major) for 'resp-stats', or null. */
    private readonly resp: Float64Array | null = null,
  ) {
    this.chunks = chunks ?? [0, seedChunkCount(rows.n)];
  }

  /** A workspace loaded with `params`, reusing the last one when its shape fits. */
  workspace(params: KernelParams): Workspace {
    if (!this.ws?.fits(params)) return (this.ws = Workspace.of(this.backend, params));
    this.ws.load(params);
    return this.ws;
  }

  /** E-pass statistics of rows [start, end). */
  estep(req: Request<'estep'>, start = 0, end = this.rows.n): SufficientStats {
    return this.workspace(req.params).accumulate(this.rows, this.w, req.hard, start, end);
  }

  /** Nearest-center statistics of rows [start, end). */
  assign(req: Request<'assign'>, start = 0, end = this.rows.n): SufficientStats {
    return nearestCenterWorkspace(this.backend, this.rows.d, req.centers, req.invScale, req.kind).accumulate(
      this.rows,
      this.w,
      true,
      start,
      end,
    );
  }

  /** EM on the sample rows the request carries (init/sample-em.ts), on this server's backend. */
  sampleEm(req: Request<'sample-em'>): SampleEmResult | null {
    return fitSample(req, new RowServer(denseRows(req.values, req.d), null, this.backend).handlers);
  }

  /** The collector of the worst-explained rows after one pass over rows [start, end) (all by default). */
  worst(req: Request<'worst'>, start = 0, end = this.rows.n): WorstCollector {
    const col = new WorstCollector(req.count, this.rows.d);
    const rows = start === 0 && end === this.rows.n ? this.rows : rowRange(this.rows, start, end);
    const w = this.w && rows !== this.rows ? this.w.subarray(start, end) : this.w;
    collectWorst(rows, w, req.params, col, this.backend, this.workspace(req.params));
    return col;
  }

  /** The k-means++ state, kept from 'seed-start' on; any other request ends seeding (its per-row distances go). */
  private seeds(): SeedServer {
    return (this.seeding ??= new SeedServer(this.rows, this.w, this.backend, this.chunks[0], this.chunks[1]));
  }

  private endSeeding<T>(value: T): T {
    this.seeding = null;
    return value;
  }

  /** Its answers to every request, over all rows. */
  readonly handlers: Handlers = {
    estep: (req) => this.endSeeding(this.estep(req)),
    worst: (req) => this.endSeeding(this.worst(req).result()),
    prepare: (req) => {
      const rng = new Random(0);
      rng.setState(req.rng);
      const prep = prepareInit(this.rows, this.w, req, rng);
      return this.endSeeding({ prep, rng: rng.getState() });
    },
    'resp-stats': (req) => {
      if (!this.resp) throw new Error('gaussmix: initial responsibilities requested where none were given');
      return this.endSeeding(respStats(this.rows, this.w, this.resp, req));
    },
    assign: (req) => this.endSeeding(this.assign(req)),
    farthest: (req) => this.endSeeding(farthestRows(this.rows, req)),
    'seed-first-weighted': (req) => this.seeds().handlers['seed-first-weighted'](req),
    'seed-rows': (req) => this.seeds().handlers['seed-rows'](req),
    'row-subset': (req) => this.endSeeding(rowSubset(this.rows, this.w, req.rows)),
    'seed-start': (req) => this.seeds().handlers['seed-start'](req),
    'seed-pick': (req) => this.seeds().handlers['seed-pick'](req),
    'seed-trials': (req) => this.seeds().handlers['seed-trials'](req),
    'seed-update': (req) => this.seeds().handlers['seed-update'](req),
    'seed-moments': (req) => this.seeds().handlers['seed-moments'](req),
    'seed-spread': (req) => this.seeds().handlers['seed-spread'](req),
    'sample-em': (req) => this.endSeeding(this.sampleEm(req)),
    ...mathHandlers, // no rows: they leave the seeding state alone
  };
}
