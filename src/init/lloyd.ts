/**
 * Lloyd's k-means iterations as a generator of requests: k-means' own loop, and the 'kmeans' initialisation of EM.
 * Each iteration is one hard E-pass with identity precisions ('assign': statistics of the nearest-center assignment),
 * so any driver serves it, and empty clusters move onto the rows farthest from their nearest center (scikit-learn's
 * remedy; 'farthest').
 */
import { ask, type Steps } from '../em/protocol.js';

export interface LloydResult {
  centers: Float64Array;
  inertia: number;
  nIter: number;
  converged: boolean;
}

/**
 * Lloyd iterations from the given centers. Distances, `tolScaled` and the returned inertia are in units of s
 * (invScale = s⁻¹, a power of two; see data/summary.ts); the inertia costs one more pass and is computed only
 * `withInertia` (NaN otherwise).
 */
export function* lloydSteps(
  init: Float64Array,
  k: number,
  d: number,
  maxIter: number,
  tolScaled: number,
  invScale: number,
  withInertia: boolean,
): Steps<LloydResult> {
  let centers = init.slice();
  let converged = false;
  let nIter = 0;
  for (let it = 1; it <= maxIter; it++) {
    nIter = it;
    const st = yield* ask({ type: 'assign', centers, invScale, kind: 'diag' });
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
      const far = yield* ask({ type: 'farthest', centers, invScale, count: empty.length });
      empty.forEach((c, t) => next.set(far[Math.min(t, far.length - 1)], c * d));
    }
    centers = next;
    if (empty.length === 0 && shift <= tolScaled) {
      converged = true;
      break;
    }
  }
  const inertia = withInertia ? -2 * (yield* ask({ type: 'assign', centers, invScale, kind: 'diag' })).logLik : NaN;
  return { centers, inertia, nIter, converged };
}
