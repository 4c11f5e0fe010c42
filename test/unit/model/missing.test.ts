/**
 * Exact EM with missing values: the pure-JS E-pass (src/model/missing) plus a tiny M-step written here from the
 * library's formulas must reproduce the independent numpy reference (scripts/generate-missing-fixtures.py,
 * test/fixtures/missing-em.json) iteration by iteration; plus the properties the integration relies on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LayoutName } from '../../../src/model/covariance/layouts.js';
import {
  ConditionalFactors,
  MissingDataError,
  MissingWorkspace,
  PatternGrouping,
  accumulateMissing,
  conditionalRow,
  factorDiagonal,
  factorFull,
  imputeRows,
  logProbMissing,
  normalizeLogProb,
  type MissingStats,
  type MixtureParams,
} from '../../../src/model/missing/index.js';

// ---------------------------------------------------------------------------------------------------- fixtures

/** The fixtures name scikit-learn's models; the module takes the layout each is stored in. */
type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';
const LAYOUT: Readonly<Record<CovarianceType, LayoutName>> = {
  full: 'tri',
  tied: 'sharedTri',
  diag: 'diag',
  spherical: 'scalar',
};

type Nested = number | null | Nested[];
interface Expected {
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
}
interface Case {
  name: string;
  dataset: string;
  covarianceType: CovarianceType;
  nComponents: number;
  regCovar: number;
  maxIter: number;
  sampleWeight: number[] | null;
  start: { weights: number[]; means: number[][]; covariances: Nested; precisions: Nested };
  expected: Expected;
}
interface Fixture {
  datasets: Record<string, { rate: number; X: (number | null)[][] }>;
  cases: Case[];
  refused: {
    name: string;
    row: number;
    covarianceType: CovarianceType;
    nComponents: number;
    X: (number | null)[][];
    start: Case['start'];
  }[];
}

const fixture: Fixture = JSON.parse(readFileSync(new URL('../../fixtures/missing-em.json', import.meta.url), 'utf8'));

const flat = (v: Nested): number[] => (typeof v === 'number' ? [v] : v === null ? [NaN] : v.flatMap(flat));
const matrix = (rows: (number | null)[][]): { X: Float64Array; n: number; d: number } => ({
  X: Float64Array.from(rows.flatMap((r) => r.map((v) => (v === null ? NaN : v)))),
  n: rows.length,
  d: rows[0].length,
});
const paramsOf = (
  covType: CovarianceType,
  k: number,
  d: number,
  s: { weights: number[]; means: number[][]; covariances: Nested },
): MixtureParams => ({
  k,
  d,
  layout: LAYOUT[covType],
  weights: Float64Array.from(s.weights),
  means: Float64Array.from(flat(s.means)),
  covariances: Float64Array.from(flat(s.covariances)),
});

/** |a − b| ≤ rtol·max(|b|, 1e-3·max|b|) elementwise (off-diagonal covariances near 0 measured against the array's scale). */
function worstRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3 * scale, Number.MIN_VALUE);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}
const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, what: string): void => {
  expect(worstRel(a, b), what).toBeLessThanOrEqual(rtol);
};

// ---------------------------------------------------------------------------------------------------- M-step

const EPS10 = 10 * Number.EPSILON;

