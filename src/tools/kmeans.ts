/**
 * k-means — the special case of hard EM with equal weights and equal spherical covariances — seeded by greedy
 * k-means++ (as scikit-learn). It runs on the same E-pass kernel as EM: identity precisions make the log density
 * −½‖x − c‖², `hard` makes responsibilities the nearest-center assignment, and the statistics give new centers.
 */
import type { Backend } from '../backends/types.js';
import { getBackend } from '../backends/index.js';
import { OptionError } from '../api/errors.js';
import { toRows, toSampleWeight, type Matrix, type Rows } from '../data/matrix.js';
import type { BackendChoice } from '../api/options.js';
import { Random } from '../util/random.js';
import type { SufficientStats } from '../model/stats.js';
import { forEachBlock, nearestCenterWorkspace, rowOf, sqDist } from '../init/distances.js';
import { dataMoments, kmeansPlusPlus } from '../init/seeding.js';

export interface KMeansOptions {
  /** Restarts; the lowest inertia wins (default 1). */
  nInit?: number;
  /** Lloyd iterations per restart (default 300). */
  maxIter?: number;
  /** Stop when the squared center shift is below tol × mean feature variance (default 1e-4, as scikit-learn). */
  tol?: number;
  seed?: number;
  sampleWeight?: ArrayLike<number>;
  backend?: BackendChoice;
}

export interface KMeansResult {
  centers: Float64Array[];
  labels: Int32Array;
  /** Σ w·‖x − center‖² at the final centers. */
  inertia: number;
  nIter: number;
  converged: boolean;
}

export interface LloydResult {
  centers: Float64Array;
  inertia: number;
  nIter: number;
  converged: boolean;
}

/**
 * Data work Lloyd's iterations (and the nearest-seed statistics of initialisation) ask for. `lloyd` serves it
 * in-process; fitAsync fans 'assign' out to its workers (the statistics add) and asks worker 0 for 'farthest'.
 */
export type LloydRequest =
  /**
   * Statistics of the nearest-center assignment: a hard E-pass with precisions s⁻¹·I (diagonal of full k×d×d
   * matrices, or k×d) and zero log constants, so the log density is −½‖(x − c)·s⁻¹‖².
   */
  | { type: 'assign'; centers: Float64Array; invScale: number; kind: 'full' | 'diag' }
  /** The `count` rows farthest from their nearest center, farthest first (earlier row first on ties). */
  | { type: 'farthest'; centers: Float64Array; invScale: number; count: number };

/** Serves an 'assign' request over rows [start, end). */
export function serveAssign(
  rows: Rows, w: Float64Array | null, req: Extract<LloydRequest, { type: 'assign' }>, backend: Backend, start = 0, end = rows.n,
): SufficientStats {
  return nearestCenterWorkspace(backend, rows.d, req.centers, req.invScale, req.kind).accumulate(rows, w, true, start, end);
}

/** Serves a 'farthest' request over all rows (scikit-learn's remedy for empty clusters picks these rows). */
export function farthestRows(rows: Rows, req: Extract<LloydRequest, { type: 'farthest' }>): Float64Array[] {
  const { d } = rows;
  const { centers, invScale, count } = req;
  const k = centers.length / d;
  const far: { i: number; dist: number }[] = [];
  forEachBlock(rows, (buf, s, n) => {
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let c = 0; c < k; c++) best = Math.min(best, sqDist(buf, i * d, centers, c * d, d, invScale));
      far.push({ i: s + i, dist: best });
      if (far.length > 4 * count) {
        far.sort((a, b) => b.dist - a.dist);
        far.length = count;
      }
    }
  });
  far.sort((a, b) => b.dist - a.dist);
  return far.slice(0, count).map((f) => rowOf(rows, f.i));
}

/** Serves any Lloyd request in-process over all rows. */
export function serveLloyd(rows: Rows, w: Float64Array | null, req: LloydRequest, backend: Backend): SufficientStats | Float64Array[] {
  return req.type === 'assign' ? serveAssign(rows, w, req, backend) : farthestRows(rows, req);
}

/**
 * Lloyd iterations from the given centers, as a generator of data requests (see LloydRequest). Distances,
 * `tolScaled` and the returned inertia are in units of s (invScale = s⁻¹, a power of two; see sqDist); the inertia
 * costs one more pass and is computed only `withInertia` (NaN otherwise).
 */
