#!/usr/bin/env node
/**
 * One benchmark measurement in a fresh process, so that peak RSS belongs to this one configuration:
 *   node --expose-gc bench/fit-once.mjs --case n2e5-d8-k8 --backend wasm|js|async2 [--iters 5] [--quick]
 *        [--workers 2] [--no-warmup] [--scale 4] [--shared-x]
 * --scale fits scale·N rows (the memory benchmark); --shared-x reads X into a SharedArrayBuffer (async2 only),
 * which fitAsync's workers read in place instead of a copy.
 * Prints one JSON object on stdout (diagnostics go to stderr).
 *
 * Timing: the fit runs with tol = 0 and maxIter = 1 + iters from the case's fixed start. onIteration fires
 * after every iteration's M-step; the gaps between consecutive callbacks are whole EM iterations (E-pass +
 * M-step + driver overhead). The first iteration also contains setup (workspace, wasm heap growth, worker
 * start-up and data transfer for fitAsync), so it is the warm-up and is dropped: `iters` gaps remain, and their
 * median is reported.
 *
 * Memory (KiB; `rss` = current resident set, `maxRSS` = process.resourceUsage's high-water mark, whole process
 * including worker threads), sampled
 *   - coldBase:    after Node start-up, importing the built package and compiling the wasm backend;
 *   - runtimeBase: after a warm-up fit of the same configuration on the first few thousand rows, then GC
 *                  (run with --expose-gc) — heaps grown to working size, JIT done: memory that does not depend on N;
 *   - dataBase:    after reading X (exactly N·D·8 bytes into one Float64Array);
 *   - peak:        after the fit (maxRSS).
 * peak.maxRSS − runtimeBase.rss, divided by X's size, answers "peak RSS ≤ 2×X + a fixed runtime baseline"
 * (X itself accounts for 1×). maxRSS never decreases, so this can only overstate the fit's memory.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { findCase, fixedStartOptions, loadMeta, median, readCheckedX, readX } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const a = {
    case: null,
    backend: 'wasm',
    iters: null,
    quick: false,
    workers: 2,
    warmup: true,
    scale: 1,
    sharedX: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--case') a.case = argv[++i];
    else if (k === '--backend') a.backend = argv[++i];
    else if (k === '--iters') a.iters = Number(argv[++i]);
    else if (k === '--workers') a.workers = Number(argv[++i]);
    else if (k === '--scale') a.scale = Number(argv[++i]);
    else if (k === '--shared-x') a.sharedX = true;
    else if (k === '--quick') a.quick = true;
    else if (k === '--no-warmup') a.warmup = false;
    else throw new Error(`fit-once: unknown argument ${k}`);
  }
  if (!a.case) throw new Error('fit-once: --case is required');
  if (!['wasm', 'js', 'async2'].includes(a.backend))
    throw new Error(`fit-once: --backend must be wasm, js or async2; got ${a.backend}`);
  if (a.sharedX && a.backend !== 'async2') throw new Error('fit-once: --shared-x only applies to --backend async2');
  if (!(Number.isInteger(a.scale) && a.scale >= 1))
    throw new Error(`fit-once: --scale must be an integer ≥ 1; got ${a.scale}`);
  return a;
}

const kib = () => process.resourceUsage().maxRSS;
const rssKiB = () => Math.round(process.memoryUsage().rss / 1024);

/** Row count of the warm-up fit: small, but enough rows per component for well-posed D×D covariances. */
export const warmupRows = (n, d, k) => Math.min(n, Math.max(2000, 4 * k * d));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const c = findCase(args.case);
  const iters = args.iters ?? (args.quick ? 3 : c.iters[args.backend]);
  if (!(Number.isInteger(iters) && iters >= 1))
    throw new Error(`fit-once: --iters must be an integer ≥ 1; got ${iters}`);

  const entry = join(here, '..', 'dist', 'index.js');
  // Which build was measured (the orchestrator flags a run whose children saw different builds).
  const distHash = createHash('sha256').update(readFileSync(entry)).digest('hex').slice(0, 12);
  const { GaussianMixture, init } = await import(pathToFileURL(entry).href);
  if (args.backend !== 'js') {
    const got = await init();
    if (got !== 'wasm') throw new Error('fit-once: the wasm backend did not instantiate on this machine');
  }
  const isAsync = args.backend === 'async2';
  if (isAsync && typeof GaussianMixture.prototype.fitAsync !== 'function') {
    process.stdout.write(
      `${JSON.stringify({ ok: false, skipped: true, reason: 'GaussianMixture.prototype.fitAsync is not there (yet)' })}\n`,
    );
    return;
  }
  const coldBase = { maxRSS: kib(), rss: rssKiB() };
  const { meta, xPath, generated } = loadMeta(c, args.quick, args.scale);

  const options = (maxIter, onIteration) =>
    fixedStartOptions(meta, { maxIter, backend: args.backend === 'js' ? 'js' : 'wasm', onIteration });
  const runFit = (gm, input) => (isAsync ? gm.fitAsync(input, { workers: args.workers }) : gm.fit(input));

  // Warm-up: the same fit on the first rows only. It compiles the hot paths and lets the runtime grow its heaps
  // to their working size, which does not depend on N; the RSS after it (garbage collected) is the "fixed
  // runtime baseline" that X and the fit's N-dependent memory are measured against.
  let warmup = null;
  if (args.warmup) {
    const m = warmupRows(meta.n, meta.d, meta.k);
    const Xw = readX(xPath, m, meta.d);
    const tw = performance.now();
    try {
      await runFit(new GaussianMixture(options(1 + iters, null)), { data: Xw, rows: m, cols: meta.d });
      warmup = { rows: m, seconds: (performance.now() - tw) / 1000 };
    } catch (e) {
      warmup = { rows: m, error: String(e?.message ? e.message : e) };
    }
  }
  globalThis.gc?.();
  const runtimeBase = { maxRSS: kib(), rss: rssKiB() };

  const X = readCheckedX(xPath, meta, args.sharedX);
  const dataBase = { maxRSS: kib(), rss: rssKiB() };

  const stamps = [];
  const cpuStamps = [];
  const lowerBounds = [];
  const gm = new GaussianMixture(
    options(1 + iters, ({ lowerBound }) => {
      stamps.push(performance.now());
      const u = process.cpuUsage(); // whole process, worker threads included
      cpuStamps.push((u.user + u.system) / 1e6);
      lowerBounds.push(lowerBound);
    }),
  );
  const input = { data: X, rows: meta.n, cols: meta.d };
  let timing = 'onIteration gaps';
  const t0 = performance.now();
  await runFit(gm, input);
  const t1 = performance.now();
  const peak = { maxRSS: kib(), rss: rssKiB() };

  let gaps = [];
  for (let i = 1; i < stamps.length; i++) gaps.push((stamps[i] - stamps[i - 1]) / 1000);
  // CPU seconds over wall seconds of the timed iterations: the average number of cores the fit kept busy. A
  // single-threaded engine well below 1 was descheduled (other load on the machine).
  const cpuWall = stamps.length > 1 ? (cpuStamps.at(-1) - cpuStamps[0]) / ((stamps.at(-1) - stamps[0]) / 1000) : null;
  if (stamps.length !== 1 + iters) {
    // A driver that does not report every iteration through onIteration: fall back to whole-fit time over all
    // iterations (warm-up included, so this overstates the per-iteration time slightly) and say so.
    timing = `whole fit / ${1 + iters} (onIteration fired ${stamps.length}×)`;
    gaps = [(t1 - t0) / 1000 / (1 + iters)];
  }

  // Consume the result: the final lower bound and a checksum of the fitted means must be finite.
  const lowerBound = gm.lowerBound;
  let meanSum = 0;
  for (const mu of gm.means) for (const v of mu) meanSum += v;
  if (!Number.isFinite(lowerBound) || !Number.isFinite(meanSum))
    throw new Error(`fit-once: non-finite result (lowerBound ${lowerBound})`);

  const out = {
    ok: true,
    engine: args.backend,
    backendUsed: gm.backend,
    case: c.id,
    n: meta.n,
    d: meta.d,
    k: meta.k,
    xBytes: X.byteLength,
    iters,
    nIter: gm.nIter,
    timing,
    iterSeconds: gaps,
    medianSeconds: median(gaps),
    cpuWall,
    firstIterSeconds: stamps.length ? (stamps[0] - t0) / 1000 : null,
    fitSeconds: (t1 - t0) / 1000,
    lowerBound,
    lowerBounds,
    meanSum,
    warmup,
    rssKiB: { coldBase, runtimeBase, dataBase, peak },
    dataGeneratedInProcess: generated, // true would inflate RSS: run.mjs generates beforehand
    workers: isAsync ? args.workers : 1,
    node: process.version,
    distHash,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(e?.stack ? e.stack : e) })}\n`);
  process.exitCode = 1;
});
