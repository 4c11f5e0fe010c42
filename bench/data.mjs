/**
 * Benchmark cases and their data: synthetic Gaussian mixtures from a fixed seed, written once per case to
 * `os.tmpdir()/gaussmix-bench/` as raw little-endian float64 (N×D, row-major) plus a JSON file holding the
 * fixed start (weightsInit, meansInit, precisionsInit in scikit-learn's shapes). Every engine — wasm, js,
 * fitAsync, scikit-learn — reads these same two files, so all of them fit exactly the same data from exactly
 * the same start.
 *
 * Files are keyed by (case, N, seed, GENERATOR_VERSION); a run regenerates a case only when its files are
 * missing or their recorded checksum does not match, so repeated runs reuse them.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bump when the generator changes, so stale files in the temp dir are not reused. */
export const GENERATOR_VERSION = 1;
export const SEED = 20240601;
export const DATA_DIR = join(tmpdir(), 'gaussmix-bench');

/**
 * The cases of issue 3 (full covariance). `iters` = timed EM iterations per engine (after one warm-up
 * iteration); chosen so the whole `npm run bench` stays well under 15 minutes on a 2-core machine, with at
 * least 3 timed iterations for the slowest engine (js at large D). Measured in November 2026 on the 2-core
 * machine: js at D=64 ≈ 2.5 s/iteration, everything else ≤ 0.5 s, so a full run takes a few minutes.
 * `quickN` is the tiny N used by `--quick` (smoke test, < 60 s in total).
 * `peer` = timed iterations of the npm package gaussian-mixture-model (bench/peer-once.mjs), only where it can do the
 * job: ≈ 1.3 s/iteration at D = 2 and ≈ 10 s at D = 8 (pure JS, a D×D inverse per row and component), hence 5 at
 * D = 8; none at D = 32 and 64, where from this start some rows' densities under every component fall below float32's
 * range (its E-step stores them in a Float32Array), 1/0 makes their responsibilities NaN, and so its parameters.
 */
export const CASES = [
  {
    id: 'n1e6-d2-k4',
    n: 1_000_000,
    d: 2,
    k: 4,
    iters: { wasm: 15, js: 9, async2: 15, sklearn: 9, peer: 9 },
    quickN: 20_000,
  },
  {
    id: 'n2e5-d8-k8',
    n: 200_000,
    d: 8,
    k: 8,
    iters: { wasm: 15, js: 9, async2: 15, sklearn: 9, peer: 5 },
    quickN: 5_000,
  },
  { id: 'n1e5-d32-k8', n: 100_000, d: 32, k: 8, iters: { wasm: 11, js: 5, async2: 11, sklearn: 9 }, quickN: 2_000 },
  { id: 'n2e4-d64-k16', n: 20_000, d: 64, k: 16, iters: { wasm: 11, js: 5, async2: 11, sklearn: 9 }, quickN: 2_000 },
];

export function findCase(id) {
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error(`unknown case '${id}'; known: ${CASES.map((x) => x.id).join(', ')}`);
  return c;
}

/**
 * Paths of a case's data (.f64) and start (.json) files. `scale` multiplies N (the memory benchmark fits N and 4N
 * rows to separate memory that grows with X from memory that does not); `quick` takes the tiny quickN instead.
 */
