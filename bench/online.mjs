#!/usr/bin/env node
/**
 * Online (stepwise) EM: how the learning-rate schedule and the batch size behave, what one pass costs next to
 * full-batch EM, and that `gaussmix fit --online` holds one batch in memory whatever the input size. Prints a
 * markdown report (bench/online-results.md holds one run); progress goes to stderr.
 *
 *   npm run build && node bench/online.mjs          # all sections, a few minutes on a 2-core machine
 *   node bench/online.mjs --sections schedule,drift # schedule, drift, speed, memory
 *
 * schedule  One pass over a stationary stream (2·10⁵ rows; four overlapping 2-D components on which full-batch EM
 *           needs ~90 iterations) per batch size and learning rate, and per size of the first batch; held-out mean
 *           log-likelihood below that of full-batch EM run to convergence (tol 1e-6), median over three seeds.
 * drift     Four well-separated components whose means all move by 3 halfway through 2·10⁵ rows: the held-out
 *           gap on the new regime to a batch fit on the new rows alone, after 20k…100k rows of it.
 * speed     Seconds for one online pass (batches of 1000), mini-batch fit (batchSize 1000) and full-batch EM (default
 *           tol, and tol 1e-6), side by side in rounds; medians; and each one's held-out gap.
 * memory    Peak RSS of `gaussmix fit --online` over CSV files of N and 4N rows (each run a fresh process).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GaussianMixture, init } from '../dist/index.js';
import { DATA_DIR, makeRng, median } from './data.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const sections = (arg('sections') ?? 'schedule,drift,speed,memory').split(',');
const log = (s) => process.stderr.write(`${s}\n`);

/** Four components in 2-D (as test/integration/online.test.ts): overlapping at scale 1, separated at scale 3. */
function stream(seed, n, scale = 1, shift = 0) {
  const rng = makeRng(seed);
  const means = [
    [0, 0],
    [2.2, 0.3],
    [0.4, 2.4],
    [2.6, 2.2],
  ];
  const dirs = [
    [1, 0],
    [0, 1],
    [-0.6, 0.8],
    [0.6, -0.8],
  ];
  const factors = [
    [1, 0.5, 0.6],
    [0.7, -0.3, 1.1],
    [1.2, 0.2, 0.5],
    [0.6, 0, 0.6],
  ];
  const weights = [0.35, 0.3, 0.2, 0.15];
  const X = [];
  for (let i = 0; i < n; i++) {
    let u = rng.random();
    let c = 0;
    while (c < 3 && u >= weights[c]) u -= weights[c++];
    const [l00, l10, l11] = factors[c];
    const z0 = rng.normal();
    const z1 = rng.normal();
    X.push(
      Float64Array.of(
        scale * means[c][0] + shift * dirs[c][0] + l00 * z0,
        scale * means[c][1] + shift * dirs[c][1] + l10 * z0 + l11 * z1,
      ),
    );
  }
  return X;
}

function learn(gm, X, size, after) {
  for (let s = 0; s < X.length; s += size) {
    gm.partialFit(X.slice(s, s + size));
    after?.(s + size);
  }
  return gm;
}

/**
 * A markdown table padded as the formatter (Biome) pads it, so the report can be committed as printed: `align` is
 * 'l' or 'r' per column.
 */
