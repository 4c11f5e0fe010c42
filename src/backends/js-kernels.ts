/**
 * Pure-TypeScript twin of the AssemblyScript kernels in `assembly/index.ts` (ABI: `assembly/README.md`).
 *
 * The loops perform the same floating-point operations in the same order as the SIMD code: an f64x2
 * accumulator becomes two scalar accumulators (`s0` for lane 0 = even columns, `s1` for lane 1 = odd
 * columns), summed as `s0 + s1` before the odd-d tail. Results therefore match the wasm backend bit for
 * bit except where `Math.exp`/`Math.log` differ by an ulp between engines.
 *
 * Pointers are byte offsets (multiples of 16) into the heap returned by `getHeap()`; index = ptr >>> 3.
 */
import type { Kernels } from './types.js';

/** Largest supported number of features (the wasm kernels' static diff buffer holds this many doubles). */
export const MAX_D = 4096;

function checkArgs(d: number, k: number, covType: number): void {
  if (!(d >= 1 && d <= MAX_D)) throw new Error('gaussmix kernels: d must be in 1..4096');
  if (!(k >= 1)) throw new Error('gaussmix kernels: k must be >= 1');
  if (!(covType >= 0 && covType <= 3)) throw new Error('gaussmix kernels: bad covType');
}

/** diff[j] = h[x + j] − h[mu + j] (x, mu are element indices). */
function computeDiff(h: Float64Array, x: number, mu: number, d: number, diff: Float64Array): void {
  for (let j = 0; j < d; j++) diff[j] = h[x + j] - h[mu + j];
}

/** ‖y‖², y_j = Σ_{i≤j} diff[i]·P[i][j]; mirrors mahalTri in assembly/index.ts. `p` is an element index. */
function mahalTri(h: Float64Array, p: number, d: number, diff: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    let a0 = 0;
    let a1 = 0;
    let pj = p + j;
    for (let i = 0; i <= j + 1; i++) {
      const di = diff[i];
      a0 += di * h[pj];
      a1 += di * h[pj + 1];
      pj += d;
    }
    s0 += a0 * a0;
    s1 += a1 * a1;
  }
  let s = s0 + s1;
  if (j < d) {
    let t = 0;
    let pj = p + j;
    for (let i = 0; i < d; i++) {
      t += diff[i] * h[pj];
      pj += d;
    }
    s += t * t;
  }
  return s;
}

function mahalDiag(h: Float64Array, x: number, mu: number, p: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const y0 = (h[x + j] - h[mu + j]) * h[p + j];
    const y1 = (h[x + j + 1] - h[mu + j + 1]) * h[p + j + 1];
    s0 += y0 * y0;
    s1 += y1 * y1;
  }
  let s = s0 + s1;
  if (j < d) {
    const y = (h[x + j] - h[mu + j]) * h[p + j];
    s += y * y;
  }
  return s;
}

function mahalSpherical(h: Float64Array, x: number, mu: number, ps: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const y0 = (h[x + j] - h[mu + j]) * ps;
    const y1 = (h[x + j + 1] - h[mu + j + 1]) * ps;
    s0 += y0 * y0;
    s1 += y1 * y1;
  }
  let s = s0 + s1;
  if (j < d) {
    const y = (h[x + j] - h[mu + j]) * ps;
    s += y * y;
  }
  return s;
}

/** log πc N(x; μc, Σc); all offsets are element indices. */
function logDensity(
  h: Float64Array, x: number, d: number, c: number, covType: number,
  means: number, prec: number, logConst: number, diff: Float64Array,
): number {
  const mu = means + c * d;
  let ss: number;
  if (covType === 0) {
    computeDiff(h, x, mu, d, diff);
    ss = mahalTri(h, prec + c * d * d, d, diff);
  } else if (covType === 1) {
    computeDiff(h, x, mu, d, diff);
    ss = mahalTri(h, prec, d, diff);
  } else if (covType === 2) {
    ss = mahalDiag(h, x, mu, prec + c * d, d);
  } else {
    ss = mahalSpherical(h, x, mu, h[prec + c], d);
  }
  return h[logConst + c] - 0.5 * ss;
}

