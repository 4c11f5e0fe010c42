/**
 * The CLI's tables: the one CSV reader (data/csv.ts) into one packed Float64Array — memory about 8·N·D bytes plus a
 * constant, whatever the file's size in text — with the CLI's option names in messages, a reading progress line for
 * large inputs, and the reader's notes (row names left out, index-like columns) on stderr. Model files (JSON) are read
 * as text.
 */
import { readFileSync, statSync } from 'node:fs';
import { DataError } from '../api/errors.js';
import { readCsvTable } from '../data/csv.js';
import type { Matrix } from '../data/matrix.js';

export interface ReadOptions {
  /** Field delimiter; detected from the first non-empty line when omitted. */
  delimiter?: string;
  /** true/false to override header detection. */
  header?: boolean;
  /** Comma list of column names, 1-based indices or ranges (e.g. "eruptions,2" or "1-3"). Default: all. */
  columns?: string;
  /** A column holding sample weights (name or 1-based index); excluded from the default feature columns. */
  weights?: string;
  /** Read empty feature fields and NA, N/A, NaN as missing values (NaN); a weight is never missing. */
  missing?: boolean;
  /** Shows reading progress on stderr (large inputs only). */
  progress?: (bytesRead: number, totalBytes: number | null) => void;
}

export interface Table {
  /** Name used in messages: the path, or "<stdin>". */
  source: string;
  /** Feature names: header names, or x1, x2, … without a header. */
  columns: string[];
  /** The selected numeric features, packed row-major. */
  X: Matrix & { data: Float64Array; rows: number; cols: number };
  /** Weights column, when requested. */
  weights: Float64Array | null;
  /** 1-based line number of every data row in the source. */
  lines: Int32Array;
  header: boolean;
  delimiter: string;
  /** What the reader noticed about the data (shown on stderr). */
  notes: string[];
}

/** Row i of a table's X (a view). */
export const rowOf = (t: Table, i: number): Float64Array => t.X.data.subarray(i * t.X.cols, (i + 1) * t.X.cols);

/** The whole text of a file, or of stdin for '-'. Missing or unreadable files are DataErrors. */
export async function readText(path: string, what = 'data'): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new DataError(`cannot read ${what} file '${path}': ${reason}`);
  }
}

/** Reads a numeric table from a path or '-' (stdin). */
export async function readTable(path: string, options: ReadOptions = {}, source?: string): Promise<Table> {
  const t = await readCsvTable(path, {
    delimiter: options.delimiter,
    header: options.header ?? 'auto',
    columns: options.columns,
    weights: options.weights,
    source,
    missing: options.missing ? 'nan' : 'error',
    optionNames: { missing: '--missing marginalize' },
    onProgress: options.progress,
  });
  const X = { data: t.data, rows: t.rows, cols: t.cols };
  return {
    source: t.source,
    columns: t.columns,
    X,
    weights: t.weights,
    lines: t.lines,
    header: t.header,
    delimiter: t.delimiter,
    notes: t.notes,
  };
}

/** The size of a file in bytes (0 for stdin or when it cannot be read: the reader reports the error). */
export function fileSize(path: string): number {
  if (path === '-') return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
