#!/usr/bin/env node
/**
 * Where EM ends from mclust's hierarchical start ('hc') versus k-means starts, for each of mclust's fourteen models on
 * the data sets of the mclust fixture (Old Faithful K = 2 and 3, iris K = 3, diabetes K = 3, banknote K = 2):
 *   node bench/hc-vs-kmeans.mjs        (after `npm run build`)
 * EM runs to convergence (tol 1e-10 on the mean log-likelihood, maxIter 2000, regCovar 1e-6) from 'hc' (one start,
 * deterministic), from k-means with seed 0 (one start) and the best of k-means with nInit 10. Reported: the final
 * total log-likelihood of each, and counts of where hc is better / equal (within 1e-6) / worse than each k-means
 * variant. A measurement of local optima, not of time; prints a markdown table.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { GaussianMixture, MCLUST_TYPES } = await import(pathToFileURL(join(here, '..', 'dist', 'index.js')).href);
process.removeAllListeners('warning');

function readCsv(name) {
  const lines = readFileSync(join(here, '..', 'data', `${name}.csv`), 'utf8')
    .trim()
    .split(/\r?\n/);
  const keep = lines[0].split(',').map((h) => h.replace(/"/g, '').trim() !== 'species');
  return lines.slice(1).map((l) =>
    l
      .split(',')
      .filter((_, j) => keep[j])
      .map(Number),
  );
}

const cases = [
  ['faithful', 2],
  ['faithful', 3],
  ['iris', 3],
  ['diabetes', 3],
  ['banknote', 2],
];
const base = { tol: 1e-10, maxIter: 2000, regCovar: 1e-6 };
const loglik = (o, X) => {
  try {
    return new GaussianMixture({ ...base, ...o }).fit(X).score(X) * X.length;
  } catch {
    return Number.NaN; // a degenerate fit from this start
  }
};
const cmp = (a, b) =>
  Number.isNaN(a)
    ? Number.isNaN(b)
      ? 0
      : -1
    : Number.isNaN(b)
      ? 1
      : Math.abs(a - b) <= 1e-6 * Math.abs(b)
        ? 0
        : a > b
          ? 1
          : -1;
const tally = { one: [0, 0, 0], best: [0, 0, 0] };
const rows = [];
for (const [name, k] of cases) {
  const X = readCsv(name);
  for (const model of MCLUST_TYPES) {
    const o = { nComponents: k, covarianceType: model };
    const hc = loglik({ ...o, initParams: 'hc' }, X);
    const km1 = loglik({ ...o, initParams: 'kmeans', seed: 0 }, X);
    const km10 = loglik({ ...o, initParams: 'kmeans', seed: 0, nInit: 10 }, X);
    tally.one[1 - cmp(hc, km1)]++;
    tally.best[1 - cmp(hc, km10)]++;
    const f = (v) => (Number.isNaN(v) ? 'failed' : v.toFixed(3));
    rows.push(`| ${name} K=${k} | ${model} | ${f(hc)} | ${f(km1)} | ${f(km10)} |`);
  }
}
console.log(`Final log-likelihood from each start (node ${process.version})\n`);
console.log('| data | model | hc | k-means (1 start) | k-means (best of 10) |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
const say = (t) => `hc better ${t[0]}, equal ${t[1]}, worse ${t[2]}`;
console.log(
  `\nvs k-means, 1 start: ${say(tally.one)}; vs the best of 10 k-means starts: ${say(tally.best)} (of ${rows.length})`,
);
