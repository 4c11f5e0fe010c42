/**
 * mclust's covariance models (Σk = λk·Dk·Ak·Dkᵀ, the math in mclust/) as CovarianceModels. One builder serves the
 * ten models scikit-learn does not have; the four it has (VII, VVI, EEE, VVV) are its spherical, diag, tied and full
 * models under another name and public shape — the same arithmetic, so the same results bit for bit.
 *
 * The M-step: each component's scatter W_k around its new mean from the E-pass statistics, n_k·regCovar added to
 * its diagonal (mclust/regularise.ts: the constraint then holds exactly for any regCovar), mclust's estimate, and
 * the covariances in the model's storage. Three things are gaussmix's own:
 *  - scale: mclust's tests of EVE/VVE (an eigenvalue of W_k below √ε) and EVV (|W_k|^{1/D} ≤ √ε) are absolute,
 *    so data in small units fail where the same data in large units succeed. When the estimate fails, it is tried
 *    once more with W multiplied by a power of two that brings the mean variance near 1 (Σ divided by it after);
 *    only if that fails too is the M-step a failure. (Always rescaling would break parity: mclust's inner
 *    convergence tests, |Δt|/(1 + |t|), and VEE's start λ = 1 are not scale invariant either.)
 *  - warm start: the iterative models start their inner loop from state recovered from the previous covariances
 *    (mclust/warm.ts) instead of state carried beside the parameters; at initialisation they start cold, as me()
 *    does (VEV from mevev's start);
 *  - failure: where mclust reports "cannot compute M-step" (NA parameters), the component with the most nearly
 *    singular scatter is reported as degenerate, and the onDegenerate policy decides (error or reset).
 * Components that received no responsibility are left out of the estimate and keep their previous covariance, as
 * in the other models (EM reports them as vanished).
 */
import { symmetricEigen } from '../eigen.js';
import type { Layout } from './layouts.js';
import {
  checkMclustConstraints,
  DEFAULT_INNER_CONTROL,
  mclustMStep,
  nVarParams,
  regulariseScatter,
  vevMeColdStart,
  WARM_STARTED_MODELS,
  type MclustCovariance,
  type MclustModelName,
  type WarmStart,
} from './mclust/index.js';
import { warmStartFrom } from './mclust/warm.js';
import { compressBlocks, expandBlocks } from './public-shape.js';
import { centering, rawScatter } from './scatter.js';
import type { CovarianceModel, ScatterInput } from './types.js';

/** What every mclust-named model shares: the K×D×D public shape and its conversions, checked against the constraint. */
function publicShape(name: MclustModelName, layout: Layout) {
  return {
    shape: (k: number, d: number) => [k, d, d],
    toPublic: (storage: Float64Array, k: number, d: number) => expandBlocks(layout, storage, k, d),
    fromPublic(values: Float64Array, k: number, d: number): Float64Array {
      const why = checkMclustConstraints(name, values, d, k);
      if (why) throw new Error(`not a covariance of model ${why}`);
      return compressBlocks(layout, values, k, d);
    },
  };
}

/** One of scikit-learn's four models under its mclust name (VII, VVI, EEE, VVV): its arithmetic, K×D×D in public. */
export function mclustTwin(name: MclustModelName, twin: CovarianceModel): CovarianceModel {
  return { ...twin, name, estimate: priorRoute(name, twin), ...publicShape(name, twin.layout) };
}

/**
 * A scikit-learn model's estimate, or with a conjugate prior mclust's (the prior changes the scatter the estimate
 * starts from; without one the two are the same arithmetic, and scikit-learn's is kept bit for bit).
 */
export function priorRoute(name: MclustModelName, twin: CovarianceModel): CovarianceModel['estimate'] {
  return (m) => (m.prior ? estimate(name, twin.layout, m) : twin.estimate(m));
}

/**
 * An mclust model stored in `twin`'s layout (the scikit-learn model with the same storage, whose noise floors and
 * fallback covariances it shares: the floors only depend on the statistics, and a fallback — a diagonal of data
 * variances, equal for every component — satisfies every model's constraint).
 */
export function mclustModel(name: MclustModelName, twin: CovarianceModel): CovarianceModel {
  const { layout } = twin;
  return {
    name,
    layout,
    statsKind: name[2] === 'I' ? 'diag' : 'full',
    nParams: (k, d) => nVarParams(name, d, k),
    estimate: (m) => estimate(name, layout, m),
    floors: (m, cov) => twin.floors(m, cov),
    fromVariances: (v, k) => twin.fromVariances(v, k),
    reseed: 'heaviest',
    ...publicShape(name, layout),
  };
}

