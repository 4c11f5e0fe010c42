/**
 * BayesianGaussianMixture beyond the scikit-learn parity (JS twin): the properties the issue asks for (the lower
 * bound never decreases; 3 well-separated clusters fitted with K = 10 leave exactly 3 active components), sample
 * weights that count rows, fitStream ≡ fit, JSON, prune(), warm starts, and errors exactly like GaussianMixture's
 * with the model left unchanged by a failed fit. Reference values come from the library itself (another route to
 * the same quantity) or from direct computation in the test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BayesianGaussianMixture,
  DataError,
  DegenerateError,
  FitError,
  GaussianMixture,
  ModelFormatError,
  OptionError,
  type BayesianCovarianceType,
  type BayesianGaussianMixtureOptions,
  type WeightConcentrationPriorType,
} from '../../../src/api/index.js';
import { expectClose, flat } from '../../helpers/compare.js';
import { adjustedRand, deepFreeze, mixture } from '../../helpers/data.js';

const COVARIANCE_TYPES: BayesianCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const PRIOR_TYPES: WeightConcentrationPriorType[] = ['dirichlet_process', 'dirichlet_distribution'];

const faithful = readFileSync(new URL('../../../data/faithful.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));

/** Every fitted quantity of two models agrees to tol. */
function expectSameModel(a: BayesianGaussianMixture, b: BayesianGaussianMixture, tol: number, label: string): void {
  expect(a.nIter, `${label}: nIter`).toBe(b.nIter);
  expect(a.converged, `${label}: converged`).toBe(b.converged);
  expectClose(a.weights, b.weights, tol, `${label}: weights`);
  expectClose(a.means, b.means, tol, `${label}: means`);
  expectClose(a.covariances as never, b.covariances as never, tol, `${label}: covariances`);
  expectClose(flat(a.weightConcentration as never), flat(b.weightConcentration as never), tol, `${label}: conc.`);
  expectClose(a.meanPrecision, b.meanPrecision, tol, `${label}: meanPrecision`);
  expectClose(a.degreesOfFreedom as never, b.degreesOfFreedom as never, tol, `${label}: degreesOfFreedom`);
  expectClose(a.lowerBounds, b.lowerBounds, tol, `${label}: lowerBounds`);
}

describe('properties', () => {
  it('the lower bound never decreases over the iterations (up to rounding)', () => {
    // k-means starts on Old Faithful, random soft starts (far from any optimum) on overlapping 3-D blobs
    const sets = [
      ['faithful', faithful, 'kmeans'],
      ['blobs', mixture(5, 400, 3, 4, 3).X, 'random'],
    ] as const;
    for (const [name, X, initParams] of sets) {
      for (const t of COVARIANCE_TYPES) {
        for (const prior of PRIOR_TYPES) {
          const m = new BayesianGaussianMixture({
            nComponents: 6,
            covarianceType: t,
            weightConcentrationPriorType: prior,
            initParams,
            tol: 0,
            maxIter: 40,
            seed: 3,
          }).fit(X);
          const lb = m.lowerBounds;
          expect(lb.length).toBe(40);
          for (let i = 1; i < lb.length; i++) {
            expect(lb[i] - lb[i - 1], `${name}/${t}/${prior}/${initParams}: iteration ${i + 1}`).toBeGreaterThanOrEqual(
              -1e-12 * Math.abs(lb[i]),
            );
          }
          expect(m.lowerBound).toBe(lb[lb.length - 1]);
        }
      }
    }
  });

  it('3 well-separated clusters fitted with K = 10 leave exactly 3 active components, on the true clusters', () => {
    const { X, labels } = mixture(3, 300, 2, 3, 10);
    for (const t of COVARIANCE_TYPES) {
      for (const prior of PRIOR_TYPES) {
        const m = new BayesianGaussianMixture({
          nComponents: 10,
          covarianceType: t,
          weightConcentrationPriorType: prior,
          maxIter: 500,
          seed: 1,
        }).fit(X);
        const label = `${t}/${prior}`;
        expect(m.converged, label).toBe(true);
        expect(m.activeComponents.length, `${label}: weights ${Array.from(m.weights)}`).toBe(3);
        expect(adjustedRand(labels, m.predict(X)), label).toBe(1);
        // the others are empty: far below the threshold, not just under it
        const inactive = Array.from(m.weights).filter((_, c) => !Array.from(m.activeComponents).includes(c));
        for (const w of inactive) expect(w, label).toBeLessThan(0.01 / 2);
      }
    }
  });

  it('Old Faithful with K = 10 (the README example): two active components', () => {
    const m = new BayesianGaussianMixture({ nComponents: 10, maxIter: 500, seed: 0 }).fit(faithful);
    expect(Array.from(m.activeComponents).length).toBe(2);
    const pruned = m.prune();
    expect(pruned.weights.length).toBe(2);
    const means = pruned.means.map((r) => Array.from(r)).sort((a, b) => a[0] - b[0]);
    expect(means[0][0]).toBeCloseTo(2.04, 1);
    expect(means[1][0]).toBeCloseTo(4.29, 1);
  });
});

