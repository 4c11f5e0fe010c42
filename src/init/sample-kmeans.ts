/**
 * The k-means starts ('kmeans', 'k-means++') of a large unweighted fit, computed on a uniform sample of its rows.
 *
 * Why: k-means++ seeding costs K·(2 + ⌊ln K⌋) distance passes over every row and Lloyd one pass per iteration (tens
 * on overlapping data), so on 10⁵–10⁶ rows the start cost several EM iterations while EM itself needed two or three.
 * A start only has to put EM in the right basin: k-means on m ≥ 8192 uniformly drawn rows (≥ 256 per component) puts
 * the centers within a few hundredths of a standard deviation of where k-means on all rows would. Every row is then
 * assigned to its nearest center (one pass, as before) and the first M-step taken from that, so EM starts from what
 * k-means on all rows would have given it; the data's moments come from the sample too, which saves two passes.
 *
 * 'kmeans' runs k-means SAMPLE_RESTARTS times, each on its own subsample of the sample (subsampleSize), keeps the
 * centers of lowest inertia on the sample and finishes them with Lloyd on the whole sample: one run on 8192 rows put
 * EM in a worse basin than one run on all rows (overlapping 2·10⁵ × 8, K = 8, 24 seeds: the best optimum in 4 fits,
 * against 12 from all rows), and subsamples make restarts cheap (measurements at SAMPLE_RESTARTS, subsampleSize).
 *
 * It runs here, in the generator, in plain JavaScript on the gathered rows: every driver (fit, fitAsync, fitStream's
 * sample) then computes exactly the same start from the same seed, whatever its backend or worker count. The rows are
 * drawn with the fit's Random, k-means++ is scikit-learn's greedy variant (2 + ⌊ln K⌋ trials per center) and Lloyd
 * stops as scikit-learn's does (squared center shift ≤ tol · mean feature variance, empty clusters moved to the
 * farthest rows; tol = SAMPLE_LLOYD_TOL, looser than scikit-learn's 1e-4 for the reason given there); distances are
 * measured in units of s (invScale = s⁻¹, a power of two, as in init/moments.ts).
 */
import { ask, type Steps } from '../em/protocol.js';
import { invScaleOf, maxRange } from '../data/summary.js';
import type { Random } from '../util/random.js';

/**
 * k-means runs on the sample for 'kmeans' (the lowest inertia wins; 'k-means++' keeps its one seeding). Measured on
 * the end-to-end benchmark's data, 24 seeds (12 at D = 2), one run → three: overlapping 2·10⁵ × 8, K = 8, the best of
 * five optima in 4 → 16 fits, mean log-likelihood −13.225 → −13.137, EM iterations mostly 6 → 4, median fit 403 →
 * 393 ms; separated 10⁶ × 2, K = 4, one seed of 12 that merged two clusters (−4.268 against −4.067) → none, 177 →
 * 179 ms; overlapping 10⁶ × 2, K = 6, the best optimum 9 → 11 of 12, 421 → 489 ms; the BIC sweep over K = 1…6 × four
 * types on 2·10⁵ × 2 6% slower, the same model. Five runs: 21 of 24 at D = 8, for another 5–15% of a fit.
 */
export const SAMPLE_RESTARTS = 3;

/**
 * Lloyd on the sample stops when the squared shift of all centers is at most this times the sample's mean feature
 * variance (scikit-learn's KMeans: 1e-4, which the full-data start keeps). Refining the sample's centers far below
 * their own sampling error buys EM nothing: with ~m/K rows per cluster a center's standard error is about 1/√(m/K) of
 * a standard deviation, a squared shift of ~K/m ≈ 1e-3 per center and feature, while this bounds the sum over all K·D
 * of them. Measured against 1e-4 (24 seeds at over-d8, 12 elsewhere, three runs each): the same optima at over-d8,
 * sep-d2 and sep-d8 and the best over-d2 optimum in 11 of 12 either way; median fit over-d8 384 → 328 ms, over-d2
 * 497 → 388 ms, sep-d8 176 → 151 ms, sep-d2 201 → 180 ms. 1e-2 began to cost optima (over-d2: 9 of 12).
 */
export const SAMPLE_LLOYD_TOL = 1e-3;

