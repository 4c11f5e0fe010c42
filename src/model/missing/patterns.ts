/**
 * Missingness patterns: rows of a row-major n×d Float64Array grouped by which of their entries are NaN.
 *
 * A pattern is the bit set of a row's missing coordinates (bit j of word ⌊j/32⌋ for coordinate j). One call groups
 * the rows of one range [start, end) — in practice one block of at most `capacity` rows — so memory is bounded by
 * the block, whatever the number of rows: O(capacity·(d + ⌈d/32⌉ + 3)) 32-bit integers, allocated once per
 * PatternGrouping and reused for every block.
 *
 * Order (deterministic, independent of hashing and of how the rows of different patterns interleave):
 *  - patterns in ascending order of their bit set read as a binary number (Σ 2^j over missing coordinates j; the
 *    words compared from the most significant one down), so the complete pattern (no missing value) comes first
 *    when present and, for d ≤ 32, the order is that of the 32-bit masks;
 *  - the rows of one pattern in ascending row order (a stable counting sort).
 * The grouping of a range is therefore a function of the range's rows alone.
 *
 * Refused: a row whose entries are all NaN (it carries no information and its observed-data likelihood is 1), and
 * ±Infinity entries (only NaN means "missing"); both throw a MissingDataError naming the row and column.
 */

/** Invalid input for missing-value EM (a row without any observed value, an infinite entry, a bad shape). */
export class MissingDataError extends Error {
  constructor(
    message: string,
    readonly row = -1,
    readonly column = -1,
  ) {
    super(message);
    this.name = 'MissingDataError';
  }
}

/** Number of 32-bit words of a pattern bit set for d coordinates. */
export const patternWords = (d: number): number => Math.max(1, Math.ceil(d / 32));

export class PatternGrouping {
  /** Words per pattern bit set. */
  readonly words: number;
  /** Number of patterns in the last grouping. */
  count = 0;
  /** Rows of the last grouping (absolute indices into X), pattern after pattern: pattern p is rows[offsets[p] … offsets[p+1]). */
  readonly rows: Int32Array;
  /** count + 1 offsets into rows. */
  readonly offsets: Int32Array;
  /** Per pattern: the number of observed coordinates. */
  readonly nObs: Int32Array;
  /** Per pattern p, d coordinates at p·d: the observed ones ascending, then the missing ones ascending. */
  readonly coords: Int32Array;
  /** Per pattern p, its bit set at p·words. */
  readonly keys: Uint32Array;

  // scratch
  private readonly rowKeys: Uint32Array; // capacity·words: each row's bit set
  private readonly rowPattern: Int32Array; // capacity: each row's pattern id (first-appearance order)
  private readonly rank: Int32Array; // capacity: first-appearance id → sorted position
  private readonly firstRow: Int32Array; // capacity: first-appearance id → first row (relative) with that pattern
  private readonly order: Int32Array; // capacity: sorted position → first-appearance id
  private readonly ids = new Map<number | string, number>();

