/**
 * The options of MAP-EM and of the noise component — `prior`, `noise`, `noiseInit` — checked here and plugged into
 * the model's rule table (options.ts), with the checks that need other options (which covariance types take a
 * prior, what noise cannot be combined with). Values come back as frozen private copies.
 */
import { OptionError, quote } from './errors.js';
import { COVARIANCE_TYPES, type CovarianceType } from '../model/covariance/registry.js';
import { priorModels, priorScaleIsMatrix, type PriorOption } from '../model/prior.js';

export type { PriorOption };

/** `noise: true` (volume from the data, mclust's hypvol) or `{ volume }` (the data region's volume V, > 0). */
export interface NoiseOption {
  volume?: number;
}

const fail = (name: string, expected: string, got: unknown): never => {
  throw new OptionError(name, `${name} must be ${expected}; got ${quote(got)}`);
};

const isList = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const PRIOR_KEYS = ['shrinkage', 'mean', 'dof', 'scale'];

/** prior: true | false | null | { shrinkage?, mean?, dof?, scale? } → the given parts (a frozen copy) or null. */
export function checkPrior(v: unknown, name: string): Readonly<PriorOption> | null {
  if (v == null || v === false) return null;
  if (v === true) return Object.freeze({});
  if (typeof v !== 'object' || isList(v)) fail(name, 'true, or an object { shrinkage, mean, dof, scale }', v);
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!PRIOR_KEYS.includes(key))
      throw new OptionError(`${name}.${key}`, `unknown ${name} option '${key}'; valid are: ${PRIOR_KEYS.join(', ')}`);
  }
  const out: PriorOption = {};
  if (o.shrinkage !== undefined) {
    if (!finite(o.shrinkage) || o.shrinkage < 0) fail(`${name}.shrinkage`, 'a finite number ≥ 0', o.shrinkage);
    out.shrinkage = o.shrinkage as number;
  }
  if (o.dof !== undefined) {
    if (!finite(o.dof) || o.dof <= 0) fail(`${name}.dof`, 'a finite number > 0', o.dof);
    out.dof = o.dof as number;
  }
  if (o.mean !== undefined) {
    if (!isList(o.mean) || o.mean.length === 0) fail(`${name}.mean`, 'an array of D numbers', o.mean);
    const m = Float64Array.from(o.mean as ArrayLike<number>);
    for (let j = 0; j < m.length; j++) {
      const x = (o.mean as ArrayLike<unknown>)[j];
      if (!finite(x)) fail(`${name}.mean[${j}]`, 'a finite number', x);
    }
    out.mean = Object.freeze(Array.from(m));
  }
  if (o.scale !== undefined) {
    if (finite(o.scale)) {
      if (!(o.scale > 0)) fail(`${name}.scale`, 'a number > 0 or a D×D positive definite matrix', o.scale);
      out.scale = o.scale;
    } else if (isList(o.scale) && o.scale.length > 0) {
      const d = o.scale.length;
      const rows: number[][] = [];
      for (let i = 0; i < d; i++) {
        const r = (o.scale as ArrayLike<unknown>)[i];
        if (!isList(r) || r.length !== d) fail(`${name}.scale[${i}]`, `a row of ${d} numbers (scale must be D×D)`, r);
        rows.push(
          Array.from(r as ArrayLike<unknown>, (x, j) =>
            finite(x) ? x : fail(`${name}.scale[${i}][${j}]`, 'a finite number', x),
          ),
        );
      }
      checkSpd(rows, `${name}.scale`);
      out.scale = Object.freeze(rows.map((r) => Object.freeze(r))) as unknown as number[][];
    } else fail(`${name}.scale`, 'a number > 0 or a D×D positive definite matrix', o.scale);
  }
  if (out.shrinkage === 0 && out.mean !== undefined)
    throw new OptionError(
      `${name}.mean`,
      `${name}.mean has no effect with shrinkage 0 (as mclust: "prior mean specified but not shrinkage")`,
    );
  return Object.freeze(out);
}

/** Symmetric (to 1e-12 relative) and positive definite (a Cholesky factorisation exists). */
function checkSpd(m: number[][], name: string): void {
  const d = m.length;
  const L = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(m[i][j] - m[j][i]) > 1e-12 * Math.max(Math.abs(m[i][j]), Math.abs(m[j][i]), 1e-300))
        fail(`${name}[${i}][${j}]`, `equal to ${name}[${j}][${i}] (a symmetric matrix)`, m[i][j]);
    }
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let p = 0; p < j; p++) s -= L[i][p] * L[j][p];
      if (i === j) {
        if (!(s > 0)) fail(name, 'positive definite', `a matrix whose leading ${i + 1}×${i + 1} minor is not`);
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  }
}

