/**
 * k-means on a sample as the start of large unweighted fits (init/sample-kmeans.ts): the sample is m distinct rows,
 * the same for a seed; k-means++ and Lloyd on it recover well-separated centers; a fit on more rows than the sample
 * takes that path and ends at the optimum the full-data start (still taken with sample weights) reaches; fewer rows
 * than the sample keep the full-data path bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../../src/api/index.js';
import {
  lloydSample,
  SAMPLE_LLOYD_TOL,
  SAMPLE_RESTARTS,
  sampleKmeans,
  sampleRows,
  sampleSize,
  seedSample,
  subsample,
  subsampleSize,
} from '../../../src/init/sample-kmeans.js';
import { Random } from '../../../src/util/random.js';
import { mixture } from '../../helpers/data.js';

describe('sampleRows', () => {
  it('draws m distinct ascending rows of n, the same for the same seed', () => {
    for (const [n, m] of [
      [10, 10],
      [1000, 1],
      [100_000, 8192],
    ]) {
      const a = sampleRows(n, m, new Random(3));
      expect(a.length).toBe(m);
      for (let i = 1; i < m; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
      expect(a[0]).toBeGreaterThanOrEqual(0);
      expect(a[m - 1]).toBeLessThan(n);
      expect(sampleRows(n, m, new Random(3))).toEqual(a);
    }
    expect(sampleRows(100_000, 8192, new Random(4))).not.toEqual(sampleRows(100_000, 8192, new Random(3)));
  });

  it("are Floyd's picks, marked in bytes up to 2²⁴ rows and in a Set above, the same for the same draws", () => {
    /** Floyd's algorithm as first written (a Set of picks, sorted): the reference. */
    const floyd = (n: number, m: number, rng: Random): number[] => {
      const picked = new Set<number>();
      for (let j = n - m; j < n; j++) {
        const t = rng.int(j + 1);
        picked.add(picked.has(t) ? j : t);
      }
      return [...picked].sort((a, b) => a - b);
    };
    for (const [n, m, seed] of [
      [5, 5, 1],
      [30, 29, 2],
      [200_000, 8192, 3],
      [2 ** 24, 3000, 4],
      [2 ** 24 + 1, 3000, 5],
      [3e9, 100, 6], // beyond int32 row indices
    ]) {
      expect(sampleRows(n, m, new Random(seed))).toEqual(floyd(n, m, new Random(seed)));
    }
  });

  it('is uniform: each half of the rows gets about half of the sample', () => {
    const a = sampleRows(1_000_000, 8192, new Random(9));
    const low = a.filter((i) => i < 500_000).length;
    expect(Math.abs(low - 4096)).toBeLessThan(4 * Math.sqrt(8192 / 4)); // 4 standard deviations
  });

  it('sizes the sample at 8192 rows, or 256 per component', () => {
    expect(sampleSize(3)).toBe(8192);
    expect(sampleSize(100)).toBe(25_600);
  });
});

describe("restarts' subsample", () => {
  it('sizes it at 2048 rows, or 256 per component when that is more', () => {
    expect(subsampleSize(4)).toBe(2048);
    expect(subsampleSize(40)).toBe(10_240);
  });

  it('is subsampleSize(k) sample rows in order, drawn by sampleRows with the same Random, or all rows', () => {
    const k = 5;
    const { X } = mixture(31, 6000, 3, k, 4);
    const x = Float64Array.from(X.flat());
    const m = X.length;
    const rng = new Random(8);
    const got = subsample(x, m, 3, k, rng);
    const picked = sampleRows(m, subsampleSize(k), new Random(8));
    expect(Array.from(got)).toEqual(picked.flatMap((r) => X[r]));
    const after = new Random(8);
    sampleRows(m, subsampleSize(k), after);
    expect(rng.random()).toBe(after.random()); // it drew exactly sampleRows' draws
    const small = x.subarray(0, 3 * 1500);
    const untouched = new Random(8);
    expect(subsample(small, 1500, 3, k, untouched)).toBe(small);
    expect(untouched.random()).toBe(new Random(8).random()); // no draw when the sample is the subsample
  });

  it("a restart's inertia (Lloyd with no iteration) is Σ of each row's squared distance to its nearest center", () => {
    const { X } = mixture(32, 700, 3, 4, 3);
    const x = Float64Array.from(X.flat());
    const centers = Float64Array.from([...X[0], ...X[100], ...X[200], ...X[300]]);
    let want = 0;
    for (const row of X) {
      want += Math.min(
        ...[0, 1, 2, 3].map((c) => row.reduce((a, v, j) => a + ((v - centers[c * 3 + j]) * 0.125) ** 2, 0)),
      );
    }
    const run = lloydSample(x, X.length, 3, centers, 0, 0, 0.125);
    expect(run.inertia).toBeCloseTo(want, 10);
    expect(Array.from(run.centers)).toEqual(Array.from(centers)); // no iteration: the centers as given
  });
});

