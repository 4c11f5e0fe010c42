#!/usr/bin/env node
/**
 * One engine of the end-to-end benchmark in a fresh process (run by bench/e2e.mjs with the Node binary to measure):
 *   node bench/e2e-once.mjs --case sep-d8 [--seeds 0,1,2,3] [--reps 3]
 * gaussmix: `new GaussianMixture({ nComponents: K, seed }).fit(X)` with every other option at its default (a `select`
 * case: `selectModel(X, { nComponents: ks, criterion: 'bic', seed })`). After one untimed warm-up fit on the first
 * 20 000 rows, each seed is fitted `reps` times; its time is the median. Prints one JSON object: per seed the seconds,
 * the mean log-likelihood of X under the fit (score) and the iterations.
 */
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, readX } from './data.mjs';
import { E2E_CASES, ensureE2E } from './e2e-data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};

async function main() {
  const c = E2E_CASES.find((x) => x.id === arg('case'));
  if (!c) throw new Error(`e2e-once: --case must be one of ${E2E_CASES.map((x) => x.id).join(', ')}`);
  const seeds = arg('seeds', '0,1,2,3').split(',').map(Number);
  const reps = Number(arg('reps', '3'));
  const { xPath, meta } = ensureE2E(c);
  const { GaussianMixture, selectModel, init } = await import(pathToFileURL(join(here, '..', 'dist', 'index.js')).href);
  await init();
  const data = readX(xPath, meta.n, meta.d);
  const X = { data, rows: meta.n, cols: meta.d };
  const warm = { data: data.subarray(0, 20_000 * meta.d), rows: 20_000, cols: meta.d };
  const run = (input, seed) =>
    c.kind === 'select'
      ? selectModel(input, { nComponents: c.ks, criterion: 'bic', seed })
      : new GaussianMixture({ nComponents: c.k, seed }).fit(input);
  run(warm, 0);
  const out = [];
  for (const seed of seeds) {
    const times = [];
    let r;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      r = run(X, seed);
      times.push((performance.now() - t0) / 1000);
    }
    if (c.kind === 'select') {
      out.push({
        seed,
        seconds: median(times),
        best: `${r.best.nComponents} ${r.best.covarianceType}`,
        bic: r.best.score,
        score: r.model.score(X),
      });
    } else {
      out.push({ seed, seconds: median(times), score: r.score(X), nIter: r.nIter, kernels: r.kernels });
    }
  }
  process.stdout.write(`${JSON.stringify({ ok: true, case: c.id, node: process.version, seeds: out })}\n`);
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(e?.stack ?? e) })}\n`);
  process.exitCode = 1;
});
