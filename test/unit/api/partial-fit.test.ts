/**
 * partialFit through the public API (JS twin): resuming from toJSON is bit-identical to never stopping; the saved
 * running state is validated on load; learningRate and partialFit's options are checked by the option kit; fit,
 * warmStart and maximization after partialFit; callers' inputs are never mutated; a failed call changes nothing;
 * and the state does not grow with the number of batches.
 */
import { describe, expect, it } from 'vitest';
import {
  DataError,
  GaussianMixture,
  ModelFormatError,
  OptionError,
  type GaussianMixtureOptions,
} from '../../../src/api/index.js';
import { COVARIANCE_TYPES } from '../../../src/model/covariance/registry.js';
import { flat } from '../../helpers/compare.js';
import { deepFreeze, mixture } from '../../helpers/data.js';

/** A stream of batches from 3 clusters in 2-D. */
function stream(seed: number, count: number, size: number): number[][][] {
  const { X } = mixture(seed, count * size, 2, 3, 5);
  return Array.from({ length: count }, (_, b) => X.slice(b * size, (b + 1) * size));
}

describe('resuming from toJSON', () => {
  for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
    it(`continues bit-identically (${covarianceType})`, () => {
      const batches = stream(1, 30, 80);
      const opts: GaussianMixtureOptions = { nComponents: 3, covarianceType, seed: 4, learningRate: { kappa: 0.7 } };
      const a = new GaussianMixture(opts);
      for (const b of batches) a.partialFit(b);
      let b = new GaussianMixture(opts);
      for (const [i, x] of batches.entries()) {
        if (i === 11) b = GaussianMixture.fromJSON(JSON.stringify(b.toJSON()));
        if (i === 23) b = GaussianMixture.fromJSON(b.toJSON());
        b.partialFit(x);
      }
      expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
      expect(flat(b.precisionsCholesky)).toEqual(flat(a.precisionsCholesky));
      expect([b.nSeen, b.nBatches]).toEqual([30 * 80, 30]);
      expect(b.options.learningRate).toEqual({ kappa: 0.7, tau: 1 });
    });
  }

  it("every registered covariance model (mclust's too) learns online and resumes bit-identically", () => {
    const batches = stream(12, 8, 300);
    for (const covarianceType of COVARIANCE_TYPES) {
      const opts: GaussianMixtureOptions = { nComponents: 3, covarianceType, seed: 1, learningRate: 0.3 };
      const a = new GaussianMixture(opts);
      let b = new GaussianMixture(opts);
      for (const [i, x] of batches.entries()) {
        if (i === 5) b = GaussianMixture.fromJSON(JSON.stringify(b.toJSON()));
        a.partialFit(x);
        b.partialFit(x);
      }
      expect(JSON.stringify(b.toJSON()), covarianceType).toBe(JSON.stringify(a.toJSON()));
      for (const v of flat(a.covariances)) expect(Number.isFinite(v), covarianceType).toBe(true);
    }
  });

  it('writes the running state only once partialFit has run', () => {
    const [x] = stream(2, 1, 100);
    const fitted = new GaussianMixture({ nComponents: 3 }).fit(x);
    expect(fitted.toJSON().online).toBeUndefined();
    // a model that never learned online keeps the JSON it had before learningRate existed, unless the rate was set
    expect(fitted.toJSON().options).not.toHaveProperty('learningRate');
    expect(new GaussianMixture({ nComponents: 3, learningRate: 0.1 }).fit(x).toJSON().options.learningRate).toBe(0.1);
    const json = new GaussianMixture({ nComponents: 3 }).partialFit(x).toJSON();
    expect(Object.keys(json.online!)).toEqual(['step', 'nSeen', 'nBatches', 'nk', 'sx', 'sxx']);
    expect(json.options.learningRate).toEqual({ kappa: 0.6, tau: 1 });
  });
});

