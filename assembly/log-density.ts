// Phase 1 of the E-step: log πc N(x_r; μc, Σc) for every row and component (logProb, and the generic path of
// eStepAccumulate).
//
// Why it is shaped like this: the Mahalanobis term is O(k·d²) per row for the triangular layouts, so it is the
// whole cost at larger d. Rows go in tiles of 4 with the rows *in the SIMD lanes*: the tile's diffs x − μ are
// transposed into two planes of f64x2 (rows 0–1, rows 2–3), and y = diff·P is computed 4 columns at a time (8
// accumulators: each splatted P entry serves 4 rows, each diff load 4 columns). Components are the outer loop, so one
// P stays in cache while the tiles stream past. With rows in lanes each lane is one row's plain sequential sum, which
// is what lets the JS twin (src/backends/js/log-density.ts) be bit-identical with ordinary loops.
//
// The cut (eStepAccumulate with prune > 0, triangular layouts, 4-row tiles): ‖y‖² is a sum of squares over column
// blocks, so after each block lc − ½·partial is an upper bound on the pair's log density. Once, for all four rows of a
// tile, that bound is NEGLIGIBLE_LOG (buffer.ts) below the row's best log density so far, the pair's responsibility is below e^−64
// whatever the remaining columns hold: the tile stops and stores −∞ (a pair the statistics would prune anyway; lse
// moves by < k·e^−64). On well-separated data most pairs are such, and their triangular products were most of the
// pass at larger d. For the best so far to be good early, each row's guess is its nearest mean (Euclidean), the
// rows are ordered by guess so that a tile's rows mostly share one, and the cut path runs tile by tile in that
// order: first the tile's guessed components exactly, then the others with the cut (d ≥ CUT_MIN_D only: below, the
// bookkeeping costs more than it saves).
//
// Tiles are 4 rows, or 2 when 4·d doubles do not fit the static buffer (d > 2048). The tile's diffs x_t − μ are
// stored transposed in two planes of d f64x2: plane 0 at BUF holds rows (0, 1) of the tile, plane 1 at BUF + 16·d
// rows (2, 3); i.e. lane t%2 of plane ⌊t/2⌋ at index i is x_t[i] − μ[i].

import { BUF, BUF_DOUBLES, LAYOUT_DIAG, LAYOUT_SHARED_TRI, LAYOUT_TRI, NEGLIGIBLE_LOG, negligibleOn } from './buffer';
import { C_HALF, load2, madd, vc } from './vmath';

/**
 * The cut only from this many features on: below, its per-row guess and per-tile bookkeeping cost more than the
 * triangular products it saves (one E-pass at the benchmark's fitted models: d = 8 1.9× slower, d = 32 16% and
 * d = 64 55% faster).
 */
const CUT_MIN_D: i32 = 32;

/** Fills the planes for component mean `mu` from the full tile's rows at x0…x3 (H4) or x0, x1. */
// @ts-ignore: decorator
@inline
function diffRows(x0: usize, x1: usize, x2: usize, x3: usize, d: i32, mu: usize, H4: bool): void {
  diffCols(x0, x1, x2, x3, d, mu, H4, 0, d);
}

/** diffRows for columns [from, to) only (from even; to = d or even): the same values, column pair by pair. */
// @ts-ignore: decorator
@inline
function diffCols(x0: usize, x1: usize, x2: usize, x3: usize, d: i32, mu: usize, H4: bool, from: i32, to: i32): void {
  const p1 = BUF + (<usize>d << 4);
  let i = from;
  for (; i + 1 < to; i += 2) {
    const o = <usize>i << 3;
    const m = v128.load(mu + o);
    const a = f64x2.sub(v128.load(x0 + o), m);
    const b = f64x2.sub(v128.load(x1 + o), m);
    const t = o << 1;
    v128.store(BUF + t, i64x2.shuffle(a, b, 0, 2));
    v128.store(BUF + t, i64x2.shuffle(a, b, 1, 3), 16);
    if (H4) {
      const c = f64x2.sub(v128.load(x2 + o), m);
      const e = f64x2.sub(v128.load(x3 + o), m);
      v128.store(p1 + t, i64x2.shuffle(c, e, 0, 2));
      v128.store(p1 + t, i64x2.shuffle(c, e, 1, 3), 16);
    }
  }
  if (i < to) {
    const o = <usize>i << 3;
    const m = v128.load64_splat(mu + o);
    v128.store(BUF + (o << 1), f64x2.sub(load2(x0 + o, x1 + o), m));
    if (H4) v128.store(p1 + (o << 1), f64x2.sub(load2(x2 + o, x3 + o), m));
  }
}

