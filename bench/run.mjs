#!/usr/bin/env node
/**
 * gaussmix benchmark (issue 3): full-covariance EM on synthetic mixtures from a fixed seed and a fixed start,
 * tol = 0, a fixed number of iterations; seconds per EM iteration (median of the timed iterations after one
 * warm-up), GFLOP/s under one flop model, and peak RSS — for the wasm backend, the js backend, fitAsync with
 * 2 workers and, when /usr/bin/python3 has scikit-learn, scikit-learn on the same data and start.
 *
 *   npm run bench                       # build, then every case and engine; writes bench/results.md
 *   node bench/run.mjs --quick          # tiny N, 3 timed iterations: a smoke test (< 60 s); writes nothing
 *   node bench/run.mjs --cases d8,d64   # case ids or substrings of them
 *   node bench/run.mjs --engines wasm,js --out /tmp/r.md
 *   node bench/run.mjs --rounds 4       # interleaved rounds per case (default 3; --quick: 1)
 *   node bench/run.mjs --no-memory      # skip the memory-scaling runs (each gaussmix engine at N and 4N)
 *   node bench/run.mjs --no-missing     # skip bench/missing.mjs (the cost of 10% and 30% missing values)
 *   node bench/run.mjs --node24         # gaussmix on Node 24 (bench/node24.mjs); writes bench/results-node24.md
 *   node bench/run.mjs --engines wasm,js,peer --cases d2,d8 --rounds 1 --no-memory   # the peer; bench/results-peer.md
 *
 * The engine `peer` is the npm package gaussian-mixture-model (bench/peer-once.mjs; skipped with a note if it is not
 * installed), on the cases whose `iters.peer` is set only (D = 2 and 8; bench/data.mjs says why), in the first
 * round only, and not with --node24 unless --engines names it: a slow pure-JS peer must not multiply the bench time.
 *
 * Every (case × engine) runs in a fresh child process (bench/fit-once.mjs, bench/sklearn_fit_once.py), so each
 * peak RSS belongs to one configuration; the worker speed-up is also measured in back-to-back pairs in one process
 * (bench/speedup-once.mjs), which cancels the drift of a shared host's speed. Data and start are written once per case to os.tmpdir()/gaussmix-bench
 * (bench/data.mjs) and read by every engine. The markdown report goes to stdout; progress goes to stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CASES, DATA_DIR, FLOP_MODEL, SEED, ensureCaseData, flopsPerIteration, median } from './data.mjs';
import { node24 } from './node24.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PYTHON = '/usr/bin/python3';
const ENGINES = ['wasm', 'js', 'async2', 'sklearn', 'peer'];
const ENGINE_LABEL = {
  wasm: 'wasm',
  js: 'js',
  async2: 'fitAsync, 2 workers',
  sklearn: 'scikit-learn',
  async2shared: 'fitAsync, 2 workers, X in a SharedArrayBuffer',
  peer: 'gaussian-mixture-model (npm)',
};
const AGREE_RTOL = 1e-8;
/**
 * The peer adds no regCovar (gaussmix and scikit-learn add 1e-6 to every covariance's diagonal) and keeps densities
 * and responsibilities in float32: its mean log-likelihood differs from ours by ~1e-8 relative after a few iterations
 * (~1e-10 against gaussmix with regCovar 0), so it is held to a looser tolerance.
 */
const PEER_RTOL = 1e-6;

// Targets of issue 3: sklearn/wasm per D, js/wasm at D ≥ 8, wasm/async2 at N ≥ 1e5, RSS ≤ 2×X + runtime.
const SKLEARN_TARGET = { 2: 10, 8: 5, 32: 2, 64: 1.5 };
const JS_TARGET = 3;
const ASYNC_TARGET = 1.7;
const RSS_TARGET = 2;

function parseArgs(argv) {
  const a = {
    quick: false,
    cases: null,
    engines: ENGINES,
    out: undefined,
    timeout: 900,
    rounds: null,
    memory: true,
    node24: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    if (k === '--quick') a.quick = true;
    else if (k === '--cases')
      a.cases = val()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (k === '--engines')
      a.engines = val()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (k === '--out') a.out = val();
    else if (k === '--no-out') a.out = null;
    else if (k === '--timeout') a.timeout = Number(val());
    else if (k === '--rounds') a.rounds = Number(val());
    else if (k === '--no-memory') a.memory = false;
    else if (k === '--no-missing') a.missing = false;
    else if (k === '--node24') a.node24 = true;
    else if (k === '-h' || k === '--help') {
      process.stdout.write(
        `${readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('*/')[0]
          .replace(/^#!.*\n\/\*\*\n/, '')
          .replace(/^ \* ?/gm, '')}\n`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${k} (try --help)`);
  }
  a.rounds ??= a.quick ? 1 : 3;
  a.missing ??= true;
  if (!(Number.isInteger(a.rounds) && a.rounds >= 1))
    throw new Error(`--rounds must be an integer ≥ 1; got ${a.rounds}`);
  for (const e of a.engines)
    if (!ENGINES.includes(e)) throw new Error(`unknown engine ${e}; known: ${ENGINES.join(', ')}`);
  // Only a full, unfiltered run rewrites the committed results file unless --out says otherwise.
  if (a.out === undefined)
    a.out =
      !a.quick && !a.cases && a.engines === ENGINES ? join(here, a.node24 ? 'results-node24.md' : 'results.md') : null;
  return a;
}

const log = (msg) => process.stderr.write(`${msg}\n`);

function selectCases(filters) {
  if (!filters) return CASES;
  const picked = CASES.filter((c) => filters.some((f) => c.id === f || c.id.includes(f)));
  if (!picked.length)
    throw new Error(`--cases ${filters.join(',')} matches none of ${CASES.map((c) => c.id).join(', ')}`);
  return picked;
}

/** The Node binary that runs gaussmix's children (this one, or Node 24 with --node24), set in main. */
let NODE = process.execPath;
let NODE_VERSION = process.version;

/**
 * scikit-learn's environment: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (in its process only), so OpenBLAS picks
 * its fastest kernels for this CPU (AVX-512 here, ~25% faster than the Haswell kernels these variables select); the
 * results are the same to rounding (the engines' agreement column checks every run).
 */
function sklearnEnv() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Runs a child, resolves { code, stdout, stderr, ms }; kills its process on timeout. */
function runChild(cmd, args, timeoutS, env = process.env) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}\n${e.message}`, ms: Date.now() - t0, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0, timedOut });
    });
  });
}

