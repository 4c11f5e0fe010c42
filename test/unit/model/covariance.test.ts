/**
 * Every registered covariance model, against direct computations: the M-step's covariance from statistics equals
 * the weighted scatter computed row by row (scikit-learn's formulas: Σ = Σ r(x − μ)(x − μ)ᵀ / (Σr + 10ε) + regCovar,
 * the tied one pooled over the total mass, diag its diagonal, spherical the mean of the diagonal); the storage
 * layouts' factorisations invert each other; parameter counts are scikit-learn's `_n_parameters`; the noise floors
 * flag a covariance that is singular in exact arithmetic. (mclust's models: mclust-models.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { registerMclustModels } from '../../../src/model/covariance/mclust-models.js';
import {
  covarianceModel,
  type CovarianceType,
  LAYOUTS,
  MCLUST_TYPES,
  SKLEARN_TYPES,
} from '../../../src/model/covariance/registry.js';
import {
  joinMStepParts,
  mStepChecked,
  mStepPartCount,
  type MStepOptions,
  type MStepResult,
} from '../../../src/model/mstep.js';
import { emptyStats, type SufficientStats } from '../../../src/model/stats.js';
import type { Params } from '../../../src/model/params.js';
import { Random } from '../../../src/util/random.js';
import { expectClose } from '../../helpers/compare.js';

const EPS10 = 10 * Number.EPSILON;

/** Random rows and soft responsibilities. */
function problem(seed: number, n: number, d: number, k: number) {
  const rng = new Random(seed);
  const X = Array.from({ length: n }, () => Float64Array.from({ length: d }, () => 3 * rng.normal() + 1));
  const R = Array.from({ length: n }, () => {
    const r = Float64Array.from({ length: k }, () => rng.random() + 0.05);
    const s = r.reduce((a, b) => a + b, 0);
    return r.map((v) => v / s);
  });
  const centers = Float64Array.from({ length: k * d }, () => rng.normal());
  return { X, R, centers };
}

/** Statistics around `centers`, summed row by row. */
function statsOf(
  X: Float64Array[],
  R: Float64Array[],
  centers: Float64Array,
  k: number,
  kind: 'full' | 'diag',
): SufficientStats {
  const d = X[0].length;
  const st = emptyStats(k, d, kind, centers);
  X.forEach((x, i) => {
    st.sumW += 1;
    for (let c = 0; c < k; c++) {
      const r = R[i][c];
      st.nk[c] += r;
      for (let a = 0; a < d; a++) {
        const da = x[a] - centers[c * d + a];
        st.sx[c * d + a] += r * da;
        if (kind === 'full')
          for (let b = 0; b < d; b++) st.sxx[c * d * d + a * d + b] += r * da * (x[b] - centers[c * d + b]);
        else st.sxx[c * d + a] += r * da * da;
      }
    }
  });
  return st;
}

/** The weighted covariance of each component around its weighted mean, directly. */
function direct(X: Float64Array[], R: Float64Array[], k: number) {
  const d = X[0].length;
  const nk = new Float64Array(k);
  const means = new Float64Array(k * d);
  X.forEach((x, i) => {
    for (let c = 0; c < k; c++) {
      nk[c] += R[i][c];
      for (let a = 0; a < d; a++) means[c * d + a] += R[i][c] * x[a];
    }
  });
  for (let c = 0; c < k; c++) for (let a = 0; a < d; a++) means[c * d + a] /= nk[c] + EPS10;
  const scatter = new Float64Array(k * d * d);
  X.forEach((x, i) => {
    for (let c = 0; c < k; c++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) {
          scatter[c * d * d + a * d + b] += R[i][c] * (x[a] - means[c * d + a]) * (x[b] - means[c * d + b]);
        }
  });
  return { nk, means, scatter };
}

function expected(type: string, X: Float64Array[], R: Float64Array[], k: number, reg: number): Float64Array {
  const d = X[0].length;
  const { nk, scatter } = direct(X, R, k);
  const total = nk.reduce((a, b) => a + b + EPS10, 0);
  const out: number[] = [];
  if (type === 'full') {
    for (let c = 0; c < k; c++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) out.push(scatter[c * d * d + a * d + b] / (nk[c] + EPS10) + (a === b ? reg : 0));
  } else if (type === 'tied') {
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += scatter[c * d * d + a * d + b];
        out.push(s / total + (a === b ? reg : 0));
      }
  } else if (type === 'diag') {
    for (let c = 0; c < k; c++)
      for (let a = 0; a < d; a++) out.push(scatter[c * d * d + a * d + a] / (nk[c] + EPS10) + reg);
  } else {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += scatter[c * d * d + a * d + a] / (nk[c] + EPS10) + reg;
      out.push(s / d);
    }
  }
  return Float64Array.from(out);
}

function start(type: CovarianceType, k: number, d: number): Params {
  const model = covarianceModel(type);
  const v = new Float64Array(d).fill(1);
  const covariances = model.fromVariances(v, k);
  const precChol = new Float64Array(covariances.length);
  model.layout.factor(covariances, k, d, precChol);
  return {
    k,
    d,
    covType: type,
    weights: new Float64Array(k).fill(1 / k),
    means: new Float64Array(k * d),
    covariances,
    precChol,
  };
}

