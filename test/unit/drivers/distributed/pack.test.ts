/**
 * The binary forms that travel through Redis (drivers/distributed/pack.ts): every value comes back bit for bit —
 * statistics from the kernels (symmetric scatter, sent as its upper triangle), any other scatter in full, diagonal
 * statistics, parameters of every layout, worst rows, sampled rows — from aligned or unaligned buffers (ioredis
 * hands out pooled Buffers at any offset); anything else is refused. Reference: the values packed.
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../../../src/backends/index.js';
import { Workspace } from '../../../../src/backends/workspace.js';
import { denseRows } from '../../../../src/data/rows.js';
import { mergeStats } from '../../../../src/drivers/distributed/merge.js';
import {
  fnv1a,
  KERNEL_CODE,
  mixedKernels,
  PackError,
  packParams,
  packRows,
  packStats,
  packWorst,
  unpackParams,
  unpackRows,
  unpackStats,
  unpackWorst,
} from '../../../../src/drivers/distributed/pack.js';
import { kernelParams, withFactors, type Params } from '../../../../src/model/params.js';
import { addStats, type SufficientStats } from '../../../../src/model/stats.js';
import { Random } from '../../../../src/util/random.js';

const rng = new Random(3);
const values = (n: number, scale = 1): Float64Array =>
  Float64Array.from({ length: n }, () => (rng.random() - 0.5) * scale);

function params(covType: 'full' | 'tied' | 'diag' | 'spherical', k = 3, d = 4): Params {
  const cov =
    covType === 'full'
      ? Float64Array.from({ length: k * d * d }, (_, i) => ((i % (d * d)) % (d + 1) === 0 ? 1.5 : 0.1))
      : covType === 'tied'
        ? Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 2 : 0.2))
        : covType === 'diag'
          ? values(k * d).map((v) => 1 + Math.abs(v))
          : values(k).map((v) => 1 + Math.abs(v));
  const p = withFactors(covType, k, d, new Float64Array(k).fill(1 / k), values(k * d, 6), cov);
  if (typeof p === 'number') throw new Error('test parameters are not positive definite');
  return p;
}

/** Statistics as the kernels make them: an E-pass of 50 rows (so the scatter is the kernels' own, mirrored). */
function kernelStats(p: Params): SufficientStats {
  const X = values(50 * p.d, 8);
  return Workspace.of(getBackend('js'), kernelParams(p)).accumulate(denseRows(X, p.d), null, false);
}

