/**
 * Pure-TypeScript twin of the AssemblyScript kernels in `assembly/index.ts` (ABI: `assembly/README.md`).
 *
 * The SIMD kernels keep each row in its own f64x2 lane, and each statistic's partial sum in its own accumulator, so
 * every output is a plain sequential sum; this twin computes the same sums in the same order with ordinary loops:
 * - log densities: y_j = Σ_{i≤j} (x_i − μ_i)·P[i][j] (increasing i), ss = Σ_j y_j² (increasing j), lp = lc − ½·ss
 *   (diagonal layouts: y_j = (x_j − μ_j)·p_j) — bit-identical to wasm;
 * - responsibilities: m = first maximum, s = Σ_c exp(lp_c − m) (increasing c), lse = m + log s, r_c = e_c·(1/s);
 * - statistics (wr = w·r, u = wr·(x − μ), v = x − μ): d ≤ 4 and k ≤ 240 (the fused path): two partial
 *   sums per entry over the call, even rows and odd rows, then stats += even + odd (nk += Σ wr, sx[j] += Σ u[j],
 *   sxx[i][j] += Σ u[i]·v[j], diagonal only for the diagonal layouts). Otherwise rows with wr = 0 are skipped,
 *   nk += Σ_r wr over the call; triangular layouts: per block of `sxxBlockRows(d)` such rows, sx[j] += Σ_r u_r[j] and
 *   sxx[i][j] += Σ_r u_r[i]·v_r[j]; diagonal layouts: over the call, sx[j] += Σ_r u_r[j], sxx[j] += Σ_r u_r[j]·v_r[j].
 * Results differ from wasm only through exp and log (wasm: polynomials within ~1 ulp; here Math.exp/Math.log).
 *
 * Pointers are byte offsets (multiples of 16) into the heap returned by `getHeap()`; index = ptr >>> 3.
 */
import type { Kernels } from './types.js';

/** Largest supported number of features (the wasm kernels' static buffer is sized for this). */
export const MAX_D = 4096;
/** As in assembly/index.ts (the partial-sum blocks below depend on them). */
const BUF_DOUBLES = 8192;
const PACK_ROWS = 32;
/** The fused small-d path of assembly/index.ts: d ≤ SMALL_D, k ≤ SMALL_MAX_K (soft or hard). */
const SMALL_D = 4;
const SMALL_MAX_K = 240;

/** Storage layouts of the precision factors, as in assembly/index.ts (full, tied, diag, spherical in that order). */
const LAYOUT_TRI = 0;
const LAYOUT_SHARED_TRI = 1;
const LAYOUT_DIAG = 2;
const LAYOUT_SCALAR = 3;

/**
 * Triangular layouts: rows per partial-sum block of sx/sxx, as in assembly/index.ts — d ≤ 4: all the call's rows (held in
 * registers there); else min(PACK_ROWS, rows of 4·⌈d/4⌉ doubles that fit half the static buffer).
 */
export function sxxBlockRows(d: number): number {
  return d <= 4 ? Infinity : Math.min(PACK_ROWS, Math.floor(BUF_DOUBLES / 2 / ((d + 3) & ~3)));
}

function checkArgs(d: number, k: number, layout: number): void {
  if (!(d >= 1 && d <= MAX_D)) throw new Error('gaussmix kernels: d must be in 1..4096');
  if (!(k >= 1)) throw new Error('gaussmix kernels: k must be >= 1');
  if (!(layout >= LAYOUT_TRI && layout <= LAYOUT_SCALAR)) throw new Error('gaussmix kernels: bad layout');
}

/**
 * Kernels over the heap returned by `getHeap` (called once per kernel call, so a heap that was reallocated
 * between calls is picked up).
 */
