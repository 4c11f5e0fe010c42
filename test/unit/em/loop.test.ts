/**
 * The EM loop and its protocol, driven with scripted replies (no data, no kernels): scikit-learn's convergence test
 * (|Δ| < tol, strictly), the lower bound of the parameters before the last M-step, iteration counting, warm starts,
 * and the restart rule (the highest final bound wins; ties within 1e-12 keep the earlier restart). Then the loop
 * over real rows on the JS twin: restarts pick the best of their runs.
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions, type GaussianMixtureOptions } from '../../../src/api/options.js';
import { DegenerateError } from '../../../src/model/degeneracy.js';
import { denseRows } from '../../../src/data/rows.js';
import { runLocal } from '../../../src/drivers/sync.js';
import { createJsBackend } from '../../../src/backends/js/index.js';
import { mathHandlers } from '../../../src/drivers/local/math.js';
import { driveAsync, driveSync, refuseAll } from '../../../src/em/drive.js';
import { beats, emLoop, type IterationInfo } from '../../../src/em/loop.js';
import { ask, type Handlers, type Request } from '../../../src/em/protocol.js';
import { emptyStats } from '../../../src/model/stats.js';
import { mixture } from '../../helpers/data.js';

/** A one-component, one-feature model started from user parameters: initialisation asks for no data. */
const fixedStart: GaussianMixtureOptions = {
  nComponents: 1,
  weightsInit: [1],
  meansInit: [[0]],
  precisionsInit: [[[1]]],
};

/**
 * Handlers whose E-passes return statistics with the scripted mean log-likelihoods, one per pass; M-steps are
 * computed as every driver computes them.
 */
function scripted(bounds: number[]): { handlers: Handlers; passes: () => number } {
  let i = 0;
  const handlers: Handlers = {
    ...refuseAll('scripted test: only E-passes and M-steps'),
    ...mathHandlers,
    estep: (req) => {
      const st = emptyStats(1, 1, 'full', req.params.means);
      st.sumW = 10;
      st.nk[0] = 10;
      st.sxx[0] = 10;
      st.logLik = 10 * bounds[Math.min(i++, bounds.length - 1)];
      return st;
    },
  };
  return { handlers, passes: () => i };
}

function run(options: GaussianMixtureOptions, bounds: number[]) {
  const seen: IterationInfo[] = [];
  const o = resolveOptions({ ...fixedStart, ...options, onIteration: (info) => seen.push(info) });
  const { handlers, passes } = scripted(bounds);
  const r = driveSync(emLoop(o, { n: 10, d: 1, weighted: false }, null), handlers);
  return { r, seen, passes: passes() };
}

describe('the EM loop (scripted E-passes)', () => {
  it("stops when |Δ lower bound| < tol; the bound is the E-step's, before the last M-step", () => {
    const { r, seen } = run({ tol: 1e-3 }, [-5, -4, -3.9995, -3]);
    expect(r.nIter).toBe(3);
    expect(r.converged).toBe(true);
    expect(r.lowerBound).toBe(-3.9995);
    expect(seen.map((s) => s.iter)).toEqual([1, 2, 3]);
    expect(seen[0].change).toBe(Infinity);
    expect(seen[2].change).toBeCloseTo(0.0005, 12);
  });

  it('the test is strict: a change equal to tol does not stop EM', () => {
    const { r } = run({ tol: 0.25 }, [-1, -0.5, -0.25, -0.125, -0.0625]);
    expect(r.nIter).toBe(4); // changes 0.5, 0.25 (not < 0.25), 0.125
  });

  it('maxIter bounds the passes; an unconverged run says so; maxIter 0 makes no pass', () => {
    const a = run({ tol: 0, maxIter: 7 }, [-3, -2, -1.5, -1.25]);
    expect([a.r.nIter, a.r.converged, a.passes]).toEqual([7, false, 7]);
    const b = run({ maxIter: 0 }, [-1]);
    expect([b.r.nIter, b.r.lowerBound, b.passes]).toEqual([0, -Infinity, 0]);
  });

  it('a warm start runs once from the given parameters and bound (nInit ignored)', () => {
    const o = resolveOptions({ ...fixedStart, nInit: 5, tol: 1e-3 });
    const { handlers, passes } = scripted([-2.0005]);
    const params = driveSync(emLoop(o, { n: 10, d: 1, weighted: false }, null), scripted([-2]).handlers).params;
    const r = driveSync(emLoop(o, { n: 10, d: 1, weighted: false }, { params, lowerBound: -2 }), handlers);
    expect([r.nIter, r.converged, passes()]).toEqual([1, true, 1]);
  });

  it('driveAsync serves the same generator with asynchronous handlers, and closes it on failure', async () => {
    const o = resolveOptions({ ...fixedStart, tol: 1e-3 });
    const { handlers } = scripted([-5, -4, -3.9995]);
    const r = await driveAsync(emLoop(o, { n: 10, d: 1, weighted: false }, null), {
      ...handlers,
      estep: async (req) => handlers.estep(req),
    });
    expect(r.nIter).toBe(3);
    let closed = false;
    function* steps() {
      try {
        yield* ask({ type: 'seed-rows', rows: [0] });
      } finally {
        closed = true;
      }
    }
    await expect(driveAsync(steps(), refuseAll('nothing to serve'))).rejects.toThrow(/nothing to serve/);
    expect(closed).toBe(true);
  });

  it('statistics that overflowed stop EM with a typed error, not NaN parameters', () => {
    expect(() => run({}, [Number.NaN])).toThrow(/statistics are not finite/);
  });
});