describe.each(SKLEARN_TYPES)('covariance model %s', (type) => {
  const model = covarianceModel(type);
  for (const [d, k] of [
    [1, 1],
    [2, 3],
    [5, 2],
  ]) {
    it(`M-step = the direct weighted scatter (d = ${d}, k = ${k}, regCovar 0 and 1e-3)`, () => {
      const { X, R, centers } = problem(d * 10 + k, 60, d, k);
      for (const reg of [0, 1e-3]) {
        const st = statsOf(X, R, centers, k, model.statsKind);
        const m = mStepChecked(st, start(type, k, d), { covType: type, regCovar: reg, freeze: [], iteration: 1 });
        expect(m.degenerate).toEqual([]);
        expectClose(m.params.covariances, expected(type, X, R, k, reg), 1e-12, `${type} covariances`);
        expectClose(m.params.means, direct(X, R, k).means, 1e-12, 'means');
        const back = new Float64Array(m.params.covariances.length);
        model.layout.unfactor(m.params.precChol, k, d, back);
        expectClose(back, m.params.covariances, 1e-12, 'covariances from the precision factor');
      }
    });
  }

  it("public shape and parameter count are scikit-learn's", () => {
    const [k, d] = [3, 4];
    const want = {
      full: [[k, d, d], (k * d * (d + 1)) / 2],
      tied: [[d, d], (d * (d + 1)) / 2],
      diag: [[k, d], k * d],
      spherical: [[k], k],
    }[type];
    expect(model.shape(k, d)).toEqual(want[0]);
    expect(model.nParams(k, d)).toBe(want[1]);
  });

  it('the log-determinant of the precision factor is half the log-determinant of the precision', () => {
    const { X, R, centers } = problem(3, 40, 3, 2);
    const p = mStepChecked(statsOf(X, R, centers, 2, model.statsKind), start(type, 2, 3), {
      covType: type,
      regCovar: 0,
      freeze: [],
      iteration: 1,
    }).params;
    const ld = new Float64Array(2);
    model.layout.logDet(p.precChol, 2, 3, ld);
    for (let c = 0; c < 2; c++) {
      const m = model.layout.matrix(p.covariances, c, 3);
      // det by cofactors (3×3)
      const det =
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
      expect(ld[c]).toBeCloseTo(-0.5 * Math.log(det), 12);
    }
  });

  it('a component on a single point is degenerate with regCovar 0, and healthy with regCovar > 0', () => {
    const d = 2;
    const X = [
      Float64Array.of(1, 2),
      Float64Array.of(1, 2),
      Float64Array.of(5, -1),
      Float64Array.of(4, 0),
      Float64Array.of(6, 1),
    ];
    const R = X.map((_, i) => (i < 2 ? Float64Array.of(1, 0) : Float64Array.of(0, 1)));
    const st = statsOf(X, R, Float64Array.of(0.5, 0.5, 5, 0), 2, model.statsKind);
    const bad = mStepChecked(st, start(type, 2, d), { covType: type, regCovar: 0, freeze: [], iteration: 4 });
    if (model.layout.shared)
      expect(bad.degenerate).toEqual([]); // pooled with the other component: still positive definite
    else expect(bad.degenerate.map((b) => [b.component, b.reason])).toEqual([[0, 'not-pd']]);
    expect(
      mStepChecked(st, start(type, 2, d), { covType: type, regCovar: 1e-6, freeze: [], iteration: 4 }).degenerate,
    ).toEqual([]);
  });
});