/** Mirrors `accumulate` in assembly/index.ts; offsets are element indices. */
function accumulate(
  h: Float64Array, x: number, mu: number, d: number, covType: number, wr: number,
  sx: number, sxx: number, diff: Float64Array,
): void {
  if (covType <= 1) {
    computeDiff(h, x, mu, d, diff);
    for (let j = 0; j < d; j++) h[sx + j] += wr * diff[j];
    let row = sxx;
    for (let i = 0; i < d; i++) {
      const t = wr * diff[i];
      for (let j = i & ~1; j < d; j++) h[row + j] += t * diff[j];
      row += d;
    }
  } else {
    for (let j = 0; j < d; j++) {
      const df = h[x + j] - h[mu + j];
      const t = wr * df;
      h[sx + j] += t;
      h[sxx + j] += t * df;
    }
  }
}

/**
 * Kernels over the heap returned by `getHeap` (called once per kernel call, so a heap that was reallocated
 * between calls is picked up).
 */
export function createJsKernels(getHeap: () => Float64Array): Kernels {
  let diff = new Float64Array(64);
  const diffFor = (d: number): Float64Array => {
    if (diff.length < d) diff = new Float64Array(Math.max(d, 2 * diff.length));
    return diff;
  };

  function logProb(
    x: number, n: number, d: number, k: number, covType: number,
    means: number, prec: number, logConst: number, out: number,
  ): void {
    checkArgs(d, k, covType);
    const h = getHeap();
    const df = diffFor(d);
    const mE = means >>> 3, pE = prec >>> 3, lcE = logConst >>> 3;
    let xr = x >>> 3;
    let o = out >>> 3;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) h[o++] = logDensity(h, xr, d, c, covType, mE, pE, lcE, df);
      xr += d;
    }
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

  function eStepAccumulate(
    x: number, w: number, hasW: number, n: number, d: number, k: number, covType: number, hard: number,
    means: number, prec: number, logConst: number, scratch: number, stats: number,
  ): void {
    checkArgs(d, k, covType);
    const h = getHeap();
    const df = diffFor(d);
    const mE = means >>> 3, pE = prec >>> 3, lcE = logConst >>> 3, wE = w >>> 3;
    const st = stats >>> 3;
    const nkE = st + 2;
    const sxE = nkE + k;
    const sxxE = sxE + k * d;
    const sxxStride = covType <= 1 ? d * d : d;
    const uniform = 1 / k;
    let ll = 0;
    let sw = 0;
    let xr = x >>> 3;
    let row = scratch >>> 3;
    for (let r = 0; r < n; r++) {
      let m = -Infinity;
      let am = 0;
      for (let c = 0; c < k; c++) {
        const v = logDensity(h, xr, d, c, covType, mE, pE, lcE, df);
        h[row + c] = v;
        if (c === 0 || v > m) {
          m = v;
          am = c;
        }
      }
      const wgt = hasW !== 0 ? h[wE + r] : 1;
      if (hard !== 0) {
        const best = h[row + am];
        for (let c = 0; c < k; c++) h[row + c] = c === am ? 1 : 0;
        if (wgt !== 0) {
          ll += wgt * best;
          sw += wgt;
          h[nkE + am] += wgt;
          accumulate(h, xr, mE + am * d, d, covType, wgt, sxE + am * d, sxxE + am * sxxStride, df);
        }
      } else {
        let l: number;
        if (m === -Infinity) {
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
          for (let c = 0; c < k; c++) h[row + c] /= s;
        }
        if (wgt !== 0) {
          ll += wgt * l;
          sw += wgt;
          for (let c = 0; c < k; c++) {
            const wr = wgt * h[row + c];
            if (wr === 0) continue;
            h[nkE + c] += wr;
            accumulate(h, xr, mE + c * d, d, covType, wr, sxE + c * d, sxxE + c * sxxStride, df);
          }
        }
      }
      xr += d;
      row += k;
    }
    h[st] += ll;
    h[st + 1] += sw;
  }

  return { logProb, normalizeRows, eStepAccumulate };
}
