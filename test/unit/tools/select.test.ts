/**
 * selectModel: ranking by BIC / AIC / ICL / cross-validated log-likelihood over any of the 18 covariance names, the
 * mclust-style summary (top three, cluster sizes, proportions), failure handling and validation.
 * Synthetic data from test/helpers/data.ts (well-separated mixtures, known K).
 */
import { describe, expect, it } from 'vitest';
import {
  DataError,
  FitError,
  GaussianMixture,
  MCLUST_TYPES,
  OptionError,
  SKLEARN_TYPES,
  selectModel,
} from '../../../src/api/index.js';
import { mixture } from '../../helpers/data.js';

// 3 components, 10 standard deviations apart: every criterion should find K = 3.
const { X } = mixture(11, 450, 2, 3, 10);
// Three distinct points, each repeated: with regCovar 0, any fit that gives a component < 2 distinct points collapses.
const dup = [
  [1, 1],
  [1, 1],
  [1, 1],
  [2, 2],
  [2, 2],
  [3, 3],
  [3, 3],
  [3, 3],
];

describe('selectModel', () => {
  it('picks the true K by BIC, with the mclust-style table and the best model fitted on all of X', () => {
    const r = selectModel(X, { nComponents: [1, 2, 3, 4, 5], covarianceTypes: ['full', 'diag'], seed: 1 });
    expect(r.criterion).toBe('bic');
    expect(r.lowerIsBetter).toBe(true);
    expect(r.table).toHaveLength(10);
    expect(r.table.map((t) => `${t.nComponents}${t.covarianceType}`).slice(0, 4)).toEqual([
      '1full',
      '1diag',
      '2full',
      '2diag',
    ]);
    expect(r.best.nComponents).toBe(3);
    const scores = r.table.filter((t) => !t.failed).map((t) => t.score!);
    expect(r.best.score).toBe(Math.min(...scores));
    expect(r.model).toBeInstanceOf(GaussianMixture);
    expect(r.model.weights).toHaveLength(3);
    expect(r.model.options.covarianceType).toBe(r.best.covarianceType);
    expect(r.model.bic(X)).toBeCloseTo(r.best.score, 8);
    for (const row of r.table) {
      expect(row.failed).toBe(false);
      expect(row.nParameters).toBeGreaterThan(0);
      expect(Number.isFinite(row.logLikelihood)).toBe(true);
    }
  });

  it("ranks any mix of mclust's and scikit-learn's names by ICL; the summary's top three and clusters", () => {
    const types = ['EII', 'VEV', 'EEE', 'spherical'] as const;
    const r = selectModel(X, { nComponents: [2, 3, 4], covarianceTypes: types, criterion: 'icl', backend: 'js' });
    expect(r.criterion).toBe('icl');
    expect(r.lowerIsBetter).toBe(true);
    expect(r.table).toHaveLength(12);
    for (const row of r.table) {
      // ICL = BIC + the classification entropy (≥ 0)
      expect(row.score).toBe(row.icl);
      expect(row.icl!).toBeGreaterThanOrEqual(row.bic! - 1e-9);
    }
    expect(r.best.nComponents).toBe(3);
    expect(r.model.icl(X)).toBeCloseTo(r.best.score, 8);
    const sorted = r.table.map((t) => t.score!).sort((a, b) => a - b);
    expect(r.top.map((t) => t.score)).toEqual(sorted.slice(0, 3));
    expect(r.top.map((t) => t.difference)).toEqual(sorted.slice(0, 3).map((v) => v - sorted[0]));
    expect(r.top[0]).toMatchObject({ nComponents: r.best.nComponents, covarianceType: r.best.covarianceType });
    expect(r.clusterSizes.reduce((a, b) => a + b, 0)).toBe(X.length);
    expect(r.clusterSizes).toEqual([0, 1, 2].map((c) => Array.from(r.model.predict(X)).filter((l) => l === c).length));
    expect(r.proportions).toEqual(Array.from(r.model.weights));
  });

  it("tries scikit-learn's four names by default; MCLUST_TYPES are mclust's fourteen", () => {
    const r = selectModel(X, { nComponents: [3], backend: 'js' });
    expect(r.table.map((t) => t.covarianceType)).toEqual([...SKLEARN_TYPES]);
    expect(MCLUST_TYPES).toEqual([
      'EII',
      'VII',
      'EEI',
      'VEI',
      'EVI',
      'VVI',
      'EEE',
      'VEE',
      'EVE',
      'VVE',
      'EEV',
      'VEV',
      'EVV',
      'VVV',
    ]);
  });

  it('picks the true K by held-out log-likelihood (cv), where higher is better', () => {
    const r = selectModel(X, {
      nComponents: [1, 2, 3, 4],
      covarianceTypes: ['full'],
      criterion: 'cv',
      folds: 4,
      seed: 2,
    });
    expect(r.lowerIsBetter).toBe(false);
    expect(r.best.nComponents).toBe(3);
    expect(r.best.score).toBe(Math.max(...r.table.map((t) => t.score!)));
    for (const row of r.table) {
      expect(row.foldScores).toHaveLength(4);
      // The score is the mean held-out log-likelihood per row, i.e. the row-weighted mean of the fold means.
      expect(row.score!).toBeCloseTo(row.logLikelihood! / X.length, 10);
    }
    expect(r.model.weights).toHaveLength(3);
    // The same seed shuffles the same folds.
    const again = selectModel(X, {
      nComponents: [1, 2, 3, 4],
      covarianceTypes: ['full'],
      criterion: 'cv',
      folds: 4,
      seed: 2,
    });
    expect(again.table.map((t) => t.score)).toEqual(r.table.map((t) => t.score));
  });

  it('shares k-means starts across covariance types and scores in one pass, equal to each fit on its own', () => {
    // more rows than k-means samples (8192), so every candidate starts from k-means on a sample — the start the
    // candidates of one K share; restarts (nInit 2) continue the generator, so the second start must not be shared
    const big = mixture(12, 9000, 2, 3, 4).X;
    for (const initParams of ['kmeans', 'k-means++'] as const) {
      const options = { seed: 4, nInit: 2, initParams };
      const r = selectModel(big, { ...options, nComponents: [1, 2, 3], criterion: 'icl' });
      expect(r.table).toHaveLength(12);
      for (const row of r.table) {
        if (row.failed) throw new Error(row.error);
        const own = new GaussianMixture({
          ...options,
          nComponents: row.nComponents,
          covarianceType: row.covarianceType,
        });
        own.fit(big);
        const tag = `${initParams} ${row.nComponents} ${row.covarianceType}`;
        expect(row.nIter, tag).toBe(own.nIter);
        expect(row.bic, tag).toBe(own.bic(big));
        expect(row.icl, tag).toBe(own.icl(big));
        expect(row.score, tag).toBe(own.icl(big));
        expect(row.logLikelihood, tag).toBe(own.score(big) * big.length);
        if (row.nComponents === r.best.nComponents && row.covarianceType === r.best.covarianceType) {
          expect(Array.from(r.model.means.flatMap((m) => [...m])), tag).toEqual(
            Array.from(own.means.flatMap((m) => [...m])),
          );
          expect(r.model.aic(big), tag).toBe(own.aic(big));
        }
      }
    }
  });

  it('AIC is ranked lowest-first too and equals model.aic', () => {
    const r = selectModel(X, { nComponents: [2, 3], covarianceTypes: ['spherical'], criterion: 'aic' });
    expect(r.lowerIsBetter).toBe(true);
    expect(r.model.aic(X)).toBeCloseTo(r.best.score, 8);
  });

  it('accepts { data, rows, cols } input for cv', () => {
    const data = Float64Array.from(X.flat());
    const r = selectModel(
      { data, rows: X.length, cols: 2 },
      { nComponents: [2, 3], covarianceTypes: ['diag'], criterion: 'cv', folds: 3 },
    );
    const ref = selectModel(X, { nComponents: [2, 3], covarianceTypes: ['diag'], criterion: 'cv', folds: 3 });
    expect(r.table.map((t) => t.score)).toEqual(ref.table.map((t) => t.score));
  });

  it('records failed fits in the table instead of throwing', () => {
    const r = selectModel(dup, { nComponents: [1, 2, 3, 9], covarianceTypes: ['full', 'spherical'], regCovar: 0 });
    const failed = r.table.filter((t) => t.failed);
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) {
      expect(t.score).toBeNull();
      expect(typeof t.error).toBe('string');
    }
    // K = 9 > 8 rows: a DataError from fit, recorded as failed too.
    expect(r.table.find((t) => t.nComponents === 9 && t.covarianceType === 'spherical')!.failed).toBe(true);
    expect(r.table.find((t) => !t.failed)).toBeDefined();
    expect(r.best.score).not.toBeNull();
    expect(r.model.isFitted).toBe(true);
  });

  it('records failed folds for cv', () => {
    const r = selectModel(dup, {
      nComponents: [1, 3],
      covarianceTypes: ['spherical', 'full'],
      regCovar: 0,
      criterion: 'cv',
      folds: 2,
    });
    expect(r.table.some((t) => t.failed)).toBe(true);
    expect(r.table.some((t) => !t.failed)).toBe(true);
  });

  it('throws FitError when every candidate fails', () => {
    expect(() => selectModel(dup, { nComponents: [2, 3], covarianceTypes: ['full'], regCovar: 0 })).toThrow(FitError);
  });

  it('rethrows a data problem that fails every candidate alike as the DataError it is', () => {
    const huge = [
      [-1e300, 0],
      [1e300, 1],
      [0, 2],
      [5e299, 3],
    ];
    expect(() => selectModel(huge, { nComponents: [1, 2], covarianceTypes: ['diag'] })).toThrow(DataError);
  });

  it('validates its options and the data up front', () => {
    expect(() => selectModel(X, { nComponents: [] })).toThrow(OptionError);
    expect(() => selectModel(X, { nComponents: [0, 1] })).toThrow(OptionError);
    expect(() => selectModel(X, { covarianceTypes: ['round' as never] })).toThrow(OptionError);
    expect(() => selectModel(X, { criterion: 'bcc' as never })).toThrow(/criterion/);
    expect(() => selectModel(X, { criterion: 'cv', folds: 1 })).toThrow(/folds/);
    expect(() => selectModel(X.slice(0, 3), { criterion: 'cv', folds: 5, nComponents: [1] })).toThrow(/folds/);
    expect(() => selectModel(X, { n_components: 3 } as never)).toThrow(/unknown option 'n_components'/);
    expect(() =>
      selectModel(
        [
          [1, 2],
          [NaN, 1],
        ],
        { nComponents: [1] },
      ),
    ).toThrow(DataError);
  });

  it('reports each candidate through onCandidate', () => {
    const seen: string[] = [];
    selectModel(X, {
      nComponents: [1, 2],
      covarianceTypes: ['tied', 'diag'],
      onCandidate: ({ index, total, row }) => seen.push(`${index}/${total}:${row.nComponents}${row.covarianceType}`),
    });
    expect(seen).toEqual(['0/4:1tied', '1/4:1diag', '2/4:2tied', '3/4:2diag']);
  });
});
