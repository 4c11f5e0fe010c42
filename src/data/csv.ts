/**
 * The numeric CSV reader shared by the CLI and fitStream: streaming, linear-time whatever the input holds, and
 * memory-bounded (a table costs 8·N·D bytes for the values plus 4·N for line numbers plus a constant).
 *
 * Input: see csv-input.ts (a path, '-', bytes, a Blob, a ReadableStream, any (async) iterable of bytes or
 * strings). Bytes are decoded as UTF-8 by a streaming TextDecoder (a character split between two pieces is fine);
 * a leading BOM is dropped.
 *
 * Format:
 *  - Records end at LF or CRLF. Blank lines (only spaces, tabs, CRs) are skipped wherever they are. Line numbers in
 *    messages and in `lines` are physical: a record is numbered by the line it starts on.
 *  - Fields are separated by a one-character delimiter, or by runs of spaces and tabs for delimiter ' '. Without a
 *    delimiter option it is detected from the first non-blank line (up to 1 MiB of it): tab if the line has one,
 *    else comma, else semicolon, else runs of blanks when they split that line (outside quotes) into two or more
 *    fields and the next line into as many or one more (R's write.table: `"x" "y"` over `"1" 1.5 2`), else comma.
 *    Spaces and tabs (unless tab is the delimiter) around fields are trimmed.
 *  - RFC 4180 quoting: a field starting with '"' runs to the next lone '"' and may hold delimiters, newlines and
 *    doubled quotes ("" for "); only blanks may follow its closing quote. A '"' inside an unquoted field is literal.
 *  - Header: with header 'auto' (the default) the first record is a header when any of its fields is non-empty
 *    and not a number (NaN and Infinity tokens count as numbers, and so do the missing-value tokens when missing is
 *    'nan'). Empty header names become x1, x2, … (by position); without a header every column is named so.
 *  - Numbers follow the grammar of csv-number.ts (decimal only). With missing: 'nan', empty fields and NA, N/A,
 *    NaN are NaN; infinite values are always an error; a weight is never missing and never negative.
 *  - Only the selected columns (features and weights) are converted; other columns may hold anything.
 *
 * Detections reported in `notes` (never printed here): R's write.csv / pandas' to_csv row names (an empty first
 * header field, or a header one field shorter than the data rows — that first column is then left out of the
 * default features), and constant feature columns; in `warnings`, feature columns that look like a row index
 * (1..N or 0..N-1 in order) or like a few integer codes (≤ 10 distinct integers over ≥ 20 rows) — a label fitted as
 * a feature — each with the column selection that leaves them out.
 *
 * Every problem with the data is a DataError naming the source, the line and the column; a column selection that
 * does not fit the data is an OptionError naming the option. Bounds: maxFieldLength characters per field,
 * maxColumns fields per record.
 *
 * Speed: numeric records go through one fused scan (splitting and number conversion in the same pass over char
 * codes, no per-field strings); anything unusual in a record (quotes, missing or bad values, the wrong number of
 * fields, a record cut by the end of a piece) sends that one record through the general tokenizer, which also makes
 * every error message. Both paths give the same result, so the output does not depend on how the input is cut.
 */
import { DataError, OptionError } from '../api/errors.js';
import { isMissingToken, nonFiniteToken, numberValue, parseNumber, POW10, scanNumber, scanned } from './csv-number.js';
import { openInput, type CsvInput, type CsvPiece } from './csv-input.js';
import { columnRanges, Profile, resolveColumn, resolveColumns } from './csv-columns.js';

export { parseNumber } from './csv-number.js';
export type { CsvInput } from './csv-input.js';
export { resolveColumns } from './csv-columns.js';

export interface CsvOptions {
  /**
   * Field delimiter: one character, or ' ' for runs of spaces and tabs. Default: detected from the first non-blank
   * line (tab, else comma, else semicolon, else comma).
   */
  delimiter?: string;
  /** Whether the first record is a header; 'auto' (default): it is when any field is non-empty and not a number. */
  header?: boolean | 'auto';
  /**
   * Feature columns: a comma list of names, 1-based indices and ranges ("eruptions,2", "1-3", "2..4"), or an array
   * of names and 1-based indices. Names are matched first. Default: every column but the weights and row names.
   */
  columns?: string | readonly (string | number)[];
  /** Column of sample weights (name or 1-based index); excluded from the default features. */
  weights?: string | number;
  /** Rows per chunk yielded by readCsv (default 8192). */
  chunkRows?: number;
  /** Name of the input in messages (default: the path, '<stdin>' for '-', a File's name, or '<input>'). */
  source?: string;
  /** 'error' (default): a missing value is a DataError. 'nan': empty fields and NA, N/A, NaN become NaN. */
  missing?: 'error' | 'nan';
  /** Called at most every ~100 ms while reading, and once at the end: bytes (or string characters) read so far. */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  /** Longest field accepted, in characters (default 1 MiB). */
  maxFieldLength?: number;
  /** Most fields accepted in a record (default 100 000). */
  maxColumns?: number;
  /**
   * How messages name the options, for hints and OptionErrors. Default: the CLI's flags (--columns, --weights,
   * --delimiter). A name not starting with '--' (e.g. 'csv.delimiter') gets hints in JavaScript syntax.
   */
  optionNames?: { columns?: string; weights?: string; delimiter?: string; missing?: string };
  /**
   * Picks the feature columns once the names are known, when `columns` is not given: called with every column's
   * name and whether they come from a header line; returns a selection (as `columns`) or undefined for the default.
   * It may throw (e.g. a DataError when the columns a model needs are missing). The CLI selects a saved model's
   * features by name this way.
   */
  chooseColumns?: (names: string[], header: boolean) => string | readonly (string | number)[] | undefined;
}

/** One chunk of rows; it satisfies the dense Matrix shape { data, rows, cols }. */
export interface CsvChunk {
  /** Selected feature names, in order (the same array in every chunk). */
  columns: string[];
  /** Whether the names come from a header line (else they are x1, x2, …). */
  header: boolean;
  /** Number of features (= columns.length). */
  cols: number;
  /** rows × cols values, row-major, exactly sized. */
  data: Float64Array;
  rows: number;
  /** One weight per row when a weights column is selected, else null. */
  weights: Float64Array | null;
  /** 1-based line number of each row in the input. */
  lines: Int32Array;
  /** Index of the chunk's first row among all data rows (0-based). */
  offset: number;
}

