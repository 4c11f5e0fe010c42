/**
 * The scoring pass (drivers/local/inference.ts: totalLogDensity, sumLogMaxResponsibility, logLikAndMaxResponsibility)
 * takes each row's lse and log max r from the scoreRows kernel (Workspace.forEachScore) instead of writing and
 * scanning the log responsibilities (forEachLogResp). Σ log p(x) must be the same bit for bit, repairs included (a
 * NaN lse, where x − μ overflows, counts as −∞; so does an all-underflow row), and Σ log max r the same within
 * rounding — better where |lse| is so large that lp − lse loses digits.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import '../../src/index.js'; // hands the built kernel binary to the loader
import { createJsBackend } from '../../src/backends/js/index.js';
import type { Backend } from '../../src/backends/types.js';
import { createWasmBackend } from '../../src/backends/wasm.js';
import { Workspace } from '../../src/backends/workspace.js';
import { denseRows } from '../../src/data/rows.js';
import {
  type LogDensities,
  logLikAndMaxResponsibility,
  sumLogMaxResponsibility,
  totalLogDensity,
} from '../../src/drivers/local/inference.js';
import { kernelParams, withFactors } from '../../src/model/params.js';
import { Random } from '../../src/util/random.js';

// the relaxed-SIMD build on Node 20 (Node ≥ 22 validates it by default), as in kernels.test.ts
setFlagsFromString('--experimental-wasm-relaxed-simd');

const backends: [string, () => Backend][] = [
  ['js', createJsBackend],
  ['wasm (simd)', () => createWasmBackend('simd')],
  ['wasm (relaxed-simd)', () => createWasmBackend('relaxed-simd')],
];

/** The same workspace seen without forEachScore: the sums then take forEachLogResp, as before scoreRows. */
const twoPass = (ws: Workspace): LogDensities => ({
  k: ws.k,
  forEachLogProb: ws.forEachLogProb.bind(ws),
  forEachLogResp: ws.forEachLogResp.bind(ws),
});

function workspace(be: Backend, covType: 'full' | 'diag', k: number, d: number, same = false): Workspace {
  const R = new Random(5);
  const means = Float64Array.from({ length: k * d }, () => (same ? 0 : 6 * R.random() - 3));
  const per = covType === 'full' ? d * d : d;
  const cov = new Float64Array(k * per);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      if (covType === 'diag') cov[c * per + i] = same ? 1 : 0.5 + R.random();
      else
        for (let j = 0; j < d; j++) {
          cov[c * per + i * d + j] = i === j ? (same ? 1 : 1 + R.random()) : same ? 0 : 0.3 / (1 + Math.abs(i - j));
        }
    }
  }
  const p = withFactors(covType, k, d, new Float64Array(k).fill(1 / k), means, cov);
  if (typeof p === 'number') throw new Error('not positive definite');
  const kp = kernelParams(p);
  const ws = new Workspace(be, kp, 64); // blocks of 64 rows: several blocks, full 4-row tiles, a partial last one
  ws.load(kp);
  return ws;
}

/** n rows around the means, then the tail cases at fixed rows. */
function data(d: number, n: number): Float64Array {
  const R = new Random(9);
  const x = Float64Array.from({ length: n * d }, () => 3 * (R.random() - 0.5));
  for (let j = 0; j < d; j++) {
    x[5 * d + j] = 900; // |lse| > 1e3
    x[66 * d + j] = -3e8; // |lse| ≈ 1e17
    x[67 * d + j] = 1e200; // the squared distances overflow: every log density −∞, lse = −∞
  }
  x[130 * d] = Number.NaN; // a NaN log density (what an overflowing x − μ gives): repaired to −∞
  return x;
}

const SHAPES = [
  ['full', 6, 2], // the fused D ≤ 4 kernel
  ['diag', 5, 3], // fused, diagonal layout
  ['full', 3, 7], // the generic path
] as const;

describe('the scoring sums from scoreRows equal those from the log responsibilities', () => {
  for (const [name, make] of backends) {
    for (const [covType, k, d] of SHAPES) {
      it(`${name}, ${covType}, K = ${k}, D = ${d}`, () => {
        const ws = workspace(make(), covType, k, d);
        const n = 203;
        const rows = denseRows(data(d, n), d);
        // not vacuous: the kernel's lse holds each case the sums repair
        const cases = { nan: 0, ninf: 0, far: 0 };
        ws.forEachScore(rows, (_s, count, lse) => {
          for (let r = 0; r < count; r++) {
            if (Number.isNaN(lse[r])) cases.nan++;
            else if (lse[r] === Number.NEGATIVE_INFINITY) cases.ninf++;
            else if (Math.abs(lse[r]) > 1e3) cases.far++;
          }
        });
        expect(cases).toEqual({ nan: 1, ninf: 1, far: 2 });
        const fast = logLikAndMaxResponsibility(ws, rows);
        const ref = logLikAndMaxResponsibility(twoPass(ws), rows);
        expect(fast.total).toBe(Number.NEGATIVE_INFINITY);
        expect(ref.total).toBe(Number.NEGATIVE_INFINITY);
        expect(fast.sumLogMax).toBeCloseTo(ref.sumLogMax, 9);
        // without the −∞ and NaN rows: Σ log p(x) bit for bit, Σ log max r within rounding
        const tame = denseRows(data(d, n).subarray(0, 60 * d), d);
        expect(totalLogDensity(ws, tame)).toBe(totalLogDensity(twoPass(ws), tame));
        expect(Number.isFinite(totalLogDensity(ws, tame))).toBe(true);
        const a = sumLogMaxResponsibility(ws, tame);
        const b = sumLogMaxResponsibility(twoPass(ws), tame);
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
        expect(a).toBeLessThan(0);
      });
    }
  }

  it('a row so far out that lse ≈ 1e17, under identical components: log max r = −log k, as after the renormalisation', () => {
    // lp − lse rounds to 0 in every column (the spacing of doubles at 1e17 is 16 > log k); forEachLogResp
    // renormalises such a row to uniform −log k, and −log Σ exp(lp − max) is −log k directly
    for (const [name, make] of backends) {
      for (const [covType, k, d] of SHAPES) {
        const ws = workspace(make(), covType, k, d, true);
        const x = new Float64Array(2 * d).fill(0.25);
        x.fill(3e8, 0, d);
        const rows = denseRows(x, d);
        const got = sumLogMaxResponsibility(ws, rows);
        expect(got, `${name} ${covType}`).toBeCloseTo(-2 * Math.log(k), 12);
        expect(got, `${name} ${covType}`).toBeCloseTo(sumLogMaxResponsibility(twoPass(ws), rows), 12);
      }
    }
  });
});
