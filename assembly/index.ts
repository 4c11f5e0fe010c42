// gaussmix kernels — see ./README.md for the ABI (the contract).
//
// Every kernel works on raw byte pointers into linear memory and allocates nothing. The only per-call
// temporary is the diff vector x − μ of the current row and component, kept in a fixed static buffer
// (so `d ≤ MAX_D` is a precondition, checked on entry).
//
// The pure-TypeScript twin in src/backends/js-kernels.ts performs the *same* floating-point operations in
// the same order (f64x2 lanes become two scalar accumulators), so the two backends agree to the last bit
// apart from Math.exp/Math.log, which may differ by an ulp between NativeMath and the JS engine.

/** Largest supported number of features. */
const MAX_D: i32 = 4096;
/** Static scratch: the diff vector x − μ (MAX_D doubles, 16-aligned). */
const DIFF: usize = memory.data(MAX_D * 8, 16);

const COV_FULL: i32 = 0;
const COV_TIED: i32 = 1;
const COV_DIAG: i32 = 2;
const COV_SPHERICAL: i32 = 3;

/** First free byte after static data. TypeScript lays out its arrays from here (rounded up to 16). */
export function heapBase(): usize {
  return __heap_base;
}

function checkArgs(d: i32, k: i32, covType: i32): void {
  if (d < 1 || d > MAX_D) throw new Error('gaussmix kernels: d must be in 1..4096');
  if (k < 1) throw new Error('gaussmix kernels: k must be >= 1');
  if (covType < COV_FULL || covType > COV_SPHERICAL) throw new Error('gaussmix kernels: bad covType');
}

// ---------------------------------------------------------------------------------------------------------
// Per-(row, component) helpers

/** DIFF[j] = x[j] − mu[j]. */
// @ts-ignore: decorator
@inline
function computeDiff(x: usize, mu: usize, d: i32): void {
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const o = <usize>j << 3;
    v128.store(DIFF + o, f64x2.sub(v128.load(x + o), v128.load(mu + o)));
  }
  if (j < d) {
    const o = <usize>j << 3;
    store<f64>(DIFF + o, load<f64>(x + o) - load<f64>(mu + o));
  }
}

/**
 * ‖y‖² with y_j = Σ_{i≤j} DIFF[i]·P[i][j], P upper-triangular d×d at `p`.
 * Column pairs (j, j+1) accumulate over i = 0..j+1 (i = j+1 adds DIFF[j+1]·P[j+1][j], a structural zero),
 * two pairs at a time to reuse the splatted DIFF[i]. Squares are summed per lane: lane 0 holds the even
 * columns, lane 1 the odd ones (each in increasing order), then lane0 + lane1, then the odd-d tail column.
 */
// @ts-ignore: decorator
@inline
function mahalTri(p: usize, d: i32): f64 {
  const rowBytes = <usize>d << 3;
  let ss = f64x2.splat(0.0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    let a = f64x2.splat(0.0);
    let b = f64x2.splat(0.0);
    let pj = p + (<usize>j << 3);
    let i = 0;
    for (; i <= j + 1; i++) {
      const di = v128.load64_splat(DIFF + (<usize>i << 3));
      a = f64x2.add(a, f64x2.mul(di, v128.load(pj)));
      b = f64x2.add(b, f64x2.mul(di, v128.load(pj, 16)));
      pj += rowBytes;
    }
    for (; i <= j + 3; i++) {
      const di = v128.load64_splat(DIFF + (<usize>i << 3));
      b = f64x2.add(b, f64x2.mul(di, v128.load(pj, 16)));
      pj += rowBytes;
    }
    ss = f64x2.add(ss, f64x2.mul(a, a));
    ss = f64x2.add(ss, f64x2.mul(b, b));
  }
  if (j + 1 < d) {
    let a = f64x2.splat(0.0);
    let pj = p + (<usize>j << 3);
    for (let i = 0; i <= j + 1; i++) {
      const di = v128.load64_splat(DIFF + (<usize>i << 3));
      a = f64x2.add(a, f64x2.mul(di, v128.load(pj)));
      pj += rowBytes;
    }
    ss = f64x2.add(ss, f64x2.mul(a, a));
    j += 2;
  }
  let s = f64x2.extract_lane(ss, 0) + f64x2.extract_lane(ss, 1);
  if (j < d) {
    // odd d: last column j = d − 1, i = 0..d−1
    let t = 0.0;
    let pj = p + (<usize>j << 3);
    for (let i = 0; i < d; i++) {
      t += load<f64>(DIFF + (<usize>i << 3)) * load<f64>(pj);
      pj += rowBytes;
    }
    s += t * t;
  }
  return s;
}

