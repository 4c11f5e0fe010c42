/**
 * Hostile input from issue 11 (each case failed before its fix): typed errors with bounded messages for deeply nested
 * JSON, huge strings and BigInts; no NaN from an empty dense X; unknown option keys named like Object.prototype
 * members; plot sizes; a regCovar at the edge of double precision named as the cause. Each must also leave the model
 * unchanged.
 */
import { describe, expect, it } from 'vitest';
import {
  DataError,
  FitError,
  GaussianMixture,
  kmeans,
  mixtureSvg,
  ModelFormatError,
  OptionError,
  selectModel,
  selectionSvg,
  SufficientStats,
} from '../../../src/api/index.js';
import { MAX_D } from '../../../src/backends/js/index.js';
import { MAX_FEATURES } from '../../../src/data/matrix.js';

const X = [
  [1, 2],
  [2, 3.5],
  [3, 5],
  [4, 4],
  [5, 7.5],
  [6, 5],
  [7, 8],
  [8, 6.5],
];
const fitted = () => new GaussianMixture({ nComponents: 2, seed: 1 }).fit(X);

describe('bounded, typed errors', () => {
  it('deeply nested JSON is a ModelFormatError, not a stack overflow (model and statistics)', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const model = `{"format":"gaussmix-model","version":1,"covarianceType":"full","nComponents":1,"nFeatures":1,"weights":${deep},"means":[[0]],"covariances":[[[1]]]}`;
    expect(() => GaussianMixture.fromJSON(model)).toThrow(ModelFormatError);
    expect(() => GaussianMixture.fromJSON(JSON.parse(model))).toThrow(
      /weights\[0\] must be a finite number; got an array of length 1/,
    );
    const stats = `{"format":"gaussmix-stats","version":1,"nComponents":1,"nFeatures":1,"sxxKind":"full","logLik":0,"sumW":1,"nk":[1],"sx":[${deep}],"sxx":[[[1]]],"centers":[[0]]}`;
    expect(() => SufficientStats.fromJSON(stats)).toThrow(ModelFormatError);
  });

  it('a 10 MB string in an option, a cell or a model field gives a short message', () => {
    const huge = 'x'.repeat(10_000_000);
    const messages: string[] = [];
    const grab = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        messages.push((e as Error).message);
      }
    };
    grab(() => new GaussianMixture({ covarianceType: huge as never }));
    grab(() => new GaussianMixture().fit([[1], [huge as never]]));
    grab(() => GaussianMixture.fromJSON({ ...fitted().toJSON(), format: huge }));
    grab(() => GaussianMixture.fromJSON({ ...fitted().toJSON(), [huge]: 1 }));
    grab(() => kmeans(X, 2, { [huge]: 1 } as never));
    expect(messages).toHaveLength(5);
    for (const m of messages) expect(m.length).toBeLessThan(1000);
    expect(messages[0]).toMatch(/xxx…" \(10000000 characters\)/);
  });

  it('a BigInt in X, weights, predict input or a model is a typed error naming where', () => {
    expect(() =>
      new GaussianMixture().fit([
        [1, 2],
        [3, 4n as never],
      ]),
    ).toThrow(/row 1, column 1 is the BigInt 4n \(convert int64 columns with Number\(\) first\)/);
    expect(() => new GaussianMixture().fit([[1], [2]], { sampleWeight: [1, 2n as never] })).toThrow(DataError);
    expect(() => fitted().predict([[1n as never, 2]])).toThrow(/row 0, column 0 is the BigInt 1n/);
    expect(() => GaussianMixture.fromJSON({ ...fitted().toJSON(), weights: [0.5, 5n] })).toThrow(
      /weights\[1\] must be a finite number; got the BigInt 5n/,
    );
  });

  it('a dense X with 0 rows is a DataError everywhere (never NaN)', () => {
    const empty = { data: new Float64Array(0), rows: 0, cols: 2 };
    const gm = fitted();
    for (const f of [
      () => gm.score(empty),
      () => gm.bic(empty),
      () => gm.aic(empty),
      () => gm.predict(empty),
      () => new GaussianMixture().fit(empty),
    ]) {
      expect(f).toThrow(/X has no rows/);
    }
  });

  it('unknown option keys named like Object.prototype members are unknown options everywhere', () => {
    for (const key of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      expect(() => new GaussianMixture({ [key]: 1 } as never)).toThrow(new RegExp(`unknown option '${key}'`));
      expect(() => kmeans(X, 2, { [key]: 1 } as never)).toThrow(OptionError);
      expect(() => fitted().fit(X, { [key]: 1 } as never)).toThrow(OptionError);
      expect(() => fitted().sample(3, { [key]: 1 } as never)).toThrow(OptionError);
      expect(() => selectModel(X, { [key]: 1 } as never)).toThrow(OptionError);
    }
    expect(() => kmeans(X, 2, { bogus: 1 } as never)).toThrow(/unknown kmeans option 'bogus'/);
  });

  it('plot sizes must be integers of sensible pixels', () => {
    const gm = fitted();
    for (const width of [Number.NaN, '100', -5, 0, 1e9]) {
      expect(() => mixtureSvg(gm, X, { width: width as never }), String(width)).toThrow(
        /width must be an integer number of pixels/,
      );
    }
    const sel = selectModel(X, { nComponents: [1, 2], covarianceTypes: ['full'] });
    expect(() => selectionSvg(sel, { height: 0 })).toThrow(OptionError);
    expect(mixtureSvg(gm, X, { width: 500, height: 400 })).toMatch(/<svg[^>]* width="500"/);
  });

  it('more features than the kernels support is refused up front, everywhere, naming the limit', async () => {
    const wide = { data: new Float64Array(3 * 4097), rows: 3, cols: 4097 };
    const limit = /X has 4097 features \(columns\); gaussmix supports at most 4096/;
    expect(() => new GaussianMixture({ covarianceType: 'full' }).fit(wide)).toThrow(limit);
    expect(() => kmeans(wide, 2)).toThrow(limit);
    expect(() => selectModel(wide, { nComponents: [1] })).toThrow(limit);
    await expect(new GaussianMixture().fitStream(() => [wide])).rejects.toThrow(/4097 features/);
    expect(() => GaussianMixture.fromJSON({ ...fitted().toJSON(), nFeatures: 4097 })).toThrow(
      /nFeatures is 4097; gaussmix supports at most 4096/,
    );
    expect(MAX_FEATURES).toBe(MAX_D); // one limit: the kernels'
  });

  it('regCovar at the limit of double precision is named as the cause, not a zero variance', () => {
    for (const covarianceType of ['full', 'spherical', 'tied'] as const) {
      const gm = new GaussianMixture({ nComponents: 1, covarianceType, regCovar: 1e308 });
      expect(() => gm.fit(X)).toThrow(FitError);
      expect(() => gm.fit(X)).toThrow(
        /regCovar = 1e\+308 is added to every variance and leaves no room in double precision/,
      );
      expect(gm.isFitted).toBe(false);
    }
  });
  it('a tampered precisionsCholesky is refused at every scale of the data (item 5)', () => {
    // feature 0 has variance ~1e14, so its precision factor is ~1e-7: an absolute tolerance let −5e-7, 0 or 1e-6 pass
    const big = X.map(([a, b]) => [a * 1e7, b]);
    for (const covarianceType of ['full', 'diag', 'tied', 'VVV', 'EEI'] as const) {
      const json = new GaussianMixture({ nComponents: 2, covarianceType, seed: 1 }).fit(big).toJSON();
      expect(GaussianMixture.fromJSON(json).isFitted).toBe(true); // the untampered model loads
      // the row holding feature 0's factor: tied is D×D, diag K×D, the others K×D×D
      const row = (j: typeof json) => {
        const f = j.precisionsCholesky as unknown as number[][][];
        return (covarianceType === 'tied' || covarianceType === 'diag' ? f[0] : f[0][0]) as unknown as number[];
      };
      const entry = row(json)[0];
      expect(Math.abs(entry)).toBeLessThan(1e-6);
      for (const v of [-5e-7, 0, 1e-6, entry * (1 + 1e-5)]) {
        const tampered = structuredClone(json);
        row(tampered)[0] = v;
        expect(() => GaussianMixture.fromJSON(tampered)).toThrow(/precisionsCholesky does not match covariances/);
      }
    }
  });
});
