/**
 * The behaviour of MAP-EM (option prior) and of the noise component (option noise) beyond mclust parity (which
 * prior-parity and noise-parity test): a fit that collapses without a prior and not with one, clutter recovered on a
 * contaminated mixture (measured: mean error and the noise flags' precision/recall, printed), the EM invariants
 * (log posterior non-decreasing, noise weight in [0, 1]), the inference surface (predict −1, K + 1 columns, the
 * noise term in scoreSamples, sample), JSON round trips and the option checks.
 */
import { describe, expect, it } from 'vitest';
import { FitError, GaussianMixture, ModelFormatError, OptionError, selectModel } from '../../../src/api/index.js';
import { resetComponents } from '../../../src/model/degeneracy.js';
import { emptyStats } from '../../../src/model/stats.js';
import { nnClutter } from '../../../src/tools/nn-clean.js';
import { contaminatedMixture, meanError } from '../../helpers/contaminated.js';
import { mixture } from '../../helpers/data.js';

/** 60 points of a round cluster and 5 points on a line (a component whose covariance is singular). */
function collapsing(): { X: number[][]; labels: Int32Array } {
  const m = mixture(5, 60, 2, 1);
  const line = Array.from({ length: 5 }, (_, t) => [20 + t, 20 + 2 * t]);
  return { X: [...m.X, ...line], labels: Int32Array.from([...m.X.map(() => 0), ...line.map(() => 1)]) };
}

function precisionRecall(flags: ArrayLike<number | boolean>, truth: Uint8Array): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = !!flags[i];
    if (p && truth[i]) tp++;
    else if (p) fp++;
    else if (truth[i]) fn++;
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
}

describe('prior', () => {
  it('fits where plain EM with regCovar 0 collapses (a component on a line)', () => {
    const { X, labels } = collapsing();
    const opts = { nComponents: 2, covarianceType: 'full', regCovar: 0, respInit: labels, backend: 'js' } as const;
    expect(() => new GaussianMixture(opts).fit(X)).toThrow(FitError);
    const gm = new GaussianMixture({ ...opts, prior: true }).fit(X);
    expect(Number.isFinite(gm.lowerBound)).toBe(true);
    const cov = gm.covariances as Float64Array[][];
    const det = cov[1][0][0] * cov[1][1][1] - cov[1][0][1] * cov[1][1][0];
    expect(det).toBeGreaterThan(0);
    expect(gm.predict(X).slice(60)).toEqual(Int32Array.from([1, 1, 1, 1, 1]));
  });

  it.each(['full', 'tied', 'diag', 'spherical', 'EII', 'VEI', 'EVI', 'EEV', 'VEV'] as const)(
    'the log posterior never decreases (%s)',
    (covarianceType) => {
      const { X } = mixture(11, 300, 3, 3);
      const bounds: number[] = [];
      new GaussianMixture({
        nComponents: 3,
        covarianceType,
        prior: true,
        tol: 0,
        maxIter: 40,
        backend: 'js',
        onIteration: (i) => bounds.push(i.lowerBound),
      }).fit(X);
      for (let t = 1; t < bounds.length; t++)
        expect(bounds[t] - bounds[t - 1]).toBeGreaterThanOrEqual(-1e-12 * Math.abs(bounds[t]));
    },
  );

  it('lowerBound is the mean log posterior; bic uses the log-likelihood at the MAP estimate', () => {
    const { X } = mixture(3, 200, 2, 2);
    const gm = new GaussianMixture({ nComponents: 2, prior: true, backend: 'js', tol: 0, maxIter: 30 }).fit(X);
    const n = X.length;
    // the MAP estimate's own log-likelihood is below the log posterior's log-likelihood part only by the prior term
    expect(gm.bic(X)).toBeCloseTo(-2 * gm.score(X) * n + gm.nParameters() * Math.log(n), 8);
    expect(gm.lowerBound).not.toBeCloseTo(gm.score(X), 6);
  });

  it('survives toJSON/fromJSON (the resolved hyper-parameters), and maximization() keeps using it', () => {
    const { X } = mixture(4, 200, 2, 2);
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'VVV', prior: true, backend: 'js' }).fit(X);
    const json = JSON.parse(JSON.stringify(gm.toJSON()));
    expect(json.options.prior.dof).toBe(4);
    expect(json.options.prior.mean).toHaveLength(2);
    const back = GaussianMixture.fromJSON(json);
    expect(back.scoreSamples(X)).toEqual(gm.scoreSamples(X));
    const a = gm.maximization(gm.expectation(X));
    const b = back.maximization(back.expectation(X));
    expect(b.means).toEqual(a.means);
    expect(b.lowerBound).toBe(a.lowerBound);
    const partial = { ...json, options: { ...json.options, prior: { shrinkage: 0.01 } } };
    expect(() => GaussianMixture.fromJSON(partial)).toThrow(ModelFormatError);
  });

  it('checks its options, naming the part', () => {
    expect(() => new GaussianMixture({ prior: { shrinkage: -1 } })).toThrow(/prior.shrinkage must be/);
    expect(() => new GaussianMixture({ prior: { dof: 0 } })).toThrow(/prior.dof must be/);
    expect(() => new GaussianMixture({ prior: { foo: 1 } as never })).toThrow(/unknown prior option 'foo'/);
    expect(
      () =>
        new GaussianMixture({
          prior: {
            scale: [
              [1, 2],
              [2, 1],
            ],
          },
        }),
    ).toThrow(/positive definite/);
    expect(() => new GaussianMixture({ covarianceType: 'diag', prior: { scale: [[1]] } })).toThrow(OptionError);
    const { X } = mixture(4, 50, 2, 1);
    expect(() => new GaussianMixture({ nComponents: 1, prior: { mean: [0, 0, 0] } }).fit(X)).toThrow(
      /prior.mean must have one value per feature \(2\)/,
    );
  });
});