describe('sample weights count rows', () => {
  const { X } = mixture(7, 120, 2, 3, 6);
  const w = X.map((_, i) => 1 + (i % 3)); // 1, 2, 3, …
  const repeated = X.flatMap((r, i) => new Array(w[i]).fill(r));
  const labels = Int32Array.from(X, (_, i) => i % 3);
  const repLabels = Int32Array.from(X.flatMap((_, i) => new Array(w[i]).fill(i % 3)));

  it.each(COVARIANCE_TYPES)('integer weights fit exactly like repeated rows, default priors included (%s)', (t) => {
    for (const prior of PRIOR_TYPES) {
      const o = { nComponents: 3, covarianceType: t, weightConcentrationPriorType: prior, tol: 0, maxIter: 20 };
      const a = new BayesianGaussianMixture({ ...o, respInit: labels }).fit(X, { sampleWeight: w });
      const b = new BayesianGaussianMixture({ ...o, respInit: repLabels }).fit(repeated);
      expectSameModel(a, b, 1e-10, `${t}/${prior}`);
      expectClose(a.priors.meanPrior, b.priors.meanPrior, 1e-13, 'meanPrior');
      expectClose(a.priors.covariancePrior as never, b.priors.covariancePrior as never, 1e-12, 'covariancePrior');
      expectClose(a.lowerBound, b.lowerBound, 1e-10, 'lowerBound');
    }
  });

  it('are not rescaled: weight 2 everywhere is the data twice, not the data', () => {
    const o = { nComponents: 3, respInit: labels, tol: 0, maxIter: 10 } as const;
    const one = new BayesianGaussianMixture(o).fit(X, { sampleWeight: X.map(() => 1) });
    const none = new BayesianGaussianMixture(o).fit(X);
    expectSameModel(one, none, 1e-13, 'weights of 1');
    const two = new BayesianGaussianMixture(o).fit(X, { sampleWeight: X.map(() => 2) });
    const twice = new BayesianGaussianMixture({ ...o, respInit: Int32Array.from([...labels, ...labels]) }).fit([
      ...X,
      ...X,
    ]);
    expectSameModel(two, twice, 1e-10, 'weights of 2');
    // Σβ = K·β₀ + Σ nk: the total weight, not the number of rows
    expect(two.meanPrecision.reduce((a, v) => a + v, 0)).toBeCloseTo(3 + 240, 10);
    expect(none.meanPrecision.reduce((a, v) => a + v, 0)).toBeCloseTo(3 + 120, 10);
  });

  it('fitStream undoes the scale it gives the weights (largest weight 1000 → ×2⁻⁹)', async () => {
    const big = w.map((v) => v * 250);
    const o = { nComponents: 3, tol: 0, maxIter: 15, seed: 2 } as const;
    const a = new BayesianGaussianMixture(o).fit(X, { sampleWeight: big });
    const b = await new BayesianGaussianMixture(o).fitStream(() => [
      { X: X.slice(0, 50), sampleWeight: big.slice(0, 50) },
      { X: X.slice(50), sampleWeight: big.slice(50) },
    ]);
    expectSameModel(b, a, 1e-10, 'fitStream vs fit');
  });
});

