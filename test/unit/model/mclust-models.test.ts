/**
 * Properties of each of mclust's fourteen covariance models as GaussianMixture covarianceTypes (JS twin; the
 * drivers and the wasm kernels: test/integration/mclust-models.test.ts; parity with R mclust:
 * test/unit/api/mclust-parity.test.ts):
 *  - EM's log-likelihood never decreases (regCovar 0; VVE only up to ~1e-10, see below);
 *  - the model's constraint holds after every M-step (checked with checkMclustConstraints on the public K×D×D
 *    covariances), and stepping with expectation()/maximization() is the same EM as fit;
 *  - covariances and precisionsCholesky are K×D×D and invert each other;
 *  - toJSON/fromJSON round-trips bit for bit, and a loaded model must satisfy its constraint (a tampered file is a
 *    ModelFormatError); precisionsInit must be a model's too;
 *  - sample() reproduces the model's covariances;
 *  - an M-step that cannot be computed is a DegenerateError naming a component (onDegenerate 'error'); a component
 *    re-seeded under onDegenerate 'reset' keeps the model's constraint.
 */
import { describe, expect, it } from 'vitest';
import { DegenerateError, GaussianMixture, ModelFormatError, OptionError } from '../../../src/api/index.js';
import { checkMclustConstraints } from '../../../src/model/covariance/mclust/constraints.js';
import { covarianceModel } from '../../../src/model/covariance/registry.js';
import { resetComponents } from '../../../src/model/degeneracy.js';
import { emptyStats } from '../../../src/model/stats.js';
import { MCLUST_MODELS, type MclustModelName } from '../../../src/model/covariance/mclust/types.js';
import { expectClose, flat } from '../../helpers/compare.js';
import { mixture } from '../../helpers/data.js';

const K = 3;
const D = 3;
const { X } = mixture(5, 240, D, K, 5); // overlapping: EM takes a few dozen iterations
// a rough start: thirds of the rows by their first feature
const rank = X.map((_, i) => i).sort((a, b) => X[a][0] - X[b][0]);
const start = new Int32Array(X.length);
rank.forEach((row, r) => (start[row] = Math.floor((K * r) / X.length)));

const covOf = (gm: GaussianMixture) => Float64Array.from(flat(gm.covariances));

describe.each(MCLUST_MODELS.map((m) => [m]))('%s', (model: MclustModelName) => {
  const base = { nComponents: K, covarianceType: model, backend: 'js', regCovar: 0 } as const;

  it('EM never lowers the log-likelihood; the constraint holds after every M-step (= fit)', () => {
    const bounds: number[] = [];
    // mclust's VVE orientation update (the MM steps) uses the unweighted scatters W_k, i.e. EVE's objective, not
    // Σ_k W_k/λk: its M-step is not the exact constrained maximiser, so EM with it is monotone only up to how far
    // that fixed point is from the maximiser (observed ≤ 1e-10 relative with the inner loop run to convergence,
    // ~5e-8 with mclust's default inner tolerance). Every other model is monotone to rounding.
    const vve = model === 'VVE';
    const gm = new GaussianMixture({
      ...base,
      respInit: start,
      maxIter: 25,
      tol: 0,
      ...(vve ? { mstepTol: 0 } : {}),
      onIteration: (i) => bounds.push(i.lowerBound),
    }).fit(X);
    const slack = vve ? 1e-9 : 1e-12;
    for (let i = 1; i < bounds.length; i++)
      expect(bounds[i] - bounds[i - 1], `iteration ${i + 1}`).toBeGreaterThanOrEqual(-slack * Math.abs(bounds[i]));
    // the same EM, one expectation/maximization at a time, checking the constraint after each M-step
    const step = new GaussianMixture({ ...base, respInit: start, maxIter: 0, ...(vve ? { mstepTol: 0 } : {}) }).fit(X);
    for (let i = 0; i < 25; i++) {
      expect(checkMclustConstraints(model, covOf(step), D, K), `after M-step ${i}`).toBeNull();
      step.maximization(step.expectation(X));
    }
    expectClose(covOf(step), covOf(gm), 1e-12, 'expectation/maximization = fit');
    expect(step.lowerBound).toBeCloseTo(gm.lowerBound, 12);
  });

  it('public K×D×D covariances and precision factors; JSON round trip; a tampered model is refused', () => {
    const gm = new GaussianMixture({ ...base, regCovar: 1e-6, initParams: 'hc', maxIter: 10 }).fit(X);
    const cov = gm.covariances as Float64Array[][];
    const prec = gm.precisionsCholesky as Float64Array[][];
    expect([cov.length, cov[0].length, cov[0][0].length]).toEqual([K, D, D]);
    expect(checkMclustConstraints(model, covOf(gm), D, K)).toBeNull();
    for (let c = 0; c < K; c++) {
      // Σ·P·Pᵀ = I
      for (let i = 0; i < D; i++)
        for (let j = 0; j < D; j++) {
          let s = 0;
          for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) s += cov[c][i][a] * prec[c][a][b] * prec[c][j][b];
          expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
        }
    }
    const json = gm.toJSON();
    const back = GaussianMixture.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.covariances).toEqual(gm.covariances);
    expect(back.precisionsCholesky).toEqual(gm.precisionsCholesky);
    expect(back.scoreSamples(X)).toEqual(gm.scoreSamples(X));
    // perturb component 1 in a way only the fully unconstrained model (VVV) allows: rotate it slightly
    const t = JSON.parse(JSON.stringify(json));
    const m = t.covariances[1] as number[][];
    const [a, b] = [m[0][0], m[1][1]];
    m[0][0] = a * 1.02;
    m[1][1] = b / 1.02;
    m[0][1] += 0.01 * Math.sqrt(a * b);
    m[1][0] = m[0][1];
    delete t.precisionsCholesky;
    if (model === 'VVV') expect(() => GaussianMixture.fromJSON(t)).not.toThrow();
    else expect(() => GaussianMixture.fromJSON(t)).toThrow(ModelFormatError);
    if (model !== 'VVV') expect(() => GaussianMixture.fromJSON(t)).toThrow(new RegExp(`model ${model}`));
  });

  it("a component re-seeded under onDegenerate 'reset' keeps the constraint", () => {
    const gm = new GaussianMixture({ ...base, respInit: start, maxIter: 5, tol: 0 }).fit(X);
    const m = covarianceModel(model);
    if (m.layout.shared) return; // one shared covariance cannot be re-seeded (EEE, as 'tied')
    const covariances = m.fromPublic!(covOf(gm), K, D);
    const precChol = new Float64Array(covariances.length);
    m.layout.factor(covariances, K, D, precChol);
    const means = Float64Array.from(gm.means.flatMap((r) => Array.from(r)));
    const params = { k: K, d: D, covType: model, weights: gm.weights, means, covariances, precChol };
    const reset = resetComponents(
      params,
      [{ component: 1, reason: 'vanished', detail: '' }],
      [Float64Array.from(X[0])],
      emptyStats(K, D, m.statsKind, means),
      { regCovar: 0, freeze: [], iteration: 3, init: 0, nInit: 1 },
    );
    expect(checkMclustConstraints(model, m.toPublic!(reset.covariances, K, D), D, K)).toBeNull();
  });

  it('sampling reproduces the covariances', () => {
    const gm = new GaussianMixture({ ...base, respInit: start, maxIter: 5, tol: 0 }).fit(X);
    const { X: S, y } = gm.sample(30_000, { seed: 1 });
    const cov = gm.covariances as Float64Array[][];
    for (let c = 0; c < K; c++) {
      const rows = S.filter((_, i) => y[i] === c);
      const mean = Array.from({ length: D }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
      for (let i = 0; i < D; i++)
        for (let j = 0; j < D; j++) {
          const s = rows.reduce((acc, r) => acc + (r[i] - mean[i]) * (r[j] - mean[j]), 0) / rows.length;
          // sampling error of a covariance entry from ~10 000 draws: a few % of √(Σii Σjj)
          expect(Math.abs(s - cov[c][i][j])).toBeLessThan(0.06 * Math.sqrt(cov[c][i][i] * cov[c][j][j]));
        }
    }
  });
});

