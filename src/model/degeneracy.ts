/**
 * Degenerate components and the `onDegenerate` policy.
 *
 * A component is degenerate after an M-step when
 *  - its responsibility mass vanished: Σr < ε·Σw (its weight is below machine epsilon — it explains none of the
 *    data; a mean or covariance estimated from it is noise), or
 *  - its covariance (after adding regCovar) is not numerically positive definite: it collapsed onto a point, a
 *    line, a plane… (constant, one-hot or collinear columns within the component; fewer distinct points than D + 1).
 *    "Numerically": a Cholesky pivot (a variance for diag/spherical) must exceed the rounding noise it was computed
 *    with (PIVOT_NOISE in mstep.ts). A covariance that is exactly singular but came out barely positive through
 *    rounding is degenerate in the M-step that produced it; letting it through made the next E-step's densities
 *    noise and the lower bound fall with no reset, one iteration before rounding happened to go negative.
 *
 * Policy 'error' (the default, like scikit-learn's ValueError and mclust's NA) throws a DegenerateError naming the
 * component, the iteration and what to do. Policy 'reset' applies the course notes' hot-fix: the component is
 * re-seeded at the worst-explained row (lowest log p(x) under the surviving components), with the surviving
 * components' pooled covariance and weight 1/K, and EM continues. Each reset is recorded (`gmm.resets`, a warning);
 * the lower bound is monotone between resets (a reset may lower it). A re-seeding fails when the re-seeded component
 * degenerates again; its row is then never a seed again in that run, so a reset cannot loop on one point (with
 * regCovar 0 an isolated outlier — the worst-explained row — captures the component and collapses every time).
 * After RESEED_FAILURES (3) failed re-seedings in a run, or RESETS_PER_COMPONENT·K resets in all (em.ts), 'reset'
 * gives up with a DegenerateError that says to raise regCovar (or use fewer components): the likelihood is then
 * unbounded on these data, and the last reset state would be no model worth returning.
 *
 * Why 'error' is the default: a degenerate component means the model asked for does not exist for these data (more
 * components than the data support, or a singular feature with regCovar too small). Re-seeding silently would hand
 * back a model that depends on a heuristic, whose lower bound is not monotone and which differs from what
 * scikit-learn (ValueError) or mclust (NA) give for the same call. An error that names the component, the iteration,
 * the diagnosis (which feature is constant or collinear, how much mass the component held) and the fixes — including
 * `onDegenerate: 'reset'` — costs one re-run; a silently re-seeded model can cost a wrong analysis. Data that cannot
 * support K distinct components at all (fewer distinct rows than K) are refused before EM starts, for the same reason.
 */
import { FitError } from '../api/errors.js';
import type { Layout } from './covariance/registry.js';
import { modelOf, type Frozen, type Params } from './params.js';
import type { SufficientStats } from './stats.js';

export type { OnDegenerate } from '../api/options.js';

/** A component found degenerate by the M-step. `component` is -1 for the shared ('tied') covariance. */
export interface Degeneracy {
  component: number;
  reason: 'vanished' | 'not-pd';
  /** Human-readable diagnosis (which feature, how much mass). */
  detail: string;
}

/** A re-seeding performed under onDegenerate: 'reset'. */
export interface ResetRecord {
  /** Restart (0-based, < nInit). */
  init: number;
  /** EM iteration (1-based) whose M-step produced the degenerate component. */
  iteration: number;
  component: number;
  reason: 'vanished' | 'not-pd';
  detail: string;
}

/** EM hit a degenerate component under onDegenerate: 'error' (or one that no reset can repair). */
export class DegenerateError extends FitError {
  constructor(
    message: string,
    /** The component (-1: the tied covariance). */
    readonly component: number,
    /** 1-based EM iteration; 0 = initialisation. */
    readonly iteration: number,
    readonly reason: 'vanished' | 'not-pd',
    /** 0-based restart. */
    readonly init: number,
  ) {
    super(message);
  }
}

const where = (iteration: number, init: number, nInit: number): string =>
  `${iteration === 0 ? 'at initialisation' : `at iteration ${iteration}`}${nInit > 1 ? ` of restart ${init + 1}/${nInit}` : ''}`;

const who = (b: Degeneracy): string => (b.component < 0 ? 'the tied covariance' : `component ${b.component}`);

/** The error thrown under onDegenerate: 'error'. */
export function degenerateError(
  b: Degeneracy,
  iteration: number,
  init: number,
  nInit: number,
  regCovar: number,
): DegenerateError {
  const what =
    b.reason === 'vanished'
      ? `${who(b)} vanished ${where(iteration, init, nInit)}: ${b.detail}.`
      : `EM failed ${where(iteration, init, nInit)}: ${who(b)} is not positive definite — ${b.detail}.`;
  const fixes =
    b.reason === 'vanished'
      ? ` Use fewer components (nComponents), start from other seeds (seed, nInit, initParams), or pass onDegenerate: 'reset' to ` +
        're-seed vanishing components at the worst-explained points.'
      : ` Increase regCovar (now ${regCovar}; it is in squared data units, e.g. 1e-6 × a typical feature variance), use fewer ` +
        "components, rescale or drop degenerate columns, or pass onDegenerate: 'reset' to re-seed collapsing components.";
  return new DegenerateError(what + fixes, b.component, iteration, b.reason, init);
}

