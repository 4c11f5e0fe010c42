/**
 * fitAsync takes its M-steps in a worker (the 'mstep', 'initial-mstep' and 'variational-mstep' requests): the
 * caller's event loop stays responsive even when one M-step is long (K·D³ of factorisations: K = 8, D = 400, full
 * covariances), and the errors an M-step raises reach the caller as fit raises them. The stall bound is relative to
 * the M-step's own time measured in this test on this host, so it holds on a loaded machine; it fails when any M-step
 * (initial or per iteration) or the copying of its K·D² values runs on the calling thread.
 */
import { describe, expect, it } from 'vitest';
import { BayesianGaussianMixture, GaussianMixture, type GaussianMixtureOptions, type Matrix } from '../../src/index.js';
import { mStepChecked } from '../../src/model/mstep.js';
import { expectClose } from '../helpers/compare.js';
import { mixture } from '../helpers/data.js';
import type { Params } from '../../src/model/params.js';
import type { SufficientStats } from '../../src/model/stats.js';
import { Random } from '../../src/util/random.js';

const K = 8;
const D = 400;
const N = 4000;

/** N rows around K far-apart centers with unit noise: every component gets ~N/K > D rows, so its scatter is full rank. */
function clusters(seed: number): { data: Float64Array; rows: number; cols: number } {
  const rng = new Random(seed);
  const centers = Float64Array.from({ length: K * D }, () => 20 * (rng.random() - 0.5));
  const data = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    const c = i % K;
    for (let j = 0; j < D; j++) data[i * D + j] = centers[c * D + j] + (rng.random() - 0.5) * 3.4;
  }
  return { data, rows: N, cols: D };
}

/**
 * The time of one M-step of this size on the calling thread: statistics of N/K rows per component whose scatter is
 * (2·I + u·uᵀ)·N/K (positive definite; the work of the factorisations does not depend on the values). Best of three.
 */
function mStepMillis(): number {
  const rng = new Random(7);
  const nk = new Float64Array(K).fill(N / K);
  const sxx = new Float64Array(K * D * D);
  for (let c = 0; c < K; c++) {
    const u = Float64Array.from({ length: D }, () => rng.random() - 0.5);
    for (let i = 0; i < D; i++)
      for (let j = 0; j < D; j++) sxx[c * D * D + i * D + j] = (N / K) * ((i === j ? 2 : 0) + u[i] * u[j]);
  }
  const st: SufficientStats = {
    k: K,
    d: D,
    sxxKind: 'full',
    logLik: 0,
    sumW: N,
    nk,
    sx: new Float64Array(K * D),
    sxx,
    centers: new Float64Array(K * D),
  };
  const eye = new Float64Array(K * D * D);
  for (let c = 0; c < K; c++) for (let i = 0; i < D; i++) eye[c * D * D + i * D + i] = 1;
  const prev: Params = {
    k: K,
    d: D,
    covType: 'full',
    weights: new Float64Array(K).fill(1 / K),
    means: new Float64Array(K * D),
    covariances: eye,
    precChol: eye.slice(),
  };
  let best = Infinity;
  for (let t = 0; t < 3; t++) {
    const t0 = performance.now();
    const r = mStepChecked(st, prev, { covType: 'full', regCovar: 1e-6, freeze: [], iteration: 1 });
    best = Math.min(best, performance.now() - t0);
    expect(r.degenerate).toEqual([]);
  }
  return best;
}

/** The longest gap beyond its 10 ms period between ticks of an interval timer while `run` is pending. */
async function worstLag(run: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
  }, 10);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(worst, performance.now() - last - 10);
}

/**
 * The worst lag during `run`, and one M-step's time measured just before and just after it (the larger): the same
 * host load on both sides of the comparison, which a single measurement at collection time did not give. With the
 * M-steps on the calling thread the lag was about twice one M-step (two of them back to back, plus the clone of the
 * request); in the worker it is a small fraction. The bound, 0.6 × one M-step, fails the first by a wide margin and
 * leaves the second room for a busy 2-core host.
 */
async function lagAndMstep(run: () => Promise<unknown>): Promise<{ lag: number; mstep: number }> {
  const before = mStepMillis();
  const lag = await worstLag(run);
  return { lag, mstep: Math.max(before, mStepMillis()) };
}

