#!/usr/bin/env node
/**
 * The numbers behind README's "missing at random" claim: data drawn from a known two-component mixture in three
 * dimensions, x₂ missing with probability σ(1.5·x₀ − 3) (x₀ is always observed: missing at random, not completely at
 * random) and x₁ with probability 0.2; the largest absolute error over weights, means and covariance entries of
 *   - exact EM on the observed entries (missing: 'marginalize'), and
 *   - EM after filling each NaN with its column's observed mean,
 * averaged over three draws per N. The mixture and the missingness are those of test/unit/api/missing-values.test.ts
 * (which checks N = 1000 and 16 000 on two draws of its own). Run after `npm run build`:
 *   node scripts/missing-recovery.mjs      (prints a markdown table; ~20 s)
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'index.js');
if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run build` first');
const { GaussianMixture } = await import(pathToFileURL(entry).href);
process.removeAllListeners('warning');

const WEIGHTS = [0.4, 0.6];
const MEANS = [
  [0, 0, 0],
  [4, 3, -2],
];
const FACTORS = [
  [
    [1, 0, 0],
    [0.6, 0.8, 0],
    [-0.3, 0.4, 0.7],
  ],
  [
    [0.8, 0, 0],
    [-0.5, 0.9, 0],
    [0.2, 0.3, 0.6],
  ],
];

/** mulberry32: a small seeded generator (uniform), with Box–Muller normals. */
function rng(seed) {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return { random, normal };
}

function draw(seed, n) {
  const r = rng(seed);
  let holes = 0;
  const X = Array.from({ length: n }, () => {
    const c = r.random() < WEIGHTS[0] ? 0 : 1;
    const z = [r.normal(), r.normal(), r.normal()];
    const x = MEANS[c].map((m, a) => m + FACTORS[c][a].reduce((s, f, b) => s + f * z[b], 0));
    if (r.random() < 1 / (1 + Math.exp(-(1.5 * x[0] - 3)))) x[2] = Number.NaN;
    if (r.random() < 0.2) x[1] = Number.NaN;
    holes += x.filter(Number.isNaN).length;
    return x;
  });
  return { X, share: holes / (3 * n) };
}

function error(gm) {
  const means = gm.means;
  const cov = gm.covariances;
  const order = means[0][0] < means[1][0] ? [0, 1] : [1, 0];
  let e = 0;
  order.forEach((c, t) => {
    const L = FACTORS[t];
    e = Math.max(e, Math.abs(gm.weights[c] - WEIGHTS[t]));
    for (let i = 0; i < 3; i++) {
      e = Math.max(e, Math.abs(means[c][i] - MEANS[t][i]));
      for (let j = 0; j < 3; j++)
        e = Math.max(e, Math.abs(cov[c][i][j] - L[i].reduce((s, v, b) => s + v * L[j][b], 0)));
    }
  });
  return e;
}

console.log('| N | missing entries | exact EM (marginalize) | EM after mean imputation |');
console.log('|---:|---:|---:|---:|');
for (const n of [500, 2000, 8000, 32000]) {
  let em = 0;
  let mi = 0;
  let share = 0;
  const seeds = [1, 2, 3];
  for (const seed of seeds) {
    const { X, share: s } = draw(seed * 1000 + n, n);
    share += s / seeds.length;
    const o = { nComponents: 2, tol: 1e-6, maxIter: 500, seed };
    em += error(new GaussianMixture({ ...o, missing: 'marginalize' }).fit(X)) / seeds.length;
    const mean = [0, 1, 2].map((j) => {
      const v = X.map((r) => r[j]).filter((x) => !Number.isNaN(x));
      return v.reduce((a, b) => a + b, 0) / v.length;
    });
    mi +=
      error(new GaussianMixture(o).fit(X.map((r) => r.map((v, j) => (Number.isNaN(v) ? mean[j] : v))))) / seeds.length;
  }
  console.log(`| ${n} | ${(100 * share).toFixed(1)}% | ${em.toFixed(3)} | ${mi.toFixed(3)} |`);
}
