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
// Tiles are 4 rows, or 2 when 4·d doubles do not fit the static buffer (d > 2048). The tile's diffs x_t − μ are
// stored transposed in two planes of d f64x2: plane 0 at BUF holds rows (0, 1) of the tile, plane 1 at BUF + 16·d
// rows (2, 3); i.e. lane t%2 of plane ⌊t/2⌋ at index i is x_t[i] − μ[i].

import { BUF, BUF_DOUBLES, LAYOUT_DIAG, LAYOUT_SHARED_TRI, LAYOUT_TRI } from './buffer';
import { C_HALF, load2, madd, vc } from './vmath';

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

/**
 * Log densities of all n rows; 4-row tiles when the two diff planes (4·d doubles) fit the buffer, else 2-row.
 * Preconditions (checked by the exported caller): 1 ≤ d ≤ MAX_D, k ≥ 1, layout in 0..3; out holds n·k doubles and
 * overlaps no input. Clobbers the static buffer.
 */
export function logDensitiesAll(x: usize, n: i32, d: i32, k: i32, layout: i32, means: usize, prec: usize, logConst: usize, out: usize): void {
  if (4 * d <= BUF_DOUBLES) logDensities4(x, n, d, k, layout, means, prec, logConst, out);
  else logDensities2(x, n, d, k, layout, means, prec, logConst, out);
}
