#!/usr/bin/env node
/**
 * The JavaScript peer of the per-iteration benchmark in a fresh process: the npm package `gaussian-mixture-model`
 * (a dev dependency of this repository, used only here) on a benchmark case, from the same fixed start as the other
 * engines:
 *   node --expose-gc bench/peer-once.mjs --case n2e5-d8-k8 --iters 5 [--quick] [--no-warmup]
 * Prints one JSON object on stdout in bench/fit-once.mjs's shape, or `{ ok: false, skipped: true, reason }` when the
 * package is not installed.
 *
 * What the package offers, and so how it is driven: `new GMM({ weights, means, covariances, bufferSize })` takes K
 * from `means.length` and needs a start (there is no initialisation of its own); rows are added one at a time
 * (`addPoint(row)`, a JS array each) into a ring buffer of `bufferSize` rows (set to N); `runEM(n)` runs exactly n
 * iterations (no tolerance, no convergence test; full covariance only). Its start is the case's: the weights and
 * means as given, covariances = inverses of the given (diagonal) precisions.
 *
 * Timing: runEM(1) 1 + iters times; each call is one whole EM iteration (E-step, M-step, Cholesky factors and
 * determinants). The first is the warm-up and is dropped; the median of the other `iters` is reported.
 *
 * The package computes no log-likelihood. So that `lowerBounds` means what it means for the other engines (entry i =
 * mean log-likelihood of X under the parameters after i M-steps, which gaussmix and scikit-learn compute in the E-step
 * of iteration i + 1), this script evaluates the mean log-likelihood of X under the package's current weights, means
 * and covariances in float64 (Cholesky, log-sum-exp) before the first iteration and after each one, outside the
 * timed calls.
 */
import { performance } from 'node:perf_hooks';
import { findCase, loadMeta, median, readCheckedX, readX } from './data.mjs';

function parseArgs(argv) {
  const a = { case: null, iters: null, quick: false, warmup: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--case') a.case = argv[++i];
    else if (k === '--iters') a.iters = Number(argv[++i]);
    else if (k === '--quick') a.quick = true;
    else if (k === '--no-warmup') a.warmup = false;
    else throw new Error(`peer-once: unknown argument ${k}`);
  }
  if (!a.case) throw new Error('peer-once: --case is required');
  return a;
}

const kib = () => process.resourceUsage().maxRSS;
const rssKiB = () => Math.round(process.memoryUsage().rss / 1024);

/** The package's start from the case's: covariances are the inverses of the (diagonal) initial precisions. */
function startOf(meta) {
  const covariances = meta.precisionsInit.map((P, j) =>
    P.map((row, r) =>
      row.map((v, q) => {
        if (r !== q && v !== 0) throw new Error(`peer-once: precisionsInit[${j}] is not diagonal`);
        return r === q ? 1 / v : 0;
      }),
    ),
  );
  return { weights: meta.weightsInit.slice(), means: meta.meansInit.map((m) => m.slice()), covariances };
}

/**
 * Mean log-likelihood of the N×D rows of X under (weights, means, covariances), in float64: each covariance
 * factored by Cholesky, log N(x | μ, Σ) = −½(D log 2π + log det Σ + ‖L⁻¹(x − μ)‖²), combined by log-sum-exp.
 * Returns NaN if a covariance is not positive definite (or a parameter is not finite).
 */
function meanLogLikelihood(X, n, d, weights, means, covariances) {
  const k = weights.length;
  const L = [];
  const logNorm = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const S = covariances[j];
    const f = new Float64Array(d * d);
    let logDet = 0;
    for (let r = 0; r < d; r++) {
      for (let q = 0; q <= r; q++) {
        let s = S[r][q];
        for (let t = 0; t < q; t++) s -= f[r * d + t] * f[q * d + t];
        if (r === q) {
          if (!(s > 0)) return Number.NaN;
          f[r * d + r] = Math.sqrt(s);
          logDet += 2 * Math.log(f[r * d + r]);
        } else f[r * d + q] = s / f[q * d + q];
      }
    }
    L.push(f);
    logNorm[j] = Math.log(weights[j]) - 0.5 * (d * Math.log(2 * Math.PI) + logDet);
  }
  const y = new Float64Array(d);
  const lp = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let mx = -Infinity;
    for (let j = 0; j < k; j++) {
      const f = L[j];
      const mu = means[j];
      let m2 = 0;
      for (let r = 0; r < d; r++) {
        let s = X[o + r] - mu[r];
        for (let t = 0; t < r; t++) s -= f[r * d + t] * y[t];
        y[r] = s / f[r * d + r];
        m2 += y[r] * y[r];
      }
      lp[j] = logNorm[j] - 0.5 * m2;
      if (lp[j] > mx) mx = lp[j];
    }
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(lp[j] - mx);
    total += mx + Math.log(s);
  }
  return total / n;
}

