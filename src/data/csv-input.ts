/**
 * The inputs readCsv accepts, each turned into one async sequence of pieces (bytes or text) and its total size when
 * known (for progress and for sizing the table):
 *  - a file path (Node; node:fs is imported on demand, so this module stays importable in browsers);
 *  - '-' for the standard input (Node);
 *  - a Blob or File (browsers, Node ≥ 18);
 *  - a web ReadableStream, e.g. `(await fetch(url)).body`;
 *  - any AsyncIterable or Iterable of Uint8Array / ArrayBuffer / string pieces (a Node stream, an array of strings);
 *  - the whole content as one Uint8Array (a Buffer) or ArrayBuffer.
 * A file that cannot be opened or read is a DataError "cannot read data file '<path>': <reason>".
 */
import { DataError, OptionError } from '../api/errors.js';

export type CsvPiece = Uint8Array | ArrayBuffer | string;

export type CsvInput =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<CsvPiece>
  | Iterable<CsvPiece>;

export interface OpenedInput {
  /** The pieces of the input, in order. */
  pieces: AsyncIterable<CsvPiece> | Iterable<CsvPiece>;
  /** Total size in bytes, when known (files, Blobs, stdin redirected from a file); else null. */
  totalBytes: number | null;
  /** Name used in messages: the path, '<stdin>', or '<input>'. */
  name: string;
}

/**
 * Bytes per read of a file. 64 KiB (as fs streams use): the decoded strings then stay out of V8's large-object
 * space — with 1 MiB reads, allocating and joining the strings cost more than the parsing.
 */
const READ_SIZE = 1 << 16;

/** Imports a module by a name bundlers do not try to resolve (node:fs is only needed for paths and stdin). */
const importDynamic = (name: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

interface FileHandle {
  stat(): Promise<{ size: number; isFile(): boolean; isDirectory(): boolean }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}
interface NodeFs {
  promises: { open(path: string, flags: string): Promise<FileHandle> };
  fstatSync(fd: number): { size: number; isFile(): boolean };
}

async function nodeFs(what: string): Promise<NodeFs> {
  try {
    return (await importDynamic('node:fs')) as NodeFs;
  } catch (e) {
    throw new DataError(
      `reading ${what} needs Node.js (node:fs): ${(e as Error).message}; pass the data as a Blob, a ReadableStream or an iterable of chunks instead`,
    );
  }
}

/** The DataError for a file that cannot be opened or read. */
export function readError(path: string, e: unknown): DataError {
  const err = e as { code?: string; message?: string };
  const reason =
    err.code === 'ENOENT'
      ? 'no such file'
      : err.code === 'EISDIR'
        ? 'it is a directory'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'permission denied'
          : (err.message ?? String(e));
  return new DataError(`cannot read data file '${path}': ${reason}`);
}

async function openFile(path: string): Promise<OpenedInput> {
  const fs = await nodeFs(`the file '${path}'`);
  let fh: FileHandle;
  let size: number | null;
  try {
    fh = await fs.promises.open(path, 'r');
  } catch (e) {
    throw readError(path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = st.isFile() ? st.size : null;
  } catch (e) {
    await fh.close().catch(() => {});
    throw readError(path, e);
  }
  async function* pieces(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        // a fresh buffer per read: the consumer may hold a piece while it asks for the next one
        const buf = new Uint8Array(READ_SIZE);
        let got: number;
        try {
          got = (await fh.read(buf, 0, READ_SIZE, null)).bytesRead;
        } catch (e) {
          throw readError(path, e);
        }
        if (got === 0) return;
        yield got === READ_SIZE ? buf : buf.subarray(0, got);
      }
    } finally {
      await fh.close().catch(() => {});
    }
  }
  return { pieces: pieces(), totalBytes: size, name: path };
}

async function openStdin(): Promise<OpenedInput> {
  const proc = (globalThis as { process?: { stdin?: AsyncIterable<CsvPiece> } }).process;
  if (!proc?.stdin) throw new DataError("reading '-' (the standard input) needs Node.js");
  let size: number | null = null;
  try {
    const st = (await nodeFs('the standard input')).fstatSync(0);
    if (st.isFile()) size = st.size;
  } catch {
    // a pipe or a terminal: size unknown
  }
  return { pieces: proc.stdin, totalBytes: size, name: '<stdin>' };
}

async function* readStream(stream: ReadableStream<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

const isObject = (x: unknown): x is Record<PropertyKey, unknown> => typeof x === 'object' && x !== null;

/** Opens any accepted input; `name` overrides the name used in messages. */
export async function openInput(input: CsvInput, name?: string): Promise<OpenedInput> {
  let opened: OpenedInput;
  if (typeof input === 'string') {
    if (input === '') throw new OptionError('input', "the CSV input path is empty; give a file path or '-' for stdin");
    opened = input === '-' ? await openStdin() : await openFile(input);
  } else if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) {
    opened = { pieces: [input as Uint8Array | ArrayBuffer], totalBytes: input.byteLength, name: '<input>' };
  } else if (typeof Blob !== 'undefined' && input instanceof Blob) {
    opened = {
      pieces: readStream(input.stream()),
      totalBytes: input.size,
      name: (input as { name?: string }).name || '<input>',
    };
  } else if (isObject(input) && typeof input[Symbol.asyncIterator] === 'function') {
    opened = { pieces: input as AsyncIterable<CsvPiece>, totalBytes: null, name: '<input>' };
  } else if (isObject(input) && typeof input.getReader === 'function') {
    opened = {
      pieces: readStream(input as unknown as ReadableStream<Uint8Array | string>),
      totalBytes: null,
      name: '<input>',
    };
  } else if (isObject(input) && typeof input[Symbol.iterator] === 'function') {
    opened = { pieces: input as Iterable<CsvPiece>, totalBytes: null, name: '<input>' };
  } else {
    throw new OptionError(
      'input',
      "the CSV input must be a file path, '-' (stdin), a Uint8Array, a Blob, a ReadableStream, or an (async) iterable of Uint8Array or string chunks",
    );
  }
  if (name !== undefined) opened.name = name;
  return opened;
}