/** The library's M-step (scikit-learn's centered formulas) from statistics around the old means. */
function mStep(st: MissingStats, layout: LayoutName, regCovar: number): MixtureParams {
  const { k, d } = st;
  const nk1 = Array.from(st.nk, (v) => v + EPS10);
  const total = nk1.reduce((a, b) => a + b, 0);
  const weights = Float64Array.from(nk1, (v) => v / total);
  const delta = new Float64Array(k * d);
  const means = st.centers.slice();
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      delta[c * d + j] = st.sx[c * d + j] / nk1[c];
      means[c * d + j] += delta[c * d + j];
    }
  }
  const f = (c: number): number => 2 - st.nk[c] / nk1[c];
  let cov: Float64Array;
  if (layout === 'tri') {
    cov = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++)
          cov[c * d * d + i * d + j] =
            st.sxx[c * d * d + i * d + j] / nk1[c] - f(c) * delta[c * d + i] * delta[c * d + j];
        cov[c * d * d + i * d + i] += regCovar;
      }
    }
  } else if (layout === 'sharedTri') {
    cov = new Float64Array(d * d);
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++)
          cov[i * d + j] += st.sxx[c * d * d + i * d + j] - f(c) * nk1[c] * delta[c * d + i] * delta[c * d + j];
      }
    }
    for (let t = 0; t < d * d; t++) cov[t] /= total;
    for (let i = 0; i < d; i++) cov[i * d + i] += regCovar;
  } else {
    const v = new Float64Array(k * d);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < d; j++) v[c * d + j] = st.sxx[c * d + j] / nk1[c] - f(c) * delta[c * d + j] ** 2 + regCovar;
    if (layout === 'diag') cov = v;
    else {
      cov = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += v[c * d + j];
        cov[c] = s / d;
      }
    }
  }
  return { k, d, layout, weights, means, covariances: cov };
}

/** scikit-learn's precisions_cholesky_: P = (L⁻¹)ᵀ with Σ = L·Lᵀ (tri/sharedTri), 1/√σ² (diag/scalar). */
function precisionsCholesky(p: MixtureParams): Float64Array {
  const { d } = p;
  const cov = Float64Array.from(p.covariances);
  if (p.layout === 'diag' || p.layout === 'scalar') return cov.map((v) => 1 / Math.sqrt(v));
  const out = new Float64Array(cov.length);
  for (let o = 0; o < cov.length; o += d * d) {
    const L = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = cov[o + i * d + j];
        for (let t = 0; t < j; t++) s -= L[i * d + t] * L[j * d + t];
        L[i * d + j] = i === j ? Math.sqrt(s) : s / L[j * d + j];
      }
    }
    // inv = L⁻¹ (lower), P = invᵀ
    for (let col = 0; col < d; col++) {
      for (let i = 0; i < d; i++) {
        let s = i === col ? 1 : 0;
        for (let t = 0; t < i; t++) s -= L[i * d + t] * out[o + col * d + t];
        out[o + col * d + i] = s / L[i * d + i]; // out[col][i] = inv[i][col]
      }
    }
  }
  return out;
}

const nParameters = (covType: CovarianceType, k: number, d: number): number =>
  ({ full: (k * d * (d + 1)) / 2, tied: (d * (d + 1)) / 2, diag: k * d, spherical: k })[covType] + k * d + k - 1;

/** nIter EM iterations from p: per-iteration lower bounds (before each M-step) and the fitted parameters. */
function runEM(
  X: Float64Array,
  p0: MixtureParams,
  nIter: number,
  regCovar: number,
  sampleWeight: Float64Array | null,
  ws?: MissingWorkspace,
) {
  const w = ws ?? new MissingWorkspace(p0.d, p0.k, p0.layout);
  let p = p0;
  const lowerBounds: number[] = [];
  for (let t = 0; t < nIter; t++) {
    w.setParams(p);
    const st = w.accumulate(X, { sampleWeight });
    lowerBounds.push(st.logLik / st.sumW);
    p = mStep(st, p.layout, regCovar);
  }
  return { params: p, lowerBounds };
}

// ---------------------------------------------------------------------------------------------------- tests

const RTOL = 1e-8;

