/**
 * The columns of a CSV: resolving a selection (names, 1-based indices, ranges) against the header, and the
 * profile of the feature columns behind the reader's notes (index-like, code-like, constant).
 */
import { OptionError } from '../api/errors.js';

/** A column reference (a name first, else a 1-based index) → its 0-based index; `flag` names the option in errors. */
export function resolveColumn(ref: string | number, names: string[], flag: string): number {
  if (typeof ref === 'string') {
    const byName = names.indexOf(ref);
    if (byName >= 0) return byName;
    const t = ref.trim();
    if (t === '' || !isDigits(t)) {
      throw new OptionError(
        flag,
        `${flag}: no column named '${ref}'; the columns are ${names.map((s) => `'${s}'`).join(', ')}`,
      );
    }
    ref = Number(t);
  }
  if (!Number.isSafeInteger(ref)) throw new OptionError(flag, `${flag}: a column index must be an integer; got ${ref}`);
  if (ref >= 1 && ref <= names.length) return ref - 1;
  throw new OptionError(flag, `${flag}: column ${ref} is out of range; the data has ${names.length} columns (1-based)`);
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** "lo-hi" or "lo..hi" with digits → [lo, hi], else null. */
function parseRange(part: string): [string, string] | null {
  for (const sep of ['..', '-']) {
    const i = part.indexOf(sep);
    if (i > 0) {
      const lo = part.slice(0, i).trim();
      const hi = part.slice(i + sep.length).trim();
      if (isDigits(lo) && isDigits(hi)) return [lo, hi];
    }
  }
  return null;
}

/** The 0-based columns a selection picks, in its order (a column may appear twice). */
export function resolveColumns(
  spec: string | readonly (string | number)[],
  names: string[],
  flag = '--columns',
): number[] {
  const parts =
    typeof spec === 'string'
      ? spec
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : spec;
  const out: number[] = [];
  for (const part of parts) {
    const range = typeof part === 'string' && names.indexOf(part) < 0 ? parseRange(part) : null;
    if (range) {
      const lo = resolveColumn(range[0], names, flag);
      const hi = resolveColumn(range[1], names, flag);
      if (hi < lo) throw new OptionError(flag, `${flag}: empty range '${part}'`);
      for (let i = lo; i <= hi; i++) out.push(i);
    } else {
      out.push(resolveColumn(part, names, flag));
    }
  }
  if (out.length === 0) throw new OptionError(flag, `${flag} selects no columns`);
  return out;
}

/**
 * Per feature column, what the notes need: could it still be a row index (bit 1: 1..N, bit 2: 0..N-1), its
 * distinct integers while there are at most 10 (null once it has more, or a fraction), and whether it is constant.
 * Missing values (NaN) are passed over, except that they end an index.
 */
export class Profile {
  private readonly index: Uint8Array;
  private readonly codes: (number[] | null)[];
  private readonly first: Float64Array;
  /** 0: no value yet, 1: constant so far, 2: varies. */
  private readonly constant: Uint8Array;

  constructor(private readonly d: number) {
    this.index = new Uint8Array(d).fill(3);
    this.codes = Array.from({ length: d }, () => []);
    this.first = new Float64Array(d);
    this.constant = new Uint8Array(d);
  }

  /** Adds rows [from, to) of a row-major buffer; `first` is the index of row `from` among all rows. */
  add(data: Float64Array, from: number, to: number, first: number): void {
    const d = this.d;
    for (let c = 0; c < d; c++) {
      let idx = this.index[c];
      let codes = this.codes[c];
      let constant = this.constant[c];
      let v0 = this.first[c];
      for (let r = from; r < to && (idx !== 0 || codes !== null || constant !== 2); r++) {
        const v = data[r * d + c];
        const g = first + r - from;
        if (v !== g + 1) idx &= ~1;
        if (v !== g) idx &= ~2;
        if (Number.isNaN(v)) continue;
        if (constant === 0) {
          constant = 1;
          v0 = v;
        } else if (constant === 1 && v !== v0) {
          constant = 2;
        }
        if (codes !== null) codes = withCode(codes, v);
      }
      this.index[c] = idx;
      this.codes[c] = codes;
      this.constant[c] = constant;
      this.first[c] = v0;
    }
  }

  /**
   * What the profile found, in words: `notes` (a constant column) and `warnings` (a column that looks like a row index
   * or a label rather than a measurement — probably a mistake to fit on). `leaveOut(positions)` gives the selection
   * that leaves those feature positions out ('' when nothing would be left), so each warning says what to type.
   */
  report(
    names: string[],
    rows: number,
    flag: string,
    leaveOut: (positions: number[]) => string,
  ): { notes: string[]; warnings: string[] } {
    const notes: string[] = [];
    const found: [number, string][] = [];
    for (let c = 0; c < this.d; c++) {
      const name = `'${names[c]}'`;
      const codes = this.codes[c];
      if (this.index[c] !== 0 && rows >= 10) {
        const from = this.index[c] & 1 ? 1 : 0;
        found.push([c, `column ${name} looks like a row index (${from}, ${from + 1}, …, ${from + rows - 1} in order)`]);
      } else if (this.constant[c] === 1 && rows >= 2) {
        notes.push(`column ${name} is constant (every value is ${this.first[c]})`);
      } else if (codes !== null && codes.length > 1 && rows >= 20) {
        const list = [...codes].sort((a, b) => a - b).join(', ');
        found.push([
          c,
          `column ${name} takes only ${codes.length} distinct integer values (${list}) over ${rows} rows: it looks like a code or a label rather than a measurement`,
        ]);
      }
    }
    const keep = found.length > 0 ? leaveOut(found.map(([c]) => c)) : '';
    const others = found.length > 1 ? ' (every column named here left out)' : '';
    const fix = keep
      ? `unless it is a feature, select the others with ${keep}${others}`
      : `leave it out with ${flag} unless it is a feature`;
    return { notes, warnings: found.map(([, text]) => `${text}; ${fix}`) };
  }
}

/**
 * The column's distinct integer codes once v is seen, in order of appearance (v added to `codes`); null once a value
 * is not an integer or an eleventh code appears, as such a column no longer looks like a label.
 */
function withCode(codes: number[], v: number): number[] | null {
  if (!Number.isInteger(v)) return null;
  if (!codes.includes(v)) {
    if (codes.length === 10) return null;
    codes.push(v);
  }
  return codes;
}

/** "1-4,6": 1-based column numbers as ranges (for a --columns value). */
export function columnRanges(indices: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    parts.push(j > i ? `${indices[i] + 1}-${indices[j] + 1}` : `${indices[i] + 1}`);
    i = j + 1;
  }
  return parts.join(',');
}