/** What readCsv returns when done (and readCsvTable includes). */
export interface CsvInfo {
  source: string;
  /** Whether the first record was a header. */
  header: boolean;
  /** The delimiter used (' ' for runs of blanks). */
  delimiter: string;
  /** Names of all columns of the input (x1, x2, … where there is no header name). */
  names: string[];
  /** Selected feature names. */
  columns: string[];
  /** 0-based indices (into names) of the selected features. */
  featureIndices: number[];
  /** 0-based index of the weights column, or -1. */
  weightsIndex: number;
  /** Number of data rows. */
  rows: number;
  /** Observations about the data (row names left out, constant columns), for the caller to show. */
  notes: string[];
  /** Likely mistakes: feature columns that look like a row index or a label, with the selection that leaves them out. */
  warnings: string[];
}

/** The whole input as one packed table. */
export interface CsvTable extends CsvInfo {
  /** rows × cols values, row-major. */
  data: Float64Array;
  cols: number;
  weights: Float64Array | null;
  lines: Int32Array;
}

interface Flags {
  columns: string;
  weights: string;
  /** How the caller turns missing values on (for the message), or '' when it cannot. */
  missing: string;
  delimiter: string;
}

interface Resolved {
  delimiter: string | undefined;
  header: boolean | 'auto';
  columns: string | readonly (string | number)[] | undefined;
  weights: string | number | undefined;
  chunkRows: number;
  source: string | undefined;
  missingNaN: boolean;
  onProgress: ((bytesRead: number, totalBytes: number | null) => void) | undefined;
  maxFieldLength: number;
  maxColumns: number;
  flags: Flags;
  chooseColumns: CsvOptions['chooseColumns'];
}

const KNOWN = [
  'delimiter',
  'header',
  'columns',
  'weights',
  'chunkRows',
  'source',
  'missing',
  'onProgress',
  'maxFieldLength',
  'maxColumns',
  'optionNames',
  'chooseColumns',
];
const positiveInteger = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

function resolveOptions(o: CsvOptions): Resolved {
  if (o === null || typeof o !== 'object') throw new OptionError('options', 'CSV options must be an object');
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) throw new OptionError(key, `unknown CSV option '${key}'; valid: ${KNOWN.join(', ')}`);
  }
  const d = o.delimiter;
  if (d !== undefined && (typeof d !== 'string' || d.length !== 1 || '0123456789.+-eE"\r\n'.includes(d))) {
    throw new OptionError(
      'delimiter',
      `delimiter must be one character other than a digit, '.', '+', '-', 'e', '"' or a line break; got ${JSON.stringify(d)}`,
    );
  }
  if (o.header !== undefined && typeof o.header !== 'boolean' && o.header !== 'auto')
    throw new OptionError('header', "header must be true, false or 'auto'");
  if (o.columns !== undefined && typeof o.columns !== 'string' && !Array.isArray(o.columns))
    throw new OptionError('columns', 'columns must be a string or an array of names and 1-based indices');
  if (o.weights !== undefined && typeof o.weights !== 'string' && typeof o.weights !== 'number')
    throw new OptionError('weights', 'weights must be a column name or a 1-based index');
  for (const key of ['chunkRows', 'maxFieldLength', 'maxColumns'] as const) {
    if (o[key] !== undefined && !positiveInteger(o[key]))
      throw new OptionError(key, `${key} must be an integer ≥ 1; got ${String(o[key])}`);
  }
  if (o.missing !== undefined && o.missing !== 'error' && o.missing !== 'nan')
    throw new OptionError('missing', "missing must be 'error' or 'nan'");
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    throw new OptionError('onProgress', 'onProgress must be a function');
  if (o.source !== undefined && typeof o.source !== 'string')
    throw new OptionError('source', 'source must be a string');
  if (o.chooseColumns !== undefined && typeof o.chooseColumns !== 'function')
    throw new OptionError('chooseColumns', 'chooseColumns must be a function');
  return {
    delimiter: d,
    header: o.header ?? 'auto',
    columns: o.columns,
    weights: o.weights,
    chunkRows: o.chunkRows ?? 8192,
    source: o.source,
    missingNaN: o.missing === 'nan',
    onProgress: o.onProgress,
    maxFieldLength: o.maxFieldLength ?? 1 << 20,
    maxColumns: o.maxColumns ?? 100_000,
    flags: {
      columns: o.optionNames?.columns ?? '--columns',
      weights: o.optionNames?.weights ?? '--weights',
      delimiter: o.optionNames?.delimiter ?? '--delimiter',
      missing: o.optionNames?.missing ?? '',
    },
    chooseColumns: o.chooseColumns,
  };
}

// ---- the fast path's numbers ----

/** inlined[0]: the value numberEnd's inline scan found; NaN when it left the number to scanNumber (see scanned). */
const inlined = new Float64Array(1);

/**
 * The end of the number starting at p (whose first character is c), or -1 when none starts there. The commonest form,
 * [-]digits[.digits] with at most 15 digits in all, is converted inline, exactly m / 10^frac, into inlined[0];
 * anything else (a '+', an exponent, more digits, no digit) goes through scanNumber. Called once per numeric field
 * of the fast path, so it allocates nothing.
 */
function numberEnd(s: string, p: number, end: number, c: number): number {
  let q = p;
  let ch = c;
  const negative = ch === 45;
  if (negative) ch = ++q < end ? s.charCodeAt(q) : -1;
  const d0 = q;
  let m = 0;
  while (ch >= 48 && ch <= 57) {
    m = m * 10 + (ch - 48);
    ch = ++q < end ? s.charCodeAt(q) : -1;
  }
  let nd = q - d0;
  let frac = 0;
  if (ch === 46) {
    ch = ++q < end ? s.charCodeAt(q) : -1;
    const f0 = q;
    while (ch >= 48 && ch <= 57) {
      m = m * 10 + (ch - 48);
      ch = ++q < end ? s.charCodeAt(q) : -1;
    }
    frac = q - f0;
    nd += frac;
  }
  if (nd > 0 && nd <= 15 && ch !== 101 && ch !== 69) {
    let v = frac === 0 ? m : m / POW10[frac];
    if (negative) v = -v;
    inlined[0] = v;
    return q;
  }
  inlined[0] = NaN;
  return scanNumber(s, p, end);
}