/** A copy of `bytes` that starts at an odd offset of a larger buffer (a Float64Array view of it is impossible). */
function unaligned(bytes: Uint8Array): Uint8Array {
  const big = new Uint8Array(bytes.length + 3);
  big.set(bytes, 3);
  return big.subarray(3);
}

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('packed statistics', () => {
  it('come back bit for bit, from aligned and unaligned buffers; a symmetric scatter travels as its upper triangle', () => {
    for (const covType of ['full', 'tied', 'diag', 'spherical'] as const) {
      const p = params(covType);
      const st = kernelStats(p);
      const packed = packStats(st, 0xdeadbeef, KERNEL_CODE.js);
      if (st.sxxKind === 'full') expect(packed.byteLength).toBe(32 + 8 * (2 + 3 + 12 + (3 * 4 * 5) / 2));
      for (const bytes of [packed, unaligned(packed)]) {
        const r = unpackStats(bytes, st.centers);
        expect(r.hash).toBe(0xdeadbeef);
        expect(r.backend).toBe(KERNEL_CODE.js);
        expect(r.stats.sxxKind).toBe(st.sxxKind);
        expect(r.stats.logLik).toBe(st.logLik);
        expect(r.stats.sumW).toBe(st.sumW);
        expect(bits(r.stats.nk)).toEqual(bits(st.nk));
        expect(bits(r.stats.sx)).toEqual(bits(st.sx));
        expect(bits(r.stats.sxx)).toEqual(bits(st.sxx));
      }
    }
  });

  it('a scatter that is not symmetric travels whole; −0 and −∞ survive', () => {
    const st = kernelStats(params('full', 2, 3));
    st.sxx[1] += 1e-9; // (0, 1) no longer equals (1, 0)
    st.sxx[3 * 3 + 0] = -0;
    st.logLik = -Infinity;
    const packed = packStats(st, 1, KERNEL_CODE.simd);
    expect(packed.byteLength).toBe(32 + 8 * (2 + 2 + 6 + 18));
    const r = unpackStats(packed, st.centers).stats;
    expect(bits(r.sxx)).toEqual(bits(st.sxx));
    expect(r.logLik).toBe(-Infinity);
  });

  it('merge adds parts in the order given and refuses parts of another request', () => {
    const p = params('full');
    const parts = [kernelStats(p), kernelStats(p), kernelStats(p)];
    const merged = unpackStats(
      mergeStats(
        parts.map((s) => packStats(s, 7, KERNEL_CODE.simd)),
        7,
      ),
      parts[0].centers,
    );
    const direct = parts.slice(1).reduce((a, b) => addStats(a, b), {
      ...parts[0],
      nk: parts[0].nk.slice(),
      sx: parts[0].sx.slice(),
      sxx: parts[0].sxx.slice(),
    });
    expect(bits(merged.stats.sxx)).toEqual(bits(direct.sxx));
    expect(merged.stats.logLik).toBe(direct.logLik);
    expect(merged.backend).toBe(KERNEL_CODE.simd);
    // parts from different kernels (the two wasm builds round differently) are flagged: their bits are OR-ed
    const mixed = mergeStats(
      [packStats(parts[0], 7, KERNEL_CODE.simd), packStats(parts[1], 7, KERNEL_CODE['relaxed-simd'])],
      7,
    );
    const code = unpackStats(mixed, parts[0].centers).backend;
    expect(code).toBe(KERNEL_CODE.simd | KERNEL_CODE['relaxed-simd']);
    expect(mixedKernels(code)).toBe(true);
    for (const k of Object.values(KERNEL_CODE)) expect(mixedKernels(k)).toBe(false);
    expect(() => mergeStats([packStats(parts[0], 7, 1), packStats(parts[1], 8, 1)], 7)).toThrow(
      /shard 1 answer another request/,
    );
  });
});

describe('packed parameters, worst rows and rows', () => {
  it('parameters of every kernel layout come back bit for bit, and their fingerprint follows their bytes', () => {
    for (const covType of ['full', 'tied', 'diag', 'spherical'] as const) {
      const kp = kernelParams(params(covType));
      const packed = packParams(kp);
      const r = unpackParams(unaligned(packed));
      expect(r.layout).toBe(kp.layout);
      expect(r.sxxKind).toBe(kp.sxxKind);
      expect(bits(r.means)).toEqual(bits(kp.means));
      expect(bits(r.prec)).toEqual(bits(kp.prec));
      expect(bits(r.logConst)).toEqual(bits(kp.logConst));
      expect(fnv1a(packed)).toBe(fnv1a(packParams(r)));
      const moved = { ...kp, means: kp.means.map((v, i) => (i === 0 ? v + 2 ** -40 : v)) };
      expect(fnv1a(packParams(moved))).not.toBe(fnv1a(packed));
    }
  });

  it('worst rows and sampled rows (with and without weights) come back as they went', () => {
    const rows = [values(3), values(3)];
    const w = unpackWorst(unaligned(packWorst(rows, [-5, -Infinity], 3, 42)));
    expect(w.hash).toBe(42);
    expect(w.lse).toEqual([-5, -Infinity]);
    expect(w.rows.map(bits)).toEqual(rows.map(bits));
    const data = values(12);
    const weights = values(4);
    expect(unpackRows(packRows(data, weights, 4, 3))).toEqual({ data, weights, n: 4, d: 3 });
    expect(unpackRows(packRows(data, null, 4, 3)).weights).toBeNull();
  });

  it('refuses truncated values, other formats and other versions', () => {
    const st = packStats(kernelStats(params('diag')), 1, 1);
    expect(() => unpackStats(st.subarray(0, st.length - 8), new Float64Array(12))).toThrow(PackError);
    expect(() => unpackStats(st.subarray(0, 20), new Float64Array(12))).toThrow(/truncated/);
    expect(() => unpackParams(st)).toThrow(/expected packed parameters, got statistics/);
    const other = st.slice();
    other[4] = 9;
    expect(() => unpackStats(other, new Float64Array(12))).toThrow(/format version 9/);
  });
});
