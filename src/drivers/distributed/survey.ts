/**
 * The coordinator's view of the data before EM starts, from the shards' surveys: the number of rows and features,
 * the weight scale, the summary fit's checks need (the same checks and messages as fitStream's), and the sample
 * initialisation runs on.
 *
 * The sample is exactly fitStream's reservoir sample over the shards in order: Vitter's algorithm R decides which
 * row lands in which slot from the row's index and a seeded generator alone — never from the row's values — so the
 * coordinator replays those decisions from the row counts (one random draw per row beyond the sample size, no data
 * moved) and then asks each shard for the rows it holds in the sample. Nothing in fitStream had to change.
 */
import { DataError } from '../../api/errors.js';
import { sameRow } from '../../data/rows.js';
import { checkSummary, type DataSummary } from '../../data/summary.js';
import type { OnDegenerate } from '../../init/init.js';
import { Random } from '../../util/random.js';
import { shardLabel, type ShardRef } from './shards.js';
import type { SurveyPart } from './tasks.js';

export interface Survey {
  n: number;
  d: number;
  weighted: boolean;
  /** Exact power-of-two scale that brings the largest weight to about 1 (as fit and fitStream do). */
  wScale: number;
  summary: DataSummary;
  /** Index of each shard's first row among all rows. */
  offsets: number[];
}

/** What the survey checks against: the plan's size, policy and (warm start) number of features. */
export interface SurveyPlan {
  nComponents: number;
  onDegenerate: OnDegenerate;
  features: number | null;
}

/** Puts the shards' surveys together, in shard order, and runs fitStream's checks of the data. */
export function combineSurveys(parts: readonly SurveyPart[], shards: readonly ShardRef[], plan: SurveyPlan): Survey {
  const k = plan.nComponents;
  let d = plan.features ?? -1;
  let first = -1;
  let n = 0;
  let weighted = false;
  let maxW = 0;
  let rawSumW = 0;
  let positive = 0;
  const offsets: number[] = [];
  let min: Float64Array | null = null;
  let max: Float64Array | null = null;
  const distinct: Float64Array[] = [];
  parts.forEach((p, i) => {
    offsets.push(n);
    if (p.n === 0) return;
    if (d < 0) {
      d = p.d;
      first = i;
    } else if (p.d !== d) {
      const other = first < 0 ? 'the warm-started model has' : `shard ${first} (${shardLabel(shards[first])}) has`;
      throw new DataError(
        `shard ${i} (${shardLabel(shards[i])}) has ${p.d} feature${p.d === 1 ? '' : 's'} but ${other} ${d}`,
      );
    }
    min ??= new Float64Array(d).fill(Infinity);
    max ??= new Float64Array(d).fill(-Infinity);
    for (let j = 0; j < d; j++) {
      if (p.min[j] < min[j]) min[j] = p.min[j];
      if (p.max[j] > max[j]) max[j] = p.max[j];
    }
    for (let r = 0; r < p.distinct.length / d && distinct.length < k; r++) {
      const row = Float64Array.from(p.distinct.slice(r * d, (r + 1) * d));
      if (!distinct.some((x) => sameRow(x, row))) distinct.push(row);
    }
    n += p.n;
    weighted ||= p.weighted;
    if (p.maxW > maxW) maxW = p.maxW;
    rawSumW += p.sumW;
    positive += p.positive;
  });
  if (n === 0 || !min || !max) throw new DataError('the shards hold no rows');
  // Weights are relative: scale by a power of two so the largest is about 1 (as fit does), exactly.
  const wScale = weighted && maxW > 0 ? 2 ** -Math.max(-1000, Math.min(1000, Math.floor(Math.log2(maxW)))) : 1;
  const summary: DataSummary = { n, d, sumW: rawSumW, positive, min, max, distinct: distinct.length };
  const sumW = Math.min(2 * n, rawSumW * wScale);
  if (!(sumW > 0)) throw new DataError('sampleWeight must not be all zero');
  if (positive < k) {
    throw new DataError(
      `nComponents = ${k} needs at least ${k} samples${weighted ? ' with positive weight' : ''}; the shards have ${positive}`,
    );
  }
  checkSummary(
    { ...summary, sumW: Number.isFinite(sumW) ? sumW : 2 * n },
    k,
    plan.onDegenerate,
    weighted,
    'the data in the shards',
  );
  return { n, d, weighted, wScale, summary, offsets };
}

/**
 * The global row index in each slot of fitStream's reservoir sample of `cap` rows over `n` rows, drawn as
 * drivers/stream/reservoir.ts draws it: with Random(seed).fork(), one draw per row from the cap-th on.
 */
export function reservoirSlots(n: number, cap: number, seed: number): Float64Array {
  const rng = new Random(seed).fork();
  const size = Math.min(n, cap);
  const slots = new Float64Array(size);
  for (let g = 0; g < size; g++) slots[g] = g;
  for (let g = cap; g < n; g++) {
    const j = Math.floor(rng.random() * (g + 1));
    if (j < cap) slots[j] = g;
  }
  return slots;
}

/** Which rows each shard contributes to the sample: ascending local indices, and the slot each one fills. */
export function sampleRequests(
  slots: Float64Array,
  offsets: readonly number[],
  n: number,
): { shard: number; indices: number[]; slots: number[] }[] {
  const byShard = new Map<number, { local: number; slot: number }[]>();
  for (let s = 0; s < slots.length; s++) {
    const g = slots[s];
    let lo = 0;
    let hi = offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= g) lo = mid;
      else hi = mid - 1;
    }
    // (the last shard starting at or before g: empty shards share their offset with the next one)
    if (g >= n) throw new Error(`gaussmix: sample slot ${s} holds row ${g} of ${n}`);
    const list = byShard.get(lo) ?? [];
    list.push({ local: g - offsets[lo], slot: s });
    byShard.set(lo, list);
  }
  return [...byShard.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([shard, list]) => {
      list.sort((a, b) => a.local - b.local);
      return { shard, indices: list.map((x) => x.local), slots: list.map((x) => x.slot) };
    });
}