export function casePaths(c, quick, scale = 1) {
  const n = quick ? c.quickN : c.n * scale;
  const stem = `${c.id}-n${n}-s${SEED}-v${GENERATOR_VERSION}`;
  return { n, xPath: join(DATA_DIR, `${stem}.f64`), metaPath: join(DATA_DIR, `${stem}.json`) };
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 32-bit state words, good statistical quality,
 * trivially portable; seeded through splitmix32 so any integer seed works.
 */
export function makeRng(seed) {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(),
    b = splitmix(),
    c = splitmix(),
    d = splitmix();
  const u32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  /** Uniform in [0, 1) with 53 random bits. */
  const random = () => ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
  let spare = NaN;
  /** Standard normal (Box–Muller; caches the second value). */
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    let u = 0;
    while (u === 0) u = random();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * random();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return { random, normal };
}

/**
 * Draws N rows from a K-component full-covariance mixture: means uniform in [−6, 6]^D, covariance A·Aᵀ with
 * A lower-triangular (diagonal in [0.5, 1.5], off-diagonal N(0, 0.15²)), unequal weights; rows interleaved.
 * The fixed start: uniform weights, means = K data rows at evenly spaced indices, precision = diag(1/var_j)
 * of the whole data set for every component — a plain, non-degenerate start that both libraries accept.
 */
export function generateCase(c, n, seed = SEED) {
  const { d, k } = c;
  const rng = makeRng(seed ^ (d * 7919 + k * 104729 + n));
  const means = [];
  const factors = [];
  const w = [];
  for (let j = 0; j < k; j++) {
    means.push(Float64Array.from({ length: d }, () => -6 + 12 * rng.random()));
    const A = new Float64Array(d * d);
    for (let r = 0; r < d; r++) {
      for (let q = 0; q < r; q++) A[r * d + q] = 0.15 * rng.normal();
      A[r * d + r] = 0.5 + rng.random();
    }
    factors.push(A);
    w.push(0.5 + rng.random());
  }
  const wsum = w.reduce((a, b) => a + b, 0);
  const cdf = [];
  let acc = 0;
  for (const v of w) cdf.push((acc += v / wsum));
  const X = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const u = rng.random();
    let comp = 0;
    while (comp < k - 1 && u >= cdf[comp]) comp++;
    for (let q = 0; q < d; q++) z[q] = rng.normal();
    const A = factors[comp];
    const mu = means[comp];
    const o = i * d;
    for (let r = 0; r < d; r++) {
      let s = mu[r];
      for (let q = 0; q <= r; q++) s += A[r * d + q] * z[q];
      X[o + r] = s;
    }
  }
  // Fixed start.
  const mean = new Float64Array(d);
  const vari = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let q = 0; q < d; q++) mean[q] += X[i * d + q];
  for (let q = 0; q < d; q++) mean[q] /= n;
  for (let i = 0; i < n; i++) for (let q = 0; q < d; q++) vari[q] += (X[i * d + q] - mean[q]) ** 2;
  for (let q = 0; q < d; q++) vari[q] /= n;
  const weightsInit = Array.from({ length: k }, () => 1 / k);
  const meansInit = Array.from({ length: k }, (_, j) => {
    const row = Math.floor(((j + 0.5) * n) / k);
    return Array.from(X.subarray(row * d, row * d + d));
  });
  const precisionsInit = Array.from({ length: k }, () =>
    Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, q) => (r === q ? 1 / vari[r] : 0))),
  );
  return { X, weightsInit, meansInit, precisionsInit };
}

/** FNV-1a over the raw bytes, sampled (every 61st byte) so it stays fast on large files; guards stale reuse. */
function checksum(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 61) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return (h ^ bytes.length) >>> 0;
}

/** Makes sure the case's files exist and are current; returns their paths and metadata. */
export function ensureCaseData(c, quick = false, scale = 1) {
  const { n, xPath, metaPath } = casePaths(c, quick, scale);
  if (existsSync(xPath) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      if (meta.generatorVersion === GENERATOR_VERSION && meta.n === n) {
        const X = readX(xPath, n, c.d);
        if (checksum(new Uint8Array(X.buffer)) === meta.checksum) return { xPath, metaPath, meta, generated: false };
      }
    } catch {
      /* fall through: regenerate */
    }
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const { X, weightsInit, meansInit, precisionsInit } = generateCase(c, n);
  const bytes = new Uint8Array(X.buffer);
  const meta = {
    id: c.id,
    n,
    d: c.d,
    k: c.k,
    seed: SEED,
    generatorVersion: GENERATOR_VERSION,
    dtype: 'float64 little-endian, row-major N×D',
    checksum: checksum(bytes),
    weightsInit,
    meansInit,
    precisionsInit,
  };
  // Write to temp names then rename, so a concurrent or interrupted run never sees half a file.
  writeFileSync(`${xPath}.tmp${process.pid}`, bytes);
  renameSync(`${xPath}.tmp${process.pid}`, xPath);
  writeFileSync(`${metaPath}.tmp${process.pid}`, JSON.stringify(meta));
  renameSync(`${metaPath}.tmp${process.pid}`, metaPath);
  return { xPath, metaPath, meta, generated: true };
}

