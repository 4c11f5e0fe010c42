// Vectorised exp and log, and the lane helpers every phase shares.
//
// The responsibility step needs k exps and one log per row; scalar NativeMath calls dominated it at small d, so exp
// and log are f64x2 polynomials here (vexp, vlog), with scalar forms (exp1, log1) that run the *same* polynomial in
// one lane, so a row's result never depends on whether it went through a SIMD tile or the scalar fallback. Their
// constants sit in a table rather than in v128.const (see VC). The JS twin uses Math.exp/Math.log instead: this file
// is the one place where the backends' arithmetic differs (~1 ulp per call).

const LOG2E: f64 = 1.4426950408889634;
// ln 2 split as in fdlibm: LN2_HI has 32 significant bits, so n·LN2_HI is exact for |n| < 2^21
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
/** 1.5·2^52: adding it rounds to an integer (ties to even) and leaves that integer in the low mantissa bits. */
const ROUND_MAGIC: f64 = 6755399441055744.0;

// fdlibm's log polynomial (e_log.c): log(1+f) = f − hfsq + s·(hfsq + R(s²)), s = f/(2+f)
const LG1: f64 = 6.666666666666735130e-1;
const LG2: f64 = 3.999999999940941908e-1;
const LG3: f64 = 2.857142874366239149e-1;
const LG4: f64 = 2.222219843214978396e-1;
const LG5: f64 = 1.818357216161805012e-1;
const LG6: f64 = 1.531383769920937332e-1;
const LG7: f64 = 1.479819860511658591e-1;

/**
 * Splatted constants, loaded from this table instead of written as v128.const: V8's TurboFan (Node 20) rematerialises
 * a v128.const on every use inside a loop (mov imm64; movq; punpcklqdq) where a load is one instruction — 1.5× on
 * vexp alone. vc(C_x) loads the f64
 * constant C_x, vi(C_x) the i64 bit pattern C_x, each as a pair.
 */
const VC: usize = memory.data<f64>([
  -750.0, -750.0,
  LOG2E, LOG2E,
  ROUND_MAGIC, ROUND_MAGIC,
  LN2_HI, LN2_HI,
  LN2_LO, LN2_LO,
  0.5000000000000001, 0.5000000000000001,
  1.6666666666666669e-1, 1.6666666666666669e-1,
  4.166666666662364e-2, 4.166666666662364e-2,
  8.333333333330025e-3, 8.333333333330025e-3,
  1.3888888917455817e-3, 1.3888888917455817e-3,
  1.9841269863239797e-4, 1.9841269863239797e-4,
  2.4801520920306394e-5, 2.4801520920306394e-5,
  2.7557268171118913e-6, 2.7557268171118913e-6,
  2.762026687189348e-7, 2.762026687189348e-7,
  2.5100522707350674e-8, 2.5100522707350674e-8,
  1.0, 1.0,
  5.421010862427522e-20, 5.421010862427522e-20,
  0.5, 0.5,
  2.0, 2.0,
  LG1, LG1,
  LG2, LG2,
  LG3, LG3,
  LG4, LG4,
  LG5, LG5,
  LG6, LG6,
  LG7, LG7,
  -Infinity, -Infinity,
], 16);
const VC_INT: usize = memory.data<i64>([
  1087, 1087,
  0x00095f6200000000, 0x00095f6200000000,
  0x3ff, 0x3ff,
  0x000fffffffffffff, 0x000fffffffffffff,
  0x3fe6a09e00000000, 0x3fe6a09e00000000,
], 16);
const C_EXP_LO: i32 = 0;
const C_LOG2E: i32 = 1;
const C_ROUND: i32 = 2;
const C_LN2_HI: i32 = 3;
const C_LN2_LO: i32 = 4;
const C_E0: i32 = 5;
const C_E1: i32 = 6;
const C_E2: i32 = 7;
const C_E3: i32 = 8;
const C_E4: i32 = 9;
const C_E5: i32 = 10;
const C_E6: i32 = 11;
const C_E7: i32 = 12;
const C_E8: i32 = 13;
const C_E9: i32 = 14;
export const C_ONE: i32 = 15;
const C_2M64: i32 = 16;
export const C_HALF: i32 = 17;
const C_TWO: i32 = 18;
const C_LG1: i32 = 19;
const C_LG2: i32 = 20;
const C_LG3: i32 = 21;
const C_LG4: i32 = 22;
const C_LG5: i32 = 23;
const C_LG6: i32 = 24;
const C_LG7: i32 = 25;
export const C_NINF: i32 = 26;
const C_EXP_BIAS: i32 = 0;
const C_LOG_SHIFT: i32 = 1;
const C_LOG_BIAS: i32 = 2;
const C_MANT: i32 = 3;
const C_SQRT_HALF_HI: i32 = 4;

/**
 * a·b + c per lane. The relaxed-SIMD build (ASC_FEATURE_RELAXED_SIMD; build/kernels-relaxed.wasm) emits
 * f64x2.relaxed_madd, which engines with FMA hardware run as one fused multiply-add (one rounding instead of two, and
 * one instruction instead of two on the hot chains); the baseline build emits the multiply and the add, bit for bit
 * what it computed before this helper existed (c + a·b = a·b + c exactly).
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

/** The splatted f64 constant number i (C_*). */
// @ts-ignore: decorator
@inline
export function vc(i: i32): v128 {
  return v128.load(VC + (<usize>i << 4));
}