describe('k-means on the sample', () => {
  it('k-means++ and Lloyd find the centers of well-separated clusters', () => {
    const { X, means } = mixture(5, 3000, 3, 4, 20);
    const x = Float64Array.from(X.flat());
    const seeds = seedSample(x, X.length, 3, 4, 1 / 64, new Random(1));
    const { centers, labels } = lloydSample(x, X.length, 3, seeds, 300, 0, 1 / 64);
    for (const mu of means) {
      const dist = Math.min(...[0, 1, 2, 3].map((c) => Math.hypot(...mu.map((v, j) => v - centers[c * 3 + j]))));
      expect(dist).toBeLessThan(0.2);
    }
    expect(new Set(labels).size).toBe(4);
  });
});

/** The references' squared distance of row i of x to center t of c, in units of s: one running sum over the columns. */
function plainDist(x: Float64Array, d: number, s: number) {
  return (i: number, c: Float64Array, t: number): number => {
    let acc = 0;
    for (let j = 0; j < d; j++) {
      const v = (x[i * d + j] - c[t * d + j]) * s;
      acc += v * v;
    }
    return acc;
  };
}

/** Greedy k-means++ as first written (each trial's distances in a loop of their own): seedSample's reference. */
function seedPlain(x: Float64Array, m: number, d: number, k: number, s: number, rng: Random): Float64Array {
  const dist = plainDist(x, d, s);
  const centers = new Float64Array(k * d);
  const first = rng.int(m);
  centers.set(x.subarray(first * d, (first + 1) * d), 0);
  const closest = Float64Array.from({ length: m }, (_, i) => dist(i, centers, 0));
  let pot = closest.reduce((a, v) => a + v, 0);
  const trials = 2 + Math.floor(Math.log(k));
  for (let c = 1; c < k; c++) {
    const cand = new Float64Array(trials * d);
    for (let t = 0; t < trials; t++) {
      let row: number;
      if (pot > 0) {
        // the first row where the running sum of the potentials exceeds the target; else the last positive one
        const target = rng.random() * pot;
        let acc = 0;
        row = -1;
        for (let i = 0; i < m && row < 0; i++) if ((acc += closest[i]) > target) row = i;
        if (row < 0) for (row = m - 1; row > 0 && !(closest[row] > 0); row--);
      } else row = rng.int(m);
      cand.set(x.subarray(row * d, (row + 1) * d), t * d);
    }
    let best = 0;
    let bestPot = Infinity;
    let bestDist = closest;
    for (let t = 0; t < trials; t++) {
      const td = Float64Array.from({ length: m }, (_, i) => Math.min(closest[i], dist(i, cand, t)));
      const p = td.reduce((a, v) => a + v, 0);
      if (p < bestPot) [bestPot, best, bestDist] = [p, t, td];
    }
    centers.set(cand.subarray(best * d, (best + 1) * d), c * d);
    closest.set(bestDist);
    pot = bestPot;
  }
  return centers;
}

