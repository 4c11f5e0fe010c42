// Phase 3 of the generic E-pass: the block's sufficient statistics (nk, sx, sxx) around the current means, from the
// responsibilities phase 2 left in scratch. The fused d ≤ 4 path (small-d.ts) accumulates its own.
//
// Why it is shaped like this: for the triangular layouts the covariance accumulation is O(k·d²) per row, like the
// log densities. Per component, the rows with w·r ≠ 0 are packed (u = w·r·(x − μ), v = x − μ) into blocks of up to
// PACK_ROWS and each block is added as one rank-b update in 4×4 register tiles, instead of a rank-1
// read-modify-write of sxx per row; where k such blocks fit the buffer, the rows of each component are found through
// per-component lists instead of a branchy scan down the block (accumulateTri). For d ≤ 4 (reached here only when k
// is too large for the fused path) the whole upper triangle fits in registers and is held over all the call's rows.
// Diagonal layouts keep 8 columns in registers over all rows. Each entry's partial sum has its own accumulator, so the
// JS twin (src/backends/js/statistics.ts) reproduces the order with plain loops and the same block boundaries.

import { BUF, BUF_DOUBLES, BUF_V, LAYOUT_SHARED_TRI } from './buffer';
import { madd } from './vmath';

/** Rows per rank-b update; fewer when 32 padded rows do not fit half the buffer (d > 128). Mirrored by the twin. */
const PACK_ROWS: i32 = 32;

/**
 * wr = w_r·r_rc of row r, component c (the responsibility read from scratch), or 0 when r_rc < prune: such a pair's
 * terms are below the statistics' rounding (README: `prune`), and skipping it is most of the saving at larger d,
 * where a well-separated row has one responsibility near 1 and k − 1 that are tiny but not zero.
 */
// @ts-ignore: decorator
@inline
function weightResp(w: usize, hasW: i32, r: i32, rp: usize, prune: f64): f64 {
  const rr = load<f64>(rp);
  if (rr < prune) return 0.0;
  return (hasW != 0 ? load<f64>(w + (<usize>r << 3)) : 1.0) * rr;
}

/**
 * Packed block layout (u at BUF, v at BUF_V): column group g = ⌊j/4⌋ of row slot r at g·gs + r·4 + j%4 doubles, where
 * gs = 4·b for a block of b rows; so a 4-column group of all the block's rows is one contiguous run (what a tile
 * streams), and a row's padding columns up to dp = 4·⌈d/4⌉ hold zeros.
 */

/**
 * Packs one row into slot `slot` of the block whose u starts at `ub` (its v at ub + BUF_V − BUF): v = x − μ,
 * u = wr·v. `gsBytes` = group stride in bytes.
 */
