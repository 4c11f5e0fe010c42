/**
 * NumPy's .npy format, the binary shard format: `np.save(path, X)` of a 2-D (or 1-D: one feature) float64 or float32
 * array in C order. The header is a Python dict literal; the body is row-major values. Read in chunks of rows, so a
 * shard never has to fit in memory twice.
 */
import { DataError } from '../../api/errors.js';

export interface NpyHeader {
  /** Bytes before the data. */
  offset: number;
  n: number;
  d: number;
  /** Bytes per value (8 or 4). */
  itemSize: 8 | 4;
  littleEndian: boolean;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Bytes to read before parseNpyHeader can tell the header's length. */
export const NPY_PREAMBLE = 12;

/** The header's length (bytes before the data) from the first NPY_PREAMBLE bytes. */
export function npyHeaderLength(bytes: Uint8Array, source: string): number {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new DataError(`${source}: not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) return 10 + v.getUint16(8, true);
  if ((major === 2 || major === 3) && bytes.length >= 12) return 12 + v.getUint32(8, true);
  throw new DataError(`${source}: .npy format version ${major} is not supported (1, 2 or 3)`);
}

/** Parses a whole .npy header (its first npyHeaderLength bytes). */
export function parseNpyHeader(bytes: Uint8Array, source: string): NpyHeader {
  const offset = npyHeaderLength(bytes, source);
  if (bytes.length < offset) throw new DataError(`${source}: the .npy header is truncated`);
  const text = new TextDecoder('latin1').decode(bytes.subarray(bytes[6] === 1 ? 10 : 12, offset));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new DataError(`${source}: malformed .npy header ${JSON.stringify(text.trim().slice(0, 100))}`);
  }
  const type = /^([<>|=])f([48])$/.exec(descr);
  if (!type) {
    throw new DataError(
      `${source}: .npy dtype '${descr}' is not supported; save float64 (or float32), e.g. np.save(path, X.astype('float64'))`,
    );
  }
  if (fortran === 'True')
    throw new DataError(`${source}: a Fortran-order .npy is not supported; save np.ascontiguousarray(X)`);
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (dims.length < 1 || dims.length > 2 || dims.some((x) => !Number.isSafeInteger(x) || x < 0)) {
    throw new DataError(`${source}: .npy shape (${shape}) is not a 1-D or 2-D array`);
  }
  const d = dims.length === 2 ? dims[1] : 1;
  if (d < 1) throw new DataError(`${source}: .npy shape (${shape}) has no columns`);
  return { offset, n: dims[0], d, itemSize: Number(type[2]) as 8 | 4, littleEndian: type[1] !== '>' };
}

/** n·d values from `bytes` (the body of rows) as doubles. */
export function npyValues(bytes: Uint8Array, h: NpyHeader): Float64Array {
  const count = bytes.byteLength / h.itemSize;
  if (h.itemSize === 8 && h.littleEndian && bytes.byteOffset % 8 === 0) {
    return new Float64Array(bytes.buffer, bytes.byteOffset, count).slice();
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = h.itemSize === 8 ? v.getFloat64(i * 8, h.littleEndian) : v.getFloat32(i * 4, h.littleEndian);
  }
  return out;
}
