/**
 * gaussmix/core from the sources (api/core.ts without src/full.ts's installFull): scikit-learn's four types give the
 * same fits as the full library, and what core leaves out is refused with an OptionError naming the option and the
 * entry that has it. The tests' setup installs the full library into the module graph every test file shares, so core
 * is loaded here as a fresh module graph (vi.resetModules), in which nothing was installed. The packed package is
 * tested the same way in test/e2e/package.test.ts.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as full from '../../../src/api/index.js';
import { mclustData } from '../../helpers/mclust-fixture.js';

type CoreApi = typeof import('../../../src/api/core.js');
let core: CoreApi;

beforeAll(async () => {
  vi.resetModules();
  core = await import('../../../src/api/core.js');
});

// Old Faithful's first rows (data/faithful.csv): two clear clusters
const X = mclustData('faithful').slice(0, 16);

describe('gaussmix/core from the sources', () => {
  it('is a module graph of its own, without what full.ts installs', () => {
    expect(core.GaussianMixture).not.toBe(full.GaussianMixture);
    expect(() => new core.GaussianMixture({ covarianceType: 'EEV' })).toThrow(core.OptionError);
    expect(() => new full.GaussianMixture({ covarianceType: 'EEV' })).not.toThrow();
  });

  it.each(['full', 'tied', 'diag', 'spherical'] as const)('fits %s exactly as the full library (js backend)', (t) => {
    const opts = { nComponents: 2, covarianceType: t, seed: 5, nInit: 2, tol: 1e-10, backend: 'js' } as const;
    const a = new core.GaussianMixture(opts).fit(X);
    const b = new full.GaussianMixture(opts).fit(X);
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(Array.from(a.scoreSamples(X))).toEqual(Array.from(b.scoreSamples(X)));
    // a model saved by either loads in the other
    expect(Array.from(core.GaussianMixture.fromJSON(b.toJSON()).scoreSamples(X))).toEqual(
      Array.from(b.scoreSamples(X)),
    );
    expect(Array.from(full.GaussianMixture.fromJSON(a.toJSON()).scoreSamples(X))).toEqual(
      Array.from(a.scoreSamples(X)),
    );
  });

  it('refuses what it leaves out, naming the option and the entry that has it', () => {
    const refusal = (f: () => unknown): { option: string; message: string } => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(core.OptionError);
        return { option: (e as InstanceType<CoreApi['OptionError']>).option, message: (e as Error).message };
      }
      throw new Error('not refused');
    };
    const G = core.GaussianMixture;
    const fitted = () => new G({ nComponents: 2, seed: 0, backend: 'js' }).fit(X);
    const cases: [() => unknown, string, string][] = [
      [() => new G({ covarianceType: 'VEV' }), 'covarianceType', "covarianceType 'VEV' is one of mclust's models"],
      [() => new G({ prior: { shrinkage: 0.1 } }), 'prior', 'prior (the conjugate prior)'],
      [() => new G({ noise: true }), 'noise', 'noise (the uniform noise component)'],
      [() => new G({ noiseInit: [false] }), 'noiseInit', 'noise (the uniform noise component)'],
      [() => new G({ missing: 'marginalize' }), 'missing', "missing: 'marginalize' (EM over observed values)"],
      [() => new G({ initParams: 'hc' }), 'initParams', "initParams: 'hc' (mclust's hierarchical start)"],
      [() => new G({ nComponents: 2 }).partialFit(X), 'partialFit', 'online EM (partialFit, and fit with batchSize)'],
      [() => new G({ nComponents: 2 }).fit(X, { batchSize: 5 }), 'batchSize', 'online EM'],
      [() => fitted().impute([[Number.NaN, 60]]), 'impute', "missing: 'marginalize'"],
    ];
    for (const [f, option, what] of cases) {
      const r = refusal(f);
      expect(r.option).toBe(option);
      expect(r.message.startsWith(what)).toBe(true);
      expect(r.message).toMatch(/gaussmix\/core.*; import \{ GaussianMixture \} from 'gaussmix' to use (it|them)$/);
    }
    // what core has, spelled out, is accepted
    expect(() => new G({ prior: false, noise: null, noiseInit: null, missing: 'error' })).not.toThrow();
    expect(new G({ nComponents: 2, backend: 'js' }).fit(X, { batchSize: 100 }).converged).toBe(true); // ≥ n: plain fit
  });

  it('fromJSON refuses an mclust model with a ModelFormatError that says where it loads', () => {
    const json = new full.GaussianMixture({ nComponents: 2, covarianceType: 'VEV', seed: 0, backend: 'js' })
      .fit(X)
      .toJSON();
    expect(() => core.GaussianMixture.fromJSON(json)).toThrow(core.ModelFormatError);
    expect(() => core.GaussianMixture.fromJSON(json)).toThrow(
      /'VEV' is one of mclust's models, which gaussmix\/core leaves out; import \{ GaussianMixture \} from 'gaussmix'/,
    );
  });
});
