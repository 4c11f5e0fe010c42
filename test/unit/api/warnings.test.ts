/**
 * The onWarning option: by default a warning is emitted (process.emitWarning) once per distinct message per process,
 * as Python's warnings filter does; 'always', 'ignore' and a callback change where it goes; gmm.warnings keeps the
 * fit's warnings whatever the policy. Each test uses its own maxIter so that its message is new to this process.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GaussianMixture, OptionError } from '../../../src/api/index.js';
import { mixture } from '../../helpers/data.js';

const { X } = mixture(51, 200, 2, 3, 4);
/** A fit that stops before converging: one non-convergence warning per fit. */
const unconverged = (maxIter: number, extra: object = {}) =>
  new GaussianMixture({ nComponents: 3, seed: 0, tol: 0, maxIter, ...extra });

afterEach(() => vi.restoreAllMocks());

const spyEmit = () => vi.spyOn(process, 'emitWarning').mockImplementation(() => {});

describe('onWarning', () => {
  it("'once' (default): a distinct message once per process, however many fits raise it", () => {
    const emit = spyEmit();
    const fits = Array.from({ length: 5 }, () => unconverged(2).fit(X));
    for (const gm of fits) {
      expect(gm.warnings).toHaveLength(1);
      expect(gm.warnings[0]).toMatch(/did not converge within maxIter = 2 iterations/);
    }
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit.mock.calls[0][0]).toBe(fits[0].warnings[0]);
    expect(emit.mock.calls[0][1]).toEqual({ type: 'GaussianMixtureWarning', code: 'GMM_NOT_CONVERGED' });
    // another message is another warning, and the first one still is not repeated
    unconverged(3).fit(X);
    unconverged(2).fit(X);
    expect(emit).toHaveBeenCalledTimes(2);
    expect(emit.mock.calls[1][0]).toMatch(/maxIter = 3 /);
    expect(unconverged(2).options.onWarning).toBe('once');
  });

  it("'always' emits every time", () => {
    const emit = spyEmit();
    for (let i = 0; i < 3; i++) unconverged(4, { onWarning: 'always' }).fit(X);
    expect(emit).toHaveBeenCalledTimes(3);
  });

  it("'ignore' emits nothing; the warnings stay in gmm.warnings", () => {
    const emit = spyEmit();
    const gm = unconverged(5, { onWarning: 'ignore' }).fit(X);
    expect(emit).not.toHaveBeenCalled();
    expect(gm.warnings[0]).toMatch(/maxIter = 5 /);
  });

  it('a function receives { message, code } instead of the process', () => {
    const emit = spyEmit();
    const seen: { message: string; code: string }[] = [];
    for (let i = 0; i < 2; i++)
      unconverged(6, { onWarning: (w: { message: string; code: string }) => seen.push(w) }).fit(X);
    expect(emit).not.toHaveBeenCalled();
    expect(seen).toHaveLength(2); // every one: collecting is the caller's business
    expect(seen[0]).toEqual({ message: expect.stringMatching(/maxIter = 6 /), code: 'GMM_NOT_CONVERGED' });
  });

  it('applies to fitStream too, and to re-seeding warnings', async () => {
    const emit = spyEmit();
    const gm = await unconverged(7, { onWarning: 'ignore' }).fitStream(() => [X]);
    expect(gm.warnings[0]).toMatch(/maxIter = 7 /);
    expect(emit).not.toHaveBeenCalled();
    // a component started far from every row vanishes at iteration 1 and is re-seeded (as degenerate.test.ts)
    const codes: string[] = [];
    const identity = [
      [1, 0],
      [0, 1],
    ];
    const reset = new GaussianMixture({
      nComponents: 3,
      weightsInit: [0.4, 0.4, 0.2],
      meansInit: [X[0], X[1], [1e6, 1e6]],
      precisionsInit: [identity, identity, identity],
      onDegenerate: 'reset',
      onWarning: (w: { code: string }) => codes.push(w.code),
    }).fit(X);
    expect(reset.resets.length).toBeGreaterThanOrEqual(1);
    expect(codes).toContain('GMM_COMPONENT_RESET');
    expect(emit).not.toHaveBeenCalled();
  });

  it('is validated, and not saved with the model', () => {
    expect(() => new GaussianMixture({ onWarning: 'sometimes' as never })).toThrow(OptionError);
    expect(() => new GaussianMixture({ onWarning: 'sometimes' as never })).toThrow(
      "onWarning must be one of 'once', 'always', 'ignore', or a function; got \"sometimes\"",
    );
    const gm = unconverged(8, { onWarning: 'ignore' }).fit(X);
    expect('onWarning' in gm.toJSON().options).toBe(false);
    expect(GaussianMixture.fromJSON({ ...gm.toJSON(), options: { onWarning: 'ignore' } }).options.onWarning).toBe(
      'ignore',
    );
  });
});
