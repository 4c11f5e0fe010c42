/**
 * scikit-learn 1.2.1's sklearn/mixture/tests/test_bayesian_mixture.py re-expressed through BayesianGaussianMixture's
 * public API (JS twin). The data are re-drawn with our Random in the shape of scikit-learn's RandomData (numpy's
 * generator is not reproduced), so each test checks the property scikit-learn's checks, not its numbers; the exact
 * numbers are the parity tests' (bayesian-parity.test.ts). test_log_dirichlet_norm and test_log_wishart_norm are
 * pure math and live with the math (test/unit/model/variational.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  BayesianGaussianMixture,
  NotFittedError,
  OptionError,
  type BayesianCovarianceType,
  type WeightConcentrationPriorType,
} from '../../../src/api/index.js';
import { Random } from '../../../src/util/random.js';
import { expectClose, flat } from '../../helpers/compare.js';
import { adjustedRand } from '../../helpers/data.js';

const COVARIANCE_TYPES: BayesianCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const PRIOR_TYPES: WeightConcentrationPriorType[] = ['dirichlet_process', 'dirichlet_distribution'];

/** n×d uniform [0, 1) values (numpy's rng.rand). */
function rand(rng: Random, n: number, d: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.random()));
}

/** A random symmetric positive definite d×d matrix (in the spirit of make_spd_matrix). */
function spd(rng: Random, d: number): number[][] {
  const a = rand(rng, d, d);
  return a.map((_, i) => a.map((_, j) => a[i].reduce((s, v, t) => s + v * a[j][t], 0) / d + (i === j ? 0.3 : 0)));
}

/** Lower Cholesky factor of an SPD matrix. */
function chol(m: number[][]): number[][] {
  const d = m.length;
  const l = m.map(() => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let p = 0; p < j; p++) s -= l[i][p] * l[j][p];
      l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
    }
  return l;
}

/**
 * scikit-learn's RandomData: K = 2 components in 2-D with random weights, means uniform in [0, scale)², and
 * covariances of each covariance type; X[type] holds round(w·n) rows per component, in component order, and Y their
 * labels.
 */
function randomData(seed: number, n = 200, scale = 50) {
  const rng = new Random(seed);
  const k = 2;
  const d = 2;
  const w0 = [rng.random(), rng.random()];
  const weights = w0.map((v) => v / (w0[0] + w0[1]));
  const means = rand(rng, k, d).map((r) => r.map((v) => v * scale));
  const cov: Record<BayesianCovarianceType, number[][][]> = {
    spherical: [0, 1].map(() => {
      const v = 0.5 + rng.random();
      return [
        [v, 0],
        [0, v],
      ];
    }),
    diag: [0, 1].map(() => {
      const v = [0, 1].map(() => (0.5 + rng.random()) ** 2);
      return [
        [v[0], 0],
        [0, v[1]],
      ];
    }),
    tied: (() => {
      const m = spd(rng, d);
      return [m, m];
    })(),
    full: [0, 1].map(() => spd(rng, d).map((r) => r.map((v) => v * 0.5))),
  };
  const counts = weights.map((w) => Math.round(w * n));
  const Y = counts.flatMap((c, t) => new Array<number>(c).fill(t));
  const X = {} as Record<BayesianCovarianceType, number[][]>;
  for (const t of COVARIANCE_TYPES) {
    const g = new Random(0);
    X[t] = counts.flatMap((c, comp) => {
      const l = chol(cov[t][comp]);
      return Array.from({ length: c }, () => {
        const z = [g.normal(), g.normal()];
        return means[comp].map((m, i) => m + l[i].reduce((s, v, j) => s + v * z[j], 0));
      });
    });
  }
  return { X, Y, nComponents: k };
}

