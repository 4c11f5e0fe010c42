/**
 * k-means++ seeding (src/seeding.ts): its passes split over chunk ranges, as fitAsync's workers split them, pick
 * exactly the rows one server over all chunks picks; the seeds are data rows of positive weight and, on
 * well-separated clusters, land one per cluster.
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../src/backends/index.js';
import type { Backend } from '../src/backends/types.js';
import { toRows, type Rows } from '../src/matrix.js';
import { Random } from '../src/random.js';
import { kmeansPlusPlus, kmeansPlusPlusSteps, SEED_CHUNK_ROWS, SeedServer, seedChunkCount } from '../src/seeding.js';
import { mixture } from './helpers/data.js';

const K = 6;
const N = 3 * SEED_CHUNK_ROWS + 1000; // four chunks, the last one short
const { X, means } = mixture(17, N, 2, K, 12);
const rows = toRows(X);

/** k-means++ with the passes served by one SeedServer per chunk range [cuts[i], cuts[i + 1]). */
function splitSeeds(w: Float64Array | null, seed: number, cuts: number[], backend: Backend): Float64Array {
  const chunks = seedChunkCount(rows.n);
  const whole = new SeedServer(rows, w, backend, 0, chunks); // what worker 0 answers: rows and the weighted first draw
  const parts = cuts.slice(0, -1).map((c0, i) => new SeedServer(rows, w, backend, c0, cuts[i + 1]));
  const steps = kmeansPlusPlusSteps(rows.n, rows.d, K, w !== null, 1, new Random(seed));
  let s = steps.next();
  while (!s.done) {
    const r = s.value;
    let reply: unknown;
    if (r.type === 'seed-first-weighted' || r.type === 'seed-rows') {
      reply = whole.serve(r);
    } else if (r.type === 'seed-pick') {
      const out = new Float64Array(r.picks.length * rows.d);
      r.picks.forEach((p, t) => {
        const owner = parts.find((q) => p.chunk >= q.c0 && p.chunk < q.c1)!;
        out.set(owner.serve({ type: 'seed-pick', picks: [p] }) as Float64Array, t * rows.d);
      });
      reply = out;
    } else {
      const got = parts.map((q) => q.serve(r) as Float64Array | null);
      if (r.type === 'seed-update') reply = null;
      else {
        const m = r.type === 'seed-trials' ? r.cands.length / rows.d : 1;
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

describe('k-means++ seeding in chunks', () => {
  for (const backendName of ['wasm', 'js'] as const) {
    const backend = getBackend(backendName);
    for (const weighted of [false, true]) {
      it(`split over chunk ranges = one pass over all (${backendName}, ${weighted ? 'weighted' : 'unweighted'})`, () => {
        // weights 0.5–2.5, and 0 for every 5th row (never a seed)
        const w = weighted ? Float64Array.from({ length: N }, (_, i) => (i % 5 === 0 ? 0 : 0.5 + (i % 3))) : null;
        const allowed = rowSet(rows, w);
        for (const seed of [1, 2]) {
          const ref = kmeansPlusPlus(rows, K, w, new Random(seed), backend);
          for (const cuts of [[0, 1, 4], [0, 2, 3, 4], [0, 0, 1, 1, 4]]) {
            expect(splitSeeds(w, seed, cuts, backend), `seed ${seed}, cuts ${cuts}`).toEqual(ref);
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