/** The splatted i64 constant number i (the C_* declared from C_EXP_BIAS on, numbered from 0 in VC_INT). */
// @ts-ignore: decorator
@inline
function vi(i: i32): v128 {
  return v128.load(VC_INT + (<usize>i << 4));
}

/**
 * e^x per lane for x ≤ 0 (larger x is clamped to 0), within ~1 ulp: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite),
 * e^r = 1 + r + r²·q(r) with q a degree-9 Chebyshev fit of (e^r − 1 − r)/r² (error < 1.1e-16 in q; < 0.65 ulp in
 * e^r as evaluated), then the scale. The scale 2^(n+64) is built from exponent bits (valid for n ≥ −1086) and the result
 * multiplied by 2^−64 last, so results in the subnormal range get exactly one rounding and inputs below about −745
 * (including −∞, clamped to −750) give +0. NaN propagates.
 */
// @ts-ignore: decorator
@inline
export function vexp(x0: v128): v128 {
  const x = f64x2.pmin(f64x2.pmax(x0, vc(C_EXP_LO)), f64x2.splat(0.0));
  const t = f64x2.add(f64x2.mul(x, vc(C_LOG2E)), vc(C_ROUND));
  const n = f64x2.sub(t, vc(C_ROUND));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, vc(C_LN2_HI))), f64x2.mul(n, vc(C_LN2_LO)));
  // Estrin's scheme (a short dependency chain, so the k exps of a row overlap in flight)
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q01 = madd(vc(C_E1), r, vc(C_E0));
  const q23 = madd(vc(C_E3), r, vc(C_E2));
  const q45 = madd(vc(C_E5), r, vc(C_E4));
  const q67 = madd(vc(C_E7), r, vc(C_E6));
  const q89 = madd(vc(C_E9), r, vc(C_E8));
  const q03 = madd(q23, r2, q01);
  const q47 = madd(q67, r2, q45);
  const q = madd(q89, r8, madd(q47, r4, q03));
  const p = f64x2.add(madd(r2, q, r), vc(C_ONE));
  // n sits in the low bits of t: exponent field n + 1023 + 64 (mod 2^12, in range for n ≥ −1086)
  const scale = i64x2.shl(i64x2.add(t, vi(C_EXP_BIAS)), 52);
  return f64x2.mul(f64x2.mul(p, scale), vc(C_2M64)); // 2^−64
}

/**
 * log x per lane for positive, normal, finite x (here always a sum of exps in [1, k]), within ~1 ulp: the
 * branch-free form of fdlibm/musl's log (x = 2^k·(1+f) with 1+f in [√2/2, √2), the same Lg1..Lg7 polynomial).
 * A NaN lane gives NaN (the bit arithmetic alone would give a finite value, and a NaN log density must reach lse as
 * it does in the twin's Math.log).
 */
// @ts-ignore: decorator
@inline
export function vlog(x: v128): v128 {
  // shift the exponent boundary to √2/2 (0x3fe6a09e is its high word), then split
  const hi = i64x2.add(x, vi(C_LOG_SHIFT));
  const ki = i64x2.sub(i64x2.shr_s(hi, 52), vi(C_LOG_BIAS));
  const m = i64x2.add(v128.and(hi, vi(C_MANT)), vi(C_SQRT_HALF_HI));
  const f = f64x2.sub(m, vc(C_ONE));
  const hfsq = f64x2.mul(f64x2.mul(vc(C_HALF), f), f);
  const s = f64x2.div(f, f64x2.add(vc(C_TWO), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, madd(w, madd(w, vc(C_LG6), vc(C_LG4)), vc(C_LG2)));
  const t2 = f64x2.mul(z, madd(w, madd(w, madd(w, vc(C_LG7), vc(C_LG5)), vc(C_LG3)), vc(C_LG1)));
  const R = f64x2.add(t2, t1);
  const dk = f64x2.convert_low_i32x4_s(i32x4.shuffle(ki, ki, 0, 2, 0, 2));
  let y = f64x2.mul(s, f64x2.add(hfsq, R));
  y = f64x2.add(y, f64x2.mul(dk, vc(C_LN2_LO)));
  y = f64x2.sub(y, hfsq);
  y = f64x2.add(y, f);
  return v128.or(f64x2.add(y, f64x2.mul(dk, vc(C_LN2_HI))), f64x2.ne(x, x));
}

/** Scalar e^x with the same algorithm (so a row's result does not depend on whether it went through a tile). */
// @ts-ignore: decorator
@inline
export function exp1(x: f64): f64 {
  return f64x2.extract_lane(vexp(f64x2.splat(x)), 0);
}

/** Scalar log with the same algorithm as vlog. */
// @ts-ignore: decorator
@inline
export function log1(x: f64): f64 {
  return f64x2.extract_lane(vlog(f64x2.splat(x)), 0);
}

/** (a, b) from two scalars in memory. */
// @ts-ignore: decorator
@inline
export function load2(a: usize, b: usize): v128 {
  return v128.load64_lane(b, v128.load64_splat(a), 1);
}
