/**
 * The raw DEFLATE decoder the embedded kernels go through (src/backends/inflate.ts), against node:zlib's encoder:
 * stored blocks (level 0), fixed-Huffman blocks (Z_FIXED), dynamic blocks (levels 1 and 9) on text-like, random and
 * repetitive bytes, the built kernels' own sizes, and malformed input (typed message, never wrong bytes).
 */
import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateRaw } from '../../../src/backends/inflate.js';
import { Random } from '../../../src/util/random.js';

function inputs(): [string, Uint8Array][] {
  const rng = new Random(1);
  const random = Uint8Array.from({ length: 20_000 }, () => rng.int(256));
  const text = new TextEncoder().encode('gaussian mixture '.repeat(1000) + 'EM '.repeat(500));
  const runs = Uint8Array.from({ length: 30_000 }, (_, i) => (i >> 9) % 7);
  const mixed = Uint8Array.from({ length: 20_000 }, (_, i) => (i % 97 < 50 ? i % 13 : rng.int(256)));
  return [
    ['random', random],
    ['text', text],
    ['runs', runs],
    ['mixed', mixed],
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([42])],
  ];
}

describe('inflateRaw', () => {
  for (const [name, data] of inputs()) {
    it(`${name}: stored, fixed and dynamic blocks round-trip`, () => {
      for (const opts of [
        { level: 0 },
        { level: 1 },
        { level: 9 },
        { level: 9, strategy: constants.Z_FIXED },
        { level: 6, strategy: constants.Z_HUFFMAN_ONLY },
      ]) {
        const packed = deflateRawSync(data, opts);
        expect(inflateRaw(packed, data.length), JSON.stringify(opts)).toEqual(data);
      }
    });
  }

  it('refuses malformed input with a message instead of returning wrong bytes', () => {
    const data = new TextEncoder().encode('abcabcabc'.repeat(100));
    const packed = deflateRawSync(data, { level: 9 });
    expect(() => inflateRaw(packed.subarray(0, packed.length - 3), data.length)).toThrow(/corrupt/);
    expect(() => inflateRaw(packed, data.length + 1)).toThrow(/corrupt/);
    expect(() => inflateRaw(packed, data.length - 1)).toThrow(/corrupt/);
    expect(() => inflateRaw(new Uint8Array([0x07]), 1)).toThrow(/corrupt/); // block type 3
  });
});
