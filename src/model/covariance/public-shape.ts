/**
 * Between a layout's storage and the K×D×D matrices users see for mclust-named models. The cheapest storage that
 * represents a model exactly (a scalar for EII/VII, a diagonal for EEI/VEI/EVI/VVI, one matrix for EEE) is what the
 * kernels read; `covariances` and `precisionsCholesky` of every mclust-named model are K×D×D all the same. Both
 * directions are pure layout operations and apply to covariances and precision factors alike (a diagonal or
 * scalar factor is the diagonal matrix of its values; a shared factor is every component's).
 */
import type { Layout } from './layouts.js';

/** K full D×D matrices (row-major, back to back) from storage in `layout`. */
export function expandBlocks(layout: Layout, storage: Float64Array, k: number, d: number): Float64Array {
  const out = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) out.set(layout.matrix(storage, c, d), c * d * d);
  return out;
}

/**
 * Storage in `layout` from K full D×D matrices. It reads only what the layout keeps (the first block of a shared
 * layout, diagonals, the first diagonal entry of a scalar), so callers check the model's constraint first.
 */
export function compressBlocks(layout: Layout, matrices: Float64Array, k: number, d: number): Float64Array {
  const dd = d * d;
  switch (layout.name) {
    case 'tri':
      return matrices.slice(0, k * dd);
    case 'sharedTri':
      return matrices.slice(0, dd);
    case 'diag': {
      const out = new Float64Array(k * d);
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c * d + j] = matrices[c * dd + j * d + j];
      return out;
    }
    case 'scalar': {
      const out = new Float64Array(k);
      for (let c = 0; c < k; c++) out[c] = matrices[c * dd];
      return out;
    }
  }
}