describe('fitStream', () => {
  it.each(COVARIANCE_TYPES)('equals fit on the same rows (%s; the sample is the data)', async (t) => {
    const { X } = mixture(4, 500, 3, 3, 5);
    const o: BayesianGaussianMixtureOptions = { nComponents: 5, covarianceType: t, seed: 9, nInit: 2, maxIter: 200 };
    const a = new BayesianGaussianMixture(o).fit(X);
    const b = await new BayesianGaussianMixture(o).fitStream(async function* () {
      for (let s = 0; s < X.length; s += 128) yield X.slice(s, s + 128);
    });
    expectSameModel(b, a, 1e-10, t);
  });

  it('refuses respInit, as GaussianMixture does', async () => {
    const { X } = mixture(4, 50, 2, 2, 5);
    const err = (C: typeof GaussianMixture | typeof BayesianGaussianMixture) =>
      new C({ nComponents: 2, respInit: Int32Array.from(X, (_, i) => i % 2) }).fitStream(() => [X]).catch((e) => e);
    const [a, b] = await Promise.all([err(BayesianGaussianMixture), err(GaussianMixture)]);
    expect(a).toBeInstanceOf(OptionError);
    expect(a.message).toBe(b.message);
  });
});

describe('the fit', () => {
  const { X } = mixture(12, 240, 2, 3, 6);

  it('warmStart continues from the fitted posterior: 5 + 5 iterations ≡ 10', () => {
    for (const t of COVARIANCE_TYPES) {
      const o = { nComponents: 5, covarianceType: t, tol: 0, seed: 4 } as const;
      const ten = new BayesianGaussianMixture({ ...o, maxIter: 10 }).fit(X);
      const warm = new BayesianGaussianMixture({ ...o, maxIter: 5, warmStart: true }).fit(X);
      const first = warm.lowerBounds;
      warm.fit(X);
      expect(warm.nIter).toBe(5);
      expectClose([...first, ...warm.lowerBounds], ten.lowerBounds, 1e-10, `${t}: lowerBounds`);
      expectClose(warm.covariances as never, ten.covariances as never, 1e-10, `${t}: covariances`);
      expectClose(warm.weights, ten.weights, 1e-10, `${t}: weights`);
    }
  });

  it('maxIter 0 is the initial M-step: no iterations, lower bound −∞', () => {
    const m = new BayesianGaussianMixture({ nComponents: 3, maxIter: 0 }).fit(X);
    expect(m.nIter).toBe(0);
    expect(m.lowerBound).toBe(-Infinity);
    expect(m.lowerBounds.length).toBe(0);
    expect(m.converged).toBe(false);
    expect(m.warnings).toEqual([]);
  });

  it('onIteration reports every iteration with the lower bound and its change', () => {
    const seen: { init: number; iter: number; lowerBound: number; change: number }[] = [];
    const m = new BayesianGaussianMixture({ nComponents: 3, nInit: 2, onIteration: (i) => seen.push(i) }).fit(X);
    expect(seen.filter((s) => s.init === 1).map((s) => s.iter)).toEqual(
      Array.from({ length: seen.filter((s) => s.init === 1).length }, (_, i) => i + 1),
    );
    expect(seen[0].change).toBe(Infinity);
    const best = seen.filter((s) => s.lowerBound === m.lowerBound);
    expect(best.length).toBeGreaterThan(0);
    expect(seen.every((s, i) => i === 0 || s.iter === 1 || s.change === s.lowerBound - seen[i - 1].lowerBound)).toBe(
      true,
    );
  });

  it('nInit keeps the restart with the highest lower bound (the first restart is the nInit 1 fit)', () => {
    const one = new BayesianGaussianMixture({ nComponents: 6, seed: 5, initParams: 'random' }).fit(X);
    const three = new BayesianGaussianMixture({ nComponents: 6, seed: 5, initParams: 'random', nInit: 3 }).fit(X);
    expect(three.lowerBound).toBeGreaterThanOrEqual(one.lowerBound);
  });

  it('the same seed as GaussianMixture starts from the same k-means responsibilities', () => {
    // maxIter 0 on both: the Bayesian M-step of the responsibilities' groups and EM's M-step see the same labels,
    // so the components are in the same places in the same order
    const b = new BayesianGaussianMixture({ nComponents: 3, maxIter: 0, seed: 8, initParams: 'k-means++' }).fit(X);
    const g = new GaussianMixture({ nComponents: 3, maxIter: 0, seed: 8, initParams: 'k-means++' }).fit(X);
    expect(Array.from(b.predict(X))).toEqual(Array.from(g.predict(X)));
  });

  it('fewer distinct rows than components is fine: the extra components stay empty', () => {
    const dup = Array.from({ length: 40 }, (_, i) => [i % 4, (i % 4) * 2]);
    const m = new BayesianGaussianMixture({ nComponents: 6, covarianceType: 'spherical' }).fit(dup);
    expect(m.activeComponents.length).toBeLessThanOrEqual(4);
    expect(() => new GaussianMixture({ nComponents: 6 }).fit(dup)).toThrow(DataError);
  });

  it('a regCovar at the limit of double precision is named as the cause of the overflow', () => {
    for (const covarianceType of COVARIANCE_TYPES) {
      const m = new BayesianGaussianMixture({ nComponents: 2, covarianceType, regCovar: 1e308 });
      expect(() => m.fit(X), covarianceType).toThrow(FitError);
      expect(() => m.fit(X), covarianceType).toThrow(
        /overflowed double precision: regCovar = 1e\+308 is added to every variance and leaves no room/,
      );
      expect(() => m.fit(X)).not.toThrow(DegenerateError);
      expect(m.isFitted).toBe(false);
    }
  });

  it('a posterior that is not positive definite is a DegenerateError, and the model keeps its parameters', () => {
    // a constant column: the default covariance prior has no variance there, and regCovar 0 adds none
    const flatCol = X.map((r) => [r[0], 5]);
    const m = new BayesianGaussianMixture({ nComponents: 3, covarianceType: 'diag', regCovar: 0 });
    expect(() => m.fit(flatCol)).toThrow(DegenerateError);
    expect(() => m.fit(flatCol)).toThrow(/not positive definite.*Increase regCovar/);
    expect(m.isFitted).toBe(false);
  });
});