/** The rows of X as the package takes them: one JS array per row, added one by one. */
function addRows(gmm, X, n, d) {
  for (let i = 0; i < n; i++) gmm.addPoint(Array.from(X.subarray(i * d, i * d + d)));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let GMM;
  try {
    GMM = (await import('gaussian-mixture-model')).default;
  } catch (e) {
    const reason = `the npm package gaussian-mixture-model is not installed or does not load (${String(e?.message ?? e).split('\n')[0]})`;
    process.stdout.write(`${JSON.stringify({ ok: false, skipped: true, reason })}\n`);
    return;
  }
  const c = findCase(args.case);
  const iters = args.iters ?? (args.quick ? 3 : c.iters.peer);
  if (!(Number.isInteger(iters) && iters >= 1))
    throw new Error(`peer-once: --iters must be an integer ≥ 1; got ${iters}`);
  const coldBase = { maxRSS: kib(), rss: rssKiB() };
  const { meta, xPath, generated } = loadMeta(c, args.quick);
  const { n, d } = meta;

  // Warm-up on the first rows (compiles the hot paths; the same recipe as fit-once's runtime baseline).
  let warmup = null;
  if (args.warmup) {
    const m = Math.min(n, Math.max(2000, 4 * meta.k * d));
    const Xw = readX(xPath, m, d);
    const tw = performance.now();
    const g = new GMM({ ...startOf(meta), bufferSize: m });
    addRows(g, Xw, m, d);
    g.runEM(1 + iters);
    warmup = { rows: m, seconds: (performance.now() - tw) / 1000 };
  }
  globalThis.gc?.();
  const runtimeBase = { maxRSS: kib(), rss: rssKiB() };

  const X = readCheckedX(xPath, meta);
  const tLoad = performance.now();
  const gmm = new GMM({ ...startOf(meta), bufferSize: n });
  addRows(gmm, X, n, d);
  const loadSeconds = (performance.now() - tLoad) / 1000;
  const dataBase = { maxRSS: kib(), rss: rssKiB() };

  const ll = () => meanLogLikelihood(X, n, d, gmm.weights, gmm.means, gmm.covariances);
  const lowerBounds = [ll()];
  const iterSeconds = [];
  const cpuSeconds = [];
  let singular = null;
  for (let it = 0; it <= iters; it++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const s = gmm.runEM(1);
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    if (it > 0) {
      iterSeconds.push((t1 - t0) / 1000);
      cpuSeconds.push((c1.user + c1.system) / 1e6);
    }
    if (s) {
      singular = `runEM reported a singular covariance after iteration ${it + 1}`;
      break;
    }
    if (it < iters) lowerBounds.push(ll()); // after it + 1 M-steps; the last one is not needed for the comparison
  }
  const peak = { maxRSS: kib(), rss: rssKiB() };
  const lowerBound = lowerBounds.at(-1);
  if (singular || !Number.isFinite(lowerBound)) {
    throw new Error(
      `peer-once: ${singular ?? `non-finite mean log-likelihood after ${lowerBounds.length - 1} iterations (${lowerBound})`}`,
    );
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const out = {
    ok: true,
    engine: 'peer',
    backendUsed: 'gaussian-mixture-model',
    case: c.id,
    n,
    d,
    k: meta.k,
    xBytes: X.byteLength,
    iters,
    nIter: 1 + iters,
    timing: 'runEM(1) calls',
    iterSeconds,
    medianSeconds: median(iterSeconds),
    cpuWall: sum(cpuSeconds) / sum(iterSeconds),
    loadSeconds,
    lowerBound,
    lowerBounds,
    warmup,
    rssKiB: { coldBase, runtimeBase, dataBase, peak },
    dataGeneratedInProcess: generated,
    workers: 1,
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(e?.stack ? e.stack : e) })}\n`);
  process.exitCode = 1;
});
