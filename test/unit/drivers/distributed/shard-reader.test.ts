/**
 * Reading shards where the workers run (drivers/distributed/shard-reader.ts): CSV through the shared reader, .npy
 * (float64 and float32, little- and big-endian) and loader modules give the rows they hold; bad content is a
 * DataError (not retried), an unreadable file or a missing loader module a plain Error (retried elsewhere), and
 * shard lists are validated before any job exists. Reference: the rows written by the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, GaussianMixtureError, OptionError } from '../../../../src/api/errors.js';
import { readShard, type Block } from '../../../../src/drivers/distributed/shard-reader.js';
import { checkShards, shardFormat, shardLabel } from '../../../../src/drivers/distributed/shards.js';

const dir = mkdtempSync(join(tmpdir(), 'gaussmix-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rows(blocks: AsyncIterable<Block>): Promise<{ values: number[]; w: (number[] | null)[]; d: number }> {
  const values: number[] = [];
  const w: (number[] | null)[] = [];
  let d = 0;
  for await (const b of blocks) {
    values.push(...b.data);
    w.push(b.w ? Array.from(b.w) : null);
    d = b.d;
  }
  return { values, w, d };
}

/** A .npy file as numpy writes it (version 1.0, header padded to a multiple of 64 bytes). */
function npy(path: string, descr: string, shape: string, body: ArrayBufferView): void {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const len = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const header = `${dict.padEnd(len - 1, ' ')}\n`;
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, len & 255, len >> 8]),
      Buffer.from(header, 'latin1'),
      Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    ]),
  );
}

describe('readShard', () => {
  it('CSV: the shared reader, with its column and weight options', async () => {
    const p = join(dir, 'a.csv');
    writeFileSync(p, 'x,w,y\n1.5,2,-3\n4,0.5,5e-3\n');
    expect(await rows(readShard(p, {}, 10))).toEqual({ values: [1.5, 2, -3, 4, 0.5, 0.005], w: [null], d: 3 });
    expect(await rows(readShard(pathToFileURL(p).href, { weights: 'w' }, 1))).toEqual({
      values: [1.5, -3, 4, 0.005],
      w: [[2], [0.5]],
      d: 2,
    });
  });

  it('.npy: float64 and float32, either byte order, 1-D or 2-D, in chunks of rows', async () => {
    const f64 = Float64Array.from([1, 2, 3, 4, 5, 6]);
    npy(join(dir, 'a.npy'), '<f8', '(3, 2)', f64);
    expect(await rows(readShard(join(dir, 'a.npy'), {}, 2))).toEqual({
      values: [1, 2, 3, 4, 5, 6],
      w: [null, null],
      d: 2,
    });
    npy(join(dir, 'b.npy'), '<f4', '(4,)', Float32Array.from([0.5, 1.5, -2, 8]));
    expect(await rows(readShard(join(dir, 'b.npy'), {}, 10))).toEqual({ values: [0.5, 1.5, -2, 8], w: [null], d: 1 });
    const be = new DataView(new ArrayBuffer(16));
    be.setFloat64(0, 1.25, false);
    be.setFloat64(8, -7, false);
    npy(join(dir, 'c.npy'), '>f8', '(1, 2)', be);
    expect((await rows(readShard(join(dir, 'c.npy'), {}, 10))).values).toEqual([1.25, -7]);
  });

  it('.npy: other dtypes, Fortran order, non-finite values and truncated files are DataErrors', async () => {
    npy(join(dir, 'i.npy'), '<i8', '(1, 2)', new BigInt64Array(2));
    await expect(rows(readShard(join(dir, 'i.npy'), {}, 10))).rejects.toThrow(/dtype '<i8' is not supported/);
    npy(join(dir, 'n.npy'), '<f8', '(2, 2)', Float64Array.from([1, 2, Number.NaN, 4]));
    await expect(rows(readShard(join(dir, 'n.npy'), {}, 10))).rejects.toThrow(/row 1, column 0 is NaN/);
    npy(join(dir, 't.npy'), '<f8', '(3, 2)', Float64Array.from([1, 2, 3]));
    await expect(rows(readShard(join(dir, 't.npy'), {}, 10))).rejects.toThrow(DataError);
  });

  it('loaders: a module function returning chunks (with weights), validated like fitStream’s chunks', async () => {
    const mod = join(dir, 'loader.mjs');
    writeFileSync(
      mod,
      `export function rows({ n }) { return [[[1, 2], [3, 4]], { X: [[5, 6]], sampleWeight: [n] }]; }
       export async function* bad() { yield [[1, 2]]; yield [[1]]; }
       export const notAFunction = 3;`,
    );
    const url = pathToFileURL(mod).href;
    expect(await rows(readShard({ loader: `${url}#rows`, args: { n: 9 } }, {}, 10))).toEqual({
      values: [1, 2, 3, 4, 5, 6],
      w: [null, [9]],
      d: 2,
    });
    await expect(rows(readShard({ loader: `${url}#bad` }, {}, 10))).rejects.toThrow(DataError);
    await expect(rows(readShard({ loader: `${url}#notAFunction` }, {}, 10))).rejects.toThrow(OptionError);
  });

  it('a file or module that cannot be opened is a plain, retryable Error (another worker may read it)', async () => {
    for (const ref of [
      join(dir, 'missing.csv'),
      join(dir, 'missing.npy'),
      { loader: `${pathToFileURL(join(dir, 'missing.mjs')).href}#f` },
    ]) {
      const e = await rows(readShard(ref, {}, 10)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(GaussianMixtureError);
      expect((e as Error).message).toMatch(/cannot (open|import)/);
    }
  });
});

describe('checkShards', () => {
  it('accepts paths, http(s) and file URLs and loaders, copying loader args through JSON', () => {
    const args = { table: 't', part: 3 };
    const out = checkShards(['a.csv', 'https://x.org/b.npy?v=1', { loader: 'pkg#rows', args }]);
    expect(out).toEqual(['a.csv', 'https://x.org/b.npy?v=1', { loader: 'pkg#rows', args }]);
    expect((out[2] as { args: unknown }).args).not.toBe(args);
    expect(out.map(shardFormat)).toEqual(['csv', 'npy', 'loader']);
    expect(shardLabel(out[2])).toBe('loader pkg#rows');
  });

  it('refuses anything else with an OptionError naming the shard', () => {
    const bad: [unknown, RegExp][] = [
      [[], /non-empty array/],
      [[''], /shards\[0\] must be a non-empty path/],
      [['a.csv', 'ftp://x/y.csv'], /shards\[1\].*ftp: URL/],
      [[{ loader: 'pkg#' }], /shards\[0\]\.loader .*both parts/],
      [[{ loader: 'pkg', extra: 1 }], /unknown key "extra"/],
      [[{ loader: 'pkg#f', args: { big: 1n } }], /JSON-serialisable/],
      [[{ loader: 'pkg#f', args: 'x'.repeat(70_000) }], /at most 65536/],
      [[42], /shards\[0\] must be a path/],
    ];
    for (const [v, re] of bad) {
      expect(() => checkShards(v)).toThrow(OptionError);
      expect(() => checkShards(v)).toThrow(re);
    }
  });
});