/** Rows k-means runs on for K components: 8192, or 256 per component when that is more. */
export const sampleSize = (k: number): number => Math.max(8192, 256 * k);

/**
 * Rows of the sample each k-means restart runs on: 2048, or 256 per component when that is more (the whole sample
 * from K = 32). Each restart seeds (greedy k-means++: (2 + ⌊ln K⌋)·K distances per row) and runs Lloyd (20–40
 * iterations on overlapping data) on its own subsample; the winner, by its inertia on the whole sample, then goes on
 * with Lloyd on the whole sample. The restarts only have to find the right basin, and at 256 rows per cluster their
 * centers are within ~1/16 of a standard deviation of it, which the final Lloyd run removes. The three full-sample
 * restarts were a fifth to a third of a default fit at 2·10⁵ × 8, K = 8. Against them (two builds interleaved, the
 * same seeds; docs/performance-notes.md): overlapping 2·10⁵ × 8, K = 8, median fit 1.20×, the best optimum in 51 of
 * 72 seeds against 49; separated 2·10⁵ × 8 and overlapping 10⁶ × 2 1.08–1.09× (the best optimum 12 of 12 against
 * 11), separated 10⁶ × 2 1.03×, the BIC sweep 1.07×, at the same optima.
 */
export const subsampleSize = (k: number): number => Math.max(2048, 256 * k);

/** Up to this many rows, sampleRows marks its picks in one byte per row (≤ 16 MiB); above, in a Set. */
const BYTE_MARKS = 1 << 24;

/**
 * m distinct row indices of n, ascending (Floyd's algorithm: m draws from `rng`). The picks are marked in a byte
 * array where that is small (4× faster than a Set: ~0.6 against ~2.3 ms for 8192 of 2·10⁵ rows), else in a Set; the
 * same draws give the same rows either way.
 */
export function sampleRows(n: number, m: number, rng: Random): number[] {
  const out = new Float64Array(m);
  const bytes = n <= BYTE_MARKS ? new Uint8Array(n) : null;
  const set = new Set<number>();
  for (let j = n - m, t = 0; j < n; j++) {
    const r = rng.int(j + 1);
    const v = (bytes ? bytes[r] : set.has(r)) ? j : r;
    if (bytes) bytes[v] = 1;
    else set.add(v);
    out[t++] = v;
  }
  // V8 sorts 32-bit integers in about half the time of doubles (8192 picks: ~0.44 against ~0.8 ms)
  return Array.from(n <= 2 ** 32 ? Uint32Array.from(out).sort() : out.sort());
}

/** Squared distance of sample row i to center c, in units of s. */
function dist(x: Float64Array, i: number, centers: Float64Array, c: number, d: number, s: number): number {
  let acc = 0;
  const xo = i * d;
  const co = c * d;
  for (let j = 0; j < d; j++) {
    const t = (x[xo + j] - centers[co + j]) * s;
    acc += t * t;
  }
  return acc;
}

/**
 * Squared distances of sample row i to the first `count` centers of cs, into out[0, count): each summed
 * over the columns in the order `dist` sums it (the same values bit for bit), four centers at a time. One distance
 * at a time waits on every addition of its chain; four independent chains overlap and halve the time per distance
 * (8192 rows × 8 centers at D = 8: 0.44 → 0.22 ms, at D = 2 0.10 → 0.05 ms).
 */
function distsTo(
  x: Float64Array,
  i: number,
  cs: Float64Array,
  count: number,
  d: number,
  s: number,
  out: Float64Array,
): void {
  const xo = i * d;
  let c = 0;
  for (; c + 4 <= count; c += 4) {
    const o0 = c * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < d; j++) {
      const v = x[xo + j];
      const t0 = (v - cs[o0 + j]) * s;
      const t1 = (v - cs[o1 + j]) * s;
      const t2 = (v - cs[o2 + j]) * s;
      const t3 = (v - cs[o3 + j]) * s;
      a0 += t0 * t0;
      a1 += t1 * t1;
      a2 += t2 * t2;
      a3 += t3 * t3;
    }
    out[c] = a0;
    out[c + 1] = a1;
    out[c + 2] = a2;
    out[c + 3] = a3;
  }
  for (; c < count; c++) out[c] = dist(x, i, cs, c, d, s);
}

