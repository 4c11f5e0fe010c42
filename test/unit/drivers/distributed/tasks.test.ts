/**
 * What a worker computes over its shard (drivers/distributed/tasks.ts) and how shards are cut into blocks
 * (fixedBlocks): statistics do not depend on how a source chunks its rows; per-shard E-steps merged in shard order
 * agree with fitStream's one E-pass over all rows (to rounding: the sums are grouped by shard); per-shard worst rows
 * merged in shard order are exactly one pass's. References: the stream driver's own pieces over the same rows
 * (Workspace.accumulate chunk by chunk, WorstCollector, Checksum).
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../../../src/backends/index.js';
import { Workspace } from '../../../../src/backends/workspace.js';
import { denseRows } from '../../../../src/data/rows.js';
import { mergeStats } from '../../../../src/drivers/distributed/merge.js';
import { KERNEL_CODE, packStats, unpackStats } from '../../../../src/drivers/distributed/pack.js';
import { fixedBlocks, type Block } from '../../../../src/drivers/distributed/shard-reader.js';
import { estep, fingerprint, sampleRows, worst } from '../../../../src/drivers/distributed/tasks.js';
import { collectWorst, WorstCollector } from '../../../../src/drivers/local/worst.js';
import { Checksum } from '../../../../src/drivers/stream/checksum.js';
import { kernelParams, withFactors, type KernelParams } from '../../../../src/model/params.js';
import { addStats, type SufficientStats } from '../../../../src/model/stats.js';
import { Random } from '../../../../src/util/random.js';

const js = getBackend('js');
const d = 3;
const rng = new Random(7);
const data = Float64Array.from({ length: 1000 * d }, (_, i) => (rng.random() - 0.5) * 10 + (i % 3));
const weights = Float64Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? 0 : 0.5 + (i % 5)));

function paramsOf(): KernelParams {
  const p = withFactors(
    'full',
    3,
    d,
    Float64Array.from([0.2, 0.3, 0.5]),
    Float64Array.from([-2, 0, 1, 0, 1, 2, 2, 2, 3]),
    Float64Array.from({ length: 27 }, (_, i) => ((i % 9) % 4 === 0 ? 4 : 0.5)),
  );
  if (typeof p === 'number') throw new Error('not positive definite');
  return kernelParams(p);
}
const params = paramsOf();

/** Rows [s, e) in chunks of the given sizes (cycled), as a source might yield them. */
async function* chunked(s: number, e: number, sizes: number[], w: Float64Array | null): AsyncGenerator<Block> {
  for (let at = s, i = 0; at < e; i++) {
    const n = Math.min(sizes[i % sizes.length], e - at);
    yield { data: data.slice(at * d, (at + n) * d), n, d, w: w ? w.slice(at, at + n) : null };
    at += n;
  }
}

const bits = (st: SufficientStats) => [st.logLik, st.sumW, ...st.nk, ...st.sx, ...st.sxx];

describe('fixed blocks', () => {
  it('make a shard’s statistics and fingerprint independent of how its source chunks the rows', async () => {
    const results: number[][] = [];
    const sums: number[] = [];
    for (const sizes of [[1000], [1], [64, 7, 300], [100]]) {
      const seen = { checksum: 0, n: 0 };
      const st = await estep(
        fingerprint(fixedBlocks(chunked(0, 1000, sizes, weights), 100), seen),
        params,
        false,
        0.5,
        js,
      );
      results.push(bits(st));
      sums.push(seen.checksum);
      expect(seen.n).toBe(1000);
    }
    for (const r of results) expect(r).toEqual(results[0]);
    // (the fingerprint hashes each block's values, then its weights: the blocks are what makes it reproducible)
    const direct = new Checksum();
    for (let s = 0; s < 1000; s += 100) direct.add(data.subarray(s * d), 100, d, weights.subarray(s, s + 100));
    expect(sums).toEqual([direct.value, direct.value, direct.value, direct.value]);
  });

  it('fill weights of 1 for unweighted chunks in a block that has weighted ones', async () => {
    const src = async function* (): AsyncGenerator<Block> {
      yield { data: data.slice(0, 3 * d), n: 3, d, w: null };
      yield { data: data.slice(3 * d, 5 * d), n: 2, d, w: Float64Array.from([2, 3]) };
    };
    const blocks: (number[] | null)[] = [];
    for await (const b of fixedBlocks(src(), 4)) blocks.push(b.w ? Array.from(b.w) : null);
    expect(blocks).toEqual([[1, 1, 1, 2], [3]]);
  });
});

describe('shard tasks put together in shard order', () => {
  const shards = [
    [0, 180],
    [180, 180],
    [180, 700],
    [700, 1000],
  ];

  it('E-step: the merged statistics agree with one E-pass over all rows (chunk by chunk, as fitStream)', async () => {
    const parts: Uint8Array[] = [];
    for (const [s, e] of shards) {
      const st = await estep(fixedBlocks(chunked(s, e, [128], weights), 128), params, false, 0.25, js);
      parts.push(packStats(st, 9, KERNEL_CODE.js));
    }
    const merged = unpackStats(mergeStats(parts, 9), params.means).stats;
    const ws = Workspace.of(js, params);
    let one: SufficientStats | null = null;
    for (let s = 0; s < 1000; s += 128) {
      const n = Math.min(128, 1000 - s);
      const st = ws.accumulate(
        denseRows(data.subarray(s * d, (s + n) * d), d),
        weights.slice(s, s + n).map((w) => w * 0.25),
        false,
      );
      one = one ? addStats(one, st) : st;
    }
    const a = bits(merged);
    const b = bits(one!);
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i])));
  });

  it('worst rows: each shard’s list, offered in shard order, is exactly what one pass keeps', async () => {
    const col = new WorstCollector(6, d);
    for (const [s, e] of shards) {
      const r = await worst(fixedBlocks(chunked(s, e, [50], weights), 50), params, 6, 1, js);
      r.rows.forEach((row, i) => col.offer(r.lse[i], row));
    }
    const one = new WorstCollector(6, d);
    collectWorst(denseRows(data, d), weights, params, one, js);
    expect(col.scores()).toEqual(one.scores());
    expect(col.result().map((r) => Array.from(r))).toEqual(one.result().map((r) => Array.from(r)));
  });

  it('sample rows: the rows at the given indices, with their weights (1 where a row has none)', async () => {
    const r = await sampleRows(fixedBlocks(chunked(100, 400, [30], null), 64), [0, 63, 64, 299]);
    expect(Array.from(r.data)).toEqual(
      [0, 63, 64, 299].flatMap((i) => Array.from(data.subarray((100 + i) * d, (101 + i) * d))),
    );
    expect(Array.from(r.weights)).toEqual([1, 1, 1, 1]);
    await expect(sampleRows(fixedBlocks(chunked(0, 10, [10], null), 8), [10])).rejects.toThrow(
      /asked of a shard of 10 rows/,
    );
  });
});