// ---- messages ----

/** A value quoted in a message: at most 40 characters, then '…'. */
export function quoteValue(s: string): string {
  if (s.length <= 40) return `'${s}'`;
  let cut = 40;
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--; // do not split a surrogate pair
  return `'${s.slice(0, cut)}…'`;
}

const isBlank = (c: number): boolean => c === 32 || c === 9;

/** Fields in s[start, end) separated by runs of spaces and tabs, a quoted field (with any blanks in it) counting once. */
function blankFields(s: string, start: number, end: number): number {
  let count = 0;
  let inField = false;
  let quoted = false;
  for (let p = start; p < end; p++) {
    const c = s.charCodeAt(p);
    if (c === 34) quoted = !quoted;
    if (quoted || !(isBlank(c) || c === 13)) {
      if (!inField) count++;
      inField = true;
    } else inField = false;
  }
  return count;
}

const showDelimiter = (d: string): string => (d === '\t' ? 'tab' : d === ' ' ? 'space' : `'${d}'`);

/** "try --delimiter tab" (CLI flags) or "try csv.delimiter: '\t'" (API options). */
function tryDelimiter(flag: string, d: string): string {
  if (flag.startsWith('--'))
    return `try ${flag} ${d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ' ' ? 'space' : d === ';' ? 'semicolon' : `'${d}'`}`;
  return `try ${flag}: ${JSON.stringify(d).replace(/^"|"$/g, "'")}`;
}

/** A number written with a decimal comma: digits, one comma, digits ("1,5", "-0,25"). */
function decimalComma(s: string): boolean {
  const i = s.indexOf(',');
  if (i <= 0 || s.indexOf(',', i + 1) >= 0) return false;
  const before = s.charCodeAt(i - 1);
  const after = s.charCodeAt(i + 1);
  return (
    before >= 48 &&
    before <= 57 &&
    after >= 48 &&
    after <= 57 &&
    Number.isFinite(parseNumber(`${s.slice(0, i)}.${s.slice(i + 1)}`))
  );
}

// ---- the engine ----

const FULL = 0; // the sink is full (or not allocated yet)
const MORE = 1; // needs more input
const DONE = 2; // the input is exhausted
const BAIL = 3; // fast path: this record needs the general tokenizer

/** How much of the first line delimiter detection looks at, at most. */
const DETECT_LIMIT = 1 << 20;

interface Sink {
  data: Float64Array;
  weights: Float64Array | null;
  lines: Int32Array;
  n: number;
  cap: number;
}

/** Whether records may take the fused fast path (tests turn it off to compare it with the general tokenizer). */
let fastPath = true;

/** For tests only: with `on` false every record goes through the general tokenizer. */
export function _setFastPath(on: boolean): void {
  fastPath = on;
}

const emptySink = (): Sink => ({ data: new Float64Array(0), weights: null, lines: new Int32Array(0), n: 0, cap: 0 });

class Engine {
  // input buffer
  text = '';
  pos = 0;
  /** Line number at `pos`. */
  line = 1;
  final = false;
  /** Characters dropped from the front of `text` so far. */
  consumed = 0;
  /** Size of the input in bytes, when known. */
  totalBytes: number | null = null;
  private pending: string[] = [];
  private pendingLen = 0;
  /** Pending characters needed before parsing again (the size of the record left incomplete last time). */
  private need = 0;

  // format
  private phase = 0; // 0: detect the delimiter, 1: header, 2: data
  delimiter = ',';
  private dc = 44; // delimiter char code; -1 for runs of blanks
  private tabBlank = true; // tab is trimmed (not the delimiter)
  header = false;
  names: string[] = [];
  private width = 0;
  private firstLine = 1;
  cols: number[] = [];
  /** Whether `cols` is the default selection (nobody chose the columns). */
  private defaultCols = false;
  d = 0;
  wcol = -1;
  notes: string[] = [];
  private slot = new Int32Array(0);
  private dups: number[] = []; // pairs (from, to) of output slots for a column selected twice
  profile: Profile | null = null;

  // output
  sink: Sink = emptySink();
  /** Data rows in earlier sinks. */
  rowsBefore = 0;
  /** Rows of the current sink already given to the profile. */
  profiled = 0;

  // tokenizer results
  private tokNext = 0;
  private tokLines = 0;
  private quoteEnd = 0;

  constructor(
    readonly o: Resolved,
    readonly source: string,
  ) {
    if (o.delimiter !== undefined) this.setDelimiter(o.delimiter);
  }

  push(piece: string): void {
    if (piece.length === 0) return;
    this.pending.push(piece);
    this.pendingLen += piece.length;
  }

  /** Whether enough input is pending to parse again (geometric: linear time even for a record cut many times). */
  ready(): boolean {
    return this.pendingLen > 0 && this.pendingLen >= this.need;
  }

  /** Moves pending input into the text, dropping what was consumed. */
  take(): void {
    const rest = this.pos === 0 ? this.text : this.text.slice(this.pos);
    this.consumed += this.pos;
    // join, not +: one flat string (a cons string makes every charCodeAt take a detour)
    if (rest.length > 0) this.pending.unshift(rest);
    this.text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pos = 0;
    this.pending = [];
    this.pendingLen = 0;
  }

  private setDelimiter(d: string): void {
    this.delimiter = d;
    this.dc = d === ' ' ? -1 : d.charCodeAt(0);
    this.tabBlank = d !== '\t';
    this.phase = 1;
  }

  /** Parses until the sink is full, the input runs out, or more input is needed. */
  run(): number {
    if (this.phase === 0 && !this.detect()) return this.final ? DONE : this.suspend();
    if (this.phase === 1) {
      const st = this.readHeader();
      if (st !== FULL) return st === MORE ? this.suspend() : st;
    }
    for (;;) {
      const st = fastPath
        ? this.fast()
        : this.skipBlank() === FULL
          ? this.sink.n < this.sink.cap
            ? BAIL
            : FULL
          : this.final
            ? DONE
            : MORE;
      if (st !== BAIL) return st === MORE ? this.suspend() : st;
      if (this.slow() === MORE) return this.suspend();
    }
  }

