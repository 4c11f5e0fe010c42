/**
 * A uniform reservoir sample of a stream's rows (Vitter's algorithm R) with their weights, drawn with its own seeded
 * generator: initialisation runs on it. While the stream has at most `cap` rows the sample is the data in order, so
 * fitStream then initialises exactly as fit does.
 */
import { denseRows } from '../../data/rows.js';
import type { Rows } from '../../data/matrix.js';
import type { Random } from '../../util/random.js';

export class Reservoir {
  private data = new Float64Array(0);
  private w: Float64Array | null = null;
  private size = 0;
  private seen = 0;

  constructor(
    private readonly cap: number,
    private readonly d: number,
    private readonly rng: Random,
  ) {
    this.data = new Float64Array(Math.min(cap, 1 << 20) * d);
  }

  /** Offers `count` rows of buf (row-major) with their weights (null: 1 each). */
  offer(buf: Float64Array, count: number, w: Float64Array | null): void {
    const { d, cap } = this;
    if (w && !this.w) this.w = new Float64Array(this.data.length / d).fill(1, 0, this.size);
    for (let i = 0; i < count; i++) {
      const seen = this.seen++; // rows before this one
      let slot = -1;
      if (seen < cap) slot = this.size++;
      else {
        const j = Math.floor(this.rng.random() * (seen + 1));
        if (j < cap) slot = j;
      }
      if (slot < 0) continue;
      if (slot * d >= this.data.length) this.grow();
      this.data.set(buf.subarray(i * d, (i + 1) * d), slot * d);
      if (this.w) this.w[slot] = w ? w[i] : 1;
    }
  }

  private grow(): void {
    const { d } = this;
    const grown = new Float64Array(Math.min(this.cap, 2 * (this.data.length / d)) * d);
    grown.set(this.data);
    this.data = grown;
    if (this.w) {
      const gw = new Float64Array(grown.length / d);
      gw.set(this.w);
      this.w = gw;
    }
  }

  /** Multiplies the weights by a (power-of-two) scale. */
  scaleWeights(scale: number): void {
    if (!this.w || scale === 1) return;
    for (let i = 0; i < this.size; i++) this.w[i] *= scale;
  }

  get rows(): Rows {
    return denseRows(this.data, this.d, this.size);
  }

  get weights(): Float64Array | null {
    return this.w ? this.w.subarray(0, this.size) : null;
  }
}
