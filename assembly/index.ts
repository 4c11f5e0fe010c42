// gaussmix kernels — see ./README.md for the ABI (the contract).
//
// Every kernel works on raw byte pointers into linear memory and allocates nothing. Temporaries live in one fixed
// static buffer (so `d ≤ MAX_D` is a precondition, checked on entry).
//
// Where the time goes, and what is done about it:
// - Mahalanobis terms (triangular layouts, O(K·D²) per row): rows go in tiles of 4 with the rows *in the SIMD lanes*: the
//   tile's diffs x − μ are transposed into two planes of f64x2 (rows 0–1, rows 2–3), and y = diff·P is computed 4
//   columns at a time (8 accumulators: each splatted P entry serves 4 rows, each diff load 4 columns). Components
//   are the outer loop, so one P stays in cache while the tiles stream past.
// - Covariance accumulation (triangular layouts, O(K·D²) per row): per component, the rows with w·r ≠ 0 are packed
//   (u = w·r·(x − μ), v = x − μ) into blocks of up to 32 and each block is added as one rank-b update in 4×4
//   register tiles, instead of a rank-1 read-modify-write of sxx per row. For D ≤ 4 (when k is too large for the fused
//   path below) the whole upper triangle fits in registers and is held over all the call's rows.
// - Responsibilities (dominant at small D): f64x2 exp and log polynomials instead of scalar NativeMath calls, run
//   over tiles of 4 rows in two passes so consecutive tiles' dependency chains overlap. Their constants are loaded
//   from a table (V8 rebuilds a v128.const on every use inside a loop).
// - D ≤ 4: one fused pass per 4-row tile, transposed once, everything in lanes (eStepSmall).
//
// The pure-TypeScript twin (src/backends/js-kernels.ts) performs the same floating-point operations in the same
// order per output: with rows in lanes, each lane is one row's plain sequential sum, and each statistic's partial sum
// has its own accumulator, so the twin is the natural scalar loop with the same block boundaries. Log densities are
// bit-identical across backends; the rest differs only through exp and log (~1 ulp each).

/** Largest supported number of features. */
const MAX_D: i32 = 4096;
/**
 * The one static buffer (64 KiB; asconfig's 2 initial pages must hold all static data). E-tiles: the diffs x − μ of
 * a tile's rows, transposed (rows in lanes). M-accumulation: the packed rows u (first half) and v (second half).
 */
const BUF_DOUBLES: i32 = 8192;
const BUF: usize = memory.data(BUF_DOUBLES * 8, 16);
const BUF_V: usize = BUF + (<usize>BUF_DOUBLES << 2);
/** Rows per rank-b update; fewer when 32 padded rows do not fit half the buffer (D > 128). Mirrored by the twin. */
const PACK_ROWS: i32 = 32;

// Storage layouts: the kernels know how the precision factors are stored, not which covariance model produced them
// (TypeScript maps full → LAYOUT_TRI, tied → LAYOUT_SHARED_TRI, diag → LAYOUT_DIAG, spherical → LAYOUT_SCALAR).
/** k upper-triangular d×d factors, one per component. */
const LAYOUT_TRI: i32 = 0;
/** One upper-triangular d×d factor shared by all components. */
const LAYOUT_SHARED_TRI: i32 = 1;
/** k×d: one precision per component and feature (the diagonal of the factor). */
const LAYOUT_DIAG: i32 = 2;
/** k values: one precision per component, the same for every feature. */
const LAYOUT_SCALAR: i32 = 3;

/** First free byte after static data. TypeScript lays out its arrays from here (rounded up to 16). */
export function heapBase(): usize {
  return __heap_base;
}

/** The preconditions every exported kernel checks on entry (a violation aborts: a JS Error through the loader). */
function checkArgs(d: i32, k: i32, layout: i32): void {
  if (d < 1 || d > MAX_D) throw new Error('gaussmix kernels: d must be in 1..4096');
  if (k < 1) throw new Error('gaussmix kernels: k must be >= 1');
  if (layout < LAYOUT_TRI || layout > LAYOUT_SCALAR) throw new Error('gaussmix kernels: bad layout');
}

// ---------------------------------------------------------------------------------------------------------
// Vectorised exp and log (the responsibility step needs k exps and one log per row; scalar NativeMath calls
// dominated it at small D)

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
const C_ONE: i32 = 15;
const C_2M64: i32 = 16;
const C_HALF: i32 = 17;
const C_TWO: i32 = 18;
const C_LG1: i32 = 19;
const C_LG2: i32 = 20;
const C_LG3: i32 = 21;
const C_LG4: i32 = 22;
const C_LG5: i32 = 23;
const C_LG6: i32 = 24;
const C_LG7: i32 = 25;
const C_NINF: i32 = 26;
const C_EXP_BIAS: i32 = 0;
const C_LOG_SHIFT: i32 = 1;
const C_LOG_BIAS: i32 = 2;
const C_MANT: i32 = 3;
const C_SQRT_HALF_HI: i32 = 4;

/** The splatted f64 constant number i (C_*). */
// @ts-ignore: decorator
@inline
function vc(i: i32): v128 {
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
function vexp(x0: v128): v128 {
  const x = f64x2.pmin(f64x2.pmax(x0, vc(C_EXP_LO)), f64x2.splat(0.0));
  const t = f64x2.add(f64x2.mul(x, vc(C_LOG2E)), vc(C_ROUND));
  const n = f64x2.sub(t, vc(C_ROUND));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, vc(C_LN2_HI))), f64x2.mul(n, vc(C_LN2_LO)));
  // Estrin's scheme (a short dependency chain, so the k exps of a row overlap in flight)
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q01 = f64x2.add(vc(C_E0), f64x2.mul(vc(C_E1), r));
  const q23 = f64x2.add(vc(C_E2), f64x2.mul(vc(C_E3), r));
  const q45 = f64x2.add(vc(C_E4), f64x2.mul(vc(C_E5), r));
  const q67 = f64x2.add(vc(C_E6), f64x2.mul(vc(C_E7), r));
  const q89 = f64x2.add(vc(C_E8), f64x2.mul(vc(C_E9), r));
  const q03 = f64x2.add(q01, f64x2.mul(q23, r2));
  const q47 = f64x2.add(q45, f64x2.mul(q67, r2));
  const q = f64x2.add(f64x2.add(q03, f64x2.mul(q47, r4)), f64x2.mul(q89, r8));
  const p = f64x2.add(f64x2.add(f64x2.mul(r2, q), r), vc(C_ONE));
  // n sits in the low bits of t: exponent field n + 1023 + 64 (mod 2^12, in range for n ≥ −1086)
  const scale = i64x2.shl(i64x2.add(t, vi(C_EXP_BIAS)), 52);
  return f64x2.mul(f64x2.mul(p, scale), vc(C_2M64)); // 2^−64
}


/**
 * log x per lane for positive, normal, finite x (here always a sum of exps in [1, k]), within ~1 ulp: the
 * branch-free form of fdlibm/musl's log (x = 2^k·(1+f) with 1+f in [√2/2, √2), the same Lg1..Lg7 polynomial).
 */
