/**
 * Per-kernel micro-benchmark, wasm vs js: `npm run bench:kernels` (builds first) or `node bench/kernels.mjs`.
 *
 * Times each kernel (logProb, normalizeRows, eStepAccumulate) × covariance type (full, diag) at the four (D, K)
 * cases of issue 3, called the way src/backends/workspace.ts calls them: blocks of `blockRows(d, k)` rows. X stays in the
 * heap for the whole run (no per-block copy), so the numbers are kernel time only. Reports the median of ≥ 5 warm
 * runs and consumes every output (a checksum is printed) so nothing can be optimised away.
 *
 * Nothing is compiled for dist/: the wasm backend is `build/kernels.wasm` instantiated directly; the
 * js backend is `src/backends/js/kernels.ts` (with the phase files it imports) bundled by esbuild to a temporary ES
 * module at startup.
 *
 * Options:
 *   --quick                 small n, 3 runs (smoke test)
 *   --runs=N                timed runs per measurement (default 7, at least 5 unless --quick)
 *   --target-ms=T           n is scaled so one wasm pass takes about T ms (default 60)
 *   --kernels=a,b           subset of logProb,normalizeRows,eStepAccumulate
 *   --cov=full,diag         subset of covariance types (full, tied, diag, spherical)
 *   --wasm=FILE, --js=FILE  time these instead of build/kernels.wasm and src/backends/js/kernels.ts
 *   --baseline-wasm=FILE    also time another kernels.wasm (e.g. a copy of the previous build) — before/after
 *   --baseline-js=FILE      also time another file exporting createJsKernels (e.g. an older js/kernels.ts)
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const quick = !!args.quick;
const RUNS = Math.max(quick ? 3 : 5, Number(args.runs ?? (quick ? 3 : 7)));
const TARGET_MS = Number(args['target-ms'] ?? (quick ? 5 : 60));
const KERNELS = String(args.kernels ?? 'logProb,normalizeRows,eStepAccumulate').split(',');
const COVS = String(args.cov ?? 'full,diag').split(',');
const COV_CODE = { full: 0, tied: 1, diag: 2, spherical: 3 };
const CASES = [
  { d: 2, k: 4 },
  { d: 8, k: 8 },
  { d: 32, k: 8 },
  { d: 64, k: 16 },
];

// ---------------------------------------------------------------------------------------------------------
// backends

/** Bundles a TS file exporting createJsKernels (and src/backends/workspace.ts's blockRows) into a temp ES module. */
async function loadJs(file, tmp, tag) {
  const entry =
    `export { createJsKernels } from ${JSON.stringify(resolve(file))};\n` +
    `export { blockRows } from ${JSON.stringify(join(root, 'src/backends/workspace.ts'))};\n`;
  const out = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    write: false,
    logLevel: 'silent',
  });
  const path = join(tmp, `js-kernels-${tag}.mjs`);
  writeFileSync(path, out.outputFiles[0].text);
  return import(pathToFileURL(path).href);
}

function jsBackend(mod, name) {
  let heap = new Float64Array(1 << 16);
  return {
    name,
    kernels: mod.createJsKernels(() => heap),
    base: 16,
    reserve(bytes) {
      if (bytes > heap.byteLength) {
        const next = new Float64Array(Math.ceil(bytes / 65536) * 8192);
        next.set(heap);
        heap = next;
      }
    },
    f64: () => heap,
  };
}

function wasmBackend(file, name) {
  const abort = () => {
    throw new Error(`${name}: a kernel precondition failed`);
  };
  const { exports: ex } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { abort } });
  const memory = ex.memory;
  return {
    name,
    kernels: { logProb: ex.logProb, normalizeRows: ex.normalizeRows, eStepAccumulate: ex.eStepAccumulate },
    base: (ex.heapBase() + 15) & ~15,
    reserve(bytes) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
    f64: () => new Float64Array(memory.buffer),
  };
}

// ---------------------------------------------------------------------------------------------------------
// problem data (deterministic)

function rng(seed) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}

