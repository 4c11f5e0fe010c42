/**
 * mclust's fourteen models through the public API on the JS twin, against R mclust 6.0's me() (fixture written by
 * scripts/generate-mclust-fixtures.R): 5 data sets (Old Faithful K = 2 and 3, iris K = 3, diabetes K = 3, banknote
 * K = 2 — scales from ~1 to ~100), every model, every recorded run (1, 5, 50 iterations, inner tol 0 with cap 50 or
 * mclust's default inner control, and mclust's default outer tol), started from mclust's own hc partition.
 * Parameters, log-likelihood, BIC and ICL must equal mclust's (signs flipped) to 1e-6 relative — the issue's bar;
 * they agree to ~1e-12 except where mclust's inner loop stops on an exact repetition of its target (VEE, EVE, VVE
 * with inner tol 0, a rounding event; docs/mclust-notes.md §2.5). The parameter counts equal nMclustParams.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../../src/api/index.js';
import { MCLUST_MODELS } from '../../../src/model/covariance/mclust/types.js';
import { mclustData, mclustFixture } from '../../helpers/mclust-fixture.js';
import { deviation, fitLikeMe } from '../../helpers/mclust-parity.js';

const TOL = 1e-6;
const worst = { params: 0, loglik: 0, bic: 0, icl: 0 };

describe.each(mclustFixture.cases.map((c) => [`${c.name} K=${c.K}`, c] as const))('%s', (_l, c) => {
  it.each(MCLUST_MODELS.map((m) => [m]))('%s equals me() for every recorded run', (model) => {
    const rec = c.models[model];
    for (const run of rec.me) {
      const gm = fitLikeMe(c, model, run, 'js');
      const dev = deviation(gm, c, run);
      for (const key of ['params', 'loglik', 'bic', 'icl'] as const) {
        worst[key] = Math.max(worst[key], dev[key]);
        expect(dev[key], `${model} ${run.id} ${key}`).toBeLessThan(TOL);
      }
      expect(gm.nParameters()).toBe(rec.nParams);
    }
  });
});

describe('mclust parity summary', () => {
  it('reports the worst deviations', () => {
    console.info(`mclust parity (JS twin): worst relative deviation ${JSON.stringify(worst)}`);
    expect(worst.params).toBeLessThan(TOL);
  });

  it('the scikit-learn names equal their mclust twins exactly (same arithmetic)', () => {
    const X = mclustData('iris');
    const c = mclustFixture.cases.find((x) => x.name === 'iris')!;
    const pairs = [
      ['spherical', 'VII'],
      ['diag', 'VVI'],
      ['tied', 'EEE'],
      ['full', 'VVV'],
    ] as const;
    for (const [sk, mc] of pairs) {
      const opts = { nComponents: 3, respInit: Int32Array.from(c.labels), maxIter: 20, tol: 0, backend: 'js' } as const;
      const a = new GaussianMixture({ ...opts, covarianceType: sk }).fit(X);
      const b = new GaussianMixture({ ...opts, covarianceType: mc }).fit(X);
      expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
      expect(b.lowerBound).toBe(a.lowerBound);
      expect(a.bic(X)).toBe(b.bic(X));
      const full = (gm: GaussianMixture) => {
        const cov = gm.covariances as unknown;
        // expand scikit-learn's shapes to K×D×D
        return Array.from({ length: 3 }, (_, k) =>
          Array.from({ length: 4 }, (_, i) =>
            Array.from({ length: 4 }, (_, j) => {
              if (sk === 'full') return (cov as Float64Array[][])[k][i][j];
              if (sk === 'tied') return (cov as Float64Array[])[i][j];
              if (i !== j) return 0;
              return sk === 'diag' ? (cov as Float64Array[])[k][i] : (cov as Float64Array)[k];
            }),
          ),
        );
      };
      expect((b.covariances as Float64Array[][]).map((m) => m.map((r) => Array.from(r)))).toEqual(full(a));
    }
  });
});
