/**
 * The twin of `assembly/log-density.ts`: log πc N(x_r; μc, Σc) for every row and component.
 *
 * wasm computes four rows at a time in SIMD lanes, but each lane is one row's plain sequential sum, so here it is
 * the natural row loop doing the same operations in the same order — y_j = Σ_{i≤j} (x_i − μ_i)·P[i][j] (increasing
 * i, four columns at a time, never reading below the diagonal), ss = Σ_j y_j² (increasing j), lp = lc − ½·ss
 * (diagonal layouts: y_j = (x_j − μ_j)·p_j) — and the results are bit-identical to wasm.
 */
import { LAYOUT_DIAG, LAYOUT_TRI, type Scratch } from './buffer.js';

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
  for (let r = 0; r < n; r++) {
    const xr = x + r * d;
    const o = out + r * k;
    for (let c = 0; c < k; c++) {
      const mu = means + c * d;
      let ss = 0;
      const p = layout === LAYOUT_TRI ? prec + c * d * d : prec;
      for (let i = 0; i < d; i++) df[i] = h[xr + i] - h[mu + i];
      // four columns at a time (P read once per 4 products), never reading below the diagonal
      let j = 0;
      for (; j + 3 < d; j += 4) {
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0;
        let pj = p + j;
        for (let i = 0; i <= j; i++, pj += d) {
          const di = df[i];
          a0 += di * h[pj];
          a1 += di * h[pj + 1];
          a2 += di * h[pj + 2];
          a3 += di * h[pj + 3];
        }
        let di = df[j + 1];
        a1 += di * h[pj + 1];
        a2 += di * h[pj + 2];
        a3 += di * h[pj + 3];
        pj += d;
        di = df[j + 2];
        a2 += di * h[pj + 2];
        a3 += di * h[pj + 3];
        a3 += df[j + 3] * h[pj + d + 3];
        ss += a0 * a0;
        ss += a1 * a1;
        ss += a2 * a2;
        ss += a3 * a3;
      }
      for (; j < d; j++) {
        let a0 = 0;
        for (let i = 0, pj = p + j; i <= j; i++, pj += d) a0 += df[i] * h[pj];
        ss += a0 * a0;
      }
      h[o + c] = h[logConst + c] - 0.5 * ss;
    }
  }
}