function lastJson(stdout) {
  const lines = stdout.trim().split('\n').reverse();
  for (const l of lines) {
    try {
      return JSON.parse(l);
    } catch {
      /* not JSON */
    }
  }
  return null;
}

function sh(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    return r.status === 0 ? r.stdout.trim() : null;
  } catch {
    return null;
  }
}

function cpuInfo() {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? 'unknown';
  let extra = '';
  try {
    const txt = readFileSync('/proc/cpuinfo', 'utf8');
    const first = txt.split('\n\n')[0];
    const field = (name) => first.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1];
    const flags = new Set((field('flags') ?? '').split(/\s+/));
    const simd = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f'].filter((f) => flags.has(f));
    model = field('model name') ?? model;
    extra = `family ${field('cpu family')} model ${field('model')}, ${field('cpu MHz')} MHz, ${simd.join(' ')}`;
  } catch {
    /* not Linux */
  }
  return `${model} (${extra ? `${extra}; ` : ''}${cpus.length} logical cores visible to Node)`;
}

function pythonInfo() {
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
  const probe = [
    'import json, platform, numpy, scipy, sklearn',
    'from sklearn.mixture import GaussianMixture',
    'pools = []',
    'try:',
    '    from threadpoolctl import threadpool_info',
    "    pools = [{k: d.get(k) for k in ('user_api', 'internal_api', 'version', 'num_threads', 'threading_layer', 'architecture')} for d in threadpool_info()]",
    'except Exception:',
    '    pass',
    "print(json.dumps({'python': platform.python_version(), 'sklearn': sklearn.__version__, 'numpy': numpy.__version__, 'scipy': scipy.__version__, 'pools': pools}))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', probe], { encoding: 'utf8', timeout: 120_000, env: sklearnEnv() });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
    return { ok: false, reason: `${PYTHON} -c "import sklearn" failed: ${why}` };
  }
  try {
    return { ok: true, ...JSON.parse(r.stdout.trim().split('\n').pop()) };
  } catch {
    return { ok: false, reason: `could not parse the Python probe's output: ${r.stdout}` };
  }
}

/**
 * Pools two runs of one engine: timed iterations are concatenated (one median over all), memory is taken from the
 * run with the higher peak, and the runs must have produced the same lower bounds (they are deterministic).
 */
function merge(prev, out) {
  out.rounds = 1;
  if (!prev) return out;
  const same =
    prev.lowerBounds.length === out.lowerBounds.length && prev.lowerBounds.every((v, i) => v === out.lowerBounds[i]);
  if (!same)
    log(`  note: ${out.engine} gave different lower bounds in two rounds (${prev.lowerBound} vs ${out.lowerBound})`);
  const keep = out.rssKiB.peak.maxRSS > prev.rssKiB.peak.maxRSS ? out : prev;
  const iterSeconds = [...prev.iterSeconds, ...out.iterSeconds];
  const w = (o) => o.iterSeconds.reduce((a, b) => a + b, 0);
  return {
    ...keep,
    cpuWall:
      prev.cpuWall != null && out.cpuWall != null
        ? (prev.cpuWall * w(prev) + out.cpuWall * w(out)) / (w(prev) + w(out))
        : null,
    iterSeconds,
    medianSeconds: median(iterSeconds),
    loads: [...prev.loads, ...out.loads],
    rounds: prev.rounds + 1,
    roundsDiffer: prev.roundsDiffer || !same,
  };
}

/** Peak RSS (high-water mark) above the warm runtime baseline, KiB. */
const overKiB = (o) => o.rssKiB.peak.maxRSS - o.rssKiB.runtimeBase.rss;

/**
 * Memory growth with N (issue 3's "peak RSS ≤ 2×X plus a fixed runtime baseline"): each gaussmix engine fits the
 * case at N and at MEMORY_SCALE·N rows (same distribution, same iteration count, fresh processes). The slope
 * Δpeak ÷ ΔX is how many bytes the fit holds per byte of X — X itself counts 1 — and the intercept is what does not
 * grow with N (Node, the wasm instance, worker threads, per-iteration K·D² garbage). The single-size "÷ X" column of
 * the detail table charges that fixed part to X, which overstates when X is small.
 */
