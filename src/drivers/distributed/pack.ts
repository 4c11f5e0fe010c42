/**
 * The binary forms of what travels through Redis: E-step parameters, per-shard and merged statistics, worst-explained
 * rows, sampled rows. BullMQ stores job return values as JSON text three times over, so none of this goes through
 * jobs: each value is SET under its own key as little-endian doubles behind a 32-byte header, and jobs carry keys.
 *
 * Header: magic (4 ASCII bytes), format version, then six u32 fields whose meaning depends on the magic. The body
 * starts at byte 32, so a copy aligned to 8 bytes can be viewed as a Float64Array without copying again.
 * A full scatter that is exactly symmetric (what the kernels produce: they compute the upper triangle and mirror it,
 * and sums of symmetric matrices stay symmetric) is sent as its upper triangle — half the bytes — and unpacked into
 * the same array bit for bit.
 */
import { layoutOf, type LayoutCode } from '../../model/covariance/layouts.js';
import type { KernelParams } from '../../model/params.js';
import type { SufficientStats } from '../../model/stats.js';

const HEADER = 32;
const VERSION = 1;
const magic = (s: string): number =>
  s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
const PARAMS = magic('GMP1');
const STATS = magic('GMS1');
const WORST = magic('GMW1');
const ROWS = magic('GMR1');
const NAMES = new Map([
  [PARAMS, 'parameters'],
  [STATS, 'statistics'],
  [WORST, 'worst rows'],
  [ROWS, 'rows'],
]);

/** A packed value that is not what its reader expects (truncated, another format or version): a bug or stale data. */
export class PackError extends Error {
  constructor(message: string) {
    super(`gaussmix distributed: ${message}`);
    this.name = 'PackError';
  }
}

interface Header {
  k: number;
  d: number;
  a: number;
  b: number;
  hash: number;
  count: number;
}

function writer(kind: number, h: Header, doubles: number): { bytes: Uint8Array; f64: Float64Array } {
  const buf = new ArrayBuffer(HEADER + 8 * doubles);
  const v = new DataView(buf);
  v.setUint32(0, kind, true);
  v.setUint32(4, VERSION, true);
  v.setUint32(8, h.k, true);
  v.setUint32(12, h.d, true);
  v.setUint32(16, h.a, true);
  v.setUint32(20, h.b, true);
  v.setUint32(24, h.hash >>> 0, true);
  v.setUint32(28, h.count, true);
  return { bytes: new Uint8Array(buf), f64: new Float64Array(buf, HEADER) };
}

/** The header and an aligned view of the body; copies `bytes` when it is not 8-aligned (ioredis' pooled Buffers). */
function reader(bytes: Uint8Array, kind: number): { h: Header; f64: Float64Array } {
  const what = NAMES.get(kind);
  if (bytes.byteLength < HEADER || (bytes.byteLength - HEADER) % 8 !== 0) {
    throw new PackError(`packed ${what} of ${bytes.byteLength} bytes: truncated or not a packed value`);
  }
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const v = new DataView(aligned.buffer, aligned.byteOffset, aligned.byteLength);
  const got = v.getUint32(0, true);
  if (got !== kind) throw new PackError(`expected packed ${what}, got ${NAMES.get(got) ?? 'something else'}`);
  const version = v.getUint32(4, true);
  if (version !== VERSION)
    throw new PackError(`packed ${what} of format version ${version}; this build reads ${VERSION}`);
  const h = {
    k: v.getUint32(8, true),
    d: v.getUint32(12, true),
    a: v.getUint32(16, true),
    b: v.getUint32(20, true),
    hash: v.getUint32(24, true),
    count: v.getUint32(28, true),
  };
  return { h, f64: new Float64Array(aligned.buffer, aligned.byteOffset + HEADER, (aligned.byteLength - HEADER) / 8) };
}

function expectLength(f64: Float64Array, n: number, what: string): void {
  if (f64.length !== n) throw new PackError(`packed ${what} hold ${f64.length} values; their header says ${n}`);
}

/** FNV-1a over bytes (and a few extra words): a request's fingerprint, carried by its replies. */
export function fnv1a(bytes: Uint8Array, extra: readonly number[] = []): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  for (const x of extra) h = Math.imul(h ^ (x >>> 0), 0x01000193);
  return h >>> 0;
}

const precLength = (layout: LayoutCode, k: number, d: number): number => {
  const l = layoutOf(layout);
  return l.blocks(k) * l.blockSize(d);
};

export function packParams(p: KernelParams): Uint8Array {
  const np = precLength(p.layout, p.k, p.d);
  const { bytes, f64 } = writer(
    PARAMS,
    { k: p.k, d: p.d, a: p.layout, b: p.sxxKind === 'full' ? 0 : 1, hash: 0, count: 0 },
    p.k * p.d + np + p.k,
  );
  f64.set(p.means, 0);
  f64.set(p.prec, p.k * p.d);
  f64.set(p.logConst, p.k * p.d + np);
  return bytes;
}

export function unpackParams(bytes: Uint8Array): KernelParams {
  const { h, f64 } = reader(bytes, PARAMS);
  const { k, d } = h;
  const layout = h.a as LayoutCode;
  if (layout < 0 || layout > 3) throw new PackError(`packed parameters name layout ${layout}`);
  const np = precLength(layout, k, d);
  expectLength(f64, k * d + np + k, 'parameters');
  return {
    k,
    d,
    layout,
    sxxKind: h.b === 0 ? 'full' : 'diag',
    means: f64.slice(0, k * d),
    prec: f64.slice(k * d, k * d + np),
    logConst: f64.slice(k * d + np),
  };
}

