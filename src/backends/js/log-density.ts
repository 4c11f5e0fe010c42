/**
 * The twin of `assembly/log-density.ts`: log πc N(x_r; μc, Σc) for every row and component.
 *
 * wasm computes four rows at a time in SIMD lanes, but each lane is one row's plain sequential sum, so here it is
 * the natural row loop doing the same operations in the same order — y_j = Σ_{i≤j} (x_i − μ_i)·P[i][j] (increasing
 * i, four columns at a time, never reading below the diagonal), ss = Σ_j y_j² (increasing j), lp = lc − ½·ss
 * (diagonal layouts: y_j = (x_j − μ_j)·p_j) — and the results are bit-identical to wasm. The triangular layouts go
 * in tiles of four rows, because wasm's cut (eStepAccumulate with prune > 0) is decided per tile.
 */
import { BUF_DOUBLES, LAYOUT_DIAG, LAYOUT_TRI, NEGLIGIBLE_LOG, negligibleOn, type Scratch } from './buffer.js';

/** As assembly/log-density.ts: the fewest features the cut is used at. */
const CUT_MIN_D = 32;

/**
 * Log densities of rows [0, n) at element index x into h[out + r·k + c] (all arguments are element indices into h).
 * Preconditions: checkArgs passed and `tmp.ensure(d)` was called; out holds n·k doubles and overlaps no input.
 */
export function logDensities(
  h: Float64Array,
  x: number,
  n: number,
  d: number,
  k: number,
  layout: number,
  means: number,
  prec: number,
  logConst: number,
  out: number,
  tmp: Scratch,
  prune = 0,
): void {
  const df = tmp.diff;
  if (layout >= LAYOUT_DIAG) {
    // diagonal layouts: two rows at a time, so the two sequential sums run side by side
    for (let r = 0; r < n; r += 2) {
      const x0 = x + r * d;
      const x1 = r + 1 < n ? x0 + d : x0;
      const o = out + r * k;
      for (let c = 0; c < k; c++) {
        const mu = means + c * d;
        const p = layout === LAYOUT_DIAG ? prec + c * d : -1;
        const ps = layout === LAYOUT_DIAG ? 0 : h[prec + c];
        let s0 = 0;
        let s1 = 0;
        for (let j = 0; j < d; j++) {
          const q = p >= 0 ? h[p + j] : ps;
          const m = h[mu + j];
          const y0 = (h[x0 + j] - m) * q;
          const y1 = (h[x1 + j] - m) * q;
          s0 += y0 * y0;
          s1 += y1 * y1;
        }
        const lc = h[logConst + c];
        h[o + c] = lc - 0.5 * s0;
        if (r + 1 < n) h[o + k + c] = lc - 0.5 * s1;
      }
    }
    return;
  }
  // triangular layouts
  // as assembly/log-density.ts's logDensitiesAll (its cutFits: the cut's temporaries fit the static buffer)
  const cut = d >= CUT_MIN_D && negligibleOn(prune, k) && 4 * d + 4 + n <= BUF_DOUBLES;
  if (cut) {
    logDensitiesCut(h, x, n, d, k, layout, means, prec, logConst, out, tmp);
    return;
  }
  const { sums: ss, thresholds: thr, rows } = tmp;
  thr.fill(Infinity);
  for (let r0 = 0; r0 < n; r0 += 4) {
    const nr = Math.min(4, n - r0);
    for (let t = 0; t < 4; t++) rows[t] = x + (r0 + t) * d;
    for (let c = 0; c < k; c++) {
      const p = layout === LAYOUT_TRI ? prec + c * d * d : prec;
      triTile(h, rows, nr, d, means + c * d, p, ss, thr, df);
      for (let t = 0; t < nr; t++) h[out + (r0 + t) * k + c] = h[logConst + c] - 0.5 * ss[t];
    }
  }
}

/**
 * The cut of assembly/log-density.ts, the same decisions in the same order: rows ordered (stably) by their nearest
 * component, tiles of four in that order — first the tile's guessed components exactly, then the others, each
 * stopped after a 4-column block (not the last) where every row's partial sum is above its threshold — and the last
 * 1–3 rows of that order exactly.
 */