function estimate(name: MclustModelName, layout: Layout, m: ScatterInput): Float64Array {
  const { st, nk, delta, empty, regCovar, prev } = m;
  const { k, d } = st;
  const dd = d * d;
  const out = prev.slice();
  const live: number[] = [];
  for (let c = 0; c < k; c++) if (!empty[c]) live.push(c);
  const kl = live.length;
  if (kl === 0) return out;

  // W_k = S − f·n_k·δδᵀ around the new mean (scatter.ts), upper triangle mirrored; only the diagonal for .I models
  const W = new Float64Array(kl * dd);
  const n = new Float64Array(kl);
  live.forEach((c, t) => {
    n[t] = nk[c];
    const fc = centering(m, c) * nk[c];
    const full = st.sxxKind === 'full';
    for (let i = 0; i < d; i++) {
      const di = delta[c * d + i];
      for (let j = i; j < (full ? d : i + 1); j++) {
        const w = rawScatter(m, c, i, j) - fc * di * delta[c * d + j];
        W[t * dd + i * d + j] = w;
        W[t * dd + j * d + i] = w;
      }
    }
  });
  let Wr = regulariseScatter(W, n, d, kl, regCovar);
  if (m.prior) {
    const xbar = new Float64Array(kl * d);
    live.forEach((c, t) => {
      for (let j = 0; j < d; j++) xbar[t * d + j] = st.centers[c * d + j] + delta[c * d + j];
    });
    const post = m.prior(Wr, n, xbar, st.sxxKind === 'full' && name[2] !== 'I');
    Wr = post.W;
    n.set(post.n);
  }
  // mclust's own arithmetic first (its convergence tests and VEE's start λ = 1 are not scale invariant, so any
  // rescaling would move where the inner loop stops); only if that fails, once more in units of the mean variance
  let res = constrained(name, layout, m, live, Wr, n, 1);
  const s = unitScale(Wr, n, d, kl);
  if (!res.ok && s !== 1) {
    const retry = constrained(name, layout, m, live, Wr, n, s);
    if (retry.ok) res = retry;
  }
  if (!res.ok) {
    m.failures?.push(blame(name, Wr, n, d, live, res.warning ?? 'cannot compute M-step'));
    return out;
  }
  const sigma = res.sigma;
  const blocks = compressBlocks(layout, sigma, kl, d);
  const per = layout.blockSize(d);
  if (layout.shared) return blocks; // one matrix for all (EEE): no per-component blocks to place
  live.forEach((c, t) => out.set(blocks.subarray(t * per, (t + 1) * per), c * per));
  return out;
}

/** mclust's estimate from the scatter W multiplied by the power of two s (Σ divided by it again). */
function constrained(
  name: MclustModelName,
  layout: Layout,
  m: ScatterInput,
  live: number[],
  W: Float64Array,
  n: Float64Array,
  s: number,
): MclustCovariance {
  const { k, d } = m.st;
  const dd = d * d;
  const kl = live.length;
  const input = { W: s === 1 ? W : W.map((v) => v * s), nk: n, d, k: kl };
  let warm: WarmStart | null = null;
  if (m.warm && WARM_STARTED_MODELS.includes(name)) {
    const all = expandBlocks(layout, m.prev, k, d);
    const sigma = new Float64Array(kl * dd);
    live.forEach((c, t) => sigma.set(all.subarray(c * dd, (c + 1) * dd), t * dd));
    warm = warmStartFrom(name, sigma, d, kl);
    if (warm?.scale && s !== 1) warm.scale = warm.scale.map((v) => v * s);
  } else if (name === 'VEV') {
    warm = vevMeColdStart(input); // me()'s first EM iteration starts here, not where mstep() does
  }
  const res = mclustMStep(name, input, m.inner ?? DEFAULT_INNER_CONTROL, warm);
  if (res.ok && s !== 1) res.sigma = res.sigma.map((v) => v / s);
  return res;
}

/** A power of two that brings Σ_k tr(W_k) / (n·D) — the mean variance — near 1 (1 when that is 0 or not finite). */
function unitScale(W: Float64Array, n: Float64Array, d: number, k: number): number {
  let tr = 0;
  let total = 0;
  for (let c = 0; c < k; c++) {
    total += n[c];
    for (let j = 0; j < d; j++) tr += W[c * d * d + j * d + j];
  }
  const v = tr / (total * d);
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const e = Math.max(-1000, Math.min(1000, -Math.round(Math.log2(v))));
  return 2 ** e;
}

/** The component whose (regularised) scatter is closest to singular, and why the M-step failed. */
function blame(
  name: MclustModelName,
  W: Float64Array,
  n: Float64Array,
  d: number,
  live: number[],
  warning: string,
): { component: number; detail: string } {
  const dd = d * d;
  let worst = 0;
  let worstRatio = Infinity;
  live.forEach((_c, t) => {
    const e = symmetricEigen(W, d, t * dd).values;
    const ratio = e[0] > 0 ? e[d - 1] / e[0] : -Infinity;
    if (!(ratio >= worstRatio)) {
      worstRatio = ratio;
      worst = t;
    }
  });
  let total = 0;
  for (let t = 0; t < n.length; t++) total += n[t];
  const ratio = Number.isFinite(worstRatio) ? worstRatio.toExponential(2) : String(worstRatio);
  return {
    component: live[worst],
    detail:
      `the ${name} M-step cannot be computed (mclust: "${warning}"); its scatter is the most nearly singular ` +
      `(smallest/largest eigenvalue ${ratio}; it holds ${n[worst].toPrecision(3)} of the total weight ${total.toPrecision(3)})`,
  };
}
