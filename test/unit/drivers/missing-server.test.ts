/**
 * The drivers' missing-value pieces: ObservedPass (kernels for complete rows + the missing-value path for the rest)
 * must give the statistics of model/missing's own pass over all rows (the reference of test/unit/model/missing.test.ts)
 * to rounding, and exactly the kernels' on complete rows; the missing-value RowServer's worst-explained rows must be
 * ranked by observed-data log density and completed by their conditional means.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../../src/api/index.js';
import { getBackend } from '../../../src/backends/index.js';
import { Workspace } from '../../../src/backends/workspace.js';
import { toRows } from '../../../src/data/matrix.js';
import { RowSplit } from '../../../src/data/missing.js';
import { MissingRowServer, localServer } from '../../../src/drivers/local/missing-server.js';
import { ObservedPass } from '../../../src/drivers/local/observed.js';
import { RowServer } from '../../../src/drivers/local/row-server.js';
import { covarianceModel, type CovarianceType } from '../../../src/model/covariance/registry.js';
import { accumulateMissing } from '../../../src/model/missing/index.js';
import { kernelParams, type Params } from '../../../src/model/params.js';
import { expectClose } from '../../helpers/compare.js';
import { dataset } from '../../helpers/missing.js';

const backend = getBackend('js');

/** A model fitted to `key` and its parameters (the private state is what drivers receive). */
function model(key: string, covarianceType: CovarianceType, k: number): { gm: GaussianMixture; params: Params } {
  const gm = new GaussianMixture({ nComponents: k, covarianceType, missing: 'marginalize', backend: 'js', maxIter: 5 });
  gm.fit(dataset(key));
  return { gm, params: (gm as unknown as { state: { params: Params } }).state.params };
}

describe('ObservedPass', () => {
  for (const covType of ['full', 'tied', 'diag', 'spherical'] as const) {
    it(`equals model/missing's pass over all rows (${covType}), split anywhere`, () => {
      const { params } = model('iris-20', covType, 3);
      const X = dataset('iris-20');
      const rows = toRows(X, 'X', 4, 'marginalize');
      const w = Float64Array.from(X, (_, i) => 0.5 + (i % 4));
      const split = RowSplit.of(rows);
      const pass = new ObservedPass(backend).load(kernelParams(params));
      const st = pass.accumulate(split, w, split.completeWeights(w), 0, rows.n);
      const layout = covarianceModel(covType).layout.name;
      const ref = accumulateMissing(Float64Array.from(X.flat()), { ...params, layout }, { sampleWeight: w });
      for (const key of ['nk', 'sx', 'sxx'] as const) expectClose(st[key], ref[key], 1e-12, key);
      expectClose(st.logLik, ref.logLik, 1e-13, 'logLik');
      expect(st.sumW).toBe(ref.sumW);
      const a = pass.accumulate(split, w, split.completeWeights(w), 0, 61);
      const b = pass.accumulate(split, w, split.completeWeights(w), 61, rows.n);
      for (const key of ['nk', 'sx', 'sxx'] as const)
        expectClose(
          a[key].map((v, i) => v + b[key][i]),
          st[key],
          1e-12,
          key,
        );
    });
  }

  it('is the kernels’ pass, bit for bit, when no row holds a NaN', () => {
    const { params } = model('iris-0', 'full', 3);
    const rows = toRows(dataset('iris-0'));
    const split = RowSplit.of(rows);
    expect(split.incomplete.length).toBe(0);
    const st = new ObservedPass(backend).load(kernelParams(params)).accumulate(split, null, null, 0, rows.n);
    expect(st).toEqual(Workspace.of(backend, kernelParams(params)).accumulate(rows, null, false));
    expect(localServer(rows, null, backend, new Float64Array(4))).not.toBeInstanceOf(MissingRowServer);
    expect(localServer(rows, null, backend, null)).toBeInstanceOf(RowServer);
  });
});

describe('the missing-value RowServer', () => {
  it('ranks the worst-explained rows by observed-data log p(x) and hands them back completed', () => {
    const { gm, params } = model('iris-30', 'full', 3);
    const X = dataset('iris-30');
    const rows = toRows(X, 'X', 4, 'marginalize');
    const w = Float64Array.from(X, (_, i) => (i % 10 === 3 ? 0 : 1));
    const server = localServer(rows, w, backend, new Float64Array([5, 3, 4, 1]));
    expect(server).toBeInstanceOf(MissingRowServer);
    const scores = gm.scoreSamples(X);
    const imputed = gm.impute(X);
    const order = Array.from(scores.keys())
      .filter((i) => w[i] > 0)
      .sort((a, b) => scores[a] - scores[b] || a - b);
    const worst = server.handlers.worst({ type: 'worst', params: kernelParams(params), count: 6 });
    expect(worst.map((r) => Array.from(r))).toEqual(order.slice(0, 6).map((i) => Array.from(imputed[i])));
    expect(worst.some((r, t) => X[order[t]].some(Number.isNaN) && r.every(Number.isFinite))).toBe(true);
    // a range: the worst of rows [40, 90) only
    const col = server.worst({ type: 'worst', params: kernelParams(params), count: 3 }, 40, 90);
    const inRange = order.filter((i) => i >= 40 && i < 90).slice(0, 3);
    expect(col.result().map((r) => Array.from(r))).toEqual(inRange.map((i) => Array.from(imputed[i])));
    expect(col.scores()).toEqual(inRange.map((i) => scores[i]));
  });

  it('serves initialisation over the filled rows', () => {
    const X = dataset('faithful-30');
    const rows = toRows(X, 'X', 2, 'marginalize');
    const fill = new Float64Array([3.5, 70]);
    const server = localServer(rows, null, backend, fill);
    const got = server.handlers['seed-rows']({ type: 'seed-rows', rows: [0, 1, 2, 3, 4, 5] });
    const want = X.slice(0, 6).flatMap((r) => r.map((v, j) => (Number.isNaN(v) ? fill[j] : v)));
    expect(X.slice(0, 6).some((r) => r.some(Number.isNaN))).toBe(true);
    expect(Array.from(got)).toEqual(want);
  });
});
