/**
 * Chunked initialisation passes (src/init/, served by src/drivers/local/seed-server.ts): split over chunk ranges, as fitAsync's workers split them, the
 * data moments and k-means++ give exactly what one server over all chunks gives; the moments match a direct
 * computation, and the seeds are data rows of positive weight that, on well-separated clusters, land one per cluster.
 */
import { describe, expect, it } from 'vitest';
import '../../src/index.js'; // the package entry hands the built kernel binary to the loader
import { getBackend } from '../../src/backends/index.js';
import type { Backend } from '../../src/backends/types.js';
import { toRows, type Rows } from '../../src/data/matrix.js';
import { Random } from '../../src/util/random.js';
import { runLocal } from '../../src/drivers/sync.js';
import { SeedServer } from '../../src/drivers/local/seed-server.js';
import type { Request, Steps } from '../../src/em/protocol.js';
import { SEED_CHUNK_ROWS, seedChunkCount } from '../../src/init/chunks.js';
import { kmeansPlusPlusSteps } from '../../src/init/kmeans-plus-plus.js';
import { dataMomentsSteps } from '../../src/init/moments.js';
import { expectClose } from '../helpers/compare.js';
import { mixture } from '../helpers/data.js';

const K = 6;
const N = 3 * SEED_CHUNK_ROWS + 1000; // four chunks, the last one short
const { X, means } = mixture(17, N, 2, K, 12);
const rows = toRows(X);

/** A generator of SeedRequests with the passes served by one SeedServer per chunk range [cuts[i], cuts[i + 1]). */
function serveSplit<T>(steps: Steps<T>, w: Float64Array | null, cuts: number[], backend: Backend): T {
  const chunks = seedChunkCount(rows.n);
  const whole = new SeedServer(rows, w, backend, 0, chunks); // what worker 0 answers: rows and the weighted first draw
  const parts = cuts
    .slice(0, -1)
    .map((c0, i) => new SeedServer(rows, w, backend, c0, cuts[i + 1]))
    .filter((q) => q.c1 > q.c0);
  let s = steps.next();
  while (!s.done) {
    const r = s.value as Request<
      | 'seed-first-weighted'
      | 'seed-rows'
      | 'seed-pick'
      | 'seed-start'
      | 'seed-trials'
      | 'seed-update'
      | 'seed-moments'
      | 'seed-spread'
    >;
    const serve = (q: SeedServer, req: typeof r): unknown => (q.handlers[req.type] as (x: typeof r) => unknown)(req);
    let reply: unknown;
    if (r.type === 'seed-first-weighted' || r.type === 'seed-rows') {
      reply = serve(whole, r);
    } else if (r.type === 'seed-pick') {
      const out = new Float64Array(r.picks.length * rows.d);
      r.picks.forEach((p, t) => {
        const owner = parts.find((q) => p.chunk >= q.c0 && p.chunk < q.c1)!;
        out.set(owner.handlers['seed-pick']({ type: 'seed-pick', picks: [p] }), t * rows.d);
      });
      reply = out;
    } else {
      const got = parts.map((q) => serve(q, r) as Float64Array | null);
      if (r.type === 'seed-update') reply = null;
      else {
        const m = got[0]!.length / (parts[0].c1 - parts[0].c0);
        const all = new Float64Array(chunks * m);
        got.forEach((g, i) => all.set(g!, parts[i].c0 * m));
        reply = all;
      }
    }
    s = steps.next(reply);
  }
  return s.value;
}

function rowSet(r: Rows, w: Float64Array | null): Set<string> {
  const set = new Set<string>();
  const buf = new Float64Array(r.d);
  for (let i = 0; i < r.n; i++) {
    if (w && !(w[i] > 0)) continue;
    r.copyRows(i, 1, buf, 0);
    set.add(Array.from(buf).join(','));
  }
  return set;
}

const nearestMean = (c: Float64Array): number => {
  let best = 0;
  let bd = Infinity;
  means.forEach((m, j) => {
    const dd = (c[0] - m[0]) ** 2 + (c[1] - m[1]) ** 2;
    if (dd < bd) [bd, best] = [dd, j];
  });
  return best;
};

describe('data moments in chunks', () => {
  it('split over chunk ranges = one pass over all, and = a direct two-pass computation', () => {
    const backend = getBackend('js');
    const w = Float64Array.from({ length: N }, (_, i) => (i % 7 === 0 ? 0 : 0.25 + (i % 4)));
    for (const wt of [null, w]) {
      const ref = runLocal(rows, wt, backend, dataMomentsSteps(rows.n, rows.d));
      for (const cuts of [
        [0, 1, 4],
        [0, 3, 4],
        [0, 0, 2, 4],
      ]) {
        expect(serveSplit(dataMomentsSteps(rows.n, rows.d), wt, cuts, backend), `cuts ${cuts}`).toEqual(ref);
      }
      // direct: Σw, mean, then Σw(x − mean)² in row order
      let sw = 0;
      const mean = [0, 0];
      X.forEach((x, i) => {
        const wi = wt ? wt[i] : 1;
        sw += wi;
        mean[0] += wi * x[0];
        mean[1] += wi * x[1];
      });
      mean[0] /= sw;
      mean[1] /= sw;
      const variance = [0, 0];
      X.forEach((x, i) => {
        const wi = wt ? wt[i] : 1;
        variance[0] += (wi * (x[0] - mean[0]) ** 2) / sw;
        variance[1] += (wi * (x[1] - mean[1]) ** 2) / sw;
      });
      expectClose(Array.from(ref.mean), mean, 1e-10, 'mean', 1);
      expectClose(Array.from(ref.variance), variance, 1e-10, 'variance');
      const range = Math.max(
        ...[0, 1].map(
          (j) => X.reduce((a, x) => Math.max(a, x[j]), -Infinity) - X.reduce((a, x) => Math.min(a, x[j]), Infinity),
        ),
      );
      expect(ref.invScale).toBe(2 ** -Math.ceil(Math.log2(range)));
    }
  });
});

describe('k-means++ seeding in chunks', () => {
  for (const backendName of ['wasm', 'js'] as const) {
    const backend = getBackend(backendName);
    for (const weighted of [false, true]) {
      it(`split over chunk ranges = one pass over all (${backendName}, ${weighted ? 'weighted' : 'unweighted'})`, () => {
        // weights 0.5–2.5, and 0 for every 5th row (never a seed)
        const w = weighted ? Float64Array.from({ length: N }, (_, i) => (i % 5 === 0 ? 0 : 0.5 + (i % 3))) : null;
        const allowed = rowSet(rows, w);
        for (const seed of [1, 2]) {
          const ref = runLocal(
            rows,
            w,
            backend,
            kmeansPlusPlusSteps(rows.n, rows.d, K, w !== null, 1, new Random(seed)),
          );
          for (const cuts of [
            [0, 1, 4],
            [0, 2, 3, 4],
            [0, 0, 1, 1, 4],
          ]) {
            const steps = kmeansPlusPlusSteps(rows.n, rows.d, K, w !== null, 1, new Random(seed));
            expect(serveSplit(steps, w, cuts, backend), `seed ${seed}, cuts ${cuts}`).toEqual(ref);
          }
          const hit = new Set<number>();
          for (let c = 0; c < K; c++) {
            const center = ref.subarray(c * 2, c * 2 + 2);
            expect(allowed.has(Array.from(center).join(',')), `center ${c} is a row of positive weight`).toBe(true);
            hit.add(nearestMean(center));
          }
          expect(hit.size, 'one seed per well-separated cluster').toBe(K);
        }
      });
    }
  }
});
