/**
 * What a worker computes over one shard's rows, given its blocks (shard-reader.ts): the survey (count, ranges,
 * distinct rows, largest weight, fingerprint), sampled rows, E-step statistics and the worst-explained rows. Pure
 * functions of the blocks and the request — the E-step thread runs them, and unit tests run them in-process.
 *
 * Each mirrors what fitStream does with the same rows: the survey what its first pass learns, the E-step its
 * per-chunk accumulation (weights scaled by the same power of two), the worst rows its collector.
 */
import type { Backend } from '../../backends/types.js';
import { Workspace } from '../../backends/workspace.js';
import { denseRows, sameRow } from '../../data/rows.js';
import { SummaryBuilder } from '../../data/summary.js';
import type { KernelParams } from '../../model/params.js';
import { addStats, emptyStats, type SufficientStats } from '../../model/stats.js';
import { collectWorst, WorstCollector } from '../local/worst.js';
import { Checksum } from '../stream/checksum.js';
import type { Block } from './shard-reader.js';

/** What one shard's survey reports (JSON-safe: every number is finite). */
export interface SurveyPart {
  n: number;
  /** Features (0 for a shard without rows). */
  d: number;
  /** Whether any of its rows came with a weight. */
  weighted: boolean;
  /** Largest weight (1 for unweighted rows; 0 without rows). */
  maxW: number;
  /** Σ w as given. */
  sumW: number;
  /** Rows of positive weight. */
  positive: number;
  min: number[];
  max: number[];
  /** Its first distinct rows of positive weight, up to the number of components (row-major). */
  distinct: number[];
  /** Fingerprint of its rows and weights (stream/checksum.ts), which every later read must reproduce. */
  checksum: number;
}

/** Fingerprints blocks as they pass (the same value as the survey's). */
export function fingerprint(blocks: AsyncIterable<Block>, out: { checksum: number; n: number }): AsyncIterable<Block> {
  return (async function* () {
    const sum = new Checksum();
    let n = 0;
    for await (const b of blocks) {
      sum.add(b.data, b.n, b.d, b.w);
      n += b.n;
      yield b;
    }
    out.checksum = sum.value;
    out.n = n;
  })();
}

export async function survey(blocks: AsyncIterable<Block>, k: number): Promise<SurveyPart> {
  let builder: SummaryBuilder | null = null;
  const sum = new Checksum();
  const distinct: Float64Array[] = [];
  let n = 0;
  let d = 0;
  let weighted = false;
  let maxW = 0;
  for await (const b of blocks) {
    d = b.d;
    builder ??= new SummaryBuilder(d, k);
    builder.add(b.data, b.n, b.w);
    sum.add(b.data, b.n, d, b.w);
    weighted ||= b.w !== null;
    for (let i = 0; i < b.n; i++) {
      const w = b.w ? b.w[i] : 1;
      if (w > maxW) maxW = w;
      if (w > 0 && distinct.length < k && !distinct.some((r) => sameRow(r, b.data, d, 0, i * d))) {
        distinct.push(b.data.slice(i * d, (i + 1) * d));
      }
    }
    n += b.n;
  }
  const s = builder?.finish();
  return {
    n,
    d,
    weighted,
    maxW,
    sumW: s?.sumW ?? 0,
    positive: s?.positive ?? 0,
    min: s ? Array.from(s.min) : [],
    max: s ? Array.from(s.max) : [],
    distinct: distinct.flatMap((r) => Array.from(r)),
    checksum: sum.value,
  };
}

/** The rows at `indices` (ascending, 0-based within the shard) and their weights as given (1 when unweighted). */
export async function sampleRows(
  blocks: AsyncIterable<Block>,
  indices: readonly number[],
): Promise<{ data: Float64Array; weights: Float64Array; d: number }> {
  let data = new Float64Array(0);
  const weights = new Float64Array(indices.length);
  let at = 0;
  let start = 0;
  let d = 0;
  for await (const b of blocks) {
    if (d === 0) {
      d = b.d;
      data = new Float64Array(indices.length * d);
    }
    for (; at < indices.length && indices[at] < start + b.n; at++) {
      const i = indices[at] - start;
      data.set(b.data.subarray(i * d, (i + 1) * d), at * d);
      weights[at] = b.w ? b.w[i] : 1;
    }
    start += b.n;
  }
  if (at < indices.length) throw new Error(`gaussmix: sample row ${indices[at]} asked of a shard of ${start} rows`);
  return { data, weights, d };
}

/** Weights as the E-pass uses them: scaled by the fit's power of two (exact), as fitStream scales each chunk's. */
const scaled = (w: Float64Array | null, wScale: number): Float64Array | null =>
  w && wScale !== 1 ? w.map((x) => x * wScale) : w;

/** E-step statistics of the shard: each block accumulated, blocks added in order. */
export async function estep(
  blocks: AsyncIterable<Block>,
  params: KernelParams,
  hard: boolean,
  wScale: number,
  backend: Backend,
): Promise<SufficientStats> {
  const ws = Workspace.of(backend, params);
  let total: SufficientStats | null = null;
  for await (const b of blocks) {
    const st = ws.accumulate(denseRows(b.data, b.d, b.n), scaled(b.w, wScale), hard);
    total = total ? addStats(total, st) : st;
  }
  return total ?? emptyStats(params.k, params.d, params.sxxKind, params.means);
}

/** The shard's `count` worst-explained rows of positive weight, lowest log p(x) first, with their log p(x). */
export async function worst(
  blocks: AsyncIterable<Block>,
  params: KernelParams,
  count: number,
  wScale: number,
  backend: Backend,
): Promise<{ rows: Float64Array[]; lse: number[] }> {
  const col = new WorstCollector(count, params.d);
  const ws = Workspace.of(backend, params);
  for await (const b of blocks)
    collectWorst(denseRows(b.data, b.d, b.n), scaled(b.w, wScale), params, col, backend, ws);
  return { rows: col.result(), lse: col.scores() };
}