describe('fitAsync and a long M-step (K = 8, D = 400, full)', () => {
  const X = clusters(3);

  it('the M-step alone is long enough to matter on this host', () => {
    expect(mStepMillis()).toBeGreaterThan(50);
  });

  it('GaussianMixture: the event loop never stalls for a large part of one M-step', { timeout: 60_000 }, async () => {
    const gmm = new GaussianMixture({ nComponents: K, covarianceType: 'full', maxIter: 2, seed: 0 });
    const { lag, mstep } = await lagAndMstep(() => gmm.fitAsync(X, { workers: 2 }));
    expect(gmm.nIter).toBeGreaterThan(0);
    expect(lag, `worst event-loop lag ${lag.toFixed(0)} ms; one M-step takes ${mstep.toFixed(0)} ms`).toBeLessThan(
      0.6 * mstep,
    );
  });

  it('BayesianGaussianMixture: likewise', { timeout: 60_000 }, async () => {
    const bgm = new BayesianGaussianMixture({ nComponents: K, covarianceType: 'full', maxIter: 2, seed: 0 });
    const { lag, mstep } = await lagAndMstep(() => bgm.fitAsync(X, { workers: 2 }));
    expect(bgm.nIter).toBeGreaterThan(0);
    expect(lag, `worst event-loop lag ${lag.toFixed(0)} ms; one M-step takes ${mstep.toFixed(0)} ms`).toBeLessThan(
      0.6 * mstep,
    );
  });
});

describe("errors raised in a worker's M-step", () => {
  const rows = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  const eye = [
    [1, 0],
    [0, 1],
  ];
  const cases: [string, (sync: boolean) => Promise<unknown>][] = [];
  const em = (X: Matrix, o: GaussianMixtureOptions) => (sync: boolean) =>
    sync
      ? Promise.resolve().then(() => new GaussianMixture(o).fit(X))
      : new GaussianMixture(o).fitAsync(X, { workers: 2 });
  cases.push([
    'not positive definite at initialisation',
    em(
      [
        [1, 1],
        [1, 1],
        [2, 2],
        [2, 2],
      ],
      { nComponents: 2, regCovar: 0 },
    ),
  ]);
  cases.push(['overflow at initialisation (regCovar 1e308)', em(rows, { nComponents: 2, regCovar: 1e308 })]);
  // a component started on the lone far row holds only it: its first M-step has zero variance
  const start = {
    meansInit: [
      [0, 0],
      [100, 100],
    ],
    weightsInit: [0.5, 0.5],
    precisionsInit: [eye, eye],
  };
  cases.push([
    'not positive definite at iteration 1',
    em([...rows, [100, 100]], { nComponents: 2, regCovar: 0, ...start }),
  ]);
  const vb = (sync: boolean) => {
    const m = new BayesianGaussianMixture({ nComponents: 2, regCovar: 1e308 });
    return sync ? Promise.resolve().then(() => m.fit(rows)) : m.fitAsync(rows, { workers: 2 });
  };
  cases.push(['overflow in the variational M-step', vb]);

  it.each(cases)('%s: the same class, message and fields as fit', async (_, run) => {
    const sync = await run(true).then(
      () => null,
      (e: unknown) => e,
    );
    const async = await run(false).then(
      () => null,
      (e: unknown) => e,
    );
    expect(sync).toBeInstanceOf(Error);
    expect(async).toBeInstanceOf((sync as Error).constructor);
    expect((async as Error).message).toBe((sync as Error).message);
    expect({ ...(async as Error) }).toEqual({ ...(sync as Error) });
  });
});

describe("fitAsync's requests without rows equal fit's calls", () => {
  it("accelerate: 'squarem' (its extrapolation in a worker) gives fit's result", async () => {
    const { X } = mixture(11, 600, 3, 3, 4); // overlapping; tol 0: every cycle extrapolates
    const o = { nComponents: 3, accelerate: 'squarem', tol: 0, maxIter: 12, seed: 2 } as const;
    const ref = new GaussianMixture(o).fit(X);
    expect(ref.nIter, 'past the first extrapolation (after two E-passes)').toBeGreaterThan(3);
    const got = await new GaussianMixture(o).fitAsync(X, { workers: 2 });
    expect(got.nIter).toBe(ref.nIter);
    expect(got.converged).toBe(ref.converged);
    expectClose(got.means, ref.means, 1e-10, 'means');
    expectClose(got.covariances, ref.covariances, 1e-10, 'covariances');
    expectClose(got.lowerBound, ref.lowerBound, 1e-10, 'lowerBound');
  });
});