// @ts-ignore: decorator
@inline
function vlog(x: v128): v128 {
  // shift the exponent boundary to √2/2 (0x3fe6a09e is its high word), then split
  const hi = i64x2.add(x, vi(C_LOG_SHIFT));
  const ki = i64x2.sub(i64x2.shr_s(hi, 52), vi(C_LOG_BIAS));
  const m = i64x2.add(v128.and(hi, vi(C_MANT)), vi(C_SQRT_HALF_HI));
  const f = f64x2.sub(m, vc(C_ONE));
  const hfsq = f64x2.mul(f64x2.mul(vc(C_HALF), f), f);
  const s = f64x2.div(f, f64x2.add(vc(C_TWO), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(vc(C_LG2), f64x2.mul(w, f64x2.add(vc(C_LG4), f64x2.mul(w, vc(C_LG6))))));
  const t2 = f64x2.mul(z, f64x2.add(vc(C_LG1), f64x2.mul(w,
    f64x2.add(vc(C_LG3), f64x2.mul(w, f64x2.add(vc(C_LG5), f64x2.mul(w, vc(C_LG7))))))));
  const R = f64x2.add(t2, t1);
  const dk = f64x2.convert_low_i32x4_s(i32x4.shuffle(ki, ki, 0, 2, 0, 2));
  let y = f64x2.mul(s, f64x2.add(hfsq, R));
  y = f64x2.add(y, f64x2.mul(dk, vc(C_LN2_LO)));
  y = f64x2.sub(y, hfsq);
  y = f64x2.add(y, f);
  return f64x2.add(y, f64x2.mul(dk, vc(C_LN2_HI)));
}

/** Scalar e^x with the same algorithm (so a row's result does not depend on whether it went through a tile). */
// @ts-ignore: decorator
@inline
function exp1(x: f64): f64 {
  return f64x2.extract_lane(vexp(f64x2.splat(x)), 0);
}

/** Scalar log with the same algorithm as vlog. */
// @ts-ignore: decorator
@inline
function log1(x: f64): f64 {
  return f64x2.extract_lane(vlog(f64x2.splat(x)), 0);
}

/** (a, b) from two scalars in memory. */
// @ts-ignore: decorator
@inline
function load2(a: usize, b: usize): v128 {
  return v128.load64_lane(b, v128.load64_splat(a), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Log densities of a tile of up to 4 rows (2 when 4·d doubles do not fit the buffer, i.e. d > 2048)
//
// The tile's diffs x_t − μ are stored transposed in two planes of d f64x2: plane 0 at BUF holds rows (0, 1) of
// the tile, plane 1 at BUF + 16·d rows (2, 3); i.e. lane t%2 of plane ⌊t/2⌋ at index i is x_t[i] − μ[i].

/** Fills the planes for component mean `mu` from the nr tile rows at x (row stride d); missing rows get 0. */
// @ts-ignore: decorator
@inline
function diffTile(x: usize, nr: i32, d: i32, mu: usize, H4: bool): void {
  const rs = <usize>d << 3;
  const p1 = BUF + (<usize>d << 4);
  if (nr == (H4 ? 4 : 2)) {
    let i = 0;
    for (; i + 1 < d; i += 2) {
      const o = <usize>i << 3;
      const m = v128.load(mu + o);
      const a = f64x2.sub(v128.load(x + o), m);
      const b = f64x2.sub(v128.load(x + rs + o), m);
      const t = o << 1;
      v128.store(BUF + t, i64x2.shuffle(a, b, 0, 2));
      v128.store(BUF + t, i64x2.shuffle(a, b, 1, 3), 16);
      if (H4) {
        const c = f64x2.sub(v128.load(x + 2 * rs + o), m);
        const e = f64x2.sub(v128.load(x + 3 * rs + o), m);
        v128.store(p1 + t, i64x2.shuffle(c, e, 0, 2));
        v128.store(p1 + t, i64x2.shuffle(c, e, 1, 3), 16);
      }
    }
    if (i < d) {
      const o = <usize>i << 3;
      const m = v128.load64_splat(mu + o);
      v128.store(BUF + (o << 1), f64x2.sub(load2(x + o, x + rs + o), m));
      if (H4) v128.store(p1 + (o << 1), f64x2.sub(load2(x + 2 * rs + o, x + 3 * rs + o), m));
    }
  } else {
    // partial tile (the last of a call): scalar, never reading past row nr − 1
    const th: i32 = H4 ? 4 : 2;
    for (let i = 0; i < d; i++) {
      const o = <usize>i << 3;
      const m = load<f64>(mu + o);
      for (let t = 0; t < th; t++) {
        const dst = (t < 2 ? BUF : p1) + (o << 1) + (<usize>(t & 1) << 3);
        store<f64>(dst, t < nr ? load<f64>(x + <usize>t * rs + o) - m : 0.0);
      }
    }
  }
}

/** out[t·stride] = lc − ½·ss_t for the tile's rows t < nr (ss of rows 0,1 in s01 and of rows 2,3 in s23). */
// @ts-ignore: decorator
@inline
function storeTileLp(out: usize, stride: usize, nr: i32, lc: f64, s01: v128, s23: v128): void {
  const l = f64x2.splat(lc);
  const h = vc(C_HALF);
  const lp01 = f64x2.sub(l, f64x2.mul(h, s01));
  const lp23 = f64x2.sub(l, f64x2.mul(h, s23));
  if (nr == 4) {
    v128.store64_lane(out, lp01, 0);
    v128.store64_lane(out + stride, lp01, 1);
    v128.store64_lane(out + 2 * stride, lp23, 0);
    v128.store64_lane(out + 3 * stride, lp23, 1);
  } else {
    store<f64>(out, f64x2.extract_lane(lp01, 0));
    if (nr > 1) store<f64>(out + stride, f64x2.extract_lane(lp01, 1));
    if (nr > 2) store<f64>(out + 2 * stride, f64x2.extract_lane(lp23, 0));
  }
}

/**
 * Triangular layouts: ‖y_t‖² with y_t = (x_t − μ)ᵀP, P upper-triangular d×d at `p`, for the tile's diff planes.
 * Per lane (row): y_j = Σ_{i≤j} diff_i·P[i][j] in increasing i, then Σ_j y_j² in increasing j. Columns go 4 at a time (8
 * accumulators: 4 columns × 2 row pairs, so each splatted P entry serves 4 rows and each diff load 4 columns), the
 * block's last rows peeled so that no structural zero is multiplied.
 */
// @ts-ignore: decorator
@inline
function tileTri(p: usize, d: i32, lc: f64, out: usize, stride: usize, nr: i32, H4: bool): void {
  const rowBytes = <usize>d << 3;
  const p1 = <usize>d << 4; // plane 1 − plane 0
  const zero = f64x2.splat(0.0);
  let s01 = zero;
  let s23 = zero;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    let b0 = zero, b1 = zero, b2 = zero, b3 = zero;
    let pp = p + (<usize>j << 3);
    let dt = BUF;
    const end = BUF + (<usize>(j + 1) << 4);
    do {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp);
      a0 = f64x2.add(a0, f64x2.mul(d01, q));
      if (H4) b0 = f64x2.add(b0, f64x2.mul(d23, q));
      q = v128.load64_splat(pp, 8);
      a1 = f64x2.add(a1, f64x2.mul(d01, q));
      if (H4) b1 = f64x2.add(b1, f64x2.mul(d23, q));
      q = v128.load64_splat(pp, 16);
      a2 = f64x2.add(a2, f64x2.mul(d01, q));
      if (H4) b2 = f64x2.add(b2, f64x2.mul(d23, q));
      q = v128.load64_splat(pp, 24);
      a3 = f64x2.add(a3, f64x2.mul(d01, q));
      if (H4) b3 = f64x2.add(b3, f64x2.mul(d23, q));
      dt += 16;
      pp += rowBytes;
    } while (dt < end);
    // rows j+1..j+3 of P hold zeros left of the diagonal: only the columns from the diagonal on
    {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp, 8);
      a1 = f64x2.add(a1, f64x2.mul(d01, q));
      if (H4) b1 = f64x2.add(b1, f64x2.mul(d23, q));
      q = v128.load64_splat(pp, 16);
      a2 = f64x2.add(a2, f64x2.mul(d01, q));
      if (H4) b2 = f64x2.add(b2, f64x2.mul(d23, q));
      q = v128.load64_splat(pp, 24);
      a3 = f64x2.add(a3, f64x2.mul(d01, q));
      if (H4) b3 = f64x2.add(b3, f64x2.mul(d23, q));
      dt += 16;
      pp += rowBytes;
    }
    {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp, 16);
      a2 = f64x2.add(a2, f64x2.mul(d01, q));
      if (H4) b2 = f64x2.add(b2, f64x2.mul(d23, q));
      q = v128.load64_splat(pp, 24);
      a3 = f64x2.add(a3, f64x2.mul(d01, q));
      if (H4) b3 = f64x2.add(b3, f64x2.mul(d23, q));
      dt += 16;
      pp += rowBytes;
    }
    {
      const q = v128.load64_splat(pp, 24);
      a3 = f64x2.add(a3, f64x2.mul(v128.load(dt), q));
      if (H4) b3 = f64x2.add(b3, f64x2.mul(v128.load(dt + p1), q));
    }
    s01 = f64x2.add(s01, f64x2.mul(a0, a0));
    s01 = f64x2.add(s01, f64x2.mul(a1, a1));
    s01 = f64x2.add(s01, f64x2.mul(a2, a2));
    s01 = f64x2.add(s01, f64x2.mul(a3, a3));
    if (H4) {
      s23 = f64x2.add(s23, f64x2.mul(b0, b0));
      s23 = f64x2.add(s23, f64x2.mul(b1, b1));
      s23 = f64x2.add(s23, f64x2.mul(b2, b2));
      s23 = f64x2.add(s23, f64x2.mul(b3, b3));
    }
  }
  if (j + 1 < d) {
    let a0 = zero, a1 = zero, b0 = zero, b1 = zero;
    let pp = p + (<usize>j << 3);
    let dt = BUF;
    const end = BUF + (<usize>(j + 1) << 4);
    do {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp);
      a0 = f64x2.add(a0, f64x2.mul(d01, q));
      if (H4) b0 = f64x2.add(b0, f64x2.mul(d23, q));
      q = v128.load64_splat(pp, 8);
      a1 = f64x2.add(a1, f64x2.mul(d01, q));
      if (H4) b1 = f64x2.add(b1, f64x2.mul(d23, q));
      dt += 16;
      pp += rowBytes;
    } while (dt < end);
    {
      const q = v128.load64_splat(pp, 8);
      a1 = f64x2.add(a1, f64x2.mul(v128.load(dt), q));
      if (H4) b1 = f64x2.add(b1, f64x2.mul(v128.load(dt + p1), q));
    }
    s01 = f64x2.add(s01, f64x2.mul(a0, a0));
    s01 = f64x2.add(s01, f64x2.mul(a1, a1));
    if (H4) {
      s23 = f64x2.add(s23, f64x2.mul(b0, b0));
      s23 = f64x2.add(s23, f64x2.mul(b1, b1));
    }
    j += 2;
  }
  if (j < d) {
    let a0 = zero, b0 = zero;
    let pp = p + (<usize>j << 3);
    let dt = BUF;
    const end = BUF + (<usize>d << 4);
    do {
      const q = v128.load64_splat(pp);
      a0 = f64x2.add(a0, f64x2.mul(v128.load(dt), q));
      if (H4) b0 = f64x2.add(b0, f64x2.mul(v128.load(dt + p1), q));
      dt += 16;
      pp += rowBytes;
    } while (dt < end);
    s01 = f64x2.add(s01, f64x2.mul(a0, a0));
    if (H4) s23 = f64x2.add(s23, f64x2.mul(b0, b0));
  }
  storeTileLp(out, stride, nr, lc, s01, s23);
}