export function* lloydSteps(
  init: Float64Array, k: number, d: number, maxIter: number, tolScaled: number, invScale: number, withInertia: boolean,
): Generator<LloydRequest, LloydResult, unknown> {
  let centers = init.slice();
  let converged = false;
  let nIter = 0;
  for (let it = 1; it <= maxIter; it++) {
    nIter = it;
    const st = (yield { type: 'assign', centers, invScale, kind: 'diag' }) as SufficientStats;
    const next = centers.slice();
    let shift = 0;
    const empty: number[] = [];
    for (let c = 0; c < k; c++) {
      if (st.nk[c] === 0) {
        empty.push(c);
        continue;
      }
      for (let j = 0; j < d; j++) {
        const dj = st.sx[c * d + j] / st.nk[c];
        next[c * d + j] += dj;
        shift += (dj * invScale) ** 2;
      }
    }
    if (empty.length > 0) {
      // empty clusters move onto the rows farthest from their nearest (current) center
      const far = (yield { type: 'farthest', centers, invScale, count: empty.length }) as Float64Array[];
      empty.forEach((c, t) => next.set(far[Math.min(t, far.length - 1)], c * d));
    }
    centers = next;
    if (empty.length === 0 && shift <= tolScaled) {
      converged = true;
      break;
    }
  }
  const inertia = withInertia ? -2 * ((yield { type: 'assign', centers, invScale, kind: 'diag' }) as SufficientStats).logLik : NaN;
  return { centers, inertia, nIter, converged };
}

/** Lloyd iterations in-process (see lloydSteps), with the inertia. */
export function lloyd(
  rows: Rows, w: Float64Array | null, init: Float64Array, k: number, backend: Backend,
  maxIter: number, tolScaled: number, invScale = 1,
): LloydResult {
  const steps = lloydSteps(init, k, rows.d, maxIter, tolScaled, invScale, true);
  let s = steps.next();
  while (!s.done) s = steps.next(serveLloyd(rows, w, s.value, backend));
  return s.value;
}

/** k-means clustering of X into k clusters (Lloyd's algorithm seeded by greedy k-means++). */
export function kmeans(X: Matrix, k: number, options: KMeansOptions = {}): KMeansResult {
  if (!Number.isInteger(k) || k < 1) throw new OptionError('k', `k must be an integer ≥ 1; got ${String(k)}`);
  const nInit = options.nInit ?? 1;
  const maxIter = options.maxIter ?? 300;
  const tol = options.tol ?? 1e-4;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(nInit) || nInit < 1) throw new OptionError('nInit', `nInit must be an integer ≥ 1; got ${String(nInit)}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new OptionError('maxIter', `maxIter must be an integer ≥ 1; got ${String(maxIter)}`);
  if (!(typeof tol === 'number' && tol >= 0 && Number.isFinite(tol))) throw new OptionError('tol', `tol must be a finite number ≥ 0; got ${String(tol)}`);
  if (!Number.isSafeInteger(seed)) throw new OptionError('seed', `seed must be a safe integer; got ${String(seed)}`);
  const rows = toRows(X);
  const w = toSampleWeight(options.sampleWeight, rows.n);
  if (rows.n < k) throw new OptionError('k', `k = ${k} clusters need at least ${k} rows; X has ${rows.n}`);
  const backend = getBackend(options.backend ?? 'auto');
  const rng = new Random(seed);
  const { invScale, scaledMeanVariance } = dataMoments(rows, w, backend);
  const tolScaled = tol * scaledMeanVariance;
  let best: LloydResult | null = null;
  for (let r = 0; r < nInit; r++) {
    const res = lloyd(rows, w, kmeansPlusPlus(rows, k, w, rng, backend, invScale), k, backend, maxIter, tolScaled, invScale);
    if (!best || res.inertia < best.inertia) best = res;
  }
  const { d } = rows;
  const b = best!;
  const labels = new Int32Array(rows.n);
  nearestCenterWorkspace(backend, d, b.centers, invScale, 'diag').forEachLogProb(rows, (s, count, lp) => argmaxRows(lp, count, k, labels, s));
  const centers: Float64Array[] = [];
  for (let c = 0; c < k; c++) centers.push(b.centers.slice(c * d, (c + 1) * d));
  // back from units of s² (two divisions: s² alone may overflow where the inertia does not)
  return { centers, labels, inertia: b.inertia / invScale / invScale, nIter: b.nIter, converged: b.converged };
}

/**
 * labels[offset + r] = argmax of row r of the count×k matrix m (first maximum wins). A row with a NaN entry gets 0:
 * such a row (x − μ overflowed) has density 0 under every component, and predictProba makes it uniform.
 */
export function argmaxRows(m: Float64Array, count: number, k: number, labels: Int32Array, offset: number): void {
  for (let r = 0; r < count; r++) {
    let best = 0;
    let bv = m[r * k];
    let nan = Number.isNaN(bv);
    for (let c = 1; c < k; c++) {
      const v = m[r * k + c];
      if (v > bv) {
        bv = v;
        best = c;
      } else if (v !== v) nan = true;
    }
    labels[offset + r] = nan ? 0 : best;
  }
}
