import { describe, expect, it } from 'vitest';
import { polarFactor, svd, symmetricEigen } from '../../../src/model/eigen';
import { GaussianMixture } from '../../../src/api/index.js';
import { contaminatedMixture } from '../../helpers/contaminated.js';

/** Small deterministic generator (mulberry32), so the tests need nothing from src/ but eigen.ts. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMatrix(r: () => number, m: number, n: number): Float64Array {
  return Float64Array.from({ length: m * n }, () => 2 * r() - 1);
}

function matmul(a: Float64Array, b: Float64Array, m: number, p: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < p; q++) s += a[i * p + q] * b[q * n + j];
      out[i * n + j] = s;
    }
  return out;
}

function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/** Random orthogonal matrix (Gram–Schmidt of a random matrix). */
function randomOrthogonal(r: () => number, d: number): Float64Array {
  const q = randomMatrix(r, d, d);
  for (let j = 0; j < d; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i * d + j] * q[i * d + p];
      for (let i = 0; i < d; i++) q[i * d + j] -= dot * q[i * d + p];
    }
    let nrm = 0;
    for (let i = 0; i < d; i++) nrm += q[i * d + j] ** 2;
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < d; i++) q[i * d + j] /= nrm;
  }
  return q;
}

/** Q·diag(values)·Qᵀ */
function fromSpectrum(q: Float64Array, values: number[], d: number): Float64Array {
  const scaled = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) scaled[i * d + j] = q[i * d + j] * values[j];
  return matmul(scaled, transpose(q, d, d), d, d, d);
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

function orthogonalityError(q: Float64Array, m: number, n: number): number {
  const qtq = matmul(transpose(q, m, n), q, n, m, n);
  for (let i = 0; i < n; i++) qtq[i * n + i] -= 1;
  return maxAbs(qtq);
}

describe('symmetricEigen', () => {
  it('reconstructs random symmetric matrices, orthonormal vectors, values descending (D = 1..40)', () => {
    const r = rng(1);
    for (const d of [1, 2, 3, 4, 6, 10, 25, 40]) {
      const b = randomMatrix(r, d, d);
      const a = matmul(b, transpose(b, d, d), d, d, d);
      for (let i = 0; i < d; i++) a[i * d + i] -= 0.5; // indefinite too
      const { values, vectors } = symmetricEigen(a, d);
      for (let j = 1; j < d; j++) expect(values[j]).toBeLessThanOrEqual(values[j - 1]);
      expect(orthogonalityError(vectors, d, d)).toBeLessThan(1e-13 * d);
      const back = fromSpectrum(vectors, Array.from(values), d);
      const diff = back.map((x, i) => x - a[i]);
      expect(maxAbs(diff)).toBeLessThan(1e-13 * Math.max(1, maxAbs(a)) * d);
    }
  });

  it('recovers a known spectrum, small eigenvalues to high relative accuracy', () => {
    const r = rng(2);
    const d = 6;
    const spectrum = [1e4, 50, 3, 1, 1e-3, 1e-6];
    const q = randomOrthogonal(r, d);
    const a = fromSpectrum(q, spectrum, d);
    const { values, vectors } = symmetricEigen(a, d);
    for (let j = 0; j < d; j++) {
      // rounding in forming A limits what any method can do: |δλ| ≲ eps·‖A‖
      expect(Math.abs(values[j] - spectrum[j])).toBeLessThan(1e-15 * 1e4 * 20);
      // eigenvectors agree up to sign
      let dot = 0;
      for (let i = 0; i < d; i++) dot += vectors[i * d + j] * q[i * d + j];
      if (j < 4) expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-12);
    }
  });

  it('handles diagonal, repeated and zero eigenvalues', () => {
    const d = 4;
    const diag = Float64Array.from([2, 0, 0, 0, 0, 5, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
    const e = symmetricEigen(diag, d);
    expect(Array.from(e.values)).toEqual([5, 2, 2, 0]);
    expect(e.sweeps).toBe(0);
    const r = rng(3);
    const q = randomOrthogonal(r, d);
    const a = fromSpectrum(q, [3, 3, 1, 0], d);
    const f = symmetricEigen(a, d);
    const expected = [3, 3, 1, 0];
    for (let j = 0; j < d; j++) expect(Math.abs(f.values[j] - expected[j])).toBeLessThan(1e-14);
    expect(orthogonalityError(f.vectors, d, d)).toBeLessThan(1e-14);
    // the 2-d eigenspace of 3 is reproduced: A·v = 3·v for the first two vectors
    const av = matmul(a, f.vectors, d, d, d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < 2; j++) expect(Math.abs(av[i * d + j] - 3 * f.vectors[i * d + j])).toBeLessThan(1e-13);
  });

  it('reads only the upper triangle, from an offset', () => {
    const buf = Float64Array.from([99, 99, 4, 1, -7, 3]); // 2×2 at offset 2; lower entry (-7) must be ignored
    const e = symmetricEigen(buf, 2, 2);
    const t = (4 + 3) / 2;
    const h = Math.sqrt(((4 - 3) / 2) ** 2 + 1);
    expect(e.values[0]).toBeCloseTo(t + h, 14);
    expect(e.values[1]).toBeCloseTo(t - h, 14);
  });

  it('is deterministic in sign: largest entry of each eigenvector positive', () => {
    const r = rng(4);
    const d = 5;
    const b = randomMatrix(r, d, d);
    const a = matmul(b, transpose(b, d, d), d, d, d);
    const { vectors } = symmetricEigen(a, d);
    for (let j = 0; j < d; j++) {
      let big = 0;
      for (let i = 0; i < d; i++) if (Math.abs(vectors[i * d + j]) > Math.abs(big)) big = vectors[i * d + j];
      expect(big).toBeGreaterThan(0);
    }
  });

  it('copes with badly scaled matrices (diabetes-like scales 1e2..1e5)', () => {
    const d = 3;
    const s = [1e2, 1e4, 1e5];
    const r = rng(5);
    const q = randomOrthogonal(r, d);
    const core = fromSpectrum(q, [3, 1, 0.2], d);
    const a = core.map((x, idx) => x * s[Math.floor(idx / d)] * s[idx % d]);
    const { values, vectors } = symmetricEigen(a, d);
    const back = fromSpectrum(vectors, Array.from(values), d);
    for (let i = 0; i < d * d; i++) expect(Math.abs(back[i] - a[i])).toBeLessThan(1e-14 * maxAbs(a) * 10);
  });
});

describe('svd', () => {
  it('reconstructs square and tall matrices with orthonormal factors', () => {
    const r = rng(6);
    for (const [m, n] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [6, 6],
      [10, 4],
      [30, 30],
    ]) {
      const a = randomMatrix(r, m, n);
      const { u, s, v } = svd(a, m, n);
      for (let j = 1; j < n; j++) expect(s[j]).toBeLessThanOrEqual(s[j - 1]);
      expect(orthogonalityError(u, m, n)).toBeLessThan(1e-13 * n);
      expect(orthogonalityError(v, n, n)).toBeLessThan(1e-13 * n);
      const us = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) us[i * n + j] = u[i * n + j] * s[j];
      const back = matmul(us, transpose(v, n, n), m, n, n);
      expect(maxAbs(back.map((x, i) => x - a[i]))).toBeLessThan(1e-13 * n);
    }
  });

  it('completes U for rank-deficient input', () => {
    const d = 4;
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      a[i * d + 0] = i + 1;
      a[i * d + 1] = 2 * (i + 1);
    } // rank 1
    const { u, s } = svd(a, d, d);
    expect(s[1]).toBeLessThan(1e-12);
    expect(orthogonalityError(u, d, d)).toBeLessThan(1e-12);
    expect(() => svd(a, 2, 8)).toThrow();
  });
});

