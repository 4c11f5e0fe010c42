#!/usr/bin/env node
/**
 * Distributed EM on this machine (issue 18): `gaussmix worker` processes (1, 2, 4; one E-step thread each) over 8
 * and 16 .npy shards, Redis on loopback, full covariances, tol = 0 and a fixed number of iterations. The
 * configurations run in interleaved rounds (each worker count has its own workers on its own prefix), and per
 * configuration the report gives the median over the timed iterations of all rounds (after two warm-up iterations
 * per fit; the workers keep the shards cached after the first read) of:
 *   - seconds per EM iteration (wall time between two onIteration calls of the coordinator);
 *   - the E-step request's wall time on the workers (flow added → merged statistics ready; onRequest.waitMs);
 *   - the coordinator's own part: publishing the parameters and adding the flow, reading the merged statistics,
 *     and the rest of the iteration (the M-step and the generator's bookkeeping);
 *   - bytes through Redis per iteration: the parameters once, each shard's packed statistics, the merged ones;
 * and, beside them, fitStream over the same shards in this one process (one thread, the same kernels).
 *
 *   npm run bench:distributed              # build, then every case (a few minutes); markdown on stdout
 *   node bench/distributed.mjs --quick     # small data, 1 and 2 workers, 8 shards: a smoke test
 *
 * The host has 2 cores shared with other sessions (±30% drift): compare rows of one run with each other.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitDistributed, GaussianMixture } from '../dist/distributed.js';
import { redis } from './distributed-experiments/lib.mjs';

// the fits run a fixed number of iterations (tol = 0): their non-convergence warnings are expected
process.removeAllListeners('warning');
process.on('warning', () => {});

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const quick = process.argv.includes('--quick');
const WARM = 2;
const TIMED = quick ? 3 : 4;
const ROUNDS = quick ? 1 : 3;
const CASES = quick
  ? [{ k: 4, d: 8, n: 40_000 }]
  : [
      { k: 8, d: 16, n: 240_000 },
      { k: 16, d: 64, n: 12_000 },
    ];
const SHARDS = quick ? [8] : [8, 16];
const WORKERS = quick ? [1, 2] : [1, 2, 4];

const log = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** N rows of a K-cluster mixture in D dimensions (a small LCG + Box–Muller: the same data on every run). */
function mixture(n, d, k) {
  let s = 12345;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const centers = Float64Array.from({ length: k * d }, () => (u() - 0.5) * 20);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    for (let j = 0; j < d; j++)
      x[i * d + j] = centers[c * d + j] + Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  }
  return x;
}