// @ts-ignore: decorator
@inline
function packRow(xr: usize, mu: usize, wr: f64, d: i32, slot: usize, gsBytes: usize, ub: usize): void {
  const wv = f64x2.splat(wr);
  const zero = f64x2.splat(0.0);
  let u = ub + (slot << 5);
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
  nb: i32, gsBytes: usize, ub: usize, s: usize, rowBytes: usize, i0: i32, j0: i32, d: i32,
  MI4: bool, NJ4: bool, DIAG: bool,
): void {
  const zero = f64x2.splat(0.0);
  let a0 = zero, a1 = zero, b0 = zero, b1 = zero, c0 = zero, c1 = zero, e0 = zero, e1 = zero;
  let up = ub + <usize>(i0 >> 2) * gsBytes;
  let vp = ub + (BUF_V - BUF) + <usize>(j0 >> 2) * gsBytes;
  const end = up + (<usize>nb << 5);
  do {
    const v0 = v128.load(vp);
    const v1 = NJ4 ? v128.load(vp, 16) : zero;
    let q = v128.load64_splat(up);
    a0 = madd(q, v0, a0);
    if (NJ4) a1 = madd(q, v1, a1);
    q = v128.load64_splat(up, 8);
    b0 = madd(q, v0, b0);
    if (NJ4) b1 = madd(q, v1, b1);
    if (MI4) {
      q = v128.load64_splat(up, 16);
      if (!DIAG) c0 = madd(q, v0, c0);
      if (NJ4) c1 = madd(q, v1, c1);
      q = v128.load64_splat(up, 24);
      if (!DIAG) e0 = madd(q, v0, e0);
      if (NJ4) e1 = madd(q, v1, e1);
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
 * Adds the nb ≥ 1 rows packed at ub to one component: sx[j] += Σ_r u_r[j]; sxx[i][j] += Σ_r u_r[i]·v_r[j] over 4×4
 * tiles covering the upper triangle (the diagonal tiles also write the entries (i0+1, i0) and (i0+3, i0+2) below it).
 */
function flushTri(nb: i32, d: i32, gsBytes: usize, ub: usize, sx: usize, sxx: usize): void {
  const zero = f64x2.splat(0.0);
  const blockBytes = <usize>nb << 5;
  for (let j = 0; j < d; j += 4) {
    let a = zero, b = zero;
    let up = ub + <usize>(j >> 2) * gsBytes;
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
      sxxTile(nb, gsBytes, ub, sxx, rowBytes, i0, i0, d, true, true, true);
      let j0 = i0 + 4;
      for (; d - j0 > 2; j0 += 4) sxxTile(nb, gsBytes, ub, sxx, rowBytes, i0, j0, d, true, true, false);
      if (j0 < d) sxxTile(nb, gsBytes, ub, sxx, rowBytes, i0, j0, d, true, false, false);
    } else {
      sxxTile(nb, gsBytes, ub, sxx, rowBytes, i0, i0, d, false, false, false);
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
  nkP: usize, sxP: usize, sxxP: usize, prune: f64, D: i32,
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
      const wr = weightResp(w, hasW, r, rp, prune);
      if (wr == 0.0) continue;
      nkAcc += wr;
      const wv = f64x2.splat(wr);
      const df0 = f64x2.sub(D >= 2 ? v128.load(xr) : v128.load64_zero(xr), m0);
      const t0 = f64x2.mul(wv, df0);
      a0 = f64x2.add(a0, t0);
      let q = i64x2.shuffle(t0, t0, 0, 0);
      b0 = madd(q, df0, b0);
      if (D >= 2) {
        q = i64x2.shuffle(t0, t0, 1, 1);
        c0 = madd(q, df0, c0);
      }
      if (D >= 3) {
        const df1 = f64x2.sub(D == 4 ? v128.load(xr, 16) : v128.load64_zero(xr, 16), m1);
        const t1 = f64x2.mul(wv, df1);
        a1 = f64x2.add(a1, t1);
        b1 = madd(i64x2.shuffle(t0, t0, 0, 0), df1, b1);
        c1 = madd(q, df1, c1);
        e1 = madd(i64x2.shuffle(t1, t1, 0, 0), df1, e1);
        if (D == 4) f1 = madd(i64x2.shuffle(t1, t1, 1, 1), df1, f1);
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

function accumulateSmall1(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize, prune: f64): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune, 1);
}
function accumulateSmall2(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize, prune: f64): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune, 2);
}
function accumulateSmall3(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize, prune: f64): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune, 3);
}
function accumulateSmall4(x: usize, w: usize, hasW: i32, n: i32, k: i32, means: usize, scratch: usize, nkP: usize, sxP: usize, sxxP: usize, prune: f64): void {
  accumulateSmall(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune, 4);
}

/**
 * Rows per chunk of accumulateTri's lists (k·R row indices) in what the k pack blocks leave of the buffer's first
 * half, a multiple of 4; 0 when the k blocks leave room for fewer than LIST_MIN_ROWS (then no lists).
 */
// @ts-ignore: decorator
@inline
function listRows(k: i32, dp: i32): i32 {
  const left = (BUF_DOUBLES >> 1) - k * PACK_ROWS * dp; // doubles
  const r = left > 0 ? ((left << 1) / k) & ~3 : 0;
  return r >= LIST_MIN_ROWS ? r : 0;
}

/** Fewest rows per chunk for which the lists pay (below, the per-chunk loop over the components dominates). */
const LIST_MIN_ROWS: i32 = 64;

