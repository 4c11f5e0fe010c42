/**
 * A cheap fingerprint of a stream's rows and weights, in row order and independent of how the rows are cut into
 * chunks: FNV-1a over the bits of every value. fitStream computes it on every pass and refuses a source whose rows
 * changed between passes (a count alone misses rows that changed in place).
 */
export class Checksum {
  private h = 0x811c9dc5;
  private words = new Uint32Array(0);

  /** Adds `count` rows of d values from buf (row-major) and their weights (null: 1 each). */
  add(buf: Float64Array, count: number, d: number, w: Float64Array | null): void {
    const n = count * d;
    if (this.words.length < 2 * n) this.words = new Uint32Array(2 * n);
    new Float64Array(this.words.buffer, 0, n).set(buf.subarray(0, n));
    let h = this.h;
    for (let i = 0; i < 2 * n; i++) h = Math.imul(h ^ this.words[i], 0x01000193);
    if (w) {
      const bits = new Uint32Array(Float64Array.from(w.subarray(0, count)).buffer);
      for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
    }
    this.h = h >>> 0;
  }

  get value(): number {
    return this.h;
  }
}