/** Well-separated-ish mixture so responsibilities are neither all one-hot nor all uniform. */
function makeProblem(cov, n, d, k) {
  const R = rng(1234 + d * 100 + k);
  const means = new Float64Array(k * d).map(() => 3 * R.normal());
  let prec;
  if (cov === 'full' || cov === 'tied') {
    const m = cov === 'full' ? k : 1;
    prec = new Float64Array(m * d * d);
    for (let c = 0; c < m; c++) {
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++)
          prec[c * d * d + i * d + j] = i === j ? 0.6 + 0.8 * R.u() : (R.u() - 0.5) * (0.6 / Math.sqrt(d));
      }
    }
  } else if (cov === 'diag') {
    prec = new Float64Array(k * d).map(() => 0.6 + 0.8 * R.u());
  } else {
    prec = new Float64Array(k).map(() => 0.6 + 0.8 * R.u());
  }
  const logConst = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let ld = 0;
    for (let i = 0; i < d; i++) {
      if (cov === 'full') ld += Math.log(prec[c * d * d + i * d + i]);
      else if (cov === 'tied') ld += Math.log(prec[i * d + i]);
      else if (cov === 'diag') ld += Math.log(prec[c * d + i]);
      else ld += Math.log(prec[c]);
    }
    logConst[c] = Math.log(1 / k) + ld - 0.5 * d * Math.log(2 * Math.PI);
  }
  const X = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const c = Math.floor(R.u() * k);
    for (let j = 0; j < d; j++) X[r * d + j] = means[c * d + j] + 1.3 * R.normal();
  }
  return { cov, n, d, k, X, means, prec, logConst };
}

/** Lays the problem out in a backend heap; returns the pointers (bytes). */
function layout(be, p, block) {
  const { n, d, k } = p;
  let at = be.base;
  const take = (doubles) => {
    const ptr = at;
    at += Math.ceil((doubles * 8) / 16) * 16;
    return ptr;
  };
  const L = {
    x: take(n * d),
    means: take(k * d),
    prec: take(p.prec.length),
    logConst: take(k),
    lp: take(n * k),
    lse: take(n),
    scratch: take(block * k),
    stats: take(2 + k + k * d + k * d * d),
  };
  be.reserve(at);
  const h = be.f64();
  h.set(p.X, L.x / 8);
  h.set(p.means, L.means / 8);
  h.set(p.prec, L.prec / 8);
  h.set(p.logConst, L.logConst / 8);
  L.statsLen = 2 + k + k * d + (p.cov === 'full' || p.cov === 'tied' ? k * d * d : k * d);
  return L;
}

// ---------------------------------------------------------------------------------------------------------
// timing

let sink = 0;

/** One pass of `kernel` over all n rows in blocks; returns a checksum of its outputs. */
function pass(be, kernel, p, L, block) {
  const { n, d, k } = p;
  const K = be.kernels;
  const code = COV_CODE[p.cov];
  if (kernel === 'logProb') {
    for (let s = 0; s < n; s += block) {
      const cnt = Math.min(block, n - s);
      K.logProb(L.x + s * d * 8, cnt, d, k, code, L.means, L.prec, L.logConst, L.lp + s * k * 8);
    }
    const h = be.f64();
    return h[L.lp / 8] + h[L.lp / 8 + n * k - 1];
  }
  if (kernel === 'normalizeRows') {
    // in place: after the first pass the rows are log responsibilities, which cost the same to renormalise
    for (let s = 0; s < n; s += block) {
      const cnt = Math.min(block, n - s);
      K.normalizeRows(L.lp + s * k * 8, cnt, k, L.lse + s * 8);
    }
    const h = be.f64();
    return h[L.lse / 8] + h[L.lse / 8 + n - 1] + h[L.lp / 8 + n * k - 1];
  }
  const h = be.f64();
  h.fill(0, L.stats / 8, L.stats / 8 + L.statsLen);
  for (let s = 0; s < n; s += block) {
    const cnt = Math.min(block, n - s);
    K.eStepAccumulate(L.x + s * d * 8, 0, 0, cnt, d, k, code, 0, L.means, L.prec, L.logConst, L.scratch, L.stats);
  }
  const h2 = be.f64();
  let cs = 0;
  for (let i = 0; i < L.statsLen; i++) cs += h2[L.stats / 8 + i];
  return cs + h2[L.scratch / 8];
}

/**
 * Medians of `runs` timed calls of each fn, interleaved round-robin (fn0, fn1, …, fn0, fn1, …) so that a burst of
 * load on a shared host hits every variant alike instead of skewing whichever ran during it.
 */