/**
 * Triangular-layout statistics (d > 4): per component, its rows with wr ≠ 0 in row order, packed into blocks of b,
 * each a rank-b update. Two ways to find a component's rows, giving the same blocks (hence the same sums, bit for bit):
 * - lists, where k blocks of PACK_ROWS rows fit the buffer side by side (k·4⌈d/4⌉ ≤ 127): the rows go in chunks of R;
 *   a chunk's responsibilities are read once in memory order and every pair appended to its component's list without
 *   a branch (the count advances only for pairs at or above prune); then each component packs its listed rows into
 *   its own block, flushed whenever full and carried over to the next chunk. Why: a scan down the block (stride k)
 *   costs a branch per pair that well-separated data mispredicts about one time in five — at 2·10⁵ × 8, K = 8 that
 *   scan was 4.1 of a 26 ms E-pass (with lists: 23 ms). Where nearly every pair counts (88% of them at the end-to-end
 *   benchmark's overlapping 2·10⁵ × 8) the lists cost what the mispredictions did (the same pass time within 1%).
 * - else one scan per component over all n rows with one shared block at BUF (one chunk of n rows, no lists).
 * Layout with lists: block c's u at BUF + c·B and v at BUF_V + c·B (B = PACK_ROWS·dp doubles); the lists after the k u
 * blocks; per component its Σ wr (f64), its block's fill and its chunk's count (i32) after the k v blocks.
 */
function accumulateTri(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, means: usize, scratch: usize,
  nkP: usize, sxP: usize, sxxP: usize, prune: f64,
): void {
  const dBytes = <usize>d << 3;
  const kBytes = <usize>k << 3;
  const dp = (d + 3) & ~3;
  const b = min(PACK_ROWS, (BUF_DOUBLES >> 1) / dp);
  const R = b == PACK_ROWS ? listRows(k, dp) : 0;
  const lists = R > 0;
  const chunk = lists ? R : n;
  const gsBytes = <usize>b << 5;
  const blkBytes = lists ? <usize>(PACK_ROWS * dp) << 3 : 0; // block c at BUF + c·blkBytes
  const listP = BUF + <usize>k * blkBytes;
  const listBytes = <usize>R << 2;
  const acc = BUF_V + <usize>k * blkBytes;
  const fill = acc + kBytes;
  const counts = fill + (kBytes >> 1);
  if (lists) {
    for (let c = 0; c < k; c++) {
      store<i32>(fill + (<usize>c << 2), 0);
      store<f64>(acc + (<usize>c << 3), 0.0);
    }
  }
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const nr = min(chunk, n - r0);
    if (lists) {
      for (let c = 0; c < k; c++) store<i32>(counts + (<usize>c << 2), 0);
      let rp = scratch + <usize>r0 * kBytes;
      for (let r = r0; r < r0 + nr; r++) {
        for (let c = 0; c < k; c++, rp += 8) {
          const cp = counts + (<usize>c << 2);
          const m = load<i32>(cp);
          store<i32>(listP + <usize>c * listBytes + (<usize>m << 2), r);
          store<i32>(cp, m + i32(!(load<f64>(rp) < prune)));
        }
      }
    }
    for (let c = 0; c < k; c++) {
      const mu = means + <usize>c * dBytes;
      const ub = BUF + <usize>c * blkBytes;
      const sx = sxP + <usize>c * dBytes;
      const sxx = sxxP + <usize>c * <usize>d * dBytes;
      const lc = listP + <usize>c * listBytes;
      let nb = lists ? load<i32>(fill + (<usize>c << 2)) : 0;
      let nkAcc = lists ? load<f64>(acc + (<usize>c << 3)) : 0.0;
      const m = lists ? load<i32>(counts + (<usize>c << 2)) : nr;
      for (let t = 0; t < m; t++) {
        const r = lists ? load<i32>(lc + (<usize>t << 2)) : r0 + t;
        const wr = weightResp(w, hasW, r, scratch + <usize>r * kBytes + (<usize>c << 3), prune);
        if (wr == 0.0) continue;
        nkAcc += wr;
        packRow(x + <usize>r * dBytes, mu, wr, d, <usize>nb, gsBytes, ub);
        if (++nb == b) {
          flushTri(nb, d, gsBytes, ub, sx, sxx);
          nb = 0;
        }
      }
      if (lists) {
        store<i32>(fill + (<usize>c << 2), nb);
        store<f64>(acc + (<usize>c << 3), nkAcc);
      } else {
        if (nb > 0) flushTri(nb, d, gsBytes, ub, sx, sxx);
        const nkc = nkP + (<usize>c << 3);
        store<f64>(nkc, load<f64>(nkc) + nkAcc);
      }
    }
  }
  if (lists) {
    for (let c = 0; c < k; c++) {
      const nb = load<i32>(fill + (<usize>c << 2));
      const sxx = sxxP + <usize>c * <usize>d * dBytes;
      if (nb > 0) flushTri(nb, d, gsBytes, BUF + <usize>c * blkBytes, sxP + <usize>c * dBytes, sxx);
      const nkc = nkP + (<usize>c << 3);
      store<f64>(nkc, load<f64>(nkc) + load<f64>(acc + (<usize>c << 3)));
    }
  }
}