const MEMORY_SCALE = 4;
const PEAK_NOISE_MIB = 2;
const MEMORY_ITERS = 3;
async function memoryScaling(c, runEngines, args, notes) {
  // fitAsync copies X once into shared memory for its workers, unless X already lives there: both are measured.
  const engines = runEngines
    .filter((e) => e !== 'sklearn' && e !== 'peer')
    .flatMap((e) => (e === 'async2' ? ['async2', 'async2shared'] : [e]));
  if (!engines.length) return null;
  const t = Date.now();
  const big = ensureCaseData(c, false, MEMORY_SCALE);
  log(
    `  memory: ${c.id} at N and ${MEMORY_SCALE}N (${fmtN(big.meta.n)} rows, data ${big.generated ? `generated in ${Date.now() - t} ms` : 'reused'})`,
  );
  const out = {};
  for (const e of engines) {
    const runs = [];
    for (const scale of [1, MEMORY_SCALE]) {
      const engineArgs = e === 'async2shared' ? ['--backend', 'async2', '--shared-x'] : ['--backend', e];
      const cargs = [
        '--expose-gc',
        join(here, 'fit-once.mjs'),
        '--case',
        c.id,
        ...engineArgs,
        '--iters',
        String(MEMORY_ITERS),
        '--scale',
        String(scale),
      ];
      const r = await runChild(NODE, cargs, args.timeout);
      const o = lastJson(r.stdout);
      if (r.code !== 0 || !o?.ok) {
        const why = r.timedOut ? `timed out after ${args.timeout} s` : (o?.error ?? `exit ${r.code}`);
        log(`  memory ${e} ×${scale} FAILED: ${why}`);
        notes.push(`**memory run failed for ${c.id}/${ENGINE_LABEL[e]} at ${scale}N**: ${String(why).split('\n')[0]}`);
        break;
      }
      runs.push({ n: o.n, xBytes: o.xBytes, peakKiB: o.rssKiB.peak.maxRSS });
    }
    if (runs.length !== 2) continue;
    const [a, b] = runs;
    const slope = ((b.peakKiB - a.peakKiB) * 1024) / (b.xBytes - a.xBytes);
    const fixedKiB = a.peakKiB - (slope * a.xBytes) / 1024;
    out[e] = { runs, slope, fixedKiB };
    log(
      `  memory ${e.padEnd(12)} peak ${mib(a.peakKiB)} → ${mib(b.peakKiB)} MiB for X ${mib(a.xBytes / 1024)} → ${mib(b.xBytes / 1024)} MiB: ${slope.toFixed(2)}×X + ${mib(fixedKiB)} MiB`,
    );
  }
  return out;
}

/** The slopes' read noise over the cases, as "a–b" (see the memory table). */
function noiseRange(results) {
  const ns = results.flatMap((r) =>
    Object.values(r.memory ?? {}).map((m) => (2 * PEAK_NOISE_MIB * 2 ** 20) / (m.runs[1].xBytes - m.runs[0].xBytes)),
  );
  return `${Math.min(...ns).toFixed(2)}–${Math.max(...ns).toFixed(2)}`;
}

/** Aggregate CPU counters from /proc/stat (Linux), to report the hypervisor's steal time over the run. */
function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: f.reduce((a, b) => a + b, 0), idle: f[3] + (f[4] || 0), steal: f[7] || 0 };
  } catch {
    return null;
  }
}

const fmtS = (s) =>
  s == null ? '–' : s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s >= 0.01 ? s.toFixed(3) : s.toFixed(4);