describe('k-means++ on the sample', () => {
  it("is the plain greedy k-means++ bit for bit (all trials' distances of a row at once)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 12 }), // 2, 2 + 1 and 2 + 2 trials
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 40, maxLength: 400 }),
        fc.integer({ min: 0, max: 1000 }),
        (d, k, values, seed) => {
          const m = Math.floor(values.length / d);
          fc.pre(m >= 1);
          const x = Float64Array.from(values.slice(0, m * d));
          const got = seedSample(x, m, d, k, 1 / 128, new Random(seed));
          expect(Array.from(got)).toEqual(Array.from(seedPlain(x, m, d, k, 1 / 128, new Random(seed))));
        },
      ),
      { numRuns: 300, seed: 5 },
    );
    // every row the same point (all potentials 0: uniform picks), and a handful of distinct rows for many centers
    const same = new Float64Array(5 * 40).fill(3);
    expect(Array.from(seedSample(same, 40, 5, 6, 1, new Random(2)))).toEqual(
      Array.from(seedPlain(same, 40, 5, 6, 1, new Random(2))),
    );
    const few = Float64Array.from({ length: 3 * 50 }, (_, t) => Math.floor(t / 30));
    expect(Array.from(seedSample(few, 50, 3, 12, 0.5, new Random(4)))).toEqual(
      Array.from(seedPlain(few, 50, 3, 12, 0.5, new Random(4))),
    );
  });
});

/** Lloyd's iterations measuring every distance, as lloydSample did before Hamerly's bounds: the reference. */
function lloydPlain(
  x: Float64Array,
  m: number,
  d: number,
  init: Float64Array,
  maxIter: number,
  tol: number,
  s: number,
) {
  const k = init.length / d;
  const dist = plainDist(x, d, s);
  let centers = init.slice();
  const labels = new Int32Array(m);
  const dmin = new Float64Array(m);
  const assign = (): void => {
    for (let i = 0; i < m; i++) {
      let best = 0;
      let bd = dist(i, centers, 0);
      for (let c = 1; c < k; c++) {
        const v = dist(i, centers, c);
        if (v < bd) [bd, best] = [v, c];
      }
      labels[i] = best;
      dmin[i] = bd;
    }
  };
  for (let it = 0; it < maxIter; it++) {
    assign();
    const nk = new Float64Array(k);
    const sx = new Float64Array(k * d);
    for (let i = 0; i < m; i++) {
      nk[labels[i]]++;
      for (let j = 0; j < d; j++) sx[labels[i] * d + j] += x[i * d + j] - centers[labels[i] * d + j];
    }
    const next = centers.slice();
    let shift = 0;
    const empty: number[] = [];
    for (let c = 0; c < k; c++) {
      if (nk[c] === 0) empty.push(c);
      else
        for (let j = 0; j < d; j++) {
          const dj = sx[c * d + j] / nk[c];
          next[c * d + j] += dj;
          shift += (dj * s) ** 2;
        }
    }
    const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => dmin[b] - dmin[a] || a - b);
    empty.forEach((c, t) => next.set(x.subarray(order[t] * d, (order[t] + 1) * d), c * d));
    centers = next;
    if (empty.length === 0 && shift <= tol) break;
  }
  assign();
  return { centers, labels };
}