/** LAYOUT_DIAG (p = the d precisions) or LAYOUT_SCALAR (p = null, ps): Σ_j (diff_j·p_j)² per row, in increasing j. */
// @ts-ignore: decorator
@inline
function tileDiag(p: usize, ps: f64, d: i32, lc: f64, out: usize, stride: usize, nr: i32, H4: bool): void {
  const p1 = <usize>d << 4;
  const sq = f64x2.splat(ps);
  let s01 = f64x2.splat(0.0);
  let s23 = s01;
  for (let j = 0; j < d; j++) {
    const q = p != 0 ? v128.load64_splat(p + (<usize>j << 3)) : sq;
    const t = BUF + (<usize>j << 4);
    const y01 = f64x2.mul(v128.load(t), q);
    s01 = f64x2.add(s01, f64x2.mul(y01, y01));
    if (H4) {
      const y23 = f64x2.mul(v128.load(t + p1), q);
      s23 = f64x2.add(s23, f64x2.mul(y23, y23));
    }
  }
  storeTileLp(out, stride, nr, lc, s01, s23);
}

/**
 * LAYOUT_DIAG/LAYOUT_SCALAR for a full 4-row tile straight from the rows (no diff planes: O(d) work per row cannot
 * hide a transpose through memory). y = (x − μ)·p is formed on row vectors (columns j, j+1), squared, and the squares are
 * shuffled into row lanes, so each lane still sums its row's y_j² in increasing j.
 */
// @ts-ignore: decorator
@inline
function tileDiagRows(x: usize, d: i32, mu: usize, p: usize, ps: f64, lc: f64, out: usize, stride: usize): void {
  const rs = <usize>d << 3;
  const sq = f64x2.splat(ps);
  let s01 = f64x2.splat(0.0);
  let s23 = s01;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const o = <usize>j << 3;
    const m = v128.load(mu + o);
    const q = p != 0 ? v128.load(p + o) : sq;
    let y = f64x2.mul(f64x2.sub(v128.load(x + o), m), q);
    const t0 = f64x2.mul(y, y);
    y = f64x2.mul(f64x2.sub(v128.load(x + rs + o), m), q);
    const t1 = f64x2.mul(y, y);
    y = f64x2.mul(f64x2.sub(v128.load(x + 2 * rs + o), m), q);
    const t2 = f64x2.mul(y, y);
    y = f64x2.mul(f64x2.sub(v128.load(x + 3 * rs + o), m), q);
    const t3 = f64x2.mul(y, y);
    s01 = f64x2.add(s01, i64x2.shuffle(t0, t1, 0, 2));
    s23 = f64x2.add(s23, i64x2.shuffle(t2, t3, 0, 2));
    s01 = f64x2.add(s01, i64x2.shuffle(t0, t1, 1, 3));
    s23 = f64x2.add(s23, i64x2.shuffle(t2, t3, 1, 3));
  }
  if (j < d) {
    const o = <usize>j << 3;
    const m = v128.load64_splat(mu + o);
    const q = p != 0 ? v128.load64_splat(p + o) : sq;
    const y01 = f64x2.mul(f64x2.sub(load2(x + o, x + rs + o), m), q);
    const y23 = f64x2.mul(f64x2.sub(load2(x + 2 * rs + o, x + 3 * rs + o), m), q);
    s01 = f64x2.add(s01, f64x2.mul(y01, y01));
    s23 = f64x2.add(s23, f64x2.mul(y23, y23));
  }
  storeTileLp(out, stride, 4, lc, s01, s23);
}

/**
 * out[r·k + c] = log πc N(x_r; μc, Σc) for the n rows at x, in tiles of T = 4 (H4) or 2 rows. Components are the
 * outer loop so that one component's P stays in cache while all the tiles stream past it.
 */
// @ts-ignore: decorator
@inline
function logDensities(
  x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize, H4: bool,
): void {
  const T: i32 = H4 ? 4 : 2;
  const dBytes = <usize>d << 3;
  const stride = <usize>k << 3;
  const xStep = <usize>T * dBytes;
  const oStep = <usize>T * stride;
  for (let c = 0; c < k; c++) {
    const mu = means + <usize>c * dBytes;
    const lc = load<f64>(logConst + (<usize>c << 3));
    let xt = x;
    let o = out + (<usize>c << 3);
    for (let r0 = 0; r0 < n; r0 += T) {
      const nr = min(T, n - r0);
      if (layout <= LAYOUT_SHARED_TRI) {
        diffTile(xt, nr, d, mu, H4);
        tileTri(layout == LAYOUT_TRI ? prec + <usize>c * <usize>d * dBytes : prec, d, lc, o, stride, nr, H4);
      } else {
        const pd = layout == LAYOUT_DIAG ? prec + <usize>c * dBytes : 0;
        const ps = layout == LAYOUT_DIAG ? 0.0 : load<f64>(prec + (<usize>c << 3));
        if (H4 && nr == 4) {
          tileDiagRows(xt, d, mu, pd, ps, lc, o, stride);
        } else {
          diffTile(xt, nr, d, mu, H4);
          tileDiag(pd, ps, d, lc, o, stride, nr, H4);
        }
      }
      xt += xStep;
      o += oStep;
    }
  }
}

function logDensities4(x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize): void {
  logDensities(x, n, d, k, layout, means, prec, logConst, out, true);
}

function logDensities2(x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize): void {
  logDensities(x, n, d, k, layout, means, prec, logConst, out, false);
}

/** Log densities of all n rows; 4-row tiles when the two diff planes (4·d doubles) fit the buffer, else 2-row. */
function logDensitiesAll(x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize): void {
  if (4 * d <= BUF_DOUBLES) logDensities4(x, n, d, k, layout, means, prec, logConst, out);
  else logDensities2(x, n, d, k, layout, means, prec, logConst, out);
}

// ---------------------------------------------------------------------------------------------------------
// Responsibilities

/**
 * One row, scalar: `row` holds its k log densities; on return its responsibilities. Soft: m = first maximum,
 * e_c = exp(lp_c − m), s = Σ e_c (increasing c), lse = m + log s, r_c = e_c·(1/s); a row whose maximum is −∞ gets
 * uniform 1/k and lse = −∞. Hard: one-hot at the first maximum and "lse" = that maximum. Returns lse.
 */
function rowResp(row: usize, k: i32, hard: i32): f64 {
  let m = load<f64>(row);
  let am = 0;
  for (let c = 1; c < k; c++) {
    const v = load<f64>(row + (<usize>c << 3));
    if (v > m) { m = v; am = c; }
  }
  let l: f64;
  if (hard != 0) {
    l = m;
    for (let c = 0; c < k; c++) store<f64>(row + (<usize>c << 3), c == am ? 1.0 : 0.0);
  } else if (m == -Infinity) {
    l = -Infinity;
    const uniform = 1.0 / <f64>k;
    for (let c = 0; c < k; c++) store<f64>(row + (<usize>c << 3), uniform);
  } else {
    let s = 0.0;
    for (let c = 0; c < k; c++) {
      const p = row + (<usize>c << 3);
      const e = exp1(load<f64>(p) - m);
      store<f64>(p, e);
      s += e;
    }
    l = m + log1(s);
    const inv = 1.0 / s;
    for (let c = 0; c < k; c++) {
      const p = row + (<usize>c << 3);
      store<f64>(p, load<f64>(p) * inv);
    }
  }
  return l;
}

/**
 * Soft responsibilities of full 4-row tiles (rows in lanes, the same arithmetic as rowResp), in two passes over a run
 * of tiles so that consecutive tiles' exp and log chains overlap in flight instead of queueing behind each other.
 * Pass 1 (softExps): per tile, m = first maximum, e_c = exp(lp_c − m) stored over lp, s = Σ_c e_c, lse = m + log s;
 * (lse, s) of the tile go to `slot` (4 f64x2 in BUF). A tile with an all −∞ row is left untouched, with s = 0 as a
 * marker. Pass 2 (softFinish): r_c = e_c·(1/s). The caller then sums w·lse.
 */
// @ts-ignore: decorator
@inline
function softExps(row: usize, k: i32, kBytes: usize, slot: usize): void {
  const r1 = row + kBytes;
  const r2 = r1 + kBytes;
  const r3 = r2 + kBytes;
  let m01 = load2(row, r1);
  let m23 = load2(r2, r3);
  for (let c = 1; c < k; c++) {
    const o = <usize>c << 3;
    m01 = f64x2.pmax(m01, load2(row + o, r1 + o));
    m23 = f64x2.pmax(m23, load2(r2 + o, r3 + o));
  }
  const ninf = vc(C_NINF);
  let s01 = f64x2.splat(0.0);
  let s23 = s01;
  if (!v128.any_true(v128.or(f64x2.eq(m01, ninf), f64x2.eq(m23, ninf)))) {
    for (let c = 0; c < k; c++) {
      const o = <usize>c << 3;
      const e01 = vexp(f64x2.sub(load2(row + o, r1 + o), m01));
      const e23 = vexp(f64x2.sub(load2(r2 + o, r3 + o), m23));
      v128.store64_lane(row + o, e01, 0);
      v128.store64_lane(r1 + o, e01, 1);
      v128.store64_lane(r2 + o, e23, 0);
      v128.store64_lane(r3 + o, e23, 1);
      s01 = f64x2.add(s01, e01);
      s23 = f64x2.add(s23, e23);
    }
  }
  v128.store(slot, f64x2.add(m01, vlog(f64x2.pmax(s01, vc(C_ONE))))); // (s = 0 only for a marked tile)
  v128.store(slot, f64x2.add(m23, vlog(f64x2.pmax(s23, vc(C_ONE)))), 16);
  v128.store(slot, s01, 32);
  v128.store(slot, s23, 48);
}

