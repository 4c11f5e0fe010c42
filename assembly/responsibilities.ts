// Phase 2 of the E-step: log-sum-exp and responsibilities, from a block's log densities.
//
// Why it is shaped like this: at small d this phase dominates (k exps and one log per row), so it runs the f64x2
// polynomials of vmath.ts over tiles of 4 rows, and in two passes over a run of tiles (softExps, then softFinish) so
// that consecutive tiles' exp and log chains overlap in flight instead of queueing behind each other. Every SIMD lane
// does exactly the arithmetic of the scalar row path (rowResp, normalizeRow), which handles the rows the tiles cannot:
// the last n mod 4, tiles holding a row whose densities all underflowed, and hard assignment. The JS twin
// (src/backends/js/responsibilities.ts) is that scalar path alone.
//
// Negligible pairs (`lo` = −NEGLIGIBLE_LOG when the caller's prune allows it, else −∞): e_c = 0 where lp_c − m < lo,
// and a pair of lanes that are both below skips its exp. At the fitted models of well-separated data that is most
// pairs from d = 8 on (82% of them at the benchmark's d = 8 data). s is unchanged but for ties of rounding: s ≥ 1 (the
// maximum's own term is exactly 1) and the k − 1 skipped terms sum to < k·e^−64, far below half an ulp of 1; the
// pairs' responsibilities become 0 instead of < e^−64, below `prune`, so the statistics skip them either way.

import { BUF, BUF_DOUBLES } from './buffer';
import { C_NINF, C_ONE, exp1, load2, log1, vc, vexp, vlog } from './vmath';

/**
 * One row, scalar: `row` holds its k log densities; on return its responsibilities. Soft: m = first maximum,
 * e_c = exp(lp_c − m), s = Σ e_c (increasing c), lse = m + log s, r_c = e_c·(1/s); a row whose maximum is −∞ gets
 * uniform 1/k and lse = −∞. Hard: one-hot at the first maximum and "lse" = that maximum. Returns lse.
 * Soft terms with lp_c − m < lo are 0 instead of their exp (−∞: none; the header says why).
 */
