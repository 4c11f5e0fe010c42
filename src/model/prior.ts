/**
 * The conjugate prior of mclust (Fraley & Raftery 2007, "Bayesian regularization for normal mixture estimation and
 * model-based clustering"; R: priorControl(), defaultPrior(), the me…p/ms…p Fortran routines of mclust 6.0): its
 * hyper-parameters and defaults, the posterior-mode M-step as a change of the M-step's input, and the log prior
 * density that M-step maximises together with the expected complete-data log-likelihood.
 *
 * Every mclust prior M-step has the same structure, so it is written once, as data (PRIOR_RULES):
 *  - each mean is shrunk towards the prior mean: μk = (nk·x̄k + κ·μp)/(nk + κ);
 *  - each scatter gains the shrinkage term ck·(x̄k − μp)(x̄k − μp)ᵀ, ck = κ·nk/(nk + κ), and a share of the scale;
 *  - the model's own (constrained) estimate then runs on that scatter W′k with the masses nk + ak, where ak carries
 *    the prior's degrees of freedom in the proportion mclust's routine divides by.
 * The constrained M-steps maximise Σk −½·n′k·log|Σk| − ½·tr(W′k Σk⁻¹) over their model, so this is the exact
 * posterior mode of the log prior below (up to the iterative models' inner tolerance). The rules are read off
 * mclust 6.0's me…p routines (the EM; ms…p, behind mstep(), differs for EEI and for VVV with shrinkage 0 — noted in
 * docs/mclust-notes.md), including three quirks kept for parity: EII ignores the scale, VEV the degrees of freedom,
 * and EEI leaves the means unshrunk while its scatter still gains the shrinkage term (so EEI's step is not an exact
 * posterior mode, and its log posterior is not guaranteed to increase).
 */
import { OptionError } from '../api/errors.js';
import { choleskyLower, invertLower } from './linalg.js';
import type { CovarianceModel } from './covariance/types.js';
import type { Params } from './params.js';
import { covarianceModel, type CovarianceType } from './covariance/registry.js';

/** The prior's hyper-parameters, resolved (defaults filled in from the data). */
export interface ResolvedPrior {
  /** κ ≥ 0: the prior mean's weight in observations (0: no prior on the means). */
  readonly shrinkage: number;
  /** μp, D values. */
  readonly mean: Float64Array;
  /** ν > 0. */
  readonly dof: number;
  /** ς for the diagonal and spherical models (length 1), or Λ, D×D row-major, for the others. */
  readonly scale: Float64Array;
}

/** What users give: `prior: true` (all defaults) or any of the four hyper-parameters. */
export interface PriorOption {
  shrinkage?: number;
  mean?: ArrayLike<number>;
  dof?: number;
  /** A number (ς; for the full-matrix models ς·I), or a D×D symmetric positive definite matrix (full-matrix models). */
  scale?: number | ArrayLike<ArrayLike<number>>;
}

type ScaleShare = 'none' | 'pooled' | 'each' | 'each-trace';

/**
 * How the prior enters one model's M-step: `share` — how the scale is added to the K scatters ('none': not at all,
 * mclust's EII; 'pooled': divided by K so their sum gains it once; 'each': added to every one; 'each-trace': ς/D·I,
 * so the trace gains ς); `extra` — the mass ak added to every component, from ν, κ > 0 (δ = 1), D and K.
 */
interface PriorRule {
  readonly matrix: boolean;
  /** false: the means stay the plain weighted means (mclust's meeeip and mseeip never shrink them: EEI only). */
  readonly shrinks?: false;
  readonly share: ScaleShare;
  extra(nu: number, delta: number, d: number, k: number): number;
}

/** The ten models mclust 6.0 has a prior for (its EVE, VEE, VVE and EVV "are not available with prior"). */
const PRIOR_RULES: Readonly<Record<string, PriorRule>> = {
  EII: { matrix: false, share: 'none', extra: (nu, dl, d, k) => dl + (nu + 2) / (d * k) }, // meeiip
  VII: { matrix: false, share: 'each-trace', extra: (nu, dl, d) => dl + (nu + 2) / d }, // meviip
  EEI: { matrix: false, share: 'pooled', shrinks: false, extra: (nu, dl, _d, k) => (nu + 1 + dl) / k }, // meeeip
  VEI: { matrix: false, share: 'each', extra: (nu, dl, d) => (nu + 2 + dl) / d }, // meveip
  EVI: { matrix: false, share: 'each', extra: (nu, dl, _d, k) => (nu + 1 + dl) / k }, // meevip
  VVI: { matrix: false, share: 'each', extra: (nu, dl) => nu + 2 + dl }, // mevvip
  EEE: { matrix: true, share: 'pooled', extra: (nu, dl, d, k) => (nu + d + 1) / k + dl }, // meeeep
  EEV: { matrix: true, share: 'each', extra: (nu, dl, d, k) => (nu + d + 1 + dl) / k }, // meeevp
  VEV: { matrix: true, share: 'each', extra: () => 0 }, // mevevp
  VVV: { matrix: true, share: 'each', extra: (nu, dl, d) => nu + d + 1 + dl }, // mevvvp (msvvvp's count for κ = 0)
};