/** Σ_j ((x_j − mu_j)·p_j)², lanes as in mahalTri. */
// @ts-ignore: decorator
@inline
function mahalDiag(x: usize, mu: usize, p: usize, d: i32): f64 {
  let ss = f64x2.splat(0.0);
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const o = <usize>j << 3;
    const y = f64x2.mul(f64x2.sub(v128.load(x + o), v128.load(mu + o)), v128.load(p + o));
    ss = f64x2.add(ss, f64x2.mul(y, y));
  }
  let s = f64x2.extract_lane(ss, 0) + f64x2.extract_lane(ss, 1);
  if (j < d) {
    const o = <usize>j << 3;
    const y = (load<f64>(x + o) - load<f64>(mu + o)) * load<f64>(p + o);
    s += y * y;
  }
  return s;
}

/** Σ_j ((x_j − mu_j)·ps)², lanes as in mahalTri. */
// @ts-ignore: decorator
@inline
function mahalSpherical(x: usize, mu: usize, ps: f64, d: i32): f64 {
  const pv = f64x2.splat(ps);
  let ss = f64x2.splat(0.0);
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const o = <usize>j << 3;
    const y = f64x2.mul(f64x2.sub(v128.load(x + o), v128.load(mu + o)), pv);
    ss = f64x2.add(ss, f64x2.mul(y, y));
  }
  let s = f64x2.extract_lane(ss, 0) + f64x2.extract_lane(ss, 1);
  if (j < d) {
    const o = <usize>j << 3;
    const y = (load<f64>(x + o) - load<f64>(mu + o)) * ps;
    s += y * y;
  }
  return s;
}

/** log πc N(x; μc, Σc) = logConst[c] − ½‖y‖². */
// @ts-ignore: decorator
@inline
function logDensity(x: usize, d: i32, c: i32, covType: i32, means: usize, prec: usize, logConst: usize): f64 {
  const dBytes = <usize>d << 3;
  const mu = means + <usize>c * dBytes;
  let ss: f64;
  if (covType == COV_FULL) {
    computeDiff(x, mu, d);
    ss = mahalTri(prec + <usize>c * <usize>d * dBytes, d);
  } else if (covType == COV_TIED) {
    computeDiff(x, mu, d);
    ss = mahalTri(prec, d);
  } else if (covType == COV_DIAG) {
    ss = mahalDiag(x, mu, prec + <usize>c * dBytes, d);
  } else {
    ss = mahalSpherical(x, mu, load<f64>(prec + (<usize>c << 3)), d);
  }
  return load<f64>(logConst + (<usize>c << 3)) - 0.5 * ss;
}

/**
 * Adds wr·(x − μc) to sx and wr·(x − μc)(x − μc)ᵀ to sxx (full/tied: upper triangle of a d×d matrix,
 * row i from column i rounded down to even; diag/spherical: the diagonal only).
 */
// @ts-ignore: decorator
@inline
function accumulate(x: usize, mu: usize, d: i32, covType: i32, wr: f64, sx: usize, sxx: usize): void {
  const wv = f64x2.splat(wr);
  if (covType <= COV_TIED) {
    computeDiff(x, mu, d);
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const o = <usize>j << 3;
      v128.store(sx + o, f64x2.add(v128.load(sx + o), f64x2.mul(wv, v128.load(DIFF + o))));
    }
    if (j < d) {
      const o = <usize>j << 3;
      store<f64>(sx + o, load<f64>(sx + o) + wr * load<f64>(DIFF + o));
    }
    const rowBytes = <usize>d << 3;
    let row = sxx;
    for (let i = 0; i < d; i++) {
      const ts = wr * load<f64>(DIFF + (<usize>i << 3));
      const t = f64x2.splat(ts);
      let jj = i & ~1;
      for (; jj + 1 < d; jj += 2) {
        const o = <usize>jj << 3;
        v128.store(row + o, f64x2.add(v128.load(row + o), f64x2.mul(t, v128.load(DIFF + o))));
      }
      if (jj < d) {
        const o = <usize>jj << 3;
        store<f64>(row + o, load<f64>(row + o) + ts * load<f64>(DIFF + o));
      }
      row += rowBytes;
    }
  } else {
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const o = <usize>j << 3;
      const df = f64x2.sub(v128.load(x + o), v128.load(mu + o));
      const t = f64x2.mul(wv, df);
      v128.store(sx + o, f64x2.add(v128.load(sx + o), t));
      v128.store(sxx + o, f64x2.add(v128.load(sxx + o), f64x2.mul(t, df)));
    }
    if (j < d) {
      const o = <usize>j << 3;
      const df = load<f64>(x + o) - load<f64>(mu + o);
      const t = wr * df;
      store<f64>(sx + o, load<f64>(sx + o) + t);
      store<f64>(sxx + o, load<f64>(sxx + o) + t * df);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Exported kernels

/** out[r·k + c] = log πc N(x_r; μc, Σc). */
export function logProb(
  x: usize, n: i32, d: i32, k: i32, covType: i32,
  means: usize, prec: usize, logConst: usize, out: usize,
): void {
  checkArgs(d, k, covType);
  const xStride = <usize>d << 3;
  let xr = x;
  let o = out;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      store<f64>(o, logDensity(xr, d, c, covType, means, prec, logConst));
      o += 8;
    }
    xr += xStride;
  }
}