describe('errors like GaussianMixture’s; the model unchanged after a failed fit', () => {
  const { X } = mixture(2, 60, 2, 2, 6);

  const messageOf = (f: () => unknown): { name: string; message: string } | null => {
    try {
      f();
      return null;
    } catch (e) {
      return { name: (e as Error).constructor.name, message: (e as Error).message };
    }
  };

  it('bad data, weights and shapes give the same error class and message', () => {
    const cases: [string, unknown, unknown?][] = [
      ['ragged', [[1, 2], [3]]],
      [
        'NaN',
        [
          [1, 2],
          [Number.NaN, 3],
        ],
      ],
      ['empty', []],
      ['not an array', 'x'],
      ['too few rows', [[1, 2]]],
      ['negative weight', X, { sampleWeight: X.map((_, i) => (i === 3 ? -1 : 1)) }],
      ['weight count', X, { sampleWeight: [1, 2] }],
      ['all-zero weights', X, { sampleWeight: X.map(() => 0) }],
      ['unknown fit option', X, { weights: [] }],
      [
        'too spread out',
        [
          [1e300, 0],
          [-1e300, 1],
          [0, 2],
        ],
      ],
    ];
    for (const [label, data, opts] of cases) {
      const b = messageOf(() => new BayesianGaussianMixture({ nComponents: 2 }).fit(data as never, opts as never));
      const g = messageOf(() => new GaussianMixture({ nComponents: 2 }).fit(data as never, opts as never));
      expect(b, label).not.toBeNull();
      expect(b, label).toEqual(g);
    }
    const bf = new BayesianGaussianMixture({ nComponents: 2 }).fit(X);
    const gf = new GaussianMixture({ nComponents: 2 }).fit(X);
    for (const bad of [[[1, 2, 3]], [[1, Number.POSITIVE_INFINITY]]]) {
      for (const method of ['predict', 'predictProba', 'scoreSamples', 'score'] as const) {
        expect(messageOf(() => bf[method](bad))).toEqual(messageOf(() => gf[method](bad)));
      }
    }
    expect(messageOf(() => bf.sample(0))).toEqual(messageOf(() => gf.sample(0)));
    expect(messageOf(() => bf.sample(3, { seed: 1.5 }))).toEqual(messageOf(() => gf.sample(3, { seed: 1.5 })));
  });

  it('bad options are OptionErrors naming the option', () => {
    const bad: [BayesianGaussianMixtureOptions, string, RegExp][] = [
      [{ nComponents: 0 }, 'nComponents', /integer ≥ 1/],
      [{ covarianceType: 'VVV' as never }, 'covarianceType', /'full', 'tied', 'diag', 'spherical'/],
      [{ weightConcentrationPriorType: 'dp' as never }, 'weightConcentrationPriorType', /'dirichlet_process'/],
      [{ meanPrecisionPrior: -1 }, 'meanPrecisionPrior', /> 0/],
      [{ meanPrior: [[1, 2]] as never }, 'meanPrior', /one number per feature/],
      [{ meanPrior: [1, Number.NaN] }, 'meanPrior[1]', /finite number/],
      [{ degreesOfFreedomPrior: Number.POSITIVE_INFINITY }, 'degreesOfFreedomPrior', /finite number/],
      [{ covarianceType: 'spherical', covariancePrior: [1] }, 'covariancePrior', /a number > 0/],
      [{ covarianceType: 'diag', covariancePrior: [1, 0] }, 'covariancePrior[1]', /a variance > 0/],
      [{ covariancePrior: [1, 2] }, 'covariancePrior', /D×D matrix/],
      [
        {
          covariancePrior: [
            [1, 0.5],
            [0.4, 1],
          ],
        },
        'covariancePrior[1][0]',
        /symmetric/,
      ],
      [
        {
          covarianceType: 'tied',
          covariancePrior: [
            [1, 2],
            [2, 1],
          ],
        },
        'covariancePrior',
        /positive definite/,
      ],
      [{ nComponents: 2, respInit: Int32Array.of(0, 2) }, 'respInit[1]', /label in 0…1/],
      [{ nComponents: 2, respInit: Int32Array.of(0, 1), nInit: 2 }, 'nInit', /respInit/],
      [{ weightsInit: [1] } as never, 'weightsInit', /unknown option 'weightsInit'/],
    ];
    for (const [o, option, message] of bad) {
      let err: unknown;
      try {
        new BayesianGaussianMixture(o);
      } catch (e) {
        err = e;
      }
      expect(err, option).toBeInstanceOf(OptionError);
      expect((err as OptionError).option, option).toBe(option);
      expect((err as Error).message, option).toMatch(message);
    }
    // checked against X at fit time
    expect(() =>
      new BayesianGaussianMixture({
        covariancePrior: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      }).fit(X),
    ).toThrow("covariancePrior for covarianceType 'full' must be a 2×2 matrix (one per feature of X); got 3×3");
    expect(() => new BayesianGaussianMixture({ nComponents: 2, respInit: Int32Array.of(0, 1) }).fit(X)).toThrow(
      /one row of responsibilities per row of X \(60\); got 2/,
    );
  });

  it('a failed fit leaves the model as it was; options and inputs are never mutated', () => {
    const o = deepFreeze({
      nComponents: 2,
      meanPrior: [0, 0],
      covariancePrior: [
        [1, 0],
        [0, 1],
      ],
    });
    const Xf = deepFreeze(X.map((r) => [...r]));
    const m = new BayesianGaussianMixture(o).fit(Xf, { sampleWeight: Object.freeze(X.map(() => 1)) });
    const before = JSON.stringify(m.toJSON());
    expect(() => m.fit([[1, 2, 3]])).toThrow(DataError);
    let calls = 0;
    const failing = new BayesianGaussianMixture({
      ...o,
      tol: 0,
      onIteration: () => {
        if (++calls === 3) throw new Error('stop');
      },
    });
    expect(() => failing.fit(Xf)).toThrow('stop');
    expect(failing.isFitted).toBe(false);
    expect(JSON.stringify(m.toJSON())).toBe(before);
    const warm = new BayesianGaussianMixture({ ...o, warmStart: true }).fit(Xf);
    expect(() => warm.fit(Xf.map((r) => [...r, 1]))).toThrow(
      'warmStart: X has 3 features but the model was fitted on 2',
    );
  });
});

