/**
 * How fitAsync's workers answer each request of the protocol together:
 *  - statistics passes ('estep', 'assign'): every worker serves the segments it claims; the driver adds them in
 *    segment order, whichever worker served which — deterministic, and different from one pass over all rows only
 *    by the order of floating-point additions;
 *  - 'worst': each worker's own range, merged in worker (= row) order;
 *  - seeding passes: the owners of seed chunks, their per-chunk sums put together in chunk order; a weighted draw by
 *    the owner of its chunk;
 *  - the requests that need every row in order ('prepare', 'resp-stats', 'farthest', 'seed-rows', 'row-subset',
 *    'seed-first-weighted'): worker 0;
 *  - EM's 'mstep', which needs no rows: worker 0, off the calling thread — or, when its K factorisations are
 *    costly (model/mstep.ts mStepPartCount), every worker factoring its share of the components' covariances, the
 *    parts joined (joinMStepParts) into what one worker would have computed;
 *  - the other M-steps ('initial-mstep', 'variational-mstep'), SQUAREM's 'squarem-jump' and the EM on the k-means
 *    sample ('sample-em', which carries its rows): worker 0.
 */
import type { AsyncHandlers, Reply, Request, RequestType } from '../../em/protocol.js';
import { joinMStepParts, mStepPartCount } from '../../model/mstep.js';
import { addStats, type SufficientStats } from '../../model/stats.js';
import { WorstCollector } from '../local/worst.js';
import type { Channel } from './channel.js';
import type { SegmentStats, StatsPayload } from './messages.js';

/** The workers of one fit and how the work is split among them. */
export interface Team {
  channels: Channel[];
  /** Seed chunks [from, to) kept by each worker. */
  seedChunks: [number, number][];
  /** Seed chunks in all. */
  chunks: number;
  d: number;
  /** Segments of a statistics pass. */
  segments: number;
  /** The shared segment counter (shared memory), reset before each pass. */
  claim: Int32Array | null;
  /** Races a promise against the fit's failure (abort, a dead worker). */
  race<T>(p: Promise<T>): Promise<T>;
  /** The request to post: its large arrays in shared memory where there is some (stage.ts), else itself. */
  share<T extends object>(request: T): Promise<T>;
}

const toStats = (
  p: StatsPayload,
  k: number,
  d: number,
  kind: 'full' | 'diag',
  centers: Float64Array,
): SufficientStats => ({
  k,
  d,
  sxxKind: kind,
  logLik: p.logLik,
  sumW: p.sumW,
  nk: p.nk,
  sx: p.sx,
  sxx: p.sxx,
  centers,
});

/** The segments' statistics (around `centers`) added in segment order. */
function mergeSegments(
  parts: SegmentStats[],
  segments: number,
  k: number,
  d: number,
  kind: 'full' | 'diag',
  centers: Float64Array,
): SufficientStats {
  parts.sort((a, b) => a.segment - b.segment);
  if (parts.length !== segments || parts.some((p, i) => p.segment !== i)) {
    throw new Error(
      `gaussmix: fitAsync workers returned segments ${parts.map((p) => p.segment).join(',')} of ${segments}`,
    );
  }
  const st = toStats(parts[0].stats, k, d, kind, centers.slice());
  for (let i = 1; i < parts.length; i++) addStats(st, toStats(parts[i].stats, k, d, kind, st.centers));
  return st;
}

/**
 * EM's M-step: by worker 0, or — when its factorisations are costly — in parts by the first workers, each
 * factoring its share of the components' covariances, joined in part order (the same numbers as one worker's).
 */
async function mStep(
  t: Team,
  req: Request<'mstep'>,
  first: (req: Request<'mstep'>) => Promise<Reply<'mstep'>>,
): Promise<Reply<'mstep'>> {
  const count = mStepPartCount(req.st, req.prev, req.options, t.channels.length);
  if (count === 1) return first(req);
  const shared = await t.race(t.share(req));
  const settled = await t.race(
    Promise.allSettled(
      t.channels
        .slice(0, count)
        .map((ch, index) => ch.ask({ ...shared, options: { ...shared.options, part: { index, count } } })),
    ),
  );
  // the error of the lowest part, as one step over every block meets its first bad block first (not whichever
  // worker happened to answer first)
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return joinMStepParts(
    settled.map((r) => (r as PromiseFulfilledResult<Reply<'mstep'>>).value),
    req.options.covType,
  );
}

export function workerHandlers(t: Team): AsyncHandlers {
  const { channels, d, race } = t;
  const all = async <T extends RequestType>(req: Request<T>) => {
    const shared = await race(t.share(req));
    return race(Promise.all(channels.map((ch) => ch.ask(shared))));
  };
  const first = async <T extends RequestType>(req: Request<T>) => race(channels[0].ask(await race(t.share(req))));
  const owners = channels
    .map((ch, i) => ({ ch, c0: t.seedChunks[i][0], c1: t.seedChunks[i][1] }))
    .filter((o) => o.c1 > o.c0);

  const statsPass = async (
    req: Request<'estep' | 'assign'>,
    k: number,
    kind: 'full' | 'diag',
    centers: Float64Array,
  ) => {
    if (t.claim) Atomics.store(t.claim, 0, 0); // every worker is idle between requests
    const parts = (await all(req)).flat();
    return mergeSegments(parts, t.segments, k, d, kind, centers);
  };

  /** Per-chunk sums from the chunk owners, put together in chunk order. */
  const byChunk = async (req: Request<'seed-start' | 'seed-trials' | 'seed-moments' | 'seed-spread'>) => {
    const shared = await race(t.share(req));
    const parts = await race(Promise.all(owners.map((o) => o.ch.ask(shared))));
    const m = parts[0].length / (owners[0].c1 - owners[0].c0); // values per chunk
    const out = new Float64Array(t.chunks * m);
    parts.forEach((part, i) => out.set(part, owners[i].c0 * m));
    return out;
  };

  return {
    estep: (req) => statsPass(req, req.params.k, req.params.sxxKind, req.params.means),
    assign: (req) => statsPass(req, req.centers.length / d, req.kind, req.centers),
    worst: async (req) => {
      // each worker's list is sorted with ties in row order; offering them in worker order reproduces one pass
      const col = new WorstCollector(req.count, d);
      for (const part of await all(req)) part.rows.forEach((row, i) => col.offer(part.lse[i], row));
      return col.result();
    },
    prepare: first,
    'resp-stats': first,
    farthest: first,
    'seed-first-weighted': first,
    'seed-rows': first,
    'row-subset': first,
    'seed-start': byChunk,
    'seed-trials': byChunk,
    'seed-moments': byChunk,
    'seed-spread': byChunk,
    // the M-steps read no rows: workers compute them, so this thread stays free during K factorisations
    mstep: (req) => mStep(t, req, first),
    'squarem-jump': first,
    'sample-em': first,
    'initial-mstep': first,
    'variational-mstep': first,
    'seed-update': async (req) => {
      await race(Promise.all(owners.map((o) => o.ch.ask(req))));
      return null;
    },
    'seed-pick': async (req) => {
      const out = new Float64Array(req.picks.length * d);
      await race(
        Promise.all(
          owners.map(async (o) => {
            const mine = req.picks.map((p, i) => ({ p, i })).filter(({ p }) => p.chunk >= o.c0 && p.chunk < o.c1);
            if (!mine.length) return;
            const rows = await o.ch.ask({ type: 'seed-pick', picks: mine.map(({ p }) => p) });
            mine.forEach(({ i }, j) => out.set(rows.subarray(j * d, (j + 1) * d), i * d));
          }),
        ),
      );
      return out;
    },
  };
}