/**
 * Per row: lse[r] = log Σc exp(lp[r,c]) (max-shifted), lp[r,c] −= lse[r]. A row whose maximum is −∞
 * gets lse = −∞ and uniform log responsibilities −log k.
 */
export function normalizeRows(lp: usize, n: i32, k: i32, lse: usize): void {
  const negLogK = -Math.log(<f64>k);
  let row = lp;
  for (let r = 0; r < n; r++) {
    let m = load<f64>(row);
    for (let c = 1; c < k; c++) {
      const v = load<f64>(row + (<usize>c << 3));
      if (v > m) m = v;
    }
    if (m == -Infinity) {
      store<f64>(lse + (<usize>r << 3), -Infinity);
      for (let c = 0; c < k; c++) store<f64>(row + (<usize>c << 3), negLogK);
    } else {
      let s = 0.0;
      for (let c = 0; c < k; c++) s += Math.exp(load<f64>(row + (<usize>c << 3)) - m);
      const l = m + Math.log(s);
      store<f64>(lse + (<usize>r << 3), l);
      for (let c = 0; c < k; c++) {
        const p = row + (<usize>c << 3);
        store<f64>(p, load<f64>(p) - l);
      }
    }
    row += <usize>k << 3;
  }
}

/** The fused E-pass over one block; see README. On return scratch[r·k + c] holds the responsibility r_rc. */
export function eStepAccumulate(
  x: usize, w: usize, hasW: i32, n: i32, d: i32, k: i32, covType: i32, hard: i32,
  means: usize, prec: usize, logConst: usize, scratch: usize, stats: usize,
): void {
  checkArgs(d, k, covType);
  const dBytes = <usize>d << 3;
  const kBytes = <usize>k << 3;
  const nkP = stats + 16;
  const sxP = nkP + kBytes;
  const sxxP = sxP + <usize>k * dBytes;
  const sxxStride = covType <= COV_TIED ? <usize>d * dBytes : dBytes;
  const uniform = 1.0 / <f64>k;
  let ll = 0.0;
  let sw = 0.0;
  let xr = x;
  let row = scratch;
  for (let r = 0; r < n; r++) {
    // log densities and their max (first max wins)
    let m = -Infinity;
    let am = 0;
    for (let c = 0; c < k; c++) {
      const v = logDensity(xr, d, c, covType, means, prec, logConst);
      store<f64>(row + (<usize>c << 3), v);
      if (c == 0 || v > m) { m = v; am = c; }
    }
    const wgt = hasW != 0 ? load<f64>(w + (<usize>r << 3)) : 1.0;
    if (hard != 0) {
      const best = load<f64>(row + (<usize>am << 3));
      for (let c = 0; c < k; c++) store<f64>(row + (<usize>c << 3), c == am ? 1.0 : 0.0);
      if (wgt != 0.0) {
        ll += wgt * best;
        sw += wgt;
        const nkc = nkP + (<usize>am << 3);
        store<f64>(nkc, load<f64>(nkc) + wgt);
        accumulate(xr, means + <usize>am * dBytes, d, covType, wgt,
          sxP + <usize>am * dBytes, sxxP + <usize>am * sxxStride);
      }
    } else {
      let l: f64;
      if (m == -Infinity) {
        l = -Infinity;
        for (let c = 0; c < k; c++) store<f64>(row + (<usize>c << 3), uniform);
      } else {
        let s = 0.0;
        for (let c = 0; c < k; c++) {
          const p = row + (<usize>c << 3);
          const e = Math.exp(load<f64>(p) - m);
          store<f64>(p, e);
          s += e;
        }
        l = m + Math.log(s);
        for (let c = 0; c < k; c++) {
          const p = row + (<usize>c << 3);
          store<f64>(p, load<f64>(p) / s);
        }
      }
      if (wgt != 0.0) {
        ll += wgt * l;
        sw += wgt;
        for (let c = 0; c < k; c++) {
          const wr = wgt * load<f64>(row + (<usize>c << 3));
          if (wr == 0.0) continue;
          const nkc = nkP + (<usize>c << 3);
          store<f64>(nkc, load<f64>(nkc) + wr);
          accumulate(xr, means + <usize>c * dBytes, d, covType, wr,
            sxP + <usize>c * dBytes, sxxP + <usize>c * sxxStride);
        }
      }
    }
    xr += dBytes;
    row += kBytes;
  }
  store<f64>(stats, load<f64>(stats) + ll);
  store<f64>(stats + 8, load<f64>(stats + 8) + sw);
}