/** Greedy k-means++ on the m sample rows (row-major x): the k×d seeds. */
export function seedSample(x: Float64Array, m: number, d: number, k: number, s: number, rng: Random): Float64Array {
  const centers = new Float64Array(k * d);
  const first = rng.int(m);
  centers.set(x.subarray(first * d, (first + 1) * d), 0);
  const closest = new Float64Array(m);
  let pot = 0;
  for (let i = 0; i < m; i++) pot += closest[i] = dist(x, i, centers, 0, d, s);
  const trials = 2 + Math.floor(Math.log(k));
  const cand = new Float64Array(trials * d);
  const trialDist = new Float64Array(trials * m);
  const prefix = new Float64Array(m);
  const rowDist = new Float64Array(trials);
  const pots = new Float64Array(trials);
  for (let c = 1; c < k; c++) {
    if (pot > 0) {
      let acc = 0;
      for (let i = 0; i < m; i++) prefix[i] = acc += closest[i];
      for (let t = 0; t < trials; t++) {
        const row = draw(prefix, closest, rng.random() * pot);
        cand.set(x.subarray(row * d, (row + 1) * d), t * d);
      }
    } else {
      for (let t = 0; t < trials; t++) {
        const row = rng.int(m);
        cand.set(x.subarray(row * d, (row + 1) * d), t * d);
      }
    }
    // all trials' distances of a row at once (distsTo); each trial's potential still sums its rows in order
    pots.fill(0);
    for (let i = 0; i < m; i++) {
      distsTo(x, i, cand, trials, d, s, rowDist);
      const ci = closest[i];
      for (let t = 0; t < trials; t++) pots[t] += trialDist[t * m + i] = Math.min(ci, rowDist[t]);
    }
    let best = 0;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      if (pots[t] < bestPot) {
        bestPot = pots[t];
        best = t;
      }
    }
    centers.set(cand.subarray(best * d, (best + 1) * d), c * d);
    closest.set(trialDist.subarray(best * m, (best + 1) * m));
    pot = bestPot;
  }
  return centers;
}

/**
 * A restart's rows: subsampleSize(k) of the m sample rows picked with `rng` (sampleRows, in their order), or all m
 * when that is not fewer (then `rng` is not drawn from).
 */
export function subsample(x: Float64Array, m: number, d: number, k: number, rng: Random): Float64Array {
  const ms = subsampleSize(k);
  if (ms >= m) return x;
  const sub = new Float64Array(ms * d);
  sampleRows(m, ms, rng).forEach((r, t) => sub.set(x.subarray(r * d, (r + 1) * d), t * d));
  return sub;
}

/**
 * The row where the running sum of the potentials first exceeds target (binary search over their prefix sums); if
 * rounding leaves none, the last row with a positive potential.
 */