function table(header, align, rows) {
  const width = (c) => [...c].length;
  const widths = header.map((h, j) => Math.max(3, width(h), ...rows.map((r) => width(r[j]))));
  const pad = (c, j) =>
    align[j] === 'r' ? c.padStart(widths[j] + c.length - width(c)) : c.padEnd(widths[j] + c.length - width(c));
  const line = (cells) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((w, j) => (align[j] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

const rateName = (r) => (typeof r === 'number' ? `constant ${r}` : `κ ${r.kappa}, τ ${r.tau}`);
const f4 = (v) => v.toFixed(4);
const out = [];

out.push('# Online EM benchmark');
out.push('');
out.push(
  `${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC · \`node bench/online.mjs\` · Node ${process.version} · ` +
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · backend ${await init()}`,
);

if (sections.includes('schedule')) {
  log('schedule: reference fit…');
  const all = stream(1, 250_000);
  const train = all.slice(0, 200_000);
  const test = all.slice(200_000);
  const ref = new GaussianMixture({ nComponents: 4, seed: 0, tol: 1e-6, maxIter: 1000 }).fit(train);
  const quick = new GaussianMixture({ nComponents: 4, seed: 0 }).fit(train);
  const best = ref.score(test);
  const rates = [
    { kappa: 0.51, tau: 1 },
    { kappa: 0.6, tau: 1 },
    { kappa: 0.7, tau: 1 },
    { kappa: 0.8, tau: 1 },
    { kappa: 1, tau: 1 },
    { kappa: 0.6, tau: 10 },
    { kappa: 0.6, tau: 64 },
    0.05,
    0.01,
  ];
  const sizes = [10, 100, 1000, 10_000];
  /** One pass: a first batch of `first` rows (fitted by EM), then batches of `size`. */
  const pass = (seed, rate, first, size) => {
    const gm = new GaussianMixture({ nComponents: 4, seed, learningRate: rate });
    gm.partialFit(train.slice(0, first));
    for (let s = first; s < train.length; s += size) gm.partialFit(train.slice(s, s + size));
    return best - gm.score(test);
  };
  const gap = (rate, first, size) => {
    log(`schedule: ${rateName(rate)}, first batch ${first}, batches of ${size}`);
    return f4(median([0, 1, 2].map((seed) => pass(seed, rate, first, size))));
  };
  out.push('');
  out.push('## Learning rate and batch size on a stationary stream');
  out.push('');
  out.push(
    `One pass over 2·10⁵ rows (four overlapping components in 2-D): a first batch of max(1000, batch size) rows, then ` +
      `batches of the given size; then the mean log-likelihood of 5·10⁴ held-out rows, below that of full-batch EM run ` +
      `to convergence (tol 1e-6: ${ref.nIter} iterations, ${f4(best)} nats/row). Median over three seeds of the first ` +
      `batch's initialisation. For scale: full-batch EM with the default tol 1e-3 stops after ${quick.nIter} ` +
      `iterations, ${f4(best - quick.score(test))} below.`,
  );
  out.push('');
  const rows = rates.map((rate) => {
    const mark = typeof rate !== 'number' && rate.kappa === 0.6 && rate.tau === 1 ? ' (default)' : '';
    return [`${rateName(rate)}${mark}`, ...sizes.map((size) => gap(rate, Math.max(1000, size), size))];
  });
  out.push(table(['learning rate', ...sizes.map((s) => `batches of ${s}`)], ['l', ...sizes.map(() => 'r')], rows));
  out.push('');
  out.push(
    'The first batch matters: it is fitted by EM to start, and one pass does not undo a poor start. Default schedule, ' +
      'batches of 100 after a first batch of:',
  );
  out.push('');
  const firsts = [100, 300, 1000, 5000];
  out.push(
    table(
      firsts.map((f) => `${f} rows`),
      firsts.map(() => 'r'),
      [firsts.map((f) => gap({ kappa: 0.6, tau: 1 }, f, 100))],
    ),
  );
}

if (sections.includes('drift')) {
  log('drift…');
  const before = stream(2, 100_000, 3);
  const after = stream(3, 150_000, 3, 3);
  const train = [...before, ...after.slice(0, 100_000)];
  const test = after.slice(100_000);
  const target = new GaussianMixture({ nComponents: 4, seed: 0 }).fit(after.slice(0, 100_000)).score(test);
  const marks = [20_000, 40_000, 60_000, 100_000];
  out.push('');
  out.push('## Drift');
  out.push('');
  out.push(
    'Four well-separated components whose means all move by 3 (in different directions) after 10⁵ rows; batches of ' +
      '1000. Held-out mean log-likelihood on the new regime below that of a batch fit on the 10⁵ new rows alone, after ' +
      'this many rows of the new regime:',
  );
  out.push('');
  const rows = [{ kappa: 0.6, tau: 1 }, { kappa: 1, tau: 1 }, 0.2, 0.1, 0.05, 0.02].map((rate) => {
    log(`drift: ${rateName(rate)}`);
    const gm = new GaussianMixture({ nComponents: 4, seed: 0, learningRate: rate });
    const cells = [];
    learn(gm, train, 1000, (seen) => {
      if (marks.includes(seen - 100_000)) cells.push(f4(target - gm.score(test)));
    });
    return [rateName(rate), ...cells];
  });
  out.push(table(['learning rate', ...marks.map((m) => `${m / 1000}k`)], ['l', ...marks.map(() => 'r')], rows));
}

if (sections.includes('speed')) {
  const data = stream(4, 250_000);
  const all = data.slice(0, 200_000);
  const test = data.slice(200_000);
  const runs = {
    'online, one pass, batches of 1000': () => learn(new GaussianMixture({ nComponents: 4, seed: 0 }), all, 1000),
    'mini-batch fit, batchSize 1000': () =>
      new GaussianMixture({ nComponents: 4, seed: 0 }).fit(all, { batchSize: 1000 }),
    'full-batch EM, tol 1e-3 (default)': () => new GaussianMixture({ nComponents: 4, seed: 0 }).fit(all),
    'full-batch EM, tol 1e-6': () =>
      new GaussianMixture({ nComponents: 4, seed: 0, tol: 1e-6, maxIter: 1000 }).fit(all),
  };
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const iters = {};
  const scores = {};
  for (let round = 0; round < 5; round++) {
    for (const [name, f] of Object.entries(runs)) {
      log(`speed: round ${round + 1}, ${name}`);
      const t0 = performance.now();
      const gm = f();
      times[name].push((performance.now() - t0) / 1000);
      scores[name] = gm.score(test);
      iters[name] =
        gm.nBatches === 0
          ? `${gm.nIter} iterations`
          : gm.converged
            ? `${gm.nIter} passes, ${gm.nBatches} updates`
            : `${gm.nBatches} updates`;
    }
  }
  out.push('');
  out.push('## Speed');
  out.push('');
  out.push(
    '2·10⁵ rows of the stationary stream, four components, full covariances; 5 interleaved rounds, medians; the ' +
      'held-out mean log-likelihood below that of the converged fit (tol 1e-6).',
  );
  out.push('');
  const best = scores['full-batch EM, tol 1e-6'];
  const rows = Object.entries(times).map(([name, t]) => [
    name,
    iters[name],
    median(t).toFixed(3),
    `${Math.min(...t).toFixed(3)} – ${Math.max(...t).toFixed(3)}`,
    f4(best - scores[name]),
  ]);
  out.push(table(['fit', 'work', 'seconds (median)', 'min – max', 'held-out gap'], ['l', 'l', 'r', 'r', 'r'], rows));
}

if (sections.includes('memory')) {
  mkdirSync(DATA_DIR, { recursive: true });
  const cli = join(root, 'dist/cli.js');
  const csv = async (n) => {
    const path = join(DATA_DIR, `online-${n}.csv`);
    if (existsSync(path)) return path;
    log(`memory: writing ${n} rows to ${path}`);
    const file = createWriteStream(path);
    const rng = makeRng(n);
    file.write('x,y,z,w\n');
    for (let i = 0; i < n; i++) {
      const c = i % 4;
      const line = `${c * 5 + rng.normal()},${rng.normal() - c},${2 * rng.normal()},${c + rng.normal()}\n`;
      if (!file.write(line)) await new Promise((r) => file.once('drain', r));
    }
    await new Promise((r) => file.end(r));
    return path;
  };
  const rss = (path) => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        // reports the child's own peak RSS when it exits
        'data:text/javascript,process.on("exit",()=>process.stderr.write("maxRSS "+process.resourceUsage().maxRSS+"\\n"))',
        cli,
        'fit',
        path,
        '-k',
        '4',
        '--online',
        '--batch-size',
        '1000',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(r.stderr);
    return Number(/maxRSS (\d+)/.exec(r.stderr)[1]) / 1024;
  };
  out.push('');
  out.push('## Memory of `gaussmix fit --online`');
  out.push('');
  out.push('Peak RSS of one process per run, 4 features, K = 4, batches of 1000; CSV size for scale.');
  out.push('');
  const rows = [];
  for (const n of [250_000, 1_000_000]) {
    const path = await csv(n);
    log(`memory: ${n} rows`);
    const peaks = [0, 1].map(() => rss(path));
    rows.push([n.toLocaleString('en'), (statSync(path).size / 2 ** 20).toFixed(1), median(peaks).toFixed(1)]);
  }
  out.push(table(['rows', 'CSV (MiB)', 'peak RSS (MiB)'], ['r', 'r', 'r'], rows));
}

process.stdout.write(`${out.join('\n')}\n`);