describe('the saved running state is validated', () => {
  const batches = stream(3, 3, 60);
  const gm = new GaussianMixture({ nComponents: 3, seed: 1 });
  for (const b of batches) gm.partialFit(b);
  const good = gm.toJSON();
  const edit = (f: (o: Record<string, unknown>) => void) => {
    const j = JSON.parse(JSON.stringify(good));
    f(j.online);
    return j;
  };
  const cases: [string, (o: Record<string, unknown>) => void, RegExp][] = [
    ['an unknown key', (o) => (o.extra = 1), /online has the unknown key 'extra'/],
    ['a missing key', (o) => delete o.sx, /online is missing 'sx'/],
    ['a fractional step', (o) => (o.step = 1.5), /online\.step must be an integer ≥ 1/],
    ['fewer rows than batches', (o) => (o.nSeen = 2), /online\.nSeen \(2\) must be ≥ online\.nBatches \(3\)/],
    ['a step out of line', (o) => (o.step = 7), /online\.step \(7\) must be online\.nBatches \(3\) or one more/],
    ['a negative mass', (o) => ((o.nk as number[])[0] = -0.1), /online\.nk\[0\] must be ≥ 0/],
    ['masses not summing to 1', (o) => ((o.nk as number[])[0] += 0.5), /online\.nk must sum to 1/],
    ['a wrong shape', (o) => (o.sx as number[][]).pop(), /online\.sx must be an array of length 3/],
    [
      'a non-number',
      (o) => ((o.sxx as number[][][])[1][0][1] = 'x' as never),
      /online\.sxx\[1\]\[0\]\[1\] must be a finite/,
    ],
    [
      'an asymmetric scatter',
      (o) => ((o.sxx as number[][][])[2][0][1] += 1),
      /online\.sxx\[2\] must be symmetric; entry \[1\]\[0\]/,
    ],
    ['not an object', (o) => Object.assign(o, { nk: null }), /online\.nk must be an array/],
  ];
  for (const [what, f, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => GaussianMixture.fromJSON(edit(f))).toThrow(ModelFormatError);
      expect(() => GaussianMixture.fromJSON(edit(f))).toThrow(message);
    });
  }
  it('rejects a state that is not an object', () => {
    expect(() => GaussianMixture.fromJSON({ ...good, online: [1] })).toThrow(/online must be an object/);
  });
  it('rejects a bad saved learningRate', () => {
    expect(() => GaussianMixture.fromJSON({ ...good, options: { ...good.options, learningRate: 2 } })).toThrow(
      /options: learningRate must be a number in \(0, 1\] or \{ kappa, tau \}; got 2/,
    );
  });
});

