/**
 * The M-step: new weights, means and covariances from sufficient statistics, honouring regCovar and frozen
 * parameter groups. Statistics are centered on the E-step's means c, so the new mean is c + δ with δ = sx/nk and
 * the centered scatter is S − (2 − a/nk)·nk·δδᵀ (a = Σr, nk = a + 10ε as scikit-learn guards empty components).
 *
 * `mStepChecked` reports degenerate components (see degenerate.ts) instead of throwing, so the EM loop can apply the
 * onDegenerate policy; `mStep` throws a DegenerateError on a covariance that is not positive definite.
 */
import { degenerateError, diagnoseNotPD, type Degeneracy } from './degeneracy.js';
import type { CovarianceType, Frozen } from '../api/options.js';
import { covSize, precCholFromCov, type Params } from './params.js';
import type { SufficientStats } from './stats.js';

const EPS10 = 10 * Number.EPSILON;

/**
 * A covariance computed as S/nk − δδᵀ (+ regCovar) carries rounding noise of about ε·(S/nk + δ²) per diagonal
 * entry, and its Cholesky factorisation adds about D·ε·Σᵢᵢ per pivot. A component sitting on ≤ D points (or on a
 * point) has an exactly singular covariance when regCovar = 0; in floating point its last pivot is then noise that
 * may come out barely positive, and the "precision" built from it (≈ 1/√noise) turns the next E-step's log
 * densities into garbage — the lower bound then drops although EM is monotone. So a pivot (a variance for
 * diag/spherical) must exceed PIVOT_NOISE × that noise level to count as positive: this flags such covariances in
 * the iteration whose M-step produced them, instead of one iteration later when rounding happens to go negative.
 * The test is relative to each feature's own scale (scale-invariant); a healthy covariance, and any covariance
 * with a regCovar well above ε × its variances, passes by many orders of magnitude.
 */
const PIVOT_NOISE = 64;

export interface MStepOptions {
  covType: CovarianceType;
  regCovar: number;
  freeze: readonly Frozen[];
  /** 1-based EM iteration, for error messages (0 = initialisation). */
  iteration: number;
  /** Report components whose responsibility mass vanished (Σr < ε·Σw) as degenerate (EM iterations; not init). */
  detectVanished?: boolean;
  /** For messages: restart index and count. */
  init?: number;
  nInit?: number;
}

export interface MStepResult {
  /** New parameters; degenerate components keep their previous mean and covariance (their precision factor too). */
  params: Params;
  degenerate: Degeneracy[];
}

/** True when a component received (numerically) no responsibility: its statistics define nothing. */
const isEmpty = (st: SufficientStats, c: number): boolean => !(st.nk[c] > 0) || st.nk[c] < Number.EPSILON * st.sumW;

const num = (v: number): string => (v === 0 ? '0' : v.toExponential(2));