const num = (v: number): string =>
  v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(3);

/**
 * Why covariance block b is not positive definite: the feature where it fails and what it means. `floor` holds the
 * M-step's noise floors of the pivots (laid out like the diagonal; see covariance/scatter.ts): a pivot at or
 * below its floor is numerically zero, so the diagnosis names the same feature the M-step's test failed on.
 */
export function diagnoseNotPD(
  layout: Layout,
  cov: Float64Array,
  b: number,
  d: number,
  regCovar: number,
  mass: number,
  total: number,
  floor?: Float64Array,
): string {
  const share = `it holds ${num(mass)} of the total weight ${num(total)}`;
  const overflow = `its covariance overflowed (${share}); the data are too large for double precision — rescale X`;
  const f = layout.pivotFailure(cov, b, d, floor);
  if (f.overflow) return overflow;
  const { feature, variance } = f;
  if (f.scalar && !(variance > f.floor)) {
    return `its variance is ${variance <= f.floor && variance > 0 ? '(numerically) 0' : num(variance)} (${share}): it sits on a single point`;
  }
  if (!Number.isFinite(variance)) return overflow;
  if (variance - regCovar <= Math.abs(variance) * 1e-9 || !(variance > f.floor)) {
    return (
      `feature ${feature} has (numerically) zero variance within it (${share}): a constant, one-hot or integer-coded ` +
      'column, or the component sits on a single point'
    );
  }
  return (
    `feature ${feature} is (numerically) a linear combination of features 0–${feature - 1} within it (${share}): ` +
    'perfectly collinear columns, or fewer distinct points than features + 1'
  );
}

/** Components that can be re-seeded; throws (with the reason) when a reset cannot repair the fit. */
export function checkResettable(bad: Degeneracy[], iteration: number, init: number, nInit: number): void {
  const tied = bad.find((b) => b.component < 0);
  if (tied) {
    throw new DegenerateError(
      `EM failed ${where(iteration, init, nInit)}: the tied covariance is not positive definite — ${tied.detail}. ` +
        "onDegenerate: 'reset' cannot repair a shared covariance (re-seeding one component does not change it). " +
        'Increase regCovar, rescale or drop degenerate columns, or use another covarianceType.',
      -1,
      iteration,
      'not-pd',
      init,
    );
  }
}

/** The surviving (non-degenerate) components as a mixture of their own, weights renormalised; null if none. */
export function survivors(p: Params, bad: Degeneracy[]): Params | null {
  const drop = new Set(bad.map((b) => b.component));
  const keep: number[] = [];
  for (let c = 0; c < p.k; c++) if (!drop.has(c)) keep.push(c);
  if (keep.length === 0) return null;
  const { d, covType } = p;
  const { layout } = modelOf(p);
  const k = keep.length;
  const weights = new Float64Array(k);
  let total = 0;
  keep.forEach((c, i) => (total += weights[i] = p.weights[c]));
  for (let i = 0; i < k; i++) weights[i] = total > 0 ? weights[i] / total : 1 / k;
  const means = new Float64Array(k * d);
  keep.forEach((c, i) => means.set(p.means.subarray(c * d, (c + 1) * d), i * d));
  if (layout.shared) return { k, d, covType, weights, means, covariances: p.covariances, precChol: p.precChol };
  const per = layout.blockSize(d);
  const covariances = new Float64Array(k * per);
  const precChol = new Float64Array(k * per);
  keep.forEach((c, i) => {
    covariances.set(p.covariances.subarray(c * per, (c + 1) * per), i * per);
    precChol.set(p.precChol.subarray(c * per, (c + 1) * per), i * per);
  });
  return { k, d, covType, weights, means, covariances, precChol };
}

/**
 * Per-feature variance of all the data, from the statistics of one E-pass (each component's scatter around its
 * new mean plus the spread of the means): the covariance given to re-seeded components when none survives.
 */
function totalVariance(st: SufficientStats): Float64Array {
  const { k, d } = st;
  const full = st.sxxKind === 'full';
  const mean = new Float64Array(d);
  let sw = 0;
  for (let c = 0; c < k; c++) {
    if (!(st.nk[c] > 0)) continue;
    sw += st.nk[c];
    for (let j = 0; j < d; j++) mean[j] += st.nk[c] * (st.centers[c * d + j] + st.sx[c * d + j] / st.nk[c]);
  }
  const v = new Float64Array(d);
  if (!(sw > 0)) return v;
  for (let j = 0; j < d; j++) mean[j] /= sw;
  for (let c = 0; c < k; c++) {
    const n = st.nk[c];
    if (!(n > 0)) continue;
    for (let j = 0; j < d; j++) {
      const s = full ? st.sxx[c * d * d + j * d + j] : st.sxx[c * d + j];
      const delta = st.sx[c * d + j] / n;
      const m = st.centers[c * d + j] + delta - mean[j];
      v[j] += s - n * delta * delta + n * m * m;
    }
  }
  for (let j = 0; j < d; j++) v[j] = Math.max(0, v[j] / sw);
  return v;
}

