#!/usr/bin/env node
/**
 * The worker speed-up measured in pairs, in one process:
 *   node bench/speedup-once.mjs --case n2e5-d8-k8 [--pairs 7] [--iters 6] [--workers 2] [--quick]
 * Prints one JSON object on stdout.
 *
 * Why: on a shared machine the speed of a core drifts (on this host by up to 1.5× within seconds), so the ratio of
 * two medians taken in separate processes minutes apart (what bench/run.mjs's main table divides) can be off by that
 * much. Here `fit` on one thread and `fitAsync` with `workers` threads run back to back, `pairs` times, on the same
 * data, options and start as bench/fit-once.mjs (fixedStartOptions); each pair gives one ratio (median s/iter of the
 * fit ÷ that of the fitAsync, first iteration of each dropped), and the median of the pairs' ratios is reported. A pair takes well under
 * a second, so both halves see the machine in the same state.
 */
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findCase, fixedStartOptions, loadMeta, median, readCheckedX } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const a = { case: null, pairs: 7, iters: 6, workers: 2, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--case') a.case = argv[++i];
    else if (k === '--pairs') a.pairs = Number(argv[++i]);
    else if (k === '--iters') a.iters = Number(argv[++i]);
    else if (k === '--workers') a.workers = Number(argv[++i]);
    else if (k === '--quick') a.quick = true;
    else throw new Error(`speedup-once: unknown argument ${k}`);
  }
  if (!a.case) throw new Error('speedup-once: --case is required');
  for (const key of ['pairs', 'iters', 'workers']) {
    if (!(Number.isInteger(a[key]) && a[key] >= 1))
      throw new Error(`speedup-once: --${key} must be an integer ≥ 1; got ${a[key]}`);
  }
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const c = findCase(args.case);
  const { GaussianMixture, init } = await import(pathToFileURL(join(here, '..', 'dist', 'index.js')).href);
  if ((await init()) !== 'wasm') throw new Error('speedup-once: the wasm backend did not instantiate on this machine');
  const { meta, xPath } = loadMeta(c, args.quick);
  const X = { data: readCheckedX(xPath, meta), rows: meta.n, cols: meta.d };

  /** Median seconds per iteration of one fit (first iteration dropped), as bench/fit-once.mjs times it. */
  const timed = async (parallel) => {
    const gaps = [];
    let last = null;
    const gm = new GaussianMixture(
      fixedStartOptions(meta, {
        maxIter: 1 + args.iters,
        backend: 'wasm',
        onIteration: () => {
          const t = performance.now();
          if (last !== null) gaps.push((t - last) / 1000);
          last = t;
        },
      }),
    );
    if (parallel) await gm.fitAsync(X, { workers: args.workers });
    else gm.fit(X);
    return { seconds: median(gaps), lowerBound: gm.lowerBound };
  };

  await timed(false); // warm-up: JIT, heaps
  await timed(true);
  const pairs = [];
  for (let i = 0; i < args.pairs; i++) {
    // alternate which half goes first, so a drift within a pair does not always favour the same side
    const first = i % 2 === 0;
    const a = first ? await timed(false) : null;
    const b = await timed(true);
    const one = a ?? (await timed(false));
    pairs.push({
      single: one.seconds,
      parallel: b.seconds,
      ratio: one.seconds / b.seconds,
      lowerBounds: [one.lowerBound, b.lowerBound],
    });
  }
  // a timing of a broken run is worthless: both engines must reach the same bound (they differ only by rounding)
  for (const p of pairs) {
    const [a, b] = p.lowerBounds;
    if (!(Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(a))))
      throw new Error(`fit and fitAsync disagree: lower bounds ${a} and ${b}`);
  }
  const out = {
    ok: true,
    case: c.id,
    n: meta.n,
    d: meta.d,
    k: meta.k,
    workers: args.workers,
    iters: args.iters,
    pairs,
    medianRatio: median(pairs.map((p) => p.ratio)),
    minRatio: Math.min(...pairs.map((p) => p.ratio)),
    maxRatio: Math.max(...pairs.map((p) => p.ratio)),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(e?.stack ? e.stack : e) })}\n`);
  process.exitCode = 1;
});