  constructor(
    readonly d: number,
    readonly capacity: number,
  ) {
    if (!(Number.isInteger(d) && d >= 1))
      throw new MissingDataError(`PatternGrouping: d must be an integer ≥ 1; got ${d}`);
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new MissingDataError(`PatternGrouping: capacity must be an integer ≥ 1; got ${capacity}`);
    }
    const w = patternWords(d);
    this.words = w;
    this.rows = new Int32Array(capacity);
    this.offsets = new Int32Array(capacity + 1);
    this.nObs = new Int32Array(capacity);
    this.coords = new Int32Array(capacity * d);
    this.keys = new Uint32Array(capacity * w);
    this.rowKeys = new Uint32Array(capacity * w);
    this.rowPattern = new Int32Array(capacity);
    this.rank = new Int32Array(capacity);
    this.firstRow = new Int32Array(capacity);
    this.order = new Int32Array(capacity);
  }

  /** Observed coordinates of pattern p (a view; valid until the next grouping). */
  observed(p: number): Int32Array {
    return this.coords.subarray(p * this.d, p * this.d + this.nObs[p]);
  }

  /** Missing coordinates of pattern p (a view; valid until the next grouping). */
  missing(p: number): Int32Array {
    return this.coords.subarray(p * this.d + this.nObs[p], (p + 1) * this.d);
  }

  /** Row indices of pattern p (a view; valid until the next grouping). */
  rowsOf(p: number): Int32Array {
    return this.rows.subarray(this.offsets[p], this.offsets[p + 1]);
  }

  /**
   * Groups rows [start, end) of X (row-major, this.d columns); end − start ≤ capacity. Returns this.
   * `rowBase` is only used in error messages (the absolute index of X's row 0 in the caller's data).
   */
  group(X: Float64Array, start: number, end: number, rowBase = 0): this {
    const { d, words: W } = this;
    const m = end - start;
    if (!(m >= 0 && m <= this.capacity)) {
      throw new MissingDataError(`PatternGrouping: ${m} rows do not fit the capacity ${this.capacity}`);
    }
    if (end * d > X.length)
      throw new MissingDataError(`PatternGrouping: rows up to ${end} need ${end * d} values; X has ${X.length}`);
    const { rowKeys, rowPattern, firstRow, ids } = this;
    ids.clear();
    rowKeys.fill(0, 0, m * W);
    let count = 0;
    for (let r = 0; r < m; r++) {
      const o = (start + r) * d;
      let nMiss = 0;
      for (let j = 0; j < d; j++) {
        const v = X[o + j];
        if (Number.isNaN(v)) {
          rowKeys[r * W + (j >>> 5)] |= 1 << (j & 31);
          nMiss++;
        } else if (v === Infinity || v === -Infinity) {
          throw new MissingDataError(
            `row ${rowBase + start + r}, column ${j} is ${v}: only NaN marks a missing value, other entries must be finite`,
            rowBase + start + r,
            j,
          );
        }
      }
      if (nMiss === d) {
        throw new MissingDataError(
          `row ${rowBase + start + r} has no observed value (all ${d} entries are NaN); remove it before fitting`,
          rowBase + start + r,
        );
      }
      const key = W === 1 ? rowKeys[r] : keyString(rowKeys, r * W, W);
      let id = ids.get(key);
      if (id === undefined) {
        id = count++;
        ids.set(key, id);
        firstRow[id] = r;
      }
      rowPattern[r] = id;
    }

    // Sort the patterns by bit set (few: at most m), then place the rows by a stable counting sort.
    const { order, rank, offsets, keys, nObs, coords, rows } = this;
    for (let p = 0; p < count; p++) order[p] = p;
    const sorted = order.subarray(0, count).sort((a, b) => compareKeys(rowKeys, firstRow[a] * W, firstRow[b] * W, W));
    for (let p = 0; p < count; p++) rank[sorted[p]] = p;
    offsets.fill(0, 0, count + 1);
    for (let r = 0; r < m; r++) offsets[rank[rowPattern[r]] + 1]++;
    for (let p = 0; p < count; p++) offsets[p + 1] += offsets[p];
    // offsets[p] is now the start of pattern p; use nObs as the running insertion point, then reset it below
    for (let p = 0; p < count; p++) nObs[p] = offsets[p];
    for (let r = 0; r < m; r++) rows[nObs[rank[rowPattern[r]]]++] = start + r;

    for (let p = 0; p < count; p++) {
      const k0 = firstRow[sorted[p]] * W;
      for (let t = 0; t < W; t++) keys[p * W + t] = rowKeys[k0 + t];
      let a = p * d;
      for (let j = 0; j < d; j++) if (!bit(rowKeys, k0, j)) coords[a++] = j;
      nObs[p] = a - p * d;
      for (let j = 0; j < d; j++) if (bit(rowKeys, k0, j)) coords[a++] = j;
    }
    this.count = count;
    return this;
  }
}

const bit = (keys: Uint32Array, off: number, j: number): boolean => ((keys[off + (j >>> 5)] >>> (j & 31)) & 1) === 1;

/** Compares two bit sets as binary numbers (most significant word first). */
function compareKeys(keys: Uint32Array, a: number, b: number, W: number): number {
  for (let t = W - 1; t >= 0; t--) {
    const x = keys[a + t];
    const y = keys[b + t];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function keyString(keys: Uint32Array, off: number, W: number): string {
  let s = '';
  for (let t = 0; t < W; t++) s += `${keys[off + t].toString(36)},`;
  return s;
}
