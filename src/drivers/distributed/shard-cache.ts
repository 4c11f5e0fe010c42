/**
 * A worker process's cache of shard rows in shared memory: without job affinity any worker may be given any shard
 * in any iteration, so it keeps what it has read (least recently used first out, within a byte budget) and its
 * E-step threads read the rows from there instead of parsing the file again. An entry is used only while it matches
 * the survey's count and fingerprint for the shard.
 */
import type { CachedShard, ShardExpectation } from './thread-messages.js';

const sizeOf = (c: CachedShard): number => c.data.byteLength + (c.w?.byteLength ?? 0);

export class ShardCache {
  private readonly entries = new Map<string, CachedShard>();
  private used = 0;

  constructor(
    /** Bytes of rows kept in all (0: nothing is cached). */
    readonly budget: number,
  ) {}

  /** The cached rows of `key` if they match `expect` (an entry that does not is dropped). */
  get(key: string, expect: ShardExpectation | null): CachedShard | null {
    const c = this.entries.get(key);
    if (!c) return null;
    this.entries.delete(key);
    if (expect && (c.n !== expect.n || c.d !== expect.d || c.checksum !== expect.checksum)) {
      this.used -= sizeOf(c);
      return null;
    }
    this.entries.set(key, c); // most recently used last
    return c;
  }

  /** Keeps `c`, dropping the least recently used entries to make room; a shard larger than the budget is not kept. */
  put(key: string, c: CachedShard): void {
    const size = sizeOf(c);
    if (size > this.budget) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= sizeOf(old);
    }
    for (const [k, e] of this.entries) {
      if (this.used + size <= this.budget) break;
      this.entries.delete(k);
      this.used -= sizeOf(e);
    }
    this.entries.set(key, c);
    this.used += size;
  }

  get bytes(): number {
    return this.used;
  }
}