/** noise: true | false | null | { volume? } → { volume: V or null (hypvol) } or null. */
export function checkNoise(v: unknown, name: string): Readonly<{ volume: number | null }> | null {
  if (v == null || v === false) return null;
  if (v === true) return Object.freeze({ volume: null });
  if (typeof v !== 'object' || isList(v)) fail(name, 'true, or an object { volume }', v);
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'volume') throw new OptionError(`${name}.${key}`, `unknown ${name} option '${key}'; valid is: volume`);
  }
  if (o.volume === undefined) return Object.freeze({ volume: null });
  if (!finite(o.volume) || !(o.volume > 0))
    fail(`${name}.volume`, 'a finite number > 0 (the volume of the data region)', o.volume);
  return Object.freeze({ volume: o.volume as number });
}

/** noiseInit: one boolean (or 0/1) per row: the rows initialisation takes for noise. */
export function checkNoiseInit(v: unknown, name: string): Uint8Array | null {
  if (v == null) return null;
  if (!isList(v)) fail(name, 'an array of one boolean per row of X', v);
  const a = v as ArrayLike<unknown>;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x === true || x === 1) out[i] = 1;
    else if (!(x === false || x === 0)) fail(`${name}[${i}]`, 'true or false (or 1/0)', x);
  }
  return out;
}

/** The checks between these options and the others (called by resolveOptions). */
export function checkPriorNoiseCombination(o: {
  covarianceType: CovarianceType;
  prior: Readonly<PriorOption> | null;
  noise: { volume: number | null } | null;
  noiseInit: Uint8Array | null;
  missing: string;
  algorithm: string;
  weightsInit: unknown;
  meansInit: unknown;
  precisionsInit: unknown;
  respInit: { n: number; values: Float64Array } | null;
  nComponents: number;
  nInit: number;
  accelerate?: string;
}): void {
  // SQUAREM extrapolates the Gaussians' parameters and compares log-likelihoods: it knows neither the log prior
  // (the objective of MAP-EM) nor the noise weight, so the combination is refused rather than run wrong
  if (o.accelerate === 'squarem' && (o.prior || o.noise)) {
    throw new OptionError(
      'accelerate',
      `accelerate: 'squarem' cannot be combined with ${o.prior ? 'prior' : 'noise'} (not implemented); use accelerate: 'none'`,
    );
  }
  if (o.prior) {
    const takes = priorModels(COVARIANCE_TYPES);
    if (!takes.includes(o.covarianceType)) {
      throw new OptionError(
        'prior',
        `covarianceType '${o.covarianceType}' takes no prior (as in mclust, which has none for EVE, VEE, VVE and EVV); ` +
          `the models that take one are: ${takes.join(', ')}`,
      );
    }
    if (o.prior.scale !== undefined && typeof o.prior.scale !== 'number' && !priorScaleIsMatrix(o.covarianceType)) {
      throw new OptionError(
        'prior.scale',
        `prior.scale must be a number for covarianceType '${o.covarianceType}' (a diagonal or spherical model: mclust's scale is one variance); got a matrix`,
      );
    }
    if (o.missing === 'marginalize')
      throw new OptionError('prior', "prior cannot be combined with missing: 'marginalize' (not implemented)");
  }
  if (o.noiseInit && !o.noise) throw new OptionError('noiseInit', 'noiseInit needs the noise option (noise: true)');
  if (o.noise) {
    if (o.missing === 'marginalize')
      throw new OptionError(
        'noise',
        "noise cannot be combined with missing: 'marginalize': a uniform density over the data region has no observed-coordinates form here",
      );
    if (o.algorithm === 'hard') throw new OptionError('noise', "noise needs algorithm 'em'");
    // its start is one set of responsibilities (the clutter estimate and a partition of the other rows)
    if (o.nInit !== 1)
      throw new OptionError(
        'nInit',
        `a noise fit makes one start, so nInit must be 1; got ${o.nInit} (vary seed instead)`,
      );
    for (const key of ['weightsInit', 'meansInit', 'precisionsInit'] as const) {
      if (o[key] != null)
        throw new OptionError(
          key,
          `${key} cannot be combined with noise: a noise fit starts from responsibilities (noiseInit, respInit or initParams)`,
        );
    }
    if (o.respInit && o.noiseInit && o.respInit.n !== o.noiseInit.length) {
      throw new OptionError(
        'noiseInit',
        `noiseInit must have one entry per row of respInit (${o.respInit.n}); got ${o.noiseInit.length}`,
      );
    }
  }
}

/**
 * The candidate selectModel checks its shared options with: with a prior, the first type that takes one (the others
 * become failed candidates), so a prior among types mclust has none for is not an error for the whole selection.
 */
export function candidateToCheck(types: CovarianceType[], prior: unknown): CovarianceType {
  if (prior == null || prior === false) return types[0];
  return priorModels(types)[0] ?? types[0];
}