describe('exact EM with missing values matches the numpy reference', () => {
  it('has the cases it claims', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(40);
    const types = new Set(fixture.cases.map((c) => c.covarianceType));
    expect([...types].sort()).toEqual(['diag', 'full', 'spherical', 'tied']);
    expect(fixture.cases.some((c) => fixture.datasets[c.dataset].rate === 0)).toBe(true);
    expect(fixture.cases.some((c) => c.sampleWeight)).toBe(true);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const { X, n, d } = matrix(fixture.datasets[c.dataset].X);
      const k = c.nComponents;
      const sw = c.sampleWeight ? Float64Array.from(c.sampleWeight) : null;
      const e = c.expected;
      const { params, lowerBounds } = runEM(X, paramsOf(c.covarianceType, k, d, c.start), c.maxIter, c.regCovar, sw);

      expectClose(params.weights, e.weights, RTOL, 'weights');
      expectClose(params.means, flat(e.means), RTOL, 'means');
      expectClose(params.covariances, flat(e.covariances), RTOL, 'covariances');
      expectClose(precisionsCholesky(params), flat(e.precisionsCholesky), RTOL, 'precisionsCholesky');
      expectClose(lowerBounds, e.lowerBounds, RTOL, 'lowerBounds');
      expectClose([lowerBounds[lowerBounds.length - 1]], [e.lowerBound], RTOL, 'lowerBound');

      const lp = logProbMissing(X, params);
      const lse = new Float64Array(n);
      const resp = new Float64Array(n * k);
      normalizeLogProb(lp, n, k, lse, resp);
      const score = lse.reduce((a, b) => a + b, 0) / n;
      expectClose(lse, e.scoreSamples, RTOL, 'scoreSamples');
      expectClose([score], [e.score], RTOL, 'score');
      expectClose(resp, flat(e.predictProba), RTOL, 'predictProba');
      expectClose([-2 * score * n + nParameters(c.covarianceType, k, d) * Math.log(n)], [e.bic], RTOL, 'bic');
      for (let r = 0; r < n; r++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (resp[r * k + j] > resp[r * k + best]) best = j;
        // a near tie may legitimately flip; none is that close in these fixtures
        if (Math.abs(resp[r * k + best] - resp[r * k + e.predict[r]]) > 1e-9)
          expect(best, `predict[${r}]`).toBe(e.predict[r]);
      }
      const imp = imputeRows(X, params);
      expectClose(imp, flat(e.impute), RTOL, 'impute');
      for (let t = 0; t < X.length; t++) if (!Number.isNaN(X[t])) expect(imp[t]).toBe(X[t]);
    });
  }

  it('refuses a row without any observed value', () => {
    for (const r of fixture.refused) {
      const { X, d } = matrix(r.X);
      const p = paramsOf(r.covarianceType, r.nComponents, d, r.start);
      for (const run of [() => accumulateMissing(X, p), () => logProbMissing(X, p), () => imputeRows(X, p)]) {
        let err: unknown;
        try {
          run();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(MissingDataError);
        expect((err as MissingDataError).row).toBe(r.row);
        expect((err as Error).message).toMatch(/no observed value/);
      }
    }
  });
});

describe('properties', () => {
  it('the observed-data log-likelihood never decreases with regCovar 0 (every fixture start, 40 iterations)', () => {
    for (const c of fixture.cases) {
      const { X, d } = matrix(fixture.datasets[c.dataset].X);
      const sw = c.sampleWeight ? Float64Array.from(c.sampleWeight) : null;
      const { lowerBounds: lb } = runEM(X, paramsOf(c.covarianceType, c.nComponents, d, c.start), 40, 0, sw);
      for (let t = 1; t < lb.length; t++)
        expect(lb[t] - lb[t - 1], `${c.name} iteration ${t}`).toBeGreaterThanOrEqual(-1e-13 * Math.abs(lb[t]));
    }
  });

  it('without NaN the statistics are the complete-data ones (precision-Cholesky E-step written here)', () => {
    for (const c of fixture.cases.filter((x) => fixture.datasets[x.dataset].rate === 0)) {
      for (const covType of ['full', 'tied', 'diag', 'spherical'] as const) {
        const { X, n, d } = matrix(fixture.datasets[c.dataset].X);
        const k = c.nComponents;
        // any positive definite start of this type: fit a few iterations from the fixture's full start
        const base = paramsOf(c.covarianceType, k, d, c.start);
        const p = runEM(X, reduce(base, LAYOUT[covType]), 3, 1e-6, null).params;
        const sw = c.sampleWeight ? Float64Array.from(c.sampleWeight) : null;
        const got = accumulateMissing(X, p, { sampleWeight: sw });
        const want = completeStats(X, n, p, sw);
        expectClose([got.logLik, got.sumW], [want.logLik, want.sumW], 1e-12, `${c.name} ${covType} logLik`);
        expectClose(got.nk, want.nk, 1e-12, `${c.name} ${covType} nk`);
        expectClose(got.sx, want.sx, 1e-10, `${c.name} ${covType} sx`); // sums of ± terms: relative to the array's scale
        expectClose(got.sxx, want.sxx, 1e-12, `${c.name} ${covType} sxx`);
        expect(Array.from(got.centers)).toEqual(Array.from(p.means));
      }
    }
  });
});

