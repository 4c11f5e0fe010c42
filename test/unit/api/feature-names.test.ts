/**
 * featureNames (scikit-learn's feature_names_in_): given to fit / fitStream / selectModel, or taken from a CSV
 * header by fitStream; kept by the model, its JSON and maximization; validated (strings, unique, one per feature,
 * length-bounded) with an OptionError on fit and a ModelFormatError in fromJSON; a failed fit keeps the old names.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BayesianGaussianMixture,
  GaussianMixture,
  ModelFormatError,
  NotFittedError,
  OptionError,
  selectModel,
} from '../../../src/api/index.js';
import { mixture } from '../../helpers/data.js';

const { X } = mixture(41, 150, 2, 2, 8);
const tmp = mkdtempSync(join(tmpdir(), 'gaussmix-names-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('featureNames on fit', () => {
  it('are kept (as a copy) and round-trip through JSON; a fit without them has none', () => {
    const names = ['eruptions', 'waiting'];
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X, { featureNames: names });
    names[0] = 'changed';
    expect(gm.featureNames).toEqual(['eruptions', 'waiting']);
    gm.featureNames![1] = 'also changed';
    expect(gm.featureNames).toEqual(['eruptions', 'waiting']);
    const json = gm.toJSON();
    expect(json.featureNames).toEqual(['eruptions', 'waiting']);
    expect(GaussianMixture.fromJSON(JSON.stringify(json)).featureNames).toEqual(['eruptions', 'waiting']);

    const plain = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);
    expect(plain.featureNames).toBeNull();
    expect('featureNames' in plain.toJSON(), 'models without names keep the JSON they always had').toBe(false);
    expect(() => new GaussianMixture().featureNames).toThrow(NotFittedError);
    // the names do not change the fit
    expect(Array.from(gm.means[0])).toEqual(Array.from(plain.means[0]));
  });

  it('belong to the fit that set them: a refit without them clears them, a failed fit keeps them', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X, { featureNames: ['a', 'b'] });
    expect(() => gm.fit(X, { featureNames: ['a', 'b', 'c'] })).toThrow(OptionError);
    expect(() => gm.fit([[1, 2]])).toThrow();
    expect(gm.featureNames).toEqual(['a', 'b']);
    gm.fit(X);
    expect(gm.featureNames).toBeNull();
  });

  it('survive maximization (the same features)', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X, { featureNames: ['a', 'b'] });
    gm.maximization(gm.expectation(X));
    expect(gm.featureNames).toEqual(['a', 'b']);
  });

  it('are checked: an array of unique non-empty strings of bounded length, one per feature', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 });
    const cases: [unknown, RegExp][] = [
      ['ab', /featureNames must be an array of strings; got "ab"/],
      [['a'], /featureNames must have one name per feature \(2\); got 1/],
      [['a', 'b', 'c'], /one name per feature \(2\); got 3/],
      [['a', 3], /featureNames\[1\] must be a non-empty string; got 3/],
      [['a', ''], /featureNames\[1\] must be a non-empty string; got ""/],
      [['a', 'a'], /must not repeat a name; "a" appears twice/],
      [['a', 'x'.repeat(1001)], /featureNames\[1\] must be at most 1000 characters; got 1001/],
    ];
    for (const [featureNames, message] of cases) {
      const e = (() => {
        try {
          gm.fit(X, { featureNames: featureNames as string[] });
        } catch (err) {
          return err as OptionError;
        }
        throw new Error(`accepted ${String(featureNames)}`);
      })();
      expect(e).toBeInstanceOf(OptionError);
      expect(e.option).toBe('featureNames');
      expect(e.message).toMatch(message);
    }
    expect(gm.isFitted).toBe(false);
    expect(() => gm.fit(X, { featureNames: ['a', 'b'], bogus: 1 } as never)).toThrow(/unknown fit option 'bogus'/);
  });
});

describe('featureNames in fromJSON', () => {
  const json = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X, { featureNames: ['a', 'b'] }).toJSON();
  const load = (featureNames: unknown) => () => GaussianMixture.fromJSON({ ...json, featureNames });

  it('are validated like the fit option, as a ModelFormatError', () => {
    const cases: [unknown, RegExp][] = [
      [{ 0: 'a' }, /featureNames must be an array of strings/],
      [['a'], /featureNames must have one name per feature \(2\); got 1/],
      [['a', null], /featureNames\[1\] must be a non-empty string; got null/],
      [['b', 'b'], /must not repeat a name/],
      [['a', 'y'.repeat(5000)], /at most 1000 characters/],
    ];
    for (const [names, message] of cases) {
      expect(load(names)).toThrow(ModelFormatError);
      expect(load(names)).toThrow(message);
    }
    // a sparse array has a hole where a name should be
    const sparse = ['a'];
    sparse.length = 2;
    expect(load(sparse)).toThrow(/featureNames\[1\] must be a non-empty string; got undefined/);
    expect(load(null)().featureNames).toBeNull();
  });
});

describe('featureNames in fitStream and selectModel', () => {
  const text = `eruptions,waiting\n${X.map((r) => r.join(',')).join('\n')}\n`;
  const path = join(tmp, 'named.csv');
  writeFileSync(path, text);

  it('a CSV path with a header names the features; without one it does not; the option wins', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, seed: 0 }).fitStream(path);
    expect(gm.featureNames).toEqual(['eruptions', 'waiting']);
    const bare = join(tmp, 'bare.csv');
    writeFileSync(bare, text.split('\n').slice(1).join('\n'));
    expect((await new GaussianMixture({ nComponents: 2, seed: 0 }).fitStream(bare)).featureNames).toBeNull();
    const named = await new GaussianMixture({ nComponents: 2, seed: 0 }).fitStream(path, { featureNames: ['u', 'v'] });
    expect(named.featureNames).toEqual(['u', 'v']);
    const one = await new GaussianMixture({ nComponents: 2, seed: 0 }).fitStream(path, { csv: { columns: '2' } });
    expect(one.featureNames).toEqual(['waiting']);
  });

  it('a chunk source takes them from the option, checked against its width', async () => {
    const src = () => [X];
    const gm = await new GaussianMixture({ nComponents: 2, seed: 0 }).fitStream(src, { featureNames: ['a', 'b'] });
    expect(gm.featureNames).toEqual(['a', 'b']);
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(src, { featureNames: ['a'] })).rejects.toThrow(
      /one name per feature \(2\); got 1/,
    );
  });

  it('selectModel gives them to the model it returns', () => {
    const r = selectModel(X, { nComponents: [1, 2], covarianceTypes: ['full'], featureNames: ['a', 'b'] });
    expect(r.model.featureNames).toEqual(['a', 'b']);
    expect(selectModel(X, { nComponents: [1, 2], covarianceTypes: ['full'] }).model.featureNames).toBeNull();
    expect(() => selectModel(X, { nComponents: [1], featureNames: ['a', 'a'] })).toThrow(/must not repeat a name/);
  });
});

describe('featureNames with online learning', () => {
  it('mini-batch fit keeps them; partialFit keeps the names of the model it updates, through JSON', () => {
    const mb = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X, { featureNames: ['a', 'b'], batchSize: 40 });
    expect(mb.featureNames).toEqual(['a', 'b']);
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X.slice(0, 80), { featureNames: ['a', 'b'] });
    gm.partialFit(X.slice(80));
    expect(gm.featureNames).toEqual(['a', 'b']);
    const back = GaussianMixture.fromJSON(JSON.stringify(gm.toJSON()));
    expect(back.featureNames).toEqual(['a', 'b']);
    back.partialFit(X.slice(0, 30));
    expect(back.featureNames).toEqual(['a', 'b']);
    // a model that starts online without names has none
    expect(new GaussianMixture({ nComponents: 2, seed: 0 }).partialFit(X).featureNames).toBeNull();
  });

  it("partialFit takes a batch's names: the first named batch names the model, later ones must repeat them", () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 });
    gm.partialFit(X.slice(0, 60), { featureNames: ['a', 'b'] });
    expect(gm.featureNames).toEqual(['a', 'b']);
    gm.partialFit(X.slice(60, 90), { featureNames: ['a', 'b'] });
    gm.partialFit(X.slice(90)); // an unnamed batch keeps the model's names
    expect([gm.featureNames, gm.nBatches]).toEqual([['a', 'b'], 3]);
    const before = JSON.stringify(gm.toJSON());
    // swapped columns would update the wrong parameters: refused, and the model is unchanged
    expect(() => gm.partialFit(X.slice(0, 30), { featureNames: ['b', 'a'] })).toThrow(
      /partialFit: the batch's featureNames "b, a" differ from the model's "a, b"/,
    );
    expect(() => gm.partialFit(X.slice(0, 30), { featureNames: ['a'] })).toThrow(OptionError);
    expect(() => gm.partialFit(X.slice(0, 30), { featureNames: ['a', 'a'] })).toThrow(OptionError);
    expect(JSON.stringify(gm.toJSON())).toBe(before);
    // a model fitted without names takes them from its first named batch
    const unnamed = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);
    expect(unnamed.partialFit(X.slice(0, 30), { featureNames: ['x', 'y'] }).featureNames).toEqual(['x', 'y']);
    expect(() => unnamed.partialFit(X, { batchSize: 10 } as never)).toThrow(/unknown option 'batchSize'|batchSize/);
  });
});

describe('featureNames on BayesianGaussianMixture', () => {
  it('fit and fitStream keep them (fitAsync: test/integration/bayesian.test.ts); toJSON/fromJSON and prune() carry them; bad ones are refused', async () => {
    const names = ['a', 'b'];
    const o = { nComponents: 4, seed: 0, maxIter: 30, backend: 'js' } as const;
    const bgm = new BayesianGaussianMixture(o).fit(X, { featureNames: names });
    expect(bgm.featureNames).toEqual(names);
    expect(bgm.featureNames).not.toBe(bgm.featureNames); // a copy each time
    const back = BayesianGaussianMixture.fromJSON(JSON.stringify(bgm.toJSON()));
    expect(back.featureNames).toEqual(names);
    expect(bgm.prune().featureNames).toEqual(names);
    expect(new BayesianGaussianMixture(o).fit(X).featureNames).toBeNull();
    expect('featureNames' in new BayesianGaussianMixture(o).fit(X).toJSON()).toBe(false);
    const file = join(tmp, 'bayes.csv');
    writeFileSync(file, `left,right\n${X.map((r) => r.join(',')).join('\n')}\n`);
    expect((await new BayesianGaussianMixture(o).fitStream(file)).featureNames).toEqual(['left', 'right']);
    expect(() => new BayesianGaussianMixture(o).fit(X, { featureNames: ['a'] })).toThrow(OptionError);
    const json = { ...bgm.toJSON(), featureNames: ['a', 'a'] };
    expect(() => BayesianGaussianMixture.fromJSON(json)).toThrow(ModelFormatError);
    expect(() => BayesianGaussianMixture.fromJSON(json)).toThrow(/featureNames must not repeat a name/);
  });
});
