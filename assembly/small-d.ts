// The fused E-pass for d ≤ 4 (SMALL_D) and k ≤ 240 (SMALL_MAX_K): all three phases of eStepAccumulate in one pass.
//
// Why it exists: at small d a row's log densities and statistics are a few flops per component, so the three
// separate phases (log densities into scratch, exps over scratch, statistics re-reading x and scratch) were bound by
// moving every value through memory three times, by re-transposing each tile once per component and by gathering
// scratch rows into lanes. Here a tile of 4 rows is transposed once into planes (rows in lanes: X_i = (x_0[i], x_1[i])
// and (x_2[i], x_3[i])) and stays there: log densities of all components into a lane-major tile buffer, exps and
// log, responsibilities (also stored to scratch, per the ABI), and the statistics added into per-component lane
// accumulators. Lane 0 thus sums the call's even rows and lane 1 its odd rows, in row order; at the end of the call
// stats += lane 0 + lane 1 — the order the JS twin (src/backends/js/small-d.ts) reproduces. A partial last tile is
// padded with copies of its first row at weight 0 (adding exact zeros as long as that row's x − μ is finite).
//
// Scoring mode (scoreRows: lseOut ≠ 0, soft, unweighted): the same tile up to each row's lse, which goes out with
// log max_c r = −log Σ exp(lp − max) instead of responsibilities and statistics. A runtime flag, not more
// instantiations: the wasm stays ~4 kB smaller for the browser bundle.

import { BUF, LAYOUT_DIAG, LAYOUT_SHARED_TRI, LAYOUT_TRI } from './buffer';
import { rowResp, rowScore1 } from './responsibilities';
import { C_HALF, C_NINF, C_ONE, load2, madd, vc, vexp, vlog } from './vmath';

/** Largest d of the fused path. */
export const SMALL_D: i32 = 4;
/**
 * Largest k of the fused path: the tile buffer (k × 2 f64x2) and the accumulators (k × 15 f64x2 for d = 4 and a
 * triangular layout) must fit the static buffer. Mirrored by the twin.
 */
export const SMALL_MAX_K: i32 = 240;

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

/** acc (one f64x2 in memory) += ua·va, then += ub·vb (accPair of the products; fused where the build has FMA). */
// @ts-ignore: decorator
@inline
function accMadd(acc: usize, ua: v128, va: v128, ub: v128, vb: v128): void {
  v128.store(acc, madd(ub, vb, madd(ua, va, v128.load(acc))));
}