  private suspend(): number {
    this.need = this.text.length - this.pos;
    return MORE;
  }

  /** Phase 0: detects the delimiter from the first non-blank line. False when more input is needed. */
  private detect(): boolean {
    const st = this.skipBlank(false);
    if (st === MORE) return false;
    if (st === DONE) {
      this.setDelimiter(','); // a blank input: reported as empty by the header phase
      return true;
    }
    const s = this.text;
    const start = this.pos;
    let end = s.indexOf('\n', start);
    if (end < 0 || end - start > DETECT_LIMIT) {
      if (end < 0 && !this.final && s.length - start < DETECT_LIMIT) return false;
      end = Math.min(s.length, start + DETECT_LIMIT);
    }
    const has = (ch: string): boolean => {
      const i = s.indexOf(ch, start);
      return i >= 0 && i < end;
    };
    if (has('\t') || has(',') || has(';')) {
      this.setDelimiter(has('\t') ? '\t' : has(',') ? ',' : ';');
      return true;
    }
    const blanks = blankFields(s, start, end);
    if (blanks < 2) {
      this.setDelimiter(',');
      return true;
    }
    // Runs of blanks split the line: R's write.table output, or a one-column file whose header has a space in it.
    // The next line decides: as many fields, or one more (row names), means blank-separated.
    let next = end + 1;
    while (next < s.length && (s.charCodeAt(next) === 10 || s.charCodeAt(next) === 13 || isBlank(s.charCodeAt(next))))
      next++;
    let nextEnd = s.indexOf('\n', next);
    if (nextEnd < 0 || nextEnd - next > DETECT_LIMIT) {
      if (nextEnd < 0 && !this.final && s.length - next < DETECT_LIMIT) return false;
      nextEnd = Math.min(s.length, next + DETECT_LIMIT);
    }
    const second = next < s.length ? blankFields(s, next, nextEnd) : blanks;
    this.setDelimiter(second === blanks || second === blanks + 1 ? ' ' : ',');
    return true;
  }

  /**
   * Skips blank lines from `pos`, updating `pos` and `line`. Returns FULL when a record starts at `pos`, MORE or
   * DONE when the text ends first. With `drop`, blanks that may still turn out to lead a record are dropped too
   * (they are trimmed anyway, unless tab is the delimiter), so a long run of them is not kept in memory.
   */
  private skipBlank(drop = true): number {
    const s = this.text;
    const end = s.length;
    let p = this.pos;
    for (;;) {
      let q = p;
      let c = -1;
      while (q < end && ((c = s.charCodeAt(q)) === 32 || c === 9 || c === 13)) q++;
      if (q >= end) {
        this.pos = drop && this.tabBlank && !this.final ? q : p;
        return this.final ? DONE : MORE;
      }
      if (c !== 10) {
        this.pos = p;
        return FULL;
      }
      p = q + 1;
      this.line++;
    }
  }

  /** Label of a column in messages: its name when known, else its 1-based position. */
  private label(j: number): string {
    return j < this.names.length ? `'${this.names[j]}'` : `${j + 1}`;
  }

  private tooLong(line: number, j: number, quoted: boolean): DataError {
    return new DataError(
      `${this.source}: line ${line}, column ${this.label(j)}: a field is longer than ${this.o.maxFieldLength} characters (maxFieldLength)${quoted ? ' — is a quote never closed?' : ''}`,
      undefined,
      j,
    );
  }

  private tooManyFields(line: number): DataError {
    return new DataError(
      `${this.source}: line ${line}: more than ${this.o.maxColumns} fields (maxColumns) — is the delimiter ${showDelimiter(this.delimiter)} right?`,
    );
  }

  private textAfterQuote(line: number, j: number, text: string): DataError {
    return new DataError(
      `${this.source}: line ${line}, column ${this.label(j)}: ${quoteValue(text)} follows a closing quote; a quoted field must be followed by the delimiter ${showDelimiter(this.delimiter)} or the end of the line`,
      undefined,
      j,
    );
  }

  /**
   * The quoted field opening at `open` (on line `qline`, column j), its doubled quotes undone; null when more input may
   * come and is needed (no closing quote yet, or a quote ending the text that may be the first of a doubled pair).
   * Sets quoteEnd (just past the closing quote). The length is checked before more input is asked for, so the error is the same whatever the
   * input's chunking.
   */
  private unquote(open: number, qline: number, j: number): string | null {
    const s = this.text;
    const end = s.length;
    const maxF = this.o.maxFieldLength;
    const final = this.final;
    let k = open + 1;
    let value = '';
    for (;;) {
      const q = s.indexOf('"', k);
      if (q < 0) {
        if (end - open > maxF) throw this.tooLong(qline, j, true);
        if (final) throw new DataError(`${this.source}: line ${qline}: a quoted field is never closed`, undefined, j);
        return null;
      }
      if (q + 1 - open > maxF) throw this.tooLong(qline, j, true);
      if (q + 1 >= end && !final) return null; // is it "" ?
      if (q + 1 < end && s.charCodeAt(q + 1) === 34) {
        value += s.slice(k, q + 1);
        k = q + 2;
        continue;
      }
      this.quoteEnd = q + 1;
      return value + s.slice(k, q);
    }
  }