describe("Lloyd's iterations with Hamerly's bounds", () => {
  const same = (x: Float64Array, m: number, d: number, init: Float64Array, maxIter: number, tol: number, s: number) => {
    const got = lloydSample(x, m, d, init, maxIter, tol, s);
    const ref = lloydPlain(x, m, d, init, maxIter, tol, s);
    expect(Array.from(got.centers)).toEqual(Array.from(ref.centers));
    expect(Array.from(got.labels)).toEqual(Array.from(ref.labels));
  };

  it('give the centers and labels of measuring every distance, bit for bit, on overlapping and separated data', () => {
    for (const [seed, n, d, k, sep] of [
      [1, 4000, 2, 6, 1.5], // overlapping: tens of iterations, many rows near a boundary
      [2, 3000, 8, 8, 2],
      [3, 2000, 3, 4, 20],
      [4, 1500, 16, 10, 1],
    ]) {
      const { X } = mixture(seed, n, d, k, sep);
      const x = Float64Array.from(X.flat());
      const s = 1 / 64;
      const seeds = seedSample(x, n, d, k, s, new Random(seed));
      same(x, n, d, seeds, 300, 0, s);
      same(x, n, d, seeds, 3, 0, s); // stopped early
      same(x, n, d, seeds, 300, 1e-4, s);
    }
  });

  it('on ties, duplicate rows, coinciding and empty clusters, and one cluster', () => {
    // an integer grid: many rows exactly equidistant from two centers
    const grid = Float64Array.from({ length: 2 * 400 }, (_, t) => (t % 2 === 0 ? Math.floor(t / 40) : (t >> 1) % 20));
    same(grid, 400, 2, Float64Array.of(0, 0, 10, 10, 0, 10, 10, 0), 300, 0, 1 / 32);
    // two identical starting centers: the second gets no row (ties go to the first) and is moved to the farthest row
    same(grid, 400, 2, Float64Array.of(5, 5, 5, 5, 15, 3), 300, 0, 1 / 32);
    same(grid, 400, 2, Float64Array.of(3, 4), 300, 0, 1 / 32);
    // every row the same point
    same(new Float64Array(60).fill(2), 30, 2, Float64Array.of(2, 2, 2, 2), 300, 0, 1 / 4);
  });

  it('agree with the reference on random small integer data (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 24, maxLength: 240 }),
        fc.integer({ min: 0, max: 1000 }),
        (d, k, values, pick) => {
          const m = Math.floor(values.length / d);
          fc.pre(m >= k);
          const x = Float64Array.from(values.slice(0, m * d));
          const init = new Float64Array(k * d);
          for (let c = 0; c < k; c++)
            init.set(x.subarray(((pick + 7 * c) % m) * d, ((pick + 7 * c) % m) * d + d), c * d);
          same(x, m, d, init, 100, 0, 1 / 16);
        },
      ),
      { numRuns: 300, seed: 12 },
    );
  });
});

describe('restarts on the sample', () => {
  // six overlapping clusters in 2-D: one k-means run lands in different local optima for different seeds
  const k = 6;
  const { X } = mixture(21, 2 * sampleSize(k), 2, k, 2.5);
  const x = Float64Array.from(X.flat());
  const n = X.length;
  /** The generator's start, its one request (the sample's rows) answered from x. */
  const start = (seed: number, lloyd: boolean) => {
    const g = sampleKmeans(n, 2, k, lloyd, new Random(seed));
    let step = g.next();
    while (!step.done) {
      const req = step.value as { type: string; rows: number[] };
      expect(req.type).toBe('seed-rows');
      step = g.next(Float64Array.from(req.rows.flatMap((r) => X[r])));
    }
    return step.value;
  };
  /**
   * The restarts sampleKmeans makes, redone by hand from the same draws of the same seed (each k-means++ and Lloyd
   * on its own subsample, its inertia on the whole sample), and the final Lloyd run on the whole sample from the
   * winner's centers.
   */
  const runs = (seed: number) => {
    const rng = new Random(seed);
    const rows = sampleRows(n, sampleSize(k), rng);
    const xs = Float64Array.from(rows.flatMap((r) => X[r]));
    const m = rows.length;
    const mean = [0, 1].map((j) => rows.reduce((a, r) => a + X[r][j], 0) / m);
    const s = start(seed, true).invScale;
    let scaled = 0;
    for (const r of rows) for (let j = 0; j < 2; j++) scaled += ((X[r][j] - mean[j]) * s) ** 2;
    const tol = (SAMPLE_LLOYD_TOL * scaled) / m / 2;
    const restarts = Array.from({ length: SAMPLE_RESTARTS }, () => {
      const sub = subsample(xs, m, 2, k, rng);
      const ms = sub.length / 2;
      const run = lloydSample(sub, ms, 2, seedSample(sub, ms, 2, k, s, rng), 300, tol, s);
      return { centers: run.centers, inertia: lloydSample(xs, m, 2, run.centers, 0, 0, s).inertia };
    });
    const best = restarts.reduce((b, r) => (r.inertia < b.inertia ? r : b));
    return { restarts, best, final: lloydSample(xs, m, 2, best.centers, 300, tol, s).centers };
  };

  it('keep the restart of lowest inertia on the sample and finish it with Lloyd on the whole sample', () => {
    let notFirst = 0;
    let moved = 0;
    for (let seed = 0; seed < 8; seed++) {
      const { restarts, best, final } = runs(seed);
      expect(subsampleSize(k)).toBeLessThan(sampleSize(k)); // the restarts ran on subsamples
      if (best !== restarts[0]) notFirst++;
      if (final.some((v, j) => Math.abs(v - best.centers[j]) > 1e-6)) moved++;
      const got = start(seed, true);
      for (let j = 0; j < got.centers.length; j++) expect(got.centers[j]).toBeCloseTo(final[j], 9);
    }
    expect(notFirst).toBeGreaterThan(0); // not vacuous: a later restart won for some seed
    expect(moved).toBeGreaterThan(0); // and the final run on the whole sample moved the winner's centers
  });

  it("'k-means++' keeps its single seeding", () => {
    const rng = new Random(3);
    const rows = sampleRows(n, sampleSize(k), rng);
    const xs = Float64Array.from(rows.flatMap((r) => X[r]));
    const got = start(3, false);
    const sub = subsample(xs, rows.length, 2, k, rng);
    expect(Array.from(got.centers)).toEqual(Array.from(seedSample(sub, sub.length / 2, 2, k, got.invScale, rng)));
  });

  it("Lloyd's inertia is Σ of the scaled squared distances to the returned centers", () => {
    const m = 500;
    const xs = x.subarray(0, 2 * m);
    const run = lloydSample(xs, m, 2, seedSample(xs, m, 2, k, 0.25, new Random(9)), 300, 0, 0.25);
    let want = 0;
    for (let i = 0; i < m; i++) {
      const c = run.labels[i];
      want += ((xs[2 * i] - run.centers[2 * c]) * 0.25) ** 2 + ((xs[2 * i + 1] - run.centers[2 * c + 1]) * 0.25) ** 2;
    }
    expect(run.inertia).toBeCloseTo(want, 10);
    expect(run.inertia).toBeGreaterThan(0);
  });
});