/** scikit-learn's four names are mclust's VVV, EEE, VVI and VII. */
const TWIN: Readonly<Record<string, string>> = { full: 'VVV', tied: 'EEE', diag: 'VVI', spherical: 'VII' };

/** The covariance types that take a prior, in the registry's order. */
export function priorModels(all: readonly CovarianceType[]): CovarianceType[] {
  return all.filter((t) => ruleOf(t) !== null);
}

function ruleOf(name: string): PriorRule | null {
  return PRIOR_RULES[TWIN[name] ?? name] ?? null;
}

/** The rule of a model, or an Error naming the models that take a prior. */
export function priorRule(model: CovarianceModel | CovarianceType): PriorRule {
  const name = typeof model === 'string' ? model : model.name;
  const r = ruleOf(name);
  if (!r) throw new Error(`covarianceType '${name}' takes no prior (as in mclust)`);
  return r;
}

/** Whether the prior's scale of this model is a D×D matrix (else the number ς). */
export const priorScaleIsMatrix = (covType: CovarianceType): boolean => priorRule(covType).matrix;

/**
 * mclust's defaultPrior(data, G, modelName): shrinkage 0.01, mean = column means, dof = D + 2, and the scale
 * (1/K)^(2/D) times the mean variance (diagonal and spherical models) or the covariance matrix (the others; its
 * diagonal when n ≤ D) — variances with denominator n − 1 as R's var(). `given` overrides any part.
 */
export function resolvePrior(
  covType: CovarianceType,
  k: number,
  d: number,
  n: number,
  colMeans: Float64Array,
  cov: Float64Array,
  given: PriorOption,
): ResolvedPrior {
  const rule = priorRule(covType);
  if (given.mean !== undefined && given.mean.length !== d)
    throw new OptionError('prior.mean', `prior.mean must have one value per feature (${d}); got ${given.mean.length}`);
  if (given.scale !== undefined && typeof given.scale !== 'number' && given.scale.length !== d)
    throw new OptionError(
      'prior.scale',
      `prior.scale must be ${d}×${d} (features × features); got ${given.scale.length} rows`,
    );
  const fac = (1 / k) ** (2 / d);
  let scale: Float64Array;
  if (given.scale !== undefined) scale = scaleFrom(given.scale, rule.matrix, d);
  else if (!rule.matrix) {
    let tr = 0;
    for (let j = 0; j < d; j++) tr += cov[j * d + j];
    scale = Float64Array.of((fac * tr) / d);
  } else {
    scale = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) if (n > d || i === j) scale[i * d + j] = fac * cov[i * d + j];
  }
  return {
    shrinkage: given.shrinkage ?? 0.01,
    mean: given.mean ? Float64Array.from(given.mean) : colMeans.slice(),
    dof: given.dof ?? d + 2,
    scale,
  };
}

function scaleFrom(s: number | ArrayLike<ArrayLike<number>>, matrix: boolean, d: number): Float64Array {
  if (typeof s === 'number') {
    if (!matrix) return Float64Array.of(s);
    const m = new Float64Array(d * d);
    for (let j = 0; j < d; j++) m[j * d + j] = s;
    return m;
  }
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m[i * d + j] = s[i][j];
  return m;
}

/** The M-step's view of the prior: what mstep.ts and the covariance estimate need. */
export interface ScatterPrior {
  readonly prior: ResolvedPrior;
  readonly rule: PriorRule;
  /** The number of Gaussian components K. */
  readonly k: number;
}

export function scatterPrior(prior: ResolvedPrior, covType: CovarianceType, k: number): ScatterPrior {
  return { prior, rule: priorRule(covType), k };
}

/** Shrinks the mean x̄ of a component of mass nk towards the prior mean, in place (D values at off). */
export function shrinkMean(p: ResolvedPrior, nk: number, means: Float64Array, off: number, d: number): void {
  const kappa = p.shrinkage;
  if (!(kappa > 0)) return;
  const t = nk + kappa;
  for (let j = 0; j < d; j++) means[off + j] = (nk / t) * means[off + j] + (kappa / t) * p.mean[j];
}

