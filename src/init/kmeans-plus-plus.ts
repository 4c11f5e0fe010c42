/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii; scikit-learn's variant with 2 + ⌊ln k⌋ local trials per center)
 * as a generator of requests, written so its passes can run on several workers and still give exactly what one
 * thread gives: every sum over the rows — the potential Σ w·min distance², each trial's potential — is a sum per chunk
 * (chunks.ts) in row order, then over the chunks in chunk order; a weighted draw finds its chunk from the chunk sums
 * and the server continues the running sum inside it. The Random lives here, so draws come in a fixed order.
 */
import { ask, type SeedPick, type Steps } from '../em/protocol.js';
import type { Random } from '../util/random.js';
import { seedChunkCount } from './chunks.js';

/**
 * k-means++ over n rows (weighted: the fit has sample weights); returns the k×d centers. Draws from `rng` in the
 * same order as a direct implementation: the first row, then per round one draw per trial.
 */
export function* kmeansPlusPlusSteps(
  n: number,
  d: number,
  k: number,
  weighted: boolean,
  invScale: number,
  rng: Random,
): Steps<Float64Array> {
  const centers = new Float64Array(k * d);
  const chunks = seedChunkCount(n);
  const first = weighted ? yield* ask({ type: 'seed-first-weighted', u: rng.random() }) : rng.int(n);
  centers.set(yield* ask({ type: 'seed-rows', rows: [first] }), 0);
  let chunkPot = yield* ask({ type: 'seed-start', center: centers.slice(0, d), invScale });
  let pot = 0;
  for (let ch = 0; ch < chunks; ch++) pot += chunkPot[ch];
  const trials = 2 + Math.floor(Math.log(k));
  const pots = new Float64Array(trials);
  for (let c = 1; c < k; c++) {
    let cand: Float64Array;
    if (pot > 0) {
      const picks: SeedPick[] = [];
      for (let t = 0; t < trials; t++) picks.push(locate(chunkPot, rng.random() * pot));
      cand = yield* ask({ type: 'seed-pick', picks });
    } else {
      const rows: number[] = [];
      for (let t = 0; t < trials; t++) rows.push(rng.int(n));
      cand = yield* ask({ type: 'seed-rows', rows });
    }
    const byChunk = yield* ask({ type: 'seed-trials', cands: cand });
    pots.fill(0);
    for (let ch = 0; ch < chunks; ch++) for (let t = 0; t < trials; t++) pots[t] += byChunk[ch * trials + t];
    let best = 0;
    for (let t = 1; t < trials; t++) if (pots[t] < pots[best]) best = t;
    const chosen = cand.slice(best * d, (best + 1) * d);
    centers.set(chosen, c * d);
    if (c + 1 < k) yield* ask({ type: 'seed-update', center: chosen }); // the last center's distances are never used
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
