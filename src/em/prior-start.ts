/**
 * MAP-EM's start: the prior's data-dependent defaults (mclust's defaultPrior — column means, and the variances or
 * covariance matrix its scale is made of) from two E-passes over all rows, then the EM loop with the resolved prior.
 * E-passes, not initialisation's requests, because every driver serves them over every row (a stream's
 * initialisation requests see only its sample), so fit, fitAsync and fitStream resolve the same prior.
 */
import type { DataShape } from '../init/init.js';
import type { KernelParams } from '../model/params.js';
import { resolvePrior, type PriorOption, type ResolvedPrior } from '../model/prior.js';
import { LAYOUT_CODE } from '../model/covariance/layouts.js';
import { emLoop, type EMConfig, type WarmStart } from './loop.js';
import { ask, type EMResult, type Steps } from './protocol.js';

/** One flat component (zero precision factor, log constant 0): its E-pass statistics are the data's raw moments. */
function flat(d: number, center: Float64Array): KernelParams {
  return {
    k: 1,
    d,
    layout: LAYOUT_CODE.tri,
    sxxKind: 'full',
    means: center,
    prec: new Float64Array(d * d),
    logConst: new Float64Array(1),
  };
}

/**
 * Column means and the covariance matrix of all rows (weighted by sampleWeight; denominator n − 1 without weights,
 * as R's var(), and Σw with them), and Σw. The second pass is centered on the first's mean (no E[xxᵀ] − μμᵀ).
 */
export function* dataCovarianceSteps(
  d: number,
  weighted: boolean,
): Steps<{ mean: Float64Array; cov: Float64Array; n: number }> {
  const first = yield* ask({ type: 'estep', params: flat(d, new Float64Array(d)), hard: false });
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = first.sx[j] / first.nk[0];
  const st = yield* ask({ type: 'estep', params: flat(d, mean), hard: false });
  const n = st.nk[0];
  // the mean of the second pass's deviations is ~ε·scale; it is removed exactly as the M-step does
  const denom = weighted ? n : n - 1;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const di = st.sx[i] / n;
    for (let j = i; j < d; j++) {
      const v = (st.sxx[i * d + j] - n * di * (st.sx[j] / n)) / denom;
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  for (let j = 0; j < d; j++) mean[j] += st.sx[j] / n;
  return { mean, cov, n };
}

/** The prior's hyper-parameters for this fit: the given ones, the rest from the data (one or two E-passes). */
export function* resolvePriorSteps(o: EMConfig, given: PriorOption, data: DataShape): Steps<ResolvedPrior> {
  const needsData = given.mean === undefined || given.scale === undefined;
  const m = needsData
    ? yield* dataCovarianceSteps(data.d, data.weighted)
    : { mean: new Float64Array(data.d), cov: new Float64Array(data.d * data.d), n: 0 };
  return resolvePrior(o.covarianceType, o.nComponents, data.d, m.n, m.mean, m.cov, given);
}

/** EM (em/loop.ts), with a conjugate prior when `prior` is given: its defaults are resolved first. */
export function* emWithPrior(
  o: EMConfig,
  prior: PriorOption | null,
  data: DataShape,
  warm: WarmStart | null,
): Steps<EMResult & { priorParams: ResolvedPrior | null }> {
  const priorParams = prior ? yield* resolvePriorSteps(o, prior, data) : null;
  const r = yield* emLoop(priorParams ? { ...o, priorParams } : o, data, warm);
  return { ...r, priorParams };
}