export function createJsKernels(getHeap: () => Float64Array): Kernels {
  let diff = new Float64Array(64);
  // a packed block of rows (triangular layouts, d > 4): u and v, row stride 4·⌈d/4⌉, zero-padded
  let U = new Float64Array(64);
  let V = new Float64Array(64);
  // partial sums of one component: sx (T0) and sxx (T1: d×d for the triangular layouts with d ≤ 4, else d)
  let T0 = new Float64Array(64);
  let T1 = new Float64Array(64);
  // the fused small-d path's partial sums: [even rows, odd rows] × k × (nk, sx, sxx)
  let S = new Float64Array(64);
  const ensure = (d: number): void => {
    if (diff.length < d) diff = new Float64Array(d);
    const need = BUF_DOUBLES / 2;
    if (U.length < need) {
      U = new Float64Array(need);
      V = new Float64Array(need);
    }
    if (T0.length < d) {
      T0 = new Float64Array(d);
      T1 = new Float64Array(Math.max(d, 16));
    }
  };

  /** Log densities of rows [0, n) at element index x into h[out + r·k + c]. */
  function logDensities(
    h: Float64Array, x: number, n: number, d: number, k: number, layout: number,
    means: number, prec: number, logConst: number, out: number,
  ): void {
    const df = diff;
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
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
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

  function logProb(
    x: number, n: number, d: number, k: number, layout: number,
    means: number, prec: number, logConst: number, out: number,
  ): void {
    checkArgs(d, k, layout);
    ensure(d);
    logDensities(getHeap(), x >>> 3, n, d, k, layout, means >>> 3, prec >>> 3, logConst >>> 3, out >>> 3);
  }

  function normalizeRows(lp: number, n: number, k: number, lse: number): void {
    const h = getHeap();
    const negLogK = -Math.log(k);
    let row = lp >>> 3;
    const l0 = lse >>> 3;
    for (let r = 0; r < n; r++) {
      let m = h[row];
      for (let c = 1; c < k; c++) {
        const v = h[row + c];
        if (v > m) m = v;
      }
      if (m === -Infinity) {
        h[l0 + r] = -Infinity;
        for (let c = 0; c < k; c++) h[row + c] = negLogK;
      } else {
        let s = 0;
        for (let c = 0; c < k; c++) s += Math.exp(h[row + c] - m);
        const l = m + Math.log(s);
        h[l0 + r] = l;
        for (let c = 0; c < k; c++) h[row + c] -= l;
      }
      row += k;
    }
  }

  /** Adds the nb packed rows of U/V (stride dp) to sx (length d) and the upper triangle of sxx (d×d). */
  function flushTri(h: Float64Array, nb: number, d: number, dp: number, sx: number, sxx: number): void {
    for (let j = 0; j < d; j++) {
      let t = 0;
      for (let r = 0, o = j; r < nb; r++, o += dp) t += U[o];
      h[sx + j] += t;
    }
    // 2×2 register tiles over the upper triangle; U and V are zero-padded, so column/row d may be computed (never stored)
    for (let i = 0; i < d; i += 2) {
      const row0 = sxx + i * d;
      const row1 = row0 + d;
      const has1 = i + 1 < d;
      for (let j = i; j < d; j += 2) {
        let t00 = 0, t01 = 0, t10 = 0, t11 = 0;
        for (let r = 0, o = 0; r < nb; r++, o += dp) {
          const u0 = U[o + i], u1 = U[o + i + 1], v0 = V[o + j], v1 = V[o + j + 1];
          t00 += u0 * v0;
          t01 += u0 * v1;
          t10 += u1 * v0;
          t11 += u1 * v1;
        }
        const has2 = j + 1 < d;
        h[row0 + j] += t00;
        if (has2) h[row0 + j + 1] += t01;
        if (has1) {
          if (j > i) h[row1 + j] += t10;
          if (has2) h[row1 + j + 1] += t11;
        }
      }
    }
  }

  function eStepAccumulate(
    x: number, w: number, hasW: number, n: number, d: number, k: number, layout: number, hard: number,
    means: number, prec: number, logConst: number, scratch: number, stats: number,
  ): void {
    checkArgs(d, k, layout);
    ensure(d);
    const h = getHeap();
    const df = diff;
    const xE = x >>> 3, mE = means >>> 3, wE = w >>> 3, sc = scratch >>> 3;
    const st = stats >>> 3;
    const nkE = st + 2;
    const sxE = nkE + k;
    const sxxE = sxE + k * d;
    logDensities(h, xE, n, d, k, layout, mE, prec >>> 3, logConst >>> 3, sc);

    // responsibilities and Σ w·lse, Σ w
    const uniform = 1 / k;
    let ll = 0;
    let sw = 0;
    for (let r = 0, row = sc; r < n; r++, row += k) {
      let m = h[row];
      let am = 0;
      for (let c = 1; c < k; c++) {
        const v = h[row + c];
        if (v > m) {
          m = v;
          am = c;
        }
      }
      let l: number;
      if (hard !== 0) {
        l = m;
        for (let c = 0; c < k; c++) h[row + c] = c === am ? 1 : 0;
      } else if (m === -Infinity) {
        l = -Infinity;
        for (let c = 0; c < k; c++) h[row + c] = uniform;
      } else {
        let s = 0;
        for (let c = 0; c < k; c++) {
          const e = Math.exp(h[row + c] - m);
          h[row + c] = e;
          s += e;
        }
        l = m + Math.log(s);
        const inv = 1 / s;
        for (let c = 0; c < k; c++) h[row + c] *= inv;
      }
      const wgt = hasW !== 0 ? h[wE + r] : 1;
      if (wgt !== 0) {
        ll += wgt * l;
        sw += wgt;
      }
    }

    // sufficient statistics around the current means
    if (d <= SMALL_D && k <= SMALL_MAX_K) {
      // the fused small-d kernel's order: two partial sums per entry over the call, of the even and of the odd rows
      // (rows with wr = 0 included: they add zeros), then stats += even + odd
      const tri = layout <= LAYOUT_SHARED_TRI;
      const na = 1 + d + (tri ? d * d : d);
      if (S.length < 2 * k * na) S = new Float64Array(2 * k * na);
      S.fill(0, 0, 2 * k * na);
      for (let r = 0; r < n; r++) {
        const wgt = hasW !== 0 ? h[wE + r] : 1;
        const xr = xE + r * d;
        for (let c = 0; c < k; c++) {
          const wr = wgt * h[sc + r * k + c];
          const a = ((r & 1) * k + c) * na;
          const mu = mE + c * d;
          S[a] += wr;
          for (let j = 0; j < d; j++) df[j] = h[xr + j] - h[mu + j];
          for (let i = 0; i < d; i++) {
            const u = wr * df[i];
            S[a + 1 + i] += u;
            if (tri) for (let j = i; j < d; j++) S[a + 1 + d + i * d + j] += u * df[j];
            else S[a + 1 + d + i] += u * df[i];
          }
        }
      }
      for (let c = 0; c < k; c++) {
        const a = c * na;
        const b = (k + c) * na;
        h[nkE + c] += S[a] + S[b];
        for (let i = 0; i < d; i++) {
          h[sxE + c * d + i] += S[a + 1 + i] + S[b + 1 + i];
          if (tri) {
            for (let j = i; j < d; j++) h[sxxE + c * d * d + i * d + j] += S[a + 1 + d + i * d + j] + S[b + 1 + d + i * d + j];
          } else {
            h[sxxE + c * d + i] += S[a + 1 + d + i] + S[b + 1 + d + i];
          }
        }
      }
    } else if (layout <= LAYOUT_SHARED_TRI && d <= 4) {
      // one partial sum per entry over all the call's rows
      for (let c = 0; c < k; c++) {
        const mu = mE + c * d;
        T0.fill(0, 0, d);
        T1.fill(0, 0, d * d);
        let nkAcc = 0;
        for (let r = 0; r < n; r++) {
          const wr = (hasW !== 0 ? h[wE + r] : 1) * h[sc + r * k + c];
          if (wr === 0) continue;
          nkAcc += wr;
          const xr = xE + r * d;
          for (let j = 0; j < d; j++) df[j] = h[xr + j] - h[mu + j];
          for (let i = 0; i < d; i++) {
            const u = wr * df[i];
            T0[i] += u;
            for (let j = i; j < d; j++) T1[i * d + j] += u * df[j];
          }
        }
        h[nkE + c] += nkAcc;
        const sx = sxE + c * d;
        const sxx = sxxE + c * d * d;
        for (let i = 0; i < d; i++) {
          h[sx + i] += T0[i];
          for (let j = i; j < d; j++) h[sxx + i * d + j] += T1[i * d + j];
        }
      }
    } else if (layout <= LAYOUT_SHARED_TRI) {
      const dp = (d + 3) & ~3;
      const b = sxxBlockRows(d);
      for (let c = 0; c < k; c++) {
        const mu = mE + c * d;
        const sx = sxE + c * d;
        const sxx = sxxE + c * d * d;
        let nkAcc = 0;
        let nb = 0;
        for (let r = 0; r < n; r++) {
          const wr = (hasW !== 0 ? h[wE + r] : 1) * h[sc + r * k + c];
          if (wr === 0) continue;
          nkAcc += wr;
          const xr = xE + r * d;
          const o = nb * dp;
          for (let j = 0; j < d; j++) {
            const v = h[xr + j] - h[mu + j];
            V[o + j] = v;
            U[o + j] = wr * v;
          }
          for (let j = d; j < dp; j++) {
            V[o + j] = 0;
            U[o + j] = 0;
          }
          if (++nb === b) {
            flushTri(h, nb, d, dp, sx, sxx);
            nb = 0;
          }
        }
        if (nb > 0) flushTri(h, nb, d, dp, sx, sxx);
        h[nkE + c] += nkAcc;
      }
    } else {
      for (let c = 0; c < k; c++) {
        const mu = mE + c * d;
        const sx = sxE + c * d;
        const sxx = sxxE + c * d;
        T0.fill(0, 0, d);
        T1.fill(0, 0, d);
        let nkAcc = 0;
        for (let r = 0; r < n; r++) {
          const wr = (hasW !== 0 ? h[wE + r] : 1) * h[sc + r * k + c];
          if (wr === 0) continue;
          nkAcc += wr;
          const xr = xE + r * d;
          for (let j = 0; j < d; j++) {
            const v = h[xr + j] - h[mu + j];
            const t = wr * v;
            T0[j] += t;
            T1[j] += t * v;
          }
        }
        h[nkE + c] += nkAcc;
        for (let j = 0; j < d; j++) {
          h[sx + j] += T0[j];
          h[sxx + j] += T1[j];
        }
      }
    }
    h[st] += ll;
    h[st + 1] += sw;
  }

  return { logProb, normalizeRows, eStepAccumulate };
}
