/**
 * What the E-step needs from the variational posterior, in the form the library's kernels take: for row x and
 * component c the kernel computes
 *
 *   lp_c(x) = logConst[c] − ½·‖(x − means_c)ᵀ·P_c‖²
 *
 * with P in scikit-learn's precisions_cholesky_ layout. For the variational posterior this is scikit-learn's
 * _estimate_weighted_log_prob (E[log π_c] + E[log N(x; μ_c, Λ_c⁻¹)] up to the constants scikit-learn drops) when
 *
 *   means_c  = m_c, P_c = precisions_cholesky_ (P_c·P_cᵀ = ν_c·W_c = E[Λ_c]), and
 *   logConst = E[log π_c] − ½·D·log 2π + log det P_c − ½·D·log ν_c
 *              + ½·(D·log 2 + Σ_{i<D} ψ(½(ν_c − i)) − D/β_c).
 *
 * (E[(x − μ)ᵀΛ(x − μ)] = ν·(x − m)ᵀW(x − m) + D/β gives the −D/(2β) term; ½·E[log|Λ|] = ½·(D·log 2 + Σψ + log|W|)
 * and log|W| = 2·log det P − D·log ν give the rest. The −½·D·log ν is scikit-learn's correction for its normalised
 * covariances, the "n_features * np.log(self.degrees_of_freedom_)" in _estimate_log_prob.) The same formula holds for
 * every covariance type; for 'tied' ν and P are shared, for 'spherical' log det P = D·log P_c and the digamma sum
 * is still over D terms, as scikit-learn writes it.
 *
 * E[log π_c] (_estimate_log_weights): ψ(α_c) − ψ(Σα) for the Dirichlet distribution; for the Dirichlet process
 * ψ(a_c) − ψ(a_c + b_c) + Σ_{j<c} [ψ(b_j) − ψ(a_j + b_j)].
 */
import { digamma } from '../special.js';
import { variationalCovariance } from './covariance/registry.js';
import type { CovarianceType, VariationalPosterior } from './types.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Per-component parameters of the E-step kernel (means k×d, precChol in scikit-learn's layout, logConst k). */
export interface KernelParams {
  readonly k: number;
  readonly d: number;
  readonly covType: CovarianceType;
  readonly means: Float64Array;
  readonly precChol: Float64Array;
  readonly logConst: Float64Array;
}

/** E[log π_c] (scikit-learn's _estimate_log_weights). */
export function expectedLogWeights(post: VariationalPosterior): Float64Array {
  const { k } = post;
  const a = post.weightConcentration;
  const out = new Float64Array(k);
  if (post.weightPriorType === 'dirichlet_process') {
    const b = post.weightConcentrationTail;
    if (!b) throw new RangeError('a Dirichlet-process posterior needs weightConcentrationTail');
    let cum = 0; // Σ_{j<c} [ψ(b_j) − ψ(a_j + b_j)], accumulated in order as np.cumsum
    for (let c = 0; c < k; c++) {
      const dsum = digamma(a[c] + b[c]);
      out[c] = digamma(a[c]) - dsum + cum;
      cum += digamma(b[c]) - dsum;
    }
  } else {
    let s = 0;
    for (let c = 0; c < k; c++) s += a[c];
    const ds = digamma(s);
    for (let c = 0; c < k; c++) out[c] = digamma(a[c]) - ds;
  }
  return out;
}

/**
 * The mixture weights (scikit-learn's weights_, set in _set_parameters): α/Σα, or for the Dirichlet process the
 * expected stick lengths a_c/(a_c + b_c)·Π_{j<c} b_j/(a_j + b_j), normalised to sum to 1.
 */
export function mixtureWeights(post: VariationalPosterior): Float64Array {
  const { k } = post;
  const a = post.weightConcentration;
  const w = new Float64Array(k);
  if (post.weightPriorType === 'dirichlet_process') {
    const b = post.weightConcentrationTail;
    if (!b) throw new RangeError('a Dirichlet-process posterior needs weightConcentrationTail');
    let stick = 1;
    for (let c = 0; c < k; c++) {
      const s = a[c] + b[c];
      w[c] = (a[c] / s) * stick;
      stick *= b[c] / s;
    }
  } else {
    w.set(a);
  }
  let total = 0;
  for (let c = 0; c < k; c++) total += w[c];
  for (let c = 0; c < k; c++) w[c] /= total;
  return w;
}

/** ½·(D·log 2 + Σ_{i<D} ψ(½(ν − i))) − ½·D·log ν: the ν-dependent part of logConst (and of ½·E[log|Λ|]). */
function wishartLogDetTerm(nu: number, d: number): number {
  let s = d * Math.LN2;
  for (let i = 0; i < d; i++) s += digamma(0.5 * (nu - i));
  return 0.5 * s - 0.5 * d * Math.log(nu);
}

/** The E-step kernel's parameters for the variational posterior (see the module comment). */
export function kernelParams(post: VariationalPosterior): KernelParams {
  const { k, d, covType } = post;
  const model = variationalCovariance(covType);
  const logW = expectedLogWeights(post);
  const logDet = model.logDetPrecChol(post.precChol, k, d);
  const logConst = new Float64Array(k);
  const sharedTerm = model.shared ? wishartLogDetTerm(post.degreesOfFreedom[0], d) : 0;
  for (let c = 0; c < k; c++) {
    const nuTerm = model.shared ? sharedTerm : wishartLogDetTerm(post.degreesOfFreedom[c], d);
    logConst[c] = logW[c] - 0.5 * d * LOG_2PI + logDet[c] + nuTerm - (0.5 * d) / post.meanPrecision[c];
  }
  return { k, d, covType, means: post.means.slice(), precChol: post.precChol.slice(), logConst };
}

/**
 * lp_c(x) for one row (x at X[off..off+d)), written to out (length k): the kernel's computation, for reference,
 * tests and small inputs.
 */
export function weightedLogProbRow(kp: KernelParams, X: ArrayLike<number>, off: number, out: Float64Array): void {
  const { k, d, covType, means, precChol } = kp;
  const model = variationalCovariance(covType);
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) diff[j] = X[off + j] - means[c * d + j];
    const q = model.mahalanobis(precChol, c, d, diff);
    out[c] = kp.logConst[c] - 0.5 * q;
  }
}