  /**
   * The general tokenizer: the fields of the record starting at p (on line `line`), trimmed and unquoted. Returns
   * null when the text ends inside the record and more input may come. Sets tokNext (just past the record) and
   * tokLines (line breaks consumed). Throws on a field over maxFieldLength, a record over maxColumns, a quote never
   * closed, or text after a closing quote — checks made in order, so the same error whatever the input's chunking.
   */
  private tokenize(p: number, line: number): string[] | null {
    const s = this.text;
    const end = s.length;
    const dc = this.dc;
    const blanks = dc < 0;
    const tabBlank = this.tabBlank;
    const maxF = this.o.maxFieldLength;
    const final = this.final;
    const fields: string[] = [];
    let lines = 0;
    for (;;) {
      let c = -1;
      while (p < end && ((c = s.charCodeAt(p)) === 32 || c === 13 || (c === 9 && tabBlank))) p++;
      const j = fields.length;
      if (j >= this.o.maxColumns) throw this.tooManyFields(line);
      if (p >= end) {
        if (!final) return null;
        fields.push(''); // after a trailing delimiter at the end of the input
        break;
      }
      if (c === 34) {
        const open = p;
        const value = this.unquote(open, line + lines, j);
        if (value === null) return null;
        p = this.quoteEnd;
        for (let i = s.indexOf('\n', open); i >= 0 && i < p; i = s.indexOf('\n', i + 1)) lines++;
        const closed = p;
        while (p < end && ((c = s.charCodeAt(p)) === 32 || c === 13 || (c === 9 && tabBlank))) p++;
        fields.push(value);
        if (p >= end) {
          if (!final) return null;
          break;
        }
        c = s.charCodeAt(p);
        if (c === 10) {
          p++;
          lines++;
          break;
        }
        if (blanks ? p > closed : c === dc) {
          if (!blanks) p++;
          continue;
        }
        throw this.textAfterQuote(line + lines, j, s.slice(p, p + 1));
      }
      const start = p;
      let last = p; // just past the last non-blank character
      while (p < end && (c = s.charCodeAt(p)) !== 10 && c !== dc && !(blanks && (c === 32 || c === 9 || c === 13))) {
        p++;
        if (c !== 32 && c !== 13 && (c !== 9 || !tabBlank)) last = p;
      }
      if (p - start > maxF) throw this.tooLong(line + lines, j, false);
      if (p >= end && !final) return null;
      fields.push(s.slice(start, last));
      if (blanks) while (p < end && ((c = s.charCodeAt(p)) === 32 || c === 9 || c === 13)) p++;
      if (p >= end) {
        if (!final) return null;
        break;
      }
      c = s.charCodeAt(p);
      if (c === 10) {
        p++;
        lines++;
        break;
      }
      if (!blanks) p++; // the delimiter
    }
    this.tokNext = p;
    this.tokLines = lines;
    return fields;
  }

  /** Whether a header field counts as a number for header detection. */
  private numberLike(f: string): boolean {
    if (f === '' || !Number.isNaN(parseNumber(f)) || nonFiniteToken(f) !== null) return true;
    return this.o.missingNaN && isMissingToken(f);
  }

  /** Phase 1: the first record — header or not, names, row names, the column selection. */
  private readHeader(): number {
    const st = this.skipBlank();
    if (st === MORE) return MORE;
    if (st === DONE) throw new DataError(`${this.source}: no data (the input is empty)`);
    const first = this.tokenize(this.pos, this.line);
    if (first === null) return MORE;
    const firstNext = this.tokNext;
    const firstLines = this.tokLines;
    const o = this.o;
    const header = o.header === 'auto' ? first.some((f) => !this.numberLike(f)) : o.header;
    let width = first.length;
    let firstLine = this.line;
    let rowNames = 0; // 1: empty first header name, 2: header one field short
    if (header) {
      this.names = first.map((f, j) => f || `x${j + 1}`); // provisional, for messages from the peek
      // peek at the first data row: one field more than the header means R-style row names
      const savePos = this.pos;
      const saveLine = this.line;
      this.pos = firstNext;
      this.line += firstLines;
      const st2 = this.skipBlank();
      const next = st2 === FULL ? this.tokenize(this.pos, this.line) : null;
      const nextLine = this.line;
      this.pos = savePos;
      this.line = saveLine;
      if (st2 === MORE || (st2 === FULL && next === null)) return MORE;
      // (not when that extra field is empty: a trailing delimiter is no row name)
      if (next !== null && next.length === width + 1 && next[width] !== '') {
        rowNames = 2;
        width++;
        firstLine = nextLine;
      } else if (width > 1 && first[0] === '') {
        rowNames = 1;
      }
    }
    this.header = header;
    this.width = width;
    this.firstLine = firstLine;
    const named = rowNames === 2 ? ['', ...first] : first;
    this.names = header ? named.map((s, j) => s || `x${j + 1}`) : Array.from({ length: width }, (_, j) => `x${j + 1}`);
    if (header) {
      this.pos = firstNext;
      this.line += firstLines;
    }
    this.select(rowNames);
    this.phase = 2;
    return FULL;
  }

  private select(rowNames: number): void {
    const { o, names } = this;
    const flags = o.flags;
    this.wcol = o.weights !== undefined ? resolveColumn(o.weights, names, flags.weights) : -1;
    const chosen = o.columns ?? o.chooseColumns?.([...names], this.header);
    if (chosen !== undefined) {
      this.cols = resolveColumns(chosen, names, flags.columns);
    } else {
      this.defaultCols = true;
      this.cols = names.map((_, j) => j).filter((j) => j !== this.wcol && !(rowNames !== 0 && j === 0));
      if (rowNames === 1) {
        this.notes.push(
          `the first column has no name in the header: it looks like row names or an index (as R's write.csv and pandas' to_csv write them), so it is not used as a feature; name it in ${flags.columns} to use it`,
        );
      } else if (rowNames === 2) {
        this.notes.push(
          `the header has one field fewer than the data rows: the first column is taken as row names (as R's write.table writes them) and is not used as a feature; select it with ${flags.columns} to use it`,
        );
      }
    }
    if (this.cols.length === 0)
      throw new OptionError(flags.weights, `${flags.weights}: no feature columns are left besides the weights column`);
    this.d = this.cols.length;
    this.slot = new Int32Array(this.width).fill(-1);
    this.cols.forEach((j, c) => {
      if (this.slot[j] < 0) this.slot[j] = c;
      else this.dups.push(this.slot[j], c);
    });
    this.profile = new Profile(this.d);
  }

