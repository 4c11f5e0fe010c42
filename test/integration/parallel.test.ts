/**
 * fitAsync: EM on worker threads. The reference is always the synchronous `fit` with the same options and data
 * (the only difference is the order in which per-segment statistics are added, ~1e-16 relative), so results must
 * agree to 1e-10; plus the event loop keeps running, aborts, typed errors, concurrency and no leaked workers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DataError,
  FitError,
  GaussianMixture,
  OptionError,
  type FitAsyncOptions,
  type GaussianMixtureOptions,
  type Matrix,
} from '../../src/index.js';
import { segmentBounds, setForceCopies } from '../../src/drivers/workers/driver.js';
import { mStepPartCount } from '../../src/model/mstep.js';
import type { Params } from '../../src/model/params.js';
import type { SufficientStats } from '../../src/model/stats.js';
import { settleSharedBuffer, takeSharedBuffer, terminateIdleWorkers } from '../../src/drivers/workers/pool.js';
import { liveWorkers, startedWorkers } from '../../src/drivers/workers/spawn.js';
import { workerSource } from '../../build/worker-source.js';
import { chromiumPath, noChromium } from '../helpers/chromium.js';
import { expectClose } from '../helpers/compare.js';
import { mixture } from '../helpers/data.js';

const TOL = 1e-10;

/** Asserts two fitted models agree to TOL (the parameters, the lower bound and the bookkeeping). */
function expectSameFit(a: GaussianMixture, b: GaussianMixture, label: string): void {
  expect(a.backend, `${label}: backend`).toBe(b.backend);
  expect(a.nIter, `${label}: nIter`).toBe(b.nIter);
  expect(a.converged, `${label}: converged`).toBe(b.converged);
  expectClose(a.weights, b.weights, TOL, `${label}: weights`);
  expectClose(a.means, b.means, TOL, `${label}: means`);
  expectClose(a.covariances, b.covariances, TOL, `${label}: covariances`);
  expectClose(a.precisionsCholesky, b.precisionsCholesky, TOL, `${label}: precisionsCholesky`);
  if (Number.isFinite(b.lowerBound)) expectClose(a.lowerBound, b.lowerBound, TOL, `${label}: lowerBound`);
  else expect(a.lowerBound, `${label}: lowerBound`).toBe(b.lowerBound); // -Infinity after maxIter 0
}

async function compare(
  X: Matrix,
  opts: GaussianMixtureOptions,
  fitOpts: FitAsyncOptions,
  label: string,
): Promise<void> {
  const ref = new GaussianMixture(opts).fit(X, { sampleWeight: fitOpts.sampleWeight });
  const got = await new GaussianMixture(opts).fitAsync(X, fitOpts);
  expectSameFit(got, ref, label);
}

