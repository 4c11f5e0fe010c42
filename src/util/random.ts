/**
 * Seeded pseudo-random numbers. Reproducibility is a feature (same seed + same backend → bit-identical fit),
 * so nothing in the library calls Math.random. The generator is xoshiro128** seeded through splitmix32: small,
 * fast on 32-bit integer arithmetic, and with no weak low bits.
 */
/** xoshiro128** words a–d and the cached normal deviate (NaN when there is none). */
export type RandomState = [number, number, number, number, number];

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = NaN;

  constructor(seed: number) {
    let s = (Math.trunc(seed) ^ Math.trunc(seed / 0x100000000)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Standard normal deviate (Marsaglia polar method). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** The generator's state, to continue its stream elsewhere (fitAsync hands it to a worker and back). */
  getState(): RandomState {
    return [this.a, this.b, this.c, this.d, this.spareNormal];
  }

  /** Continues the stream of the generator whose getState() this is. */
  setState(s: RandomState): void {
    [this.a, this.b, this.c, this.d, this.spareNormal] = s;
  }

  /** A derived, independent generator (for restarts and workers) that does not disturb this one's stream. */
  fork(): Random {
    return new Random(this.nextUint32() * 0x100000000 + this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