  /**
   * Phase 2, the fast path: records of unquoted numbers with the right number of fields, converted in one scan.
   * Anything else returns BAIL with `pos` at the start of that record (blank lines before it skipped).
   */
  private fast(): number {
    const s = this.text;
    const end = s.length;
    const final = this.final;
    const tabBlank = this.tabBlank;
    const d = this.d;
    const dups = this.dups;
    const sink = this.sink;
    const { data, lines, cap } = sink;
    let n = sink.n;
    let pos = this.pos;
    let line = this.line;
    let st = FULL;
    while (n < cap) {
      // blank lines
      let q = pos;
      let c = -1;
      while (q < end && ((c = s.charCodeAt(q)) === 32 || c === 9 || c === 13)) q++;
      if (q >= end) {
        if (!final && tabBlank) pos = q; // blanks that may lead a record are trimmed anyway: not kept (see skipBlank)
        st = final ? DONE : MORE;
        break;
      }
      if (c === 10) {
        pos = q + 1;
        line++;
        continue;
      }
      const base = n * d;
      const p = this.fastRecord(pos, base, n);
      if (p < 0) {
        st = BAIL;
        break;
      }
      for (let k = 0; k < dups.length; k += 2) data[base + dups[k + 1]] = data[base + dups[k]];
      lines[n++] = line++;
      pos = p;
    }
    sink.n = n;
    this.pos = pos;
    this.line = line;
    return st;
  }

  /**
   * The fast path's scan of the record at `pos`, stored as row n (at `base` in the sink's data): the position just
   * past it, or -1 when the record is not for the fast path (the row then holds partial values, overwritten later).
   * Per-field work stays inline here, as this loop runs once per field of the input.
   */
  private fastRecord(pos: number, base: number, n: number): number {
    const s = this.text;
    const end = s.length;
    const final = this.final;
    const dc = this.dc;
    const blanks = dc < 0;
    const tabBlank = this.tabBlank;
    const width = this.width;
    const slot = this.slot;
    const wcol = this.wcol;
    const maxF = this.o.maxFieldLength;
    const missingNaN = this.o.missingNaN && !blanks;
    const { data, weights } = this.sink;
    let p = pos;
    let j = 0;
    let c = -1;
    for (;;) {
      while (p < end && ((c = s.charCodeAt(p)) === 32 || c === 13 || (c === 9 && tabBlank))) p++;
      if (j >= width || p >= end) return -1;
      const start = p;
      const sl = slot[j];
      const numeric = sl >= 0 || j === wcol;
      // 1 = a number of the grammar, 0 = empty (a missing value), -1 = something else
      let kind = 1;
      let v = NaN; // set by the inline scan; NaN: the value comes from scanNumber
      if (numeric) {
        const e = numberEnd(s, p, end, c);
        if (e >= 0) {
          v = inlined[0];
          p = e;
        } else if (missingNaN && j !== wcol && (c === dc || c === 10)) kind = 0;
        else kind = -1;
      } else if (c !== 34) {
        while (p < end && (c = s.charCodeAt(p)) !== dc && c !== 10 && !(blanks && (c === 32 || c === 9 || c === 13)))
          p++;
      } else {
        kind = -1; // a quoted field
      }
      const stop = p;
      while (p < end && ((c = s.charCodeAt(p)) === 32 || c === 13 || (c === 9 && tabBlank))) p++;
      // the field must end here: at the delimiter (a run of blanks for ' '), the end of the line or of the input
      let last = false;
      if (p < end) {
        c = s.charCodeAt(p);
        if (c === 10) last = true;
        else if (blanks ? p === stop : c !== dc) kind = -1;
      } else if (final) {
        last = true;
      } else {
        kind = -1; // cut by the end of this piece of input
      }
      if (kind < 0 || p - start > maxF) return -1;
      if (numeric) {
        if (kind > 0 && Number.isNaN(v)) {
          v = scanned[0];
          if (Number.isNaN(v)) v = numberValue(s, start, stop);
        }
        if (kind > 0) {
          if (v === Infinity || v === -Infinity || (j === wcol && !(v >= 0))) return -1;
        }
        if (sl >= 0) data[base + sl] = v;
        if (j === wcol) weights![n] = v;
      }
      j++;
      if (last) {
        if (p < end) p++;
        break;
      }
      if (!blanks) p++;
    }
    return j === width ? p : -1;
  }

  /** Phase 2, the general path for one record at `pos`: FULL when it was consumed, MORE when it is incomplete. */
  private slow(): number {
    const line = this.line;
    const fields = this.tokenize(this.pos, line);
    if (fields === null) return MORE;
    const sink = this.sink;
    const n = sink.n;
    const row = this.rowsBefore + n;
    if (fields.length !== this.width) {
      throw new DataError(
        `${this.source}: line ${line}: expected ${this.width} fields (as on line ${this.firstLine}), got ${fields.length}` +
          (fields.length === 1 && this.width > 1 ? ` — is the delimiter ${showDelimiter(this.delimiter)} right?` : ''),
        row,
      );
    }
    const { cols, d } = this;
    const base = n * d;
    for (let c = 0; c < d; c++) sink.data[base + c] = this.value(fields[cols[c]], line, row, cols[c], false);
    if (this.wcol >= 0) sink.weights![n] = this.value(fields[this.wcol], line, row, this.wcol, true);
    sink.lines[n] = line;
    sink.n = n + 1;
    this.pos = this.tokNext;
    this.line += this.tokLines;
    return FULL;
  }