describe('options', () => {
  it('learningRate: a number in (0, 1] or { kappa in (0.5, 1], tau ≥ 0 }', () => {
    expect(new GaussianMixture().options.learningRate).toEqual({ kappa: 0.6, tau: 1 });
    expect(new GaussianMixture({ learningRate: 1 }).options.learningRate).toBe(1);
    expect(new GaussianMixture({ learningRate: { tau: 0 } }).options.learningRate).toEqual({ kappa: 0.6, tau: 0 });
    const bad: [unknown, RegExp][] = [
      [0, /learningRate must be a number in \(0, 1\] or \{ kappa, tau \}; got 0/],
      [1.5, /got 1\.5/],
      [Number.NaN, /got NaN/],
      ['0.1', /got "0\.1"/],
      [[0.1], /got an array of length 1/],
      [{ kappa: 0.5 }, /learningRate\.kappa must be a number in \(0\.5, 1\] \(the decay exponent κ\); got 0\.5/],
      [{ tau: -1 }, /learningRate\.tau must be a finite number ≥ 0 \(the offset τ\); got -1/],
      [{ alpha: 0.7 }, /unknown learningRate option 'alpha'; valid options are: kappa, tau/],
    ];
    for (const [v, message] of bad) {
      let error: unknown;
      try {
        new GaussianMixture({ learningRate: v as never });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("partialFit's options: sampleWeight only, checked against the batch", () => {
    const [x] = stream(4, 1, 50);
    const gm = new GaussianMixture({ nComponents: 3 });
    expect(() => gm.partialFit(x, { weights: [] } as never)).toThrow(
      /unknown partialFit option 'weights'; valid options are: sampleWeight/,
    );
    expect(() => gm.partialFit(x, { sampleWeight: [1, 2] })).toThrow(/one weight per row of X \(50\); got 2/);
    expect(() => gm.partialFit(x, { sampleWeight: new Array(50).fill(0) })).toThrow(/must not be all zero/);
    expect(gm.isFitted).toBe(false);
  });
});

describe('with other fits', () => {
  it('fit after partialFit starts afresh (warmStart false) and drops the running state', () => {
    const batches = stream(5, 4, 100);
    const gm = new GaussianMixture({ nComponents: 3, seed: 3 });
    for (const b of batches) gm.partialFit(b);
    gm.fit(batches[0]);
    const fresh = new GaussianMixture({ nComponents: 3, seed: 3 }).fit(batches[0]);
    expect(flat(gm.means)).toEqual(flat(fresh.means));
    expect([gm.nSeen, gm.nBatches]).toEqual([0, 0]);
    expect(gm.toJSON().online).toBeUndefined();
  });

  it('fit with warmStart after partialFit starts EM from the online parameters', () => {
    const batches = stream(6, 4, 100);
    const gm = new GaussianMixture({ nComponents: 3, seed: 3, warmStart: true, maxIter: 5, tol: 0 });
    for (const b of batches) gm.partialFit(b);
    const same = GaussianMixture.fromJSON(gm.toJSON());
    gm.fit(batches[1]);
    same.fit(batches[1]);
    expect(flat(gm.means)).toEqual(flat(same.means));
    expect(gm.nIter).toBe(5);
    expect(gm.nBatches).toBe(0);
  });

  it('maximization after partialFit drops the running state; partialFit then takes the new parameters over', () => {
    const batches = stream(7, 3, 100);
    const gm = new GaussianMixture({ nComponents: 3, seed: 1 }).partialFit(batches[0]).partialFit(batches[1]);
    gm.maximization(gm.expectation(batches[1]));
    expect(gm.nBatches).toBe(0);
    gm.partialFit(batches[2]);
    expect([gm.nSeen, gm.nBatches]).toEqual([100, 1]);
    expect(gm.toJSON().online!.step).toBe(2); // the taken-over parameters count as one batch
  });
});

describe('safety', () => {
  it("never mutates the caller's rows, weights or options", () => {
    const batches = stream(8, 3, 60).map((b) => deepFreeze(b));
    const weights = deepFreeze(batches.map((b) => b.map((_, i) => 1 + (i % 3))));
    const options = Object.freeze({ nComponents: 3, learningRate: Object.freeze({ kappa: 0.9, tau: 2 }) });
    const gm = new GaussianMixture(options);
    batches.forEach((b, i) => gm.partialFit(b, Object.freeze({ sampleWeight: weights[i] })));
    expect(gm.nBatches).toBe(3);
  });

  it('a failed call leaves the model unchanged', () => {
    const batches = stream(9, 2, 60);
    const gm = new GaussianMixture({ nComponents: 3 }).partialFit(batches[0]);
    const before = JSON.stringify(gm.toJSON());
    expect(() => gm.partialFit([[1, 2, 3]])).toThrow(DataError);
    expect(() => gm.partialFit([[1, Number.NaN]])).toThrow(/row 0, column 1 is NaN/);
    expect(() => gm.partialFit([[1e300, -1e300]])).toThrow(
      /partialFit failed on batch 2: its E-step statistics are not finite/,
    );
    expect(JSON.stringify(gm.toJSON())).toBe(before);
  });

  it('keeps a state of constant size whatever the number of batches', () => {
    const size = (gm: GaussianMixture) => {
      const o = gm.toJSON().online!;
      return [o.nk.length, flat(o.sx).length, flat(o.sxx).length, gm.resets.length, JSON.stringify(o).length];
    };
    const batches = stream(10, 400, 20);
    const gm = new GaussianMixture({ nComponents: 3, seed: 2, learningRate: 0.05 });
    gm.partialFit(stream(11, 1, 200)[0]);
    gm.partialFit(batches[0]);
    const early = size(gm);
    for (const b of batches.slice(1)) gm.partialFit(b);
    const late = size(gm);
    expect(late.slice(0, 4)).toEqual(early.slice(0, 4));
    // the text differs only in the digits of the numbers (and of nSeen, nBatches, step)
    expect(Math.abs(late[4] - early[4])).toBeLessThan(early[4] * 0.1);
    expect(gm.nBatches).toBe(401);
  });
});