// @ts-ignore: decorator
@inline
function softFinish(row: usize, k: i32, kBytes: usize, slot: usize): void {
  const r1 = row + kBytes;
  const r2 = r1 + kBytes;
  const r3 = r2 + kBytes;
  const one = vc(C_ONE);
  const inv01 = f64x2.div(one, v128.load(slot, 32));
  const inv23 = f64x2.div(one, v128.load(slot, 48));
  for (let c = 0; c < k; c++) {
    const o = <usize>c << 3;
    const e01 = f64x2.mul(load2(row + o, r1 + o), inv01);
    const e23 = f64x2.mul(load2(r2 + o, r3 + o), inv23);
    v128.store64_lane(row + o, e01, 0);
    v128.store64_lane(r1 + o, e01, 1);
    v128.store64_lane(r2 + o, e23, 0);
    v128.store64_lane(r3 + o, e23, 1);
  }
}

/** Tiles per run of the two soft passes: their (m, s) slots fill the static buffer. */
const SOFT_RUN: i32 = BUF_DOUBLES / 8;

/**
 * Responsibilities of rows [0, n) of scratch (holding log densities, n·k doubles, replaced in place); Σ w·lse and Σ w
 * (rows in order, weight-0 rows skipped) are *added* to totals[0] and totals[1] (the stats array's first two slots).
 * Preconditions: k ≥ 1; w (n doubles) is read only when hasW = 1; totals overlaps neither scratch nor w. Clobbers the
 * static buffer.
 */
function responsibilities(scratch: usize, n: i32, k: i32, hard: i32, w: usize, hasW: i32, totals: usize): void {
  const kBytes = <usize>k << 3;
  const tileBytes = kBytes << 2;
  let ll = 0.0;
  let sw = 0.0;
  let r0 = 0;
  if (hard == 0) {
    const full = n & ~3;
    while (r0 < full) {
      const tiles = min(SOFT_RUN, (full - r0) >> 2);
      let row = scratch + <usize>r0 * kBytes;
      for (let t = 0; t < tiles; t++, row += tileBytes) softExps(row, k, kBytes, BUF + (<usize>t << 6));
      row = scratch + <usize>r0 * kBytes;
      for (let t = 0; t < tiles; t++, row += tileBytes, r0 += 4) {
        const slot = BUF + (<usize>t << 6);
        const ok = f64x2.extract_lane(v128.load(slot, 32), 0) != 0.0;
        if (ok) softFinish(row, k, kBytes, slot);
        for (let q = 0; q < 4; q++) {
          const l = ok ? load<f64>(slot + (<usize>q << 3)) : rowResp(row + <usize>q * kBytes, k, 0);
          const wgt = hasW != 0 ? load<f64>(w + (<usize>(r0 + q) << 3)) : 1.0;
          if (wgt != 0.0) {
            ll += wgt * l;
            sw += wgt;
          }
        }
      }
    }
  }
  for (; r0 < n; r0++) {
    const l = rowResp(scratch + <usize>r0 * kBytes, k, hard);
    const wgt = hasW != 0 ? load<f64>(w + (<usize>r0 << 3)) : 1.0;
    if (wgt != 0.0) {
      ll += wgt * l;
      sw += wgt;
    }
  }
  store<f64>(totals, load<f64>(totals) + ll);
  store<f64>(totals + 8, load<f64>(totals + 8) + sw);
}

// ---------------------------------------------------------------------------------------------------------
// Sufficient statistics

/** wr = w_r·r_rc of row r, component c (the responsibility read from scratch). */
// @ts-ignore: decorator
@inline
function weightResp(w: usize, hasW: i32, r: i32, rp: usize): f64 {
  return (hasW != 0 ? load<f64>(w + (<usize>r << 3)) : 1.0) * load<f64>(rp);
}

/**
 * Packed block layout (u at BUF, v at BUF_V): column group g = ⌊j/4⌋ of row slot r at g·gs + r·4 + j%4 doubles, where
 * gs = 4·b for a block of b rows; so a 4-column group of all the block's rows is one contiguous run (what a tile
 * streams), and a row's padding columns up to dp = 4·⌈d/4⌉ hold zeros.
 */

/** Packs one row into slot `slot`: v = x − μ, u = wr·v. `gsBytes` = group stride in bytes. */
// @ts-ignore: decorator
@inline
function packRow(xr: usize, mu: usize, wr: f64, d: i32, slot: usize, gsBytes: usize): void {
  const wv = f64x2.splat(wr);
  const zero = f64x2.splat(0.0);
  let u = BUF + (slot << 5);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const o = <usize>j << 3;
    const v = u + (BUF_V - BUF);
    const df0 = f64x2.sub(v128.load(xr + o), v128.load(mu + o));
    const df1 = f64x2.sub(v128.load(xr + o, 16), v128.load(mu + o, 16));
    v128.store(v, df0);
    v128.store(v, df1, 16);
    v128.store(u, f64x2.mul(wv, df0));
    v128.store(u, f64x2.mul(wv, df1), 16);
    u += gsBytes;
  }
  if (j < d) {
    // last, partial group: 1–3 columns, then zeros
    const v = u + (BUF_V - BUF);
    const o = <usize>j << 3;
    let df0: v128;
    let df1 = zero;
    if (j + 1 < d) {
      df0 = f64x2.sub(v128.load(xr + o), v128.load(mu + o));
      if (j + 2 < d) df1 = f64x2.replace_lane(zero, 0, load<f64>(xr + o, 16) - load<f64>(mu + o, 16));
    } else {
      df0 = f64x2.replace_lane(zero, 0, load<f64>(xr + o) - load<f64>(mu + o));
    }
    v128.store(v, df0);
    v128.store(v, df1, 16);
    v128.store(u, f64x2.mul(wv, df0));
    v128.store(u, f64x2.mul(wv, df1), 16);
  }
}

/** row[0..nc) += (a, b) lanes (nc ≤ 4 columns; misaligned rows are fine). */
// @ts-ignore: decorator
@inline
function addTileRow(row: usize, nc: i32, a: v128, b: v128): void {
  if (nc >= 2) {
    v128.store(row, f64x2.add(v128.load(row), a));
    if (nc == 4) v128.store(row, f64x2.add(v128.load(row, 16), b), 16);
    else if (nc == 3) store<f64>(row, load<f64>(row, 16) + f64x2.extract_lane(b, 0), 16);
  } else {
    store<f64>(row, load<f64>(row) + f64x2.extract_lane(a, 0));
  }
}

/**
 * S[i][j] += Σ_{r<nb} u_r[i]·v_r[j] for i in i0..i0+3 (MI4) or i0..i0+1, j in j0..j0+3 (NJ4) or j0..j0+1, clipped
 * to d×d (i0, j0 multiples of 4). The 8 accumulators stay in registers over the nb packed rows: a rank-nb update.
 * DIAG (i0 = j0, MI4, NJ4): rows i0+2 and i0+3 only need columns from i0+2 on, so their first halves are skipped.
 */
// @ts-ignore: decorator
@inline
function sxxTile(
  nb: i32, gsBytes: usize, s: usize, rowBytes: usize, i0: i32, j0: i32, d: i32, MI4: bool, NJ4: bool, DIAG: bool,
): void {
  const zero = f64x2.splat(0.0);
  let a0 = zero, a1 = zero, b0 = zero, b1 = zero, c0 = zero, c1 = zero, e0 = zero, e1 = zero;
  let up = BUF + <usize>(i0 >> 2) * gsBytes;
  let vp = BUF_V + <usize>(j0 >> 2) * gsBytes;
  const end = up + (<usize>nb << 5);
  do {
    const v0 = v128.load(vp);
    const v1 = NJ4 ? v128.load(vp, 16) : zero;
    let q = v128.load64_splat(up);
    a0 = f64x2.add(a0, f64x2.mul(q, v0));
    if (NJ4) a1 = f64x2.add(a1, f64x2.mul(q, v1));
    q = v128.load64_splat(up, 8);
    b0 = f64x2.add(b0, f64x2.mul(q, v0));
    if (NJ4) b1 = f64x2.add(b1, f64x2.mul(q, v1));
    if (MI4) {
      q = v128.load64_splat(up, 16);
      if (!DIAG) c0 = f64x2.add(c0, f64x2.mul(q, v0));
      if (NJ4) c1 = f64x2.add(c1, f64x2.mul(q, v1));
      q = v128.load64_splat(up, 24);
      if (!DIAG) e0 = f64x2.add(e0, f64x2.mul(q, v0));
      if (NJ4) e1 = f64x2.add(e1, f64x2.mul(q, v1));
    }
    up += 32;
    vp += 32;
  } while (up < end);
  const nc = min(NJ4 ? 4 : 2, d - j0);
  const row = s + <usize>i0 * rowBytes + (<usize>j0 << 3);
  addTileRow(row, nc, a0, a1);
  if (i0 + 1 < d) addTileRow(row + rowBytes, nc, b0, b1);
  if (DIAG) {
    if (i0 + 2 < d) addTileRow(row + 2 * rowBytes + 16, nc - 2, c1, zero);
    if (i0 + 3 < d) addTileRow(row + 3 * rowBytes + 16, nc - 2, e1, zero);
  } else if (MI4) {
    if (i0 + 2 < d) addTileRow(row + 2 * rowBytes, nc, c0, c1);
    if (i0 + 3 < d) addTileRow(row + 3 * rowBytes, nc, e0, e1);
  }
}