describe('mclust models: inputs and failures', () => {
  it("precisionsInit is K×D×D and must be a model's", () => {
    const eye = [
      [1, 0],
      [0, 1],
    ];
    const Y = X.map((r) => r.slice(0, 2));
    const o = { nComponents: 2, weightsInit: [0.5, 0.5], meansInit: [Y[0], Y[1]], maxIter: 2, backend: 'js' } as const;
    expect(() => new GaussianMixture({ ...o, covarianceType: 'EII', precisionsInit: [eye, eye] }).fit(Y)).not.toThrow();
    const twice = eye.map((r) => r.map((v) => 2 * v));
    expect(() => new GaussianMixture({ ...o, covarianceType: 'EII', precisionsInit: [eye, twice] }).fit(Y)).toThrow(
      /precisionsInit must be precisions of .*EII.*volumes differ/,
    );
    expect(() =>
      new GaussianMixture({ ...o, covarianceType: 'VII', precisionsInit: [eye, twice] }).fit(Y),
    ).not.toThrow();
    expect(() => new GaussianMixture({ ...o, covarianceType: 'VII', precisionsInit: eye }).fit(Y)).toThrow(OptionError);
  });

  it('mstepTol and mstepMaxIter are validated options, saved with the model', () => {
    expect(() => new GaussianMixture({ mstepTol: -1 })).toThrow(/mstepTol must be a finite number ≥ 0/);
    expect(() => new GaussianMixture({ mstepMaxIter: 0 })).toThrow(/mstepMaxIter must be an integer ≥ 1/);
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'VEV', mstepTol: 1e-10, mstepMaxIter: 7 }).fit(X);
    const back = GaussianMixture.fromJSON(gm.toJSON());
    expect([back.options.mstepTol, back.options.mstepMaxIter]).toEqual([1e-10, 7]);
  });

  it("data in tiny units fit like the same data in ordinary units (mclust's absolute thresholds are retried at unit scale)", () => {
    const f = 1e-5;
    const tiny = X.map((r) => r.map((v) => v * f));
    for (const model of ['EVV', 'EVE', 'VVE'] as const) {
      const o = {
        nComponents: K,
        covarianceType: model,
        respInit: start,
        maxIter: 5,
        tol: 0,
        regCovar: 0,
        backend: 'js',
      } as const;
      const a = new GaussianMixture(o).fit(X);
      const b = new GaussianMixture(o).fit(tiny);
      expectClose(
        covOf(b),
        covOf(a).map((v) => v * f * f),
        1e-6,
        `${model} covariances`,
      );
    }
  });

  it('an M-step that cannot be computed is a DegenerateError naming a component', () => {
    // EVV needs every component's scatter non-singular: a group of 3 collinear points in 3-D has none
    const Y = [...X.slice(0, 60), [50, 50, 50], [51, 51, 51], [52, 52, 52]];
    const labels = Int32Array.from(Y, (_, i) => (i < 60 ? 0 : 1));
    const fit = () =>
      new GaussianMixture({ nComponents: 2, covarianceType: 'EVV', regCovar: 0, respInit: labels, backend: 'js' }).fit(
        Y,
      );
    expect(fit).toThrow(DegenerateError);
    expect(fit).toThrow(/component 1/);
  });
});