export interface ResetOptions {
  regCovar: number;
  freeze: readonly Frozen[];
  iteration: number;
  init: number;
  nInit: number;
}

/**
 * Re-seeds the degenerate components of `next` (the M-step's output) at the rows `worst` (lowest log p(x) first):
 * mean = a worst-explained row, covariance = the surviving components' pooled covariance (a copy of the heaviest
 * survivor's for models whose constraint an average breaks: `reseed: 'heaviest'`; if none survives,
 * the data's per-feature variance + regCovar), weight = 1/K with the others scaled to keep the sum 1. Frozen groups
 * stay frozen. Throws DegenerateError when no positive definite covariance can be formed (a constant column with
 * regCovar 0: no reset can help).
 */
export function resetComponents(
  next: Params,
  bad: Degeneracy[],
  worst: Float64Array[],
  st: SufficientStats,
  o: ResetOptions,
): Params {
  const { k, d, covType } = next;
  const model = modelOf(next);
  const { layout } = model;
  const freezeW = o.freeze.includes('weights');
  const freezeM = o.freeze.includes('means');
  const freezeC = o.freeze.includes('covariances');
  const weights = next.weights.slice();
  const means = next.means.slice();
  const covariances = next.covariances.slice();
  const precChol = next.precChol.slice();
  const drop = new Set(bad.map((b) => b.component));
  const per = layout.blockSize(d);

  if (!freezeC && !layout.shared) {
    // Pooled covariance of the survivors: Σ π_j Σ_j / Σ π_j, positive definite as a convex combination of such.
    const pooled = new Float64Array(per);
    let total = 0;
    for (let c = 0; c < k; c++) {
      if (drop.has(c)) continue;
      total += weights[c];
      for (let t = 0; t < per; t++) pooled[t] += weights[c] * covariances[c * per + t];
    }
    if (total > 0 && model.reseed === 'heaviest') {
      // an average would break the model's constraint (equal volumes, shapes…); a survivor's covariance keeps it
      let heaviest = -1;
      for (let c = 0; c < k; c++) if (!drop.has(c) && (heaviest < 0 || weights[c] > weights[heaviest])) heaviest = c;
      pooled.set(covariances.subarray(heaviest * per, (heaviest + 1) * per));
    } else if (total > 0) for (let t = 0; t < per; t++) pooled[t] /= total;
    else {
      const v = totalVariance(st);
      for (let j = 0; j < d; j++) {
        v[j] += o.regCovar;
        if (!(v[j] > 0) || !Number.isFinite(v[j])) {
          throw new DegenerateError(
            `EM failed ${where(o.iteration, o.init, o.nInit)}: every component degenerated and feature ${j} has ${v[j] === 0 ? 'zero variance' : 'no finite variance'} ` +
              'over all of the data, so no re-seeded component can have a positive definite covariance. ' +
              `Increase regCovar (now ${o.regCovar}) or drop the constant column ${j}.`,
            bad[0].component,
            o.iteration,
            bad[0].reason,
            o.init,
          );
        }
      }
      pooled.set(model.fromVariances(v, 1));
    }
    const pc = new Float64Array(per);
    if (layout.factor(pooled, 1, d, pc) >= 0) {
      throw new DegenerateError(
        `EM failed ${where(o.iteration, o.init, o.nInit)}: could not form a positive definite covariance to re-seed ${who(bad[0])}. ` +
          `Increase regCovar (now ${o.regCovar}) or rescale X.`,
        bad[0].component,
        o.iteration,
        bad[0].reason,
        o.init,
      );
    }
    for (const b of bad) {
      covariances.set(pooled, b.component * per);
      precChol.set(pc, b.component * per);
    }
  }
  if (!freezeM) {
    bad.forEach((b, i) => {
      if (worst.length > 0) means.set(worst[i % worst.length], b.component * d);
    });
  }
  if (!freezeW) {
    const share = 1 / k;
    let rest = 0;
    for (let c = 0; c < k; c++) if (!drop.has(c)) rest += weights[c];
    const scale = rest > 0 ? (1 - bad.length * share) / rest : 0;
    for (let c = 0; c < k; c++) weights[c] = drop.has(c) ? share : weights[c] * scale;
    if (!(rest > 0)) for (let c = 0; c < k; c++) weights[c] = share;
    // with a noise component (model/noise.ts) the Gaussians share 1 − π₀, and π₀ stays
    if (next.noise) for (let c = 0; c < k; c++) weights[c] *= 1 - next.noise.weight;
  }
  return { k, d, covType, weights, means, covariances, precChol, ...(next.noise ? { noise: next.noise } : {}) };
}
