/**
 * Shared bits of the distributed-driver experiments: the Redis test harness (test/helpers/redis.ts, transpiled
 * on the fly with esbuild so these plain .mjs scripts run on Node 20 as well as 24), timing and stats helpers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { readFileSync } from 'node:fs';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');

async function loadTs(rel) {
  const src = readFileSync(join(root, rel), 'utf8');
  const { code } = await transform(src, { loader: 'ts', format: 'esm', target: 'node18' });
  const dir = join(tmpdir(), 'gaussmix-dist-exp');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${rel.replace(/[/.]/g, '_')}-${process.pid}.mjs`);
  writeFileSync(out, code);
  return import(pathToFileURL(out).href);
}

export const redis = await loadTs('test/helpers/redis.ts');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: s[0], median: q(0.5), p90: q(0.9), max: s[s.length - 1] };
}

export const fmt = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : String(x));

/** Prints a line prefixed with the node version (results are compared across Node 20 and 24). */
export function report(...args) {
  console.log(`[node ${process.versions.node}]`, ...args);
}

/** Busy CPU for `ms` milliseconds (blocks the event loop, like a long E-step would). */
export function burn(ms) {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
  return x;
}

/**
 * Starts worker-proc.mjs with `opts` in its own process group (so killHard(child, { group: true }) also takes its
 * sandbox children); resolves once it printed "ready".
 */
const workerGroups = new Set();
let workerHook = false;
export async function startWorkerProcess(opts, { node = process.execPath } = {}) {
  const { spawn } = await import('node:child_process');
  const child = spawn(node, [join(here, 'worker-proc.mjs'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  // detached (own process group), so they would outlive this script if it died: kill their groups on exit
  workerGroups.add(child.pid);
  child.once('exit', () => workerGroups.delete(child.pid));
  if (!workerHook) {
    workerHook = true;
    const killAll = () => {
      for (const pid of workerGroups) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
      }
    };
    process.on('exit', killAll);
    for (const sig of ['SIGTERM', 'SIGINT'])
      process.once(sig, () => {
        killAll();
        process.exit(128 + (sig === 'SIGTERM' ? 15 : 2));
      });
  }
  await new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d;
      if (buf.includes('ready')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return child;
}

/** SIGTERM a worker process (graceful close) and wait for it; SIGKILL its group if it takes longer than `ms`. */
export async function stopWorkerProcess(child, ms = 10000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }, ms);
  await done;
  clearTimeout(t);
}

/** The events of a queue's stream, as [{ event, jobId, ... , t }] (t: ms since the first). */
export async function queueEvents(r, queue) {
  const rows = await r.xrange(`bull:${queue}:events`, '-', '+');
  const t0 = rows.length ? Number(rows[0][0].split('-')[0]) : 0;
  return rows.map(([id, kv]) => {
    const o = { t: Number(id.split('-')[0]) - t0 };
    for (let i = 0; i < kv.length; i += 2) o[kv[i]] = kv[i + 1].length > 80 ? `${kv[i + 1].slice(0, 80)}…` : kv[i + 1];
    return o;
  });
}