/** A float64 C-order .npy file of rows [s, e). */
function writeNpy(path, x, d, s, e) {
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (${e - s}, ${d}), }`;
  const len = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const head = Buffer.concat([
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, len & 255, len >> 8]),
    Buffer.from(`${dict.padEnd(len - 1)}\n`, 'latin1'),
  ]);
  writeFileSync(path, Buffer.concat([head, Buffer.from(x.buffer, s * d * 8, (e - s) * d * 8)]));
}

function startWorker(url, prefix) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'worker', '--redis', url, '--prefix', prefix, '--concurrency', '1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b) => {
      err += b;
      if (err.includes('serving')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
}

const stop = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

/** Bytes of one shard's packed statistics (full covariance: the scatter's upper triangle). */
const statsBytes = (k, d) => 32 + 8 * (2 + k + k * d + (k * d * (d + 1)) / 2);

async function timed(run, model) {
  const stamps = [];
  const requests = [];
  await run(
    { ...model, onIteration: () => stamps.push(performance.now()) },
    (r) => r.kind === 'estep' && requests.push(r),
  );
  const per = [];
  for (let i = WARM; i < stamps.length; i++) per.push(stamps[i] - stamps[i - 1]);
  return { per, requests: requests.slice(WARM) };
}

/** One fit of `model` over `shards` with the workers of `prefix`: its timed iterations and E-step requests. */
async function distributedRun(url, prefix, shards, model) {
  return timed((m, onRequest) => fitDistributed(m, shards, { connection: url, prefix, onRequest }), model);
}

/** fitStream in this process over the same rows, shard after shard (the single-machine baseline). */
async function streamRun(x, c, nShards, model) {
  return timed(async (m) => {
    await new GaussianMixture(m).fitStream(async function* () {
      for (let s = 0; s < nShards; s++) {
        const a = Math.floor((s * c.n) / nShards);
        const b = Math.floor(((s + 1) * c.n) / nShards);
        yield { data: x.subarray(a * c.d, b * c.d), rows: b - a, cols: c.d };
      }
    });
  }, model);
}

const server = await redis.startRedis();
const dir = join(os.tmpdir(), `gaussmix-bench-distributed-${process.pid}`);
mkdirSync(dir, { recursive: true });
const rows = [];
const workers = [];
try {
  // Every worker count has its own workers on its own prefix, all started up front: the configurations then run
  // in interleaved rounds, so the host's drift spreads over all of them instead of favouring one.
  for (const w of WORKERS) {
    for (let i = 0; i < w; i++) workers.push(await startWorker(server.url, `w${w}`));
  }
  for (const c of CASES) {
    const x = mixture(c.n, c.d, c.k);
    const model = { nComponents: c.k, covarianceType: 'full', tol: 0, maxIter: WARM + TIMED + 1, seed: 0 };
    const shardsOf = new Map();
    for (const nShards of SHARDS) {
      const shards = [];
      for (let s = 0; s < nShards; s++) {
        const p = join(dir, `k${c.k}-d${c.d}-s${s}-of-${nShards}.npy`);
        writeNpy(p, x, c.d, Math.floor((s * c.n) / nShards), Math.floor(((s + 1) * c.n) / nShards));
        shards.push(p);
      }
      shardsOf.set(nShards, shards);
    }
    const got = new Map();
    const add = (key, r) => {
      const g = got.get(key) ?? { per: [], requests: [] };
      g.per.push(...r.per);
      g.requests.push(...r.requests);
      got.set(key, g);
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const nShards of SHARDS) {
        log(`K=${c.k} D=${c.d} N=${c.n}, ${nShards} shards: round ${round + 1}/${ROUNDS}`);
        add(`stream-${nShards}`, await streamRun(x, c, nShards, model));
        for (const w of WORKERS)
          add(`${nShards}-${w}`, await distributedRun(server.url, `w${w}`, shardsOf.get(nShards), model));
      }
    }
    for (const nShards of SHARDS) {
      const streamS = median(got.get(`stream-${nShards}`).per) / 1000;
      for (const nWorkers of WORKERS) {
        const r = got.get(`${nShards}-${nWorkers}`);
        const iter = median(r.per);
        const wait = median(r.requests.map((q) => q.waitMs));
        const publish = median(r.requests.map((q) => q.publishMs));
        const read = median(r.requests.map((q) => q.readMs));
        rows.push({
          c,
          nShards,
          nWorkers,
          iter: iter / 1000,
          wait: wait / 1000,
          publish,
          read,
          rest: Math.max(0, iter - wait - publish - read),
          bytes: r.requests[0].paramsBytes + nShards * statsBytes(c.k, c.d) + r.requests[0].readBytes,
          streamS,
        });
      }
    }
  }
} finally {
  await Promise.all(workers.map(stop));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const mb = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const lines = [
  `Distributed EM, ${new Date().toISOString().slice(0, 10)}: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.versions.node}, full covariance, medians of ${ROUNDS} interleaved rounds × ${TIMED} iterations (each fit after ${WARM} warm-up iterations).`,
  '',
  '| K, D, N | shards | worker processes | s / iteration | E-step request (workers) | coordinator: publish + add / read merged / M-step and rest (ms) | bytes through Redis / iteration | fitStream, 1 process (s / iteration) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.c.k}, ${r.c.d}, ${r.c.n.toLocaleString('en')} | ${r.nShards} | ${r.nWorkers} | ${r.iter.toFixed(3)} | ${r.wait.toFixed(3)} | ${r.publish.toFixed(1)} / ${r.read.toFixed(1)} / ${r.rest.toFixed(1)} | ${mb(r.bytes)} | ${r.streamS.toFixed(3)} |`,
  ),
];
console.log(lines.join('\n'));
