/**
 * Streaming (out-of-core) EM: the same `emLoop` as `fit`, served by passes over a re-iterable source of row
 * chunks, so memory is O(chunk + block + init sample) whatever the number of rows.
 *
 * Passes: one summary pass (row count, ranges for the overflow check, distinct rows, the largest sample weight, and
 * a reservoir sample for initialisation), then one pass per EM iteration (plus one per reset under
 * onDegenerate: 'reset').
 *
 * Initialisation runs `initialParams` — the same code and the same Random(seed) as `fit` — on a uniform reservoir
 * sample of `initSampleSize` rows (default 10 000) drawn with its own seeded generator. When the source has at most
 * that many rows the sample *is* the data in order, so fitStream equals fit on the same rows (to rounding: chunks
 * are added in a different order). weightsInit + meansInit + precisionsInit, or warmStart, skip it.
 *
 * A CSV path is read with node:fs and csv-parse, both imported on demand so the core stays browser-importable.
 */
import { getBackend } from '../../backends/index.js';
import type { Backend, BackendName } from '../../backends/types.js';
import { WorstCollector } from '../../model/degeneracy.js';
import { emLoop, loadParams, type EMReply, type EMResult, type WarmStart } from '../../em/loop.js';
import { DataError, GaussianMixtureError, OptionError } from '../../api/errors.js';
import { initialParams } from '../../init/init.js';
import { toRows, type Matrix, type Rows } from '../../data/matrix.js';
import type { ResolvedOptions } from '../../api/options.js';
import type { Params } from '../../model/params.js';
import { Random } from '../../util/random.js';
import { addStats, type SufficientStats } from '../../model/stats.js';
import { checkSummary, SummaryBuilder } from '../../data/summary.js';
import { Workspace } from '../../backends/workspace.js';

/** A chunk of rows, optionally with one sample weight per row. */
export type StreamChunk = Matrix | { X: Matrix; sampleWeight?: ArrayLike<number> | null };

/**
 * A re-iterable source: a function returning a fresh (async) iterable of chunks each time it is called. Every call
 * must yield the same rows in the same order (one call per pass).
 */
export type ChunkSource = () => AsyncIterable<StreamChunk> | Iterable<StreamChunk>;

export interface CsvOptions {
  /** Field delimiter (default ','). */
  delimiter?: string;
  /** Whether the first line holds column names; 'auto' (default): it does when any of its fields is not a number. */
  header?: boolean | 'auto';
  /** Rows per chunk handed to the E-pass (default 8192). */
  chunkRows?: number;
}

export interface FitStreamOptions {
  /** Options for a CSV path source. */
  csv?: CsvOptions;
  /** Rows in the reservoir sample that initialisation runs on (default 10 000; the whole data when it has fewer). */
  initSampleSize?: number;
  /** Aborting rejects with the signal's reason and leaves the model unchanged. */
  signal?: AbortSignal | null;
}

interface Chunk {
  rows: Rows;
  /** Weights as given (validated), or null. */
  w: Float64Array | null;
  /** Index of the chunk's first row in the whole stream. */
  offset: number;
}

const isWeighted = (c: unknown): c is { X: Matrix; sampleWeight?: ArrayLike<number> | null } =>
  typeof c === 'object' && c !== null && !Array.isArray(c) && 'X' in c;

