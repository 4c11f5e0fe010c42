/**
 * The start of a fit with a noise component (option noise), made where the rows are in memory (fit, fitAsync; for
 * fitStream, on its initialisation sample with the region measured over the whole stream):
 * the data region's volume (the user's, or mclust's hypvol) and bounding box, which rows start as noise (noiseInit,
 * else the nearest-neighbour clutter estimate of tools/nn-clean.ts), and the K + 1 starting responsibilities — the
 * user's respInit, or, as mclust's noise initialisation does, a partition of the rows not taken for noise by the
 * configured initParams (its starting parameters' hard assignment) with the noise rows in the last column.
 */
import type { Rows } from '../data/matrix.js';
import type { RowPass } from '../drivers/plan.js';
import { logHypervolume, RegionBuilder, type NoiseRegion, type NoiseTerm } from '../model/noise.js';
import { nnClutter } from '../tools/nn-clean.js';
import { DataError, OptionError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** Hard labels of the non-noise rows (row-major, n × d) under the configured initialisation. */
export type StartPartition = (
  X: { data: Float64Array; rows: number; cols: number },
  w: Float64Array | null,
) => Int32Array;

export interface NoiseStart {
  /** The options the EM plan runs with: respInit with K + 1 columns, nInit 1, and the noise term. */
  options: ResolvedOptions & { noiseTerm: NoiseTerm };
  /** The rows the fit started from as noise. */
  noiseInit: Uint8Array;
}

/**
 * The start from `rows`. `region`: the data region measured over more rows than these (a stream's, when `rows` is
 * its initialisation sample); null: measured on `rows`.
 */
export function noiseStart(
  rows: Rows,
  w: Float64Array | null,
  o: ResolvedOptions,
  partition: StartPartition,
  region: NoiseRegion | null = null,
): NoiseStart {
  const { n, d } = rows;
  const k = o.nComponents;
  const X = new Float64Array(n * d);
  rows.copyRows(0, n, X, 0);
  // a user's volume leaves only the box to measure (sample() draws noise rows in it)
  const hv = region ?? logHypervolume(X, n, d, o.noise!.volume === null);
  const logVolume = o.noise!.volume !== null ? Math.log(o.noise!.volume) : hv.logVolume;
  if (!Number.isFinite(logVolume)) {
    throw new DataError(
      `noise: the data region has no volume (log volume ${logVolume}: a feature is constant, or the rows lie in a lower-dimensional subspace); give noise: { volume }`,
    );
  }
  if (o.noiseInit && o.noiseInit.length !== n) {
    throw new OptionError('noiseInit', `noiseInit must have one entry per row of X (${n}); got ${o.noiseInit.length}`);
  }
  const w1 = k + 1;
  let resp: Float64Array;
  let flags: Uint8Array;
  if (o.respInit) {
    resp = o.respInit.values.slice();
    flags = o.noiseInit ? o.noiseInit.slice() : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!flags[i]) flags[i] = resp[i * w1 + k] === 1 ? 1 : 0;
      else {
        resp.fill(0, i * w1, (i + 1) * w1);
        resp[i * w1 + k] = 1;
      }
    }
  } else {
    flags = o.noiseInit ? o.noiseInit.slice() : nnClutter(X, n, d);
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (!flags[i]) keep.push(i);
    if (keep.length < k) {
      throw new DataError(
        `noise: only ${keep.length} rows are not taken for noise at the start (nComponents = ${k} needs at least ${k}); ` +
          'give noiseInit with fewer noise rows',
      );
    }
    const sub = new Float64Array(keep.length * d);
    keep.forEach((i, t) => sub.set(X.subarray(i * d, (i + 1) * d), t * d));
    const labels = partition(
      { data: sub, rows: keep.length, cols: d },
      w ? Float64Array.from(keep, (i) => w[i]) : null,
    );
    resp = new Float64Array(n * w1);
    for (let i = 0; i < n; i++) if (flags[i]) resp[i * w1 + k] = 1;
    keep.forEach((i, t) => {
      resp[i * w1 + labels[t]] = 1;
    });
  }
  const noiseTerm: NoiseTerm = { weight: Number.NaN, logVolume, lower: hv.lower, upper: hv.upper };
  return {
    options: Object.freeze({ ...o, respInit: { values: resp, n }, nInit: 1, noiseTerm }),
    noiseInit: flags,
  };
}

/**
 * The data region of rows that are not in memory, from passes over them (one for the box when the volume is the
 * user's, else three: model/noise.ts RegionBuilder) — the same bits as logHypervolume on the same rows in order.
 */
export async function regionOfPasses(pass: RowPass, d: number, volumeGiven: boolean): Promise<NoiseRegion> {
  const b = new RegionBuilder(d, !volumeGiven);
  for (let p = 0; p < b.passes; p++) {
    await pass((X, n) => b.add(X, n));
    b.next();
  }
  return b.finish();
}