/** A start in another layout from a tri/diag/... one (diagonals, means of them, a pooled matrix). */
function reduce(p: MixtureParams, to: LayoutName): MixtureParams {
  const { k, d } = p;
  const full = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const cv = p.covariances;
        full[c * d * d + i * d + j] =
          p.layout === 'tri'
            ? cv[c * d * d + i * d + j]
            : p.layout === 'sharedTri'
              ? cv[i * d + j]
              : i !== j
                ? 0
                : p.layout === 'diag'
                  ? cv[c * d + i]
                  : cv[c];
      }
    }
  }
  let cov: Float64Array;
  if (to === 'tri') cov = full;
  else if (to === 'sharedTri') {
    cov = new Float64Array(d * d);
    for (let c = 0; c < k; c++) for (let t = 0; t < d * d; t++) cov[t] += full[c * d * d + t] * p.weights[c];
  } else if (to === 'diag')
    cov = Float64Array.from({ length: k * d }, (_, t) => full[Math.floor(t / d) * d * d + (t % d) * (d + 1)]);
  else
    cov = Float64Array.from({ length: k }, (_, c) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += full[c * d * d + j * (d + 1)];
      return s / d;
    });
  return { ...p, layout: to, covariances: cov };
}

/** Complete-data statistics as the library's kernels compute them: y = (x − μ)·P with P the precision Cholesky factor. */
function completeStats(X: Float64Array, n: number, p: MixtureParams, sw: Float64Array | null): MissingStats {
  const { k, d, layout } = p;
  const P = precisionsCholesky(p);
  const full = layout === 'tri' || layout === 'sharedTri';
  const st: MissingStats = {
    k,
    d,
    sxxKind: full ? 'full' : 'diag',
    logLik: 0,
    sumW: 0,
    nk: new Float64Array(k),
    sx: new Float64Array(k * d),
    sxx: new Float64Array(full ? k * d * d : k * d),
    centers: Float64Array.from(p.means),
  };
  const lp = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      let q = 0;
      let logDet = 0;
      for (let j = 0; j < d; j++) {
        let y = 0;
        if (full) {
          const o = layout === 'tri' ? c * d * d : 0;
          for (let i = 0; i <= j; i++) y += (X[r * d + i] - p.means[c * d + i]) * P[o + i * d + j];
          logDet += Math.log(P[o + j * d + j]);
        } else {
          const pj = layout === 'diag' ? P[c * d + j] : P[c];
          y = (X[r * d + j] - p.means[c * d + j]) * pj;
          logDet += Math.log(pj);
        }
        q += y * y;
      }
      lp[c] = Math.log(p.weights[c]) + logDet - 0.5 * (d * Math.log(2 * Math.PI) + q);
    }
    const m = Math.max(...lp);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(lp[c] - m);
    const w = sw ? sw[r] : 1;
    st.logLik += w * (m + Math.log(s));
    st.sumW += w;
    for (let c = 0; c < k; c++) {
      const wr = (w * Math.exp(lp[c] - m)) / s;
      st.nk[c] += wr;
      for (let i = 0; i < d; i++) {
        const di = X[r * d + i] - p.means[c * d + i];
        st.sx[c * d + i] += wr * di;
        if (full)
          for (let j = 0; j < d; j++) st.sxx[c * d * d + i * d + j] += wr * di * (X[r * d + j] - p.means[c * d + j]);
        else st.sxx[c * d + i] += wr * di * di;
      }
    }
  }
  return st;
}