/**
 * Adds the nb ≥ 1 packed rows to one component: sx[j] += Σ_r u_r[j]; sxx[i][j] += Σ_r u_r[i]·v_r[j] over 4×4 tiles
 * covering the upper triangle (the diagonal tiles also write the entries (i0+1, i0) and (i0+3, i0+2) below it).
 */
function flushTri(nb: i32, d: i32, gsBytes: usize, sx: usize, sxx: usize): void {
  const zero = f64x2.splat(0.0);
  const blockBytes = <usize>nb << 5;
  for (let j = 0; j < d; j += 4) {
    let a = zero, b = zero;
    let up = BUF + <usize>(j >> 2) * gsBytes;
    const end = up + blockBytes;
    do {
      a = f64x2.add(a, v128.load(up));
      b = f64x2.add(b, v128.load(up, 16));
      up += 32;
    } while (up < end);
    addTileRow(sx + (<usize>j << 3), min(4, d - j), a, b);
  }
  const rowBytes = <usize>d << 3;
  for (let i0 = 0; i0 < d; i0 += 4) {
    if (d - i0 > 2) {
      sxxTile(nb, gsBytes, sxx, rowBytes, i0, i0, d, true, true, true);
      let j0 = i0 + 4;
      for (; d - j0 > 2; j0 += 4) sxxTile(nb, gsBytes, sxx, rowBytes, i0, j0, d, true, true, false);
      if (j0 < d) sxxTile(nb, gsBytes, sxx, rowBytes, i0, j0, d, true, false, false);
    } else {
      sxxTile(nb, gsBytes, sxx, rowBytes, i0, i0, d, false, false, false);
    }
  }
}

/**
 * Triangular-layout statistics for d = D ≤ 4: per component, sx and the upper triangle of sxx are held in registers
 * (8 f64x2: sx, rows 0 and 1 over columns 0..3, rows 2 and 3 over columns 2..3) over all the call's rows — a rank-n
 * update with nothing packed. Lanes for columns ≥ D hold zeros and are not stored.
 */
// @ts-ignore: decorator
@inline
function accumulateSmall(
  x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize,
  nkP: usize, sxP: usize, sxxP: usize, D: i32,
): void {
  const dBytes = <usize>D << 3;
  const kBytes = <usize>k << 3;
  const zero = f64x2.splat(0.0);
  for (let c = 0; c < k; c++) {
    const mu = means + <usize>c * dBytes;
    // the mean as (μ0, μ1), (μ2, μ3), zeros beyond D, never reading past it
    const m0 = D >= 2 ? v128.load(mu) : v128.load64_zero(mu);
    const m1 = D == 4 ? v128.load(mu, 16) : D == 3 ? v128.load64_zero(mu, 16) : zero;
    let a0 = zero, a1 = zero, b0 = zero, b1 = zero, c0 = zero, c1 = zero, e1 = zero, f1 = zero;
    let nkAcc = 0.0;
    let rp = scratch + (<usize>c << 3);
    let xr = x;
    for (let r = 0; r < n; r++, rp += kBytes, xr += dBytes) {
      const wr = (hasW != 0 ? load<f64>(w + (<usize>r << 3)) : 1.0) * load<f64>(rp);
      if (wr == 0.0) continue;
      nkAcc += wr;
      const wv = f64x2.splat(wr);
      const df0 = f64x2.sub(D >= 2 ? v128.load(xr) : v128.load64_zero(xr), m0);
      const t0 = f64x2.mul(wv, df0);
      a0 = f64x2.add(a0, t0);
      let q = i64x2.shuffle(t0, t0, 0, 0);
      b0 = f64x2.add(b0, f64x2.mul(q, df0));
      if (D >= 2) {
        q = i64x2.shuffle(t0, t0, 1, 1);
        c0 = f64x2.add(c0, f64x2.mul(q, df0));
      }
      if (D >= 3) {
        const df1 = f64x2.sub(D == 4 ? v128.load(xr, 16) : v128.load64_zero(xr, 16), m1);
        const t1 = f64x2.mul(wv, df1);
        a1 = f64x2.add(a1, t1);
        b1 = f64x2.add(b1, f64x2.mul(i64x2.shuffle(t0, t0, 0, 0), df1));
        c1 = f64x2.add(c1, f64x2.mul(q, df1));
        e1 = f64x2.add(e1, f64x2.mul(i64x2.shuffle(t1, t1, 0, 0), df1));
        if (D == 4) f1 = f64x2.add(f1, f64x2.mul(i64x2.shuffle(t1, t1, 1, 1), df1));
      }
    }
    const nkc = nkP + (<usize>c << 3);
    store<f64>(nkc, load<f64>(nkc) + nkAcc);
    addTileRow(sxP + <usize>c * dBytes, D, a0, a1);
    const sxx = sxxP + <usize>c * <usize>D * dBytes;
    addTileRow(sxx, D, b0, b1);
    if (D >= 2) addTileRow(sxx + dBytes, D, c0, c1);
    if (D >= 3) addTileRow(sxx + 2 * dBytes + 16, D - 2, e1, zero);
    if (D == 4) addTileRow(sxx + 3 * dBytes + 16, 2, f1, zero);
  }
}

function accumulateSmall1(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, 1);
}
function accumulateSmall2(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, 2);
}
function accumulateSmall3(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, 3);
}
function accumulateSmall4(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, 4);
}

/** Triangular-layout statistics (d > 4): per component, rows with wr ≠ 0 packed into blocks, each a rank-b update. */
function accumulateTri(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, means: usize, scratch: usize,
  nkP: usize, sxP: usize, sxxP: usize,
): void {
  const dBytes = <usize>d << 3;
  const kBytes = <usize>k << 3;
  const dp = (d + 3) & ~3;
  const b = min(PACK_ROWS, (BUF_DOUBLES >> 1) / dp);
  const gsBytes = <usize>b << 5;
  for (let c = 0; c < k; c++) {
    const mu = means + <usize>c * dBytes;
    const sx = sxP + <usize>c * dBytes;
    const sxx = sxxP + <usize>c * <usize>d * dBytes;
    let nkAcc = 0.0;
    let nb = 0;
    for (let r = 0; r < n; r++) {
      const wr = weightResp(w, hasW, r, scratch + <usize>r * kBytes + (<usize>c << 3));
      if (wr == 0.0) continue;
      nkAcc += wr;
      packRow(x + <usize>r * dBytes, mu, wr, d, <usize>nb, gsBytes);
      if (++nb == b) {
        flushTri(nb, d, gsBytes, sx, sxx);
        nb = 0;
      }
    }
    if (nb > 0) flushTri(nb, d, gsBytes, sx, sxx);
    const nkc = nkP + (<usize>c << 3);
    store<f64>(nkc, load<f64>(nkc) + nkAcc);
  }
}

/**
 * LAYOUT_DIAG/LAYOUT_SCALAR statistics: per component and 8-column chunk, Σ_r t and Σ_r t·(x − μ) with t = wr·(x − μ)
 * held in registers over all rows, then added to sx and sxx (the diagonal).
 */