/**
 * LAYOUT_DIAG/LAYOUT_SCALAR statistics: per component and 8-column chunk, Σ_r t and Σ_r t·(x − μ) with t = wr·(x − μ)
 * held in registers over all rows, then added to sx and sxx (the diagonal).
 */
function accumulateDiag(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, means: usize, scratch: usize,
  nkP: usize, sxP: usize, sxxP: usize, prune: f64,
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
      const wr = weightResp(w, hasW, r, rc + <usize>r * kBytes, prune);
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
        const wr = weightResp(w, hasW, r, rc + <usize>r * kBytes, prune);
        if (wr == 0.0) continue;
        const wv = f64x2.splat(wr);
        const xr = x + <usize>r * dBytes + o;
        let df = f64x2.sub(v128.load(xr), v128.load(m));
        let t = f64x2.mul(wv, df);
        a0 = f64x2.add(a0, t);
        q0 = madd(t, df, q0);
        df = f64x2.sub(v128.load(xr, 16), v128.load(m, 16));
        t = f64x2.mul(wv, df);
        a1 = f64x2.add(a1, t);
        q1 = madd(t, df, q1);
        df = f64x2.sub(v128.load(xr, 32), v128.load(m, 32));
        t = f64x2.mul(wv, df);
        a2 = f64x2.add(a2, t);
        q2 = madd(t, df, q2);
        df = f64x2.sub(v128.load(xr, 48), v128.load(m, 48));
        t = f64x2.mul(wv, df);
        a3 = f64x2.add(a3, t);
        q3 = madd(t, df, q3);
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
        const wr = weightResp(w, hasW, r, rc + <usize>r * kBytes, prune);
        if (wr == 0.0) continue;
        const xr = x + <usize>r * dBytes + o;
        const df = nc == 2
          ? f64x2.sub(v128.load(xr), v128.load(mu + o))
          : f64x2.splat(load<f64>(xr) - load<f64>(mu + o));
        const t = f64x2.mul(f64x2.splat(wr), df);
        a = f64x2.add(a, t);
        q = madd(t, df, q);
      }
      addTileRow(sx + o, nc, a, zero);
      addTileRow(sxx + o, nc, q, zero);
    }
  }
}

/**
 * Adds the block's statistics into stats (README: nk at stats + 2, sx at + 2 + k, sxx at + 2 + k + k·d, in doubles)
 * from the responsibilities in scratch, around the current means; pairs with a responsibility below `prune` add nothing.
 * Slots 0 and 1 (Σ w·lse, Σ w) are not touched.
 * Preconditions: as logDensitiesAll; scratch holds n·k responsibilities; w (n doubles) is read only when hasW = 1;
 * stats overlaps no input. Clobbers the static buffer.
 */
// @ts-ignore: decorator
@inline
export function accumulateStats(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, layout: i32, means: usize, scratch: usize, stats: usize,
  prune: f64,
): void {
  const dBytes = <usize>d << 3;
  const kBytes = <usize>k << 3;
  const nkP = stats + 16;
  const sxP = nkP + kBytes;
  const sxxP = sxP + <usize>k * dBytes;
  if (layout <= LAYOUT_SHARED_TRI) {
    if (d == 1) accumulateSmall1(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune);
    else if (d == 2) accumulateSmall2(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune);
    else if (d == 3) accumulateSmall3(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune);
    else if (d == 4) accumulateSmall4(x, w, hasW, n, k, means, scratch, nkP, sxP, sxxP, prune);
    else accumulateTri(x, w, hasW, n, d, k, means, scratch, nkP, sxP, sxxP, prune);
  } else {
    accumulateDiag(x, w, hasW, n, d, k, means, scratch, nkP, sxP, sxxP, prune);
  }
}
