/**
 * k-means — the special case of hard EM with equal weights and equal spherical covariances — seeded by greedy
 * k-means++ (as scikit-learn). It runs on the same requests and kernels as EM's initialisation (init/): identity
 * precisions make the log density −½‖x − c‖², and hard responsibilities give the nearest-center statistics.
 */
import { getBackend } from '../backends/index.js';
import { toRows, toSampleWeight, type Matrix } from '../data/matrix.js';
import { runLocal } from '../drivers/sync.js';
import { nearestCenterWorkspace } from '../drivers/local/distances.js';
import type { Steps } from '../em/protocol.js';
import { argmaxRows } from '../drivers/local/inference.js';
import { kmeansPlusPlusSteps } from '../init/kmeans-plus-plus.js';
import { lloydSteps, type LloydResult } from '../init/lloyd.js';
import { dataMomentsSteps } from '../init/moments.js';
import { OptionError } from '../api/errors.js';
import { kmeansOptions, type KMeansOptions } from '../api/options.js';
import { Random } from '../util/random.js';

export type { KMeansOptions };

export interface KMeansResult {
  /** K centers of D coordinates. */
  centers: Float64Array[];
  /** Each row's nearest center (0…K−1). */
  labels: Int32Array;
  /** Σ w·‖x − center‖² at the final centers. */
  inertia: number;
  /** Lloyd iterations of the winning restart. */
  nIter: number;
  /** Whether the winning restart's center shift fell below tol before maxIter. */
  converged: boolean;
}

/** nInit runs of k-means++ then Lloyd; the lowest inertia wins (in units of s², with the scale s⁻¹). */
function* kmeansSteps(
  n: number,
  d: number,
  k: number,
  weighted: boolean,
  o: { nInit: number; maxIter: number; tol: number; seed: number },
): Steps<{ best: LloydResult; invScale: number }> {
  const rng = new Random(o.seed);
  const { invScale, scaledMeanVariance } = yield* dataMomentsSteps(n, d);
  let best: LloydResult | null = null;
  for (let r = 0; r < o.nInit; r++) {
    const seeds = yield* kmeansPlusPlusSteps(n, d, k, weighted, invScale, rng);
    const res = yield* lloydSteps(seeds, k, d, o.maxIter, o.tol * scaledMeanVariance, invScale, true);
    if (!best || res.inertia < best.inertia) best = res;
  }
  return { best: best!, invScale };
}

/** k-means clustering of X into k clusters (Lloyd's algorithm seeded by greedy k-means++). */
export function kmeans(X: Matrix, k: number, options: KMeansOptions = {}): KMeansResult {
  const o = kmeansOptions(k, options);
  const rows = toRows(X);
  const w = toSampleWeight(o.sampleWeight, rows.n);
  if (rows.n < k) throw new OptionError('k', `k = ${k} clusters need at least ${k} rows; X has ${rows.n}`);
  const backend = getBackend(o.backend);
  const { d } = rows;
  const { best: b, invScale } = runLocal(rows, w, backend, kmeansSteps(rows.n, d, k, w !== null, o));
  const labels = new Int32Array(rows.n);
  nearestCenterWorkspace(backend, d, b.centers, invScale, 'diag').forEachLogProb(rows, (s, count, lp) =>
    argmaxRows(lp, count, k, labels, s),
  );
  const centers: Float64Array[] = [];
  for (let c = 0; c < k; c++) centers.push(b.centers.slice(c * d, (c + 1) * d));
  // back from units of s² (two divisions: s² alone may overflow where the inertia does not)
  return { centers, labels, inertia: b.inertia / invScale / invScale, nIter: b.nIter, converged: b.converged };
}
