/**
 * One pass over a shard's rows, where a worker runs it (in its E-step thread): CSV through the shared streaming
 * reader (data/csv.ts), .npy in chunks of rows, or a user loader's chunks validated like fitStream's. Whatever the
 * format, the rows come out as validated dense chunks; `fixedBlocks` then cuts them into blocks of a fixed number of
 * rows, so a shard's statistics do not depend on how its source happens to chunk it (nor on whether it was cached).
 */
import { DataError, OptionError } from '../../api/errors.js';
import { readCsv } from '../../data/csv.js';
import { toChunk } from '../stream/source.js';
import { NPY_PREAMBLE, npyHeaderLength, npyValues, parseNpyHeader, type NpyHeader } from './npy.js';
import { loaderParts, shardFormat, shardLabel, type ShardRef } from './shards.js';

/** Rows of one chunk or block: n×d values (row-major) and their weights as given (null: 1 each). */
export interface Block {
  data: Float64Array;
  n: number;
  d: number;
  w: Float64Array | null;
}

/** How CSV shards are read (data/csv.ts options). */
export interface ShardCsvOptions {
  delimiter?: string;
  header?: boolean | 'auto';
  columns?: string | (string | number)[];
  weights?: string | number;
}

const importDynamic = (name: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

type NodeUrl = { fileURLToPath(u: string): string; pathToFileURL(p: string): URL };
type NodePath = { resolve(...p: string[]): string; isAbsolute(p: string): boolean };
type NodeFsPromises = {
  open(
    p: string,
    flags: string,
  ): Promise<{
    read(b: Uint8Array, off: number, len: number, pos: number): Promise<{ bytesRead: number }>;
    stat(): Promise<{ size: number }>;
    close(): Promise<void>;
  }>;
};

const isUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

/** A local path for a path or file: URL; null for http(s). */
async function localPath(ref: string): Promise<string | null> {
  if (!isUrl(ref)) return ref;
  if (ref.toLowerCase().startsWith('file:')) return ((await importDynamic('node:url')) as NodeUrl).fileURLToPath(ref);
  return null;
}

async function fetchBody(url: string, label: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(
      `cannot fetch ${label}: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`,
    );
  }
  // 4xx: the shard is not there (retrying will not help); 5xx: the server may recover
  if (res.status >= 400 && res.status < 500)
    throw new DataError(`cannot fetch ${label}: HTTP ${res.status} ${res.statusText}`);
  if (!res.ok || !res.body) throw new Error(`cannot fetch ${label}: HTTP ${res.status} ${res.statusText}`);
  return res;
}

/**
 * Fails with a plain (retryable) Error when the file cannot be opened: a missing mount or file on one worker is
 * not a fault of the data, and another worker may read it. Errors in the content are DataErrors (not retried).
 */
async function checkReadable(path: string, label: string): Promise<void> {
  const fs = ((await importDynamic('node:fs')) as { promises: { access(p: string): Promise<void> } }).promises;
  try {
    await fs.access(path);
  } catch (e) {
    throw new Error(`cannot open ${label}: ${(e as Error).message}`);
  }
}

/** The single call into the CSV reader (kept in one place so the reader can be swapped). */
async function* csvChunks(ref: string, csv: ShardCsvOptions, chunkRows: number, label: string): AsyncGenerator<Block> {
  const path = await localPath(ref);
  if (path !== null) await checkReadable(path, label);
  const input = path ?? ((await fetchBody(ref, label)).body as ReadableStream<Uint8Array>);
  const chunks = readCsv(input, {
    ...csv,
    chunkRows,
    source: label,
    optionNames: { columns: 'csv.columns', weights: 'csv.weights', delimiter: 'csv.delimiter' },
  });
  for await (const c of chunks) yield { data: c.data, n: c.rows, d: c.cols, w: c.weights };
}

function checkFinite(values: Float64Array, d: number, firstRow: number, label: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const row = firstRow + Math.floor(i / d);
      const col = i % d;
      throw new DataError(`${label}: row ${row}, column ${col} is ${values[i]}; values must be finite`, row, col);
    }
  }
}

async function* npyFile(path: string, chunkRows: number, label: string): AsyncGenerator<Block> {
  const fs = ((await importDynamic('node:fs')) as { promises: NodeFsPromises }).promises;
  let file: Awaited<ReturnType<NodeFsPromises['open']>>;
  try {
    file = await fs.open(path, 'r');
  } catch (e) {
    throw new Error(`cannot open ${label}: ${(e as Error).message}`); // retryable: see checkReadable
  }
  try {
    const pre = new Uint8Array(NPY_PREAMBLE);
    await file.read(pre, 0, NPY_PREAMBLE, 0);
    const head = new Uint8Array(npyHeaderLength(pre, label));
    await file.read(head, 0, head.length, 0);
    const h = parseNpyHeader(head, label);
    const size = (await file.stat()).size;
    if (size !== h.offset + h.n * h.d * h.itemSize) {
      throw new DataError(
        `${label}: ${size} bytes, but its header promises ${h.n}×${h.d} values after ${h.offset} bytes of header`,
      );
    }
    const buf = new Uint8Array(chunkRows * h.d * h.itemSize);
    for (let row = 0; row < h.n; row += chunkRows) {
      const n = Math.min(chunkRows, h.n - row);
      const len = n * h.d * h.itemSize;
      const { bytesRead } = await file.read(buf, 0, len, h.offset + row * h.d * h.itemSize);
      if (bytesRead !== len) throw new DataError(`${label}: the file ended early (it changed while being read?)`);
      yield valuesBlock(buf.subarray(0, len), h, row, label);
    }
  } finally {
    await file.close();
  }
}

