#!/usr/bin/env node
/**
 * The cost of missing values (issue 16): EM seconds per iteration on the same synthetic mixture with no, 10% and
 * 30% of the entries missing (each entry independently, never a whole row), with missing: 'marginalize', relative
 * to the complete data — and complete data under 'marginalize' against the default, which must cost nothing (rows
 * without a NaN take the kernels' path unchanged; the lower bounds must be bit-identical).
 *
 *   node bench/missing.mjs            # after `npm run build`; markdown on stdout, progress on stderr
 *   node bench/missing.mjs --quick    # tiny N, 2 timed iterations: a smoke test
 *
 * One process, configurations interleaved round by round (a shared host's speed drifts, so each ratio divides times
 * taken close together); fixed start (bench/data.mjs), tol 0, the first iteration dropped as warm-up, medians of the
 * timed iterations pooled over the rounds, after an untimed warm-up of every configuration on the first rows. npm run bench (bench/run.mjs) appends this table to its report.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fixedStartOptions, generateCase, makeRng, median, SEED } from './data.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const CASES = [
  { id: 'n2e5-d2-k4', n: 200_000, d: 2, k: 4, quickN: 5_000 },
  { id: 'n5e4-d8-k8', n: 50_000, d: 8, k: 8, quickN: 2_000 },
];
const RATES = [0.1, 0.3];
const ENGINES = ['wasm', 'js'];
const ITERS = quick ? 2 : 5;
const ROUNDS = quick ? 1 : 3;
const log = (s) => process.stderr.write(`${s}\n`);

/** X with each entry missing with probability `rate` (a row that lost every entry keeps one at random). */
function withHoles(X, n, d, rate, seed) {
  const rng = makeRng(seed);
  const out = X.slice();
  let holes = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    let lost = 0;
    for (let j = 0; j < d; j++) {
      if (rng.random() < rate) {
        out[i * d + j] = Number.NaN;
        lost++;
      }
    }
    if (lost === d) {
      const j = Math.floor(rng.random() * d);
      out[i * d + j] = X[i * d + j];
      lost--;
    }
    holes += lost;
    if (lost > 0) rows++;
  }
  return { X: out, share: holes / (n * d), rowShare: rows / n };
}

/** Seconds per timed iteration of one fit (gaps between onIteration calls after the first) and the lower bounds. */
function time(GaussianMixture, meta, X, n, d, backend, missing) {
  const stamps = [];
  const lowerBounds = [];
  const o = fixedStartOptions(meta, {
    maxIter: ITERS + 1,
    backend,
    onIteration: (i) => {
      stamps.push(performance.now());
      lowerBounds.push(i.lowerBound);
    },
  });
  new GaussianMixture({ ...o, missing }).fit({ data: X, rows: n, cols: d });
  return { seconds: stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000), lowerBounds };
}

const fmtS = (s) => (s >= 1 ? s.toFixed(2) : s >= 0.01 ? s.toFixed(3) : s.toFixed(4));

async function main() {
  process.removeAllListeners('warning'); // tol 0 never converges: the warnings are expected
  process.on('warning', (w) => w.name !== 'GaussianMixtureWarning' && log(`${w.name}: ${w.message}`));
  const entry = join(root, 'dist', 'index.js');
  if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run build` first');
  const { GaussianMixture } = await import(pathToFileURL(entry).href);
  const rows = [];
  for (const c of CASES) {
    const n = quick ? c.quickN : c.n;
    const { X, weightsInit, meansInit, precisionsInit } = generateCase(c, n, SEED);
    const meta = { k: c.k, weightsInit, meansInit, precisionsInit };
    const data = [
      { label: 'complete', X, missing: 'error', share: 0, rowShare: 0 },
      { label: "complete, 'marginalize'", X, missing: 'marginalize', share: 0, rowShare: 0 },
      ...RATES.map((rate, t) => ({
        label: `${rate * 100}% missing`,
        missing: 'marginalize',
        ...withHoles(X, n, c.d, rate, SEED + 1 + t),
      })),
    ];
    for (const engine of ENGINES) {
      // warm-up: every configuration once on the first rows, so the JIT has compiled both paths before timing
      const m = Math.min(n, 2000);
      for (const v of data) time(GaussianMixture, meta, v.X.subarray(0, m * c.d), m, c.d, engine, v.missing);
      const seconds = data.map(() => []);
      const bounds = [];
      for (let round = 0; round < ROUNDS; round++) {
        data.forEach((v, i) => {
          const r = time(GaussianMixture, meta, v.X, n, c.d, engine, v.missing);
          seconds[i].push(...r.seconds);
          bounds[i] = r.lowerBounds;
        });
      }
      const med = seconds.map(median);
      const same = bounds[0].length === bounds[1].length && bounds[0].every((v, i) => v === bounds[1][i]);
      rows.push({ c, n, engine, data, med, same });
      log(
        `missing ${c.id} ${engine}: ${data.map((v, i) => `${v.label} ${fmtS(med[i])} s`).join(', ')}; complete data bit-identical: ${same}`,
      );
    }
  }
  const L = [];
  L.push("### Missing values (missing: 'marginalize', issue 16)");
  L.push('');
  L.push(
    `Full-covariance EM from the fixed start of bench/data.mjs, tol 0, seconds per iteration (median of ${ITERS} timed iterations × ${ROUNDS} interleaved rounds in one process; ` +
      'ratios to the complete data in the same run). Entries are removed independently at the given rate (never a whole row). ' +
      "Rows without a NaN take the kernels' path; rows with one take the exact missing-value path (plain JavaScript on both backends, " +
      'one Σ_OO factorisation per component and missingness pattern per pass). "complete, \'marginalize\'" is the complete data under the option: ' +
      'it must cost nothing and give bit-identical lower bounds.',
  );
  L.push('');
  L.push(
    "| case | engine | complete s/iter | complete, 'marginalize' | bit-identical | 10% missing (rows with a NaN) | 30% missing (rows with a NaN) |",
  );
  L.push('|---|---|---:|---:|:---:|---:|---:|');
  for (const r of rows) {
    const cell = (i) => `${fmtS(r.med[i])} (${(r.med[i] / r.med[0]).toFixed(2)}×)`;
    const holes = (i) => `${cell(i)} (${(100 * r.data[i].rowShare).toFixed(0)}%)`;
    L.push(
      `| ${r.c.id}${quick ? ` (N=${r.n})` : ''} | ${r.engine} | ${fmtS(r.med[0])} | ${cell(1)} | ${r.same ? '✓' : '**✗**'} | ${holes(2)} | ${holes(3)} |`,
    );
  }
  L.push('');
  process.stdout.write(`${L.join('\n')}\n`);
  if (rows.some((r) => !r.same)) {
    log("✗ complete data under 'marginalize' did not give bit-identical lower bounds");
    process.exitCode = 2;
  }
}

main().catch((e) => {
  log(e?.stack ?? String(e));
  process.exitCode = 1;
});