  /** The value of a field, or the DataError saying why it has none. */
  private value(raw: string, line: number, row: number, j: number, weight: boolean): number {
    const v = parseNumber(raw);
    const where = `${this.source}: line ${line}, column '${this.names[j]}'`;
    if (Number.isFinite(v)) {
      if (weight && v < 0)
        throw new DataError(`${where}: the weight ${raw.trim()} is negative (weights must be ≥ 0)`, row, j);
      return v;
    }
    if (!Number.isNaN(v))
      throw new DataError(
        `${where}: ${quoteValue(raw)} is too large for a double (it overflows to ${v > 0 ? '' : '-'}Infinity)`,
        row,
        j,
      );
    const missing = weight
      ? 'a weight cannot be missing'
      : this.o.flags.missing
        ? `missing values need ${this.o.flags.missing}`
        : 'missing values are not supported';
    if (isMissingToken(raw)) {
      if (this.o.missingNaN && !weight) return NaN;
      if (raw.trim() === '') throw new DataError(`${where} is empty (${missing})`, row, j);
      throw new DataError(`${where}: ${quoteValue(raw)} is not a number (a missing value? ${missing})`, row, j);
    }
    if (nonFiniteToken(raw) === 'inf')
      throw new DataError(`${where}: ${quoteValue(raw)} is infinite (values must be finite numbers)`, row, j);
    const d = this.delimiter;
    const flag = this.o.flags.delimiter;
    const inner = raw.trim();
    const blank = inner.includes(' ') || inner.includes('\t');
    const hint =
      d !== '\t' && raw.includes('\t')
        ? ` (the file looks tab-separated: ${tryDelimiter(flag, '\t')})`
        : d === ';' && decimalComma(raw.trim())
          ? " (a decimal comma? only '.' is read as the decimal separator)"
          : d !== ',' && raw.includes(',')
            ? ` (the file looks comma-separated: ${tryDelimiter(flag, ',')})`
            : d !== ';' && raw.includes(';')
              ? ` (the file looks semicolon-separated: ${tryDelimiter(flag, ';')})`
              : d !== ' ' && blank
                ? ` (whitespace-separated? ${tryDelimiter(flag, ' ')})`
                : this.textColumn(row, j, weight);
    throw new DataError(`${where}: ${quoteValue(raw)} is not a number${hint}`, row, j);
  }

  /**
   * Text in the first data row of a column nobody selected is most likely a text column (R's factor of labels):
   * the hint is the selection without it.
   */
  private textColumn(row: number, j: number, weight: boolean): string {
    if (row !== 0 || weight || !this.defaultCols || !this.header) return '';
    const rest = this.selection(this.cols.filter((c) => c !== j));
    return rest ? ` (a text column? leave it out: ${rest})` : '';
  }

  /** Feeds the rows of the sink not yet profiled to the note detectors. */
  profileRows(): void {
    const n = this.sink.n;
    if (this.profile && n > this.profiled)
      this.profile.add(this.sink.data, this.profiled, n, this.rowsBefore + this.profiled);
    this.profiled = n;
  }

  /** Starts a new sink of `cap` rows. */
  newSink(cap: number): void {
    this.profileRows();
    this.rowsBefore += this.sink.n;
    this.profiled = 0;
    try {
      this.sink = {
        data: new Float64Array(cap * this.d),
        weights: this.wcol >= 0 ? new Float64Array(cap) : null,
        lines: new Int32Array(cap),
        n: 0,
        cap,
      };
    } catch (e) {
      const mb = Math.ceil((cap * (8 * this.d + 4 + (this.wcol >= 0 ? 8 : 0))) / 2 ** 20);
      throw new DataError(
        `${this.source}: cannot allocate ${mb} MiB for ${cap} more rows of ${this.d} columns after ${this.rowsBefore} rows: ${(e as Error).message}`,
      );
    }
  }

  /** Grows the sink to `cap` rows, keeping its rows. */
  grow(cap: number): void {
    const old = this.sink;
    this.newSink(cap);
    this.rowsBefore -= old.n;
    this.profiled = old.n;
    this.sink.data.set(old.data.subarray(0, old.n * this.d));
    if (old.weights) this.sink.weights!.set(old.weights.subarray(0, old.n));
    this.sink.lines.set(old.lines.subarray(0, old.n));
    this.sink.n = old.n;
  }

  /** The reader's notes and the profile's findings, each warning with the selection that leaves its columns out. */
  private report(columns: string[], rows: number): { notes: string[]; warnings: string[] } {
    const r = this.profile!.report(columns, rows, this.o.flags.columns, (positions) => {
      const drop = new Set(positions.map((c) => this.cols[c]));
      return this.selection(this.cols.filter((j) => !drop.has(j)));
    });
    return { notes: [...this.notes, ...r.notes], warnings: r.warnings };
  }

  /** "--columns 1-4" (CLI flags) or "csv.columns: '1-4'" (API options) for these 0-based columns; '' for none. */
  selection(cols: number[]): string {
    if (cols.length === 0) return '';
    const flag = this.o.flags.columns;
    const ranges = columnRanges([...new Set(cols)]);
    return flag.startsWith('--') ? `${flag} ${ranges}` : `${flag}: '${ranges}'`;
  }

  /** The summary, once the input is exhausted. */
  info(): CsvInfo {
    const rows = this.rowsBefore + this.sink.n;
    if (rows === 0) {
      throw new DataError(
        this.header
          ? `${this.source}: no data rows after the header line`
          : `${this.source}: no data (the input is empty)`,
      );
    }
    this.profileRows();
    const columns = this.cols.map((j) => this.names[j]);
    return {
      source: this.source,
      header: this.header,
      delimiter: this.delimiter,
      names: this.names,
      columns,
      featureIndices: this.cols,
      weightsIndex: this.wcol,
      rows,
      ...this.report(columns, rows),
    };
  }
}

/** Decodes pieces to text: UTF-8 bytes through one streaming TextDecoder (BOM dropped), strings as they are. */
class Decoder {
  private readonly td = new TextDecoder('utf-8');
  private first = true;
  bytes = 0;

  decode(piece: CsvPiece | undefined): string {
    let text: string;
    if (piece === undefined) {
      text = this.td.decode();
    } else if (typeof piece === 'string') {
      this.bytes += piece.length;
      text = this.td.decode() + piece; // flushes a partial character left by earlier bytes
    } else if (ArrayBuffer.isView(piece) || piece instanceof ArrayBuffer) {
      this.bytes += piece.byteLength;
      text = this.td.decode(piece, { stream: true });
    } else {
      throw new DataError(
        `the CSV input yielded ${piece === null ? 'null' : typeof piece}; expected Uint8Array or string chunks`,
      );
    }
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }
}

/** Wraps an error of the input itself (a stream's own error) as a DataError naming the source. */
function asDataError(e: unknown, source: string): unknown {
  if (e instanceof DataError || e instanceof OptionError) return e;
  return new DataError(`cannot read ${source}: ${(e as Error)?.message ?? String(e)}`);
}

/** Throttles onProgress to one call per ~100 ms (plus the final one). */
function progress(o: Resolved, total: number | null): (bytes: number, last: boolean) => void {
  const cb = o.onProgress;
  if (!cb) return () => {};
  let at = -Infinity;
  return (bytes, last) => {
    const now = Date.now();
    if (last || now - at >= 100) {
      at = now;
      cb(bytes, total);
    }
  };
}