const { X: X3 } = mixture(11, 600, 3, 3, 4); // overlapping enough that EM runs many iterations
const faithful = readFileSync(new URL('../../data/faithful.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number));

afterEach(async () => {
  setForceCopies(false);
  await terminateIdleWorkers();
  expect(liveWorkers(), 'workers still running after the test').toBe(0);
});

describe('fitAsync worker bundle', () => {
  it('build/worker-source.ts is up to date with src (else run `npm run build:wasm`)', async () => {
    const script = new URL('../../scripts/build-worker.mjs', import.meta.url).href;
    const mod = (await import(/* @vite-ignore */ script)) as { bundleWorker(): Promise<string> };
    const fresh = await mod.bundleWorker();
    expect(
      fresh === workerSource,
      'the worker bundle is stale: run `npm run build:wasm` (or `npm run build:worker`)',
    ).toBe(true);
  });
});

describe('segmentBounds', () => {
  it('cuts n rows into a multiple of the worker count, ≤ 8 segments per worker, of ≥ 4096 rows beyond one each, statistics ≤ 4 MB', () => {
    for (const [n, workers, k, d] of [
      [3, 3, 1, 2],
      [600, 2, 3, 3],
      [8191, 2, 4, 2],
      [1e6, 2, 4, 2],
      [1e6, 3, 4, 2],
      [2e4, 2, 16, 64],
      [1e5, 2, 50, 200],
    ]) {
      const b = segmentBounds(n, workers, k, d);
      const s = b.length - 1;
      expect(b[0]).toBe(0);
      expect(b[s]).toBe(n);
      for (let i = 0; i < s; i++) expect(b[i + 1], `n=${n} segment ${i}`).toBeGreaterThan(b[i]);
      expect(s).toBeGreaterThanOrEqual(workers);
      expect(s % workers, `n=${n}: ${s} segments for ${workers} workers`).toBe(0);
      expect(s).toBeLessThanOrEqual(8 * workers);
      if (s > workers) {
        expect(Math.floor(n / s)).toBeGreaterThanOrEqual(4096);
        expect(s * 8 * k * d * d).toBeLessThanOrEqual(1 << 22);
      }
    }
    expect(segmentBounds(1e6, 2, 4, 2).length - 1).toBe(16);
    expect(segmentBounds(3e5, 3, 4, 2).length - 1).toBe(24);
    expect(segmentBounds(3e4, 2, 4, 2).length - 1).toBe(6); // 7 of ≥ 4096 rows, rounded down to a multiple of 2
    expect(segmentBounds(2e4, 2, 16, 64).length - 1).toBe(4); // 0.5 MB of statistics per segment
    expect(segmentBounds(1e6, 2, 16, 64).length - 1).toBe(6); // 7 fit in 4 MB: rounded down to a multiple of 2
    expect(segmentBounds(1e5, 2, 50, 200).length - 1).toBe(2); // 16 MB per segment: one per worker
  });
});

describe('fitAsync equals fit to 1e-10', () => {
  it('for every covariance type, 1–3 workers, both backends', async () => {
    let t = 0;
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
      for (const backend of ['wasm', 'js'] as const) {
        const workers = 1 + (t++ % 3);
        await compare(
          X3,
          { nComponents: 3, covarianceType, backend, seed: 3, tol: 1e-6, maxIter: 60 },
          { workers },
          `${covarianceType}/${backend}/${workers} workers`,
        );
      }
    }
  });

  it('with sample weights, restarts and every initParams', async () => {
    const sampleWeight = X3.map((_, i) => (i % 7 === 0 ? 0 : 0.5 + (i % 5)));
    let t = 0;
    for (const initParams of ['kmeans', 'k-means++', 'random', 'random_from_data'] as const) {
      const workers = 1 + (t % 3);
      const backend = t++ % 2 ? 'js' : 'wasm';
      await compare(
        X3,
        { nComponents: 3, initParams, nInit: 3, seed: 9, backend, covarianceType: 'full' },
        { workers, sampleWeight },
        `${initParams}/nInit 3/weighted/${workers} workers`,
      );
      await compare(
        faithful,
        { nComponents: 2, initParams, nInit: 2, seed: t },
        { workers: 3 },
        `${initParams}/faithful`,
      );
    }
  });

  it("k-means initialisation fans out, including Lloyd's relocation of empty clusters (worker 0's farthest rows)", async () => {
    // 3 distinct points for 4 clusters: a cluster stays empty, so every Lloyd iteration relocates it
    const X = Array.from({ length: 60 }, (_, i) => [5 * (i % 3), i % 3 === 2 ? 1 : 0]);
    for (const workers of [2, 3]) {
      await compare(
        X,
        { nComponents: 4, onDegenerate: 'reset', regCovar: 1e-3, seed: 1, maxIter: 20 },
        { workers },
        `empty clusters/${workers} workers`,
      );
    }
    // and plain k-means initialisation on a larger sample, split unevenly
    await compare(X3, { nComponents: 5, seed: 4, maxIter: 3 }, { workers: 3 }, 'kmeans init/3 workers');
  });

  it('when workers take many segments from the shared counter (results independent of who served which)', async () => {
    // 30000 rows: 6 segments of ≥ 4096 rows for 2 and 3 workers, so every pass is shared out dynamically
    const { X } = mixture(21, 30000, 2, 3, 3);
    expect(segmentBounds(X.length, 2, 3, 2).length - 1).toBe(6);
    expect(segmentBounds(X.length, 3, 3, 2).length - 1).toBe(6);
    const sampleWeight = X.map((_, i) => 0.5 + (i % 3));
    const opts = { nComponents: 3, seed: 2, tol: 0, maxIter: 15, initParams: 'kmeans' as const };
    const ref = new GaussianMixture(opts).fit(X, { sampleWeight });
    for (const workers of [2, 3]) {
      const a = await new GaussianMixture(opts).fitAsync(X, { workers, sampleWeight });
      expectSameFit(a, ref, `${workers} workers, 6 segments`);
      // a second run claims segments differently, but adds them in the same order: bit for bit the same model
      const b = await new GaussianMixture(opts).fitAsync(X, { workers, sampleWeight });
      expect(b.means).toEqual(a.means);
      expect(b.covariances).toEqual(a.covariances);
      expect(b.lowerBound).toBe(a.lowerBound);
    }
  });

  it('when the M-step is shared out among the workers (K·D³ ≥ 2¹⁸), degenerate components included', async () => {
    const { X } = mixture(31, 1500, 32, 8, 12);
    // a fit whose parts are joined (2 and 3 workers) and one where a component collapses onto a point and is re-seeded
    const prev = { k: 8, d: 32, covType: 'full' as const } as Params;
    expect(
      mStepPartCount({ d: 32 } as SufficientStats, prev, { covType: 'full', regCovar: 0, freeze: [], iteration: 1 }, 2),
    ).toBe(2);
    for (const workers of [2, 3])
      await compare(X, { nComponents: 8, seed: 5, maxIter: 6, tol: 0 }, { workers }, `d = 32, ${workers} workers`);
    // 40 copies of one far-away row and regCovar 0: the ninth component's k-means start sits on them (not positive
    // definite), and it is re-seeded
    const far = X[0].map((v) => v + 1000);
    const collapsing = X.map((row, i) => (i < 40 ? far : row));
    const opts = { nComponents: 9, seed: 2, maxIter: 3, tol: 0, regCovar: 0, onDegenerate: 'reset' as const };
    const ref = new GaussianMixture(opts).fit(collapsing);
    const got = await new GaussianMixture(opts).fitAsync(collapsing, { workers: 2 });
    expect(ref.resets?.length, 'a component was re-seeded').toBeGreaterThan(0);
    expect(got.resets).toEqual(ref.resets);
    expectSameFit(got, ref, 'd = 32, a collapsing component re-seeded');
    // run longer, re-seeding gives up: the same DegenerateError, its diagnosis from the part that factored the block
    const failing = { ...opts, maxIter: 8 };
    let message = '';
    try {
      new GaussianMixture(failing).fit(collapsing);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/component \d+ is not positive definite/);
    await expect(new GaussianMixture(failing).fitAsync(collapsing, { workers: 2 })).rejects.toThrow(message);
  });

  it('with k-means++ seeding spread over the workers (several seeding chunks each), weighted and not', async () => {
    const { X } = mixture(23, 140000, 2, 5, 4); // 3 seeding chunks of 65536 rows
    const sampleWeight = X.map((_, i) => (i % 11 === 0 ? 0 : 1 + (i % 4)));
    for (const initParams of ['k-means++', 'kmeans'] as const) {
      const opts = { nComponents: 5, seed: 4, maxIter: 3, tol: 0, initParams, nInit: 2 };
      await compare(X, opts, { workers: 2 }, `${initParams}/2 workers`);
      await compare(X, opts, { workers: 3, sampleWeight }, `${initParams}/3 workers/weighted`);
    }
    setForceCopies(true); // without shared memory worker 0 seeds alone
    await compare(X, { nComponents: 5, seed: 4, maxIter: 3, tol: 0 }, { workers: 2, sampleWeight }, 'copies/weighted');
  });

  it('for X as number[][], Float64Array[], { data, rows, cols } and a SharedArrayBuffer-backed { data }', async () => {
    const opts = { nComponents: 3, seed: 1, covarianceType: 'diag' as const };
    const ref = new GaussianMixture(opts).fit(X3);
    const n = X3.length;
    const dense = new Float64Array(n * 3);
    X3.forEach((row, i) => dense.set(row, i * 3));
    const shared = new Float64Array(new SharedArrayBuffer(dense.byteLength));
    shared.set(dense);
    const inputs: [string, Matrix][] = [
      ['number[][]', X3],
      ['Float64Array[]', X3.map((r) => Float64Array.from(r))],
      ['dense', { data: dense, rows: n, cols: 3 }],
      ['dense number[]', { data: Array.from(dense), rows: n, cols: 3 }],
      ['shared dense', { data: shared, rows: n, cols: 3 }],
    ];
    for (const [label, X] of inputs)
      expectSameFit(await new GaussianMixture(opts).fitAsync(X, { workers: 2 }), ref, label);
    expect(shared).toEqual(dense); // read, never written
  });

  it('without shared memory (per-worker copies, as in a browser that is not cross-origin isolated)', async () => {
    setForceCopies(true);
    const sampleWeight = X3.map((_, i) => 1 + (i % 3));
    await compare(X3, { nComponents: 3, seed: 4, nInit: 2 }, { workers: 3, sampleWeight }, 'copies');
    await compare(X3, { nComponents: 3, seed: 4, initParams: 'random' }, { workers: 2 }, 'copies/random');
  });

  it('for hard EM, frozen groups, user starts, warm starts and maxIter 0', async () => {
    await compare(X3, { nComponents: 3, algorithm: 'hard', seed: 2 }, { workers: 2 }, 'hard');
    await compare(X3, { nComponents: 3, freeze: ['weights'], seed: 2 }, { workers: 3 }, 'freeze weights');
    await compare(
      X3,
      {
        nComponents: 2,
        meansInit: [
          [0, 0, 0],
          [5, 5, 5],
        ],
        seed: 2,
      },
      { workers: 2 },
      'meansInit',
    );
    await compare(X3, { nComponents: 3, maxIter: 0 }, { workers: 2 }, 'maxIter 0');

    const opts = { nComponents: 3, warmStart: true, maxIter: 5, tol: 0, seed: 6 };
    const a = new GaussianMixture(opts).fit(X3).fit(X3);
    const b = await (await new GaussianMixture(opts).fitAsync(X3, { workers: 2 })).fitAsync(X3, { workers: 3 });
    expectSameFit(b, a, 'warm start');
    expect(b.warnings).toEqual(a.warnings);
  });

  it("with onDegenerate: 'reset' (the driver merges the workers' worst-explained rows)", async () => {
    const { X } = mixture(1, 300, 2, 2, 8);
    // Far outliers (duplicated, at both ends, so they fall to different workers) keep collapsing a component.
    const Xo = [[200, 200], ...X, [200, 200], [-150, 90]];
    const seen: number[] = [];
    const opts = (reset: boolean): GaussianMixtureOptions => ({
      nComponents: 3,
      regCovar: 0,
      seed: 0,
      tol: 0,
      maxIter: 12,
      onDegenerate: 'reset',
      onIteration: ({ iter, change }) => {
        if (reset && iter > 1 && change === Infinity) seen.push(iter);
      },
    });
    const ref = new GaussianMixture(opts(true)).fit(Xo);
    expect(seen.length, 'resets happened (the change is +∞ right after one)').toBeGreaterThan(0);
    for (const workers of [2, 3])
      expectSameFit(await new GaussianMixture(opts(false)).fitAsync(Xo, { workers }), ref, `reset/${workers}`);
    // giving up (re-seeded components keep collapsing onto isolated points) is the same DegenerateError as in fit
    const seed = 272376;
    const { X: Z } = mixture(seed, 60, 2, 2, 6);
    const Zo = [...Z, ...Array.from({ length: 3 }, () => [Z[0][0] + 30, Z[0][1]]), [Z[1][0] - 30, Z[1][1] + 30]];
    const long: GaussianMixtureOptions = {
      nComponents: 3,
      regCovar: 0,
      onDegenerate: 'reset',
      tol: 0,
      maxIter: 200,
      seed,
      initParams: 'random_from_data',
    };
    let sync: Error | undefined;
    try {
      new GaussianMixture(long).fit(Zo);
    } catch (e) {
      sync = e as Error;
    }
    expect(sync?.name).toBe('DegenerateError');
    for (const workers of [2, 3]) {
      await expect(new GaussianMixture(long).fitAsync(Zo, { workers })).rejects.toMatchObject({
        name: sync!.name,
        message: sync!.message,
      });
    }
  });

  it('with more workers than rows, and with the default worker count', async () => {
    await compare(
      [
        [1, 2],
        [3, 1],
        [0, 5],
      ],
      { nComponents: 1 },
      { workers: 8 },
      'workers > rows',
    );
    await compare(faithful, { nComponents: 2, seed: 1 }, {}, 'default workers');
  });

  it('calls onIteration on the main thread with the same sequence as fit', async () => {
    const seen: [string, number, number, number][] = [];
    const opts = (tag: string): GaussianMixtureOptions => ({
      nComponents: 2,
      nInit: 2,
      seed: 5,
      onIteration: ({ init, iter, lowerBound }) => seen.push([tag, init, iter, lowerBound]),
    });
    new GaussianMixture(opts('sync')).fit(faithful);
    await new GaussianMixture(opts('async')).fitAsync(faithful, { workers: 2 });
    const sync = seen.filter((s) => s[0] === 'sync');
    const async = seen.filter((s) => s[0] === 'async');
    expect(async.map((s) => s.slice(1, 3))).toEqual(sync.map((s) => s.slice(1, 3)));
    expectClose(
      async.map((s) => s[3]),
      sync.map((s) => s[3]),
      TOL,
      'lower bounds per iteration',
    );
  });
});

describe('fitAsync concurrency and the event loop', () => {
  it('keeps the event loop running during a fit', async () => {
    const { X } = mixture(2, 20000, 4, 4, 3);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await new GaussianMixture({ nComponents: 4, tol: 0, maxIter: 40, seed: 1 }).fitAsync(X, { workers: 2 });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(5);
  });

  it('lets the event loop run while it checks X, and still names the bad value', async () => {
    // 10⁵ × 2 values: more than one slice of the check. A callback queued just before the call runs before the
    // rejection only if the check yields to the event loop (a synchronous check would reject first).
    const data = new Float64Array(200000).map((_, i) => Math.sin(i));
    data[199999] = NaN;
    let ticked = false;
    setImmediate(() => (ticked = true));
    const p = new GaussianMixture({ nComponents: 2 }).fitAsync({ data, rows: 100000, cols: 2 }, { workers: 2 });
    await expect(p).rejects.toSatisfy(
      (e) =>
        e instanceof DataError && e.row === 99999 && e.column === 1 && /row 99999, column 1 is NaN/.test(e.message),
    );
    expect(ticked, 'the event loop ran during the check').toBe(true);
    // an abort between slices stops the check with the signal's reason
    const ac = new AbortController();
    setImmediate(() => ac.abort(new Error('stop')));
    const q = new GaussianMixture({ nComponents: 2 }).fitAsync(
      { data, rows: 100000, cols: 2 },
      { workers: 2, signal: ac.signal },
    );
    await expect(q).rejects.toThrow('stop');
  });

  it('many concurrent fits on different models give the sequential results', async () => {
    const jobs = [
      { X: X3, opts: { nComponents: 3, seed: 1 } },
      { X: faithful, opts: { nComponents: 2, covarianceType: 'tied' as const, seed: 2 } },
      { X: X3, opts: { nComponents: 2, covarianceType: 'spherical' as const, backend: 'js' as const, seed: 3 } },
      { X: faithful, opts: { nComponents: 3, initParams: 'random' as const, seed: 4 } },
      { X: X3, opts: { nComponents: 4, covarianceType: 'diag' as const, nInit: 2, seed: 5 } },
    ];
    const refs = jobs.map((j) => new GaussianMixture(j.opts).fit(j.X));
    const got = await Promise.all(
      jobs.map((j, i) => new GaussianMixture(j.opts).fitAsync(j.X, { workers: 1 + (i % 2) })),
    );
    got.forEach((g, i) => expectSameFit(g, refs[i], `job ${i}`));
  });
});

describe('fitAsync leaves nothing running', () => {
  it('a Node process exits on its own after successful, aborted and failed fits', async () => {
    const lib = (
      await build({
        entryPoints: [new URL('../../src/index.ts', import.meta.url).pathname],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'node',
        target: 'node18',
        logLevel: 'silent',
      })
    ).outputFiles[0].text;
    const dir = mkdtempSync(join(tmpdir(), 'gaussmix-exit-'));
    try {
      writeFileSync(join(dir, 'gaussmix.mjs'), lib);
      writeFileSync(
        join(dir, 'main.mjs'),
        `
        import { FitError, GaussianMixture } from './gaussmix.mjs';
        const X = ${JSON.stringify(faithful)};
        const gm = await new GaussianMixture({ nComponents: 2 }).fitAsync(X, { workers: 2 });
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 20);
        const aborted = await new GaussianMixture({ nComponents: 2, tol: 0, maxIter: 1e6 })
          .fitAsync(X, { workers: 2, signal: ac.signal }).then(() => 'resolved', (e) => e.name);
        const failed = await new GaussianMixture({ nComponents: 2, regCovar: 0 })
          .fitAsync([[1, 1], [1, 1], [2, 2], [2, 2]], { workers: 2 }).then(() => 'resolved', (e) => e instanceof FitError ? 'FitError' : e.name);
        console.log(JSON.stringify({ backend: gm.backend, aborted, failed }));
      `,
      );
      const t0 = performance.now();
      const run = spawnSync(process.execPath, [join(dir, 'main.mjs')], { encoding: 'utf8', timeout: 30_000 });
      expect(run.error, 'the process did not exit within 30 s').toBeUndefined();
      // idle pooled workers wait 10 s for another fit, but must not keep the process alive meanwhile
      expect(performance.now() - t0, 'the process waited for its idle workers').toBeLessThan(8000);
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ backend: 'wasm', aborted: 'AbortError', failed: 'FitError' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fitAsync worker pool', () => {
  it('reuses idle workers for the next fits (after successes and typed errors), and terminateIdleWorkers ends them', async () => {
    const s0 = startedWorkers();
    const started = (): number => startedWorkers() - s0;
    const opts = { nComponents: 2, seed: 1 };
    expectSameFit(
      await new GaussianMixture(opts).fitAsync(faithful, { workers: 2 }),
      new GaussianMixture(opts).fit(faithful),
      'first fit',
    );
    expect(started()).toBe(2);
    expect(liveWorkers(), 'idle in the pool').toBe(2);
    // other data and model: the pooled workers dropped the first fit's rows and serve this one from scratch
    const opts3 = { nComponents: 3, seed: 2, covarianceType: 'diag' as const };
    expectSameFit(
      await new GaussianMixture(opts3).fitAsync(X3, { workers: 2 }),
      new GaussianMixture(opts3).fit(X3),
      'second fit',
    );
    expect(started()).toBe(2);
    // a typed error from the fit leaves the workers idle and reusable
    await expect(
      new GaussianMixture({ nComponents: 2, regCovar: 0 }).fitAsync(
        [
          [1, 1],
          [1, 1],
          [2, 2],
          [2, 2],
        ],
        { workers: 2 },
      ),
    ).rejects.toThrow(FitError);
    setForceCopies(true); // and without shared memory (per-worker copies)
    expectSameFit(
      await new GaussianMixture(opts).fitAsync(faithful, { workers: 2 }),
      new GaussianMixture(opts).fit(faithful),
      'copies',
    );
    expect(started()).toBe(2);
    // more workers than idle ones: takes those and starts the rest, up to the process-wide bound (the available cores
    // by default; issue 11 capped fitAsync's workers there), which is also the most the pool keeps
    await new GaussianMixture(opts).fitAsync(faithful, { workers: 3 });
    expect(started()).toBe(Math.max(2, Math.min(3, availableParallelism())));
    expect(liveWorkers()).toBe(Math.min(3, availableParallelism()));
    await terminateIdleWorkers();
    expect(liveWorkers()).toBe(0);
  });

  it('reuses one shared buffer for the copies of X while workers are idle, and pools no large private copies', async () => {
    const { X } = mixture(3, 20000, 2, 2, 6);
    await new GaussianMixture({ nComponents: 2, seed: 1 }).fitAsync(X, { workers: 2 });
    // the fit's copy of X (20000 × 2 doubles) waits with the idle workers for the next fit, which takes it
    const spare = takeSharedBuffer(8);
    expect(spare.byteLength).toBe(20000 * 2 * 8);
    settleSharedBuffer(spare);
    await terminateIdleWorkers(); // and goes with them
    expect(takeSharedBuffer(8).byteLength).toBe(8);
    // also when the next fit takes the idle workers and then fails: no worker is left to hold the old copy
    await new GaussianMixture({ nComponents: 2, seed: 1 }).fitAsync(X, { workers: 2 });
    const { X: twice } = mixture(5, 40000, 2, 2, 6);
    const ac = new AbortController();
    const m = new GaussianMixture({
      nComponents: 2,
      tol: 0,
      maxIter: 1e6,
      onIteration: ({ iter }) => {
        if (iter === 2) ac.abort();
      },
    });
    await expect(m.fitAsync(twice, { workers: 2, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(liveWorkers()).toBe(0);
    expect(takeSharedBuffer(8).byteLength).toBe(8);
    // …and when that fit needed no buffer of the pool (X already shared, no weights)
    await new GaussianMixture({ nComponents: 2, seed: 1 }).fitAsync(X, { workers: 2 });
    const data = new Float64Array(new SharedArrayBuffer(twice.length * 16));
    twice.forEach((r, i) => data.set(r, 2 * i));
    const ac2 = new AbortController();
    const m2 = new GaussianMixture({
      nComponents: 2,
      tol: 0,
      maxIter: 1e6,
      onIteration: ({ iter }) => {
        if (iter === 2) ac2.abort();
      },
    });
    await expect(
      m2.fitAsync({ data, rows: twice.length, cols: 2 }, { workers: 2, signal: ac2.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(liveWorkers()).toBe(0);
    expect(takeSharedBuffer(8).byteLength).toBe(8);
    // without shared memory, workers holding more than 4 MiB of private copies are not pooled
    setForceCopies(true);
    const { X: big } = mixture(4, 300000, 2, 2, 6); // 4.8 MB
    await new GaussianMixture({ nComponents: 2, seed: 1, maxIter: 2 }).fitAsync(big, { workers: 2 });
    expect(liveWorkers()).toBe(0);
  });

  it('terminates rather than pools the workers of an aborted fit', async () => {
    const s0 = startedWorkers();
    await new GaussianMixture({ nComponents: 2 }).fitAsync(faithful, { workers: 2 });
    const ac = new AbortController();
    const m = new GaussianMixture({
      nComponents: 2,
      tol: 0,
      maxIter: 1e6,
      onIteration: ({ iter }) => {
        if (iter === 2) ac.abort();
      },
    });
    await expect(m.fitAsync(faithful, { workers: 2, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(startedWorkers() - s0, 'the aborted fit reused the idle workers').toBe(2);
    expect(liveWorkers(), "the aborted fit's workers were terminated").toBe(0);
  });
});

describe('fitAsync aborts and errors', () => {
  let fitted: GaussianMixture;
  let snapshot: string;
  beforeAll(() => {
    fitted = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(faithful);
    snapshot = JSON.stringify(fitted.toJSON());
  });
  const unchanged = (): void => expect(JSON.stringify(fitted.toJSON())).toBe(snapshot);

  it('rejects at once with the reason of an already-aborted signal, starting no worker', async () => {
    const reason = new Error('stop');
    await expect(fitted.fitAsync(X3, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(fitted.fitAsync(X3, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    unchanged();
  });

  it('aborts mid-fit: rejects with the reason, terminates the workers, keeps the model', async () => {
    const { X } = mixture(5, 20000, 4, 3, 3);
    const ac = new AbortController();
    const m = new GaussianMixture({
      nComponents: 3,
      tol: 0,
      maxIter: 1000,
      seed: 0,
      onIteration: ({ iter }) => {
        if (iter === 3) ac.abort();
      },
    });
    const before = JSON.stringify(fitted.toJSON());
    await expect(m.fitAsync(X, { workers: 2, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(m.isFitted).toBe(false);
    expect(liveWorkers()).toBe(0);

    // abort from a timer while the workers compute: the promise settles promptly, the fitted model is unchanged
    const ac2 = new AbortController();
    const slow = new GaussianMixture({ nComponents: 2, tol: 0, maxIter: 100000 });
    const reason = new Error('timeout');
    setTimeout(() => ac2.abort(reason), 150);
    const t0 = performance.now();
    await expect(
      slow.fitAsync(
        X.map((r) => r.slice(0, 2)),
        { workers: 2, signal: ac2.signal },
      ),
    ).rejects.toBe(reason);
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(slow.isFitted).toBe(false);
    expect(JSON.stringify(fitted.toJSON())).toBe(before);
  });

  it('validates its options with OptionError', async () => {
    for (const workers of [0, -1, 1.5, NaN, '2', null]) {
      await expect(fitted.fitAsync(X3, { workers } as unknown as FitAsyncOptions)).rejects.toSatisfy(
        (e) =>
          e instanceof OptionError && e.option === 'workers' && /workers must be an integer ≥ 1; got/.test(e.message),
      );
    }
    await expect(fitted.fitAsync(X3, { worker: 2 } as unknown as FitAsyncOptions)).rejects.toThrow(OptionError);
    await expect(fitted.fitAsync(X3, { signal: 'now' } as unknown as FitAsyncOptions)).rejects.toThrow(
      /signal must be an AbortSignal/,
    );
    unchanged();
  });

  it('rejects bad data with DataError, as fit throws it', async () => {
    await expect(
      fitted.fitAsync([
        [1, 2],
        [3, NaN],
      ]),
    ).rejects.toSatisfy((e) => e instanceof DataError && e.row === 1 && e.column === 1);
    await expect(fitted.fitAsync([[1, 2]])).rejects.toThrow(/needs at least 2 samples/);
    await expect(fitted.fitAsync(faithful, { sampleWeight: [1, 2] })).rejects.toThrow(DataError);
    // with a bad value and bad weights, the same error as fit: the value's
    const bad = [
      [1, 2],
      [NaN, 3],
      [4, 5],
      [6, 7],
    ];
    for (const sampleWeight of [
      [1, 1, 1],
      [1, -1, 1, 1],
    ]) {
      let sync: unknown;
      try {
        new GaussianMixture({ nComponents: 2 }).fit(bad, { sampleWeight });
      } catch (e) {
        sync = e;
      }
      expect(sync).toBeInstanceOf(DataError);
      await expect(new GaussianMixture({ nComponents: 2 }).fitAsync(bad, { sampleWeight })).rejects.toMatchObject({
        message: (sync as DataError).message,
        row: 1,
        column: 0,
      });
    }
    unchanged();
  });

  it('rebuilds typed errors thrown inside a worker (FitError at init, OptionError from meansInit)', async () => {
    const collapsed = [
      [1, 1],
      [1, 1],
      [1, 1],
      [2, 2],
      [2, 2],
      [2, 2],
    ];
    const bad = new GaussianMixture({ nComponents: 2, regCovar: 0 });
    expect(() => bad.fit(collapsed)).toThrow(FitError);
    let syncError: Error | undefined;
    try {
      bad.fit(collapsed);
    } catch (e) {
      syncError = e as Error;
    }
    const asyncError = await bad.fitAsync(collapsed, { workers: 2 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(asyncError).toBeInstanceOf(FitError);
    expect(asyncError?.message).toMatch(/at initialisation.*not positive definite/);
    // the same class (DegenerateError, a FitError subclass) with the same fields as the synchronous error
    expect(asyncError?.constructor).toBe(syncError?.constructor);
    expect({ ...asyncError }).toEqual({ ...syncError });
    expect(asyncError?.message).toBe(syncError?.message);
    const wrongD = new GaussianMixture({
      nComponents: 2,
      meansInit: [
        [0, 0, 0],
        [1, 1, 1],
      ],
    });
    await expect(wrongD.fitAsync(faithful, { workers: 2 })).rejects.toSatisfy(
      (e) => e instanceof OptionError && e.option === 'meansInit',
    );
    const again = new GaussianMixture({ nComponents: 1, regCovar: 0 });
    await expect(
      again.fitAsync(
        [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
        { workers: 2 },
      ),
    ).rejects.toThrow(FitError); // singular
    expect(again.isFitted).toBe(false);
    unchanged();
  });
});

describe('fitAsync in a browser (headless Chromium, Web Workers from a Blob URL)', () => {
  it.skipIf(noChromium)(
    'equals the Node fit with and without cross-origin isolation (shared memory / copies)',
    async () => {
      // The library straight from src, bundled as the browser gets it: any static node: import would fail here.
      const lib = (
        await build({
          entryPoints: [new URL('../../src/index.ts', import.meta.url).pathname],
          bundle: true,
          write: false,
          format: 'esm',
          platform: 'browser',
          target: 'es2022',
          logLevel: 'silent',
        })
      ).outputFiles[0].text;
      const opts = { nComponents: 2, seed: 3, nInit: 2, covarianceType: 'full' } as const;
      const page = `<!doctype html><script type="module">
      import { GaussianMixture, init } from './gaussmix.js';
      const X = ${JSON.stringify(faithful)};
      try {
        await init();
        let ticks = 0;
        const timer = setInterval(() => ticks++, 0);
        const gm = await new GaussianMixture(${JSON.stringify(opts)}).fitAsync(X, { workers: 3 });
        clearInterval(timer);
        window.__result = { weights: [...gm.weights], means: gm.means.map((m) => [...m]), lowerBound: gm.lowerBound,
          covariances: gm.covariances.map((c) => c.map((r) => [...r])), backend: gm.backend, nIter: gm.nIter,
          isolated: self.crossOriginIsolated, ticks };
        const ac = new AbortController();
        const p = new GaussianMixture({ nComponents: 2, tol: 0, maxIter: 1e6 }).fitAsync(X, { workers: 2, signal: ac.signal });
        setTimeout(() => ac.abort(), 50);
        window.__result.abort = await p.then(() => 'resolved', (e) => e.name);
      } catch (e) { window.__result = { error: String(e && e.stack || e) }; }
    </script>`;
      const server: Server = createServer((req, res) => {
        const isolated = (req.headers.referer ?? req.url ?? '').includes('iso=1');
        const headers: Record<string, string> = isolated
          ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
          : {};
        if (req.url?.startsWith('/gaussmix.js'))
          res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(lib);
        else res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(page);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const browser = await chromium.launch({
        executablePath: chromiumPath!,
        timeout: 20_000,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
        ],
      });
      try {
        const ref = new GaussianMixture(opts).fit(faithful);
        for (const iso of [1, 0]) {
          const tab = await browser.newPage();
          await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?iso=${iso}`);
          await tab.waitForFunction(
            () =>
              (window as unknown as { __result?: { abort?: string; error?: string } }).__result?.abort ||
              (window as unknown as { __result?: { error?: string } }).__result?.error,
            null,
            { timeout: 30_000 },
          );
          const r = await tab.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result);
          expect(r.error, 'page error').toBeUndefined();
          expect(r.isolated, 'crossOriginIsolated').toBe(iso === 1);
          expect(r.backend).toBe(ref.backend);
          expect(r.nIter).toBe(ref.nIter);
          expectClose(r.weights as number[], ref.weights, TOL, `browser iso=${iso}: weights`);
          expectClose(r.means as number[][], ref.means, TOL, `browser iso=${iso}: means`);
          expectClose(r.covariances as number[][][], ref.covariances, TOL, `browser iso=${iso}: covariances`);
          expectClose(r.lowerBound as number, ref.lowerBound, TOL, `browser iso=${iso}: lowerBound`);
          expect(r.abort).toBe('AbortError');
          expect(r.ticks, 'timer ticks during the fit').toBeGreaterThan(0);
          await tab.close();
        }
      } finally {
        await browser.close();
        await new Promise((r) => server.close(r));
      }
    },
    60_000,
  );
});