function accumulateDiag(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, means: usize, scratch: usize,
  nkP: usize, sxP: usize, sxxP: usize,
): void {
  const dBytes = <usize>d << 3;
  const kBytes = <usize>k << 3;
  const zero = f64x2.splat(0.0);
  for (let c = 0; c < k; c++) {
    const mu = means + <usize>c * dBytes;
    const sx = sxP + <usize>c * dBytes;
    const sxx = sxxP + <usize>c * dBytes;
    const rc = scratch + (<usize>c << 3);
    let nkAcc = 0.0;
    for (let r = 0; r < n; r++) {
      const wr = weightResp(w, hasW, r, rc + <usize>r * kBytes);
      if (wr != 0.0) nkAcc += wr;
    }
    const nkc = nkP + (<usize>c << 3);
    store<f64>(nkc, load<f64>(nkc) + nkAcc);
    let j = 0;
    for (; j + 7 < d; j += 8) {
      const o = <usize>j << 3;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, q0 = zero, q1 = zero, q2 = zero, q3 = zero;
      const m = mu + o;
      for (let r = 0; r < n; r++) {
        const wr = weightResp(w, hasW, r, rc + <usize>r * kBytes);
        if (wr == 0.0) continue;
        const wv = f64x2.splat(wr);
        const xr = x + <usize>r * dBytes + o;
        let df = f64x2.sub(v128.load(xr), v128.load(m));
        let t = f64x2.mul(wv, df);
        a0 = f64x2.add(a0, t);
        q0 = f64x2.add(q0, f64x2.mul(t, df));
        df = f64x2.sub(v128.load(xr, 16), v128.load(m, 16));
        t = f64x2.mul(wv, df);
        a1 = f64x2.add(a1, t);
        q1 = f64x2.add(q1, f64x2.mul(t, df));
        df = f64x2.sub(v128.load(xr, 32), v128.load(m, 32));
        t = f64x2.mul(wv, df);
        a2 = f64x2.add(a2, t);
        q2 = f64x2.add(q2, f64x2.mul(t, df));
        df = f64x2.sub(v128.load(xr, 48), v128.load(m, 48));
        t = f64x2.mul(wv, df);
        a3 = f64x2.add(a3, t);
        q3 = f64x2.add(q3, f64x2.mul(t, df));
      }
      addTileRow(sx + o, 4, a0, a1);
      addTileRow(sx + o + 32, 4, a2, a3);
      addTileRow(sxx + o, 4, q0, q1);
      addTileRow(sxx + o + 32, 4, q2, q3);
    }
    for (; j < d; j += 2) {
      const o = <usize>j << 3;
      const nc = min(2, d - j);
      let a = zero, q = zero;
      for (let r = 0; r < n; r++) {
        const wr = weightResp(w, hasW, r, rc + <usize>r * kBytes);
        if (wr == 0.0) continue;
        const xr = x + <usize>r * dBytes + o;
        const df = nc == 2
          ? f64x2.sub(v128.load(xr), v128.load(mu + o))
          : f64x2.splat(load<f64>(xr) - load<f64>(mu + o));
        const t = f64x2.mul(f64x2.splat(wr), df);
        a = f64x2.add(a, t);
        q = f64x2.add(q, f64x2.mul(t, df));
      }
      addTileRow(sx + o, nc, a, zero);
      addTileRow(sxx + o, nc, q, zero);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The fused E-pass for d ≤ 4
//
// At small d a row's log densities and statistics are a few flops per component, so the three phases above (log
// densities into scratch, exps over scratch, statistics re-reading x and scratch) were bound by moving every value
// through memory three times, by re-transposing each tile once per component and by gathering scratch rows into
// lanes. Here a tile of 4 rows is transposed once into planes (rows in lanes: X_i = (x_0[i], x_1[i]) and
// (x_2[i], x_3[i])) and stays there: log densities of all components into a lane-major tile buffer, exps and log,
// responsibilities (also stored to scratch, per the ABI), and the statistics added into per-component lane
// accumulators. Lane 0 thus sums the call's even rows and lane 1 its odd rows, in row order; at the end of the call
// stats += lane 0 + lane 1. A partial last tile is padded with copies of its first row at weight 0 (adding exact zeros
// as long as that row's x − μ is finite).

/** Largest d of the fused path. */
const SMALL_D: i32 = 4;
/**
 * Largest k of the fused path: the tile buffer (k × 2 f64x2) and the accumulators (k × 15 f64x2 for d = 4 and a
 * triangular layout) must fit the static buffer. Mirrored by the twin.
 */
const SMALL_MAX_K: i32 = 240;

/**
 * (v_t, v_{t+1}) of the tile's rows t, t+1, where row 0's value is at `base` and rows are rs bytes apart. Rows ≥ nr
 * (a partial last tile) read row 0 again, so padding lanes compute finite copies of a real row; they are given
 * weight 0 (`tileMask`).
 */
// @ts-ignore: decorator
@inline
function lanePair(base: usize, rs: usize, t: i32, nr: i32): v128 {
  const a = t < nr ? base + <usize>t * rs : base;
  const b = t + 1 < nr ? base + <usize>(t + 1) * rs : base;
  return load2(a, b);
}

/** (1, 1) / (1, 0) / (0, 0) for the tile's rows t, t+1: 1 where the row exists (t < nr). */
// @ts-ignore: decorator
@inline
function tileMask(t: i32, nr: i32): v128 {
  const zero = f64x2.splat(0.0);
  if (t + 1 < nr) return vc(C_ONE);
  return t < nr ? f64x2.replace_lane(zero, 0, 1.0) : zero;
}

/** Stores lanes a = (row t, row t+1), b = (t+2, t+3) at `row` + t·rs for the tile's rows t < nr. */
// @ts-ignore: decorator
@inline
function storeLanes(row: usize, rs: usize, nr: i32, a: v128, b: v128): void {
  v128.store64_lane(row, a, 0);
  if (nr > 1) v128.store64_lane(row + rs, a, 1);
  if (nr > 2) v128.store64_lane(row + 2 * rs, b, 0);
  if (nr > 3) v128.store64_lane(row + 3 * rs, b, 1);
}

/** acc (one f64x2 in memory) += a, then += b. */
// @ts-ignore: decorator
@inline
function accPair(acc: usize, a: v128, b: v128): void {
  v128.store(acc, f64x2.add(f64x2.add(v128.load(acc), a), b));
}

/** Σ_i≤j d_i·P[i][j] for column j (D ≤ 4) of the upper-triangular P at p (row stride D), in increasing i. */
// @ts-ignore: decorator
@inline
function triCol(p: usize, j: i32, D: i32, d0: v128, d1: v128, d2: v128, d3: v128): v128 {
  const o = <usize>j << 3;
  const rs = <usize>D << 3;
  let y = f64x2.mul(d0, v128.load64_splat(p + o));
  if (j >= 1) y = f64x2.add(y, f64x2.mul(d1, v128.load64_splat(p + rs + o)));
  if (j >= 2) y = f64x2.add(y, f64x2.mul(d2, v128.load64_splat(p + 2 * rs + o)));
  if (j >= 3) y = f64x2.add(y, f64x2.mul(d3, v128.load64_splat(p + 3 * rs + o)));
  return y;
}

/**
 * E-pass with statistics for d = D ≤ 4 and k ≤ SMALL_MAX_K, triangular layouts (TRI) or diagonal ones, soft or hard
 * (one-hot at the first maximum).
 * Same contract and per-row arithmetic as the generic path; the statistics' summation order is described above.
 */
// @ts-ignore: decorator
@inline
function eStepSmall(
  x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32,
  means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, D: i32, TRI: bool,
): void {
  const dBytes = <usize>D << 3;
  const kBytes = <usize>k << 3;
  // accumulators per component: nk, sx_0..D−1, then sxx (upper triangle row by row, or the diagonal)
  const NA: i32 = TRI ? 1 + D + (D * (D + 1)) / 2 : 1 + 2 * D;
  const aBytes = <usize>NA << 4;
  const T = BUF; // per component c: lanes of rows (0, 1) at T + 32c, (2, 3) at T + 32c + 16
  const A = BUF + (<usize>k << 5);
  memory.fill(A, 0, <usize>k * aBytes);
  const zero = f64x2.splat(0.0);
  const half = vc(C_HALF);
  const ninf = vc(C_NINF);
  const one = vc(C_ONE);
  let ll = 0.0;
  let sw = 0.0;
  for (let r0 = 0; r0 < n; r0 += 4) {
    const nr = min(4, n - r0);
    const xt = x + <usize>r0 * dBytes;
    const st = scratch + <usize>r0 * kBytes;
    const x0a = lanePair(xt, dBytes, 0, nr), x0b = lanePair(xt, dBytes, 2, nr);
    const x1a = D >= 2 ? lanePair(xt + 8, dBytes, 0, nr) : zero;
    const x1b = D >= 2 ? lanePair(xt + 8, dBytes, 2, nr) : zero;
    const x2a = D >= 3 ? lanePair(xt + 16, dBytes, 0, nr) : zero;
    const x2b = D >= 3 ? lanePair(xt + 16, dBytes, 2, nr) : zero;
    const x3a = D >= 4 ? lanePair(xt + 24, dBytes, 0, nr) : zero;
    const x3b = D >= 4 ? lanePair(xt + 24, dBytes, 2, nr) : zero;
    // the rows' weights; padding rows get 0
    let wa = one, wb = one;
    if (hasW != 0) {
      const wt = w + (<usize>r0 << 3);
      wa = lanePair(wt, 8, 0, nr);
      wb = lanePair(wt, 8, 2, nr);
    }
    if (nr < 4) {
      wa = f64x2.mul(wa, tileMask(0, nr));
      wb = f64x2.mul(wb, tileMask(2, nr));
    }

    // log densities of the tile under every component, and the rows' maxima
    let ma = ninf, mb = ninf;
    let nan = zero; // hard: lanes with a NaN density (the scalar path then decides, as the generic path does)
    for (let c = 0; c < k; c++) {
      const mu = means + <usize>c * dBytes;
      let mv = v128.load64_splat(mu);
      const d0a = f64x2.sub(x0a, mv), d0b = f64x2.sub(x0b, mv);
      let d1a = zero, d1b = zero, d2a = zero, d2b = zero, d3a = zero, d3b = zero;
      if (D >= 2) { mv = v128.load64_splat(mu, 8); d1a = f64x2.sub(x1a, mv); d1b = f64x2.sub(x1b, mv); }
      if (D >= 3) { mv = v128.load64_splat(mu, 16); d2a = f64x2.sub(x2a, mv); d2b = f64x2.sub(x2b, mv); }
      if (D >= 4) { mv = v128.load64_splat(mu, 24); d3a = f64x2.sub(x3a, mv); d3b = f64x2.sub(x3b, mv); }
      let sa: v128, sb: v128;
      if (TRI) {
        const p = layout == LAYOUT_TRI ? prec + <usize>c * <usize>D * dBytes : prec;
        let ya = triCol(p, 0, D, d0a, d1a, d2a, d3a), yb = triCol(p, 0, D, d0b, d1b, d2b, d3b);
        sa = f64x2.mul(ya, ya); sb = f64x2.mul(yb, yb);
        if (D >= 2) {
          ya = triCol(p, 1, D, d0a, d1a, d2a, d3a); yb = triCol(p, 1, D, d0b, d1b, d2b, d3b);
          sa = f64x2.add(sa, f64x2.mul(ya, ya)); sb = f64x2.add(sb, f64x2.mul(yb, yb));
        }
        if (D >= 3) {
          ya = triCol(p, 2, D, d0a, d1a, d2a, d3a); yb = triCol(p, 2, D, d0b, d1b, d2b, d3b);
          sa = f64x2.add(sa, f64x2.mul(ya, ya)); sb = f64x2.add(sb, f64x2.mul(yb, yb));
        }
        if (D >= 4) {
          ya = triCol(p, 3, D, d0a, d1a, d2a, d3a); yb = triCol(p, 3, D, d0b, d1b, d2b, d3b);
          sa = f64x2.add(sa, f64x2.mul(ya, ya)); sb = f64x2.add(sb, f64x2.mul(yb, yb));
        }
      } else {
        const pd = prec + (layout == LAYOUT_DIAG ? <usize>c * dBytes : <usize>c << 3);
        const po: usize = layout == LAYOUT_DIAG ? 8 : 0; // LAYOUT_SCALAR: one precision for every column
        let q = v128.load64_splat(pd);
        let ya = f64x2.mul(d0a, q), yb = f64x2.mul(d0b, q);
        sa = f64x2.mul(ya, ya); sb = f64x2.mul(yb, yb);
        if (D >= 2) {
          q = v128.load64_splat(pd + po);
          ya = f64x2.mul(d1a, q); yb = f64x2.mul(d1b, q);
          sa = f64x2.add(sa, f64x2.mul(ya, ya)); sb = f64x2.add(sb, f64x2.mul(yb, yb));
        }
        if (D >= 3) {
          q = v128.load64_splat(pd + 2 * po);
          ya = f64x2.mul(d2a, q); yb = f64x2.mul(d2b, q);
          sa = f64x2.add(sa, f64x2.mul(ya, ya)); sb = f64x2.add(sb, f64x2.mul(yb, yb));
        }
        if (D >= 4) {
          q = v128.load64_splat(pd + 3 * po);
          ya = f64x2.mul(d3a, q); yb = f64x2.mul(d3b, q);
          sa = f64x2.add(sa, f64x2.mul(ya, ya)); sb = f64x2.add(sb, f64x2.mul(yb, yb));
        }
      }
      const lc = v128.load64_splat(logConst + (<usize>c << 3));
      const la = f64x2.sub(lc, f64x2.mul(half, sa));
      const lb = f64x2.sub(lc, f64x2.mul(half, sb));
      const tc = T + (<usize>c << 5);
      v128.store(tc, la);
      v128.store(tc, lb, 16);
      ma = f64x2.pmax(ma, la);
      mb = f64x2.pmax(mb, lb);
      if (hard != 0) nan = v128.or(nan, v128.or(f64x2.ne(la, la), f64x2.ne(lb, lb)));
    }

    // responsibilities into T (and scratch); log p of the rows in (lsa, lsb) (hard: the maximum)
    let lsa: v128, lsb: v128;
    if (hard != 0 && !v128.any_true(nan)) {
      // one-hot at the first maximum
      let fa = zero, fb = zero;
      for (let c = 0; c < k; c++) {
        const tc = T + (<usize>c << 5);
        const ea = v128.andnot(f64x2.eq(v128.load(tc), ma), fa);
        const eb = v128.andnot(f64x2.eq(v128.load(tc, 16), mb), fb);
        fa = v128.or(fa, ea);
        fb = v128.or(fb, eb);
        const ra = v128.and(ea, one);
        const rb = v128.and(eb, one);
        v128.store(tc, ra);
        v128.store(tc, rb, 16);
        storeLanes(st + (<usize>c << 3), kBytes, nr, ra, rb);
      }
      lsa = ma;
      lsb = mb;
    } else if (hard == 0 && !v128.any_true(v128.or(f64x2.eq(ma, ninf), f64x2.eq(mb, ninf)))) {
      let sa = zero, sb = zero;
      for (let c = 0; c < k; c++) {
        const tc = T + (<usize>c << 5);
        const ea = vexp(f64x2.sub(v128.load(tc), ma));
        const eb = vexp(f64x2.sub(v128.load(tc, 16), mb));
        v128.store(tc, ea);
        v128.store(tc, eb, 16);
        sa = f64x2.add(sa, ea);
        sb = f64x2.add(sb, eb);
      }
      lsa = f64x2.add(ma, vlog(sa));
      lsb = f64x2.add(mb, vlog(sb));
      const ia = f64x2.div(one, sa);
      const ib = f64x2.div(one, sb);
      for (let c = 0; c < k; c++) {
        const tc = T + (<usize>c << 5);
        const ra = f64x2.mul(v128.load(tc), ia);
        const rb = f64x2.mul(v128.load(tc, 16), ib);
        v128.store(tc, ra);
        v128.store(tc, rb, 16);
        storeLanes(st + (<usize>c << 3), kBytes, nr, ra, rb);
      }
    } else {
      // soft with a row whose densities all underflowed (uniform responsibilities, lse = −∞), or hard with a NaN
      // density: the scalar path per row
      for (let c = 0; c < k; c++) {
        const tc = T + (<usize>c << 5);
        storeLanes(st + (<usize>c << 3), kBytes, nr, v128.load(tc), v128.load(tc, 16));
      }
      let l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0;
      l0 = rowResp(st, k, hard);
      if (nr > 1) l1 = rowResp(st + kBytes, k, hard);
      if (nr > 2) l2 = rowResp(st + 2 * kBytes, k, hard);
      if (nr > 3) l3 = rowResp(st + 3 * kBytes, k, hard);
      lsa = f64x2.replace_lane(f64x2.splat(l0), 1, l1);
      lsb = f64x2.replace_lane(f64x2.splat(l2), 1, l3);
      for (let c = 0; c < k; c++) {
        const tc = T + (<usize>c << 5);
        const sc = st + (<usize>c << 3);
        v128.store(tc, lanePair(sc, kBytes, 0, nr));
        v128.store(tc, lanePair(sc, kBytes, 2, nr), 16);
      }
    }
    // Σ w·lse and Σ w in row order, rows of weight 0 skipped
    for (let t = 0; t < nr; t++) {
      const l = t == 0 ? f64x2.extract_lane(lsa, 0) : t == 1 ? f64x2.extract_lane(lsa, 1)
        : t == 2 ? f64x2.extract_lane(lsb, 0) : f64x2.extract_lane(lsb, 1);
      const wgt = hasW != 0 ? load<f64>(w + (<usize>(r0 + t) << 3)) : 1.0;
      if (wgt != 0.0) {
        ll += wgt * l;
        sw += wgt;
      }
    }

    // statistics: wr = w·r, v = x − μ, u = wr·v; nk += wr, sx_i += u_i, sxx_ij += u_i·v_j
    for (let c = 0; c < k; c++) {
      const tc = T + (<usize>c << 5);
      const ra = f64x2.mul(v128.load(tc), wa);
      const rb = f64x2.mul(v128.load(tc, 16), wb);
      const mu = means + <usize>c * dBytes;
      let ac = A + <usize>c * aBytes;
      accPair(ac, ra, rb);
      let mv = v128.load64_splat(mu);
      const v0a = f64x2.sub(x0a, mv), v0b = f64x2.sub(x0b, mv);
      const u0a = f64x2.mul(ra, v0a), u0b = f64x2.mul(rb, v0b);
      let v1a = zero, v1b = zero, v2a = zero, v2b = zero, v3a = zero, v3b = zero;
      let u1a = zero, u1b = zero, u2a = zero, u2b = zero, u3a = zero, u3b = zero;
      accPair(ac + 16, u0a, u0b);
      if (D >= 2) {
        mv = v128.load64_splat(mu, 8);
        v1a = f64x2.sub(x1a, mv); v1b = f64x2.sub(x1b, mv);
        u1a = f64x2.mul(ra, v1a); u1b = f64x2.mul(rb, v1b);
        accPair(ac + 32, u1a, u1b);
      }
      if (D >= 3) {
        mv = v128.load64_splat(mu, 16);
        v2a = f64x2.sub(x2a, mv); v2b = f64x2.sub(x2b, mv);
        u2a = f64x2.mul(ra, v2a); u2b = f64x2.mul(rb, v2b);
        accPair(ac + 48, u2a, u2b);
      }
      if (D >= 4) {
        mv = v128.load64_splat(mu, 24);
        v3a = f64x2.sub(x3a, mv); v3b = f64x2.sub(x3b, mv);
        u3a = f64x2.mul(ra, v3a); u3b = f64x2.mul(rb, v3b);
        accPair(ac + 64, u3a, u3b);
      }
      ac += <usize>(1 + D) << 4;
      if (TRI) {
        accPair(ac, f64x2.mul(u0a, v0a), f64x2.mul(u0b, v0b));
        if (D >= 2) {
          accPair(ac + 16, f64x2.mul(u0a, v1a), f64x2.mul(u0b, v1b));
          if (D >= 3) accPair(ac + 32, f64x2.mul(u0a, v2a), f64x2.mul(u0b, v2b));
          if (D >= 4) accPair(ac + 48, f64x2.mul(u0a, v3a), f64x2.mul(u0b, v3b));
          ac += <usize>D << 4;
          accPair(ac, f64x2.mul(u1a, v1a), f64x2.mul(u1b, v1b));
          if (D >= 3) accPair(ac + 16, f64x2.mul(u1a, v2a), f64x2.mul(u1b, v2b));
          if (D >= 4) accPair(ac + 32, f64x2.mul(u1a, v3a), f64x2.mul(u1b, v3b));
        }
        if (D >= 3) {
          ac += <usize>(D - 1) << 4;
          accPair(ac, f64x2.mul(u2a, v2a), f64x2.mul(u2b, v2b));
          if (D >= 4) accPair(ac + 16, f64x2.mul(u2a, v3a), f64x2.mul(u2b, v3b));
        }
        if (D >= 4) accPair(ac + 32, f64x2.mul(u3a, v3a), f64x2.mul(u3b, v3b));
      } else {
        accPair(ac, f64x2.mul(u0a, v0a), f64x2.mul(u0b, v0b));
        if (D >= 2) accPair(ac + 16, f64x2.mul(u1a, v1a), f64x2.mul(u1b, v1b));
        if (D >= 3) accPair(ac + 32, f64x2.mul(u2a, v2a), f64x2.mul(u2b, v2b));
        if (D >= 4) accPair(ac + 48, f64x2.mul(u3a, v3a), f64x2.mul(u3b, v3b));
      }
    }
  }

  // stats += even-row sum + odd-row sum
  const nkP = stats + 16;
  const sxP = nkP + kBytes;
  const sxxP = sxP + <usize>k * dBytes;
  for (let c = 0; c < k; c++) {
    let ac = A + <usize>c * aBytes;
    addLanes(nkP + (<usize>c << 3), ac);
    ac += 16;
    const sx = sxP + <usize>c * dBytes;
    for (let i = 0; i < D; i++, ac += 16) addLanes(sx + (<usize>i << 3), ac);
    if (TRI) {
      const sxx = sxxP + <usize>c * <usize>D * dBytes;
      for (let i = 0; i < D; i++) {
        for (let j = i; j < D; j++, ac += 16) addLanes(sxx + (<usize>(i * D + j) << 3), ac);
      }
    } else {
      const sxx = sxxP + <usize>c * dBytes;
      for (let i = 0; i < D; i++, ac += 16) addLanes(sxx + (<usize>i << 3), ac);
    }
  }
  store<f64>(stats, load<f64>(stats) + ll);
  store<f64>(stats + 8, load<f64>(stats + 8) + sw);
}

/** *dst += lane 0 + lane 1 of the f64x2 at acc. */
// @ts-ignore: decorator
@inline
function addLanes(dst: usize, acc: usize): void {
  store<f64>(dst, load<f64>(dst) + (load<f64>(acc) + load<f64>(acc, 8)));
}

// One function per (D, TRI): inside each, eStepSmall is inlined with constants, so the unused planes and branches vanish.
function eStepSmallTri1(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 1, true);
}
function eStepSmallTri2(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 2, true);
}
function eStepSmallTri3(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 3, true);
}
function eStepSmallTri4(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 4, true);
}
function eStepSmallDiag1(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 1, false);
}
function eStepSmallDiag2(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 2, false);
}
function eStepSmallDiag3(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 3, false);
}
function eStepSmallDiag4(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, 4, false);
}

