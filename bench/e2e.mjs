#!/usr/bin/env node
/**
 * End-to-end benchmark: what users feel — `fit(X)` with default options (k-means start, tol 1e-3) and a BIC sweep —
 * for gaussmix on Node 20 (this process's Node) and Node 24 (bench/node24.mjs) against scikit-learn, each engine in
 * a fresh process, on the same bytes (bench/e2e-data.mjs), several seeds each:
 *   node bench/e2e.mjs [--cases sep-d8,over-d2] [--seeds 0,1,2,3] [--reps 3] [--out bench/results-e2e.md]
 * scikit-learn runs in its fastest correct configuration — OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in its
 * process only (OpenBLAS then picks its AVX-512 kernels on this CPU) — and, as a check that this changes speed only,
 * once more with the environment as it is on the first seed: the two scores must agree to 1e-12.
 * Reported per case: median seconds over seeds (each seed's time a median of `reps` fits), the worst seed's mean
 * log-likelihood of X (score) per engine, and the ratios scikit-learn ÷ gaussmix.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './data.mjs';
import { E2E_CASES, ensureE2E } from './e2e-data.mjs';
import { node24 } from './node24.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const log = (m) => process.stderr.write(`${m}\n`);

function child(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: join(here, '..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (err += b));
    p.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      try {
        const o = JSON.parse(line);
        resolve(o.ok ? o : { ok: false, error: o.error });
      } catch {
        resolve({ ok: false, error: `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

const fastEnv = () => {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};

async function main() {
  const ids = arg('cases', null)?.split(',');
  const cases = E2E_CASES.filter((c) => !ids || ids.includes(c.id));
  const seeds = arg('seeds', '0,1,2,3');
  const reps = arg('reps', '3');
  const n24 = node24();
  if (n24.error) log(`Node 24 skipped: ${n24.error}`);
  const nodes = [{ label: `Node ${process.version}`, path: process.execPath }];
  if (n24.path) nodes.push({ label: `Node ${n24.version}`, path: n24.path });
  const load0 = os.loadavg();
  const rows = [];
  for (const c of cases) {
    const { xPath, metaPath } = ensureE2E(c);
    const res = {};
    for (const n of nodes) {
      log(`${c.id}: gaussmix on ${n.label}`);
      res[n.label] = await child(n.path, [
        join(here, 'e2e-once.mjs'),
        '--case',
        c.id,
        '--seeds',
        seeds,
        '--reps',
        reps,
      ]);
    }
    log(`${c.id}: scikit-learn`);
    const sk = ['bench/sklearn_e2e_once.py', '--x', xPath, '--meta', metaPath];
    res.sklearn = await child('/usr/bin/python3', [...sk, '--seeds', seeds, '--reps', reps], fastEnv());
    const check = await child('/usr/bin/python3', [...sk, '--seeds', seeds.split(',')[0], '--reps', '1']);
    if (res.sklearn.ok && check.ok) {
      const a = res.sklearn.seeds[0].score;
      const b = check.seeds[0].score;
      res.configCheck = Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)) ? 'same score' : `DIFFERENT: ${a} vs ${b}`;
    }
    for (const [k, v] of Object.entries(res)) if (v?.ok === false) log(`  ${k} failed: ${v.error}`);
    rows.push({ c, res });
  }
  const t = (o) => (o?.ok ? median(o.seeds.map((s) => s.seconds)) : null);
  const worst = (o) => (o?.ok ? Math.min(...o.seeds.map((s) => s.score)) : null);
  const f = (v, p = 3) => (v == null ? '–' : v.toFixed(p));
  const L = [];
  L.push(`# gaussmix end-to-end benchmark`);
  L.push('');
  L.push(
    `${new Date().toISOString().replace('T', ' ').replace(/\..*/, ' UTC')} · \`node bench/e2e.mjs${argv.length ? ` ${argv.join(' ')}` : ''}\` · seeds ${seeds}, each the median of ${reps} fits after a warm-up · load average at start ${load0.map((v) => v.toFixed(2)).join(', ')}, at end ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(', ')} (2 cores, shared)`,
  );
  L.push('');
  const heads = nodes.map((n) => n.label);
  L.push(
    `| case | N | D | K | ${heads.map((h) => `gaussmix ${h} s`).join(' | ')} | scikit-learn s | ${heads.map((h) => `speed-up ${h}`).join(' | ')} | worst score: ${heads.map((h) => `gaussmix ${h}`).join(' / ')} / scikit-learn | iterations (gaussmix / scikit-learn) | scikit-learn config check |`,
  );
  L.push(
    `|---|---:|---:|---:|${heads.map(() => '---:|').join('')}---:|${heads.map(() => '---:|').join('')}---|---|---|`,
  );
  for (const { c, res } of rows) {
    const sk = t(res.sklearn);
    const its = (o) => (o?.ok ? o.seeds.map((s) => s.nIter ?? s.best).join(',') : '–');
    L.push(
      `| ${c.id} | ${c.n} | ${c.d} | ${c.k ?? `${c.ks[0]}…${c.ks.at(-1)} × 4 types`} | ${heads.map((h) => f(t(res[h]))).join(' | ')} | ${f(sk)} | ` +
        `${heads.map((h) => (t(res[h]) && sk ? `${(sk / t(res[h])).toFixed(1)}×` : '–')).join(' | ')} | ` +
        `${[...heads.map((h) => f(worst(res[h]), 5)), f(worst(res.sklearn), 5)].join(' / ')} | ${its(res[heads[0]])} / ${its(res.sklearn)} | ${res.configCheck ?? '–'} |`,
    );
  }
  L.push('');
  L.push(
    'Scores are the mean log-likelihood of X under the fitted model (for the BIC sweep: under the chosen model; the iterations column shows the chosen model). ' +
      'gaussmix ran one thread (`fit`); scikit-learn used its default threading (both cores) with OpenBLAS in its fastest configuration.',
  );
  const md = `${L.join('\n')}\n`;
  process.stdout.write(md);
  const out = arg('out', ids ? null : join(here, 'results-e2e.md'));
  if (out) writeFileSync(out, md);
}

main();
