/**
 * Initial parameters for one EM run, as scikit-learn: initial responsibilities from the chosen `initParams`,
 * one M-step from them, then user-supplied weightsInit / meansInit / precisionsInit override their parts.
 * Hard seeds (kmeans, k-means++, random_from_data) assign every row to its nearest seed point.
 */
import type { Backend } from '../backends/types.js';
import { OptionError } from '../api/errors.js';
import { forEachBlock } from './distances.js';
import { lloydSteps, serveLloyd, type LloydRequest } from '../tools/kmeans.js';
import { dataMomentsSteps, isSeedRequest, kmeansPlusPlusSteps, SeedServer, seedChunkCount, type SeedRequest } from './seeding.js';
import type { Rows } from '../data/matrix.js';
import { degenerateError } from '../model/degeneracy.js';
import { mStepChecked } from '../model/mstep.js';
import type { CovarianceType, ResolvedOptions } from '../api/options.js';
import { covFromPrecChol, covShape, covSize, precCholFromCov, precCholFromPrecision, type Params } from '../model/params.js';
import type { Random } from '../util/random.js';
import { emptyStats, sxxKindOf, type SufficientStats } from '../model/stats.js';

/** Placeholder parameters for components that receive no rows at initialisation: the data's spread. */
function fallbackParams(covType: CovarianceType, k: number, d: number, mean: Float64Array, variance: Float64Array, reg: number): Params {
  const cov = new Float64Array(covSize(covType, k, d));
  const v = (j: number): number => (variance[j] > 0 ? variance[j] : 1) + reg;
  if (covType === 'full' || covType === 'tied') {
    for (let c = 0; c < (covType === 'full' ? k : 1); c++) for (let j = 0; j < d; j++) cov[c * d * d + j * d + j] = v(j);
  } else if (covType === 'diag') {
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) cov[c * d + j] = v(j);
  } else {
    let s = 0;
    for (let j = 0; j < d; j++) s += v(j);
    cov.fill(s / d);
  }
  const precChol = new Float64Array(cov.length);
  precCholFromCov(cov, covType, k, d, precChol);
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) means.set(mean, c * d);
  return { k, d, covType, weights: new Float64Array(k).fill(1 / k), means, covariances: cov, precChol };
}

/** Statistics of uniformly random soft responsibilities (scikit-learn's 'random'), centered on the data mean. */
function randomStats(rows: Rows, w: Float64Array | null, k: number, covType: CovarianceType, mean: Float64Array, rng: Random): SufficientStats {
  const { d } = rows;
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) centers.set(mean, c * d);
  const st = emptyStats(k, d, sxxKindOf(covType), centers);
  const r = new Float64Array(k);
  const diff = new Float64Array(d);
  forEachBlock(rows, (buf, s, count) => {
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += r[c] = rng.random();
      const wi = w ? w[s + i] : 1;
      st.sumW += wi;
      for (let j = 0; j < d; j++) diff[j] = buf[i * d + j] - mean[j];
      for (let c = 0; c < k; c++) {
        const wr = (wi * r[c]) / sum;
        st.nk[c] += wr;
        for (let j = 0; j < d; j++) st.sx[c * d + j] += wr * diff[j];
        if (st.sxxKind === 'full') {
          for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) st.sxx[c * d * d + a * d + b] += wr * diff[a] * diff[b];
        } else {
          for (let j = 0; j < d; j++) st.sxx[c * d + j] += wr * diff[j] * diff[j];
        }
      }
    }
  });
  return st;
}

function distinctRows(rows: Rows, k: number, rng: Random): Float64Array {
  // Partial Fisher–Yates over indices without materialising all n of them.
  const picked = new Map<number, number>();
  const seeds = new Float64Array(k * rows.d);
  for (let t = 0; t < k; t++) {
    const j = t + rng.int(rows.n - t);
    const vj = picked.get(j) ?? j;
    picked.set(j, picked.get(t) ?? t);
    rows.copyRows(vj, 1, seeds, t * rows.d);
  }
  return seeds;
}

/** Checks the shape of precisionsInit for this covariance type and feature count. */
function checkPrecisionsShape(shape: number[], covType: CovarianceType, k: number, d: number): void {
  const want = covShape(covType, k, d);
  if (shape.length !== want.length || shape.some((s, i) => s !== want[i])) {
    throw new OptionError(
      'precisionsInit',
      `precisionsInit for covarianceType '${covType}' must have shape [${want.join(', ')}]; got [${shape.join(', ')}]`,
    );
  }
}

/**
 * The M-step from the initial responsibilities. A component whose covariance is not positive definite raises a
 * DegenerateError under onDegenerate 'error'; under 'reset' it starts from the data's spread instead (the fallback).
 */
function initialMStep(st: SufficientStats, fallback: Params, o: ResolvedOptions): Params {
  const { covarianceType: covType, regCovar } = o;
  const r = mStepChecked(st, fallback, { covType, regCovar, freeze: [], iteration: 0 });
  if (r.degenerate.length === 0) return r.params;
  if (o.onDegenerate !== 'reset') throw degenerateError(r.degenerate[0], 0, 0, 1, regCovar);
  const { k, d } = fallback;
  const per = covSize(covType, 1, d);
  const covariances = r.params.covariances.slice();
  const precChol = r.params.precChol.slice();
  for (const b of r.degenerate) {
    const c = Math.max(0, b.component);
    covariances.set(fallback.covariances.subarray(c * per, (c + 1) * per), c * per);
    precChol.set(fallback.precChol.subarray(c * per, (c + 1) * per), c * per);
  }
  return { ...r.params, k, covariances, precChol };
}

