/**
 * Mini-batch EM, `fit(X, { batchSize })`, on the JS twin: it is exactly the documented sequence of online updates
 * (an EM fit on a systematic sample, then passes over the strided batches in a seeded shuffled order, replayed here
 * with partialFit), it stops when the passes' mean batch score changes by less than tol, and the options around it
 * (batchSize ≥ N, warmStart, sample weights, respInit, the other entry points) behave as documented.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, OptionError, type IterationInfo } from '../../../src/api/index.js';
import { Random } from '../../../src/util/random.js';
import { flat } from '../../helpers/compare.js';
import { mixture } from '../../helpers/data.js';

const every = <T>(rows: T[], j: number, stride: number): T[] => rows.filter((_, i) => i % stride === j);

describe('fit with batchSize', () => {
  it('is partialFit over a systematic sample, then over strided batches in a seeded shuffled order, pass by pass', () => {
    const { X } = mixture(1, 12_000, 2, 3, 4);
    const w = X.map((_, i) => 1 + (i % 3));
    const opts = { nComponents: 3, seed: 5, tol: 1e-4, maxIter: 4 };
    const gm = new GaussianMixture(opts).fit(X, { batchSize: 1500, sampleWeight: w });
    // the replay: ⌈12 000 / 1500⌉ = 8 batches of every 8th row; the init sample is every 2nd row (10 000 rows at least)
    const replay = new GaussianMixture(opts);
    const idx = X.map((_, i) => i);
    const init = every(idx, 0, 2);
    replay.partialFit(
      init.map((i) => X[i]),
      { sampleWeight: init.map((i) => w[i]) },
    );
    const rng = new Random(5).fork();
    const order = Array.from({ length: 8 }, (_, j) => j);
    const bounds: number[] = [];
    for (let pass = 0; pass < gm.nIter; pass++) {
      for (let i = 7; i > 0; i--) {
        const k = rng.int(i + 1);
        [order[i], order[k]] = [order[k], order[i]];
      }
      let sum = 0;
      let total = 0;
      for (const j of order) {
        const rows = every(idx, j, 8);
        const bw = rows.map((i) => w[i]);
        replay.partialFit(
          rows.map((i) => X[i]),
          { sampleWeight: bw },
        );
        const weight = bw.reduce((a, v) => a + v, 0);
        sum += weight * replay.lowerBound;
        total += weight;
      }
      bounds.push(sum / total);
    }
    expect(flat(gm.means)).toEqual(flat(replay.means));
    expect(flat(gm.covariances)).toEqual(flat(replay.covariances));
    expect(gm.lowerBound).toBe(bounds[bounds.length - 1]);
    // stopped at the first pass whose score moved by less than tol (or at maxIter)
    const changes = bounds.map((b, i) => b - (i === 0 ? -Infinity : bounds[i - 1]));
    expect(gm.converged).toBe(Math.abs(changes[changes.length - 1]) < 1e-4);
    expect(changes.slice(0, -1).every((c) => Math.abs(c) >= 1e-4)).toBe(true);
    expect([gm.nSeen, gm.nBatches]).toEqual([replay.nSeen, replay.nBatches]);
  });

  it('reports every pass to onIteration, and keeps the running state for partialFit', () => {
    const { X } = mixture(2, 3000, 2, 2, 5);
    const seen: IterationInfo[] = [];
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, onIteration: (i) => seen.push(i) });
    gm.fit(X, { batchSize: 500 });
    expect(seen.map((i) => i.iter)).toEqual(Array.from({ length: gm.nIter }, (_, i) => i + 1));
    expect(seen[seen.length - 1].lowerBound).toBe(gm.lowerBound);
    expect(seen[0].change).toBe(Infinity);
    const passes = gm.nIter;
    expect(gm.nBatches).toBe(1 + 6 * passes); // the initial fit, then six batches per pass
    gm.partialFit(X.slice(0, 100));
    expect(gm.nBatches).toBe(2 + 6 * passes);
  });

  it('is full-batch EM when batchSize ≥ the number of rows', () => {
    const { X } = mixture(3, 500, 2, 2, 5);
    const a = new GaussianMixture({ nComponents: 2 }).fit(X, { batchSize: 500 });
    const b = new GaussianMixture({ nComponents: 2 }).fit(X);
    expect(flat(a.means)).toEqual(flat(b.means));
    expect(a.nBatches).toBe(0);
  });

  it('starts from the fitted parameters under warmStart (no initialisation)', () => {
    const { X } = mixture(4, 4000, 2, 2, 5);
    const gm = new GaussianMixture({ nComponents: 2, seed: 0, warmStart: true, maxIter: 2, tol: 0 }).fit(X);
    const saved = gm.toJSON();
    gm.fit(X, { batchSize: 1000 });
    expect(gm.nIter).toBe(2);
    expect(gm.nSeen).toBe(2 * 4000); // two passes of four batches, no initialisation sample
    expect(gm.nBatches).toBe(2 * 4);
    // maxIter 0 from a warm start: the parameters stay, and there is no running state
    const kept = GaussianMixture.fromJSON({ ...saved, options: { ...saved.options, maxIter: 0 } });
    kept.fit(X, { batchSize: 1000 });
    expect(flat(kept.means)).toEqual(flat(GaussianMixture.fromJSON(saved).means));
    expect(kept.nBatches).toBe(0);
  });

  it('skips batches whose rows all have zero weight', () => {
    const { X } = mixture(5, 2000, 2, 2, 5);
    // batch j holds rows j, j + 4, …: zero weights on every row ≡ 3 (mod 4) empty batch 3
    const w = X.map((_, i) => (i % 4 === 3 ? 0 : 1));
    const gm = new GaussianMixture({ nComponents: 2, maxIter: 3, tol: 0 }).fit(X, { batchSize: 500, sampleWeight: w });
    expect(gm.nBatches).toBe(1 + 3 * 3);
  });

  it('checks its option where it applies', () => {
    const { X } = mixture(6, 300, 2, 2, 5);
    const gm = new GaussianMixture({ nComponents: 2 });
    expect(() => gm.fit(X, { batchSize: 0 })).toThrow(/batchSize must be an integer ≥ 1; got 0/);
    expect(() => gm.fit(X, { batchSize: 1.5 })).toThrow(OptionError);
    expect(() => gm.expectation(X, { batchSize: 10 } as never)).toThrow(/unknown expectation option 'batchSize'/);
    expect(() => gm.partialFit(X, { batchSize: 10 } as never)).toThrow(/unknown partialFit option 'batchSize'/);
    const labels = Int32Array.from(X, (_, i) => i % 2);
    expect(() => new GaussianMixture({ nComponents: 2, respInit: labels }).fit(X, { batchSize: 100 })).toThrow(
      /respInit starts EM from responsibilities for all of X, mini-batch EM \(batchSize\) from its first batch/,
    );
    expect(gm.isFitted).toBe(false);
  });
});