/**
 * Drives an engine over an input: yields it whenever its sink is full (or not yet allocated) for the caller to
 * replace or grow the sink, and returns it when the input is exhausted.
 */
async function* drive(input: CsvInput, o: Resolved): AsyncGenerator<Engine, { engine: Engine }, undefined> {
  const opened = await openInput(input, o.source);
  const engine = new Engine(o, opened.name);
  engine.totalBytes = opened.totalBytes;
  const dec = new Decoder();
  const tick = progress(o, opened.totalBytes);
  const it =
    Symbol.asyncIterator in opened.pieces
      ? (opened.pieces as AsyncIterable<CsvPiece>)[Symbol.asyncIterator]()
      : (opened.pieces as Iterable<CsvPiece>)[Symbol.iterator]();
  let finished = false;
  try {
    for (;;) {
      let r: IteratorResult<CsvPiece>;
      try {
        r = await it.next();
      } catch (e) {
        throw asDataError(e, engine.source);
      }
      if (r.done) {
        engine.push(dec.decode(undefined));
        engine.final = true;
        finished = true;
      } else {
        engine.push(dec.decode(r.value));
        tick(dec.bytes, false);
        if (!engine.ready()) continue;
      }
      engine.take();
      for (;;) {
        const st = engine.run();
        if (st === FULL) yield engine;
        else if (st === DONE || st === MORE) break;
      }
      if (finished) break;
    }
  } finally {
    if (!finished) await it.return?.();
  }
  tick(dec.bytes, true);
  return { engine };
}

/**
 * Reads a numeric CSV in chunks of `chunkRows` rows. Returns the summary (CsvInfo) when done; throws DataError for
 * bad data, OptionError for a column selection that does not fit the data.
 */
export async function* readCsv(
  input: CsvInput,
  options: CsvOptions = {},
): AsyncGenerator<CsvChunk, CsvInfo, undefined> {
  const o = resolveOptions(options);
  let columns: string[] | null = null;
  let engine: Engine | null = null;
  const emit = (e: Engine): CsvChunk => {
    e.profileRows();
    const { sink, d } = e;
    const n = sink.n;
    columns ??= e.cols.map((j) => e.names[j]);
    const exact = n === sink.cap;
    return {
      columns,
      header: e.header,
      cols: d,
      data: exact ? sink.data : sink.data.slice(0, n * d),
      rows: n,
      weights: sink.weights && (exact ? sink.weights : sink.weights.slice(0, n)),
      lines: exact ? sink.lines : sink.lines.slice(0, n),
      offset: e.rowsBefore,
    };
  };
  const gen = drive(input, o);
  try {
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        engine = r.value.engine;
        break;
      }
      engine = r.value;
      if (engine.sink.n > 0) yield emit(engine);
      engine.newSink(o.chunkRows);
    }
    const info = engine.info();
    if (engine.sink.n > 0) yield emit(engine);
    return info;
  } finally {
    await gen.return(undefined as never);
  }
}

/** Rows of the first block of a table. */
const FIRST_BLOCK = 4096;

/**
 * Reads a whole numeric CSV into one packed row-major Float64Array (the CLI's use): no whole-file string, no array
 * per row. With the input's size known (a file, a Blob), the rows per byte of the first 4096 rows size one buffer
 * for the rest: memory ≈ 8·N·D + 4·N bytes (+ 8·N for weights) plus ~3% and a constant. Otherwise (a pipe, a
 * stream) rows go into blocks a quarter of the rows so far in size, joined once at the end: ~2.3 times that at
 * the peak, and every value copied once.
 */
export async function readCsvTable(input: CsvInput, options: CsvOptions = {}): Promise<CsvTable> {
  const o = resolveOptions(options);
  const gen = drive(input, o);
  let engine: Engine | null = null;
  const blocks: Sink[] = [];
  let estimated = false;
  for (;;) {
    const r = await gen.next();
    if (r.done) {
      engine = r.value.engine;
      break;
    }
    engine = r.value;
    const { n, cap } = engine.sink;
    const used = engine.consumed + engine.pos;
    if (cap === 0) {
      engine.newSink(FIRST_BLOCK);
    } else if (!estimated && engine.totalBytes !== null && used > 0) {
      // characters per row so far (≈ bytes for ASCII; more bytes than characters only over-estimates)
      estimated = true;
      engine.grow(Math.ceil((n * engine.totalBytes * 1.03) / used) + FIRST_BLOCK);
    } else {
      blocks.push(engine.sink);
      engine.newSink(Math.max(FIRST_BLOCK, Math.ceil((engine.rowsBefore + n) / 4)));
    }
  }
  const info = engine.info();
  const d = engine.d;
  const last = engine.sink;
  if (blocks.length === 0) {
    const n = last.n;
    // a buffer an eighth or more too large is copied to its size
    const tight = <T extends Float64Array | Int32Array>(a: T, len: number): T =>
      a.length - len >= a.length / 8 ? (a.slice(0, len) as T) : (a.subarray(0, len) as T);
    return {
      ...info,
      data: tight(last.data, n * d),
      cols: d,
      weights: last.weights && tight(last.weights, n),
      lines: tight(last.lines, n),
    };
  }
  blocks.push(last);
  const rows = info.rows;
  let data: Float64Array;
  let weights: Float64Array | null;
  let lines: Int32Array;
  try {
    data = new Float64Array(rows * d);
    weights = last.weights ? new Float64Array(rows) : null;
    lines = new Int32Array(rows);
  } catch (e) {
    throw new DataError(
      `${info.source}: cannot allocate the table of ${rows} rows × ${d} columns: ${(e as Error).message}`,
    );
  }
  let at = 0;
  for (const b of blocks) {
    data.set(b.data.subarray(0, b.n * d), at * d);
    if (weights) weights.set(b.weights!.subarray(0, b.n), at);
    lines.set(b.lines.subarray(0, b.n), at);
    at += b.n;
  }
  blocks.length = 0;
  return { ...info, data, cols: d, weights, lines };
}
