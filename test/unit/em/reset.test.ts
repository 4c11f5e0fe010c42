/**
 * The onDegenerate: 'reset' policy (src/em/reset.ts) driven with scripted 'worst' replies: a degenerate component
 * is re-seeded at the worst-explained row with the survivors' pooled covariance and weight 1/K; a row whose
 * re-seeded component degenerates again is never a seed again; after three such failures the policy gives up with
 * a DegenerateError that says to raise regCovar; a shared (tied) covariance cannot be repaired by re-seeding.
 */
import { describe, expect, it } from 'vitest';
import { driveSync, refuseAll } from '../../../src/em/drive.js';
import { ResetPolicy } from '../../../src/em/reset.js';
import { DegenerateError, type Degeneracy } from '../../../src/model/degeneracy.js';
import { covarianceModel } from '../../../src/model/covariance/registry.js';
import type { Params } from '../../../src/model/params.js';
import { emptyStats } from '../../../src/model/stats.js';
import type { CovarianceType } from '../../../src/model/covariance/registry.js';

function params(covType: CovarianceType): Params {
  const k = 3;
  const d = 2;
  const model = covarianceModel(covType);
  const covariances = model.fromVariances(Float64Array.of(1, 4), k);
  const precChol = new Float64Array(covariances.length);
  model.layout.factor(covariances, k, d, precChol);
  return {
    k,
    d,
    covType,
    weights: Float64Array.of(0.5, 0.3, 0.2),
    means: Float64Array.of(0, 0, 5, 5, 10, 10),
    covariances,
    precChol,
  };
}

const vanished = (component: number): Degeneracy => ({
  component,
  reason: 'vanished',
  detail: 'its responsibility mass fell to 0',
});

/** Applies the policy with 'worst' answered from `rows` (each request records the count it asked for). */
function apply(
  policy: ResetPolicy,
  p: Params,
  bad: Degeneracy[],
  rows: Float64Array[],
  asked: number[],
  iter = 5,
): Params {
  const st = emptyStats(3, 2, 'full', p.means);
  return driveSync(policy.apply(p, p, bad, st, iter), {
    ...refuseAll('only worst rows'),
    worst: (req) => {
      asked.push(req.count);
      return rows.slice(0, req.count).map((r) => r.slice());
    },
  });
}

describe("onDegenerate 'reset'", () => {
  const config = { nComponents: 3, regCovar: 1e-6, freeze: [] as const };

  it('re-seeds at the worst-explained row with the pooled covariance of the survivors and weight 1/K', () => {
    const p = params('diag');
    const policy = new ResetPolicy(config, 0, 1);
    const asked: number[] = [];
    const next = apply(policy, p, [vanished(2)], [Float64Array.of(42, -7), Float64Array.of(1, 1)], asked);
    expect(asked).toEqual([1]);
    expect(Array.from(next.means.subarray(4, 6))).toEqual([42, -7]);
    expect(next.weights[2]).toBeCloseTo(1 / 3, 15);
    expect(next.weights[0] + next.weights[1] + next.weights[2]).toBeCloseTo(1, 15);
    expect(next.weights[0] / next.weights[1]).toBeCloseTo(0.5 / 0.3, 12); // survivors keep their proportions
    expect(Array.from(next.covariances.subarray(4, 6))).toEqual([1, 4]); // pooled = the survivors' (equal) variances
    expect(policy.resets).toMatchObject([{ init: 0, iteration: 5, component: 2, reason: 'vanished' }]);
  });

  it('never re-seeds at a row that failed, and gives up after three failed re-seedings', () => {
    const p = params('full');
    const policy = new ResetPolicy(config, 1, 2);
    const a = Float64Array.of(100, 100);
    const b = Float64Array.of(200, 200);
    const c = Float64Array.of(300, 300);
    const asked: number[] = [];
    let next = apply(policy, p, [vanished(1)], [a, b, c], asked);
    expect(Array.from(next.means.subarray(2, 4))).toEqual([100, 100]);
    // component 1 degenerates again: row a failed; the request asks for one extra candidate and a is skipped
    next = apply(policy, next, [vanished(1)], [a, b, c], asked);
    expect(Array.from(next.means.subarray(2, 4))).toEqual([200, 200]);
    next = apply(policy, next, [vanished(1)], [a, b, c], asked);
    expect(Array.from(next.means.subarray(2, 4))).toEqual([300, 300]);
    expect(asked).toEqual([1, 2, 3]);
    try {
      apply(policy, next, [vanished(1)], [a, b, c], asked);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DegenerateError);
      expect((e as Error).message).toMatch(/gave up after 3 re-seeded components degenerated again/);
      expect((e as Error).message).toMatch(/restart 2\/2/);
      expect((e as Error).message).not.toMatch(/pass onDegenerate: 'reset'/);
    }
  });

  it('gives up when every candidate row already failed', () => {
    const p = params('spherical');
    const policy = new ResetPolicy(config, 0, 1);
    const a = Float64Array.of(7, 7);
    const asked: number[] = [];
    const next = apply(policy, p, [vanished(0)], [a], asked);
    expect(() => apply(policy, next, [vanished(0)], [a], asked)).toThrow(
      /every row left to re-seed at already made a re-seeded component degenerate/,
    );
  });

  it('cannot repair a shared covariance', () => {
    const p = params('tied');
    const policy = new ResetPolicy(config, 0, 1);
    const bad: Degeneracy = {
      component: -1,
      reason: 'not-pd',
      detail: 'feature 1 has (numerically) zero variance within it',
    };
    expect(() => apply(policy, p, [bad], [Float64Array.of(0, 0)], [])).toThrow(/cannot repair a shared covariance/);
  });
});
