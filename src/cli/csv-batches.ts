/**
 * Reads a numeric CSV file or stdin ('-') for `fit --online` in batches of rows, holding one batch at a time, so the
 * input never needs to fit in memory. The same conventions as the whole-table reader (csv.ts): the delimiter is
 * detected from the first non-empty line unless given, a header from a first row with any non-numeric field,
 * --columns and --weights select by name or 1-based index, and every problem is a DataError naming the source, line
 * and column.
 *
 * A stand-in, kept to this one file on purpose: when the shared streaming reader (src/data/csv.ts, readCsv) lands,
 * this becomes a thin wrapper over readCsv(path, { chunkRows: batchRows, … }), whose chunks have this shape.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DataError, OptionError } from '../api/errors.js';
import { resolveColumn, resolveColumns, type ReadOptions } from './csv.js';

/** One batch: `rows` × `cols` values, row-major (a dense Matrix), with the weights column if one was selected. */
export interface CsvBatch {
  data: Float64Array;
  rows: number;
  cols: number;
  weights: Float64Array | null;
  /** Selected feature names (the same array in every batch). */
  columns: string[];
  /** 1-based line of the batch's first row. */
  firstLine: number;
}

const isNumber = (s: string): boolean => s !== '' && Number.isFinite(Number(s));

function detectDelimiter(line: string): string {
  if (line.includes('\t')) return '\t';
  if (line.includes(',')) return ',';
  if (line.includes(';')) return ';';
  return ',';
}

/** The input as a byte stream; a missing file is a DataError. */
function open(path: string): AsyncIterable<Buffer> {
  if (path === '-') return process.stdin;
  const input = createReadStream(path);
  return (async function* () {
    try {
      for await (const chunk of input) yield chunk as Buffer;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
      throw new DataError(`cannot read data file '${path}': ${why}`);
    }
  })();
}

/**
 * The bytes of `input` again, after peeking at them for the first non-empty line (the delimiter is detected from
 * it; at most that line plus one read is held).
 */
async function peekFirstLine(input: AsyncIterable<Buffer>): Promise<{ line: string; bytes: AsyncIterable<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let text = '';
  let line: string | undefined;
  while (line === undefined) {
    const r = await it.next();
    if (r.done) {
      line = text;
      break;
    }
    held.push(r.value);
    text += r.value.toString('utf8');
    line = text.split(/\r?\n/).find((l, i, all) => l.trim() !== '' && i < all.length - 1);
  }
  const bytes = (async function* () {
    yield* held;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  return { line, bytes };
}

/** Yields batches of `batchRows` rows (the last may be shorter); throws DataError on the first bad record. */
export async function* csvBatches(
  path: string,
  options: ReadOptions & { batchRows: number },
): AsyncGenerator<CsvBatch, void, undefined> {
  const source = path === '-' ? '<stdin>' : path;
  const { line, bytes } = await peekFirstLine(open(path));
  const delimiter = options.delimiter ?? detectDelimiter(line);
  const input = Readable.from(bytes);
  const parser = input.pipe(
    parse({ delimiter, bom: true, trim: true, skip_empty_lines: true, info: true, relax_column_count: true }),
  );
  let names: string[] | null = null;
  let cols: number[] = [];
  let weightCol = -1;
  let width = 0;
  let firstDataLine = 0;
  let columns: string[] = [];
  let batch: CsvBatch | null = null;
  const value = (raw: string, at: number, j: number): number => {
    if (isNumber(raw)) return Number(raw);
    const where = `${source}: line ${at}, column '${names![j]}'`;
    if (raw === '') throw new DataError(`${where} is empty (missing values are not supported)`, undefined, j);
    throw new DataError(`${where}: '${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}' is not a number`, undefined, j);
  };
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const at = item.info.lines;
      // runs of blanks separate fields when the delimiter is a space
      const record = delimiter === ' ' ? item.record.filter((f) => f !== '') : item.record;
      if (names === null) {
        width = record.length;
        const header = options.header ?? record.some((f) => f !== '' && !isNumber(f));
        names = header ? record.map((s, j) => s || `x${j + 1}`) : record.map((_, j) => `x${j + 1}`);
        weightCol = options.weights !== undefined ? resolveColumn(options.weights, names, '--weights') : -1;
        cols =
          options.columns !== undefined
            ? resolveColumns(options.columns, names)
            : names.map((_, j) => j).filter((j) => j !== weightCol);
        if (cols.length === 0)
          throw new OptionError('--weights', '--weights: no feature columns are left besides the weights column');
        columns = cols.map((j) => names![j]);
        firstDataLine = header ? 0 : at;
        if (header) continue;
      }
      if (firstDataLine === 0) firstDataLine = at;
      if (record.length !== width) {
        throw new DataError(
          `${source}: line ${at}: expected ${width} fields (as on line ${firstDataLine}), got ${record.length}`,
        );
      }
      batch ??= {
        data: new Float64Array(options.batchRows * cols.length),
        rows: 0,
        cols: cols.length,
        weights: weightCol >= 0 ? new Float64Array(options.batchRows) : null,
        columns,
        firstLine: at,
      };
      const o = batch.rows * cols.length;
      for (let c = 0; c < cols.length; c++) batch.data[o + c] = value(record[cols[c]], at, cols[c]);
      if (batch.weights) batch.weights[batch.rows] = value(record[weightCol], at, weightCol);
      if (++batch.rows === options.batchRows) {
        yield batch;
        batch = null;
      }
    }
  } catch (e) {
    if (e instanceof DataError || e instanceof OptionError) throw e;
    const err = e as { message?: string; lines?: number };
    throw new DataError(`${source}${err.lines ? `: line ${err.lines}` : ''}: ${err.message ?? String(e)}`);
  } finally {
    input.destroy();
    parser.destroy();
  }
  if (names === null) throw new DataError(`${source}: no data (the input is empty)`);
  if (batch) {
    const { rows, cols: d } = batch;
    yield { ...batch, data: batch.data.subarray(0, rows * d), weights: batch.weights?.subarray(0, rows) ?? null };
  } else if (firstDataLine === 0) throw new DataError(`${source}: no data rows after the header line`);
}
