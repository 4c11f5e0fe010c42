/**
 * Online (stepwise) EM on the JS twin against an independent reference: the textbook form of Cappé & Moulines'
 * recursion written in this file with plain arrays — responsibilities from each covariance's own Cholesky factor,
 * running moments per unit weight (Σr, Σr·x, Σr·xxᵀ) blended with the step size, and the M-step as
 * Σ = Σr·xxᵀ/Σr − μμᵀ + regCovar. The library keeps centred statistics instead (re-centred when the means move); on
 * data of moderate scale both agree to rounding, so every parameter must match to 1e-9 relative after many batches,
 * for every covariance type, with and without sample weights, for the decaying schedule and a constant rate.
 * Also: the schedule, the first batch (a fit), the degeneracy policy, and what is checked.
 */
import { describe, expect, it } from 'vitest';
import { DegenerateError, GaussianMixture, type CovarianceType } from '../../../src/api/index.js';
import { stepSize } from '../../../src/em/online.js';
import { Random } from '../../../src/util/random.js';
import { expectClose, flat } from '../../helpers/compare.js';
import { covMatrices, mixture } from '../../helpers/data.js';

describe('stepSize', () => {
  it('is (t + τ)^(−κ) for the schedule and the constant otherwise', () => {
    expect(stepSize({ kappa: 0.6, tau: 1 }, 1)).toBe(2 ** -0.6);
    expect(stepSize({ kappa: 1, tau: 1 }, 9)).toBe(0.1); // κ = τ = 1: the running mean of the batches
    expect(stepSize({ kappa: 0.7, tau: 10 }, 5)).toBe(15 ** -0.7);
    expect(stepSize(0.05, 1)).toBe(0.05);
    expect(stepSize(0.05, 1000)).toBe(0.05);
  });
});

type Mat = number[][];

/** Lower Cholesky factor of a symmetric positive definite matrix. */
function cholesky(a: Mat): Mat {
  const d = a.length;
  const l = a.map(() => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let p = 0; p < j; p++) s -= l[i][p] * l[j][p];
      l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
    }
  return l;
}

/** log N(x; μ, Σ) through Σ's Cholesky factor. */
function logNormal(x: number[], mu: number[], sigma: Mat): number {
  const d = x.length;
  const l = cholesky(sigma);
  const z = new Array<number>(d).fill(0);
  let q = 0;
  let logDet = 0;
  for (let i = 0; i < d; i++) {
    let s = x[i] - mu[i];
    for (let p = 0; p < i; p++) s -= l[i][p] * z[p];
    z[i] = s / l[i][i];
    q += z[i] * z[i];
    logDet += Math.log(l[i][i]);
  }
  return -0.5 * d * Math.log(2 * Math.PI) - logDet - 0.5 * q;
}

interface RefModel {
  weights: number[];
  means: Mat;
  covs: Mat[];
}

/** Running moments per unit weight: S0 (k), S1 (k×d), S2 (k×d×d). */
interface Moments {
  s0: number[];
  s1: Mat;
  s2: Mat[];
}

/** The moments a model stands for (what online learning starts from after its first batch). */
function momentsOf(m: RefModel, reg: number): Moments {
  return {
    s0: m.weights.slice(),
    s1: m.means.map((mu, c) => mu.map((v) => m.weights[c] * v)),
    s2: m.covs.map((cov, c) =>
      cov.map((row, i) => row.map((v, j) => m.weights[c] * (v - (i === j ? reg : 0) + m.means[c][i] * m.means[c][j]))),
    ),
  };
}

/** One batch's moments per unit weight under model m. */
function batchMoments(m: RefModel, X: number[][], w: number[] | null): Moments {
  const k = m.weights.length;
  const d = X[0].length;
  const out: Moments = {
    s0: new Array<number>(k).fill(0),
    s1: Array.from({ length: k }, () => new Array<number>(d).fill(0)),
    s2: Array.from({ length: k }, () => Array.from({ length: d }, () => new Array<number>(d).fill(0))),
  };
  let sw = 0;
  X.forEach((x, n) => {
    const wn = w ? w[n] : 1;
    sw += wn;
    const lp = m.weights.map((pi, c) => Math.log(pi) + logNormal(x, m.means[c], m.covs[c]));
    const top = Math.max(...lp);
    const lse = top + Math.log(lp.reduce((a, v) => a + Math.exp(v - top), 0));
    for (let c = 0; c < k; c++) {
      const r = wn * Math.exp(lp[c] - lse);
      out.s0[c] += r;
      for (let i = 0; i < d; i++) {
        out.s1[c][i] += r * x[i];
        for (let j = 0; j < d; j++) out.s2[c][i][j] += r * x[i] * x[j];
      }
    }
  });
  const scale = (v: number) => v / sw;
  return {
    s0: out.s0.map(scale),
    s1: out.s1.map((r) => r.map(scale)),
    s2: out.s2.map((a) => a.map((r) => r.map(scale))),
  };
}

