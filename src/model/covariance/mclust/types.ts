/**
 * Shared types and helpers of the mclust covariance models: Σk = λk·Dk·Ak·Dkᵀ (Celeux & Govaert 1995; mclust's
 * names, first letter volume λ, second shape A, third orientation D; E = equal across components, V = varying,
 * I = identity). Every M-step here takes the unnormalised scatter matrices around the new means and the
 * component masses, and returns the K covariance matrices plus the model's own parameters, computed as
 * mclust 6.0's Fortran does (see docs/mclust-notes.md for the source of each formula).
 */

export const MCLUST_MODELS = [
  'EII',
  'VII',
  'EEI',
  'VEI',
  'EVI',
  'VVI',
  'EEE',
  'VEE',
  'EVE',
  'VVE',
  'EEV',
  'VEV',
  'EVV',
  'VVV',
] as const;

export type MclustModelName = (typeof MCLUST_MODELS)[number];

export function isMclustModelName(s: string): s is MclustModelName {
  return (MCLUST_MODELS as readonly string[]).includes(s);
}

/** The M-step's sufficient statistics. */
export interface MStepInput {
  /** K scatter matrices back to back, each D×D row-major: W_k = Σ_n z_nk (x_n − μ_k)(x_n − μ_k)ᵀ, μ_k the NEW means. */
  W: Float64Array;
  /** component masses n_k = Σ_n z_nk (length K) */
  nk: Float64Array;
  d: number;
  k: number;
}

/** Inner-iteration control of the iterative M-steps (VEI, VEE, EVE, VVE, VEV): mclust's tol[2] / itmax[2]. */
export interface InnerControl {
  tol: number;
  maxIter: number;
}

/** mclust's emControl() defaults for the inner iteration: tol sqrt(.Machine$double.eps), itmax .Machine$integer.max. */
export const DEFAULT_INNER_CONTROL: Readonly<InnerControl> = Object.freeze({
  tol: Math.sqrt(2.220446049250313e-16),
  maxIter: 2147483647,
});

/**
 * State an iterative M-step starts from. mclust's me() carries it from one EM iteration to the next for VEI and
 * VEV (scale and shape) and for EVE and VVE (orientation and shape); VEE restarts from scale = 1 every time.
 * Pass the previous M-step's result (it has these fields) or nothing for mclust's cold start (mstep()).
 */
export interface WarmStart {
  scale?: Float64Array | null;
  shape?: Float64Array | null;
  orientation?: Float64Array | null;
}

export interface MclustCovariance {
  model: MclustModelName;
  d: number;
  k: number;
  /** K covariance matrices, each D×D row-major */
  sigma: Float64Array;
  /** λ: length 1 (E.. models) or K (V.. models); null for EEE and VVV (mclust reports none there) */
  scale: Float64Array | null;
  /** A's diagonal, det 1: length D (.E. models) or K·D (.V. models, row k is component k); null for EII, VII, EEE, VVV */
  shape: Float64Array | null;
  /** D, columns the eigenvectors: D·D (..E models) or K·D·D (..V models); null for the diagonal and spherical models, EEE and VVV */
  orientation: Float64Array | null;
  /** the inner iteration of VEI, VEE, EVE, VVE, VEV (mclust's info): iterations done and the last change; null otherwise */
  inner: { iterations: number; error: number } | null;
  /**
   * false when mclust would report "cannot compute M-step" or a volume/shape parameter is not positive and finite
   * (then every parameter is NaN). Positive definiteness of Σk is not checked here for EEE and VVV (mclust's
   * mstep() does not either): a zero scatter gives a singular Σ that the E-step's Cholesky must catch.
   */
  ok: boolean;
  warning?: string;
}

export const FLMAX = 1.7976931348623157e308;
export const EPS = 2.220446049250313e-16;
export const RTEPS = Math.sqrt(EPS);

/** exp(mean(log x)) over x[off .. off+len) — the geometric mean mclust normalises shapes with. */
export function geomMean(x: Float64Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.log(x[off + i]);
  return Math.exp(s / len);
}

/** Σ of every component from λ, A (diagonal) and D: sigma[k] = scale_k · D_k diag(shape_k) D_kᵀ. */
export function assembleSigma(
  d: number,
  k: number,
  scale: Float64Array,
  scalePerComponent: boolean,
  shape: Float64Array | null,
  shapePerComponent: boolean,
  orientation: Float64Array | null,
  orientationPerComponent: boolean,
): Float64Array {
  const dd = d * d;
  const sigma = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) {
    const lam = scale[scalePerComponent ? c : 0];
    const aOff = shapePerComponent ? c * d : 0;
    const oOff = orientationPerComponent ? c * dd : 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const v = unscaledEntry(orientation, oOff, shape, aOff, d, i, j);
        sigma[c * dd + i * d + j] = lam * v;
      }
    }
  }
  return sigma;
}

/**
 * Entry (i, j) of D·diag(A)·Dᵀ, with D at orientation[oOff] (identity when null) and A at shape[aOff] (identity when
 * null).
 */
function unscaledEntry(
  orientation: Float64Array | null,
  oOff: number,
  shape: Float64Array | null,
  aOff: number,
  d: number,
  i: number,
  j: number,
): number {
  if (!orientation) return i === j ? (shape ? shape[aOff + i] : 1) : 0;
  let v = 0;
  for (let m = 0; m < d; m++) {
    const a = shape ? shape[aOff + m] : 1;
    v += orientation[oOff + i * d + m] * a * orientation[oOff + j * d + m];
  }
  return v;
}

/** True when every entry is finite and > 0. */
export function allPositive(x: Float64Array | null): boolean {
  if (!x) return true;
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0) || !Number.isFinite(x[i])) return false;
  return true;
}

export function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** Marks a result as failed the way mclust does ("cannot compute M-step"): parameters become NaN. */
export function failed(res: MclustCovariance, warning = 'cannot compute M-step'): MclustCovariance {
  res.ok = false;
  res.warning = warning;
  res.sigma.fill(NaN);
  res.scale?.fill(NaN);
  res.shape?.fill(NaN);
  res.orientation?.fill(NaN);
  return res;
}

/**
 * Final validity check shared by all models. Like mclust's ms* routines, an empty component (n_k not > 0) makes
 * the whole M-step fail, even for the pooled models (EII, EEI, EEE, EEV) that could form an estimate.
 */
export function finish(res: MclustCovariance, nk: Float64Array): MclustCovariance {
  if (!res.ok) return res;
  for (let c = 0; c < nk.length; c++) if (!(nk[c] > 0) || !Number.isFinite(nk[c])) return failed(res);
  if (!allPositive(res.scale) || !allPositive(res.shape) || !allFinite(res.sigma)) return failed(res);
  return res;
}

/** Diagonal entry (j, j) of component c's scatter. */
export function wDiag(input: MStepInput, c: number, j: number): number {
  const { d } = input;
  return input.W[c * d * d + j * d + j];
}

export function checkInput(input: MStepInput): void {
  const { W, nk, d, k } = input;
  if (!(d >= 1 && k >= 1) || W.length !== k * d * d || nk.length !== k) {
    throw new Error(`mclust M-step: expected W of length K·D·D = ${k * d * d} and nk of length K = ${k}`);
  }
}

/** Σ_k n_k (mclust's "sumz", n when every row of z sums to 1). */
export function totalMass(nk: Float64Array): number {
  let s = 0;
  for (let i = 0; i < nk.length; i++) s += nk[i];
  return s;
}
