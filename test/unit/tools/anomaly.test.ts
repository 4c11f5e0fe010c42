/**
 * Anomaly detection: threshold = contamination-quantile of log p(x) (linear interpolation, numpy.percentile's
 * default — reference values below are hand-computed order statistics), flagged rows are those strictly below it.
 */
import { describe, expect, it } from 'vitest';
import { quantile } from '../../../src/tools/anomaly.js';
import {
  anomalyThreshold,
  detectAnomalies,
  GaussianMixture,
  NotFittedError,
  OptionError,
} from '../../../src/api/index.js';
import { mixture } from '../../helpers/data.js';

const { X } = mixture(5, 1000, 2, 2, 8);
const gm = new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X);

describe('quantile', () => {
  it('interpolates linearly between order statistics (numpy.percentile default)', () => {
    // Sorted [1, 2, 3, 4, 5]: q = 0.1 → position 0.4 → 1.4; q = 0.25 → position 1 → 2; q = 0.5 → 3.
    expect(quantile([5, 3, 1, 4, 2], 0.1)).toBeCloseTo(1.4, 12);
    expect(quantile([5, 3, 1, 4, 2], 0.25)).toBe(2);
    expect(quantile([5, 3, 1, 4, 2], 0.5)).toBe(3);
    expect(quantile([7], 0.3)).toBe(7);
  });
});

describe('anomaly detection', () => {
  it('anomalyThreshold is the contamination-quantile of scoreSamples', () => {
    const scores = Array.from(gm.scoreSamples(X)).sort((a, b) => a - b);
    // n = 1000, contamination 0.01 → position 9.99 between the 10th and 11th smallest scores.
    const t = gm.anomalyThreshold(X, 0.01);
    expect(t).toBeCloseTo(scores[9] + 0.99 * (scores[10] - scores[9]), 12);
    expect(anomalyThreshold(gm, X, 0.01)).toBe(t);
  });

  it('with a contamination rate it flags ⌊c·(n−1)⌋ + 1 rows of the data given — the lowest scores', () => {
    for (const c of [0.01, 0.05, 0.2]) {
      const r = gm.detectAnomalies(X, { contamination: c });
      expect(r.indices.length).toBe(Math.floor(c * 999) + 1);
      const flagged = Array.from(r.indices, (i) => r.scores[i]);
      const rest = Array.from(r.scores).filter((_, i) => !r.isAnomaly[i]);
      expect(Math.max(...flagged)).toBeLessThan(Math.min(...rest));
    }
  });

  it('with a threshold it flags exactly the rows with log p(x) < threshold', () => {
    const far = [...X.slice(0, 50), [1e3, -1e3]];
    const r = detectAnomalies(gm, far, { threshold: -20 });
    expect(r.threshold).toBe(-20);
    expect(r.scores).toEqual(gm.scoreSamples(far));
    expect(r.isAnomaly).toBeInstanceOf(Uint8Array);
    expect(r.indices).toBeInstanceOf(Int32Array);
    for (let i = 0; i < far.length; i++) expect(r.isAnomaly[i]).toBe(r.scores[i] < -20 ? 1 : 0);
    expect(Array.from(r.indices)).toContain(50);
    expect(Array.from(r.indices)).toEqual([...r.indices].sort((a, b) => a - b));
  });

  it('a training threshold carries over to new data', () => {
    const t = gm.anomalyThreshold(X, 0.05);
    const r = gm.detectAnomalies([Array.from(gm.means[0]), [1e4, 1e4]], { threshold: t });
    expect(Array.from(r.isAnomaly)).toEqual([0, 1]);
  });

  it('rejects bad options and unfitted models', () => {
    expect(() => gm.detectAnomalies(X, {} as never)).toThrow(OptionError);
    expect(() => gm.detectAnomalies(X, { threshold: 1, contamination: 0.1 } as never)).toThrow(/exactly one/);
    expect(() => gm.detectAnomalies(X, { threshold: NaN })).toThrow(/threshold/);
    for (const c of [0, -0.1, 0.6, NaN])
      expect(() => gm.anomalyThreshold(X, c)).toThrow(/contamination must be a number in \(0, 0.5\]/);
    expect(() => new GaussianMixture().anomalyThreshold(X, 0.1)).toThrow(NotFittedError);
  });
});