const mix = (a: number, b: number, eta: number) => (1 - eta) * a + eta * b;

function blend(s: Moments, b: Moments, eta: number): Moments {
  return {
    s0: s.s0.map((v, c) => mix(v, b.s0[c], eta)),
    s1: s.s1.map((r, c) => r.map((v, i) => mix(v, b.s1[c][i], eta))),
    s2: s.s2.map((a, c) => a.map((r, i) => r.map((v, j) => mix(v, b.s2[c][i][j], eta)))),
  };
}

/** The textbook M-step from moments, per covariance type. */
function mStep(s: Moments, type: CovarianceType, reg: number): RefModel {
  const k = s.s0.length;
  const d = s.s1[0].length;
  const total = s.s0.reduce((a, b) => a + b, 0);
  const means = s.s1.map((r, c) => r.map((v) => v / s.s0[c]));
  const scatter = s.s2.map((a, c) => a.map((r, i) => r.map((v, j) => v / s.s0[c] - means[c][i] * means[c][j])));
  let covs: Mat[];
  if (type === 'tied') {
    const pooled = scatter[0].map((r, i) =>
      r.map((_, j) => scatter.reduce((acc, sc, c) => acc + s.s0[c] * sc[i][j], 0) / total),
    );
    covs = Array.from({ length: k }, () => pooled.map((r) => r.slice()));
  } else covs = scatter.map((sc) => sc.map((r) => r.slice()));
  covs = covs.map((cov) =>
    cov.map((r, i) =>
      r.map((v, j) => {
        if (type === 'diag') return i === j ? v + reg : 0;
        if (type === 'spherical') return i === j ? cov.reduce((a, row, p) => a + row[p], 0) / d + reg : 0;
        return v + (i === j ? reg : 0);
      }),
    ),
  );
  return { weights: s.s0.map((v) => v / total), means, covs };
}

const snapshot = (gm: GaussianMixture): RefModel => ({
  weights: Array.from(gm.weights),
  means: gm.means.map((r) => Array.from(r)),
  covs: covMatrices(gm),
});

/** Batches of a 3-component stream in 3-D, with optional integer-ish weights. */
function batches(seed: number, count: number, size: number, weighted: boolean) {
  const { X } = mixture(seed, count * size, 3, 3, 4);
  const rng = new Random(seed + 100);
  return Array.from({ length: count }, (_, b) => {
    const rows = X.slice(b * size, (b + 1) * size);
    return { X: rows, w: weighted ? rows.map(() => 0.25 + 2 * rng.random()) : null };
  });
}

describe('partialFit against the textbook recursion', () => {
  const cases: { type: CovarianceType; rate: number | { kappa: number; tau: number }; weighted: boolean }[] = [
    { type: 'full', rate: { kappa: 0.6, tau: 1 }, weighted: false },
    { type: 'full', rate: 0.2, weighted: true },
    { type: 'tied', rate: { kappa: 0.8, tau: 4 }, weighted: true },
    { type: 'diag', rate: { kappa: 0.6, tau: 1 }, weighted: true },
    { type: 'spherical', rate: 0.5, weighted: false },
  ];
  for (const { type, rate, weighted } of cases) {
    it(`${type}, learningRate ${JSON.stringify(rate)}${weighted ? ', weighted' : ''}: every batch to 1e-9`, () => {
      const reg = 1e-3;
      const data = batches(11, 12, 150, weighted);
      const gm = new GaussianMixture({
        nComponents: 3,
        covarianceType: type,
        regCovar: reg,
        seed: 1,
        learningRate: rate,
      });
      gm.partialFit(data[0].X, { sampleWeight: data[0].w });
      let ref = snapshot(gm);
      let s = momentsOf(ref, reg);
      for (let b = 1; b < data.length; b++) {
        const eta = typeof rate === 'number' ? rate : (b + rate.tau) ** -rate.kappa; // b batches absorbed so far
        s = blend(s, batchMoments(ref, data[b].X, data[b].w), eta);
        ref = mStep(s, type, reg);
        gm.partialFit(data[b].X, { sampleWeight: data[b].w });
        const got = snapshot(gm);
        expectClose(got.weights, ref.weights, 1e-9, `batch ${b}: weights`);
        expectClose(got.means, ref.means, 1e-9, `batch ${b}: means`);
        expectClose(got.covs, ref.covs, 1e-9, `batch ${b}: covariances`);
      }
      expect(gm.nBatches).toBe(12);
      expect(gm.nSeen).toBe(12 * 150);
      expect(gm.nIter).toBe(12);
      expect(gm.converged).toBe(false);
    });
  }

  it("lowerBound is the batch's mean log-likelihood under the parameters before the update", () => {
    const data = batches(12, 3, 200, true);
    const gm = new GaussianMixture({ nComponents: 3, seed: 0 });
    gm.partialFit(data[0].X).partialFit(data[1].X);
    const before = gm.scoreSamples(data[2].X);
    const w = data[2].w!;
    const want = before.reduce((a, v, i) => a + w[i] * v, 0) / w.reduce((a, v) => a + v, 0);
    gm.partialFit(data[2].X, { sampleWeight: w });
    expect(gm.lowerBound).toBeCloseTo(want, 10);
  });
});

