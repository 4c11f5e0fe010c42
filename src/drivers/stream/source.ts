/**
 * What fitStream reads: a re-iterable source of row chunks (a function returning an (async) iterable, or a CSV path),
 * each pass validated chunk by chunk with errors that name the row in the whole stream.
 */
import type { ResolvedCsv } from '../../api/options.js';
import { DataError, OptionError } from '../../api/errors.js';
import { chunkWeights, toRows, type Matrix, type MissingMode, type Rows } from '../../data/matrix.js';
import { abortReason, breathe, throwIfAborted } from '../async.js';

/** A chunk of rows, optionally with one sample weight per row. */
export type StreamChunk = Matrix | { X: Matrix; sampleWeight?: ArrayLike<number> | null };

/**
 * A re-iterable source: a function returning a fresh (async) iterable of chunks each time it is called. Every call
 * must yield the same rows in the same order (one call per pass).
 */
export type ChunkSource = () => AsyncIterable<StreamChunk> | Iterable<StreamChunk>;

export interface Chunk {
  rows: Rows;
  /** Weights as given (validated), or null. */
  w: Float64Array | null;
  /** Index of the chunk's first row in the whole stream. */
  offset: number;
}

const isWeighted = (c: unknown): c is { X: Matrix; sampleWeight?: ArrayLike<number> | null } =>
  typeof c === 'object' && c !== null && !Array.isArray(c) && 'X' in c;

const rowCount = (x: unknown): number => {
  if (Array.isArray(x)) return x.length;
  if (typeof x === 'object' && x !== null && 'rows' in x) return (x as { rows: number }).rows;
  return -1;
};

/** Validates one chunk (NaN allowed under missing 'marginalize'); errors name the row in the whole stream. */
export function toChunk(
  raw: unknown,
  offset: number,
  d: number | undefined,
  missing: MissingMode = 'error',
): Chunk | null {
  const X = (isWeighted(raw) ? raw.X : raw) as Matrix;
  if (rowCount(X) === 0) return null; // empty chunks are allowed and skipped
  let rows: Rows;
  try {
    rows = toRows(X, 'X', d, missing);
  } catch (e) {
    if (e instanceof DataError) {
      const row = e.row === undefined ? undefined : offset + e.row;
      throw new DataError(
        `chunk starting at row ${offset}: ${e.message}${row === undefined ? '' : ` (row ${row} of the stream)`}`,
        row,
        e.column,
      );
    }
    throw e;
  }
  return { rows, w: isWeighted(raw) ? chunkWeights(raw.sampleWeight, rows.n, offset) : null, offset };
}

/** What a CSV source tells about itself once a pass has read it through. */
export interface CsvMeta {
  /** The selected feature columns' names when the file has a header line, else null. */
  header: string[] | null;
}

/**
 * A CSV file's rows in chunks, read by the one streaming CSV reader (data/csv.ts; node:fs is imported only then),
 * with its weights column if one is named; under missing 'marginalize' empty fields and NA, N/A, NaN become NaN.
 */
async function* csvChunks(
  path: string,
  o: ResolvedCsv,
  missing: MissingMode,
  meta: CsvMeta | undefined,
): AsyncGenerator<StreamChunk> {
  const options = {
    ...o,
    source: path,
    missing: missing === 'marginalize' ? ('nan' as const) : ('error' as const),
    optionNames: {
      columns: 'csv.columns',
      weights: 'csv.weights',
      delimiter: 'csv.delimiter',
      missing: "missing: 'marginalize'",
    },
  };
  // Loaded on first use: a browser page that streams chunks never downloads the CSV reader.
  const { readCsv } = await import('../../data/csv.js');
  const it = readCsv(path, options);
  for (let r = await it.next(); ; r = await it.next()) {
    if (r.done) {
      if (meta) meta.header = r.value.header ? r.value.columns : null;
      return;
    }
    yield { X: r.value, sampleWeight: r.value.weights };
  }
}

/** Turns a source (function or CSV path) into a function that starts one validated pass. */
export function passes(
  source: ChunkSource | string,
  csv: ResolvedCsv,
  missing: MissingMode = 'error',
  meta?: CsvMeta,
): () => AsyncIterable<unknown> {
  if (typeof source === 'string') return () => csvChunks(source, csv, missing, meta);
  if (typeof source !== 'function') {
    throw new OptionError(
      'source',
      'fitStream source must be a function returning an (async) iterable of row chunks, or a CSV file path',
    );
  }
  return () => {
    const it = source();
    if (
      it == null ||
      (typeof (it as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' &&
        typeof (it as Iterable<unknown>)[Symbol.iterator] !== 'function')
    ) {
      throw new OptionError('source', 'fitStream source() must return an iterable or async iterable of row chunks');
    }
    return it as AsyncIterable<unknown>;
  };
}

/** How long a pass may run without letting the event loop in (a synchronous source never yields on its own). */
const YIELD_MS = 20;

/** A pending pull raced against the signal: an abort rejects at once, even while the source is stalled. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal | null): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The items of one pass over a source, pulled one at a time: each pull races the abort signal (a source whose next()
 * never settles cannot hang the fit), the event loop runs at least every YIELD_MS between items (a synchronous or
 * endless source cannot block it), and the source is closed (return()) on abort, error or early exit.
 */
export async function* pull(
  source: AsyncIterable<unknown> | Iterable<unknown>,
  signal: AbortSignal | null,
): AsyncGenerator<unknown> {
  const asyncIt = (source as AsyncIterable<unknown>)[Symbol.asyncIterator];
  const it = typeof asyncIt === 'function' ? asyncIt.call(source) : (source as Iterable<unknown>)[Symbol.iterator]();
  let finished = false;
  let last = Date.now();
  try {
    for (;;) {
      throwIfAborted(signal);
      const r = await raceAbort(Promise.resolve(it.next()), signal);
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
      if (Date.now() - last >= YIELD_MS) {
        await breathe();
        last = Date.now();
      }
    }
  } finally {
    if (!finished) {
      try {
        // a source that hangs in return() too must not hang the caller: do not wait for it
        Promise.resolve(it.return?.()).catch(() => {});
      } catch {
        // the source's own error on closing changes nothing
      }
    }
  }
}
