/**
 * The running state of online learning in a saved model (the `online` field of toJSON), so a service can persist a
 * model and resume partialFit exactly where it stopped: numbers are written in full (JSON round-trips every finite
 * double), and reading validates everything, with ModelFormatErrors that name the field.
 */
import type { OnlineState } from '../em/online.js';
import { emptyStats } from '../model/stats.js';
import { nest, type JsonReader } from './json-reader.js';
import { describe } from './options.js';

export interface OnlineStateJSON {
  /** Batch statistics absorbed (t of the learning-rate schedule). */
  step: number;
  nSeen: number;
  nBatches: number;
  /** Running statistics per unit weight, around the model's means: Σr, Σr·(x − μ), Σr·(x − μ)(x − μ)ᵀ (or its diagonal). */
  nk: number[];
  sx: number[][];
  sxx: number[][][] | number[][];
}

const KEYS = ['step', 'nSeen', 'nBatches', 'nk', 'sx', 'sxx'];

export function onlineStateToJSON(s: OnlineState): OnlineStateJSON {
  const { k, d } = s.stats;
  return {
    step: s.step,
    nSeen: s.nSeen,
    nBatches: s.nBatches,
    nk: Array.from(s.stats.nk),
    sx: nest(s.stats.sx, [k, d]) as number[][],
    sxx: nest(s.stats.sxx, s.stats.sxxKind === 'full' ? [k, d, d] : [k, d]) as number[][][] | number[][],
  };
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Validates a saved running state for a model with these means (k×d) and statistics kind. The responsibility masses
 * must be a distribution (≥ 0, summing to 1 within 1e-6), full scatter matrices symmetric, the counters consistent.
 */
export function readOnlineState(
  v: unknown,
  means: Float64Array,
  k: number,
  d: number,
  sxxKind: 'full' | 'diag',
  reader: JsonReader,
): OnlineState {
  const { bad } = reader;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad('online must be an object');
  const o = v as Record<string, unknown>;
  reader.checkKeys(o, KEYS, 'online');
  for (const key of KEYS) if (!(key in o)) bad(`online is missing '${key}'`);
  if (!count(o.step) || o.step < 1) bad(`online.step must be an integer ≥ 1; got ${describe(o.step)}`);
  if (!count(o.nBatches)) bad(`online.nBatches must be an integer ≥ 0; got ${describe(o.nBatches)}`);
  if (!count(o.nSeen)) bad(`online.nSeen must be an integer ≥ 0; got ${describe(o.nSeen)}`);
  const step = o.step as number;
  const nBatches = o.nBatches as number;
  const nSeen = o.nSeen as number;
  // every batch holds a row; a fitted model taken over counts as one step that is not a batch
  if (nSeen < nBatches) bad(`online.nSeen (${nSeen}) must be ≥ online.nBatches (${nBatches})`);
  if (step !== nBatches && step !== nBatches + 1)
    bad(`online.step (${step}) must be online.nBatches (${nBatches}) or one more`);
  const stats = emptyStats(k, d, sxxKind, means);
  stats.sumW = 1;
  stats.nk.set(reader.array(o.nk, [k], 'online.nk'));
  stats.sx.set(reader.array(o.sx, [k, d], 'online.sx'));
  stats.sxx.set(reader.array(o.sxx, sxxKind === 'full' ? [k, d, d] : [k, d], 'online.sxx'));
  let total = 0;
  stats.nk.forEach((m, c) => {
    if (m < 0) bad(`online.nk[${c}] must be ≥ 0; got ${m}`);
    total += m;
  });
  if (!(Math.abs(total - 1) <= 1e-6)) bad(`online.nk must sum to 1 (statistics per unit weight); it sums to ${total}`);
  if (sxxKind === 'full') for (let c = 0; c < k; c++) checkSymmetric(stats.sxx, c, d, bad);
  return { stats, step, nSeen, nBatches };
}

/** Component c's d×d block of the saved scatter must be exactly symmetric (the updates keep it so). */
function checkSymmetric(sxx: Float64Array, c: number, d: number, bad: JsonReader['bad']): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const a = sxx[c * d * d + i * d + j];
      const b = sxx[c * d * d + j * d + i];
      if (a !== b) bad(`online.sxx[${c}] must be symmetric; entry [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
    }
  }
}