function valuesBlock(bytes: Uint8Array, h: NpyHeader, row: number, label: string): Block {
  const data = npyValues(bytes, h);
  checkFinite(data, h.d, row, label);
  return { data, n: data.length / h.d, d: h.d, w: null };
}

async function* npyUrl(url: string, chunkRows: number, label: string): AsyncGenerator<Block> {
  const bytes = new Uint8Array(await (await fetchBody(url, label)).arrayBuffer());
  const h = parseNpyHeader(bytes, label);
  if (bytes.length !== h.offset + h.n * h.d * h.itemSize) {
    throw new DataError(
      `${label}: ${bytes.length} bytes, but its header promises ${h.n}×${h.d} values after ${h.offset} bytes of header`,
    );
  }
  for (let row = 0; row < h.n; row += chunkRows) {
    const n = Math.min(chunkRows, h.n - row);
    const start = h.offset + row * h.d * h.itemSize;
    yield valuesBlock(bytes.subarray(start, start + n * h.d * h.itemSize), h, row, label);
  }
}

/** The loader function a shard names: relative module paths resolve against the worker's working directory. */
async function loaderFunction(spec: string): Promise<(args: unknown) => unknown> {
  const { module, name } = loaderParts(spec);
  let target = module;
  if (module.startsWith('./') || module.startsWith('../') || module.startsWith('/')) {
    const path = (await importDynamic('node:path')) as NodePath;
    const url = (await importDynamic('node:url')) as NodeUrl;
    target = url.pathToFileURL(path.resolve(module)).href;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await importDynamic(target)) as Record<string, unknown>;
  } catch (e) {
    // retryable: the module may be missing on this worker only
    throw new Error(`cannot import loader module '${module}': ${(e as Error).message}`);
  }
  const fn = mod[name];
  if (typeof fn !== 'function') {
    throw new OptionError(
      'loader',
      `loader module '${module}' has no function export '${name}' (exports: ${Object.keys(mod).join(', ') || 'none'})`,
    );
  }
  return fn as (args: unknown) => unknown;
}

async function* loaderChunks(ref: { loader: string; args?: unknown }, label: string): AsyncGenerator<Block> {
  const fn = await loaderFunction(ref.loader);
  const it = (await fn(ref.args)) as AsyncIterable<unknown> | Iterable<unknown> | null;
  if (
    it == null ||
    (typeof (it as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' &&
      typeof (it as Iterable<unknown>)[Symbol.iterator] !== 'function')
  ) {
    throw new OptionError(
      'loader',
      `${label} must return an (async) iterable of row chunks (Matrix or { X, sampleWeight })`,
    );
  }
  let seen = 0;
  let d: number | undefined;
  for await (const raw of it as AsyncIterable<unknown>) {
    let c: ReturnType<typeof toChunk>;
    try {
      c = toChunk(raw, seen, d);
    } catch (e) {
      if (e instanceof DataError) throw new DataError(`${label}: ${e.message}`, e.row, e.column);
      throw e;
    }
    if (!c) continue;
    d ??= c.rows.d;
    const data = new Float64Array(c.rows.n * c.rows.d);
    c.rows.copyRows(0, c.rows.n, data, 0);
    seen += c.rows.n;
    yield { data, n: c.rows.n, d: c.rows.d, w: c.w };
  }
}

/** One pass over the shard's rows, in validated chunks (of chunkRows rows for files; as the loader yields them). */
export function readShard(ref: ShardRef, csv: ShardCsvOptions, chunkRows: number): AsyncIterable<Block> {
  const label = shardLabel(ref);
  if (typeof ref !== 'string') return loaderChunks(ref, label);
  if (shardFormat(ref) === 'csv') return csvChunks(ref, csv, chunkRows, label);
  return (async function* () {
    const path = await localPath(ref);
    yield* path === null ? npyUrl(ref, chunkRows, label) : npyFile(path, chunkRows, label);
  })();
}

/**
 * The chunks cut into blocks of exactly `size` rows (the last one shorter): the same blocks however the source
 * chunked the rows. A yielded block is only valid until the next one is requested.
 */
export async function* fixedBlocks(chunks: AsyncIterable<Block>, size: number): AsyncGenerator<Block> {
  let buf: Float64Array | null = null;
  let wbuf: Float64Array | null = null;
  let fill = 0;
  let d = -1;
  let weighted = false;
  const flush = (): Block => {
    const b = { data: buf!.subarray(0, fill * d), n: fill, d, w: weighted ? wbuf!.subarray(0, fill) : null };
    fill = 0;
    weighted = false;
    return b;
  };
  for await (const c of chunks) {
    if (d < 0) d = c.d;
    if (c.d !== d) throw new DataError(`a chunk has ${c.d} columns but the first had ${d}`);
    if (fill === 0 && c.n === size) {
      yield c; // already a block: no copy
      continue;
    }
    buf ??= new Float64Array(size * d);
    wbuf ??= new Float64Array(size);
    for (let at = 0; at < c.n; ) {
      const take = Math.min(size - fill, c.n - at);
      buf.set(c.data.subarray(at * d, (at + take) * d), fill * d);
      if (c.w && !weighted) wbuf.fill(1, 0, fill);
      if (c.w || weighted) {
        if (c.w) wbuf.set(c.w.subarray(at, at + take), fill);
        else wbuf.fill(1, fill, fill + take);
        weighted = true;
      }
      fill += take;
      at += take;
      if (fill === size) yield flush();
    }
  }
  if (fill > 0) yield flush();
}
