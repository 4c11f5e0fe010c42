/**
 * The algebra of online EM's running statistics: sufficient statistics per unit weight (Σr = the weights, Σr·(x − c),
 * Σr·(x − c)(x − c)ᵀ over a distribution of rows rather than a data set), kept around the current means so that the
 * next batch's E-step — which accumulates around those means — adds to them without any conversion.
 *
 * Moving the centers is exact algebra, never E[xxᵀ] − μμᵀ: with c' = c + δ,
 *   Σr(x − c') = Σr(x − c) − Σr·δ,
 *   Σr(x − c')(x − c')ᵀ = Σr(x − c)(x − c)ᵀ − Σr(x − c)·δᵀ − δ·Σr(x − c)ᵀ + Σr·δδᵀ,
 * so the statistics describe the same rows whatever point they are taken around (to rounding).
 */
import type { Degeneracy } from './degeneracy.js';
import { modelOf, type Params } from './params.js';
import { emptyStats, type SufficientStats } from './stats.js';

/**
 * (1 − η)·s + η·b/Σw(b): the batch statistics `b` per unit weight, blended into the running statistics `s` (both
 * around the same centers), or `b` per unit weight alone when there is no running state yet. Returns new
 * statistics with Σw = 1; neither input is modified. logLik is not carried (online EM never uses it).
 */
export function blendStats(s: SufficientStats | null, b: SufficientStats, eta: number): SufficientStats {
  const out = emptyStats(b.k, b.d, b.sxxKind, b.centers);
  const sw = b.sumW;
  const mix = (dst: Float64Array, run: Float64Array | null, batch: Float64Array): void => {
    // a division per element (not a multiplication by 1/Σw): each value is then the correctly rounded mean
    if (run === null) for (let i = 0; i < dst.length; i++) dst[i] = batch[i] / sw;
    else for (let i = 0; i < dst.length; i++) dst[i] = (1 - eta) * run[i] + eta * (batch[i] / sw);
  };
  mix(out.nk, s?.nk ?? null, b.nk);
  mix(out.sx, s?.sx ?? null, b.sx);
  mix(out.sxx, s?.sxx ?? null, b.sxx);
  out.sumW = 1;
  return out;
}

/** The same statistics taken around `centers` (k×d) instead of s.centers; a new object, `s` is not modified. */
export function recenterStats(s: SufficientStats, centers: Float64Array): SufficientStats {
  const { k, d } = s;
  const out = emptyStats(k, d, s.sxxKind, centers);
  out.logLik = s.logLik;
  out.sumW = s.sumW;
  out.nk.set(s.nk);
  const delta = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const n = s.nk[c];
    const o = c * d;
    for (let j = 0; j < d; j++) {
      delta[j] = centers[o + j] - s.centers[o + j];
      out.sx[o + j] = s.sx[o + j] - n * delta[j];
    }
    if (s.sxxKind === 'diag') {
      for (let j = 0; j < d; j++) {
        const dj = delta[j];
        out.sxx[o + j] = s.sxx[o + j] - 2 * s.sx[o + j] * dj + n * dj * dj;
      }
      continue;
    }
    // the upper triangle, mirrored: the statistics stay exactly symmetric (the M-step reads the upper triangle)
    const m = c * d * d;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = s.sxx[m + i * d + j] - s.sx[o + i] * delta[j] - delta[i] * s.sx[o + j] + n * delta[i] * delta[j];
        out.sxx[m + i * d + j] = v;
        out.sxx[m + j * d + i] = v;
      }
    }
  }
  return out;
}

/**
 * Writes into `s` (around p.means) the statistics per unit weight of component c that reproduce p's weight, mean
 * and covariance in an M-step: Σr = `mass`, Σr·(x − μ) = 0, Σr·(x − μ)(x − μ)ᵀ = mass·(Σ − regCovar·I) — the
 * M-step adds regCovar back. For a shared covariance every component gets its share of the shared matrix, so the
 * pooled estimate is the matrix again.
 */
function writeComponent(s: SufficientStats, p: Params, c: number, mass: number, regCovar: number): void {
  const { d } = p;
  const cov = modelOf(p).layout.matrix(p.covariances, c, d);
  s.nk[c] = mass;
  s.sx.fill(0, c * d, (c + 1) * d);
  for (let i = 0; i < d; i++) {
    if (s.sxxKind === 'diag') {
      s.sxx[c * d + i] = mass * (cov[i * d + i] - regCovar);
      continue;
    }
    // from the upper triangle, mirrored (a loaded covariance need only be symmetric to 1e-10)
    for (let j = i; j < d; j++) {
      const v = mass * (cov[i * d + j] - (i === j ? regCovar : 0));
      s.sxx[c * d * d + i * d + j] = v;
      s.sxx[c * d * d + j * d + i] = v;
    }
  }
}

/**
 * Running statistics (per unit weight, around p.means) that stand for the parameters p: what partialFit starts
 * from on a model fitted by fit, fitAsync, fitStream or loaded without a running state.
 */
export function statsOfParams(p: Params, regCovar: number): SufficientStats {
  const s = emptyStats(p.k, p.d, modelOf(p).statsKind, p.means);
  s.sumW = 1;
  for (let c = 0; c < p.k; c++) writeComponent(s, p, c, p.weights[c], regCovar);
  return s;
}

/**
 * After onDegenerate 'reset' re-seeded the components in `bad` (parameters `p`; `s` already around p.means): their
 * statistics are replaced by those of their new parameters, and every other component's are scaled to its new
 * weight (a reset gives re-seeded components weight 1/K and shrinks the others), so the next M-step starts from
 * what the reset produced instead of from the statistics that degenerated. A new object; `s` is not modified.
 */
export function reseededStats(
  s: SufficientStats,
  p: Params,
  bad: readonly Degeneracy[],
  regCovar: number,
): SufficientStats {
  const { k, d } = s;
  const out = recenterStats(s, p.means); // a copy (the centers are already p.means)
  const reset = new Set(bad.map((b) => b.component));
  const per = s.sxxKind === 'full' ? d * d : d;
  for (let c = 0; c < k; c++) {
    if (reset.has(c)) {
      writeComponent(out, p, c, p.weights[c], regCovar);
      continue;
    }
    if (!(s.nk[c] > 0)) continue;
    const f = p.weights[c] / s.nk[c];
    out.nk[c] = p.weights[c];
    for (let j = 0; j < d; j++) out.sx[c * d + j] *= f;
    for (let t = 0; t < per; t++) out.sxx[c * per + t] *= f;
  }
  return out;
}