describe('restarts', () => {
  it('beats: higher wins; within 1e-12·max(1, |best|) is a tie the earlier restart keeps', () => {
    expect(beats(-1, -Infinity)).toBe(true);
    expect(beats(-1 + 1e-13, -1)).toBe(false);
    expect(beats(-1 + 1e-11, -1)).toBe(true);
    expect(beats(-1e6 + 1e-7, -1e6)).toBe(false); // relative above 1 in magnitude
    expect(beats(-2, -1)).toBe(false);
  });

  it('over real rows (JS twin), the result is the restart with the highest final bound', () => {
    const { X } = mixture(4, 300, 2, 4, 3); // overlapping clusters: restarts reach different optima
    const data = Float64Array.from(X.flat());
    const rows = denseRows(data, 2);
    const finals = new Map<number, number>();
    const o = resolveOptions({
      nComponents: 4,
      nInit: 4,
      initParams: 'random',
      seed: 3,
      onIteration: (i) => finals.set(i.init, i.lowerBound),
    });
    const r = runLocal(rows, null, createJsBackend(), emLoop(o, { n: rows.n, d: 2, weighted: false }, null));
    expect(finals.size).toBe(4);
    const best = Math.max(...finals.values());
    expect(r.lowerBound).toBe(best);
    const first = [...finals.entries()].find(([, b]) => !beats(best, b))![0];
    expect(finals.get(first)).toBe(r.lowerBound);
  });

  it("onDegenerate 'error' throws a DegenerateError naming the component and iteration", () => {
    // component 1 starts far from the rows: its responsibility vanishes in the first E-step
    const rows = denseRows(Float64Array.of(0, 0.1, 0.2, 0.3, 0.5, 0.8), 1);
    const o = resolveOptions({
      nComponents: 2,
      weightsInit: [0.5, 0.5],
      meansInit: [[0.3], [1e6]],
      precisionsInit: [[[1]], [[1]]],
    });
    try {
      runLocal(rows, null, createJsBackend(), emLoop(o, { n: 6, d: 1, weighted: false }, null));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DegenerateError);
      expect((e as DegenerateError).component).toBe(1);
      expect((e as DegenerateError).iteration).toBe(1);
      expect((e as Error).message).toMatch(/component 1 vanished at iteration 1/);
    }
  });
});

describe('the protocol', () => {
  it('every request type has a handler in every local server (RowServer)', async () => {
    const { REQUEST_TYPES } = await import('../../../src/em/protocol.js');
    const { RowServer } = await import('../../../src/drivers/local/row-server.js');
    const server = new RowServer(denseRows(Float64Array.of(1, 2), 1), null, createJsBackend());
    for (const t of REQUEST_TYPES) expect(typeof server.handlers[t], t).toBe('function');
    const r: Request<'seed-rows'> = { type: 'seed-rows', rows: [1] };
    expect(Array.from(server.handlers['seed-rows'](r))).toEqual([2]);
  });
});