/** Fills the planes for component mean `mu` from the nr tile rows at x (row stride d); missing rows get 0. */
// @ts-ignore: decorator
@inline
function diffTile(x: usize, nr: i32, d: i32, mu: usize, H4: bool): void {
  const rs = <usize>d << 3;
  const p1 = BUF + (<usize>d << 4);
  if (nr == (H4 ? 4 : 2)) {
    diffRows(x, x + rs, x + 2 * rs, x + 3 * rs, d, mu, H4);
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
function tileTri(
  p: usize, d: i32, lc: f64, out: usize, stride: usize, nr: i32, H4: bool, CUT: bool, thr01: v128, thr23: v128,
  mu: usize, x0: usize, x1: usize, x2: usize, x3: usize,
): void {
  const rowBytes = <usize>d << 3;
  const p1 = <usize>d << 4; // plane 1 − plane 0
  const zero = f64x2.splat(0.0);
  let s01 = zero;
  let s23 = zero;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    // with mu ≠ 0 (the cut) the planes are filled block by block: a tile cut early never computes the rest
    if (CUT && mu != 0) diffCols(x0, x1, x2, x3, d, mu, true, j, j + 4);
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    let b0 = zero, b1 = zero, b2 = zero, b3 = zero;
    let pp = p + (<usize>j << 3);
    let dt = BUF;
    const end = BUF + (<usize>(j + 1) << 4);
    do {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp);
      a0 = madd(d01, q, a0);
      if (H4) b0 = madd(d23, q, b0);
      q = v128.load64_splat(pp, 8);
      a1 = madd(d01, q, a1);
      if (H4) b1 = madd(d23, q, b1);
      q = v128.load64_splat(pp, 16);
      a2 = madd(d01, q, a2);
      if (H4) b2 = madd(d23, q, b2);
      q = v128.load64_splat(pp, 24);
      a3 = madd(d01, q, a3);
      if (H4) b3 = madd(d23, q, b3);
      dt += 16;
      pp += rowBytes;
    } while (dt < end);
    // rows j+1..j+3 of P hold zeros left of the diagonal: only the columns from the diagonal on
    {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp, 8);
      a1 = madd(d01, q, a1);
      if (H4) b1 = madd(d23, q, b1);
      q = v128.load64_splat(pp, 16);
      a2 = madd(d01, q, a2);
      if (H4) b2 = madd(d23, q, b2);
      q = v128.load64_splat(pp, 24);
      a3 = madd(d01, q, a3);
      if (H4) b3 = madd(d23, q, b3);
      dt += 16;
      pp += rowBytes;
    }
    {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp, 16);
      a2 = madd(d01, q, a2);
      if (H4) b2 = madd(d23, q, b2);
      q = v128.load64_splat(pp, 24);
      a3 = madd(d01, q, a3);
      if (H4) b3 = madd(d23, q, b3);
      dt += 16;
      pp += rowBytes;
    }
    {
      const q = v128.load64_splat(pp, 24);
      a3 = madd(v128.load(dt), q, a3);
      if (H4) b3 = madd(v128.load(dt + p1), q, b3);
    }
    s01 = madd(a0, a0, s01);
    s01 = madd(a1, a1, s01);
    s01 = madd(a2, a2, s01);
    s01 = madd(a3, a3, s01);
    if (H4) {
      s23 = madd(b0, b0, s23);
      s23 = madd(b1, b1, s23);
      s23 = madd(b2, b2, s23);
      s23 = madd(b3, b3, s23);
      // the cut (see the top of the file): all four partial sums above their rows' thresholds (+∞ when off)
      if (CUT && j + 4 < d && i64x2.all_true(v128.and(f64x2.gt(s01, thr01), f64x2.gt(s23, thr23)))) {
        storeTileLp(out, stride, nr, -Infinity, s01, s23);
        return;
      }
    }
  }
  if (CUT && mu != 0 && j < d) diffCols(x0, x1, x2, x3, d, mu, true, j, d);
  if (j + 1 < d) {
    let a0 = zero, a1 = zero, b0 = zero, b1 = zero;
    let pp = p + (<usize>j << 3);
    let dt = BUF;
    const end = BUF + (<usize>(j + 1) << 4);
    do {
      const d01 = v128.load(dt);
      const d23 = H4 ? v128.load(dt + p1) : zero;
      let q = v128.load64_splat(pp);
      a0 = madd(d01, q, a0);
      if (H4) b0 = madd(d23, q, b0);
      q = v128.load64_splat(pp, 8);
      a1 = madd(d01, q, a1);
      if (H4) b1 = madd(d23, q, b1);
      dt += 16;
      pp += rowBytes;
    } while (dt < end);
    {
      const q = v128.load64_splat(pp, 8);
      a1 = madd(v128.load(dt), q, a1);
      if (H4) b1 = madd(v128.load(dt + p1), q, b1);
    }
    s01 = madd(a0, a0, s01);
    s01 = madd(a1, a1, s01);
    if (H4) {
      s23 = madd(b0, b0, s23);
      s23 = madd(b1, b1, s23);
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
      a0 = madd(v128.load(dt), q, a0);
      if (H4) b0 = madd(v128.load(dt + p1), q, b0);
      dt += 16;
      pp += rowBytes;
    } while (dt < end);
    s01 = madd(a0, a0, s01);
    if (H4) s23 = madd(b0, b0, s23);
  }
  storeTileLp(out, stride, nr, lc, s01, s23);
}