describe('fit on more rows than the sample', () => {
  const k = 4;
  const { X } = mixture(11, 3 * sampleSize(k), 2, k, 8);

  it('reaches the optimum of the full-data start (which sample weights still take) to 1e-6', () => {
    for (const initParams of ['kmeans', 'k-means++'] as const) {
      const sampled = new GaussianMixture({ nComponents: k, initParams, seed: 2, backend: 'js' }).fit(X);
      const full = new GaussianMixture({ nComponents: k, initParams, seed: 2, backend: 'js' }).fit(X, {
        sampleWeight: new Float64Array(X.length).fill(1),
      });
      expect(sampled.converged).toBe(true);
      expect(sampled.score(X)).toBeGreaterThan(full.score(X) - 1e-6);
    }
  });

  it('is deterministic for a seed', () => {
    const a = new GaussianMixture({ nComponents: k, seed: 4, backend: 'js' }).fit(X);
    const b = new GaussianMixture({ nComponents: k, seed: 4, backend: 'js' }).fit(X);
    expect(Array.from(b.means.flatMap((m) => Array.from(m)))).toEqual(
      Array.from(a.means.flatMap((m) => Array.from(m))),
    );
    expect(b.lowerBound).toBe(a.lowerBound);
  });

  it('draws the same sample from a dense X (read in place) as from arrays of rows: the same fit bit for bit', () => {
    const dense = { data: Float64Array.from(X.flat()), rows: X.length, cols: 2 };
    const a = new GaussianMixture({ nComponents: k, seed: 6, backend: 'js' }).fit(X);
    const b = new GaussianMixture({ nComponents: k, seed: 6, backend: 'js' }).fit(dense);
    expect(b.lowerBound).toBe(a.lowerBound);
    expect(Array.from(b.means.flatMap((m) => Array.from(m)))).toEqual(
      Array.from(a.means.flatMap((m) => Array.from(m))),
    );
  });
});