/**
 * The row-by-row draws of 'random' (the statistics of random responsibilities, centered on the data mean) and
 * 'random_from_data' (the seed points): one pass over every row in order with the fit's Random. fitAsync asks
 * worker 0 for it, handing over the Random's state; everything else fans out (see initSteps).
 */
export interface InitPrep {
  seeds: Float64Array | null;
  stats: SufficientStats | null;
}

export function prepareInit(rows: Rows, w: Float64Array | null, o: ResolvedOptions, rng: Random, mean: Float64Array): InitPrep {
  const k = o.nComponents;
  if (o.initParams === 'random') return { seeds: null, stats: randomStats(rows, w, k, o.covarianceType, mean, rng) };
  return { seeds: distinctRows(rows, k, rng), stats: null };
}

/**
 * Data work initialisation asks for: the moments' and k-means++'s chunked passes (seeding.ts), the in-order pass of
 * the random starts, then Lloyd's and the nearest-seed passes.
 */
export type InitRequest = { type: 'prepare'; mean: Float64Array } | SeedRequest | LloydRequest;

/**
 * Initial parameters for one EM run over n rows (`weighted`: with sample weights), as a generator of data requests
 * (served by `initialParams` in-process, by workers in fitAsync). `rng` is the fit's Random: the 'prepare' pass draws
 * from it too, so a server of 'prepare' must use this same generator (fitAsync hands its state to the worker and
 * back). Shapes of user-supplied starts are checked first, before any data pass.
 */
export function* initSteps(o: ResolvedOptions, n: number, d: number, weighted: boolean, rng: Random): Generator<InitRequest, Params, unknown> {
  const k = o.nComponents;
  const covType = o.covarianceType;
  if (o.meansInit && o.meansInit[0].length !== d) {
    throw new OptionError('meansInit', `meansInit must be ${k}×${d} (nComponents × features of X); got ${k}×${o.meansInit[0].length}`);
  }
  if (o.precisionsInit) checkPrecisionsShape(o.precisionsInit.shape, covType, k, d);

  let p: Params;
  const needResp = !(o.weightsInit && o.meansInit && o.precisionsInit);
  if (needResp) {
    const m = yield* dataMomentsSteps(n, d);
    const fallback = fallbackParams(covType, k, d, m.mean, m.variance, o.regCovar);
    let st: SufficientStats | null = null;
    let seeds: Float64Array | null = null;
    if (o.initParams === 'random' || o.initParams === 'random_from_data') {
      ({ seeds, stats: st } = (yield { type: 'prepare', mean: m.mean }) as InitPrep);
    } else {
      seeds = yield* kmeansPlusPlusSteps(n, d, k, weighted, m.invScale, rng);
    }
    if (!st) {
      if (o.initParams === 'kmeans') {
        seeds = (yield* lloydSteps(seeds!, k, d, 300, 1e-4 * m.scaledMeanVariance, m.invScale, false)).centers;
      }
      // every row to its nearest seed, exactly Euclidean (s a power of two) at any data scale
      st = (yield { type: 'assign', centers: seeds!, invScale: m.invScale, kind: sxxKindOf(covType) }) as SufficientStats;
    }
    p = initialMStep(st, fallback, o);
  } else {
    p = { k, d, covType, weights: new Float64Array(k), means: new Float64Array(k * d), covariances: new Float64Array(covSize(covType, k, d)), precChol: new Float64Array(covSize(covType, k, d)) };
  }
  const weights = o.weightsInit ? o.weightsInit.slice() : p.weights;
  const means = p.means;
  if (o.meansInit) o.meansInit.forEach((m, c) => means.set(m, c * d));
  if (o.precisionsInit) {
    const precChol = new Float64Array(covSize(covType, k, d));
    const bad = precCholFromPrecision(o.precisionsInit.values, covType, k, d, precChol);
    if (bad >= 0) {
      throw new OptionError('precisionsInit', `precisionsInit must be positive definite; ${covType === 'tied' ? 'the tied precision' : `component ${bad}`} is not`);
    }
    const covariances = new Float64Array(precChol.length);
    covFromPrecChol(precChol, covType, k, d, covariances);
    return { k, d, covType, weights, means, covariances, precChol };
  }
  return { ...p, weights, means };
}

/** Initial parameters in-process: initSteps with every request served over all rows. */
export function initialParams(rows: Rows, w: Float64Array | null, o: ResolvedOptions, rng: Random, backend: Backend): Params {
  const steps = initSteps(o, rows.n, rows.d, w !== null, rng);
  let seeding: SeedServer | null = null;
  let s = steps.next();
  while (!s.done) {
    const req = s.value;
    let reply: unknown;
    if (isSeedRequest(req)) {
      reply = (seeding ??= new SeedServer(rows, w, backend, 0, seedChunkCount(rows.n))).serve(req);
    } else {
      seeding = null; // seeding is over: its per-row distances can go
      reply = req.type === 'prepare' ? prepareInit(rows, w, o, rng, req.mean) : serveLloyd(rows, w, req, backend);
    }
    s = steps.next(reply);
  }
  return s.value;
}