describe('scikit-learn test_bayesian_mixture.py, re-expressed', () => {
  const small = rand(new Random(0), 10, 2);

  it('test_bayesian_mixture_weights_prior_initialisation', () => {
    const g = 0.5488135;
    expect(
      new BayesianGaussianMixture({ weightConcentrationPrior: g }).fit(small).priors.weightConcentrationPrior,
    ).toBe(g);
    expect(new BayesianGaussianMixture({ nComponents: 5 }).fit(small).priors.weightConcentrationPrior).toBe(1 / 5);
    for (const bad of [0, -1, Number.NaN, '1'])
      expect(() => new BayesianGaussianMixture({ weightConcentrationPrior: bad as number })).toThrow(OptionError);
  });

  it('test_bayesian_mixture_mean_prior_initialisation', () => {
    expect(new BayesianGaussianMixture({ meanPrecisionPrior: 0.7151894 }).fit(small).priors.meanPrecisionPrior).toBe(
      0.7151894,
    );
    expect(new BayesianGaussianMixture().fit(small).priors.meanPrecisionPrior).toBe(1);
    const mp = [0.6027634, 0.5448832];
    expect(
      Array.from(new BayesianGaussianMixture({ nComponents: 3, meanPrior: mp }).fit(small).priors.meanPrior),
    ).toEqual(mp);
    const mean = [0, 1].map((j) => small.reduce((s, r) => s + r[j], 0) / small.length);
    expectClose(new BayesianGaussianMixture({ nComponents: 3 }).fit(small).priors.meanPrior, mean, 1e-15);
    expect(() => new BayesianGaussianMixture({ meanPrior: [1, 2, 3] }).fit(small)).toThrow(
      /meanPrior must have one entry per feature of X \(2\); got 3/,
    );
  });

  it('test_bayesian_mixture_precisions_prior_initialisation', () => {
    const d = 2;
    // a bad degrees_of_freedom_prior: scikit-learn's ValueError at fit, here an OptionError naming the option
    const bad = new BayesianGaussianMixture({ degreesOfFreedomPrior: d - 1 });
    expect(() => bad.fit(small)).toThrow(
      'degreesOfFreedomPrior must be greater than the number of features minus 1 (1); got 1',
    );
    try {
      bad.fit(small);
    } catch (e) {
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).option).toBe('degreesOfFreedomPrior');
    }
    const nu = 0.4236548 + d - 1;
    expect(new BayesianGaussianMixture({ degreesOfFreedomPrior: nu }).fit(small).priors.degreesOfFreedomPrior).toBe(nu);
    expect(new BayesianGaussianMixture().fit(small).priors.degreesOfFreedomPrior).toBe(d);

    const n = small.length;
    const mean = [0, 1].map((j) => small.reduce((s, r) => s + r[j], 0) / n);
    const cov = (ddof: number) =>
      [0, 1].map((a) =>
        [0, 1].map((b) => small.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / (n - ddof)),
      );
    const biased = cov(0);
    const given: Record<BayesianCovarianceType, number | number[] | number[][]> = {
      full: biased.map((r) => r.map((v) => v + 10)),
      tied: biased.map((r) => r.map((v) => v + 5)),
      diag: [biased[0][0] + 3, biased[1][1] + 3],
      spherical: 0.6458941,
    };
    const unbiased = cov(1);
    const defaults: Record<BayesianCovarianceType, number | number[] | number[][]> = {
      full: unbiased,
      tied: unbiased,
      diag: [unbiased[0][0], unbiased[1][1]],
      spherical: (unbiased[0][0] + unbiased[1][1]) / 2,
    };
    for (const t of COVARIANCE_TYPES) {
      const m = new BayesianGaussianMixture({ covarianceType: t, covariancePrior: given[t] }).fit(small);
      expect(flat(m.priors.covariancePrior as never)).toEqual(flat(given[t] as never));
      const dm = new BayesianGaussianMixture({ covarianceType: t }).fit(small);
      expectClose(dm.priors.covariancePrior as never, defaults[t] as never, 1e-14, t);
    }
  });

  it('test_bayesian_mixture_check_is_fitted', () => {
    const m = new BayesianGaussianMixture();
    expect(() => m.score(small)).toThrow(NotFittedError);
    expect(() => m.score(small)).toThrow(
      'BayesianGaussianMixture.score() needs a fitted model: call fit(X) (or BayesianGaussianMixture.fromJSON) first',
    );
  });

  it('test_bayesian_mixture_weights', () => {
    const dd = new BayesianGaussianMixture({
      weightConcentrationPriorType: 'dirichlet_distribution',
      nComponents: 3,
    }).fit(small);
    const alpha = dd.weightConcentration as Float64Array;
    const sum = alpha.reduce((a, v) => a + v, 0);
    expectClose(
      dd.weights,
      Array.from(alpha, (v) => v / sum),
      1e-15,
    );
    expect(Math.abs(dd.weights.reduce((a, v) => a + v, 0) - 1)).toBeLessThan(1e-15);

    const dp = new BayesianGaussianMixture({ weightConcentrationPriorType: 'dirichlet_process', nComponents: 3 }).fit(
      small,
    );
    const [a, b] = dp.weightConcentration as [Float64Array, Float64Array];
    let stick = 1;
    const expected = Array.from(a, (v, i) => {
      const w = (v / (v + b[i])) * stick;
      stick *= b[i] / (v + b[i]);
      return w;
    });
    const total = expected.reduce((s, v) => s + v, 0);
    expectClose(
      dp.weights,
      expected.map((v) => v / total),
      1e-15,
    );
    expect(Math.abs(dp.weights.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-15);
  });

  it('test_monotonic_likelihood: one iteration per warm-started fit, the bound never decreases, and it converges', () => {
    const data = randomData(0, 200, 20);
    for (const prior of PRIOR_TYPES) {
      for (const t of COVARIANCE_TYPES) {
        const m = new BayesianGaussianMixture({
          weightConcentrationPriorType: prior,
          nComponents: 2 * data.nComponents,
          covarianceType: t,
          warmStart: true,
          maxIter: 1,
          tol: 1e-3,
        });
        let current = -Infinity;
        let fits = 0;
        for (; fits < 600; fits++) {
          const prev = current;
          current = m.fit(data.X[t]).lowerBound;
          // non-decreasing up to the rounding of a sum of ~200 log-terms
          expect(current, `${prior}/${t} fit ${fits}`).toBeGreaterThanOrEqual(prev - 1e-12 * Math.abs(current));
          if (m.converged) break;
        }
        expect(m.converged, `${prior}/${t}`).toBe(true);
        expect(m.nIter).toBe(1);
      }
    }
  });

  it('test_compare_covar_type: after the first M-step tied = mean of full, diag = diag of full, spherical = mean of diag (×ν)', () => {
    const data = randomData(0, 200, 7);
    const X = data.X.full;
    for (const prior of PRIOR_TYPES) {
      // maxIter 0: the model is the initial M-step (scikit-learn's _initialize_parameters); k-means gives every
      // covariance type the same initial responsibilities
      const fit = (t: BayesianCovarianceType) =>
        new BayesianGaussianMixture({
          weightConcentrationPriorType: prior,
          nComponents: 2 * data.nComponents,
          covarianceType: t,
          maxIter: 0,
          seed: 0,
        }).fit(X);
      const full = fit('full');
      const k = 2 * data.nComponents;
      const nu = full.degreesOfFreedom as Float64Array;
      const fullScaled = (full.covariances as Float64Array[][]).map((m, c) =>
        m.map((r) => Array.from(r, (v) => v * nu[c])),
      );
      const tied = fit('tied');
      const tiedScaled = (tied.covariances as Float64Array[]).map((r) =>
        Array.from(r, (v) => v * (tied.degreesOfFreedom as number)),
      );
      const mean = [0, 1].map((i) => [0, 1].map((j) => fullScaled.reduce((s, m) => s + m[i][j], 0) / k));
      expectClose(tiedScaled, mean, 1e-12, `${prior}: tied`);
      const diag = fit('diag');
      const dnu = diag.degreesOfFreedom as Float64Array;
      const diagScaled = (diag.covariances as Float64Array[]).map((r, c) => Array.from(r, (v) => v * dnu[c]));
      expectClose(
        diagScaled,
        fullScaled.map((m) => [m[0][0], m[1][1]]),
        1e-12,
        `${prior}: diag`,
      );
      const sph = fit('spherical');
      const snu = sph.degreesOfFreedom as Float64Array;
      expectClose(
        Array.from(sph.covariances as Float64Array, (v, c) => v * snu[c]),
        diagScaled.map((r) => (r[0] + r[1]) / 2),
        1e-12,
        `${prior}: spherical`,
      );
    }
  });

  it('test_check_covariance_precision: covariances · precisions = I', () => {
    const data = randomData(0, 200, 7);
    for (const t of COVARIANCE_TYPES) {
      const m = new BayesianGaussianMixture({
        nComponents: 4,
        covarianceType: t,
        maxIter: 100,
        tol: 1e-3,
        regCovar: 0,
      }).fit(data.X[t]);
      const cov = m.covariances;
      const pc = m.precisionsCholesky;
      const check = (c: ArrayLike<ArrayLike<number>>, p: ArrayLike<ArrayLike<number>>) => {
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            let s = 0;
            for (let a = 0; a < 2; a++) {
              let prec = 0;
              for (let q = 0; q < 2; q++) prec += p[a][q] * p[j][q]; // (P·Pᵀ)[a][j]
              s += c[i][a] * prec;
            }
            expect(Math.abs(s - (i === j ? 1 : 0)), t).toBeLessThan(1e-10);
          }
      };
      if (t === 'full') (cov as Float64Array[][]).forEach((c, k) => check(c, (pc as Float64Array[][])[k]));
      else if (t === 'tied') check(cov as Float64Array[], pc as Float64Array[]);
      else
        flat(cov as never).forEach((v, i) => expect(Math.abs(v * flat(pc as never)[i] ** 2 - 1)).toBeLessThan(1e-14));
    }
  });

  it('test_invariant_translation: X + 100 shifts the means and keeps weights and covariances', () => {
    const data = randomData(0, 200, 100);
    for (const prior of PRIOR_TYPES) {
      for (const t of COVARIANCE_TYPES) {
        const o = {
          weightConcentrationPriorType: prior,
          nComponents: 2 * data.nComponents,
          covarianceType: t,
          maxIter: 100,
          tol: 1e-3,
          regCovar: 0,
        };
        const a = new BayesianGaussianMixture(o).fit(data.X[t]);
        const b = new BayesianGaussianMixture(o).fit(data.X[t].map((r) => r.map((v) => v + 100)));
        expectClose(
          b.means.map((r) => Array.from(r, (v) => v - 100)),
          a.means,
          1e-7,
          `${prior}/${t}: means`,
        );
        expectClose(b.weights, a.weights, 1e-7, `${prior}/${t}: weights`);
        expectClose(b.covariances as never, a.covariances as never, 1e-7, `${prior}/${t}: covariances`);
      }
    }
  });

  it.each([
    [0, 2, 1e-7], // strict non-convergence
    [1, 2, 1e-1], // loose non-convergence
    [3, 300, 1e-7], // strict convergence
    [4, 300, 1e-1], // loose convergence
  ])('test_bayesian_mixture_fit_predict (seed %i, maxIter %i, tol %f)', (seed, maxIter, tol) => {
    const data = randomData(seed, 50, 7);
    for (const t of COVARIANCE_TYPES) {
      const o = { nComponents: 2 * data.nComponents, maxIter, seed, tol, regCovar: 0, covarianceType: t };
      const a = new BayesianGaussianMixture(o).fit(data.X[t]).predict(data.X[t]);
      const b = new BayesianGaussianMixture(o).fitPredict(data.X[t]);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });

  it('test_bayesian_mixture_fit_predict_n_init', () => {
    const g = new Random(0);
    const X = Array.from({ length: 50 }, () => Array.from({ length: 5 }, () => g.normal()));
    const m = new BayesianGaussianMixture({ nComponents: 5, nInit: 10, seed: 0 });
    const a = m.fitPredict(X);
    expect(Array.from(m.predict(X))).toEqual(Array.from(a));
  });

  it('test_bayesian_mixture_predict_predict_proba', () => {
    const data = randomData(0);
    for (const prior of PRIOR_TYPES) {
      for (const t of COVARIANCE_TYPES) {
        const X = data.X[t];
        const m = new BayesianGaussianMixture({
          nComponents: data.nComponents,
          weightConcentrationPriorType: prior,
          covarianceType: t,
        });
        expect(() => m.predict(X)).toThrow(NotFittedError);
        m.fit(X);
        const labels = m.predict(X);
        const proba = m.predictProba(X);
        expect(Array.from(labels)).toEqual(proba.map((r) => r.indexOf(Math.max(...r))));
        expect(adjustedRand(data.Y, labels)).toBeGreaterThanOrEqual(0.95);
      }
    }
  });
});