/**
 * For a measuring process: the case's metadata and fixed start (not X). Generates the files first if they are
 * missing, which a measurement should avoid (run.mjs generates them beforehand; `generated` tells).
 */
export function loadMeta(c, quick = false, scale = 1) {
  const { xPath, metaPath } = casePaths(c, quick, scale);
  let generated = false;
  if (!existsSync(xPath) || !existsSync(metaPath)) {
    ensureCaseData(c, quick, scale);
    generated = true;
  }
  return { meta: JSON.parse(readFileSync(metaPath, 'utf8')), xPath, generated };
}

/**
 * All of X, read once into one array and checked against the recorded checksum (no second copy). `shared` puts it
 * in a SharedArrayBuffer (fitAsync's workers then read the caller's array instead of a copy).
 */
export function readCheckedX(xPath, meta, shared = false) {
  const X = readX(xPath, meta.n, meta.d, shared);
  if (checksum(new Uint8Array(X.buffer)) !== meta.checksum)
    throw new Error(`${xPath}: checksum mismatch; rerun bench/run.mjs to regenerate`);
  return X;
}

/**
 * Reads the first `n` rows (all of them by default) of an N×D float64 file straight into one Float64Array
 * (no intermediate Buffer, so RSS grows by exactly the array).
 */
export function readX(xPath, n, d, shared = false) {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error('bench data files are little-endian; this machine is not');
  const X = shared ? new Float64Array(new SharedArrayBuffer(n * d * 8)) : new Float64Array(n * d);
  const view = new Uint8Array(X.buffer);
  const fd = openSync(xPath, 'r');
  try {
    let at = 0;
    while (at < view.length) {
      const got = readSync(fd, view, at, Math.min(1 << 26, view.length - at), at);
      if (got <= 0) throw new Error(`${xPath}: file shorter than ${view.length} bytes`);
      at += got;
    }
  } finally {
    closeSync(fd);
  }
  return X;
}

/**
 * The flop model, used for every engine alike so GFLOP/s are comparable (they count useful work, not the
 * instructions an engine happens to execute). Per row, per component, per EM iteration, full covariance:
 *   E-step: x − μ (D) + triangular product y = (x − μ)ᵀ·Pchol (D(D+1)/2 multiply-adds = D² + D)
 *           + ‖y‖² (2D) + log-density (2)                                          = D² + 4D + 2
 *   log-sum-exp and responsibility (exp, subtract, add, scale; exp counted as 1)    = 4
 *   M-step statistics: r·(x − μ) (D) + Σ r(x − μ) (D)
 *           + upper triangle of Σ r(x − μ)(x − μ)ᵀ (D(D+1)/2 multiply-adds = D² + D) = D² + 3D
 *   total                                                                           = 2D² + 7D + 6
 * The K Cholesky factorisations of the M-step (O(K·D³), independent of N) are not counted.
 * scikit-learn executes roughly twice the multiply-adds of this model (it forms full, not triangular, products).
 */
export const FLOP_MODEL =
  'N·K·(2D² + 7D + 6) flops per EM iteration (E: triangular Mahalanobis D²+4D+2, log-sum-exp 4, M: upper-triangle scatter D²+3D; O(K·D³) Cholesky not counted)';
export function flopsPerIteration(n, d, k) {
  return n * k * (2 * d * d + 7 * d + 6);
}

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * GaussianMixture options of the benchmark's fixed start for a case (full covariance, tol 0): every gaussmix engine
 * starts from the same parameters as the scikit-learn script.
 */
export function fixedStartOptions(meta, { maxIter, backend, onIteration }) {
  return {
    nComponents: meta.k,
    covarianceType: 'full',
    tol: 0,
    maxIter,
    // The start is given in full; 'random_from_data' keeps the (discarded) default initialisation pass cheap,
    // exactly as in the scikit-learn script.
    initParams: 'random_from_data',
    weightsInit: meta.weightsInit,
    meansInit: meta.meansInit,
    precisionsInit: meta.precisionsInit,
    seed: 0,
    backend,
    onIteration,
  };
}