describe('the first batch', () => {
  it('is fitted exactly as fit fits it (all of initParams, nInit, maxIter, tol, seed)', () => {
    const { X } = mixture(3, 400, 2, 3, 3);
    const opts = { nComponents: 3, nInit: 3, initParams: 'k-means++', seed: 9, maxIter: 40 } as const;
    const a = new GaussianMixture(opts).fit(X);
    const b = new GaussianMixture(opts).partialFit(X);
    expect(flat(b.means)).toEqual(flat(a.means));
    expect(flat(b.covariances)).toEqual(flat(a.covariances));
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
    expect(b.lowerBound).toBe(a.lowerBound);
    expect([b.nSeen, b.nBatches]).toEqual([400, 1]);
  });

  it('so partialFit(first) then partialFit(next) equals fit(first) then partialFit(next), bit for bit', () => {
    const data = batches(13, 4, 120, false);
    const a = new GaussianMixture({ nComponents: 3, seed: 2 }).partialFit(data[0].X);
    const b = new GaussianMixture({ nComponents: 3, seed: 2 }).fit(data[0].X);
    expect([b.nSeen, b.nBatches]).toEqual([0, 0]);
    for (const d of data.slice(1)) {
      a.partialFit(d.X);
      b.partialFit(d.X);
    }
    expect(flat(b.means)).toEqual(flat(a.means));
    expect(flat(b.covariances)).toEqual(flat(a.covariances));
    expect([a.nSeen, a.nBatches, b.nSeen, b.nBatches]).toEqual([480, 4, 360, 3]);
  });

  it('honours respInit (for its rows) and algorithm "hard" as fit does', () => {
    const { X } = mixture(6, 200, 2, 2, 4);
    const respInit = Int32Array.from(X, (x) => (x[0] > 0 ? 1 : 0));
    for (const opts of [
      { nComponents: 2, respInit },
      { nComponents: 2, algorithm: 'hard' as const, seed: 3 },
    ]) {
      const a = new GaussianMixture(opts).fit(X);
      const b = new GaussianMixture(opts).partialFit(X);
      expect(flat(b.means)).toEqual(flat(a.means));
      b.partialFit(X.slice(0, 50));
      expect(b.nBatches).toBe(2);
    }
    expect(() => new GaussianMixture({ nComponents: 2, respInit }).partialFit(X.slice(0, 10))).toThrow(
      /respInit must have one row of responsibilities per row of X \(10\); got 200/,
    );
  });

  it('needs nComponents rows (distinct under onDegenerate "error"); later batches may have one row', () => {
    const gm = new GaussianMixture({ nComponents: 3 });
    expect(() => gm.partialFit([[1], [2]])).toThrow(/needs at least 3 samples; got 2/);
    expect(() => gm.partialFit([[1], [1], [1]])).toThrow(/only 1 distinct row/);
    expect(gm.isFitted).toBe(false);
    const { X } = mixture(4, 300, 2, 3, 6);
    gm.partialFit(X).partialFit([X[0]]);
    expect(gm.nBatches).toBe(2);
  });
});