/**
 * tileTri for 4-row tiles with the cut's check, for logDensitiesCut — not inlined there (its loop over components
 * calls it twice). The plain pass inlines its own copy without the check: the call (13 arguments, two of them v128)
 * and the per-block compare cost 8–13% of a D = 8 E-pass (one pass at the fitted default model, interleaved builds:
 * separated 2·10⁵ × 8, K = 8 24.0 → 21.0 ms, overlapping 33.6 → 31.0 ms; relaxed build on Node 24 20.4 → 18.1 and
 * 29.4 → 27.0 ms) for +0.33 kB gzipped per kernel build.
 */
function tileTri4(
  p: usize, d: i32, lc: f64, out: usize, stride: usize, nr: i32, thr01: v128, thr23: v128,
  mu: usize, x0: usize, x1: usize, x2: usize, x3: usize,
): void {
  tileTri(p, d, lc, out, stride, nr, true, true, thr01, thr23, mu, x0, x1, x2, x3);
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
    s01 = madd(y01, y01, s01);
    if (H4) {
      const y23 = f64x2.mul(v128.load(t + p1), q);
      s23 = madd(y23, y23, s23);
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
    s01 = madd(y01, y01, s01);
    s23 = madd(y23, y23, s23);
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
  const off = f64x2.splat(Infinity);
  for (let c = 0; c < k; c++) {
    const mu = means + <usize>c * dBytes;
    const lc = load<f64>(logConst + (<usize>c << 3));
    let xt = x;
    let o = out + (<usize>c << 3);
    for (let r0 = 0; r0 < n; r0 += T) {
      const nr = min(T, n - r0);
      if (layout <= LAYOUT_SHARED_TRI) {
        diffTile(xt, nr, d, mu, H4);
        const pc = layout == LAYOUT_TRI ? prec + <usize>c * <usize>d * dBytes : prec;
        if (H4) tileTri(pc, d, lc, o, stride, nr, true, false, off, off, 0, 0, 0, 0, 0);
        else tileTri(pc, d, lc, o, stride, nr, false, false, off, off, 0, 0, 0, 0, 0);
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

/**
 * The component whose mean is nearest to row xr (squared Euclidean distance, first on ties): even columns summed in
 * lane 0 and odd ones in lane 1, the last column of an odd d added to the even sum, then even + odd (the twin's order).
 */
// @ts-ignore: decorator
@inline
function nearest(xr: usize, d: i32, k: i32, means: usize): i32 {
  const dBytes = <usize>d << 3;
  let bestC = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const mu = means + <usize>c * dBytes;
    let acc = f64x2.splat(0.0);
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const df = f64x2.sub(v128.load(xr + (<usize>j << 3)), v128.load(mu + (<usize>j << 3)));
      acc = f64x2.add(acc, f64x2.mul(df, df));
    }
    let e = f64x2.extract_lane(acc, 0);
    if (j < d) {
      const t = load<f64>(xr + (<usize>j << 3)) - load<f64>(mu + (<usize>j << 3));
      e += t * t;
    }
    const dist = e + f64x2.extract_lane(acc, 1);
    if (dist < bestD) {
      bestD = dist;
      bestC = c;
    }
  }
  return bestC;
}

/** Whether the cut's temporaries (4 lps, then n guesses and n row indices, after the diff planes) fit the buffer. */
// @ts-ignore: decorator
@inline
function cutFits(n: i32, d: i32): bool {
  return 4 * d + 4 + n <= BUF_DOUBLES;
}

/**
 * logDensities with the cut (top of the file). Each row's nearest component is its guess; the rows are ordered by
 * guess (stable), so that a tile's rows mostly share one, and go in tiles of four in that order: first the tile's
 * guessed components exactly, then the others cut, their log densities scattered back to the rows' places. The last
 * 1–3 rows of that order are computed exactly, one by one. Triangular layouts; cutFits(n, d).
 */
function logDensitiesCut(
  x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize,
): void {
  const dBytes = <usize>d << 3;
  const stride = <usize>k << 3;
  const lps = BUF + (<usize>d << 5); // the tile's four log densities, after the two diff planes
  const guess = lps + 32; // n component indices (i32)
  const order = guess + (<usize>n << 2); // n row indices (i32)
  for (let r = 0; r < n; r++) store<i32>(guess + (<usize>r << 2), nearest(x + <usize>r * dBytes, d, k, means));
  let m = 0;
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < n; r++) {
      if (load<i32>(guess + (<usize>r << 2)) == c) {
        store<i32>(order + (<usize>m << 2), r);
        m++;
      }
    }
  }
  const off = f64x2.splat(Infinity);
  const l2 = f64x2.splat(2.0);
  const margin = f64x2.splat(NEGLIGIBLE_LOG);
  const n4 = n & ~3;
  for (let q = 0; q < n4; q += 4) {
    const ra = load<i32>(order + (<usize>q << 2));
    const rb = load<i32>(order + (<usize>q << 2), 4);
    const rc = load<i32>(order + (<usize>q << 2), 8);
    const rd = load<i32>(order + (<usize>q << 2), 12);
    const xa = x + <usize>ra * dBytes;
    const xb = x + <usize>rb * dBytes;
    const xc = x + <usize>rc * dBytes;
    const xd = x + <usize>rd * dBytes;
    const oa = out + <usize>ra * stride;
    const ob = out + <usize>rb * stride;
    const oc = out + <usize>rc * stride;
    const od = out + <usize>rd * stride;
    const g0 = load<i32>(guess + (<usize>ra << 2));
    const g1 = load<i32>(guess + (<usize>rb << 2));
    const g2 = load<i32>(guess + (<usize>rc << 2));
    const g3 = load<i32>(guess + (<usize>rd << 2));
    // best log density so far of rows (a, b) and (c, d): first the guessed components exactly, then the rest cut
    let b01 = f64x2.splat(-Infinity);
    let b23 = b01;
    for (let pass = 0; pass < 2; pass++) {
      for (let c = 0; c < k; c++) {
        if ((c == g0 || c == g1 || c == g2 || c == g3) != (pass == 0)) continue;
        const lc = load<f64>(logConst + (<usize>c << 3));
        // ss > 2·(lc − best + NEGLIGIBLE_LOG) ⇔ lc − ½·ss < best − NEGLIGIBLE_LOG; +∞ while best is −∞ (and in pass 0: exact)
        const l = f64x2.splat(lc);
        const t01 = pass == 0 ? off : f64x2.mul(l2, f64x2.add(f64x2.sub(l, b01), margin));
        const t23 = pass == 0 ? off : f64x2.mul(l2, f64x2.add(f64x2.sub(l, b23), margin));
        const pc = layout == LAYOUT_TRI ? prec + <usize>c * <usize>d * dBytes : prec;
        tileTri4(pc, d, lc, lps, 8, 4, t01, t23, means + <usize>c * dBytes, xa, xb, xc, xd);
        const v01 = v128.load(lps);
        const v23 = v128.load(lps, 16);
        const co = <usize>c << 3;
        v128.store64_lane(oa + co, v01, 0);
        v128.store64_lane(ob + co, v01, 1);
        v128.store64_lane(oc + co, v23, 0);
        v128.store64_lane(od + co, v23, 1);
        b01 = f64x2.max(b01, v01);
        b23 = f64x2.max(b23, v23);
      }
    }
  }
  for (let q = n4; q < n; q++) {
    const r = load<i32>(order + (<usize>q << 2));
    logDensities4(x + <usize>r * dBytes, 1, d, k, layout, means, prec, logConst, out + <usize>r * stride);
  }
}

function logDensities4(x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize): void {
  logDensities(x, n, d, k, layout, means, prec, logConst, out, true);
}

function logDensities2(x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize): void {
  logDensities(x, n, d, k, layout, means, prec, logConst, out, false);
}

/**
 * Log densities of all n rows; 4-row tiles when the two diff planes (4·d doubles) fit the buffer, else 2-row.
 * `prune` > 0 (eStepAccumulate) allows the cut (top of the file): pairs certainly below e^−64 of their row's best get −∞;
 * 0 (logProb) gives every pair exactly.
 * Preconditions (checked by the exported caller): 1 ≤ d ≤ MAX_D, k ≥ 1, layout in 0..3; out holds n·k doubles and
 * overlaps no input. Clobbers the static buffer.
 */
export function logDensitiesAll(
  x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize, prune: f64,
): void {
  if (4 * d > BUF_DOUBLES) {
    logDensities2(x, n, d, k, layout, means, prec, logConst, out);
    return;
  }
  if (layout <= LAYOUT_SHARED_TRI && d >= CUT_MIN_D && negligibleOn(prune, k) && cutFits(n, d)) {
    logDensitiesCut(x, n, d, k, layout, means, prec, logConst, out);
    return;
  }
  logDensities4(x, n, d, k, layout, means, prec, logConst, out);
}