function logDensitiesCut(
  h: Float64Array,
  x: number,
  n: number,
  d: number,
  k: number,
  layout: number,
  means: number,
  prec: number,
  logConst: number,
  out: number,
  tmp: Scratch,
): void {
  const { diff: df, best, sums: ss, thresholds: thr, rows } = tmp;
  tmp.ensureRows(n);
  const { guess, order } = tmp;
  for (let r = 0; r < n; r++) guess[r] = nearest(h, x + r * d, d, k, means);
  let m = 0;
  for (let c = 0; c < k; c++) for (let r = 0; r < n; r++) if (guess[r] === c) order[m++] = r;
  const g = [0, 0, 0, 0];
  const n4 = n & ~3;
  for (let q = 0; q < n4; q += 4) {
    for (let t = 0; t < 4; t++) {
      rows[t] = x + order[q + t] * d;
      g[t] = guess[order[q + t]];
    }
    best.fill(-Infinity);
    for (let pass = 0; pass < 2; pass++) {
      for (let c = 0; c < k; c++) {
        if (g.includes(c) !== (pass === 0)) continue;
        const lc = h[logConst + c];
        for (let t = 0; t < 4; t++) thr[t] = pass === 0 ? Infinity : 2 * (lc - best[t] + NEGLIGIBLE_LOG);
        const p = layout === LAYOUT_TRI ? prec + c * d * d : prec;
        const dropped = triTile(h, rows, 4, d, means + c * d, p, ss, thr, df);
        for (let t = 0; t < 4; t++) {
          const lp = dropped ? -Infinity : lc - 0.5 * ss[t];
          h[out + order[q + t] * k + c] = lp;
          best[t] = Math.max(best[t], lp);
        }
      }
    }
  }
  thr.fill(Infinity);
  for (let q = n4; q < n; q++) {
    const r = order[q];
    rows[0] = x + r * d;
    for (let c = 0; c < k; c++) {
      const p = layout === LAYOUT_TRI ? prec + c * d * d : prec;
      triTile(h, rows, 1, d, means + c * d, p, ss, thr, df);
      h[out + r * k + c] = h[logConst + c] - 0.5 * ss[0];
    }
  }
}

/**
 * As assembly/log-density.ts's `nearest`: the component whose mean is nearest to the row at x (first on ties), with
 * the even and the odd columns summed separately (wasm's two lanes), then added.
 */
function nearest(h: Float64Array, x: number, d: number, k: number, means: number): number {
  let bestC = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const mu = means + c * d;
    let e = 0;
    let o = 0;
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const a = h[x + j] - h[mu + j];
      const b = h[x + j + 1] - h[mu + j + 1];
      e += a * a;
      o += b * b;
    }
    if (j < d) {
      const t = h[x + j] - h[mu + j];
      e += t * t;
    }
    const dist = e + o;
    if (dist < bestD) {
      bestD = dist;
      bestC = c;
    }
  }
  return bestC;
}

/**
 * ss[t] = ‖(x_t − μ)ᵀP‖² for the nr ≤ 4 rows starting at rows[t], each row's sums in wasm's order: y_j = Σ_{i≤j}
 * diff_i·P[i][j] (increasing i, four columns at a time, never reading below the diagonal), ss = Σ_j y_j² (increasing
 * j). Returns true when, after a 4-column block that is not the last, every ss[t] > thr[t] (the cut; then ss is
 * partial).
 */
function triTile(
  h: Float64Array,
  rows: readonly number[],
  nr: number,
  d: number,
  mu: number,
  p: number,
  ss: Float64Array,
  thr: Float64Array,
  df: Float64Array,
): boolean {
  for (let t = 0; t < nr; t++) {
    for (let i = 0; i < d; i++) df[t * d + i] = h[rows[t] + i] - h[mu + i];
    ss[t] = 0;
  }
  let j = 0;
  for (; j + 3 < d; j += 4) {
    let above = nr === 4;
    for (let t = 0; t < nr; t++) {
      const o = t * d;
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      let pj = p + j;
      for (let i = 0; i <= j; i++, pj += d) {
        const di = df[o + i];
        a0 += di * h[pj];
        a1 += di * h[pj + 1];
        a2 += di * h[pj + 2];
        a3 += di * h[pj + 3];
      }
      let di = df[o + j + 1];
      a1 += di * h[pj + 1];
      a2 += di * h[pj + 2];
      a3 += di * h[pj + 3];
      pj += d;
      di = df[o + j + 2];
      a2 += di * h[pj + 2];
      a3 += di * h[pj + 3];
      a3 += df[o + j + 3] * h[pj + d + 3];
      let s = ss[t];
      s += a0 * a0;
      s += a1 * a1;
      s += a2 * a2;
      s += a3 * a3;
      ss[t] = s;
      above &&= s > thr[t];
    }
    if (above && j + 4 < d) return true;
  }
  for (let t = 0; t < nr; t++) {
    const o = t * d;
    let s = ss[t];
    for (let jj = j; jj < d; jj++) {
      let a0 = 0;
      for (let i = 0, pj = p + jj; i <= jj; i++, pj += d) a0 += df[o + i] * h[pj];
      s += a0 * a0;
    }
    ss[t] = s;
  }
  return false;
}
