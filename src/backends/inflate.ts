/**
 * A raw DEFLATE decoder (RFC 1951: stored, fixed-Huffman and dynamic-Huffman blocks), so the kernel binaries can be
 * embedded compressed: base64 of the wasm compresses to ~25 kB per build in a gzipped bundle, base64 of its deflate
 * stream to ~18 kB. It runs once per build per thread (a few milliseconds for ~55 kB) and is synchronous everywhere,
 * which the platforms' own decoders are not (DecompressionStream) or not in every environment (node:zlib).
 */

/** Code lengths → canonical Huffman decoding tables: counts per length and symbols sorted by code. */
interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function huffman(lengths: Uint8Array, from: number, n: number): Huffman {
  const counts = new Uint16Array(16);
  const symbols = new Uint16Array(n);
  for (let i = 0; i < n; i++) counts[lengths[from + i]]++;
  counts[0] = 0;
  const offs = new Uint16Array(16);
  for (let i = 1; i < 16; i++) offs[i] = offs[i - 1] + counts[i - 1];
  for (let i = 0; i < n; i++) if (lengths[from + i]) symbols[offs[lengths[from + i]]++] = i;
  return { counts, symbols };
}

// Base values and extra bits of length codes 257…285 and distance codes 0…29.
const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order in which a dynamic block sends the code lengths of the code-length alphabet. */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Decompresses a raw DEFLATE stream whose output is `size` bytes long. Throws on malformed input. */
export function inflateRaw(src: Uint8Array, size: number): Uint8Array {
  return new Inflater(src, size).run();
}

function fail(why: string): never {
  throw new Error(`gaussmix: corrupt embedded kernel binary (${why})`);
}

/** One decompression: the input's bit reader, the output and the code lengths of the current block. */
class Inflater {
  private readonly out: Uint8Array;
  private at = 0; // output position
  private pos = 0; // input byte
  private bitBuf = 0;
  private bitCnt = 0;
  private readonly lengths = new Uint8Array(288 + 32);

  constructor(
    private readonly src: Uint8Array,
    private readonly size: number,
  ) {
    this.out = new Uint8Array(size);
  }

  run(): Uint8Array {
    let last = 0;
    while (!last) {
      last = this.bits(1);
      const type = this.bits(2);
      if (type === 0) this.storedBlock();
      else if (type === 1) this.codes(...this.fixedTables());
      else if (type === 2) this.codes(...this.dynamicTables());
      else fail('bad block type');
    }
    if (this.at !== this.size) fail('output too short');
    return this.out;
  }

  /** The next n bits, least significant first. */
  private bits(n: number): number {
    const { src } = this;
    while (this.bitCnt < n) {
      if (this.pos >= src.length) fail('truncated');
      this.bitBuf |= src[this.pos++] << this.bitCnt;
      this.bitCnt += 8;
    }
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCnt -= n;
    return v;
  }

  /** The next symbol of the canonical Huffman code h, read bit by bit. */
  private decode(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= this.bits(1);
      const count = h.counts[len];
      if (code - first < count) return h.symbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    return fail('bad code');
  }

  /** A stored block: to the byte boundary, then LEN, its complement and LEN bytes copied as they are. */
  private storedBlock(): void {
    const { src } = this;
    this.bitBuf = 0;
    this.bitCnt = 0;
    const pos = this.pos;
    if (pos + 4 > src.length) fail('truncated');
    const len = src[pos] | (src[pos + 1] << 8);
    if ((len ^ 0xffff) !== (src[pos + 2] | (src[pos + 3] << 8))) fail('bad stored length');
    this.pos += 4;
    if (this.pos + len > src.length || this.at + len > this.size) fail('stored block too long');
    this.out.set(src.subarray(this.pos, this.pos + len), this.at);
    this.pos += len;
    this.at += len;
  }

  /** The literal/length and distance codes of a fixed-Huffman block. */
  private fixedTables(): [Huffman, Huffman] {
    const { lengths } = this;
    lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288).fill(5, 288, 320);
    return [huffman(lengths, 0, 288), huffman(lengths, 288, 30)];
  }

  /** The literal/length and distance codes a dynamic-Huffman block sends (themselves Huffman-coded). */
  private dynamicTables(): [Huffman, Huffman] {
    const { lengths } = this;
    const nlit = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncl = this.bits(4) + 4;
    const cl = new Uint8Array(19);
    for (let i = 0; i < ncl; i++) cl[CL_ORDER[i]] = this.bits(3);
    const clh = huffman(cl, 0, 19);
    lengths.fill(0);
    for (let i = 0; i < nlit + ndist; ) {
      const sym = this.decode(clh);
      if (sym < 16) {
        lengths[i++] = sym;
        continue;
      }
      const [value, n] =
        sym === 16
          ? i > 0
            ? [lengths[i - 1], 3 + this.bits(2)]
            : fail('repeat of nothing')
          : [0, sym === 17 ? 3 + this.bits(3) : 11 + this.bits(7)];
      if (i + n > nlit + ndist) fail('too many code lengths');
      lengths.fill(value, i, i + n);
      i += n;
    }
    return [huffman(lengths, 0, nlit), huffman(lengths, nlit, ndist)];
  }

  /** A block's literals and back-references, up to its end-of-block symbol. */
  private codes(lit: Huffman, dist: Huffman): void {
    const { out, size } = this;
    for (;;) {
      const sym = this.decode(lit);
      if (sym < 256) {
        if (this.at >= size) fail('output too long');
        out[this.at++] = sym;
      } else if (sym === 256) {
        return;
      } else {
        const li = sym - 257;
        if (li >= 29) fail('bad length code');
        const len = LEN_BASE[li] + this.bits(LEN_EXTRA[li]);
        const di = this.decode(dist);
        if (di >= 30) fail('bad distance code');
        const d = DIST_BASE[di] + this.bits(DIST_EXTRA[di]);
        if (d > this.at || this.at + len > size) fail('bad distance');
        let at = this.at;
        for (let i = 0; i < len; i++, at++) out[at] = out[at - d];
        this.at = at;
      }
    }
  }
}
