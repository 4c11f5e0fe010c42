/**
 * The M-step's factorisations (model/linalg.ts): Cholesky with pivot floors, and the precision factor (L⁻¹)ᵀ built
 * row by row with four partial sums. Checked against their definitions (L·Lᵀ = A, Lᵀ·P = I) to 1e-12 relative to
 * the matrix's scale, and against the column-by-column inverse, at sizes that exercise the partial sums' remainder
 * (D mod 4 = 1, 2, 3, 0).
 */
import { describe, expect, it } from 'vitest';
import {
  choleskyLower,
  choleskyPivot,
  invertLower,
  invertLowerTransposed,
  transpose,
} from '../../../src/model/linalg.js';
import { Random } from '../../../src/util/random.js';

/** A random symmetric positive definite d×d matrix B·Bᵀ + I (row-major). */
function spd(rng: Random, d: number): Float64Array {
  const b = Float64Array.from({ length: d * d }, () => rng.normal());
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = i === j ? 1 : 0;
      for (let p = 0; p < d; p++) s += b[i * d + p] * b[j * d + p];
      a[i * d + j] = s;
    }
  return a;
}

const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('linalg', () => {
  for (const d of [1, 2, 3, 5, 8, 17, 64]) {
    it(`d = ${d}: L·Lᵀ = A, Lᵀ·P = I, and P = (L⁻¹)ᵀ as the column-wise inverse gives it`, () => {
      const rng = new Random(d);
      const a = spd(rng, d);
      const l = new Float64Array(d * d);
      expect(choleskyPivot(a, 0, d, l, 0)).toBe(-1);
      const scale = maxAbs(a);
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          if (j > i) expect(l[i * d + j]).toBe(0);
          let s = 0;
          for (let p = 0; p < d; p++) s += l[i * d + p] * l[j * d + p];
          expect(Math.abs(s - a[i * d + j]) / scale).toBeLessThan(1e-12);
        }
      const prec = new Float64Array(d * d);
      invertLowerTransposed(l, 0, d, prec, 0);
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          if (j < i) expect(prec[i * d + j]).toBe(0); // upper-triangular
          let s = 0; // (Lᵀ·P)[i][j] = Σ_p L[p][i]·P[p][j]
          for (let p = 0; p < d; p++) s += l[p * d + i] * prec[p * d + j];
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12 * d);
        }
      const inv = new Float64Array(d * d);
      const ref = new Float64Array(d * d);
      invertLower(l, 0, d, inv, 0);
      transpose(inv, 0, d, ref, 0);
      const size = maxAbs(ref);
      for (let i = 0; i < d * d; i++) expect(Math.abs(prec[i] - ref[i]) / size).toBeLessThan(1e-12);
    });
  }

  it('a pivot at or below its floor (or not finite) fails at that row', () => {
    const a = Float64Array.of(4, 2, 2, 1); // rank one: the second pivot is 0
    const l = new Float64Array(4);
    expect(choleskyPivot(a, 0, 2, l, 0)).toBe(1);
    expect(choleskyLower(a, 0, 2, l, 0)).toBe(false);
    const b = Float64Array.of(4, 0, 0, 1e-3);
    expect(choleskyPivot(b, 0, 2, l, 0)).toBe(-1);
    expect(choleskyPivot(b, 0, 2, l, 0, Float64Array.of(0, 1e-3))).toBe(1); // not above its floor
    expect(choleskyPivot(Float64Array.of(Number.NaN), 0, 1, l, 0)).toBe(0);
  });
});
