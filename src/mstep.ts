/**
 * The M-step: new weights, means and covariances from sufficient statistics, honouring regCovar and frozen
 * parameter groups. Statistics are centered on the E-step's means c, so the new mean is c + δ with δ = sx/nk and
 * the centered scatter is S − (2 − a/nk)·nk·δδᵀ (a = Σr, nk = a + 10ε as scikit-learn guards empty components).
 */
import { FitError } from './errors.js';
import type { CovarianceType, Frozen } from './options.js';
import { covSize, precCholFromCov, type Params } from './params.js';
import type { SufficientStats } from './stats.js';

const EPS10 = 10 * Number.EPSILON;

export interface MStepOptions {
  covType: CovarianceType;
  regCovar: number;
  freeze: readonly Frozen[];
  /** 1-based EM iteration, for error messages. */
  iteration: number;
}

export function mStep(st: SufficientStats, prev: Params, o: MStepOptions): Params {
  const { k, d } = st;
  const { covType, regCovar } = o;
  const freezeW = o.freeze.includes('weights');
  const freezeM = o.freeze.includes('means');
  const freezeC = o.freeze.includes('covariances');

  const nk = new Float64Array(k);
  let total = 0;
  for (let c = 0; c < k; c++) {
    nk[c] = st.nk[c] + EPS10;
    total += nk[c];
  }
  const weights = freezeW ? prev.weights.slice() : nk.map((v) => v / total);

  // δ = shift of each mean; zero when means are frozen (statistics are then centered on the fixed means).
  const delta = new Float64Array(k * d);
  const means = st.centers.slice();
  if (!freezeM) {
    for (let c = 0; c < k; c++) {
      if (st.nk[c] === 0) continue; // no responsibility at all: the component stays where it was
      for (let j = 0; j < d; j++) {
        delta[c * d + j] = st.sx[c * d + j] / nk[c];
        means[c * d + j] += delta[c * d + j];
      }
    }
  }
  if (freezeC) {
    return { k, d, covType, weights, means, covariances: prev.covariances.slice(), precChol: prev.precChol.slice() };
  }

  const cov = new Float64Array(covSize(covType, k, d));
  const f = (c: number): number => 2 - st.nk[c] / nk[c];
  if (covType === 'full') {
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      if (st.nk[c] === 0) {
        cov.set(prev.covariances.subarray(o, o + d * d), o);
        continue;
      }
      const fc = f(c);
      for (let i = 0; i < d; i++) {
        const di = delta[c * d + i];
        for (let j = 0; j < d; j++) cov[o + i * d + j] = st.sxx[o + i * d + j] / nk[c] - fc * di * delta[c * d + j];
        cov[o + i * d + i] += regCovar;
      }
    }
  } else if (covType === 'tied') {
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      const fc = f(c) * nk[c];
      for (let i = 0; i < d; i++) {
        const di = delta[c * d + i];
        for (let j = 0; j < d; j++) cov[i * d + j] += st.sxx[o + i * d + j] - fc * di * delta[c * d + j];
      }
    }
    for (let t = 0; t < d * d; t++) cov[t] /= total;
    for (let i = 0; i < d; i++) cov[i * d + i] += regCovar;
  } else {
    for (let c = 0; c < k; c++) {
      if (st.nk[c] === 0) {
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

  const precChol = new Float64Array(cov.length);
  const bad = precCholFromCov(cov, covType, k, d, precChol);
  if (bad >= 0) {
    const which = covType === 'tied' ? 'the tied covariance' : `the covariance of component ${bad}`;
    throw new FitError(
      `EM failed ${o.iteration === 0 ? 'at initialisation' : `at iteration ${o.iteration}`}: ${which} is not positive definite (a component collapsed onto too few ` +
        'distinct points, or a feature is constant). Increase regCovar, use fewer components, or rescale the data.',
    );
  }
  return { k, d, covType, weights, means, covariances: cov, precChol };
}
