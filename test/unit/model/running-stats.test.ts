/**
 * Online EM's running statistics against direct sums: re-centring equals accumulating the same rows around the new
 * centers (full and diagonal scatter), blending is the weighted mean per unit weight, the statistics built from
 * parameters give those parameters back in an M-step (every covariance type), and re-seeded statistics give the
 * re-seeded parameters. References are row-by-row sums in this file, never the code under test.
 */
import { describe, expect, it } from 'vitest';
import { COVARIANCE_TYPES, covarianceModel, MCLUST_TYPES } from '../../../src/model/covariance/registry.js';
import { mStepChecked } from '../../../src/model/mstep.js';
import type { Params } from '../../../src/model/params.js';
import { withFactors } from '../../../src/model/params.js';
import { blendStats, recenterStats, reseededStats, statsOfParams } from '../../../src/model/running-stats.js';
import { emptyStats, type SufficientStats } from '../../../src/model/stats.js';
import { Random } from '../../../src/util/random.js';
import { expectClose } from '../../helpers/compare.js';

/** Weighted rows with soft responsibilities, far from the origin (so centring matters), and two sets of centers. */
function problem(seed: number, n: number, d: number, k: number) {
  const rng = new Random(seed);
  const X = Array.from({ length: n }, () => Float64Array.from({ length: d }, () => 2 * rng.normal() + 50));
  const w = Float64Array.from({ length: n }, () => rng.random() * 3);
  const R = Array.from({ length: n }, () => {
    const r = Float64Array.from({ length: k }, () => rng.random() + 0.05);
    const s = r.reduce((a, b) => a + b, 0);
    return r.map((v) => v / s);
  });
  const centers = Float64Array.from({ length: k * d }, () => 50 + rng.normal());
  const moved = Float64Array.from(centers, (c) => c + 3 * rng.normal());
  return { X, w, R, centers, moved };
}

/** Σ w·r·{1, x − c, (x − c)(x − c)ᵀ} row by row (full scatter: the upper triangle, mirrored, as the kernels give it). */
function statsAround(
  X: Float64Array[],
  w: Float64Array,
  R: Float64Array[],
  centers: Float64Array,
  k: number,
  kind: 'full' | 'diag',
): SufficientStats {
  const d = X[0].length;
  const st = emptyStats(k, d, kind, centers);
  X.forEach((x, i) => {
    st.sumW += w[i];
    for (let c = 0; c < k; c++) {
      const r = w[i] * R[i][c];
      st.nk[c] += r;
      for (let a = 0; a < d; a++) {
        const da = x[a] - centers[c * d + a];
        st.sx[c * d + a] += r * da;
        if (kind === 'diag') st.sxx[c * d + a] += r * da * da;
        else for (let b = 0; b < d; b++) st.sxx[c * d * d + a * d + b] += r * da * (x[b] - centers[c * d + b]);
      }
    }
  });
  if (kind === 'full')
    for (let c = 0; c < k; c++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < a; b++) st.sxx[c * d * d + a * d + b] = st.sxx[c * d * d + b * d + a];
  return st;
}

describe('recenterStats', () => {
  for (const kind of ['full', 'diag'] as const) {
    it(`equals the statistics accumulated around the new centers (${kind})`, () => {
      const { X, w, R, centers, moved } = problem(1, 300, 3, 4);
      const at = statsAround(X, w, R, centers, 4, kind);
      const got = recenterStats(at, moved);
      const want = statsAround(X, w, R, moved, 4, kind);
      expect(Array.from(got.centers)).toEqual(Array.from(moved));
      expect(got.nk).toEqual(at.nk);
      expectClose(got.sx, want.sx, 1e-10, 'sx', 1);
      expectClose(got.sxx, want.sxx, 1e-12, 'sxx');
      // the input is untouched
      expect(at).toEqual(statsAround(X, w, R, centers, 4, kind));
    });
  }

  it('keeps full scatter exactly symmetric', () => {
    const { X, w, R, centers, moved } = problem(2, 50, 4, 2);
    const s = recenterStats(statsAround(X, w, R, centers, 2, 'full'), moved);
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < i; j++) expect(s.sxx[c * 16 + i * 4 + j]).toBe(s.sxx[c * 16 + j * 4 + i]);
  });

  it('changes nothing when the centers stay', () => {
    const { X, w, R, centers } = problem(3, 40, 2, 3);
    const s = statsAround(X, w, R, centers, 3, 'full');
    const r = recenterStats(s, centers.slice());
    expect(r.sx).toEqual(s.sx);
    expect(r.sxx).toEqual(s.sxx);
  });
});

