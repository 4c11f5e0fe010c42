/**
 * The public API against mclust's me() runs (test/fixtures/mclust-models.json): for a case, a model and a recorded
 * run, fit GaussianMixture from the fixture's hard partition (respInit) with mclust's controls — regCovar 0, tol 0
 * and exactly as many iterations as me() made (me() counts the first M-step from z as iteration 1, so maxIter is
 * one less), the inner loop's tol and cap as mstepTol / mstepMaxIter — and return the largest relative deviations.
 * Shared by the unit test (JS twin) and the integration test (wasm).
 */
import { GaussianMixture } from '../../src/api/index.js';
import type { BackendChoice } from '../../src/api/options.js';
import type { MclustModelName } from '../../src/model/covariance/mclust/types.js';
import { flat } from './compare.js';
import { type MclustCase, type MeRun, mclustData, relDev } from './mclust-fixture.js';

export interface Deviation {
  params: number;
  loglik: number;
  bic: number;
  icl: number;
}

export function fitLikeMe(c: MclustCase, model: MclustModelName, run: MeRun, backend: BackendChoice): GaussianMixture {
  return new GaussianMixture({
    nComponents: c.K,
    covarianceType: model,
    respInit: Int32Array.from(c.labels),
    regCovar: 0,
    tol: 0,
    maxIter: Math.abs(run.info.iterations) - 1,
    mstepTol: run.control.tol[1],
    mstepMaxIter: run.control.itmax[1],
    backend,
  }).fit(mclustData(c.file));
}

/** Worst relative deviation of the fitted model from the run: parameters (per vector/matrix), log-likelihood, BIC, ICL. */
export function deviation(gm: GaussianMixture, c: MclustCase, run: MeRun): Deviation {
  const X = mclustData(c.file);
  const cov = gm.covariances as Float64Array[][];
  let params = relDev(gm.weights, run.pro);
  for (let k = 0; k < c.K; k++) {
    params = Math.max(params, relDev(gm.means[k], run.mean[k]), relDev(flat(cov[k]), run.sigma[k].flat()));
  }
  const loglik = gm.score(X) * c.n;
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  return {
    params,
    loglik: rel(loglik, run.loglik),
    // ours are lower-is-better: −mclust's
    bic: rel(-gm.bic(X), run.bic),
    icl: rel(-gm.icl(X), run.icl),
  };
}