/**
 * The posterior mode's scatters and masses from the plain ones: W′k = Wk + ck·(x̄k − μp)(x̄k − μp)ᵀ + the scale's
 * share, n′k = nk + ak (see PRIOR_RULES). `W` holds kl D×D blocks (only their diagonals for diagonal statistics:
 * `full` false), `xbar` the kl unshrunk means. Returns new arrays.
 */
export function posteriorScatter(
  sp: ScatterPrior,
  W: Float64Array,
  n: Float64Array,
  xbar: Float64Array,
  d: number,
  full: boolean,
): { W: Float64Array; n: Float64Array } {
  const { prior, rule, k } = sp;
  const kl = n.length;
  const dd = d * d;
  const kappa = Math.max(prior.shrinkage, 0);
  const delta = kappa > 0 ? 1 : 0;
  const extra = rule.extra(prior.dof, delta, d, k);
  const out = W.slice();
  const nOut = new Float64Array(kl);
  const share = rule.share === 'pooled' ? 1 / k : rule.share === 'each-trace' ? 1 / d : 1;
  for (let t = 0; t < kl; t++) {
    nOut[t] = n[t] + extra;
    const c = kappa > 0 ? (kappa * n[t]) / (n[t] + kappa) : 0;
    for (let i = 0; i < d; i++) {
      const di = xbar[t * d + i] - prior.mean[i];
      for (let j = full ? 0 : i; j < (full ? d : i + 1); j++) {
        const dj = xbar[t * d + j] - prior.mean[j];
        let s = c * di * dj;
        if (rule.share !== 'none') s += share * (rule.matrix ? prior.scale[i * d + j] : i === j ? prior.scale[0] : 0);
        out[t * dd + i * d + j] += s;
      }
    }
  }
  return { W: out, n: nOut };
}

/**
 * log p(θ) up to a constant of the hyper-parameters: Σk −½(δ + αk)·log|Σk| − κ/2·(μk − μp)ᵀΣk⁻¹(μk − μp) −
 * ½·tr(Λk Σk⁻¹), with αk = ak − δ and Λk the scale's share — the density whose posterior mode the M-step computes
 * (δ = 1 when κ > 0: the normal prior of the means, N(μp, Σk/κ)). For the four proper cases (VVV: a normal-inverse-
 * Wishart per component; VVI, VII: normal-inverse-gamma) it is the log density without its normalising constant.
 * Weights have no prior (as in mclust).
 */
export function logPrior(prior: ResolvedPrior, p: Params, gaussians = p.k): number {
  const { d } = p;
  const model = covarianceModel(p.covType);
  const rule = priorRule(p.covType);
  const kappa = Math.max(prior.shrinkage, 0);
  const delta = kappa > 0 ? 1 : 0;
  const alpha = rule.extra(prior.dof, delta, d, gaussians) - delta;
  const share = rule.share === 'pooled' ? 1 / gaussians : rule.share === 'each-trace' ? 1 / d : 1;
  const L = new Float64Array(d * d);
  const Li = new Float64Array(d * d);
  const v = new Float64Array(d);
  let total = 0;
  for (let c = 0; c < p.k; c++) {
    const sigma = model.layout.matrix(p.covariances, c, d);
    if (!choleskyLower(sigma, 0, d, L, 0)) return -Infinity;
    invertLower(L, 0, d, Li, 0);
    let logDet = 0;
    for (let j = 0; j < d; j++) logDet += 2 * Math.log(L[j * d + j]);
    // q = |L⁻¹(μ − μp)|²
    let q = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += Li[i * d + j] * (p.means[c * d + j] - prior.mean[j]);
      v[i] = s;
      q += s * s;
    }
    // tr(Λ Σ⁻¹) = Σ_r |L⁻¹ Λ L⁻ᵀ|_rr = Σ_r (L⁻¹ Λ L⁻ᵀ)_rr
    let tr = 0;
    if (rule.share !== 'none') {
      for (let r = 0; r < d; r++) {
        for (let i = 0; i <= r; i++) {
          for (let j = 0; j <= r; j++) {
            const lam = rule.matrix ? prior.scale[i * d + j] : i === j ? prior.scale[0] : 0;
            if (lam !== 0) tr += Li[r * d + i] * lam * Li[r * d + j];
          }
        }
      }
      tr *= share;
    }
    total += -0.5 * (delta + alpha) * logDet - 0.5 * kappa * q - 0.5 * tr;
  }
  return total;
}