function draw(prefix: Float64Array, closest: Float64Array, target: number): number {
  let lo = 0;
  let hi = prefix.length - 1;
  if (!(prefix[hi] > target)) {
    while (hi > 0 && !(closest[hi] > 0)) hi--;
    return hi;
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (prefix[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * How far inside its bounds a row must be to keep its label unexamined, in units of s: far above the rounding of
 * the bounds (distances here are ≤ √d, their errors ~1e-15 each, summed over ≤ 300 iterations), so a row is skipped
 * only where its nearest center is provably the same in exact arithmetic and by ≥ 1e-8 — a margin no rounding of the
 * squared distances (`dist`) can overturn.
 */
const BOUND_MARGIN = 1e-8;

/**
 * Lloyd's assignment step with Hamerly's bounds (Hamerly 2010, "Making k-means even faster"): per row an upper bound
 * on the distance to its center and a lower bound on the distance to every other, carried across iterations by how
 * far the centers moved. A row whose upper bound stays below max(lower bound, half the distance from its center to
 * the nearest other) keeps its label without computing any distance; the others get the first nearest center of
 * their squared distances to every center, as plain Lloyd assigns all rows. The labels are therefore plain Lloyd's
 * (the margin above makes the bound test conservative), while late iterations, where few rows change, cost O(m)
 * instead of O(m·k·d).
 */
class BoundedAssign {
  readonly labels: Int32Array;
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;
  private readonly rowDist: Float64Array;
  private fresh = true;

  constructor(
    private readonly x: Float64Array,
    private readonly m: number,
    private readonly d: number,
    private readonly k: number,
    private readonly s: number,
  ) {
    this.labels = new Int32Array(m);
    this.upper = new Float64Array(m);
    this.lower = new Float64Array(m);
    this.rowDist = new Float64Array(k);
  }

  /** Each row's nearest center under `centers` (the first on ties). */
  run(centers: Float64Array): Int32Array {
    const { x, m, d, k, s, labels, upper, lower, rowDist } = this;
    const half = this.fresh ? null : halfGaps(centers, k, d, s);
    for (let i = 0; i < m; i++) {
      if (half) {
        const a = labels[i];
        const bound = Math.max(lower[i], half[a]) - BOUND_MARGIN;
        if (upper[i] < bound) continue;
        upper[i] = Math.sqrt(dist(x, i, centers, a, d, s));
        if (upper[i] < bound) continue;
      }
      distsTo(x, i, centers, k, d, s, rowDist);
      let best = 0;
      let bd = rowDist[0];
      let second = Infinity;
      for (let c = 1; c < k; c++) {
        const v = rowDist[c];
        if (v < bd) {
          second = bd;
          bd = v;
          best = c;
        } else if (v < second) second = v;
      }
      labels[i] = best;
      upper[i] = Math.sqrt(bd);
      lower[i] = Math.sqrt(second);
    }
    this.fresh = false;
    return labels;
  }

  /** The centers moved from `from` to `to`: each row's bounds loosen by how far its own and the other centers went. */
  moved(from: Float64Array, to: Float64Array): void {
    const { k, d, s, labels, upper, lower } = this;
    const shift = new Float64Array(k);
    let top = -1;
    let next = -1; // the centers that moved farthest and second farthest
    for (let c = 0; c < k; c++) {
      shift[c] = Math.sqrt(dist(to, c, from, c, d, s));
      if (top < 0 || shift[c] > shift[top]) [top, next] = [c, top];
      else if (next < 0 || shift[c] > shift[next]) next = c;
    }
    for (let i = 0; i < this.m; i++) {
      const a = labels[i];
      upper[i] += shift[a];
      lower[i] -= a === top ? (next < 0 ? 0 : shift[next]) : shift[top];
    }
  }
}

/** Per center, half the distance to its nearest other center (Infinity for a single center), in units of s. */
function halfGaps(centers: Float64Array, k: number, d: number, s: number): Float64Array {
  const half = new Float64Array(k).fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const g = Math.sqrt(dist(centers, a, centers, b, d, s)) / 2;
      if (g < half[a]) half[a] = g;
      if (g < half[b]) half[b] = g;
    }
  }
  return half;
}

/**
 * Lloyd's iterations on the sample from `init` (at most maxIter); returns the final centers, the sample's labels
 * under them and the inertia (Σ of each row's squared distance to its center, in units of s²). `tolScaled` is in
 * units of s², as the squared center shift it is compared with. The assignments go through Hamerly's bounds
 * (BoundedAssign): the same labels, hence the same centers, as measuring every distance.
 */
export function lloydSample(
  x: Float64Array,
  m: number,
  d: number,
  init: Float64Array,
  maxIter: number,
  tolScaled: number,
  s: number,
): { centers: Float64Array; labels: Int32Array; inertia: number } {
  const k = init.length / d;
  let centers = init.slice();
  const bounded = new BoundedAssign(x, m, d, k, s);
  const nk = new Float64Array(k);
  const sx = new Float64Array(k * d);
  for (let it = 0; it < maxIter; it++) {
    const labels = bounded.run(centers);
    nk.fill(0);
    sx.fill(0);
    for (let i = 0; i < m; i++) {
      const c = labels[i];
      nk[c]++;
      for (let j = 0; j < d; j++) sx[c * d + j] += x[i * d + j] - centers[c * d + j];
    }
    const next = centers.slice();
    let shift = 0;
    const empty: number[] = [];
    for (let c = 0; c < k; c++) {
      if (nk[c] === 0) {
        empty.push(c);
        continue;
      }
      for (let j = 0; j < d; j++) {
        const dj = sx[c * d + j] / nk[c];
        next[c * d + j] += dj;
        shift += (dj * s) ** 2;
      }
    }
    if (empty.length > 0) relocate(x, m, d, centers, labels, s, empty, next);
    bounded.moved(centers, next);
    centers = next;
    if (empty.length === 0 && shift <= tolScaled) break;
  }
  const labels = bounded.run(centers).slice();
  let inertia = 0;
  for (let i = 0; i < m; i++) inertia += dist(x, i, centers, labels[i], d, s);
  return { centers, labels, inertia };
}

/**
 * scikit-learn's remedy for empty clusters: they move to the rows farthest from their nearest center (earlier row
 * first on ties), each distance the squared distance to the row's center (`dist`, as the assignment measured it).
 */
function relocate(
  x: Float64Array,
  m: number,
  d: number,
  centers: Float64Array,
  labels: Int32Array,
  s: number,
  empty: number[],
  next: Float64Array,
): void {
  const dmin = Float64Array.from({ length: m }, (_, i) => dist(x, i, centers, labels[i], d, s));
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => dmin[b] - dmin[a] || a - b);
  empty.forEach((c, t) => next.set(x.subarray(order[t] * d, (order[t] + 1) * d), c * d));
}

/**
 * What the sample gives the start: its rows (row-major, for EM on the sample: sample-em.ts), the k-means centers, and
 * the sample's moments (for the fallback parameters).
 */
export interface SampleStart {
  rows: Float64Array;
  centers: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  /** s⁻¹ of the sample's range (data/summary.ts invScaleOf), the units the centers' assignment is measured in. */
  invScale: number;
}

/** Mean, variance (around the mean) and s⁻¹ of the m sample rows. */
function sampleMoments(
  x: Float64Array,
  m: number,
  d: number,
): { mean: Float64Array; variance: Float64Array; invScale: number; scaledMeanVariance: number } {
  const mean = new Float64Array(d);
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      mean[j] += v - x[j]; // around the first row, against cancellation
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < d; j++) mean[j] = x[j] + mean[j] / m;
  const invScale = invScaleOf(maxRange(min, max));
  const variance = new Float64Array(d);
  let scaled = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) {
      const t = x[i * d + j] - mean[j];
      variance[j] += t * t;
      scaled += (t * invScale) ** 2;
    }
  }
  for (let j = 0; j < d; j++) variance[j] /= m;
  return { mean, variance, invScale, scaledMeanVariance: scaled / m / d };
}