describe('polarFactor', () => {
  it('returns the orthogonal factor: Q orthogonal, QᵀA symmetric positive definite', () => {
    const r = rng(7);
    for (const d of [2, 3, 6]) {
      const a = randomMatrix(r, d, d);
      const q = polarFactor(a, d);
      expect(orthogonalityError(q, d, d)).toBeLessThan(1e-13);
      const h = matmul(transpose(q, d, d), a, d, d, d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j < i; j++) expect(Math.abs(h[i * d + j] - h[j * d + i])).toBeLessThan(1e-13);
      const e = symmetricEigen(h, d);
      expect(e.values[d - 1]).toBeGreaterThan(0);
    }
  });

  it('is the identity for symmetric positive definite input and Q itself for orthogonal input', () => {
    const r = rng(8);
    const d = 4;
    const q0 = randomOrthogonal(r, d);
    const spd = fromSpectrum(q0, [4, 3, 2, 1], d);
    const p1 = polarFactor(spd, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(p1[i * d + j]).toBeCloseTo(i === j ? 1 : 0, 13);
    const p2 = polarFactor(q0, d);
    for (let i = 0; i < d * d; i++) expect(p2[i]).toBeCloseTo(q0[i], 13);
  });
});

describe('svd of a rank-deficient matrix', () => {
  it("ends: EVE and VVE with one component (their MM step's polar-factor input loses rank at the optimum)", () => {
    // before: "svd: one-sided Jacobi did not converge", an untyped Error, on these rows (found by a property test)
    const { X } = contaminatedMixture(0, 150, 3, 2, 0.02);
    for (const covarianceType of ['EVE', 'VVE'] as const) {
      const gm = new GaussianMixture({ nComponents: 1, covarianceType, regCovar: 0, tol: 0, maxIter: 25 }).fit(X);
      const vvv = new GaussianMixture({ nComponents: 1, covarianceType: 'VVV', regCovar: 0, tol: 0, maxIter: 25 }).fit(
        X,
      );
      // one component: the constraints are vacuous, so the estimate is the sample covariance (the MM's inner
      // tolerance, √ε, bounds the difference)
      const a = gm.covariances as Float64Array[][];
      const b = vvv.covariances as Float64Array[][];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(a[0][i][j]).toBeCloseTo(b[0][i][j], 6);
    }
  });
});
