/**
 * The coordinator's survey (drivers/distributed/survey.ts): the sample it builds is fitStream's reservoir sample —
 * checked against drivers/stream/reservoir.ts itself on rows whose value is their index — and its checks of the data
 * are fitStream's. Reference: the stream driver's own Reservoir and SummaryBuilder over the same rows.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../../src/api/errors.js';
import { combineSurveys, reservoirSlots, sampleRequests } from '../../../../src/drivers/distributed/survey.js';
import { survey, type SurveyPart } from '../../../../src/drivers/distributed/tasks.js';
import { Reservoir } from '../../../../src/drivers/stream/reservoir.js';
import { summarize } from '../../../../src/data/summary.js';
import { denseRows } from '../../../../src/data/rows.js';
import { Random } from '../../../../src/util/random.js';
import type { Block } from '../../../../src/drivers/distributed/shard-reader.js';

async function* blocksOf(data: Float64Array, d: number, w: Float64Array | null, size = 64): AsyncGenerator<Block> {
  const n = data.length / d;
  for (let s = 0; s < n; s += size) {
    const m = Math.min(size, n - s);
    yield { data: data.subarray(s * d, (s + m) * d), n: m, d, w: w ? w.subarray(s, s + m) : null };
  }
}

describe('reservoirSlots replays fitStream’s reservoir sample from the row count alone', () => {
  it.each([
    [40, 100, 0],
    [100, 100, 1],
    [101, 100, 2],
    [5000, 100, 3],
    [20_000, 777, -9],
  ])('n = %i, cap = %i, seed = %i', (n, cap, seed) => {
    const res = new Reservoir(cap, 1, new Random(seed).fork()); // as fitStream draws it
    const idx = Float64Array.from({ length: n }, (_, i) => i);
    for (let s = 0; s < n; s += 97) res.offer(idx.subarray(s, Math.min(n, s + 97)), Math.min(97, n - s), null);
    const rows = res.rows;
    const kept = new Float64Array(rows.n);
    rows.copyRows(0, rows.n, kept, 0);
    expect(Array.from(reservoirSlots(n, cap, seed))).toEqual(Array.from(kept));
  });

  it('sampleRequests sends each slot to the shard holding its row, in ascending order, past empty shards', () => {
    const offsets = [0, 10, 10, 25]; // shard 1 is empty; shard 3 holds rows 25…29
    const slots = Float64Array.from([29, 3, 10, 24, 0, 25, 11]);
    expect(sampleRequests(slots, offsets, 30)).toEqual([
      { shard: 0, indices: [0, 3], slots: [4, 1] },
      { shard: 2, indices: [0, 1, 14], slots: [2, 6, 3] },
      { shard: 3, indices: [0, 4], slots: [5, 0] },
    ]);
  });
});

describe('combineSurveys', () => {
  const rng = new Random(1);
  const shard = (n: number, d = 2) => Float64Array.from({ length: n * d }, () => Math.round(rng.random() * 40) / 4);
  const partOf = (data: Float64Array, d = 2, w: Float64Array | null = null, k = 3): Promise<SurveyPart> =>
    survey(blocksOf(data, d, w, 7), k);
  const plan = { nComponents: 3, onDegenerate: 'error' as const, features: null };

  it('gives the summary one pass over all rows gives, the shards’ offsets and the weights’ scale', async () => {
    const datas = [shard(30), shard(0), shard(45)];
    const w = [Float64Array.from({ length: 30 }, (_, i) => 2 ** (i % 5)), null, null];
    const parts = await Promise.all(datas.map((x, i) => partOf(x, 2, w[i])));
    const s = combineSurveys(parts, ['a', 'b', 'c'], plan);
    const all = new Float64Array(75 * 2);
    all.set(datas[0]);
    all.set(datas[2], 60);
    const wAll = new Float64Array(75).fill(1);
    wAll.set(w[0]!);
    const one = summarize(denseRows(all, 2), wAll, 3);
    expect(s).toMatchObject({ n: 75, d: 2, weighted: true, wScale: 2 ** -4, offsets: [0, 30, 30] });
    expect(s.summary).toMatchObject({ n: 75, positive: one.positive, distinct: one.distinct, sumW: one.sumW });
    expect(Array.from(s.summary.min)).toEqual(Array.from(one.min));
    expect(Array.from(s.summary.max)).toEqual(Array.from(one.max));
    expect(parts[0].checksum).not.toBe(parts[2].checksum);
  });

  it('refuses what fitStream refuses, naming the shards', async () => {
    const empty = await partOf(new Float64Array(0));
    expect(() => combineSurveys([empty], ['a'], plan)).toThrow(/the shards hold no rows/);
    const two = await partOf(shard(10));
    const three = await partOf(shard(10, 3), 3);
    expect(() => combineSurveys([two, three], ['a.csv', 'b.csv'], plan)).toThrow(
      /shard 1 \(b\.csv\) has 3 features but shard 0 \(a\.csv\) has 2/,
    );
    expect(() => combineSurveys([two], ['a'], { ...plan, features: 3 })).toThrow(
      /has 2 features but the warm-started model has 3/,
    );
    const same = await partOf(new Float64Array(20).fill(1));
    expect(() => combineSurveys([same], ['a'], plan)).toThrow(DataError);
    expect(() => combineSurveys([same], ['a'], plan)).toThrow(/only 1 distinct row/);
    const zero = await partOf(shard(10), 2, new Float64Array(10));
    expect(() => combineSurveys([zero], ['a'], plan)).toThrow(/sampleWeight must not be all zero/);
  });
});
