/**
 * Parity of BayesianGaussianMixture with scikit-learn 1.2.1 through the public API, shared by the unit (JS twin)
 * and integration (wasm) tests. References: test/fixtures/sklearn-bayesian.json, written by
 * scripts/generate-sklearn-bayesian-fixtures.py (Debian python3-sklearn): 94 fits over faithful, iris, diabetes and
 * banknote, both weight priors × four covariance types, default and explicit priors, each started from recorded hard
 * labels (here: respInit), tol 0 and a fixed maxIter (a few with tol > 0 that stop early).
 *
 * Every fitted attribute, the lower bound at every iteration, score, scoreSamples, predictProba (recorded rows) and
 * predict must match to 1e-8 (relative per entry, floored at 1e-3 of the array's largest entry). On banknote
 * scikit-learn's own E[x²] − E[x]² arithmetic loses ~5 digits; those cases are held to 1e-8 against the fixture's
 * `centered` reference (scikit-learn's algorithm in centered form) and to twice scikit-learn's own distance from it
 * against plain scikit-learn (see the generator's docstring).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BayesianGaussianMixture as BGM, BayesianGaussianMixtureOptions } from '../../src/api/index.js';
import { expectClose, flat } from './compare.js';

type Nested = number | Nested[];

interface Fitted {
  init: unknown;
  lowerBoundTrace: number[];
  expected: {
    weights: number[];
    means: number[][];
    covariances: Nested;
    precisionsCholesky: Nested;
    weightConcentration: number[] | [number[], number[]];
    meanPrecision: number[];
    degreesOfFreedom: number | number[];
    lowerBound: number;
    nIter: number;
    converged: boolean;
    score: number;
    scoreSamples: number[];
    predict: number[];
    probaRows: number[];
    predictProba: number[][];
  };
}

export interface BayesianCase extends Fitted {
  name: string;
  dataset: string;
  options: BayesianGaussianMixtureOptions & { covariancePrior: Nested | null };
  initLabels: number[];
  priors: {
    weightConcentrationPrior: number;
    meanPrecisionPrior: number;
    meanPrior: number[];
    degreesOfFreedomPrior: number;
    covariancePrior: Nested;
  };
  centered?: Fitted;
  centeredDifference?: number;
}

export interface BayesianFixture {
  sklearnVersion: string;
  datasets: Record<string, { X: number[][] }>;
  cases: BayesianCase[];
}

export const bayesianFixture = JSON.parse(
  readFileSync(new URL('../fixtures/sklearn-bayesian.json', import.meta.url), 'utf8'),
) as BayesianFixture;

const RTOL = 1e-8;

/** The options of a fixture case as BayesianGaussianMixture options, started from its labels. */
export function caseOptions(c: BayesianCase, backend: 'js' | 'wasm'): BayesianGaussianMixtureOptions {
  return { ...c.options, respInit: Int32Array.from(c.initLabels), backend } as BayesianGaussianMixtureOptions;
}

/** Registers the parity tests of every fixture case for one backend. */
export function bayesianParity(BayesianGaussianMixture: typeof BGM, backend: 'js' | 'wasm'): void {
  const { sklearnVersion, datasets, cases } = bayesianFixture;
  describe(`BayesianGaussianMixture parity with scikit-learn ${sklearnVersion} (${backend} backend)`, () => {
    it('covers both weight priors × four covariance types × four data sets', () => {
      const combos = new Set(
        cases.map((c) => `${c.dataset}/${c.options.covarianceType}/${c.options.weightConcentrationPriorType}`),
      );
      expect(combos.size).toBe(32);
      expect(cases.length).toBe(94);
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const X = datasets[c.dataset].X;
      const m = new BayesianGaussianMixture(caseOptions(c, backend)).fit(X);
      expect(m.backend).toBe(backend);
      const refs: [string, Fitted, number][] = c.centered
        ? [
            ['centered', c.centered, RTOL],
            ['sklearn', c, Math.max(RTOL, 2 * (c.centeredDifference as number))],
          ]
        : [['sklearn', c, RTOL]];
      // the priors scikit-learn resolved (defaults from X)
      const p = m.priors;
      expectClose(p.weightConcentrationPrior, c.priors.weightConcentrationPrior, 1e-15, 'weightConcentrationPrior');
      expectClose(p.meanPrecisionPrior, c.priors.meanPrecisionPrior, 1e-15, 'meanPrecisionPrior');
      expectClose(p.meanPrior, c.priors.meanPrior, 1e-13, 'meanPrior');
      expectClose(p.degreesOfFreedomPrior, c.priors.degreesOfFreedomPrior, 1e-15, 'degreesOfFreedomPrior');
      expectClose(p.covariancePrior as never, c.priors.covariancePrior as never, 1e-12, 'covariancePrior');
      const scores = m.scoreSamples(X);
      const proba = m.predictProba(X);
      const labels = m.predict(X);
      for (const [ref, f, tol] of refs) {
        const e = f.expected;
        const at = (what: string) => `${ref}: ${what}`;
        expect(m.nIter, at('nIter')).toBe(e.nIter);
        expect(m.converged, at('converged')).toBe(e.converged);
        expectClose(m.weights, e.weights, tol, at('weights'));
        expectClose(m.means, e.means, tol, at('means'));
        expectClose(m.covariances as never, e.covariances as never, tol, at('covariances'));
        expectClose(m.precisionsCholesky as never, e.precisionsCholesky as never, tol, at('precisionsCholesky'));
        expectClose(flat(m.weightConcentration as never), flat(e.weightConcentration as never), tol, at('conc.'));
        expectClose(m.meanPrecision, e.meanPrecision, tol, at('meanPrecision'));
        expectClose(m.degreesOfFreedom as never, e.degreesOfFreedom as never, tol, at('degreesOfFreedom'));
        expectClose(m.lowerBound, e.lowerBound, tol, at('lowerBound'));
        expectClose(m.lowerBounds, f.lowerBoundTrace, tol, at('lowerBounds'));
        expectClose(m.score(X), e.score, tol, at('score'));
        expectClose(scores, e.scoreSamples, tol, at('scoreSamples'));
        expectClose(
          e.probaRows.map((i) => Array.from(proba[i])),
          e.predictProba,
          tol,
          at('predictProba'),
          1,
        );
        // predict: the argmax, except where the two best components are tied to rounding
        for (let i = 0; i < X.length; i++) {
          if (labels[i] !== e.predict[i]) {
            const r = proba[i];
            expect(Math.abs(r[labels[i]] - r[e.predict[i]]), at(`predict row ${i}`)).toBeLessThan(1e-9);
          }
        }
      }
    });
  });
}