/** Whether every d×d block equals its transpose bit for bit (so its upper triangle says everything). */
function symmetric(sxx: Float64Array, k: number, d: number): boolean {
  for (let c = 0; c < k; c++) {
    const o = c * d * d;
    for (let i = 1; i < d; i++)
      for (let j = 0; j < i; j++) if (!Object.is(sxx[o + i * d + j], sxx[o + j * d + i])) return false;
  }
  return true;
}

/**
 * Which kernels computed statistics (in their header), one bit each: merged parts OR their bits, so more than one bit
 * set means the parts came from different kernels — which round differently (the relaxed-SIMD build fuses
 * multiply-adds), so the result would depend on which worker served which shard.
 */
export const KERNEL_CODE = { js: 1, simd: 2, 'relaxed-simd': 4 } as const;

/** Whether a kernels code has more than one bit set. */
export const mixedKernels = (code: number): boolean => (code & (code - 1)) !== 0;

/**
 * Statistics (without their centers: the request's means are) with the fingerprint of the request they answer and
 * the code of the backend that computed them.
 */
export function packStats(st: SufficientStats, hash: number, backend: number): Uint8Array {
  const { k, d } = st;
  const full = st.sxxKind === 'full';
  const tri = full && symmetric(st.sxx, k, d);
  const nsxx = full ? (tri ? (k * d * (d + 1)) / 2 : k * d * d) : k * d;
  const { bytes, f64 } = writer(
    STATS,
    { k, d, a: full ? 0 : 1, b: tri ? 1 : 0, hash, count: backend },
    2 + k + k * d + nsxx,
  );
  f64[0] = st.logLik;
  f64[1] = st.sumW;
  f64.set(st.nk, 2);
  f64.set(st.sx, 2 + k);
  const o = 2 + k + k * d;
  if (!tri) f64.set(st.sxx, o);
  else {
    let at = o;
    for (let c = 0; c < k; c++)
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++) f64[at++] = st.sxx[c * d * d + i * d + j];
  }
  return bytes;
}

/** Unpacks statistics; `centers` (the request's means) completes them. */
export function unpackStats(
  bytes: Uint8Array,
  centers: Float64Array,
): { stats: SufficientStats; hash: number; backend: number } {
  const { h, f64 } = reader(bytes, STATS);
  const { k, d } = h;
  const full = h.a === 0;
  const tri = h.b === 1;
  const nsxx = full ? (tri ? (k * d * (d + 1)) / 2 : k * d * d) : k * d;
  expectLength(f64, 2 + k + k * d + nsxx, 'statistics');
  if (centers.length !== k * d)
    throw new PackError(`statistics for k=${k}, d=${d} given ${centers.length} center values`);
  const o = 2 + k + k * d;
  let sxx: Float64Array;
  if (!tri) sxx = f64.slice(o);
  else {
    sxx = new Float64Array(k * d * d);
    let at = o;
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) sxx[c * d * d + i * d + j] = sxx[c * d * d + j * d + i] = f64[at++];
      }
    }
  }
  return {
    stats: {
      k,
      d,
      sxxKind: full ? 'full' : 'diag',
      logLik: f64[0],
      sumW: f64[1],
      nk: f64.slice(2, 2 + k),
      sx: f64.slice(2 + k, o),
      sxx,
      centers,
    },
    hash: h.hash,
    backend: h.count,
  };
}

/** Worst-explained rows (lowest log p first) with their log p(x). */
export function packWorst(rows: readonly Float64Array[], lse: readonly number[], d: number, hash: number): Uint8Array {
  const n = rows.length;
  const { bytes, f64 } = writer(WORST, { k: 0, d, a: 0, b: 0, hash, count: n }, n + n * d);
  f64.set(lse, 0);
  rows.forEach((r, i) => f64.set(r, n + i * d));
  return bytes;
}

export function unpackWorst(bytes: Uint8Array): { rows: Float64Array[]; lse: number[]; hash: number } {
  const { h, f64 } = reader(bytes, WORST);
  const { d, count: n } = h;
  expectLength(f64, n + n * d, 'worst rows');
  return {
    lse: Array.from(f64.subarray(0, n)),
    rows: Array.from({ length: n }, (_, i) => f64.slice(n + i * d, n + (i + 1) * d)),
    hash: h.hash,
  };
}

/** n rows of d values (row-major) and, optionally, their weights. */
export function packRows(data: Float64Array, weights: Float64Array | null, n: number, d: number): Uint8Array {
  const { bytes, f64 } = writer(
    ROWS,
    { k: 0, d, a: 0, b: weights ? 1 : 0, hash: 0, count: n },
    n * d + (weights ? n : 0),
  );
  f64.set(data.subarray(0, n * d), 0);
  if (weights) f64.set(weights.subarray(0, n), n * d);
  return bytes;
}

export function unpackRows(bytes: Uint8Array): {
  data: Float64Array;
  weights: Float64Array | null;
  n: number;
  d: number;
} {
  const { h, f64 } = reader(bytes, ROWS);
  const { d, count: n } = h;
  const weighted = h.b === 1;
  expectLength(f64, n * d + (weighted ? n : 0), 'rows');
  return { data: f64.slice(0, n * d), weights: weighted ? f64.slice(n * d) : null, n, d };
}