// ---------------------------------------------------------------------------------------------------------
// Exported kernels

/**
 * out[r·k + c] = log πc N(x_r; μc, Σc). x: n×d, means: k×d, prec: the factors in storage layout `layout` (README;
 * for the triangular layouts the entries below the diagonal are never read), logConst: k, out: n×k; 1 ≤ d ≤ 4096,
 * k ≥ 1, layout in 0..3 (checked). Only the static buffer is used as scratch.
 */
export function logProb(
  x: usize, n: i32, d: i32, k: i32, layout: i32,
  means: usize, prec: usize, logConst: usize, out: usize,
): void {
  checkArgs(d, k, layout);
  logDensitiesAll(x, n, d, k, layout, means, prec, logConst, out);
}

/** One row of normalizeRows, scalar (the same arithmetic as a lane of the SIMD paths). */
function normalizeRow(row: usize, k: i32, lseP: usize, negLogK: f64): void {
  let m = load<f64>(row);
  for (let c = 1; c < k; c++) {
    const v = load<f64>(row + (<usize>c << 3));
    if (v > m) m = v;
  }
  if (m == -Infinity) {
    store<f64>(lseP, -Infinity);
    for (let c = 0; c < k; c++) store<f64>(row + (<usize>c << 3), negLogK);
  } else {
    let s = 0.0;
    for (let c = 0; c < k; c++) s += exp1(load<f64>(row + (<usize>c << 3)) - m);
    const l = m + log1(s);
    store<f64>(lseP, l);
    for (let c = 0; c < k; c++) {
      const p = row + (<usize>c << 3);
      store<f64>(p, load<f64>(p) - l);
    }
  }
}