/**
 * k-means on m rows drawn from the n with `rng`: 'k-means++' seeds on one subsample; 'kmeans' runs k-means++ and
 * Lloyd on SAMPLE_RESTARTS subsamples, keeps the restart of lowest inertia on the sample (the first on ties) and runs
 * Lloyd on the whole sample from it (Lloyd's tolerance: SAMPLE_LLOYD_TOL of the sample's mean feature variance).
 * Returns the centers, and the sample's moments in place of the data's. The first restart draws what 'k-means++'
 * does.
 */
export function* sampleKmeans(n: number, d: number, k: number, lloyd: boolean, rng: Random): Steps<SampleStart> {
  const rows = sampleRows(n, sampleSize(k), rng);
  const m = rows.length;
  const x = yield* ask({ type: 'seed-rows', rows });
  const mo = sampleMoments(x, m, d);
  const sv = mo.invScale;
  const tol = SAMPLE_LLOYD_TOL * mo.scaledMeanVariance;
  const first = subsample(x, m, d, k, rng);
  let centers = seedSample(first, first.length / d, d, k, sv, rng);
  if (lloyd) {
    let best = Infinity;
    for (let r = 0; r < SAMPLE_RESTARTS; r++) {
      const sub = r === 0 ? first : subsample(x, m, d, k, rng);
      const ms = sub.length / d;
      const seeds = r === 0 ? centers : seedSample(sub, ms, d, k, sv, rng);
      const run = lloydSample(sub, ms, d, seeds, 300, tol, sv);
      // the inertia on the whole sample: Lloyd with no iteration is its assignment and Σ of squared distances
      const inertia = sub === x ? run.inertia : lloydSample(x, m, d, run.centers, 0, 0, sv).inertia;
      if (r === 0 || inertia < best) {
        best = inertia;
        centers = run.centers;
      }
    }
    if (first !== x) centers = lloydSample(x, m, d, centers, 300, tol, sv).centers;
  }
  return { rows: x, centers, mean: mo.mean, variance: mo.variance, invScale: mo.invScale };
}