function timeRunsInterleaved(fns, runs) {
  for (const fn of fns) {
    fn();
    fn(); // warm-up (JIT tiers, caches)
  }
  const ts = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, j) => {
      const t0 = performance.now();
      sink += fn();
      ts[j].push(performance.now() - t0);
    });
  }
  return ts.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

// ---------------------------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(os.tmpdir(), 'gaussmix-kbench-'));
try {
  const jsMod = await loadJs(
    args.js ? resolve(String(args.js)) : join(root, 'src/backends/js/kernels.ts'),
    tmp,
    'current',
  );
  const wasmFile = args.wasm ? resolve(String(args.wasm)) : join(root, 'build/kernels.wasm');
  const { blockRows } = jsMod;
  const variants = [
    { label: 'wasm', make: () => wasmBackend(wasmFile, 'wasm') },
    { label: 'js', make: () => jsBackend(jsMod, 'js') },
  ];
  if (args['baseline-wasm'])
    variants.push({
      label: 'wasm (baseline)',
      make: () => wasmBackend(resolve(String(args['baseline-wasm'])), 'wasm-base'),
    });
  if (args['baseline-js']) {
    const baseJs = await loadJs(String(args['baseline-js']), tmp, 'baseline');
    variants.push({ label: 'js (baseline)', make: () => jsBackend(baseJs, 'js-base') });
  }

  const rows = [];
  for (const kernel of KERNELS) {
    for (const cov of COVS) {
      for (const { d, k } of CASES) {
        const block = blockRows(d, k);
        // calibrate n on wasm so one pass takes about TARGET_MS
        const n0 = Math.max(block, Math.round(2e6 / (d * d + 8 * d + 20) / k));
        const probe = makeProblem(cov, n0, d, k);
        const probeBe = variants[0].make();
        const probeL = layout(probeBe, probe, block);
        if (kernel === 'normalizeRows') pass(probeBe, 'logProb', probe, probeL, block);
        const [t0] = timeRunsInterleaved([() => pass(probeBe, kernel, probe, probeL, block)], 3);
        const n = Math.max(block, Math.round((n0 * TARGET_MS) / Math.max(t0, 0.01) / 1000) * 1000);
        const p = makeProblem(cov, n, d, k);
        const fns = variants.map((v) => {
          const be = v.make();
          const L = layout(be, p, block);
          if (kernel === 'normalizeRows') pass(be, 'logProb', p, L, block);
          return () => pass(be, kernel, p, L, block);
        });
        const times = timeRunsInterleaved(fns, RUNS);
        rows.push({ kernel, cov, d, k, n, times });
        const cells = times.map((t) => t.toFixed(1)).join(' | ');
        process.stderr.write(`${kernel} ${cov} d=${d} k=${k} n=${n}: ${cells}\n`);
      }
    }
  }

  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const out = [];
  out.push(
    `Kernel micro-benchmark — Node ${process.version}, ${cpu} (${os.cpus().length} logical CPUs), ${os.platform()}/${os.arch()}`,
  );
  out.push(
    `median of ${RUNS} warm runs, variants interleaved (ms per pass over n rows, blocks of blockRows(d, k) rows)`,
  );
  out.push('');
  const head = ['kernel', 'cov', 'D', 'K', 'n', ...variants.map((v) => `${v.label} ms`), 'js / wasm'];
  if (variants.length > 2)
    head.push(...variants.slice(2).map((v) => `${v.label} / ${v.label.startsWith('js') ? 'js' : 'wasm'}`));
  out.push(`| ${head.join(' | ')} |`);
  out.push(`|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
  for (const r of rows) {
    const cells = [
      r.kernel,
      r.cov,
      r.d,
      r.k,
      r.n,
      ...r.times.map((t) => t.toFixed(1)),
      `${(r.times[1] / r.times[0]).toFixed(2)}×`,
    ];
    for (let i = 2; i < variants.length; i++) {
      const ref = variants[i].label.startsWith('js') ? r.times[1] : r.times[0];
      cells.push(`${(r.times[i] / ref).toFixed(2)}×`);
    }
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push(`checksum ${sink}`);
  console.log(out.join('\n'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
