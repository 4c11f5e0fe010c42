/**
 * The uniform noise component (mclust's Vinv; Banfield & Raftery 1993): a (K+1)-th component of constant density 1/V
 * over the data region, with its own mixing weight π₀ estimated by EM.
 *
 * It rides on the Gaussian kernels unchanged: a component whose precision factor is all zero has a Mahalanobis term
 * of 0, so its log density is its log constant, log π₀ − log V. That holds for the tri, diag and scalar layouts
 * (one factor block per component); the sharedTri layout has one factor for all components, so with noise its
 * factor is repeated per Gaussian and the kernels run the tri layout (same statistics kind: full scatter). The
 * E-pass then yields K+1 components' statistics; the M-step (mstep.ts) takes the Gaussians' from the first K and
 * π₀ = n₀/Σw from the last (its mean and scatter are dropped: a uniform density has none).
 */
import { LAYOUT_CODE } from './covariance/layouts.js';
import { symmetricEigen } from './eigen.js';
import type { KernelParams } from './params.js';
import type { SufficientStats } from './stats.js';

/** The noise component of fitted parameters. */
export interface NoiseTerm {
  /** π₀, the noise component's mixing weight (the Gaussians' weights sum to 1 − π₀). */
  readonly weight: number;
  /** log V, the log volume of the data region (the density is 1/V). */
  readonly logVolume: number;
  /** The data's bounding box (per feature), where sample() draws noise rows uniformly. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** The kernels' parameters with the noise component appended as component K (see the header). */
export function withNoiseComponent(kp: KernelParams, noise: NoiseTerm): KernelParams {
  const { k, d } = kp;
  const shared = kp.layout === LAYOUT_CODE.sharedTri;
  const per = kp.layout === LAYOUT_CODE.scalar ? 1 : kp.layout === LAYOUT_CODE.diag ? d : d * d;
  const prec = new Float64Array((k + 1) * per); // the noise block stays zero
  if (shared) for (let c = 0; c < k; c++) prec.set(kp.prec.subarray(0, per), c * per);
  else prec.set(kp.prec.subarray(0, k * per));
  const means = new Float64Array((k + 1) * d);
  means.set(kp.means.subarray(0, k * d));
  const logConst = new Float64Array(k + 1);
  logConst.set(kp.logConst.subarray(0, k));
  logConst[k] = Math.log(noise.weight) - noise.logVolume;
  return {
    k: k + 1,
    d,
    layout: shared ? LAYOUT_CODE.tri : kp.layout,
    sxxKind: kp.sxxKind,
    means,
    prec,
    logConst,
  };
}

/** The first k components' statistics of an E-pass over k + 1 (the Gaussians'), with the noise mass n₀. */
export function splitNoiseStats(st: SufficientStats, k: number): { gauss: SufficientStats; noiseMass: number } {
  const d = st.d;
  const per = st.sxxKind === 'full' ? d * d : d;
  return {
    gauss: {
      k,
      d,
      sxxKind: st.sxxKind,
      logLik: st.logLik,
      sumW: st.sumW,
      nk: st.nk.slice(0, k),
      sx: st.sx.slice(0, k * d),
      sxx: st.sxx.slice(0, k * per),
      centers: st.centers.slice(0, k * d),
    },
    noiseMass: st.nk[k],
  };
}

/**
 * mclust's hypvol: the smaller of the volumes of the data's bounding box and of the bounding box of its principal
 * component scores (princomp: rows centred, projected on the covariance's eigenvectors), as log volumes. With one
 * feature it is the range. Rows are given row-major.
 */
export function logHypervolume(
  X: Float64Array,
  n: number,
  d: number,
): { logVolume: number; logBox: number; logPcBox: number; lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(d).fill(Infinity);
  const upper = new Float64Array(d).fill(-Infinity);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = X[i * d + j];
      if (v < lower[j]) lower[j] = v;
      if (v > upper[j]) upper[j] = v;
      mean[j] += v;
    }
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  let logBox = 0;
  for (let j = 0; j < d; j++) logBox += Math.log(upper[j] - lower[j]);
  if (d === 1) return { logVolume: logBox, logBox, logPcBox: logBox, lower, upper };
  const cov = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[j] = X[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a * d + b] += x[a] * x[b];
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= n;
  const V = symmetricEigen(cov, d).vectors; // column c: the c-th eigenvector
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[j] = X[i * d + j] - mean[j];
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[j] * V[j * d + c];
      if (s < lo[c]) lo[c] = s;
      if (s > hi[c]) hi[c] = s;
    }
  }
  let logPcBox = 0;
  for (let c = 0; c < d; c++) logPcBox += Math.log(hi[c] - lo[c]);
  return { logVolume: Math.min(logBox, logPcBox), logBox, logPcBox, lower, upper };
}
