/**
 * Reading numeric tables for the CLI: a file or stdin ('-'), comma/tab/semicolon delimited (detected from the first
 * line unless given), with or without a header (detected: a first row with any non-numeric field is a header),
 * column selection by name, 1-based index or range. Every problem is a DataError that names the source, line and
 * column; an unknown column name is an OptionError (a usage mistake).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError, OptionError } from '../api/errors.js';

export interface ReadOptions {
  /** Field delimiter; detected from the first non-empty line when omitted. */
  delimiter?: string;
  /** true/false to override header detection. */
  header?: boolean;
  /** Comma list of column names, 1-based indices or ranges (e.g. "eruptions,2" or "1-3"). Default: all. */
  columns?: string;
  /** A column holding sample weights (name or 1-based index); excluded from the default feature columns. */
  weights?: string;
}

export interface Table {
  /** Name used in messages: the path, or "<stdin>". */
  source: string;
  /** Feature names: header names, or x1, x2, … without a header. */
  columns: string[];
  /** Selected numeric features, one Float64Array per data row. */
  X: Float64Array[];
  /** Weights column, when requested. */
  weights: Float64Array | null;
  /** 1-based line number of every data row in the source. */
  lines: number[];
  header: boolean;
  delimiter: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The whole text of a file, or of stdin for '-'. Missing or unreadable files are DataErrors. */
export async function readText(path: string, what = 'data'): Promise<string> {
  if (path === '-') return readStdin();
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new DataError(`cannot read ${what} file '${path}': ${reason}`);
  }
}

const isNumber = (s: string): boolean => s !== '' && Number.isFinite(Number(s));

function detectDelimiter(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  if (first.includes('\t')) return '\t';
  if (first.includes(',')) return ',';
  if (first.includes(';')) return ';';
  return ',';
}

const showDelimiter = (d: string): string => (d === '\t' ? 'tab' : d === ' ' ? 'space' : `'${d}'`);

/** Maps csv-parse's errors to a DataError with the source and line. */
function parseError(source: string, e: unknown): DataError {
  const err = e as { code?: string; message?: string; lines?: number };
  const line = typeof err.lines === 'number' ? err.lines : undefined;
  let msg = err.message ?? String(e);
  msg = msg.replace(/\s*(on|at) line \d+/, '');
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') msg = 'a quoted field is never closed';
  return new DataError(`${source}${line ? `: line ${line}` : ''}: ${msg}`, line);
}

/** Resolves a column reference (name first, then 1-based index) to a 0-based index. */
export function resolveColumn(ref: string, names: string[], option: string): number {
  const byName = names.indexOf(ref);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    if (i >= 1 && i <= names.length) return i - 1;
    throw new OptionError(
      option,
      `${option}: column ${i} is out of range; the data has ${names.length} columns (1-based)`,
    );
  }
  throw new OptionError(
    option,
    `${option}: no column named '${ref}'; the columns are ${names.map((s) => `'${s}'`).join(', ')}`,
  );
}

export function resolveColumns(spec: string, names: string[]): number[] {
  const out: number[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const range = /^(\d+)\s*(?:-|\.\.)\s*(\d+)$/.exec(part);
    if (range && names.indexOf(part) < 0) {
      const lo = resolveColumn(range[1], names, '--columns');
      const hi = resolveColumn(range[2], names, '--columns');
      if (hi < lo) throw new OptionError('--columns', `--columns: empty range '${part}'`);
      for (let i = lo; i <= hi; i++) out.push(i);
    } else {
      out.push(resolveColumn(part, names, '--columns'));
    }
  }
  if (out.length === 0) throw new OptionError('--columns', '--columns selects no columns');
  return out;
}

/** Parses CSV text into a numeric table. */
export function parseTable(text: string, source: string, options: ReadOptions = {}): Table {
  const delimiter = options.delimiter ?? detectDelimiter(text);
  if (delimiter === ' ') text = text.replace(/[ \t]+/g, ' ').replace(/^ | $/gm, '');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter,
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw parseError(source, e);
  }
  if (records.length === 0) throw new DataError(`${source}: no data (the input is empty)`);
  const first = records[0].record;
  const header = options.header ?? first.some((f) => f !== '' && !isNumber(f));
  const width = first.length;
  const names = header ? first.map((s, j) => s || `x${j + 1}`) : Array.from({ length: width }, (_, j) => `x${j + 1}`);
  const data = header ? records.slice(1) : records;
  if (data.length === 0) throw new DataError(`${source}: no data rows after the header line`);

  const weightCol = options.weights !== undefined ? resolveColumn(options.weights, names, '--weights') : -1;
  const cols =
    options.columns !== undefined
      ? resolveColumns(options.columns, names)
      : names.map((_, j) => j).filter((j) => j !== weightCol);
  if (cols.length === 0)
    throw new OptionError('--weights', '--weights: no feature columns are left besides the weights column');

  const X: Float64Array[] = new Array(data.length);
  const weights = weightCol >= 0 ? new Float64Array(data.length) : null;
  const lines: number[] = new Array(data.length);
  const value = (raw: string, line: number, row: number, j: number): number => {
    if (isNumber(raw)) return Number(raw);
    const where = `${source}: line ${line}, column '${names[j]}'`;
    if (raw === '') throw new DataError(`${where} is empty (missing values are not supported)`, row, j);
    const hint =
      delimiter !== '\t' && raw.includes('\t')
        ? ' (the file looks tab-separated: try --delimiter tab)'
        : delimiter !== ',' && raw.includes(',')
          ? ' (the file looks comma-separated: try --delimiter comma)'
          : /\s/.test(raw)
            ? ' (whitespace-separated? try --delimiter space)'
            : '';
    throw new DataError(`${where}: '${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}' is not a number${hint}`, row, j);
  };
  for (let i = 0; i < data.length; i++) {
    const { record, info } = data[i];
    const line = info.lines;
    lines[i] = line;
    if (record.length !== width) {
      throw new DataError(
        `${source}: line ${line}: expected ${width} fields (as on line ${records[0].info.lines}), got ${record.length}` +
          (record.length === 1 && width > 1 ? ` — is the delimiter ${showDelimiter(delimiter)} right?` : ''),
        i,
      );
    }
    const row = new Float64Array(cols.length);
    for (let c = 0; c < cols.length; c++) row[c] = value(record[cols[c]], line, i, cols[c]);
    X[i] = row;
    if (weights) weights[i] = value(record[weightCol], line, i, weightCol);
  }
  return { source, columns: cols.map((j) => names[j]), X, weights, lines, header, delimiter };
}

/** Reads and parses a table from a path or '-' (stdin). */
export async function readTable(path: string, options: ReadOptions = {}): Promise<Table> {
  const text = await readText(path);
  return parseTable(text, path === '-' ? '<stdin>' : path, options);
}