describe('blendStats', () => {
  it('is (1 − η)·s + η·b/Σw(b), and b/Σw(b) without a running state', () => {
    const a = problem(4, 100, 2, 2);
    const b = problem(5, 60, 2, 2);
    const s = blendStats(null, statsAround(a.X, a.w, a.R, a.centers, 2, 'full'), 1);
    const batch = statsAround(b.X, b.w, b.R, a.centers, 2, 'full');
    const eta = 0.3;
    const got = blendStats(s, batch, eta);
    expect(got.sumW).toBe(1);
    const sa = statsAround(a.X, a.w, a.R, a.centers, 2, 'full');
    for (const key of ['nk', 'sx', 'sxx'] as const) {
      const want = Float64Array.from(sa[key], (v, i) => (1 - eta) * (v / sa.sumW) + eta * (batch[key][i] / batch.sumW));
      expectClose(got[key], want, 1e-14, key);
    }
    // masses per unit weight sum to 1
    expect(got.nk.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 14);
  });
});

/** Random positive definite parameters of a covariance type. */
function randomParams(seed: number, covType: (typeof COVARIANCE_TYPES)[number], k: number, d: number): Params {
  const rng = new Random(seed);
  const model = covarianceModel(covType);
  const blocks = model.layout.blocks(k);
  const variances = Float64Array.from({ length: d }, () => 0.5 + rng.random());
  const cov = model.fromVariances(variances, k);
  if (model.statsKind === 'full') {
    // add a small random symmetric off-diagonal part (diagonally dominant, so still positive definite)
    for (let b = 0; b < blocks; b++)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < i; j++) {
          const v = 0.1 * (rng.random() - 0.5);
          cov[b * d * d + i * d + j] = v;
          cov[b * d * d + j * d + i] = v;
        }
  }
  const weights = Float64Array.from({ length: k }, () => rng.random() + 0.1);
  const total = weights.reduce((a, b) => a + b, 0);
  for (let c = 0; c < k; c++) weights[c] /= total;
  const means = Float64Array.from({ length: k * d }, () => 10 * rng.normal());
  const p = withFactors(covType, k, d, weights, means, cov);
  if (typeof p === 'number') throw new Error('not positive definite');
  return p;
}

describe('statsOfParams', () => {
  for (const covType of COVARIANCE_TYPES) {
    // mclust's constrained models estimate by eigen-decompositions and (VEI, VEE, EVE, VVE, VEV) inner iterations that
    // stop at a relative change of √ε: their parameters come back to that precision
    const tol = MCLUST_TYPES.includes(covType) ? 1e-7 : 1e-13;
    it(`gives the parameters back in an M-step (${covType})`, () => {
      const o = { covType, regCovar: 1e-3, freeze: [], iteration: 1, detectVanished: true };
      // parameters that satisfy the model's constraint: its own estimate from the statistics of random ones
      const any = randomParams(6, covType, 3, 3);
      const p = mStepChecked(statsOfParams(any, 1e-3), any, o).params;
      const s = statsOfParams(p, 1e-3);
      expect(s.sumW).toBe(1);
      const m = mStepChecked(s, p, o);
      expect(m.degenerate).toEqual([]);
      expectClose(m.params.weights, p.weights, 1e-13, 'weights');
      expectClose(m.params.means, p.means, 1e-13, 'means');
      expectClose(m.params.covariances, p.covariances, tol, 'covariances');
    });
  }
});

describe('reseededStats', () => {
  it('re-seeded components get their new parameters, the others keep theirs at their new weight', () => {
    const p = randomParams(7, 'full', 3, 2);
    const { X, w, R } = problem(8, 200, 2, 3);
    const st = statsAround(X, w, R, p.means, 3, 'full');
    const s = blendStats(null, st, 1);
    // component 1 re-seeded: new mean, weight 1/3, the others scaled to keep the sum 1
    const means = p.means.slice();
    means.set([7, -7], 2);
    const share = 1 / 3;
    const rest = s.nk[0] + s.nk[2];
    const weights = Float64Array.from([s.nk[0] * ((1 - share) / rest), share, s.nk[2] * ((1 - share) / rest)]);
    const next = { ...p, means, weights };
    const got = reseededStats(recenterStats(s, means), next, [{ component: 1, reason: 'vanished', detail: '' }], 1e-6);
    expectClose(got.nk, weights, 1e-15, 'nk');
    const m = mStepChecked(got, next, { covType: 'full', regCovar: 1e-6, freeze: [], iteration: 1 });
    expectClose(m.params.weights, weights, 1e-13, 'weights');
    expectClose(m.params.means.subarray(2, 4), [7, -7], 1e-13, 'the re-seeded mean');
    expectClose(m.params.covariances.subarray(4, 8), p.covariances.subarray(4, 8), 1e-13, 'the re-seeded covariance');
    // an untouched component's mean and covariance are those of the statistics before the reset
    const before = mStepChecked(s, p, { covType: 'full', regCovar: 1e-6, freeze: [], iteration: 1 });
    expectClose(m.params.means.subarray(0, 2), before.params.means.subarray(0, 2), 1e-12, 'mean 0');
    expectClose(m.params.covariances.subarray(0, 4), before.params.covariances.subarray(0, 4), 1e-12, 'cov 0');
  });
});
