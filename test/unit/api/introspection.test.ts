/**
 * What a model tells about itself: nComponents and covarianceType (before and after fitting), precisions (against
 * scikit-learn's precisions_ from scripts/generate-precisions-fixtures.py, fitted from the same start; and Σ·Σ⁻¹ = I),
 * toString and the Node util.inspect summary.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { GaussianMixture, NotFittedError } from '../../../src/api/index.js';
import { COVARIANCE_TYPES } from '../../../src/model/covariance/registry.js';
import { expectClose, flat } from '../../helpers/compare.js';
import { mixture } from '../../helpers/data.js';

interface Case {
  name: string;
  data: string;
  columns: number;
  options: Record<string, unknown>;
  expected: { covariances: unknown; precisionsCholesky: unknown; precisions: unknown };
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/sklearn-precisions.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const csv = (path: string, cols: number): number[][] =>
  readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(0, cols).map(Number));

const { X } = mixture(31, 240, 3, 3, 8);

describe('nComponents and covarianceType', () => {
  it('are the options, before and after fitting, and after a JSON round trip', () => {
    const gm = new GaussianMixture({ nComponents: 3, covarianceType: 'diag' });
    expect([gm.nComponents, gm.covarianceType]).toEqual([3, 'diag']);
    gm.fit(X);
    expect([gm.nComponents, gm.covarianceType]).toEqual([3, 'diag']);
    const back = GaussianMixture.fromJSON(JSON.stringify(gm));
    expect([back.nComponents, back.covarianceType]).toEqual([3, 'diag']);
    expect(new GaussianMixture().nComponents).toBe(1);
    expect(new GaussianMixture().covarianceType).toBe('full');
  });
});

describe('precisions', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: scikit-learn's precisions_ from the same start (1e-8)`, () => {
      const data = csv(c.data, c.columns);
      const gm = new GaussianMixture({ ...c.options, backend: 'js' } as never).fit(data);
      // the fit itself matches (what the parity tests check in depth), so the comparison is of the getter
      expectClose(flat(gm.covariances), flat(c.expected.covariances as number[]), 1e-8, 'covariances');
      expectClose(flat(gm.precisions), flat(c.expected.precisions as number[]), 1e-8, 'precisions');
      // same shape as covariances (scikit-learn's)
      const shape = (v: unknown): number[] =>
        typeof v === 'number' ? [] : [(v as ArrayLike<unknown>).length, ...shape((v as ArrayLike<unknown>)[0])];
      expect(shape(gm.precisions)).toEqual(shape(c.expected.precisions));
      expect(shape(gm.precisions)).toEqual(shape(gm.covariances));
    });
  }

  it('are the inverses of the covariances (Σ·P = I to 1e-10) for every covariance type', () => {
    const d = 3;
    for (const covarianceType of COVARIANCE_TYPES) {
      const gm = new GaussianMixture({ nComponents: 3, covarianceType, seed: 1 }).fit(X);
      const matrix = (f: number[], at: number) => [0, 1, 2].map((i) => f.slice(at + i * d, at + i * d + d));
      const diagonal = (v: number[]) => [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? v[i] : 0)));
      const asMatrices = (v: unknown): number[][][] => {
        const f = flat(v as number[]);
        if (covarianceType === 'tied') return [matrix(f, 0)];
        if (covarianceType === 'diag') return [0, 1, 2].map((c) => diagonal(f.slice(c * d, c * d + d)));
        if (covarianceType === 'spherical') return f.map((s) => diagonal([s, s, s]));
        return [0, 1, 2].map((c) => matrix(f, c * d * d)); // full and every mclust name: K×D×D
      };
      const S = asMatrices(gm.covariances);
      const P = asMatrices(gm.precisions);
      expect(P).toHaveLength(S.length);
      S.forEach((s, c) => {
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            const v = [0, 1, 2].reduce((a, t) => a + s[i][t] * P[c][t][j], 0);
            expect(Math.abs(v - (i === j ? 1 : 0)), `${covarianceType} component ${c} (${i}, ${j})`).toBeLessThan(
              1e-10,
            );
          }
        }
      });
    }
  });

  it('need a fitted model and return copies', () => {
    expect(() => new GaussianMixture().precisions).toThrow(NotFittedError);
    const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);
    const p = gm.precisions as Float64Array[][];
    p[0][0][0] = 42;
    expect((gm.precisions as Float64Array[][])[0][0][0]).not.toBe(42);
  });
});

describe('toString and util.inspect', () => {
  it('summarise an unfitted model', () => {
    const gm = new GaussianMixture({ nComponents: 3, covarianceType: 'tied' });
    expect(String(gm)).toBe("GaussianMixture(nComponents: 3, covarianceType: 'tied', backend: 'auto', fitted: false)");
    // one line when it fits in breakLength, else one field per line — as Node lays out objects
    expect(inspect(gm, { breakLength: 120 })).toBe(
      "GaussianMixture { nComponents: 3, covarianceType: 'tied', backend: 'auto', fitted: false }",
    );
    expect(inspect(gm)).toBe(
      "GaussianMixture {\n  nComponents: 3,\n  covarianceType: 'tied',\n  backend: 'auto',\n  fitted: false\n}",
    );
  });

  it('summarise a fitted one: K, type, backend, features, convergence, iterations, log-likelihood', () => {
    const gm = new GaussianMixture({ nComponents: 3, seed: 0, backend: 'js' }).fit(X, {
      featureNames: ['a', 'b', 'c'],
    });
    const s = String(gm);
    expect(s).toBe(
      `GaussianMixture(nComponents: 3, covarianceType: 'full', backend: 'js', fitted: true, nFeatures: 3, ` +
        `featureNames: ['a', 'b', 'c'], converged: ${gm.converged}, nIter: ${gm.nIter}, lowerBound: ${gm.lowerBound})`,
    );
    const shown = inspect(gm);
    expect(shown).toMatch(/^GaussianMixture \{\n {2}nComponents: 3,\n {2}covarianceType: 'full',\n {2}backend: 'js',/);
    expect(shown).toContain(`nIter: ${gm.nIter}`);
    expect(shown).toContain(`lowerBound: ${gm.lowerBound}`);
    expect(shown).toContain("featureNames: [ 'a', 'b', 'c' ]");
    expect(shown, 'no internal state').not.toMatch(/opts|state|params|precChol/);
    // colours come from Node's own inspect
    expect(inspect(gm, { colors: true })).toContain('\u001b[');
    expect(`${gm}`).toBe(s);
  });

  it('shorten long feature lists in toString', () => {
    const wide = mixture(32, 60, 8, 1, 8).X;
    const names = Array.from({ length: 8 }, (_, j) => `f${j}`);
    const gm = new GaussianMixture({ backend: 'js' }).fit(wide, { featureNames: names });
    expect(String(gm)).toContain("featureNames: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', … 2 more]");
  });
});

describe('precisions type', () => {
  it('has the shape of the named covariance type, as covariances (checked by tsc; unfitted models are not read)', () => {
    const full = new GaussianMixture({ covarianceType: 'full' });
    const diag = new GaussianMixture({ covarianceType: 'diag' });
    const spherical = new GaussianMixture({ covarianceType: 'spherical' });
    const vev = new GaussianMixture({ covarianceType: 'VEV' });
    expectTypeOf<(typeof full)['precisions']>().toEqualTypeOf<Float64Array[][]>();
    expectTypeOf<(typeof diag)['precisions']>().toEqualTypeOf<Float64Array[]>();
    expectTypeOf<(typeof spherical)['precisions']>().toEqualTypeOf<Float64Array>();
    expectTypeOf<(typeof vev)['precisions']>().toEqualTypeOf<Float64Array[][]>();
  });
});