describe('determinism of the grouped accumulation', () => {
  const c = fixture.cases.find((x) => x.name === 'banknote-30-full')!;
  const { X, n, d } = matrix(fixture.datasets[c.dataset].X);
  const p = paramsOf('full', c.nComponents, d, c.start);
  const same = (a: MissingStats, b: MissingStats): void => {
    expect([a.logLik, a.sumW]).toEqual([b.logLik, b.sumW]);
    expect(Array.from(a.nk)).toEqual(Array.from(b.nk));
    expect(Array.from(a.sx)).toEqual(Array.from(b.sx));
    expect(Array.from(a.sxx)).toEqual(Array.from(b.sxx));
  };

  it('accumulating consecutive chunks split at block boundaries into one total is bit-identical to one pass', () => {
    const ws = new MissingWorkspace(d, c.nComponents, 'tri', { block: 32 });
    ws.setParams(p);
    const one = ws.accumulate(X);
    const into = ws.accumulate(X, { start: 0, end: 64 });
    ws.accumulate(X, { start: 64, end: 96, into });
    ws.accumulate(X, { start: 96, end: n, into });
    same(into, one);
    // the same with the chunks as separate arrays (rowBase keeps the blocks aligned to absolute row indices)
    const chunked = ws.accumulate(X.slice(0, 96 * d));
    ws.accumulate(X.slice(96 * d), { rowBase: 96, into: chunked });
    same(chunked, one);
  });

  it('per-block partials (as workers could ship them) added in block order are bit-identical to one pass', () => {
    const block = 16;
    const ws = new MissingWorkspace(d, c.nComponents, 'tri', { block });
    ws.setParams(p);
    const one = ws.accumulate(X);
    // blocks handed out to two "workers" in an interleaved way, each block into its own fresh statistics
    const parts = new Map<number, MissingStats>();
    for (const worker of [1, 0]) {
      for (let b = worker; b * block < n; b += 2)
        parts.set(b, ws.accumulate(X, { start: b * block, end: Math.min(n, (b + 1) * block) }));
    }
    const total = accumulateMissing(X.subarray(0, 0), p); // zero statistics around the same centers
    for (let b = 0; b < parts.size; b++) {
      const s = parts.get(b)!;
      total.logLik += s.logLik;
      total.sumW += s.sumW;
      s.nk.forEach((v, t) => (total.nk[t] += v));
      s.sx.forEach((v, t) => (total.sx[t] += v));
      s.sxx.forEach((v, t) => (total.sxx[t] += v));
    }
    same(total, one);
  });

  it('rows of different patterns may be interleaved in any order within a block', () => {
    const ws = new MissingWorkspace(d, c.nComponents, 'tri', { block: n });
    ws.setParams(p);
    const a = ws.accumulate(X);
    // a permutation that keeps the relative order of the rows of each pattern: sort by pattern key, stably
    const key = (r: number): string =>
      Array.from({ length: d }, (_, j) => (Number.isNaN(X[r * d + j]) ? '1' : '0')).join('');
    const order = Array.from({ length: n }, (_, r) => r).sort((u, v) =>
      key(u) < key(v) ? 1 : key(u) > key(v) ? -1 : u - v,
    );
    const Y = new Float64Array(X.length);
    order.forEach((r, t) => Y.set(X.subarray(r * d, r * d + d), t * d));
    same(ws.accumulate(Y), a);
  });

  it('the factorisation cache never changes a result (a cache of one pattern: flushed all the time)', () => {
    for (const covType of ['full', 'tied', 'diag', 'spherical'] as const) {
      const q = reduce(p, LAYOUT[covType]);
      same(accumulateMissing(X, q, { cacheBytes: 1 }), accumulateMissing(X, q));
      expect(Array.from(imputeRows(X, q, { cacheBytes: 1, block: 7 }))).toEqual(Array.from(imputeRows(X, q)));
      expect(Array.from(logProbMissing(X, q, { cacheBytes: 1, block: 7 }))).toEqual(Array.from(logProbMissing(X, q)));
    }
  });

  it('other block sizes differ by rounding only', () => {
    const a = accumulateMissing(X, p);
    for (const block of [1, 5, 64]) {
      const b = accumulateMissing(X, p, { block });
      expectClose(b.nk, a.nk, 1e-13, `nk, block ${block}`);
      expectClose(b.sxx, a.sxx, 1e-13, `sxx, block ${block}`);
      expectClose([b.logLik], [a.logLik], 1e-13, `logLik, block ${block}`);
    }
  });
});

