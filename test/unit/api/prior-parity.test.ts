/**
 * MAP-EM (option prior) through the public API on the JS twin against R mclust 6.0's me(prior = priorControl())
 * (fixture: scripts/generate-mclust-prior-noise-fixtures.R): five data sets, the ten models that take a prior, runs
 * of 1, 5 and 30 iterations from mclust's hc partition, and one user prior with every hyper-parameter given.
 * Parameters and the log-likelihood at the MAP estimate must equal mclust's to 1e-6 relative (the issue's bar).
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, OptionError } from '../../../src/api/index.js';
import { mclustData } from '../../helpers/mclust-fixture.js';
import { fitLikeMe, priorNoiseFixture, runDeviation } from '../../helpers/prior-noise-fixture.js';

const TOL = 1e-6;
const worst = { params: 0, loglik: 0 };
const PRIOR_MODELS = ['EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'EEV', 'VEV', 'VVV'];

describe.each(priorNoiseFixture.cases.map((c) => [`${c.name} K=${c.K}`, c] as const))('prior: %s', (_l, c) => {
  it.each(PRIOR_MODELS.map((m) => [m]))('%s equals me(prior = priorControl())', (model) => {
    const X = mclustData(c.file);
    for (const run of c.prior[model].runs) {
      const gm = fitLikeMe(c, model, run, 'js', { prior: true });
      const dev = runDeviation(gm, run, X);
      worst.params = Math.max(worst.params, dev.params);
      worst.loglik = Math.max(worst.loglik, dev.loglik);
      expect(dev.params, `${model} itmax ${run.itmax} params`).toBeLessThan(TOL);
      expect(dev.loglik, `${model} itmax ${run.itmax} loglik`).toBeLessThan(TOL);
    }
  });
});

describe('prior: a user prior (every hyper-parameter given)', () => {
  const u = priorNoiseFixture.user;
  const c = priorNoiseFixture.cases.find((x) => x.name === u.data && x.K === u.K)!;
  it.each(PRIOR_MODELS.map((m) => [m]))('%s equals me(prior = priorControl(shrinkage, mean, dof, scale))', (model) => {
    const { prior, runs } = u.models[model];
    const X = mclustData(c.file);
    for (const run of runs) {
      const gm = fitLikeMe(c, model, run, 'js', {
        prior: { shrinkage: prior.shrinkage, mean: prior.mean, dof: prior.dof, scale: prior.scale },
      });
      const dev = runDeviation(gm, run, X);
      worst.params = Math.max(worst.params, dev.params);
      expect(dev.params, `${model} itmax ${run.itmax} params`).toBeLessThan(TOL);
      expect(dev.loglik, `${model} itmax ${run.itmax} loglik`).toBeLessThan(TOL);
    }
  });
});

describe('prior: summary and refusals', () => {
  it('reports the worst deviations', () => {
    console.info(`prior parity (JS twin): worst relative deviation ${JSON.stringify(worst)}`);
    expect(worst.params).toBeLessThan(TOL);
  });

  it('refuses the models mclust has no prior for, naming the ones that take one', () => {
    for (const model of ['EVE', 'VEE', 'VVE', 'EVV'] as const) {
      expect(() => new GaussianMixture({ covarianceType: model, prior: true })).toThrow(OptionError);
      expect(() => new GaussianMixture({ covarianceType: model, prior: true })).toThrow(/take one are: .*VVV/);
    }
  });
});