export function mStepChecked(st: SufficientStats, prev: Params, o: MStepOptions): MStepResult {
  const { k, d } = st;
  const { covType, regCovar } = o;
  const freezeW = o.freeze.includes('weights');
  const freezeM = o.freeze.includes('means');
  const freezeC = o.freeze.includes('covariances');
  const degenerate: Degeneracy[] = [];

  const nk = new Float64Array(k);
  let total = 0;
  for (let c = 0; c < k; c++) {
    nk[c] = st.nk[c] + EPS10;
    total += nk[c];
  }
  const weights = freezeW ? prev.weights.slice() : nk.map((v) => v / total);
  const empty = Array.from({ length: k }, (_, c) => isEmpty(st, c));
  if (o.detectVanished && !freezeM) {
    for (let c = 0; c < k; c++) {
      if (empty[c]) {
        degenerate.push({
          component: c,
          reason: 'vanished',
          detail: `its responsibility mass fell to ${num(st.nk[c])} of the total weight ${num(st.sumW)} (below machine epsilon), so it ` +
            'explains none of the data — more components than clusters or distinct points, or a component that drifted away from the data',
        });
      }
    }
  }

  // δ = shift of each mean; zero when means are frozen (statistics are then centered on the fixed means).
  const delta = new Float64Array(k * d);
  const means = st.centers.slice();
  if (!freezeM) {
    for (let c = 0; c < k; c++) {
      if (empty[c]) continue; // no responsibility: the component stays where the E-step had it
      for (let j = 0; j < d; j++) {
        delta[c * d + j] = st.sx[c * d + j] / nk[c];
        means[c * d + j] += delta[c * d + j];
      }
    }
  }
  if (freezeC) {
    return { params: { k, d, covType, weights, means, covariances: prev.covariances.slice(), precChol: prev.precChol.slice() }, degenerate };
  }

  const cov = new Float64Array(covSize(covType, k, d));
  const f = (c: number): number => 2 - st.nk[c] / nk[c];
  if (covType === 'full') {
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      if (empty[c]) {
        cov.set(prev.covariances.subarray(o, o + d * d), o);
        continue;
      }
      const fc = f(c);
      // upper triangle, mirrored: (fc·δi)·δj and (fc·δj)·δi round differently, and an asymmetric result would fail
      // the symmetry check of fromJSON when the scatter nearly cancels
      for (let i = 0; i < d; i++) {
        const di = delta[c * d + i];
        for (let j = i; j < d; j++) cov[o + i * d + j] = cov[o + j * d + i] = st.sxx[o + i * d + j] / nk[c] - fc * di * delta[c * d + j];
        cov[o + i * d + i] += regCovar;
      }
    }
  } else if (covType === 'tied') {
    for (let c = 0; c < k; c++) {
      if (empty[c]) continue;
      const o = c * d * d;
      const fc = f(c) * nk[c];
      for (let i = 0; i < d; i++) {
        const di = delta[c * d + i];
        for (let j = i; j < d; j++) cov[i * d + j] += st.sxx[o + i * d + j] - fc * di * delta[c * d + j];
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i * d + j] = cov[j * d + i];
    for (let t = 0; t < d * d; t++) cov[t] /= total;
    for (let i = 0; i < d; i++) cov[i * d + i] += regCovar;
  } else {
    for (let c = 0; c < k; c++) {
      if (empty[c]) {
        if (covType === 'diag') cov.set(prev.covariances.subarray(c * d, c * d + d), c * d);
        else cov[c] = prev.covariances[c];
        continue;
      }
      const fc = f(c);
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const dj = delta[c * d + j];
        const v = st.sxx[c * d + j] / nk[c] - fc * dj * dj + regCovar;
        if (covType === 'diag') cov[c * d + j] = v;
        else sum += v;
      }
      if (covType === 'spherical') cov[c] = sum / d;
    }
  }

  // Noise floors of the pivots (see PIVOT_NOISE), laid out like the diagonal.
  const per = covSize(covType, 1, d);
  const floor = new Float64Array(covType === 'tied' ? d : covType === 'spherical' ? k : k * d);
  const tol = PIVOT_NOISE * Number.EPSILON;
  // ref(c, j): the magnitude of the terms whose difference is the (unregularised) variance of feature j
  const ref = (c: number, j: number): number => {
    const dj = delta[c * d + j];
    const s = covType === 'full' || covType === 'tied' ? st.sxx[c * d * d + j * d + j] : st.sxx[c * d + j];
    return (Math.abs(s) + Math.abs(f(c)) * nk[c] * dj * dj) / nk[c];
  };
  if (covType === 'tied') {
    for (let j = 0; j < d; j++) {
      let r = 0;
      for (let c = 0; c < k; c++) if (!empty[c]) r += ref(c, j) * nk[c];
      floor[j] = tol * (d * Math.abs(cov[j * d + j]) + r / total);
    }
  } else {
    for (let c = 0; c < k; c++) {
      if (empty[c]) continue; // keeps its previous covariance
      if (covType === 'full') for (let j = 0; j < d; j++) floor[c * d + j] = tol * (d * Math.abs(cov[c * per + j * d + j]) + ref(c, j));
      else if (covType === 'diag') for (let j = 0; j < d; j++) floor[c * d + j] = tol * (Math.abs(cov[c * d + j]) + ref(c, j));
      else {
        let r = 0;
        for (let j = 0; j < d; j++) r += ref(c, j);
        floor[c] = tol * (Math.abs(cov[c]) + r / d);
      }
    }
  }
  const fper = covType === 'spherical' ? 1 : d;

  // Factor component by component, so every bad one is reported and the good ones are usable for a reset.
  const precChol = new Float64Array(cov.length);
  const blocks = covType === 'tied' ? 1 : k;
  const vanished = new Set(degenerate.map((b) => b.component));
  for (let c = 0; c < blocks; c++) {
    if (covType !== 'tied' && vanished.has(c)) {
      precChol.set(prev.precChol.subarray(c * per, (c + 1) * per), c * per);
      continue;
    }
    const fl = floor.subarray(c * fper, (c + 1) * fper);
    const bad = precCholFromCov(cov.subarray(c * per, (c + 1) * per), covType, 1, d, precChol.subarray(c * per, (c + 1) * per), fl);
    if (bad >= 0) {
      const comp = covType === 'tied' ? -1 : c;
      const mass = covType === 'tied' ? st.sumW : st.nk[c];
      degenerate.push({ component: comp, reason: 'not-pd', detail: diagnoseNotPD(cov, covType, c, d, regCovar, mass, st.sumW, floor) });
      // keep the previous (positive definite) covariance in place, so the parameters stay usable
      cov.set(prev.covariances.subarray(c * per, (c + 1) * per), c * per);
      precChol.set(prev.precChol.subarray(c * per, (c + 1) * per), c * per);
    }
  }
  degenerate.sort((a, b) => a.component - b.component);
  return { params: { k, d, covType, weights, means, covariances: cov, precChol }, degenerate };
}

/** The M-step that throws a DegenerateError (a FitError) when a covariance is not positive definite. */
export function mStep(st: SufficientStats, prev: Params, o: MStepOptions): Params {
  const r = mStepChecked(st, prev, { ...o, detectVanished: false });
  const bad = r.degenerate.find((b) => b.reason === 'not-pd');
  if (bad) throw degenerateError(bad, o.iteration, o.init ?? 0, o.nInit ?? 1, o.regCovar);
  return r.params;
}
