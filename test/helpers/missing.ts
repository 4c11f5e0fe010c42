/**
 * The missing-value EM fixtures (test/fixtures/missing-em.json, written by scripts/generate-missing-fixtures.py, an
 * independent numpy implementation) as the public API takes them, and the checks every backend must pass.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { CovarianceType, GaussianMixture, GaussianMixtureOptions } from '../../src/api/index.js';
import { expectClose } from './compare.js';

type Nested = number | Nested[];

export interface MissingCase {
  name: string;
  dataset: string;
  covarianceType: CovarianceType;
  nComponents: number;
  regCovar: number;
  maxIter: number;
  sampleWeight: number[] | null;
  start: { weights: number[]; means: number[][]; covariances: Nested; precisions: Nested };
  expected: {
    weights: number[];
    means: number[][];
    covariances: Nested;
    precisionsCholesky: Nested;
    lowerBounds: number[];
    lowerBound: number;
    nIter: number;
    score: number;
    scoreSamples: number[];
    predictProba: number[][];
    predict: number[];
    bic: number;
    impute: number[][];
  };
}

interface Fixture {
  datasets: Record<string, { rate: number; X: (number | null)[][] }>;
  cases: MissingCase[];
  refused: { name: string; row: number; covarianceType: CovarianceType; nComponents: number; X: (number | null)[][] }[];
}

export const missingFixture: Fixture = JSON.parse(
  readFileSync(new URL('../fixtures/missing-em.json', import.meta.url), 'utf8'),
);

/** A fixture matrix with null → NaN. */
export const withNaN = (rows: (number | null)[][]): number[][] => rows.map((r) => r.map((v) => (v === null ? NaN : v)));

/** A data set of the fixture (NaN for missing entries). */
export const dataset = (key: string): number[][] => withNaN(missingFixture.datasets[key].X);

/** The options that start EM where the reference starts (scikit-learn's precisions_init meaning). */
export function startOptions(c: MissingCase): GaussianMixtureOptions {
  return {
    nComponents: c.nComponents,
    covarianceType: c.covarianceType,
    tol: 0,
    maxIter: c.maxIter,
    regCovar: c.regCovar,
    weightsInit: c.start.weights,
    meansInit: c.start.means,
    precisionsInit: c.start.precisions as GaussianMixtureOptions['precisionsInit'],
    missing: 'marginalize',
  };
}

/**
 * Everything the reference records, against a fitted model (lowerBounds: what onIteration reported), to `rtol`
 * relative (to 1e-3 of each array's largest entry for entries near zero).
 */
export function expectMatchesReference(
  gm: GaussianMixture,
  X: number[][],
  lowerBounds: number[],
  c: MissingCase,
  rtol: number,
): void {
  const e = c.expected;
  const at = (what: string): string => `${c.name}: ${what}`;
  expectClose(gm.weights, e.weights, rtol, at('weights'));
  expectClose(gm.means, e.means, rtol, at('means'));
  expectClose(gm.covariances as never, e.covariances as never, rtol, at('covariances'));
  expectClose(gm.precisionsCholesky as never, e.precisionsCholesky as never, rtol, at('precisionsCholesky'));
  expectClose(lowerBounds, e.lowerBounds, rtol, at('lower bound of every iteration'));
  expectClose(gm.lowerBound, e.lowerBound, rtol, at('lowerBound'));
  expect(gm.nIter, at('nIter')).toBe(e.nIter);
  expectClose(gm.score(X), e.score, rtol, at('score'));
  expectClose(gm.scoreSamples(X), e.scoreSamples, rtol, at('scoreSamples'));
  expectClose(gm.predictProba(X), e.predictProba, rtol, at('predictProba'));
  expect(Array.from(gm.predict(X)), at('predict')).toEqual(e.predict);
  expectClose(gm.bic(X), e.bic, rtol, at('bic'));
  expectClose(gm.impute(X), e.impute, rtol, at('impute'));
}