describe('pattern grouping', () => {
  const N = NaN;
  it('orders patterns by bit set (complete first) and rows of a pattern by index; lists observed then missing coordinates', () => {
    const X = Float64Array.from([N, 1, 2, /**/ 1, 2, 3, /**/ 4, N, N, /**/ N, 5, 6, /**/ 7, 8, 9, /**/ 1, N, 3]);
    const g = new PatternGrouping(3, 8).group(X, 0, 6);
    expect(g.count).toBe(4);
    expect(Array.from(g.rows.subarray(0, 6))).toEqual([1, 4, 0, 3, 5, 2]);
    expect(Array.from(g.offsets.subarray(0, 5))).toEqual([0, 2, 4, 5, 6]);
    expect([0, 1, 2, 3].map((q) => [Array.from(g.observed(q)), Array.from(g.missing(q))])).toEqual([
      [[0, 1, 2], []],
      [[1, 2], [0]],
      [[0, 2], [1]],
      [[0], [1, 2]],
    ]);
    const h = new PatternGrouping(3, 8).group(X, 2, 5, 100);
    expect(Array.from(h.rows.subarray(0, 3))).toEqual([4, 3, 2]);
  });

  it('handles more than 32 coordinates (multi-word bit sets)', () => {
    const d = 40;
    const X = new Float64Array(4 * d).fill(1);
    X[0 * d + 35] = NaN;
    X[1 * d + 3] = NaN;
    X[3 * d + 35] = NaN;
    const g = new PatternGrouping(d, 4).group(X, 0, 4);
    expect(g.count).toBe(3);
    expect(Array.from(g.rows)).toEqual([2, 1, 0, 3]);
    expect(Array.from(g.missing(2))).toEqual([35]);
  });

  it('refuses infinite entries and rows without an observed value, naming them', () => {
    const g = new PatternGrouping(2, 4);
    expect(() => g.group(Float64Array.from([1, 2, 3, Infinity]), 0, 2, 10)).toThrow(/row 11, column 1 is Infinity/);
    expect(() => g.group(Float64Array.from([1, 2, NaN, NaN]), 0, 2)).toThrow(/row 1 has no observed value/);
  });
});