describe('JSON', () => {
  const { X } = mixture(6, 150, 3, 3, 6);

  it.each(COVARIANCE_TYPES)('round-trips bit for bit (%s)', (t) => {
    for (const prior of PRIOR_TYPES) {
      const m = new BayesianGaussianMixture({
        nComponents: 4,
        covarianceType: t,
        weightConcentrationPriorType: prior,
        meanPrecisionPrior: 0.5,
        seed: 3,
      }).fit(X);
      const json = JSON.stringify(m.toJSON());
      const back = BayesianGaussianMixture.fromJSON(json);
      expect(JSON.stringify(back.toJSON())).toBe(json);
      expect(Array.from(back.scoreSamples(X))).toEqual(Array.from(m.scoreSamples(X)));
      expect(Array.from(back.predict(X))).toEqual(Array.from(m.predict(X)));
      expect(back.lowerBound).toBe(m.lowerBound);
      expect(Array.from(back.lowerBounds)).toEqual(Array.from(m.lowerBounds));
      expect(back.options.meanPrecisionPrior).toBe(0.5);
      expect(back.sample(20, { seed: 1 })).toEqual(m.sample(20, { seed: 1 }));
    }
  });

  it('validates everything, with a ModelFormatError naming the field', () => {
    const m = new BayesianGaussianMixture({ nComponents: 3, seed: 1 }).fit(X);
    const good = m.toJSON();
    // biome-ignore lint/suspicious/noExplicitAny: the cases reach into arbitrary parts of the model JSON
    const edit = (f: (j: Record<string, any>) => void): string => {
      const j = JSON.parse(JSON.stringify(good));
      f(j);
      return JSON.stringify(j);
    };
    const bad: [string, string | RegExp][] = [
      [edit((j) => (j.format = 'gaussmix-model')), /load it with GaussianMixture.fromJSON/],
      [edit((j) => (j.version = 2)), /version 2 is not supported/],
      [edit((j) => (j.weights[0] += 0.01)), /weights\[0\] = .* does not follow from weightConcentration/],
      [edit((j) => (j.weightConcentration[1][2] = -1)), /weightConcentration\[1\]\[2\] must be > 0/],
      [edit((j) => (j.meanPrecision = [1, 2])), /meanPrecision must be an array of length 3/],
      [edit((j) => (j.degreesOfFreedom[0] = 1)), /degreesOfFreedom\[0\] must be > nFeatures − 1 = 2/],
      [edit((j) => (j.covariances[1][0][0] = -1)), /covariances\[1\] must be positive definite|symmetric/],
      [edit((j) => (j.precisionsCholesky[0][0][0] *= 2)), /precisionsCholesky does not match covariances/],
      [edit((j) => delete j.priors), /missing 'priors'/],
      [edit((j) => (j.priors.degreesOfFreedomPrior = 2)), /priors.degreesOfFreedomPrior must be a number > 2/],
      [edit((j) => (j.priors.covariancePrior[0][1] = 7)), /priors.covariancePrior must be symmetric positive definite/],
      [edit((j) => (j.extra = 1)), /unknown key 'extra'/],
      [edit((j) => (j.options.freeze = [])), /options has the unknown key 'freeze'/],
      [edit((j) => (j.options.tol = -1)), /options: tol must be a finite number ≥ 0/],
      ['{"__proto__": {}}', /forbidden key '__proto__'/],
      ['not json', /not valid JSON/],
    ];
    for (const [text, message] of bad) {
      expect(() => BayesianGaussianMixture.fromJSON(text), String(message)).toThrow(ModelFormatError);
      expect(() => BayesianGaussianMixture.fromJSON(text), String(message)).toThrow(message);
    }
    expect(() => GaussianMixture.fromJSON(good)).toThrow(ModelFormatError);
    // hostile input: deep nesting, huge strings, BigInts — typed errors with bounded messages
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const deepText = JSON.stringify({ ...good, weights: '*' }).replace('"*"', deep);
    expect(() => BayesianGaussianMixture.fromJSON(deepText)).toThrow(ModelFormatError);
    expect(() => BayesianGaussianMixture.fromJSON({ ...good, weights: JSON.parse(deep) })).toThrow(ModelFormatError);
    const long = (() => {
      try {
        BayesianGaussianMixture.fromJSON({ ...good, covarianceType: 'x'.repeat(1e6) });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(long).toBeInstanceOf(ModelFormatError);
    expect(long!.message.length).toBeLessThan(400);
    expect(() => BayesianGaussianMixture.fromJSON({ ...good, nComponents: 3n })).toThrow(/got the BigInt 3n/);
  });
});

describe('prune() and activeComponents', () => {
  const { X } = mixture(3, 300, 2, 3, 10);
  for (const t of COVARIANCE_TYPES) {
    it(`prune gives the GaussianMixture of the active components (${t})`, () => {
      const m = new BayesianGaussianMixture({ nComponents: 8, covarianceType: t, maxIter: 300 }).fit(X);
      const active = Array.from(m.activeComponents);
      expect(active).toEqual(
        Array.from(m.weights)
          .map((w, c) => (w >= 0.01 ? c : -1))
          .filter((c) => c >= 0),
      );
      const g = m.prune();
      expect(g).toBeInstanceOf(GaussianMixture);
      expect(g.options.covarianceType).toBe(t);
      const total = active.reduce((s, c) => s + m.weights[c], 0);
      expectClose(
        g.weights,
        active.map((c) => m.weights[c] / total),
        1e-15,
        'weights',
      );
      expectClose(
        g.means,
        active.map((c) => m.means[c]),
        0,
        'means',
      );
      const cov = m.covariances;
      const expected = t === 'tied' ? cov : active.map((c) => (cov as ArrayLike<unknown>)[c]);
      expectClose(g.covariances as never, expected as never, 0, 'covariances');
      expect(adjustedRand(g.predict(X), m.predict(X))).toBe(1);
      // minWeight 0 keeps everything: the mixture sample() draws from
      const all = m.prune({ minWeight: 0 });
      expect(all.weights.length).toBe(8);
      expect(all.sample(50, { seed: 2 })).toEqual(m.sample(50, { seed: 2 }));
    });
  }

  it('prune options are checked', () => {
    const m = new BayesianGaussianMixture({ nComponents: 2 }).fit(X);
    expect(() => m.prune({ minWeight: 1 })).toThrow('minWeight must be a number in [0, 1); got 1');
    expect(() => m.prune({ min: 0 } as never)).toThrow(/unknown prune option 'min'/);
    expect(m.prune({ minWeight: 0.99 }).weights.length).toBe(1); // at least the heaviest component
  });
});