describe("missing: 'marginalize'", () => {
  /** A stream with about a fifth of the entries missing (never a whole row). */
  function holes(seed: number, n: number): number[][] {
    const { X } = mixture(seed, n, 3, 3, 4);
    const rng = new Random(seed + 7);
    return X.map((row) => {
      const r = row.slice();
      const j = rng.int(3);
      if (rng.random() < 0.6) r[j] = Number.NaN;
      return r;
    });
  }

  it('the first batch is fit on it; a later update with η = 1 is the M-step of its expected statistics', () => {
    const opts = { nComponents: 3, seed: 2, missing: 'marginalize' as const, learningRate: 1 };
    const first = holes(21, 400);
    const gm = new GaussianMixture(opts).partialFit(first);
    const fitted = new GaussianMixture(opts).fit(first);
    expect(flat(gm.means)).toEqual(flat(fitted.means));
    // η = 1: the running statistics are the batch's per unit weight, so the update is maximization(expectation(batch))
    const next = holes(22, 300);
    const direct = GaussianMixture.fromJSON(gm.toJSON());
    direct.maximization(direct.expectation(next));
    gm.partialFit(next);
    expectClose(gm.weights, direct.weights, 1e-10, 'weights');
    expectClose(gm.means, direct.means, 1e-10, 'means');
    expectClose(gm.covariances, direct.covariances, 1e-10, 'covariances');
    // a later batch may lack a column entirely: its E-step needs only the observed entries
    gm.partialFit(next.slice(0, 20).map((r) => [r[0], r[1], Number.NaN]));
    expect(gm.nBatches).toBe(3);
    for (const v of flat(gm.means)) expect(Number.isFinite(v)).toBe(true);
  });

  it('mini-batch fit runs on incomplete rows too, to the optimum of full-batch EM', () => {
    const X = holes(23, 3000);
    const opts = { nComponents: 3, seed: 0, missing: 'marginalize' } as const;
    const gm = new GaussianMixture(opts).fit(X, { batchSize: 500 });
    const full = new GaussianMixture({ ...opts, tol: 1e-7, maxIter: 3000 }).fit(X);
    expect(gm.converged).toBe(true);
    // measured: 0.0049 below (full-batch EM with the default tol stops on a plateau 0.27 below)
    expect(Math.abs(gm.score(X) - full.score(X))).toBeLessThan(0.01);
  });
});

describe('degenerate components', () => {
  /** Three clusters first, then a stream from only two of them: the third component's mass decays geometrically. */
  function vanishing() {
    const rng = new Random(5);
    const at = (c: number) => [c * 10 + rng.normal(), rng.normal()];
    const first = Array.from({ length: 300 }, (_, i) => at(i % 3));
    const later = Array.from({ length: 100 }, (_, i) => Array.from({ length: 50 }, (_, j) => at((i + j) % 2)));
    return { first, later };
  }

  it("onDegenerate 'error': a DegenerateError naming the batch; the model keeps its state", () => {
    const { first, later } = vanishing();
    const gm = new GaussianMixture({ nComponents: 3, seed: 0, learningRate: 0.5 }).partialFit(first);
    let error: unknown = null;
    let before = '';
    for (const b of later) {
      before = JSON.stringify(gm.toJSON());
      try {
        gm.partialFit(b);
      } catch (e) {
        error = e;
        break;
      }
    }
    expect(error).toBeInstanceOf(DegenerateError);
    expect((error as Error).message).toMatch(/component \d vanished in partialFit batch \d+/);
    expect(JSON.stringify(gm.toJSON())).toBe(before);
  });

  it("onDegenerate 'reset': re-seeds at the batch's worst-explained rows and goes on", () => {
    const { first, later } = vanishing();
    const gm = new GaussianMixture({ nComponents: 3, seed: 0, learningRate: 0.5, onDegenerate: 'reset' });
    gm.partialFit(first);
    let resets = 0;
    for (const b of later) {
      gm.partialFit(b);
      resets += gm.resets.length;
      if (gm.resets.length > 0) {
        expect(gm.warnings[0]).toMatch(/re-seeded component \d at the worst-explained rows of partialFit batch/);
        expect(gm.resets[0].reason).toBe('vanished');
      }
      const json = gm.toJSON();
      expect(json.online!.nk.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
      for (const w of gm.weights) expect(Number.isFinite(w)).toBe(true);
    }
    expect(resets).toBeGreaterThan(0);
    // the resets of one call only: the record does not grow with the stream
    expect(gm.resets.length).toBeLessThanOrEqual(3);
  });
});