describe('conditionals', () => {
  // a fixed 4×4 SPD matrix
  const S = Float64Array.from([4, 1.2, -0.6, 0.3, 1.2, 3, 0.5, -0.2, -0.6, 0.5, 2, 0.4, 0.3, -0.2, 0.4, 1.5]);
  it('B Σ_OO = Σ_MO, C = Σ_MM − B Σ_OM, log det and the log density agree with direct formulas', () => {
    const f = new ConditionalFactors(4);
    const O = [0, 2, 3];
    const M = [1];
    expect(factorFull(f, S, 0, O, M)).toBe(true);
    const at = (i: number, j: number): number => S[i * 4 + j];
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let t = 0; t < 3; t++) s += f.regression[t] * at(O[t], O[i]);
      expect(s).toBeCloseTo(at(1, O[i]), 14);
    }
    let bs = 0;
    for (let t = 0; t < 3; t++) bs += f.regression[t] * at(O[t], 1);
    expect(f.condCov[0]).toBeCloseTo(at(1, 1) - bs, 14);
    // det of Σ_OO by cofactors
    const a = [
      [4, -0.6, 0.3],
      [-0.6, 2, 0.4],
      [0.3, 0.4, 1.5],
    ];
    const det =
      a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
      a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
      a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    expect(f.logDet).toBeCloseTo(Math.log(det), 13);
    const x = Float64Array.from([1, NaN, -1, 2]);
    const mu = Float64Array.from([0.5, 0.2, 0.1, 1]);
    const dev = new Float64Array(4);
    const done = new Float64Array(4);
    const ld = conditionalRow(f, x, 0, mu, 0, dev, 0, done);
    expect(dev[1]).toBeCloseTo(f.regression[0] * 0.5 + f.regression[1] * -1.1 + f.regression[2] * 1, 14);
    expect(done[1]).toBeCloseTo(0.2 + dev[1], 14);
    expect([done[0], done[2], done[3]]).toEqual([1, -1, 2]);
    // −½(3 log 2π + log det + eᵀ Σ_OO⁻¹ e) with Σ_OO⁻¹ e from a diagonal-free check: B-independent solve via the factors
    const e = [0.5, -1.1, 1];
    const L = f.chol;
    const z = [e[0] / L[0], 0, 0];
    z[1] = (e[1] - L[3] * z[0]) / L[4];
    z[2] = (e[2] - L[6] * z[0] - L[7] * z[1]) / L[8];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let t = 0; t <= j; t++) s += L[i * 3 + t] * L[j * 3 + t];
        expect(s).toBeCloseTo(a[i][j], 14);
      }
    expect(ld).toBeCloseTo(-0.5 * (3 * Math.log(2 * Math.PI) + Math.log(det) + z[0] ** 2 + z[1] ** 2 + z[2] ** 2), 13);
  });

  it('a diagonal covariance gives B = 0, C = diag(σ²_M), dev_M = 0, and equals the dense path', () => {
    const v = Float64Array.from([2, 0.5, 3]);
    const dense = Float64Array.from([2, 0, 0, 0, 0.5, 0, 0, 0, 3]);
    const f = new ConditionalFactors(3);
    const g = new ConditionalFactors(3);
    expect(factorDiagonal(f, v, 0, 1, [0, 2], [1])).toBe(true);
    expect(factorFull(g, dense, 0, [0, 2], [1])).toBe(true);
    expect(f.condCov[0]).toBe(0.5);
    const x = Float64Array.from([1, NaN, 4]);
    const mu = Float64Array.from([0, 1, 2]);
    const d1 = new Float64Array(3);
    const d2 = new Float64Array(3);
    expect(conditionalRow(f, x, 0, mu, 0, d1, 0)).toBeCloseTo(conditionalRow(g, x, 0, mu, 0, d2, 0), 14);
    expect(Array.from(d1)).toEqual([1, 0, 2]);
    expect(Array.from(d2)).toEqual([1, 0, 2]);
    // spherical: stride 0
    expect(factorDiagonal(f, Float64Array.from([9, 1.5]), 1, 0, [1], [0, 2])).toBe(true);
    expect(Array.from(f.condCov.subarray(0, 4))).toEqual([1.5, 0, 0, 1.5]);
    expect(f.logDet).toBeCloseTo(Math.log(1.5), 15);
  });

  it('reports a Σ_OO that is not positive definite', () => {
    const f = new ConditionalFactors(2);
    expect(factorFull(f, Float64Array.from([1, 1, 1, 1]), 0, [0, 1], [])).toBe(false);
    expect(factorFull(f, Float64Array.from([1, 1, 1, 1]), 0, [0], [1])).toBe(true);
    expect(f.condCov[0]).toBe(0);
  });
});
