/**
 * The twin of `assembly/statistics.ts`: the block's sufficient statistics (nk, sx, sxx) around the current means,
 * from the responsibilities in scratch, on the generic path (the fused d ≤ 4 path is small-d.ts).
 *
 * wasm adds the rows of each component in blocks (rank-b updates of packed rows; for d ≤ 4 all the call's rows in
 * registers) and each entry's partial sum has its own accumulator, so the twin reproduces its results with plain
 * loops that keep the *same block boundaries* (`sxxBlockRows`): with wr = w·r (0 when r < prune), u = wr·(x − μ),
 * v = x − μ and rows of wr = 0 skipped, nk += Σ_r wr over the call; triangular layouts: per block, sx[j] += Σ_r u_r[j] and
 * sxx[i][j] += Σ_r u_r[i]·v_r[j]; diagonal layouts: over the call, sx[j] += Σ_r u_r[j], sxx[j] += Σ_r u_r[j]·v_r[j].
 */
import { BUF_DOUBLES, LAYOUT_SHARED_TRI, type Scratch } from './buffer.js';

/** Rows per rank-b update in wasm, when 32 padded rows fit half the static buffer (d ≤ 128). */
const PACK_ROWS = 32;

/**
 * Triangular layouts: rows per partial-sum block of sx/sxx, as in assembly/statistics.ts — d ≤ 4: all the call's
 * rows (held in registers there); else min(PACK_ROWS, rows of 4·⌈d/4⌉ doubles that fit half the static buffer).
 */
export function sxxBlockRows(d: number): number {
  return d <= 4 ? Infinity : Math.min(PACK_ROWS, Math.floor(BUF_DOUBLES / 2 / ((d + 3) & ~3)));
}

/** w_r·r, or 0 when r < prune (as assembly/statistics.ts's weightResp). */
function weightResp(h: Float64Array, wE: number, hasW: number, r: number, resp: number, prune: number): number {
  if (resp < prune) return 0;
  return (hasW !== 0 ? h[wE + r] : 1) * resp;
}

/** Adds the nb packed rows of U/V (stride dp) to sx (length d) and the upper triangle of sxx (d×d). */
function flushTri(
  h: Float64Array,
  U: Float64Array,
  V: Float64Array,
  nb: number,
  d: number,
  dp: number,
  sx: number,
  sxx: number,
): void {
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
      let t00 = 0,
        t01 = 0,
        t10 = 0,
        t11 = 0;
      for (let r = 0, o = 0; r < nb; r++, o += dp) {
        const u0 = U[o + i],
          u1 = U[o + i + 1],
          v0 = V[o + j],
          v1 = V[o + j + 1];
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

/**
 * Adds the block's statistics into h (README: nk at st + 2, sx at st + 2 + k, sxx at st + 2 + k + k·d) from the
 * responsibilities at sc; slots st and st + 1 are not touched. All arguments are element indices into h.
 * Preconditions: checkArgs passed and `tmp.ensure(d)` was called; w (n doubles) is read only when hasW = 1; the stats
 * overlap no input.
 */
export function accumulateStats(
  h: Float64Array,
  xE: number,
  wE: number,
  hasW: number,
  n: number,
  d: number,
  k: number,
  layout: number,
  mE: number,
  sc: number,
  st: number,
  prune: number,
  tmp: Scratch,
): void {
  const { diff: df, U, V, T0, T1 } = tmp;
  const nkE = st + 2;
  const sxE = nkE + k;
  const sxxE = sxE + k * d;
  if (layout <= LAYOUT_SHARED_TRI && d <= 4) {
    // one partial sum per entry over all the call's rows
    for (let c = 0; c < k; c++) {
      const mu = mE + c * d;
      T0.fill(0, 0, d);
      T1.fill(0, 0, d * d);
      let nkAcc = 0;
      for (let r = 0; r < n; r++) {
        const wr = weightResp(h, wE, hasW, r, h[sc + r * k + c], prune);
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
        const wr = weightResp(h, wE, hasW, r, h[sc + r * k + c], prune);
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
          flushTri(h, U, V, nb, d, dp, sx, sxx);
          nb = 0;
        }
      }
      if (nb > 0) flushTri(h, U, V, nb, d, dp, sx, sxx);
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
        const wr = weightResp(h, wE, hasW, r, h[sc + r * k + c], prune);
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
}
