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

/** mclust's hypvol and the data's bounding box (see logHypervolume). */
export interface NoiseRegion {
  /** log V: the smaller of logBox and logPcBox (logBox when only the box was measured). */
  logVolume: number;
  logBox: number;
  /** NaN when only the box was measured. */
  logPcBox: number;
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * mclust's hypvol computed over row blocks, for data that is not in memory (a stream): three passes over the same
 * rows in the same order — the box and the column sums; the scatter about the mean; the principal component scores'
 * ranges — each fed with `add` and closed with `next`. Every sum runs row by row in input order, so how the rows are
 * cut into blocks does not change a bit of the result, and one block of all rows is logHypervolume.
 */
export class RegionBuilder {
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly mean: Float64Array;
  private readonly cov: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly x: Float64Array;
  private V: Float64Array | null = null;
  private n = 0;
  /** 0: box and sums; 1: scatter; 2: scores; 3: done. */
  private phase = 0;
  private logBox = Number.NaN;

  /** `principal` false: the box pass only (a user-given volume needs just the box, where sample() draws noise). */
  constructor(
    private readonly d: number,
    private readonly principal = true,
  ) {
    this.lower = new Float64Array(d).fill(Infinity);
    this.upper = new Float64Array(d).fill(-Infinity);
    this.mean = new Float64Array(d);
    this.cov = new Float64Array(d * d);
    this.lo = new Float64Array(d).fill(Infinity);
    this.hi = new Float64Array(d).fill(-Infinity);
    this.x = new Float64Array(d);
  }

  /** How many passes over the rows the volume needs: one with a single feature (the range), else three. */
  get passes(): number {
    return this.d === 1 || !this.principal ? 1 : 3;
  }

  /** Feeds `n` rows of X (row-major) to the current pass. */
  add(X: Float64Array, n: number): void {
    if (this.phase === 0) this.addBox(X, n);
    else if (this.phase === 1) this.addScatter(X, n);
    else if (this.phase === 2) this.addScores(X, n);
    else throw new Error('RegionBuilder: every pass is done');
  }

  /** Ends the current pass. */
  next(): void {
    const d = this.d;
    if (this.phase === 0) {
      for (let j = 0; j < d; j++) this.mean[j] /= this.n;
      this.logBox = 0;
      for (let j = 0; j < d; j++) this.logBox += Math.log(this.upper[j] - this.lower[j]);
    } else if (this.phase === 1) {
      const { cov, n } = this;
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= n;
      this.V = symmetricEigen(cov, d).vectors; // column c: the c-th eigenvector
    }
    this.phase = this.passes === 1 ? 3 : this.phase + 1;
  }

  /** The region, once every pass is done. */
  finish(): NoiseRegion {
    if (this.phase !== 3) throw new Error('RegionBuilder: passes remain');
    const { logBox, lower, upper, d } = this;
    if (d === 1) return { logVolume: logBox, logBox, logPcBox: logBox, lower, upper };
    if (!this.principal) return { logVolume: logBox, logBox, logPcBox: Number.NaN, lower, upper };
    let logPcBox = 0;
    for (let c = 0; c < d; c++) logPcBox += Math.log(this.hi[c] - this.lo[c]);
    return { logVolume: Math.min(logBox, logPcBox), logBox, logPcBox, lower, upper };
  }

  private addBox(X: Float64Array, n: number): void {
    const { d, lower, upper, mean } = this;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const v = X[i * d + j];
        if (v < lower[j]) lower[j] = v;
        if (v > upper[j]) upper[j] = v;
        mean[j] += v;
      }
    }
    this.n += n;
  }

  private addScatter(X: Float64Array, n: number): void {
    const { d, mean, cov, x } = this;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[j] = X[i * d + j] - mean[j];
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a * d + b] += x[a] * x[b];
    }
  }

  private addScores(X: Float64Array, n: number): void {
    const { d, mean, x, lo, hi } = this;
    const V = this.V!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[j] = X[i * d + j] - mean[j];
      for (let c = 0; c < d; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[j] * V[j * d + c];
        if (s < lo[c]) lo[c] = s;
        if (s > hi[c]) hi[c] = s;
      }
    }
  }
}

/**
 * mclust's hypvol: the smaller of the volumes of the data's bounding box and of the bounding box of its principal
 * component scores (princomp: rows centred, projected on the covariance's eigenvectors), as log volumes. With one
 * feature it is the range. Rows are given row-major. `principal` false: the box only (a user-given volume).
 */
export function logHypervolume(X: Float64Array, n: number, d: number, principal = true): NoiseRegion {
  const b = new RegionBuilder(d, principal);
  for (let p = 0; p < b.passes; p++) {
    b.add(X, n);
    b.next();
  }
  return b.finish();
}