export function chunkWeights(w: ArrayLike<number> | null | undefined, n: number, offset: number): Float64Array | null {
  if (w == null) return null;
  if (typeof w !== 'object' || typeof w.length !== 'number') throw new DataError(`sampleWeight of the chunk at row ${offset} must be an array of numbers`);
  if (w.length !== n) throw new DataError(`sampleWeight of the chunk at row ${offset} must have one weight per row (${n}); got ${w.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = w[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new DataError(`sampleWeight must be finite and ≥ 0; the weight of row ${offset + i} is ${String(v)}`, offset + i);
    }
    out[i] = v;
  }
  return out;
}

const rowCount = (x: unknown): number => {
  if (Array.isArray(x)) return x.length;
  if (typeof x === 'object' && x !== null && 'rows' in x) return (x as { rows: number }).rows;
  return -1;
};

/** Validates one chunk; errors name the row in the whole stream. */
function toChunk(raw: unknown, offset: number, d: number | undefined): Chunk | null {
  const X = (isWeighted(raw) ? raw.X : raw) as Matrix;
  if (rowCount(X) === 0) return null; // empty chunks are allowed and skipped
  let rows: Rows;
  try {
    rows = toRows(X, 'X', d);
  } catch (e) {
    if (e instanceof DataError) {
      const row = e.row === undefined ? undefined : offset + e.row;
      throw new DataError(`chunk starting at row ${offset}: ${e.message}${row === undefined ? '' : ` (row ${row} of the stream)`}`, row, e.column);
    }
    throw e;
  }
  return { rows, w: isWeighted(raw) ? chunkWeights(raw.sampleWeight, rows.n, offset) : null, offset };
}

/** The reason an aborted signal carries, or an AbortError. */
function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** Imports a module by a name bundlers do not try to resolve (node:fs, csv-parse are only needed for CSV paths). */
const importDynamic = (name: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads a numeric CSV file in chunks of dense rows. */
async function* csvChunks(path: string, o: CsvOptions): AsyncGenerator<Matrix> {
  const delimiter = o.delimiter ?? ',';
  const chunkRows = o.chunkRows ?? 8192;
  let fs: { createReadStream(p: string): NodeJS.ReadableStream };
  let parse: (opts: object) => NodeJS.ReadWriteStream;
  try {
    fs = (await importDynamic('node:fs')) as typeof fs;
    parse = ((await importDynamic('csv-parse')) as { parse: typeof parse }).parse;
  } catch (e) {
    throw new DataError(`reading a CSV path needs Node.js (node:fs) and csv-parse: ${(e as Error).message}. Pass a chunk source function instead.`);
  }
  const input = fs.createReadStream(path);
  const parser = parse({ delimiter, bom: true, trim: true, skip_empty_lines: true, info: true });
  input.on('error', (e: Error) => parser.emit('error', e));
  input.pipe(parser);
  let d = -1;
  let buf = new Float64Array(0);
  let n = 0;
  let first = true;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      if (first) {
        first = false;
        const header = o.header ?? 'auto';
        if (header === true || (header === 'auto' && record.some((f) => !NUMBER.test(f) && !/^[+-]?(Infinity|NaN)$/.test(f)))) {
          d = record.length;
          continue;
        }
      }
      if (d < 0) d = record.length;
      if (record.length !== d) {
        throw new DataError(`CSV '${path}' line ${info.lines}: expected ${d} fields, got ${record.length}`, undefined);
      }
      if (buf.length === 0) buf = new Float64Array(chunkRows * d);
      for (let j = 0; j < d; j++) {
        const f = record[j];
        const v = NUMBER.test(f) ? Number(f) : NaN;
        if (!Number.isFinite(v)) {
          throw new DataError(`CSV '${path}' line ${info.lines}, column ${j}: ${JSON.stringify(f)} is not a finite number`, undefined, j);
        }
        buf[n * d + j] = v;
      }
      if (++n === chunkRows) {
        yield { data: buf, rows: n, cols: d };
        buf = new Float64Array(chunkRows * d);
        n = 0;
      }
    }
  } catch (e) {
    if (e instanceof GaussianMixtureError) throw e;
    throw new DataError(`cannot read CSV '${path}': ${(e as Error).message}`);
  } finally {
    input.unpipe?.(parser);
    (input as unknown as { destroy?: () => void }).destroy?.();
  }
  if (n > 0) yield { data: buf.subarray(0, n * d), rows: n, cols: d };
}

/** Turns a source (function or CSV path) into a function that starts one validated pass. */
function passes(source: ChunkSource | string, opts: FitStreamOptions): () => AsyncIterable<unknown> {
  if (typeof source === 'string') return () => csvChunks(source, opts.csv ?? {});
  if (typeof source !== 'function') {
    throw new OptionError('source', 'fitStream source must be a function returning an (async) iterable of row chunks, or a CSV file path');
  }
  return () => {
    const it = source();
    if (it == null || (typeof (it as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (it as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      throw new OptionError('source', 'fitStream source() must return an iterable or async iterable of row chunks');
    }
    return it as AsyncIterable<unknown>;
  };
}

export function checkStreamOptions(opts: unknown): FitStreamOptions {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new OptionError('options', 'fitStream options must be a plain object');
  const known = ['csv', 'initSampleSize', 'signal'];
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new OptionError(key, `unknown fitStream option '${key}'; valid options are: ${known.join(', ')}`);
  }
  const o = opts as FitStreamOptions;
  if (o.initSampleSize !== undefined && !(Number.isInteger(o.initSampleSize) && o.initSampleSize >= 1)) {
    throw new OptionError('initSampleSize', `initSampleSize must be an integer ≥ 1; got ${String(o.initSampleSize)}`);
  }
  const csv = o.csv;
  if (csv !== undefined) {
    if (csv === null || typeof csv !== 'object') throw new OptionError('csv', 'csv must be an object');
    for (const key of Object.keys(csv)) {
      if (!['delimiter', 'header', 'chunkRows'].includes(key)) throw new OptionError(`csv.${key}`, `unknown csv option '${key}'; valid: delimiter, header, chunkRows`);
    }
    if (csv.delimiter !== undefined && (typeof csv.delimiter !== 'string' || csv.delimiter.length === 0)) throw new OptionError('csv.delimiter', 'csv.delimiter must be a non-empty string');
    if (csv.header !== undefined && csv.header !== 'auto' && typeof csv.header !== 'boolean') throw new OptionError('csv.header', "csv.header must be true, false or 'auto'");
    if (csv.chunkRows !== undefined && !(Number.isInteger(csv.chunkRows) && csv.chunkRows >= 1)) throw new OptionError('csv.chunkRows', 'csv.chunkRows must be an integer ≥ 1');
  }
  return o;
}

/** Rows held in one dense buffer (the reservoir sample). */
function denseRows(data: Float64Array, n: number, d: number): Rows {
  return {
    n, d,
    copyRows(start, count, dst, dstOff) {
      dst.set(data.subarray(start * d, (start + count) * d), dstOff);
    },
  };
}

/**
 * Runs EM over a chunk source. `warm` (warmStart) skips initialisation; `expectD` is the fitted model's feature
 * count for a warm start.
 */
export async function fitStreamEM(
  source: ChunkSource | string, o: ResolvedOptions, warm: WarmStart | null, opts: FitStreamOptions,
): Promise<{ result: EMResult; backend: BackendName; d: number }> {
  const start = passes(source, opts);
  const signal = opts.signal ?? null;
  const check = (): void => {
    if (signal?.aborted) throw abortReason(signal);
  };
  check();
  const backend: Backend = getBackend(o.backend);
  const k = o.nComponents;
  const sampleCap = opts.initSampleSize ?? 10_000;
  const needInit = !warm;

  // Pass 0: count, ranges, distinct rows, largest weight, reservoir sample.
  let d = warm ? warm.params.d : -1;
  let n = 0;
  let weighted = false;
  let maxW = 0;
  let rawSumW = 0;
  let summary: SummaryBuilder | null = null;
  let sample = new Float64Array(0);
  let sampleW: Float64Array | null = null;
  let sampleN = 0;
  const reservoirRng = new Random(o.seed).fork(); // its own stream: init below draws from a fresh Random(seed), as fit
  let buf = new Float64Array(0);
  for await (const raw of start()) {
    check();
    const c = toChunk(raw, n, d < 0 ? undefined : d);
    if (!c) continue;
    if (d < 0) d = c.rows.d;
    if (!summary) {
      summary = new SummaryBuilder(d, k);
      if (needInit) sample = new Float64Array(Math.min(sampleCap, 1 << 20) * d);
    }
    if (buf.length < c.rows.n * d) buf = new Float64Array(c.rows.n * d);
    c.rows.copyRows(0, c.rows.n, buf, 0);
    summary.add(buf, c.rows.n, c.w);
    if (c.w) {
      if (!weighted && needInit) sampleW = new Float64Array(sample.length / d).fill(1, 0, sampleN);
      weighted = true;
      for (let i = 0; i < c.w.length; i++) {
        if (c.w[i] > maxW) maxW = c.w[i];
        rawSumW += c.w[i];
      }
    } else {
      if (maxW < 1) maxW = 1;
      rawSumW += c.rows.n;
    }
    if (needInit) {
      for (let i = 0; i < c.rows.n; i++) {
        const seen = n + i; // rows before this one
        let slot = -1;
        if (seen < sampleCap) slot = sampleN++;
        else {
          const j = Math.floor(reservoirRng.random() * (seen + 1));
          if (j < sampleCap) slot = j;
        }
        if (slot < 0) continue;
        if (slot * d >= sample.length) {
          const grown = new Float64Array(Math.min(sampleCap, 2 * (sample.length / d)) * d);
          grown.set(sample);
          sample = grown;
          if (sampleW) {
            const gw = new Float64Array(grown.length / d);
            gw.set(sampleW);
            sampleW = gw;
          }
        }
        sample.set(buf.subarray(i * d, (i + 1) * d), slot * d);
        if (sampleW) sampleW[slot] = c.w ? c.w[i] : 1;
      }
    }
    n += c.rows.n;
  }
  check();
  if (!summary || n === 0) throw new DataError('the stream yielded no rows');
  // Weights are relative: scale by a power of two so the largest is about 1 (as fit does), exactly.
  const wScale = weighted && maxW > 0 ? 2 ** -Math.max(-1000, Math.min(1000, Math.floor(Math.log2(maxW)))) : 1;
  const s = summary.finish();
  const sumW = Math.min(2 * n, rawSumW * wScale);
  if (!(sumW > 0)) throw new DataError('sampleWeight must not be all zero');
  if (s.positive < k) {
    throw new DataError(`nComponents = ${k} needs at least ${k} samples${weighted ? ' with positive weight' : ''}; the stream has ${s.positive}`);
  }
  checkSummary({ ...s, sumW: Number.isFinite(sumW) ? sumW : 2 * n }, k, o.onDegenerate, weighted, 'the stream');

  const scaleW = (w: Float64Array | null): Float64Array | null => {
    if (!w || wScale === 1) return w;
    for (let i = 0; i < w.length; i++) w[i] *= wScale;
    return w;
  };
  if (sampleW) scaleW(sampleW);

  /** One pass over the stream; checks that it yields the same number of rows every time. */
  const pass = async (visit: (c: Chunk) => void): Promise<void> => {
    let seen = 0;
    for await (const raw of start()) {
      check();
      const c = toChunk(raw, seen, d);
      if (!c) continue;
      scaleW(c.w);
      visit(c);
      seen += c.rows.n;
    }
    check();
    if (seen !== n) {
      throw new DataError(`the stream yielded ${n} rows on its first pass but ${seen} on a later one: the source must yield the same rows on every call`);
    }
  };

  const ws = new Workspace(backend, d, k, o.covarianceType);
  const rng = new Random(o.seed);
  const sampleRows = needInit ? denseRows(sample, sampleN, d) : null;
  const loop = emLoop(o, warm);
  let step = loop.next();
  try {
    while (!step.done) {
      const req = step.value;
      let reply: EMReply;
      if (req.type === 'init') {
        reply = initialParams(sampleRows!, sampleW ? sampleW.subarray(0, sampleN) : null, o, rng, backend);
      } else if (req.type === 'worst') {
        const params: Params = req.params;
        const wws = new Workspace(backend, d, params.k, params.covType);
        loadParams(wws, params);
        const col = new WorstCollector(req.count, d);
        const row = new Float64Array(d);
        await pass((c) => {
          wws.forEachLogResp(c.rows, (s0, cnt, _lr, lse) => {
            for (let r = 0; r < cnt; r++) {
              if (c.w && !(c.w[s0 + r] > 0)) continue;
              if (!col.wants(lse[r])) continue;
              c.rows.copyRows(s0 + r, 1, row, 0);
              col.offer(lse[r], row);
            }
          });
        });
        reply = col.result();
      } else {
        loadParams(ws, req.params);
        const acc: { total: SufficientStats | null } = { total: null };
        await pass((c) => {
          const st = ws.accumulate(c.rows, c.w, req.hard);
          acc.total = acc.total ? addStats(acc.total, st) : st;
        });
        reply = acc.total!;
      }
      step = loop.next(reply);
    }
  } finally {
    loop.return(undefined as never);
  }
  return { result: step.value, backend: backend.name, d };
}