export function rowResp(row: usize, k: i32, hard: i32, lo: f64): f64 {
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
      const t = load<f64>(p) - m;
      const e = t < lo ? 0.0 : exp1(t);
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

/** exp(t) per lane, 0 in lanes with t < lo (NaN lanes keep their exp); no exp at all when both lanes are below. */
// @ts-ignore: decorator
@inline
function expAbove(t: v128, lo: v128): v128 {
  const below = f64x2.lt(t, lo);
  if (v128.all_true<i64>(below)) return f64x2.splat(0.0);
  return v128.andnot(vexp(t), below);
}

/**
 * Soft responsibilities of full 4-row tiles (rows in lanes, the same arithmetic as rowResp), in two passes over a run
 * of tiles so that consecutive tiles' exp and log chains overlap in flight instead of queueing behind each other.
 * Pass 1 (softExps): per tile, m = first maximum, e_c = exp(lp_c − m) stored over lp, s = Σ_c e_c, lse = m + log s;
 * (lse, s) of the tile go to `slot` (4 f64x2 in BUF). A tile with an all −∞ row is left untouched, with s = 0 as a
 * marker. Pass 2 (softFinish): r_c = e_c·(1/s). The caller then sums w·lse. `lo` as rowResp's, splatted.
 */
// @ts-ignore: decorator
@inline
function softExps(row: usize, k: i32, kBytes: usize, slot: usize, lo: v128): void {
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
      const e01 = expAbove(f64x2.sub(load2(row + o, r1 + o), m01), lo);
      const e23 = expAbove(f64x2.sub(load2(r2 + o, r3 + o), m23), lo);
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
 * static buffer. `lo`: −NEGLIGIBLE_LOG to skip the exps of negligible pairs (the header), −∞ for none.
 */
export function responsibilities(
  scratch: usize, n: i32, k: i32, hard: i32, w: usize, hasW: i32, totals: usize, lo: f64,
): void {
  const kBytes = <usize>k << 3;
  const loV = f64x2.splat(lo);
  const tileBytes = kBytes << 2;
  let ll = 0.0;
  let sw = 0.0;
  let r0 = 0;
  if (hard == 0) {
    const full = n & ~3;
    while (r0 < full) {
      const tiles = min(SOFT_RUN, (full - r0) >> 2);
      let row = scratch + <usize>r0 * kBytes;
      for (let t = 0; t < tiles; t++, row += tileBytes) softExps(row, k, kBytes, BUF + (<usize>t << 6), loV);
      row = scratch + <usize>r0 * kBytes;
      for (let t = 0; t < tiles; t++, row += tileBytes, r0 += 4) {
        const slot = BUF + (<usize>t << 6);
        const ok = f64x2.extract_lane(v128.load(slot, 32), 0) != 0.0;
        if (ok) softFinish(row, k, kBytes, slot);
        for (let q = 0; q < 4; q++) {
          const l = ok ? load<f64>(slot + (<usize>q << 3)) : rowResp(row + <usize>q * kBytes, k, 0, lo);
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
    const l = rowResp(scratch + <usize>r0 * kBytes, k, hard, lo);
    const wgt = hasW != 0 ? load<f64>(w + (<usize>r0 << 3)) : 1.0;
    if (wgt != 0.0) {
      ll += wgt * l;
      sw += wgt;
    }
  }
  store<f64>(totals, load<f64>(totals) + ll);
  store<f64>(totals + 8, load<f64>(totals + 8) + sw);
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
 * The body of the exported normalizeRows. Per row: lse[r] = log Σc exp(lp[r,c]) (max-shifted, increasing c),
 * lp[r,c] −= lse[r]. A row whose maximum is −∞ gets lse = −∞ and uniform log responsibilities −log k. Rows go in tiles
 * of 4 (two pairs of lanes, so two exp chains run side by side); a tile holding an all −∞ row, and the last n mod 4
 * rows, are done row by row.
 * Preconditions: k ≥ 1 (not checked by the export); lp holds n·k doubles, lse n doubles, not overlapping.
 */
// @ts-ignore: decorator
@inline
export function logNormalizeRows(lp: usize, n: i32, k: i32, lse: usize): void {
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
 * scoreRows's generic path: per row of lp (n×k, unchanged), lse[r] with normalizeRow's arithmetic (the same value as
 * a lane of logNormalizeRows) and lmr[r] = −log Σc exp(lp − max), the log of the largest responsibility; −∞ and −∞ for a row whose
 * maximum is −∞. Preconditions: k ≥ 1; lp n·k doubles, lse and lmr n each, none overlapping.
 */
export function rowScores(lp: usize, n: i32, k: i32, lse: usize, lmr: usize): void {
  // row by row (one lane): at d > 4 the log densities before it dominate, and the tile form would cost ~2.5 kB of wasm
  const kBytes = <usize>k << 3;
  for (let r = 0; r < n; r++) rowScore1(lp + <usize>r * kBytes, k, lse + (<usize>r << 3), lmr + (<usize>r << 3));
}

/** One row of rowScores, scalar (a lane's arithmetic). */
export function rowScore1(row: usize, k: i32, lseP: usize, lmrP: usize): void {
  let m = load<f64>(row);
  for (let c = 1; c < k; c++) {
    const v = load<f64>(row + (<usize>c << 3));
    if (v > m) m = v;
  }
  if (m == -Infinity) {
    store<f64>(lseP, -Infinity);
    store<f64>(lmrP, -Infinity);
    return;
  }
  let s = 0.0;
  for (let c = 0; c < k; c++) s += exp1(load<f64>(row + (<usize>c << 3)) - m);
  const g = log1(s);
  store<f64>(lseP, m + g);
  store<f64>(lmrP, -g);
}
