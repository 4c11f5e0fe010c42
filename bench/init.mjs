#!/usr/bin/env node
/**
 * Initialisation benchmark: how long the default start (k-means: k-means++ seeding, then Lloyd) takes before the first
 * EM iteration, for `fit` and for `fitAsync` with 2 workers, in one process, runs alternating:
 *   node bench/init.mjs [--runs 3]        (after `npm run build`)
 *
 * Cases: the benchmark's well-separated n1e6-d2-k4 data (bench/data.mjs; k-means converges in a few iterations) and
 * 10⁶ rows from 6 overlapping clusters fitted with K = 8 (k-means needs tens of Lloyd iterations). Reported: the median
 * over the runs of the time from the call to the first onIteration (initialisation plus one EM iteration; for fitAsync
 * also copying X and, when its pool has no idle workers, starting them), and of the whole fit with maxIter 5.
 * fitAsync runs twice per round: "cold" after terminateIdleWorkers() (new threads, kernels compiled in each), then
 * "warm" with the workers the cold run left in the pool. Prints a markdown table.
 */
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findCase, loadMeta, median, readCheckedX } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
if (!(Number.isInteger(RUNS) && RUNS >= 1)) throw new Error(`--runs must be an integer ≥ 1; got ${argv[runsAt + 1]}`);

const { GaussianMixture, init, terminateIdleWorkers } = await import(
  pathToFileURL(join(here, '..', 'dist', 'index.js')).href
);
if ((await init()) !== 'wasm') throw new Error('bench/init: the wasm backend did not instantiate');

/** 10⁶ rows, 2 features, 6 unit-variance clusters 0.8 apart along the diagonal (fixed LCG seed). */
function overlapping() {
  const n = 1_000_000;
  const d = 2;
  const data = new Float64Array(n * d);
  let s = 7;
  const u = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * 6);
    for (let j = 0; j < d; j++)
      data[i * d + j] = c * 0.8 + Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  }
  return { data, rows: n, cols: d };
}

const separated = (() => {
  const { meta, xPath } = loadMeta(findCase('n1e6-d2-k4'), false);
  return { X: { data: readCheckedX(xPath, meta), rows: meta.n, cols: meta.d }, k: meta.k };
})();
const cases = [
  { id: 'n1e6-d2, 4 well-separated clusters, K=4', ...separated },
  { id: 'n1e6-d2, 6 overlapping clusters, K=8', X: overlapping(), k: 8 },
];

const rows = [];
for (const c of cases) {
  const t = { fit: { first: [], total: [] }, cold: { first: [], total: [] }, warm: { first: [], total: [] } };
  let iters = 0;
  for (let r = 0; r < RUNS + 1; r++) {
    for (const mode of r % 2 ? ['cold', 'warm', 'fit'] : ['fit', 'cold', 'warm']) {
      if (mode === 'cold') await terminateIdleWorkers();
      let first = null;
      const t0 = performance.now();
      const gm = new GaussianMixture({
        nComponents: c.k,
        seed: 1,
        maxIter: 5,
        onIteration: () => {
          if (first === null) first = performance.now() - t0;
        },
      });
      if (mode === 'fit') gm.fit(c.X);
      else await gm.fitAsync(c.X, { workers: 2 });
      const total = performance.now() - t0;
      iters = gm.nIter;
      if (r === 0) continue; // warm-up round
      t[mode].first.push(first / 1000);
      t[mode].total.push(total / 1000);
    }
  }
  rows.push({ id: c.id, t, iters });
  process.stderr.write(`${c.id}: done\n`);
}

const f = (v) => `${v.toFixed(2)} s`;
const out = [
  `Initialisation (default k-means start), median of ${RUNS} alternating runs after a warm-up round — Node ${process.version}`,
  '',
  '| data | fit: to 1st iteration | fitAsync ×2 cold / warm: to 1st iteration | fit: whole (maxIter 5) | fitAsync ×2 cold / warm: whole | EM iterations |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.id} | ${f(median(r.t.fit.first))} | ${f(median(r.t.cold.first))} / ${f(median(r.t.warm.first))} | ` +
      `${f(median(r.t.fit.total))} | ${f(median(r.t.cold.total))} / ${f(median(r.t.warm.total))} | ${r.iters} |`,
  ),
];
console.log(out.join('\n'));
await terminateIdleWorkers();
