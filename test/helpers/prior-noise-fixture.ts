/**
 * test/fixtures/mclust-prior-noise.json (written by scripts/generate-mclust-prior-noise-fixtures.R with R mclust 6.0)
 * and the fits that reproduce its me() runs through the public API: from mclust's hc partition (respInit), with
 * regCovar 0, tol 0 and exactly as many iterations as me() made (its first M-step from z counts as one), with
 * priorControl()'s prior, a noise column and Vinv, or both.
 */
import { readFileSync } from 'node:fs';
import { GaussianMixture } from '../../src/api/index.js';
import type { BackendChoice, GaussianMixtureOptions } from '../../src/api/options.js';
import { mclustData, relDev, type Mat } from './mclust-fixture.js';

export interface PriorJSON {
  shrinkage: number;
  mean: number[];
  dof: number;
  scale: number | Mat;
}
export interface Run {
  itmax: number;
  ok: boolean;
  pro: number[];
  mean: Mat;
  sigma: Mat[];
  loglik: number;
  iterations: number;
}
export interface PriorNoiseCase {
  name: string;
  file: string;
  n: number;
  d: number;
  K: number;
  labels: number[];
  prior: Record<string, { defaultPrior: PriorJSON; runs: Run[] }>;
  hypvol: { hypvol: number; logBox: number; logPcBox: number };
  contaminated: {
    clutter: Mat;
    Vinv: number;
    hypvol: { hypvol: number; logBox: number; logPcBox: number };
    models: Record<string, { runs: Run[]; defaultPrior?: PriorJSON; priorRuns?: Run[] }>;
  };
}

export const priorNoiseFixture: {
  meta: { mclust: string };
  cases: PriorNoiseCase[];
  user: { data: string; K: number; models: Record<string, { prior: PriorJSON; runs: Run[] }> };
} = JSON.parse(readFileSync(new URL('../fixtures/mclust-prior-noise.json', import.meta.url), 'utf8'));

/** The contaminated rows of a case: the data set's rows, then the clutter. */
export function contaminated(c: PriorNoiseCase): number[][] {
  return [...mclustData(c.file), ...c.contaminated.clutter];
}

/** Fits like me(): respInit from the partition (with the clutter rows as noise when `noise`), `extra` options. */
export function fitLikeMe(
  c: PriorNoiseCase,
  model: string,
  run: Run,
  backend: BackendChoice,
  extra: GaussianMixtureOptions,
  noise = false,
): GaussianMixture {
  const X = noise ? contaminated(c) : mclustData(c.file);
  const labels = noise ? [...c.labels, ...c.contaminated.clutter.map(() => -1)] : c.labels;
  return new GaussianMixture({
    nComponents: c.K,
    covarianceType: model as GaussianMixtureOptions['covarianceType'],
    respInit: Int32Array.from(labels),
    regCovar: 0,
    tol: 0,
    maxIter: Math.abs(run.iterations) - 1,
    backend,
    ...(noise ? { noise: { volume: 1 / c.contaminated.Vinv } } : {}),
    ...extra,
  }).fit(X);
}

/** Worst relative deviation of the parameters (weights with the noise weight last, means, covariances) and log-likelihood. */
export function runDeviation(gm: GaussianMixture, run: Run, X: number[][]): { params: number; loglik: number } {
  const K = gm.means.length;
  const cov = gm.covariances as Float64Array[][];
  const pro = run.pro.length > K ? [...gm.weights, gm.noiseWeight ?? Number.NaN] : [...gm.weights];
  let params = relDev(pro, run.pro);
  for (let k = 0; k < K; k++) {
    params = Math.max(
      params,
      relDev(gm.means[k], run.mean[k]),
      relDev(
        cov[k].flatMap((r) => [...r]),
        run.sigma[k].flat(),
      ),
    );
  }
  const loglik = gm.score(X) * X.length;
  return { params, loglik: Math.abs(loglik - run.loglik) / Math.abs(run.loglik) };
}