const fmtX = (r) => (r == null || !Number.isFinite(r) ? '–' : `${r.toFixed(r >= 10 ? 1 : 2)}×`);
const mib = (kib) => (kib / 1024).toFixed(1);
const fmtN = (n) => {
  const e = Math.floor(Math.log10(n));
  const m = n / 10 ** e;
  return Number.isInteger(m) ? (m === 1 ? `1e${e}` : `${m}e${e}`) : String(n);
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.node24) {
    const n = node24();
    if (n.error) throw new Error(`--node24: ${n.error}`);
    NODE = n.path;
    NODE_VERSION = n.version;
  }
  const started = new Date();
  const load0 = os.loadavg();
  const cpu0 = cpuTimes();
  const distEntry = join(root, 'dist', 'index.js');
  if (!existsSync(distEntry))
    throw new Error(`${relative(root, distEntry)} is missing: run \`npm run build\` (or use \`npm run bench\`)`);

  const distHash = createHash('sha256').update(readFileSync(distEntry)).digest('hex').slice(0, 12);
  const { GaussianMixture } = await import(pathToFileURL(distEntry).href);
  const hasAsync = typeof GaussianMixture.prototype.fitAsync === 'function';
  const engines = args.engines.filter(
    (e) => (e !== 'async2' || hasAsync) && (e !== 'peer' || !args.node24 || args.engines !== ENGINES),
  );
  const notes = [];
  if (args.engines.includes('async2') && !hasAsync)
    notes.push('fitAsync is not in this build of gaussmix: the 2-worker column is skipped.');

  let py = { ok: false, reason: 'not requested (--engines)' };
  if (engines.includes('sklearn')) {
    py = pythonInfo();
    if (!py.ok) {
      notes.push(`scikit-learn skipped: ${py.reason}.`);
      log(`scikit-learn skipped: ${py.reason}`);
    }
  }
  const runEngines = engines.filter((e) => e !== 'sklearn' || py.ok);

  const cases = selectCases(args.cases);
  const results = []; // { c, n, xBytes, byEngine: { engine: result } }
  for (const c of cases) {
    const t = Date.now();
    const data = ensureCaseData(c, args.quick);
    const n = data.meta.n;
    log(
      `case ${c.id}: N=${n} D=${c.d} K=${c.k} — data ${data.generated ? `generated in ${Date.now() - t} ms` : 'reused'} (${relative(process.cwd(), data.xPath)})`,
    );
    const row = { c, n, xBytes: n * c.d * 8, byEngine: {} };
    // Rounds interleave the engines (wasm, js, async2, sklearn, wasm, …) so that a change of background load on a
    // shared machine hits every engine alike; each engine's timed iterations of all rounds are pooled.
    for (let round = 1; round <= args.rounds; round++) {
      for (const e of runEngines) {
        if (row.byEngine[e] && !row.byEngine[e].ok) continue; // failed or skipped in an earlier round
        if (e === 'peer' && round > 1) continue; // capped: one round
        if (e === 'peer' && !c.iters.peer) {
          const why = `not run at D = ${c.d} (from this start its float32 E-step gives NaN parameters; see bench/data.mjs)`;
          row.byEngine[e] = { ok: false, skipped: true, error: why };
          notes.push(`${ENGINE_LABEL[e]} skipped for ${c.id}: ${why}`);
          continue;
        }
        const iters = args.quick ? 3 : c.iters[e];
        const load = os.loadavg()[0];
        const cmd = e === 'sklearn' ? PYTHON : NODE;
        const cargs =
          e === 'sklearn'
            ? [
                join(here, 'sklearn_fit_once.py'),
                '--x',
                data.xPath,
                '--meta',
                data.metaPath,
                '--iters',
                String(iters),
                ...(args.quick ? ['--no-warmup'] : []),
              ]
            : e === 'peer'
              ? [
                  '--expose-gc',
                  join(here, 'peer-once.mjs'),
                  '--case',
                  c.id,
                  '--iters',
                  String(iters),
                  ...(args.quick ? ['--quick', '--no-warmup'] : []),
                ]
              : [
                  '--expose-gc',
                  join(here, 'fit-once.mjs'),
                  '--case',
                  c.id,
                  '--backend',
                  e,
                  '--iters',
                  String(iters),
                  ...(args.quick ? ['--quick', '--no-warmup'] : []),
                ];
        const r = await runChild(cmd, cargs, args.timeout, e === 'sklearn' ? sklearnEnv() : process.env);
        const out = lastJson(r.stdout);
        const tag = `${e.padEnd(7)}${args.rounds > 1 ? ` round ${round}` : ''}`;
        if (r.code !== 0 || !out || !out.ok) {
          const why = r.timedOut
            ? `timed out after ${args.timeout} s`
            : (out?.reason ?? out?.error ?? (r.stderr.trim().split('\n').slice(-5).join(' | ') || `exit ${r.code}`));
          if (out?.skipped) {
            log(`  ${tag} skipped: ${why}`);
            notes.push(`${ENGINE_LABEL[e]} skipped for ${c.id}: ${why}`);
          } else {
            log(`  ${tag} FAILED: ${why}`);
            notes.push(`**${ENGINE_LABEL[e]} failed on ${c.id}**: ${String(why).split('\n')[0]}`);
          }
          row.byEngine[e] = { ok: false, skipped: !!out?.skipped, error: why };
          continue;
        }
        out.loads = [load];
        log(
          `  ${tag} ${fmtS(out.medianSeconds)} s/iter (median of ${out.iterSeconds.length}), peak RSS ${mib(out.rssKiB.peak.maxRSS)} MiB, ` +
            `lower bound ${out.lowerBound}, load ${load.toFixed(2)} [${(r.ms / 1000).toFixed(1)} s]`,
        );
        row.byEngine[e] = merge(row.byEngine[e], out);
      }
    }
    // The worker speed-up again, measured in back-to-back pairs in one process (bench/speedup-once.mjs): the
    // ratio of the pooled medians above divides times taken minutes apart, across which this host's speed drifts.
    if (runEngines.includes('wasm') && runEngines.includes('async2') && row.byEngine.async2?.ok) {
      const pargs = [
        join(here, 'speedup-once.mjs'),
        '--case',
        c.id,
        ...(args.quick ? ['--quick', '--pairs', '1', '--iters', '2'] : []),
      ];
      const r = await runChild(NODE, pargs, args.timeout);
      const out = lastJson(r.stdout);
      if (r.code === 0 && out?.ok) {
        row.paired = out;
        log(
          `  paired  wasm/async2 ${out.medianRatio.toFixed(2)}× (median of ${out.pairs.length} pairs, ${out.minRatio.toFixed(2)}–${out.maxRatio.toFixed(2)}) [${(r.ms / 1000).toFixed(1)} s]`,
        );
      } else {
        const why = out?.error ?? (r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${r.code}`);
        log(`  paired  FAILED: ${why}`);
        notes.push(`**paired worker speed-up failed on ${c.id}**: ${String(why).split('\n')[0]}`);
      }
    }
    if (!args.quick && args.memory) row.memory = await memoryScaling(c, runEngines, args, notes);
    analyse(row);
    results.push(row);
  }
  const load1 = os.loadavg();
  const cpu1 = cpuTimes();
  const busy =
    cpu0 && cpu1 && cpu1.total > cpu0.total
      ? {
          busy: 1 - (cpu1.idle - cpu0.idle) / (cpu1.total - cpu0.total),
          steal: (cpu1.steal - cpu0.steal) / (cpu1.total - cpu0.total),
        }
      : null;
  const builds = new Set([distHash]);
  for (const r of results) for (const o of Object.values(r.byEngine)) if (o.ok && o.distHash) builds.add(o.distHash);
  if (builds.size > 1) {
    notes.unshift(
      `**dist/index.js changed during this run** (builds ${[...builds].join(', ')}): the numbers mix builds; rerun.`,
    );
    log('WARNING: dist/index.js changed during the run; the numbers mix builds');
  }
  // Contention flags: a single-threaded engine that did not keep one core busy, or fitAsync that did not keep
  // clearly more than one busy, was competing with other processes (or, for fitAsync, waiting on its own serial parts).
  const contended = [];
  for (const r of results) {
    for (const [e, o] of Object.entries(r.byEngine)) {
      if (!o.ok || o.cpuWall == null) continue;
      if ((e === 'wasm' || e === 'js' || e === 'peer') && o.cpuWall < 0.9)
        contended.push(`${r.c.id}/${e} ${o.cpuWall.toFixed(2)}`);
      if (e === 'async2' && o.cpuWall < 1.5) contended.push(`${r.c.id}/fitAsync ${o.cpuWall.toFixed(2)}`);
    }
  }
  if (contended.length) {
    notes.push(
      `Cores busy below expectation (single-threaded < 0.9, fitAsync < 1.5): ${contended.join('; ')}. ` +
        'These times include waiting for a core (other load on the machine) or, for fitAsync, its serial parts; rerun on a quiet machine before quoting.',
    );
  }
  let md = report({ args, started, load0, load1, busy, py, hasAsync, notes, results, distHash });
  // The cost of missing values (issue 16): bench/missing.mjs in its own process, its table appended to the report.
  if (!args.cases && args.missing) {
    const r = await runChild(
      process.execPath,
      [join(here, 'missing.mjs'), ...(args.quick ? ['--quick'] : [])],
      args.timeout,
    );
    md += r.stdout || `\n### Missing values\n\nbench/missing.mjs failed: ${r.stderr.trim().split('\n').pop()}\n`;
    if (r.code !== 0) process.exitCode ||= r.code;
  }
  process.stdout.write(md);
  if (args.out) {
    writeFileSync(args.out, md);
    log(`wrote ${relative(process.cwd(), args.out)}`);
  }
  const bad = results.flatMap((r) =>
    Object.entries(r.agree ?? {})
      .filter(([, a]) => a && !a.ok)
      .map(([e]) => `${r.c.id}/${e}`),
  );
  if (bad.length) {
    log(
      `\n✗✗✗ ENGINES DISAGREE (lower bound differs by more than ${AGREE_RTOL} relative; the peer: ${PEER_RTOL.toExponential(0)}): ${bad.join(', ')} ✗✗✗\n`,
    );
    process.exitCode = 2;
  }
  const failed = results.flatMap((r) =>
    Object.entries(r.byEngine)
      .filter(([, o]) => !o.ok && !o.skipped && !String(o.error).includes('not there'))
      .map(([e]) => `${r.c.id}/${e}`),
  );
  if (failed.length) {
    log(`failed runs: ${failed.join(', ')}`);
    process.exitCode ||= 1;
  }
}

/**
 * Cross-checks the engines: every engine records the lower bound after each iteration; they are compared at the
 * last iteration all of them ran (engines run different iteration counts), relative to wasm (or the first engine).
 */
function analyse(row) {
  const ok = Object.entries(row.byEngine).filter(([, o]) => o.ok);
  row.agree = {};
  if (!ok.length) return;
  // The peer (capped iterations) does not lower the common iteration of the others; it is compared at its last one.
  const ours = ok.filter(([e]) => e !== 'peer');
  const common = Math.min(...(ours.length ? ours : ok).map(([, o]) => o.lowerBounds.length));
  const [refName, ref] = ok.find(([e]) => e === 'wasm') ?? ok[0];
  row.commonIter = common;
  row.refEngine = refName;
  for (const [e, o] of ok) {
    const at = Math.min(common, o.lowerBounds.length, ref.lowerBounds.length);
    const lbRef = ref.lowerBounds[at - 1];
    const lb = o.lowerBounds[at - 1];
    const rel = Math.abs(lb - lbRef) / Math.max(Math.abs(lbRef), 1e-300);
    row.agree[e] = { lb, lbRef, at, rel, ok: Number.isFinite(lb) && rel <= (e === 'peer' ? PEER_RTOL : AGREE_RTOL) };
  }
}

function report({ args, started, load0, load1, busy, py, hasAsync, notes, results, distHash }) {
  const L = [];
  const gitRev = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']);
  const argv = process.argv.slice(2).join(' ');
  const cmd =
    process.env.npm_lifecycle_event === 'bench'
      ? `npm run bench${argv ? ` -- ${argv}` : ''}`
      : `node bench/run.mjs${argv ? ` ${argv}` : ''}`;
  L.push(`# gaussmix benchmark${args.quick ? ' (--quick smoke test: tiny N, not for quoting)' : ''}`);
  L.push('');
  L.push(
    `${started
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC')} · \`${cmd}\`` +
      `${gitRev ? ` · git ${gitRev}${dirty ? ' + uncommitted changes' : ''}` : ''} · dist/index.js sha256 ${distHash}`,
  );
  L.push('');
  L.push(
    'Full-covariance EM on synthetic mixtures (fixed seed), fixed start, `tol: 0`, fixed iteration count. ' +
      `Seconds per EM iteration = median of the timed iterations (each run drops its first iteration as warm-up), pooled over ${args.rounds} interleaved round${args.rounds > 1 ? 's' : ''}; every run is a fresh process. ` +
      'Ratios are times divided side by side within this run: sklearn/wasm and js/wasm are how many times faster wasm is; ' +
      'wasm/async2 is the speed-up of `fitAsync` with 2 workers over one thread; "paired" measures that speed-up again in one process, ' +
      "`fit` and `fitAsync` back to back (bench/speedup-once.mjs), as the median of the pairs' ratios — this host's speed drifts by up to 1.5× " +
      'within seconds, which the ratio of two medians taken minutes apart does not cancel.',
  );
  L.push('');

  // Main table.
  L.push(
    '| N | D | K | X (MiB) | wasm s/iter | js s/iter | fitAsync ×2 s/iter | scikit-learn s/iter | sklearn/wasm | js/wasm | wasm/async2 | wasm/async2 paired | engines agree |',
  );
  L.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|');
  for (const r of results) {
    const t = (e) => (r.byEngine[e]?.ok ? r.byEngine[e].medianSeconds : null);
    const cell = (e) => (r.byEngine[e] ? (r.byEngine[e].ok ? fmtS(t(e)) : 'failed') : 'skipped');
    const ratio = (a, b) => (t(a) != null && t(b) != null ? t(a) / t(b) : null);
    const agreeVals = Object.values(r.agree);
    const agree = agreeVals.length < 2 ? '–' : agreeVals.every((a) => a.ok) ? '✓' : '**✗ DISAGREE**';
    L.push(
      `| ${fmtN(r.n)} | ${r.c.d} | ${r.c.k} | ${(r.xBytes / 2 ** 20).toFixed(1)} | ${cell('wasm')} | ${cell('js')} | ${cell('async2')} | ${cell('sklearn')} | ` +
        `${fmtX(ratio('sklearn', 'wasm'))} | ${fmtX(ratio('js', 'wasm'))} | ${fmtX(ratio('wasm', 'async2'))} | ${fmtX(r.paired?.medianRatio ?? null)} | ${agree} |`,
    );
  }
  L.push('');

  if (results.some((r) => r.byEngine.peer)) L.push(...peerSection(results), '');

  // Detail table.
  L.push('### Per engine: spread, throughput, memory, agreement');
  L.push('');
  L.push(
    '| case | engine | s/iter median | min – max (timed iters) | cores busy | GFLOP/s | peak RSS (MiB) | runtime base (MiB) | peak − base (MiB) | ÷ X | lower bound @ common iter | rel. diff vs ref | load 1m at start of each run |',
  );
  L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    for (const e of ENGINES) {
      const o = r.byEngine[e];
      if (!o) continue;
      if (!o.ok) {
        L.push(
          `| ${r.c.id} | ${ENGINE_LABEL[e]} | ${o.skipped || String(o.error).includes('not there') ? 'skipped' : 'failed'} | | | | | | | | | | |`,
        );
        continue;
      }
      const gflops = flopsPerIteration(r.n, r.c.d, r.c.k) / o.medianSeconds / 1e9;
      const over = overKiB(o);
      const a = r.agree[e];
      L.push(
        `| ${r.c.id} | ${ENGINE_LABEL[e]}${o.timing.startsWith('whole') ? ' †' : ''} | ${fmtS(o.medianSeconds)} | ${fmtS(Math.min(...o.iterSeconds))} – ${fmtS(Math.max(...o.iterSeconds))} (${o.iterSeconds.length}) | ` +
          `${o.cpuWall == null ? '–' : o.cpuWall.toFixed(2)} | ${gflops.toFixed(2)} | ${mib(o.rssKiB.peak.maxRSS)} | ${mib(o.rssKiB.runtimeBase.rss)} | ${mib(over)} | ${((over * 1024) / r.xBytes).toFixed(2)} | ` +
          `${a ? a.lb.toPrecision(15) : '–'} | ${a ? (e === r.refEngine ? 'ref' : `${a.rel.toExponential(1)} ${a.ok ? '✓' : '**✗**'}`) : '–'} | ${o.loads.map((v) => v.toFixed(1)).join(', ')} |`,
      );
    }
  }
  L.push('');
  L.push(
    `Lower bounds are compared after the last iteration every engine ran (iteration ${[...new Set(results.map((r) => r.commonIter))].join('/')}), ` +
      `relative to ${[...new Set(results.map((r) => r.refEngine))].join('/')}; ✓ means within ${AGREE_RTOL} relative. ` +
      `${results.some((r) => r.agree.peer) ? `The peer: at its own last iteration, against wasm at the same one, within ${PEER_RTOL.toExponential(0)} (its section above). ` : ''}` +
      '"runtime base": RSS after start-up and a warm-up fit of the same configuration on the first few thousand rows, garbage collected, before X is read ' +
      '(memory that does not grow with N); "peak − base": peak RSS (high-water mark) minus that; "÷ X": divided by the size of X — X itself accounts for 1×. ' +
      "fitAsync's figure includes its two worker threads. " +
      '"cores busy": CPU time ÷ wall time over the timed iterations (whole process) — about 1 for an undisturbed single-threaded engine, ' +
      'up to 2 for fitAsync and multi-threaded BLAS; a single-threaded engine clearly below 1 was descheduled by other load. ' +
      "The N-independent part of the memory varies by a few MiB from run to run (V8 heap growth and GC timing), and fitAsync's worker threads start after the base is taken, " +
      'so "÷ X" charges fixed memory to X; the memory table below separates the two.',
  );
  L.push('');

  // Memory scaling.
  if (results.some((r) => r.memory)) {
    L.push(`### Memory: peak RSS at N and ${MEMORY_SCALE}N`);
    L.push('');
    L.push(
      `Each gaussmix engine fits every case again at N and at ${MEMORY_SCALE}N rows (same generator and start recipe, ${MEMORY_ITERS} iterations after the warm-up, fresh processes). ` +
        '"per byte of X" = (peak at ' +
        MEMORY_SCALE +
        'N − peak at N) ÷ (X at ' +
        MEMORY_SCALE +
        'N − X at N): the memory that grows with the data, X itself counting 1×; ' +
        '"fixed" = the rest of the peak at N (runtime, compiled code, worker threads, per-iteration K·D² buffers). ' +
        'This is the test of "peak RSS ≤ 2×X + a fixed runtime baseline". A peak is read to about ±' +
        PEAK_NOISE_MIB +
        ' MiB (GC timing; ' +
        "the same configuration's slope moved by up to ±0.1 between runs at D = 64), so the slope to about ±" +
        2 * PEAK_NOISE_MIB +
        ' MiB ÷ ΔX (±' +
        noiseRange(results) +
        ' here). fitAsync holds X and one shared copy of it (2×X by construction), none if X already is in a SharedArrayBuffer.',
    );
    L.push('');
    L.push(
      `| case | engine | X at N (MiB) | peak at N (MiB) | X at ${MEMORY_SCALE}N (MiB) | peak at ${MEMORY_SCALE}N (MiB) | per byte of X | fixed (MiB) |`,
    );
    L.push('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const r of results) {
      for (const [e, m] of Object.entries(r.memory ?? {})) {
        const [a, b] = m.runs;
        L.push(
          `| ${r.c.id} | ${ENGINE_LABEL[e]} | ${mib(a.xBytes / 1024)} | ${mib(a.peakKiB)} | ${mib(b.xBytes / 1024)} | ${mib(b.peakKiB)} | ${m.slope.toFixed(2)} | ${mib(m.fixedKiB)} |`,
        );
      }
    }
    L.push('');
  }

  // Targets.
  L.push('### Targets (issue 3)');
  L.push('');
  L.push('| target | case | measured | met |');
  L.push('|---|---|---:|:---:|');
  const T = (label, r, value, goal) => {
    const met = value == null ? 'n/a' : value >= goal ? '✓' : '✗';
    L.push(`| ${label} | ${r.c.id} | ${value == null ? 'not measured' : fmtX(value)} | ${met} |`);
  };
  for (const r of results) {
    const t = (e) => (r.byEngine[e]?.ok ? r.byEngine[e].medianSeconds : null);
    const goal = SKLEARN_TARGET[r.c.d];
    if (goal)
      T(
        `wasm ≥ ${goal}× faster than scikit-learn (D=${r.c.d})`,
        r,
        t('sklearn') && t('wasm') ? t('sklearn') / t('wasm') : null,
        goal,
      );
  }
  for (const r of results) {
    if (r.c.d < 8) continue;
    const t = (e) => (r.byEngine[e]?.ok ? r.byEngine[e].medianSeconds : null);
    T(`wasm ≥ ${JS_TARGET}× faster than js (D ≥ 8)`, r, t('js') && t('wasm') ? t('js') / t('wasm') : null, JS_TARGET);
  }
  for (const r of results) {
    if (r.c.n < 1e5) continue;
    const t = (e) => (r.byEngine[e]?.ok ? r.byEngine[e].medianSeconds : null);
    const pooled = t('async2') && t('wasm') ? t('wasm') / t('async2') : null;
    if (r.paired) {
      const p = r.paired;
      const met = p.medianRatio >= ASYNC_TARGET ? '✓' : '✗';
      L.push(
        `| 2 workers ≥ ${ASYNC_TARGET}× one thread (N ≥ 1e5) | ${r.c.id} | paired ${fmtX(p.medianRatio)} (pairs ${fmtX(p.minRatio)}–${fmtX(p.maxRatio)}); pooled ${fmtX(pooled)} | ${met} |`,
      );
    } else {
      T(`2 workers ≥ ${ASYNC_TARGET}× one thread (N ≥ 1e5)`, r, pooled, ASYNC_TARGET);
    }
  }
  for (const r of results) {
    for (const e of ['wasm', 'js', 'async2', 'async2shared']) {
      const m = r.memory?.[e];
      const label = `peak RSS of a ${ENGINE_LABEL[e]} fit ≤ ${RSS_TARGET}×X + runtime baseline`;
      if (m) {
        // Each peak is read to about ±PEAK_NOISE_MIB (GC timing, page rounding): their difference to twice that.
        const [a, b] = m.runs;
        const noise = (2 * PEAK_NOISE_MIB * 2 ** 20) / (b.xBytes - a.xBytes);
        const met =
          m.slope <= RSS_TARGET
            ? '✓'
            : m.slope - noise <= RSS_TARGET
              ? `✓ within the ±${noise.toFixed(2)} read noise`
              : '✗';
        L.push(
          `| ${label} | ${r.c.id} | ${m.slope.toFixed(2)}×X + ${mib(m.fixedKiB)} MiB (peak at N and ${MEMORY_SCALE}N) | ${met} |`,
        );
      } else if (r.byEngine[e === 'async2shared' ? 'async2' : e]?.ok) {
        L.push(
          `| ${label} | ${r.c.id} | not measured (${args.quick ? '--quick' : args.memory ? 'memory run failed' : '--no-memory'}) | n/a |`,
        );
      }
    }
  }
  L.push('');

  // Environment.
  const pools =
    py.ok && py.pools?.length
      ? py.pools
          .map(
            (p) =>
              `${p.internal_api} ${p.version ?? ''} (${p.user_api}${p.threading_layer ? `, ${p.threading_layer}` : ''}${p.architecture ? `, ${p.architecture} kernels` : ''}, ${p.num_threads} threads)`,
          )
          .join('; ')
      : null;
  L.push('### Environment');
  L.push('');
  L.push(`- CPU: ${cpuInfo()}`);
  L.push(`- OS: ${os.type()} ${os.release()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`);
  L.push(
    `- Node ${NODE_VERSION}${NODE === process.execPath ? ` (V8 ${process.versions.v8})` : ` (${NODE})`}; wasm kernels: ${NODE_VERSION.startsWith('v20.') ? 'the baseline SIMD build (Node 20 does not validate relaxed SIMD without a flag)' : 'the relaxed-SIMD build (fused multiply-adds)'}`,
  );
  L.push(
    py.ok
      ? `- Python ${py.python}, scikit-learn ${py.sklearn}, NumPy ${py.numpy}, SciPy ${py.scipy} (${PYTHON}); ${pools ? `thread pools: ${pools}` : 'thread pools: unknown (no threadpoolctl)'} — scikit-learn ran with its default threading, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (its fastest kernels)`
      : `- scikit-learn: not run (${py.reason})`,
  );
  L.push(
    `- Load average (1, 5, 15 min) at start ${load0.map((v) => v.toFixed(2)).join(', ')}; at end ${load1.map((v) => v.toFixed(2)).join(', ')} — ` +
      'the machine is shared, so other processes may have competed for the cores (see the per-run "load 1m" column)' +
      `${busy ? `; over the run all cores were ${(100 * busy.busy).toFixed(0)}% busy (this benchmark included) and the hypervisor stole ${(100 * busy.steal).toFixed(1)}%` : ''}`,
  );
  const peerVersion = results.some((r) => r.byEngine.peer?.ok) ? packageVersion('gaussian-mixture-model') : null;
  if (peerVersion)
    L.push(
      `- JavaScript peer: gaussian-mixture-model ${peerVersion} (npm), run by bench/peer-once.mjs on ${NODE_VERSION}; cholesky-tools ${packageVersion('cholesky-tools')}`,
    );
  L.push(
    `- fitAsync: ${hasAsync ? '2 worker threads (`fitAsync(X, { workers: 2 })`), wasm backend in each' : 'not present in this build'}`,
  );
  L.push(
    `- Data: ${DATA_DIR}, seed ${SEED}; start: uniform weights, means = K evenly spaced data rows, precisions = diag(1/var) of the data; regCovar 1e-6; initParams 'random_from_data' (its pass is untimed)`,
  );
  L.push(`- Flop model (same for every engine): ${FLOP_MODEL}`);
  L.push(
    '- Timing: gaussmix — gaps between `onIteration` callbacks; scikit-learn — gaps between calls of `_compute_lower_bound` (once per iteration, after the M-step). Both are whole iterations; the first is dropped as warm-up.',
  );
  L.push(
    '- Peak RSS: `process.resourceUsage().maxRSS` (whole process, worker threads included) / `getrusage(RUSAGE_SELF).ru_maxrss`.',
  );
  if (results.some((r) => Object.values(r.byEngine).some((o) => o.ok && o.timing?.startsWith('whole')))) {
    L.push(
      '- † onIteration did not fire once per iteration for this driver: whole fit time / iterations (warm-up included).',
    );
  }
  L.push('');
  if (notes.length) {
    L.push('### Notes');
    L.push('');
    for (const n of notes) L.push(`- ${n}`);
    L.push('');
  }
  return L.join('\n');
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The JavaScript peer beside gaussmix's two single-threaded engines: seconds per iteration, how many times faster
 * wasm and js are, and the mean log-likelihood at the peer's last iteration against wasm's at the same iteration.
 */
function peerSection(results) {
  const L = ['### JavaScript peer: gaussian-mixture-model (npm)', ''];
  L.push(
    'The npm package gaussian-mixture-model, from the same fixed start (its covariances = the inverses of the start precisions), ' +
      'one `runEM(1)` per iteration, in the first round only, at D = 2 and 8 only (see bench/data.mjs). It has no log-likelihood: ' +
      'bench/peer-once.mjs evaluates the mean log-likelihood of X under its parameters in float64 after each iteration (untimed). ' +
      `What differs from gaussmix and scikit-learn: no regCovar (theirs adds 1e-6 to each covariance's diagonal), densities and ` +
      "responsibilities in float32 (theirs: log-densities in float64), each row's density from a fresh D×D inverse of the " +
      `covariance per component; rows are JS arrays added one by one. Agreement: within ${PEER_RTOL.toExponential(0)} relative.`,
  );
  L.push('');
  L.push(
    '| case | peer s/iter | wasm s/iter | js s/iter | peer/wasm | peer/js | after iteration | mean log-lik. peer | mean log-lik. wasm | rel. diff |',
  );
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const p = r.byEngine.peer;
    if (!p) continue;
    const t = (e) => (r.byEngine[e]?.ok ? r.byEngine[e].medianSeconds : null);
    const ratio = (a, b) => (t(a) != null && t(b) != null ? t(a) / t(b) : null);
    if (!p.ok) {
      L.push(
        `| ${r.c.id} | ${p.skipped ? 'skipped' : 'failed'}: ${String(p.error).split('\n')[0]} | | | | | | | | | |`,
      );
      continue;
    }
    const a = r.agree.peer;
    L.push(
      `| ${r.c.id} | ${fmtS(t('peer'))} | ${fmtS(t('wasm'))} | ${fmtS(t('js'))} | ${fmtX(ratio('peer', 'wasm'))} | ${fmtX(ratio('peer', 'js'))} | ` +
        `${a ? a.at - 1 : '–'} | ${a ? a.lb.toPrecision(15) : '–'} | ${a ? a.lbRef.toPrecision(15) : '–'} | ${a ? `${a.rel.toExponential(1)} ${a.ok ? '✓' : '**✗**'}` : '–'} |`,
    );
  }
  return L;
}

main().catch((e) => {
  log(e?.stack ? e.stack : String(e));
  process.exitCode = 1;
});