/**
 * Per row: lse[r] = log Σc exp(lp[r,c]) (max-shifted, increasing c), lp[r,c] −= lse[r]. A row whose maximum is −∞
 * gets lse = −∞ and uniform log responsibilities −log k. Rows go in tiles of 4 (two pairs of lanes, so two exp chains
 * run side by side); a tile holding an all −∞ row, and the last n mod 4 rows, are done row by row.
 */
export function normalizeRows(lp: usize, n: i32, k: i32, lse: usize): void {
  const kBytes = <usize>k << 3;
  const negLogK = -Math.log(<f64>k);
  const ninf = vc(C_NINF);
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const row0 = lp + <usize>r * kBytes;
    const row1 = row0 + kBytes;
    const row2 = row1 + kBytes;
    const row3 = row2 + kBytes;
    let ma = load2(row0, row1);
    let mb = load2(row2, row3);
    for (let c = 1; c < k; c++) {
      const o = <usize>c << 3;
      ma = f64x2.pmax(ma, load2(row0 + o, row1 + o));
      mb = f64x2.pmax(mb, load2(row2 + o, row3 + o));
    }
    const lseP = lse + (<usize>r << 3);
    if (v128.any_true(v128.or(f64x2.eq(ma, ninf), f64x2.eq(mb, ninf)))) {
      for (let q = 0; q < 4; q++) normalizeRow(row0 + <usize>q * kBytes, k, lseP + (<usize>q << 3), negLogK);
      continue;
    }
    let sa = f64x2.splat(0.0);
    let sb = sa;
    for (let c = 0; c < k; c++) {
      const o = <usize>c << 3;
      sa = f64x2.add(sa, vexp(f64x2.sub(load2(row0 + o, row1 + o), ma)));
      sb = f64x2.add(sb, vexp(f64x2.sub(load2(row2 + o, row3 + o), mb)));
    }
    const la = f64x2.add(ma, vlog(sa));
    const lb = f64x2.add(mb, vlog(sb));
    v128.store(lseP, la);
    v128.store(lseP, lb, 16);
    for (let c = 0; c < k; c++) {
      const o = <usize>c << 3;
      const va = f64x2.sub(load2(row0 + o, row1 + o), la);
      const vb = f64x2.sub(load2(row2 + o, row3 + o), lb);
      v128.store64_lane(row0 + o, va, 0);
      v128.store64_lane(row1 + o, va, 1);
      v128.store64_lane(row2 + o, vb, 0);
      v128.store64_lane(row3 + o, vb, 1);
    }
  }
  // the last 1–3 rows: the same arithmetic per row as a lane of a tile
  for (; r < n; r++) normalizeRow(lp + <usize>r * kBytes, k, lse + (<usize>r << 3), negLogK);
}

/**
 * The fused E-pass over one block (README): log densities into scratch (n×k), responsibilities in place, then the
 * block's statistics added into stats. Preconditions as logProb; w (n doubles) is read only when hasW = 1.
 */
export function eStepAccumulate(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, layout: i32, hard: i32,
  means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize,
): void {
  checkArgs(d, k, layout);
  if (d <= SMALL_D && k <= SMALL_MAX_K) {
    if (layout <= LAYOUT_SHARED_TRI) {
      if (d == 1) eStepSmallTri1(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
      else if (d == 2) eStepSmallTri2(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
      else if (d == 3) eStepSmallTri3(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
      else eStepSmallTri4(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
    } else {
      if (d == 1) eStepSmallDiag1(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
      else if (d == 2) eStepSmallDiag2(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
      else if (d == 3) eStepSmallDiag3(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
      else eStepSmallDiag4(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats);
    }
    return;
  }
  const dBytes = <usize>d << 3;
  const kBytes = <usize>k << 3;
  // E: log densities, then responsibilities (adding Σ w·lse and Σ w to stats[0], stats[1])
  logDensitiesAll(x, n, d, k, layout, means, prec, logConst, scratch);
  responsibilities(scratch, n, k, hard, w, hasW, stats);
  // M statistics around the current means
  const nkP = stats + 16;
  const sxP = nkP + kBytes;
  const sxxP = sxP + <usize>k * dBytes;
  if (layout <= LAYOUT_SHARED_TRI) {
    if (d == 1) accumulateSmall1(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP);
    else if (d == 2) accumulateSmall2(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP);
    else if (d == 3) accumulateSmall3(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP);
    else if (d == 4) accumulateSmall4(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP);
    else accumulateTri(x, w, hasW, n, d, k, means, scratch, nkP, sxP, sxxP);
  } else {
    accumulateDiag(x, w, hasW, n, d, k, means, scratch, nkP, sxP, sxxP);
  }
}