describe('noise', () => {
  it('recovers the true means on a contaminated mixture far better than plain EM, and flags the clutter', () => {
    for (const seed of [1, 2, 3]) {
      const c = contaminatedMixture(seed, 600, 2, 3, 0.1);
      const plain = new GaussianMixture({ nComponents: 3, backend: 'js' }).fit(c.X);
      const noisy = new GaussianMixture({ nComponents: 3, backend: 'js', noise: true }).fit(c.X);
      const errPlain = meanError(plain.means, c.means);
      const errNoise = meanError(noisy.means, c.means);
      const labels = noisy.predict(c.X);
      const fit = precisionRecall(
        Array.from(labels, (l) => l === -1),
        c.clutter,
      );
      const start = precisionRecall(nnClutter(Float64Array.from(c.X.flat()), c.X.length, 2), c.clutter);
      console.info(
        `contaminated mixture (seed ${seed}, 600 rows + 60 clutter): worst mean error plain ${errPlain.toFixed(3)}, ` +
          `noise ${errNoise.toFixed(3)}; noise weight ${noisy.noiseWeight?.toFixed(4)}; clutter flags after the fit ` +
          `precision ${fit.precision.toFixed(3)} recall ${fit.recall.toFixed(3)}; NN clutter start precision ` +
          `${start.precision.toFixed(3)} recall ${start.recall.toFixed(3)}`,
      );
      expect(errNoise).toBeLessThan(errPlain / 3);
      expect(fit.precision).toBeGreaterThan(0.9);
      expect(fit.recall).toBeGreaterThan(0.85);
      expect(noisy.noiseWeight).toBeGreaterThan(0.05);
      expect(noisy.noiseWeight).toBeLessThan(0.15);
    }
  });

  it('the noise weight stays in [0, 1] and the log-likelihood never decreases, for every layout', () => {
    const c = contaminatedMixture(7, 300, 3, 2, 0.15);
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical', 'EEE', 'VEV'] as const) {
      const bounds: number[] = [];
      const gm = new GaussianMixture({
        nComponents: 2,
        covarianceType,
        noise: true,
        tol: 0,
        maxIter: 30,
        backend: 'js',
        onIteration: (i) => bounds.push(i.lowerBound),
      }).fit(c.X);
      for (let t = 1; t < bounds.length; t++)
        expect(bounds[t] - bounds[t - 1], covarianceType).toBeGreaterThanOrEqual(-1e-12 * Math.abs(bounds[t]));
      expect(gm.noiseWeight).toBeGreaterThanOrEqual(0);
      expect(gm.noiseWeight).toBeLessThanOrEqual(1);
      const total = gm.weights.reduce((a, b) => a + b, 0) + (gm.noiseWeight ?? 0);
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it('predict, predictProba, scoreSamples, sample and nParameters include the noise component', () => {
    const c = contaminatedMixture(2, 300, 2, 2, 0.1);
    const gm = new GaussianMixture({ nComponents: 2, noise: true, backend: 'js' }).fit(c.X);
    const proba = gm.predictProba(c.X);
    const labels = gm.predict(c.X);
    const V = gm.noiseVolume!;
    const w0 = gm.noiseWeight!;
    const ss = gm.scoreSamples(c.X);
    for (let i = 0; i < c.X.length; i++) {
      expect(proba[i]).toHaveLength(3);
      expect(proba[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const best = proba[i].indexOf(Math.max(...proba[i]));
      expect(labels[i]).toBe(best === 2 ? -1 : best);
      // p(x) ≥ π₀/V: the noise term is in the density
      expect(ss[i]).toBeGreaterThanOrEqual(Math.log(w0 / V) - 1e-12);
    }
    // the noise posterior as an anomaly score: its rows are the clutter ones
    expect(labels.filter((l) => l === -1).length).toBeGreaterThan(20);
    expect(gm.nParameters()).toBe(new GaussianMixture({ nComponents: 2, backend: 'js' }).fit(c.X).nParameters() + 2);
    const s = gm.sample(4000, { seed: 3 });
    const noiseRows = s.X.filter((_, i) => s.y[i] === -1);
    expect(noiseRows.length / 4000).toBeCloseTo(w0, 1);
    const lo = [0, 1].map((j) => Math.min(...c.X.map((r) => r[j])));
    const hi = [0, 1].map((j) => Math.max(...c.X.map((r) => r[j])));
    for (const r of noiseRows) for (const j of [0, 1]) expect(r[j] >= lo[j] && r[j] <= hi[j]).toBe(true);
  });

  it('starts from noiseInit when given, and from respInit labels with −1 for noise', () => {
    const c = contaminatedMixture(3, 300, 2, 2, 0.1);
    const a = new GaussianMixture({ nComponents: 2, noise: true, noiseInit: c.clutter, backend: 'js' }).fit(c.X);
    expect(a.noiseWeight).toBeGreaterThan(0.05);
    const labels = new GaussianMixture({ nComponents: 2, backend: 'js' }).fit(c.X).predict(c.X);
    const resp = Int32Array.from(labels, (l, i) => (c.clutter[i] ? -1 : l));
    const b = new GaussianMixture({ nComponents: 2, noise: true, respInit: resp, backend: 'js' }).fit(c.X);
    expect(b.noiseWeight).toBeGreaterThan(0.05);
    expect(() => new GaussianMixture({ nComponents: 2, respInit: resp })).toThrow(/a label in 0…1/);
  });

  it("onDegenerate 'reset' re-seeds a Gaussian and keeps the noise component and its weight", () => {
    const noise = { weight: 0.1, logVolume: Math.log(20), lower: Float64Array.of(0), upper: Float64Array.of(20) };
    const next = {
      k: 2,
      d: 1,
      covType: 'spherical' as const,
      weights: Float64Array.of(0.9, 0),
      means: Float64Array.of(1, 2),
      covariances: Float64Array.of(1, 1),
      precChol: Float64Array.of(1, 1),
      noise,
    };
    const bad = [{ component: 1, reason: 'vanished' as const, detail: '' }];
    const st = emptyStats(3, 1, 'diag', new Float64Array(3));
    const p = resetComponents(next, bad, [Float64Array.of(15)], st, {
      regCovar: 0,
      freeze: [],
      iteration: 3,
      init: 0,
      nInit: 1,
    });
    expect(p.noise).toBe(noise);
    expect(p.means[1]).toBe(15);
    expect(p.weights[0] + p.weights[1] + noise.weight).toBeCloseTo(1, 15);
  });

  it('expectation/maximization carry the noise component (K + 1 statistics), like one more EM iteration', () => {
    const c = contaminatedMixture(5, 200, 2, 2, 0.1);
    const opts = { nComponents: 2, noise: true, backend: 'js', maxIter: 5, tol: 0 } as const;
    const a = new GaussianMixture(opts).fit(c.X);
    const st = a.expectation(c.X);
    expect(st.k).toBe(3);
    a.maximization(st);
    const b = new GaussianMixture({ ...opts, maxIter: 6 }).fit(c.X);
    expect(a.noiseWeight).toBeCloseTo(b.noiseWeight!, 14);
    expect(a.means).toEqual(b.means);
  });

  it('one feature: the volume is the range', () => {
    const c = contaminatedMixture(6, 200, 1, 2, 0.1);
    const gm = new GaussianMixture({ nComponents: 2, noise: true, backend: 'js' }).fit(c.X);
    const v = c.X.map((r) => r[0]);
    expect(gm.noiseVolume).toBeCloseTo(Math.max(...v) - Math.min(...v), 10);
    expect(() => new GaussianMixture({ nComponents: 1, noise: true }).fit([[1], [1], [1]])).toThrow(/no volume/);
  });

  it('clean data: when the clutter estimate finds no noise, π₀ starts and stays at 0 and the fit is the Gaussians', () => {
    const { X } = mixture(12, 200, 2, 2, 12);
    const flags = nnClutter(Float64Array.from(X.flat()), X.length, 2);
    const gm = new GaussianMixture({ nComponents: 2, noise: true, backend: 'js' }).fit(X);
    if (flags.every((f) => f === 0)) expect(gm.noiseWeight).toBe(0);
    expect(gm.noiseWeight).toBeLessThan(0.02);
    expect(Array.from(gm.predict(X)).filter((l) => l === -1).length).toBeLessThan(4);
    expect(gm.scoreSamples(X).every(Number.isFinite)).toBe(true);
  });

  it('a user volume is used as given', () => {
    const c = contaminatedMixture(3, 200, 2, 2, 0.1);
    const gm = new GaussianMixture({ nComponents: 2, noise: { volume: 5000 }, backend: 'js' }).fit(c.X);
    expect(gm.noiseVolume).toBeCloseTo(5000, 9);
  });

  it('survives toJSON/fromJSON; a tampered noise weight is refused', () => {
    const c = contaminatedMixture(4, 200, 2, 2, 0.1);
    const gm = new GaussianMixture({ nComponents: 2, noise: true, covarianceType: 'tied', backend: 'js' }).fit(c.X);
    const json = JSON.parse(JSON.stringify(gm.toJSON()));
    const back = GaussianMixture.fromJSON(json);
    expect(back.noiseWeight).toBe(gm.noiseWeight);
    expect(back.predict(c.X)).toEqual(gm.predict(c.X));
    expect(back.scoreSamples(c.X)).toEqual(gm.scoreSamples(c.X));
    expect(() => GaussianMixture.fromJSON({ ...json, noise: { ...json.noise, weight: 0.5 } })).toThrow(
      /weights and noise.weight must sum to 1/,
    );
    expect(() => GaussianMixture.fromJSON({ ...json, noise: undefined })).toThrow(ModelFormatError);
    // a warm start keeps the noise component
    const warm = new GaussianMixture({
      nComponents: 2,
      noise: true,
      covarianceType: 'tied',
      warmStart: true,
      backend: 'js',
    });
    warm.fit(c.X).fit(c.X);
    expect(warm.noiseWeight).toBeGreaterThan(0);
  });

  it('refuses what it cannot combine with, naming the option', () => {
    expect(() => new GaussianMixture({ noiseInit: [true] })).toThrow(/noiseInit needs the noise option/);
    expect(() => new GaussianMixture({ noise: true, algorithm: 'hard' })).toThrow(OptionError);
    expect(() => new GaussianMixture({ noise: true, missing: 'marginalize' })).toThrow(/noise cannot be combined/);
    expect(() => new GaussianMixture({ noise: { volume: -1 } })).toThrow(/noise.volume must be/);
    expect(() => new GaussianMixture({ noise: true, accelerate: 'squarem' })).toThrow(/accelerate: 'squarem' cannot/);
    expect(() => new GaussianMixture({ noise: true, nInit: 3 })).toThrow(/nInit must be 1/);
    const m = mixture(2, 100, 2, 2);
    expect(() => new GaussianMixture({ nComponents: 2, noise: true }).partialFit(m.X)).toThrow(
      /not available with partialFit/,
    );
    expect(() => new GaussianMixture({ nComponents: 2, prior: true }).fit(m.X, { batchSize: 20 })).toThrow(
      /prior is not available with mini-batch EM/,
    );
    expect(() => new GaussianMixture({ prior: true, accelerate: 'squarem' })).toThrow(OptionError);
    expect(() => new GaussianMixture({ noise: true, noiseInit: [2] as never })).toThrow(/noiseInit\[0\]/);
    const c = contaminatedMixture(3, 100, 2, 1, 0.1);
    expect(() => new GaussianMixture({ nComponents: 1, noise: true, noiseInit: [true, false] }).fit(c.X)).toThrow(
      /noiseInit must have one entry per row of X \(110\)/,
    );
    return expect(
      new GaussianMixture({ nComponents: 1, noise: true, noiseInit: c.clutter }).fitStream(() => [c.X]),
    ).rejects.toThrow(/noiseInit flags rows in memory/);
  });

  it('fitStream: the same fit as fit while the stream fits in its sample; beyond it, the region over every row', async () => {
    const c = contaminatedMixture(9, 400, 3, 3, 0.1);
    const chunks = () => [c.X.slice(0, 123), c.X.slice(123, 300), c.X.slice(300)];
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical', 'VEV'] as const) {
      const o = { nComponents: 3, covarianceType, noise: true, tol: 1e-10, seed: 2, backend: 'js' } as const;
      const fit = new GaussianMixture(o).fit(c.X);
      const stream = await new GaussianMixture(o).fitStream(chunks);
      expect(stream.nIter, covarianceType).toBe(fit.nIter);
      expect(stream.noiseVolume, covarianceType).toBe(fit.noiseVolume);
      expect(Math.abs(stream.noiseWeight! - fit.noiseWeight!), covarianceType).toBeLessThan(1e-12);
      expect(Math.abs(stream.lowerBound - fit.lowerBound), covarianceType).toBeLessThan(1e-12);
      // a sample of a third of the rows: another start (clutter estimate and partition on the sample), the volume
      // and box of every row, and here the same optimum
      const sampled = await new GaussianMixture(o).fitStream(chunks, { initSampleSize: 150 });
      expect(sampled.noiseVolume, covarianceType).toBe(fit.noiseVolume);
      expect(Math.abs(sampled.noiseWeight! - fit.noiseWeight!), covarianceType).toBeLessThan(1e-6);
      expect(Math.abs(sampled.lowerBound - fit.lowerBound), covarianceType).toBeLessThan(1e-6);
      expect(sampled.predict(c.X)).toEqual(fit.predict(c.X));
    }
    const given = await new GaussianMixture({ nComponents: 3, noise: { volume: 5000 }, seed: 2 }).fitStream(chunks);
    expect(given.noiseVolume).toBeCloseTo(5000, 9);
    const sample = given.sample(400, { seed: 1 });
    expect(sample.X.length).toBe(400);
  });
});

describe('selectModel with prior and noise', () => {
  it('takes prior like any option; models without one are failed candidates', () => {
    const { X } = mixture(8, 200, 2, 2);
    const r = selectModel(X, {
      nComponents: [1, 2],
      covarianceTypes: ['EVE', 'VVV'],
      prior: true,
      backend: 'js',
    });
    expect(r.table.filter((row) => row.covarianceType === 'EVE').every((row) => row.failed)).toBe(true);
    expect(r.table.find((row) => row.covarianceType === 'EVE')!.error).toMatch(/takes no prior/);
    expect(r.best.covarianceType).toBe('VVV');
    expect(r.best.nComponents).toBe(2);
  });

  it('takes noise; the result reports the noise rows and weight', () => {
    const c = contaminatedMixture(1, 300, 2, 3, 0.1);
    const r = selectModel(c.X, { nComponents: [2, 3, 4], covarianceTypes: ['full'], noise: true, backend: 'js' });
    expect(r.model.noiseWeight).not.toBeNull();
    expect(r.noise!.proportion).toBe(r.model.noiseWeight);
    expect(r.noise!.size + r.clusterSizes.reduce((a, b) => a + b, 0)).toBe(c.X.length);
    expect(() => selectModel(c.X, { noise: true, noiseInit: c.clutter, criterion: 'cv' })).toThrow(OptionError);
  });
});