/** Σ_i≤j d_i·P[i][j] for column j (D ≤ 4) of the upper-triangular P at p (row stride D), in increasing i. */
// @ts-ignore: decorator
@inline
function triCol(p: usize, j: i32, D: i32, d0: v128, d1: v128, d2: v128, d3: v128): v128 {
  const o = <usize>j << 3;
  const rs = <usize>D << 3;
  let y = f64x2.mul(d0, v128.load64_splat(p + o));
  if (j >= 1) y = madd(d1, v128.load64_splat(p + rs + o), y);
  if (j >= 2) y = madd(d2, v128.load64_splat(p + 2 * rs + o), y);
  if (j >= 3) y = madd(d3, v128.load64_splat(p + 3 * rs + o), y);
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
  means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize,
  D: i32, TRI: bool,
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
  // scoring (lseOut ≠ 0, hard = 0, no weights): each row's lse and log max r out, no responsibilities, no statistics
  const score = lseOut != 0;
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
          sa = madd(ya, ya, sa); sb = madd(yb, yb, sb);
        }
        if (D >= 3) {
          ya = triCol(p, 2, D, d0a, d1a, d2a, d3a); yb = triCol(p, 2, D, d0b, d1b, d2b, d3b);
          sa = madd(ya, ya, sa); sb = madd(yb, yb, sb);
        }
        if (D >= 4) {
          ya = triCol(p, 3, D, d0a, d1a, d2a, d3a); yb = triCol(p, 3, D, d0b, d1b, d2b, d3b);
          sa = madd(ya, ya, sa); sb = madd(yb, yb, sb);
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
          sa = madd(ya, ya, sa); sb = madd(yb, yb, sb);
        }
        if (D >= 3) {
          q = v128.load64_splat(pd + 2 * po);
          ya = f64x2.mul(d2a, q); yb = f64x2.mul(d2b, q);
          sa = madd(ya, ya, sa); sb = madd(yb, yb, sb);
        }
        if (D >= 4) {
          q = v128.load64_splat(pd + 3 * po);
          ya = f64x2.mul(d3a, q); yb = f64x2.mul(d3b, q);
          sa = madd(ya, ya, sa); sb = madd(yb, yb, sb);
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
      const ga = vlog(sa);
      const gb = vlog(sb);
      lsa = f64x2.add(ma, ga);
      lsb = f64x2.add(mb, gb);
      if (score) {
        // log max_c r_c = −log s exactly (the maximum's own term is 1), with no rounding of lp − lse at large |lse|
        storeLanes(lseOut + (<usize>r0 << 3), 8, nr, lsa, lsb);
        storeLanes(lmrOut + (<usize>r0 << 3), 8, nr, f64x2.neg(ga), f64x2.neg(gb));
        continue;
      }
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
      if (score) {
        // the same per-row arithmetic as the lanes, from the log densities just stored
        for (let t = 0; t < nr; t++) {
          const o = <usize>(r0 + t) << 3;
          rowScore1(st + <usize>t * kBytes, k, lseOut + o, lmrOut + o);
        }
        continue;
      }
      let l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0;
      l0 = rowResp(st, k, hard, -Infinity);
      if (nr > 1) l1 = rowResp(st + kBytes, k, hard, -Infinity);
      if (nr > 2) l2 = rowResp(st + 2 * kBytes, k, hard, -Infinity);
      if (nr > 3) l3 = rowResp(st + 3 * kBytes, k, hard, -Infinity);
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
        accMadd(ac, u0a, v0a, u0b, v0b);
        if (D >= 2) {
          accMadd(ac + 16, u0a, v1a, u0b, v1b);
          if (D >= 3) accMadd(ac + 32, u0a, v2a, u0b, v2b);
          if (D >= 4) accMadd(ac + 48, u0a, v3a, u0b, v3b);
          ac += <usize>D << 4;
          accMadd(ac, u1a, v1a, u1b, v1b);
          if (D >= 3) accMadd(ac + 16, u1a, v2a, u1b, v2b);
          if (D >= 4) accMadd(ac + 32, u1a, v3a, u1b, v3b);
        }
        if (D >= 3) {
          ac += <usize>(D - 1) << 4;
          accMadd(ac, u2a, v2a, u2b, v2b);
          if (D >= 4) accMadd(ac + 16, u2a, v3a, u2b, v3b);
        }
        if (D >= 4) accMadd(ac + 32, u3a, v3a, u3b, v3b);
      } else {
        accMadd(ac, u0a, v0a, u0b, v0b);
        if (D >= 2) accMadd(ac + 16, u1a, v1a, u1b, v1b);
        if (D >= 3) accMadd(ac + 32, u2a, v2a, u2b, v2b);
        if (D >= 4) accMadd(ac + 48, u3a, v3a, u3b, v3b);
      }
    }
  }

  if (score) return;
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
function eStepSmallTri1(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 1, true);
}
function eStepSmallTri2(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 2, true);
}
function eStepSmallTri3(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 3, true);
}
function eStepSmallTri4(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 4, true);
}
function eStepSmallDiag1(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 1, false);
}
function eStepSmallDiag2(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 2, false);
}
function eStepSmallDiag3(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 3, false);
}
function eStepSmallDiag4(x: usize, w: usize, hasW: i32, n: i32, k: i32, layout: i32, hard: i32, means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize): void {
  eStepSmall(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut, 4, false);
}

/**
 * The whole of eStepAccumulate for d ≤ SMALL_D and k ≤ SMALL_MAX_K: responsibilities into scratch, Σ w·lse and Σ w
 * added to stats[0] and stats[1], the statistics added into the rest of stats.
 * Preconditions: 1 ≤ d ≤ SMALL_D, 1 ≤ k ≤ SMALL_MAX_K, layout in 0..3; as eStepAccumulate otherwise. Clobbers the
 * static buffer.
 */
// @ts-ignore: decorator
@inline
export function eStepFused(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, layout: i32, hard: i32,
  means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize, lseOut: usize, lmrOut: usize,
): void {
  if (layout <= LAYOUT_SHARED_TRI) {
    if (d == 1) eStepSmallTri1(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
    else if (d == 2) eStepSmallTri2(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
    else if (d == 3) eStepSmallTri3(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
    else eStepSmallTri4(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
  } else {
    if (d == 1) eStepSmallDiag1(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
    else if (d == 2) eStepSmallDiag2(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
    else if (d == 3) eStepSmallDiag3(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
    else eStepSmallDiag4(x, w, hasW, n, k, layout, hard, means, prec, logConst, scratch, stats, lseOut, lmrOut);
  }
}
