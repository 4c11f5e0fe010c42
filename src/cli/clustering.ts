/**
 * What mclust's summary tells about a fitted model's clustering of its data: cluster sizes (rows assigned to each
 * component, the hard assignment), mixing proportions, and how sure the assignments are — mclust's uncertainty,
 * 1 − max responsibility per row. Computed block by block so an N×K matrix never exists.
 */
import type { GaussianMixture } from '../api/gaussian-mixture.js';

export interface Clustering {
  /** Rows assigned to each component (predict). */
  sizes: number[];
  /** Mixing proportions (the weights). */
  proportions: number[];
  /** 1 − max responsibility over the rows: mean, max, and the number of rows above UNCERTAIN. */
  uncertainty: { mean: number; max: number; above: number } | null;
  /** With a noise component: the rows assigned to it (predict −1) and its weight. */
  noise?: { size: number; proportion: number } | null;
}

/** Rows whose assignment is less sure than this are counted (mclust users look at uncertainty > 0.1). */
export const UNCERTAIN = 0.1;

const BLOCK = 8192;

/** Sizes, proportions and uncertainty of `model` on the packed rows X. */
export function clustering(model: GaussianMixture, X: { data: Float64Array; rows: number; cols: number }): Clustering {
  const k = model.nComponents;
  const sizes = new Array<number>(k).fill(0);
  let noise = 0;
  let sum = 0;
  let max = 0;
  let above = 0;
  for (let at = 0; at < X.rows; at += BLOCK) {
    const rows = Math.min(BLOCK, X.rows - at);
    const block = { data: X.data.subarray(at * X.cols, (at + rows) * X.cols), rows, cols: X.cols };
    for (const label of model.predict(block)) {
      if (label < 0) noise++;
      else sizes[label]++;
    }
    // with a noise component each row has K + 1 responsibilities, the last the noise's
    for (const r of model.predictProba(block)) {
      let top = 0;
      for (let c = 0; c < r.length; c++) top = Math.max(top, r[c]);
      const u = 1 - top;
      sum += u;
      max = Math.max(max, u);
      if (u > UNCERTAIN) above++;
    }
  }
  return {
    sizes,
    proportions: Array.from(model.weights),
    uncertainty: X.rows > 0 ? { mean: sum / X.rows, max, above } : null,
    noise: model.noiseWeight === null ? null : { size: noise, proportion: model.noiseWeight },
  };
}