describe("an M-step in parts (fitAsync's workers share the factorisations out)", () => {
  /** The whole step and its `count` parts joined, for the same statistics and options. */
  function wholeAndJoined(st: SufficientStats, prev: Params, o: MStepOptions, count: number): MStepResult[] {
    const parts = Array.from({ length: count }, (_, index) => mStepChecked(st, prev, { ...o, part: { index, count } }));
    return [mStepChecked(st, prev, o), joinMStepParts(parts, o.covType)];
  }

  it.each(SKLEARN_TYPES)(
    '%s: the joined parts are the whole step, bit for bit, degenerate components included',
    (type) => {
      const model = covarianceModel(type);
      const k = 5;
      const d = 3;
      const { X, R, centers } = problem(11, 60, d, k);
      // component 1 sits on one point (not positive definite at regCovar 0) and component 3 gets no responsibility
      const single = X.map((x, i) => (i < 4 ? Float64Array.of(1, 2, 3) : x));
      const R2 = R.map((r, i) => {
        const out = r.slice();
        out[1] = i < 4 ? 1 : 0;
        out[3] = 0;
        const rest = out.reduce((a, b, c) => a + (c === 1 ? 0 : b), 0);
        if (i < 4) for (let c = 0; c < k; c++) out[c] = c === 1 ? 1 : 0;
        else for (let c = 0; c < k; c++) if (c !== 1) out[c] /= rest;
        return out;
      });
      const cases: [SufficientStats, MStepOptions][] = [
        [statsOf(X, R, centers, k, model.statsKind), { covType: type, regCovar: 1e-6, freeze: [], iteration: 2 }],
        [
          statsOf(single, R2, centers, k, model.statsKind),
          { covType: type, regCovar: 0, freeze: [], iteration: 3, detectVanished: true },
        ],
      ];
      for (const [st, o] of cases) {
        for (const count of [2, 3, 5]) {
          const [whole, joined] = wholeAndJoined(st, start(type, k, d), o, count);
          expect(joined.params.covariances, `${count} parts`).toEqual(whole.params.covariances);
          expect(joined.params.precChol, `${count} parts`).toEqual(whole.params.precChol);
          expect(joined.params.means).toEqual(whole.params.means);
          expect(joined.params.weights).toEqual(whole.params.weights);
          expect(joined.degenerate).toEqual(whole.degenerate);
          expect(joined.logPrior).toBe(whole.logPrior);
        }
      }
      const degenerate = wholeAndJoined(cases[1][0], start(type, k, d), cases[1][1], 2)[0].degenerate;
      expect(degenerate.map((b) => [b.component, b.reason])).toEqual(
        model.layout.shared
          ? [[3, 'vanished']]
          : [
              [1, 'not-pd'],
              [3, 'vanished'],
            ],
      );
    },
  );

  it("mclust's models: the joined parts are the whole step, bit for bit (iterative estimates included)", () => {
    registerMclustModels();
    const k = 4;
    const d = 3;
    const { X, R, centers } = problem(13, 80, d, k);
    for (const type of MCLUST_TYPES) {
      const st = statsOf(X, R, centers, k, covarianceModel(type).statsKind);
      const o: MStepOptions = { covType: type, regCovar: 1e-6, freeze: [], iteration: 2 };
      for (const count of [2, 3]) {
        const [whole, joined] = wholeAndJoined(st, start(type, k, d), o, count);
        expect(joined.params.covariances, `${type}, ${count} parts`).toEqual(whole.params.covariances);
        expect(joined.params.precChol, `${type}, ${count} parts`).toEqual(whole.params.precChol);
        expect(joined.degenerate, type).toEqual(whole.degenerate);
      }
    }
  });

  it('is split only where the factorisations are costly: a covariance per component and K·D³ ≥ 2¹⁸', () => {
    const st = (k: number, d: number): SufficientStats => emptyStats(k, d, 'full', new Float64Array(k * d));
    const o = (covType: (typeof SKLEARN_TYPES)[number]): MStepOptions => ({
      covType,
      regCovar: 0,
      freeze: [],
      iteration: 1,
    });
    expect(mStepPartCount(st(8, 32), start('full', 8, 32), o('full'), 2)).toBe(2);
    expect(mStepPartCount(st(16, 64), start('full', 16, 64), o('full'), 3)).toBe(3);
    expect(mStepPartCount(st(2, 64), start('full', 2, 64), o('full'), 3)).toBe(2); // never more parts than blocks
    expect(mStepPartCount(st(8, 16), start('full', 8, 16), o('full'), 2)).toBe(1); // K·D³ = 32768: one worker
    expect(mStepPartCount(st(8, 32), start('tied', 8, 32), o('tied'), 2)).toBe(1); // one shared covariance
    expect(mStepPartCount(st(8, 32), start('full', 8, 32), { ...o('full'), freeze: ['covariances'] }, 2)).toBe(1);
  });
});

describe('storage layouts', () => {
  it('fromPrecision then unfactor inverts the precision', () => {
    const precision = Float64Array.of(4, 1, 0, 1, 3, 0.5, 0, 0.5, 2);
    for (const layout of [LAYOUTS.tri, LAYOUTS.sharedTri]) {
      const prec = new Float64Array(9);
      expect(layout.fromPrecision(precision, 1, 3, prec)).toBe(-1);
      const cov = new Float64Array(9);
      layout.unfactor(prec, 1, 3, cov);
      // Σ·Λ = I
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          let s = 0;
          for (let t = 0; t < 3; t++) s += cov[i * 3 + t] * precision[t * 3 + j];
          expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
        }
    }
    expect(LAYOUTS.tri.fromPrecision(Float64Array.of(1, 2, 2, 1), 1, 2, new Float64Array(4))).toBe(0); // not PD
  });

  it('asymmetry is reported with the entries that differ', () => {
    expect(LAYOUTS.tri.asymmetry(Float64Array.of(1, 0.5, 0.4, 1), 1, 2)).toMatch(
      /\[0\] must be symmetric; entry \[1\]\[0\] = 0.4 but \[0\]\[1\] = 0.5/,
    );
    expect(LAYOUTS.sharedTri.asymmetry(Float64Array.of(1, 0.5, 0.5, 1), 1, 2)).toBeNull();
    expect(LAYOUTS.diag.asymmetry(Float64Array.of(1, 2), 1, 2)).toBeNull();
  });
});
