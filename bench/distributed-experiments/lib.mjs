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
