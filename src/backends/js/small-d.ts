/**
 * The twin of `assembly/small-d.ts`: the E-pass for d ≤ 4 and k ≤ 240, where wasm fuses all three phases into one
 * pass per 4-row tile.
 *
 * The fusion changes no per-row arithmetic (log densities and responsibilities are those of log-density.ts and
 * responsibilities.ts, so the twin simply runs those), but it does change the statistics' summation order: wasm keeps
 * rows in two lanes, so every entry has two partial sums over the call — lane 0 the even rows, lane 1 the odd rows,
 * in row order, rows with wr = 0 included (they add zeros) — and then stats += even + odd. That order is reproduced
 * here.
 */
import { LAYOUT_SHARED_TRI, type Scratch } from './buffer.js';
import { logDensities } from './log-density.js';
import { responsibilities } from './responsibilities.js';

/** Largest d of the fused path. */
export const SMALL_D = 4;
/** Largest k of the fused path (its tile and accumulators must fit wasm's static buffer). */
export const SMALL_MAX_K = 240;

/**
 * The whole of eStepAccumulate on the fused path: log densities and responsibilities into h[sc..], Σ w·lse and Σ w
 * added to h[st] and h[st + 1], the statistics added into the rest of the stats. All arguments are element indices.
 * Preconditions: 1 ≤ d ≤ SMALL_D, 1 ≤ k ≤ SMALL_MAX_K, layout in 0..3, `tmp.ensure(d)` was called; w (n doubles) is
 * read only when hasW = 1; scratch (n·k) and the stats overlap nothing else.
 */
export function eStepFused(
  h: Float64Array,
  xE: number,
  wE: number,
  hasW: number,
  n: number,
  d: number,
  k: number,
  layout: number,
  hard: number,
  mE: number,
  prec: number,
  logConst: number,
  sc: number,
  st: number,
  tmp: Scratch,
): void {
  logDensities(h, xE, n, d, k, layout, mE, prec, logConst, sc, tmp);
  responsibilities(h, sc, n, k, hard, wE, hasW, st);
  const df = tmp.diff;
  const nkE = st + 2;
  const sxE = nkE + k;
  const sxxE = sxE + k * d;
  // the fused small-d kernel's order: two partial sums per entry over the call, of the even and of the odd rows
  // (rows with wr = 0 included: they add zeros), then stats += even + odd
  const tri = layout <= LAYOUT_SHARED_TRI;
  const na = 1 + d + (tri ? d * d : d);
  if (tmp.S.length < 2 * k * na) tmp.S = new Float64Array(2 * k * na);
  const S = tmp.S;
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
        for (let j = i; j < d; j++)
          h[sxxE + c * d * d + i * d + j] += S[a + 1 + d + i * d + j] + S[b + 1 + d + i * d + j];
      } else {
        h[sxxE + c * d + i] += S[a + 1 + d + i] + S[b + 1 + d + i];
      }
    }
  }
}
