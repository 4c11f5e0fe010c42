/**
 * test/fixtures/mclust-models.json (written by scripts/generate-mclust-fixtures.R with R mclust 6.0) and its data
 * sets, for the tests that compare the public API with mclust: the cases (data set, K, the hc partition), each
 * model's me() runs (controls, parameters, log-likelihood, BIC, ICL, iteration counts) and the hc() merge sequences.
 */
import { readFileSync } from 'node:fs';
import type { MclustModelName } from '../../src/model/covariance/mclust/types.js';

export type Mat = number[][];
export interface MclustParams {
  pro: number[];
  mean: Mat;
  sigma: Mat[];
}
export interface MeRun extends MclustParams {
  id: string;
  control: { tol: number[]; itmax: number[] };
  loglik: number;
  info: { iterations: number; error: number; inner?: { iterations: number; error: number } };
  bic: number;
  icl: number;
}
export interface MclustCase {
  name: string;
  file: string;
  n: number;
  d: number;
  K: number;
  /** mclust's default start: hclass(hc(X, 'VVV', use = 'SVD'), K), 0-based */
  labels: number[];
  models: Record<
    MclustModelName,
    { nParams: number; me: MeRun[]; Mclust: { loglik: number; bic: number; icl: number } }
  >;
}
export interface HcCase {
  name: string;
  rows: number;
  modelName: 'VVV' | 'EII';
  use: 'SVD' | 'VARS';
  merges: number[][];
  hclass: Record<string, number[]>;
  data?: number[][];
}

const root = new URL('../../', import.meta.url);

export const mclustFixture: { meta: { mclust: string }; cases: MclustCase[]; hc: HcCase[] } = JSON.parse(
  readFileSync(new URL('test/fixtures/mclust-models.json', root), 'utf8'),
);

const cache = new Map<string, number[][]>();

/** The numeric columns of data/<name>.csv (iris's species dropped), as mclust read them. */
export function mclustData(file: string): number[][] {
  const path = file.startsWith('data/') ? file : `data/${file}.csv`;
  let X = cache.get(path);
  if (!X) {
    const lines = readFileSync(new URL(path, root), 'utf8').trim().split(/\r?\n/);
    const keep = lines[0].split(',').map((h) => h.replace(/"/g, '').trim() !== 'species');
    X = lines.slice(1).map((l) =>
      l
        .split(',')
        .filter((_, j) => keep[j])
        .map(Number),
    );
    cache.set(path, X);
  }
  return X;
}

/** Largest deviation of `ours` from `theirs` relative to the largest magnitude in `theirs` (a vector or matrix). */
export function relDev(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  let ref = 0;
  for (let i = 0; i < theirs.length; i++) ref = Math.max(ref, Math.abs(theirs[i]));
  let m = 0;
  for (let i = 0; i < theirs.length; i++) m = Math.max(m, Math.abs(ours[i] - theirs[i]) / ref);
  return m;
}
