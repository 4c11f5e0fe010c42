import { setFlagsFromString } from 'node:v8';
import { describe, expect, it, vi } from 'vitest';
import '../../src/index.js'; // the package entry hands the built kernel binary to the loader
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend, createWasmBackendAsync, kernelVariant } from '../../src/backends/wasm.js';
import { type Backend, PRUNE_BELOW } from '../../src/backends/types.js';

// Both wasm builds are tested on every Node: Node ≥ 22 validates relaxed SIMD by default, Node 20 behind this flag,
// which V8 reads when it validates a module (so setting it before the first compile is enough).
setFlagsFromString('--experimental-wasm-relaxed-simd');

// ---------------------------------------------------------------------------------------------------------
// deterministic PRNG (mulberry32) + normal deviates

function rng(seed: number) {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    let v = u();
    while (v === 0) v = u();
    return Math.sqrt(-2 * Math.log(v)) * Math.cos(2 * Math.PI * u());
  };
  return { u, normal };
}

// ---------------------------------------------------------------------------------------------------------
// naive reference: explicit matrices, Σ = (P·Pᵀ)⁻¹, log N via −½(d log 2π + log det Σ + (x−μ)ᵀ Σ⁻¹ (x−μ))

type Mat = number[][];
const COV_TYPES = ['full', 'tied', 'diag', 'spherical'] as const;
type CovName = (typeof COV_TYPES)[number];
const COV = { full: 0, tied: 1, diag: 2, spherical: 3 } as const;

function matMulT(P: Mat): Mat {
  const d = P.length;
  const out: Mat = [];
  for (let i = 0; i < d; i++) {
    out.push([]);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let m = 0; m < d; m++) s += P[i][m] * P[j][m];
      out[i].push(s);
    }
  }
  return out;
}

/** Gauss–Jordan inverse with partial pivoting; also returns log|det|. */
function inverse(A: Mat): { inv: Mat; logDet: number } {
  const d = A.length;
  const a = A.map((r, i) => [...r, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    const p = a[c][c];
    logDet += Math.log(Math.abs(p));
    for (let j = 0; j < 2 * d; j++) a[c][j] /= p;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r][c];
      if (f === 0) continue;
      for (let j = 0; j < 2 * d; j++) a[r][j] -= f * a[c][j];
    }
  }
  return { inv: a.map((r) => r.slice(d)), logDet };
}

interface Problem {
  cov: CovName;
  n: number;
  d: number;
  k: number;
  X: number[][];
  w: number[] | null;
  means: number[][];
  /** precision Cholesky factor per component as a full d×d matrix (upper-triangular) */
  P: Mat[];
  logPi: number[];
  /** flat kernel inputs */
  precFlat: number[];
  logConst: number[];
}

function makeProblem(seed: number, cov: CovName, n: number, d: number, k: number, weighted: boolean): Problem {
  const R = rng(seed);
  const offset = 3;
  const means: number[][] = [];
  for (let c = 0; c < k; c++) means.push(Array.from({ length: d }, () => offset + 2 * R.normal()));
  const P: Mat[] = [];
  const precFlat: number[] = [];
  const triP = (): Mat => {
    const m: Mat = [];
    for (let i = 0; i < d; i++) {
      m.push([]);
      for (let j = 0; j < d; j++) {
        m[i].push(i === j ? 0.5 + 1.5 * R.u() : i < j ? (R.u() - 0.5) * (0.8 / Math.sqrt(d)) : 0);
      }
    }
    return m;
  };
  if (cov === 'full') {
    for (let c = 0; c < k; c++) {
      const m = triP();
      P.push(m);
      for (const row of m) precFlat.push(...row);
    }
  } else if (cov === 'tied') {
    const m = triP();
    for (let c = 0; c < k; c++) P.push(m);
    for (const row of m) precFlat.push(...row);
  } else if (cov === 'diag') {
    for (let c = 0; c < k; c++) {
      const p = Array.from({ length: d }, () => 0.5 + 1.5 * R.u());
      precFlat.push(...p);
      if (d <= 64) P.push(p.map((v, i) => p.map((_, j) => (i === j ? v : 0)))); // dense only for the naive reference
    }
  } else {
    for (let c = 0; c < k; c++) {
      const v = 0.5 + 1.5 * R.u();
      precFlat.push(v);
      if (d <= 64) P.push(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? v : 0))));
    }
  }
  const piRaw = Array.from({ length: k }, () => 0.2 + R.u());
  const piSum = piRaw.reduce((a, b) => a + b, 0);
  const logPi = piRaw.map((p) => Math.log(p / piSum));
  // log det P_c from the diagonal of P_c (read from precFlat, so large-d problems need no dense P)
  const logConst = logPi.map((lpi, c) => {
    let ld = 0;
    for (let i = 0; i < d; i++) {
      if (cov === 'full') ld += Math.log(precFlat[c * d * d + i * d + i]);
      else if (cov === 'tied') ld += Math.log(precFlat[i * d + i]);
      else if (cov === 'diag') ld += Math.log(precFlat[c * d + i]);
      else ld += Math.log(precFlat[c]);
    }
    return lpi + ld - 0.5 * d * Math.log(2 * Math.PI);
  });
  const X: number[][] = [];
  for (let r = 0; r < n; r++) {
    const c = Math.floor(R.u() * k);
    X.push(means[c].map((m) => m + 1.5 * R.normal()));
  }
  let w: number[] | null = null;
  if (weighted) {
    w = Array.from({ length: n }, () => (R.u() < 0.15 ? 0 : 2 * R.u()));
  }
  return { cov, n, d, k, X, w, means, P, logPi, precFlat, logConst };
}

function refLogProb(p: Problem): number[][] {
  const { d } = p;
  const comps = p.P.map((Pm, c) => {
    const Sigma = inverse(matMulT(Pm)).inv; // Σ = (P·Pᵀ)⁻¹
    const { inv: SigmaInv, logDet } = inverse(Sigma);
    return { SigmaInv, logDet, mu: p.means[c], logPi: p.logPi[c] };
  });
  return p.X.map((x) =>
    comps.map(({ SigmaInv, logDet, mu, logPi }) => {
      const diff = x.map((v, i) => v - mu[i]);
      let q = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q += diff[i] * SigmaInv[i][j] * diff[j];
      return logPi - 0.5 * (d * Math.log(2 * Math.PI) + logDet + q);
    }),
  );
}

interface RefStats {
  values: number[];
  /** per entry: Σ |terms| (the scale against which rounding error is judged) */
  scale: number[];
  resp: number[][];
}

/** `prune`: pairs whose responsibility is below it add nothing (the kernels' generic path; pass 0 for the fused one). */
function refStats(p: Problem, hard: boolean, lp: number[][], prune = 0): RefStats {
  const { n, d, k, cov } = p;
  const fullish = cov === 'full' || cov === 'tied';
  const sxxLen = fullish ? k * d * d : k * d;
  const len = 2 + k + k * d + sxxLen;
  const values = new Array<number>(len).fill(0);
  const scale = new Array<number>(len).fill(0);
  const add = (i: number, v: number) => {
    values[i] += v;
    scale[i] += Math.abs(v);
  };
  const resp: number[][] = [];
  for (let r = 0; r < n; r++) {
    const row = lp[r];
    let m = -Infinity;
    let am = 0;
    row.forEach((v, c) => {
      if (v > m) {
        m = v;
        am = c;
      }
    });
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    const rr = hard ? row.map((_, c) => (c === am ? 1 : 0)) : row.map((v) => Math.exp(v - lse));
    resp.push(rr);
    const wt = p.w ? p.w[r] : 1;
    if (wt === 0) continue;
    add(0, wt * (hard ? row[am] : lse));
    add(1, wt);
    for (let c = 0; c < k; c++) {
      if (rr[c] < prune) continue;
      const wr = wt * rr[c];
      add(2 + c, wr);
      const diff = p.X[r].map((v, i) => v - p.means[c][i]);
      for (let i = 0; i < d; i++) add(2 + k + c * d + i, wr * diff[i]);
      const base = 2 + k + k * d;
      if (fullish) {
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) add(base + c * d * d + i * d + j, wr * diff[i] * diff[j]);
      } else {
        for (let i = 0; i < d; i++) add(base + c * d + i, wr * diff[i] * diff[i]);
      }
    }
  }
  return { values, scale, resp };
}

// ---------------------------------------------------------------------------------------------------------
// heap layout helper

class Layout {
  private next: number;
  constructor(private readonly be: Backend) {
    this.next = be.base;
  }
  alloc(doubles: number): number {
    const ptr = this.next;
    this.next += Math.ceil((doubles * 8) / 16) * 16;
    this.be.reserve(this.next);
    return ptr;
  }
  put(values: ArrayLike<number>): number {
    const ptr = this.alloc(values.length);
    this.be.f64().set(values, ptr / 8);
    return ptr;
  }
  get(ptr: number, len: number): number[] {
    return Array.from(this.be.f64().subarray(ptr / 8, ptr / 8 + len));
  }
}

interface RunOut {
  lp: number[];
  norm: number[];
  lse: number[];
  stats: number[];
  scratch: number[];
}

function run(be: Backend, p: Problem, hard: boolean, initialStats?: number[], prune = be.prune): RunOut {
  const { n, d, k, cov } = p;
  const L = new Layout(be);
  const x = L.put(p.X.flat());
  const w = p.w ? L.put(p.w) : L.alloc(1);
  const means = L.put(p.means.flat());
  const prec = L.put(p.precFlat);
  const logConst = L.put(p.logConst);
  const out = L.alloc(n * k);
  const lse = L.alloc(n);
  const scratch = L.alloc(n * k);
  const statsLen = 2 + k + k * d + (cov === 'full' || cov === 'tied' ? k * d * d : k * d);
  const stats = L.put(initialStats ?? new Array<number>(statsLen).fill(0));
  const K = be.kernels;
  K.logProb(x, n, d, k, COV[cov], means, prec, logConst, out);
  const lp = L.get(out, n * k);
  K.normalizeRows(out, n, k, lse);
  K.eStepAccumulate(x, w, p.w ? 1 : 0, n, d, k, COV[cov], hard ? 1 : 0, means, prec, logConst, scratch, stats, prune);
  return {
    lp,
    norm: L.get(out, n * k),
    lse: L.get(lse, n),
    stats: L.get(stats, statsLen),
    scratch: L.get(scratch, n * k),
  };
}

/** Entries of the stats vector the ABI defines (full/tied sxx: upper triangle only). */
function definedStatIndices(p: Problem): number[] {
  const { d, k, cov } = p;
  const idx: number[] = [];
  const base = 2 + k + k * d;
  for (let i = 0; i < base; i++) idx.push(i);
  if (cov === 'full' || cov === 'tied') {
    for (let c = 0; c < k; c++)
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++) idx.push(base + c * d * d + i * d + j);
  } else {
    for (let i = 0; i < k * d; i++) idx.push(base + i);
  }
  return idx;
}

const TOL = 1e-10;

function expectClose(got: number, want: number, scale: number, tol: number, what: string): void {
  const err = Math.abs(got - want);
  const lim = tol * Math.max(1, Math.abs(want), scale);
  if (!(err <= lim)) throw new Error(`${what}: got ${got}, want ${want} (|err| ${err} > ${lim})`);
}

// ---------------------------------------------------------------------------------------------------------

const backends: [string, () => Backend][] = [
  ['js', createJsBackend],
  ['wasm (simd)', () => createWasmBackend('simd')],
  ['wasm (relaxed-simd)', () => createWasmBackend('relaxed-simd')],
];

describe('backends instantiate', () => {
  it('wasm backend has base ≥ heapBase, 16-aligned', () => {
    const be = createWasmBackend();
    expect(be.name).toBe('wasm');
    expect(be.base % 16).toBe(0);
    expect(be.base).toBeGreaterThan(0);
  });
  it('async wasm backend works', async () => {
    const be = await createWasmBackendAsync();
    expect(be.name).toBe('wasm');
    const p = makeProblem(5, 'full', 7, 3, 3, false);
    const a = run(be, p, false);
    const b = run(createJsBackend(), p, false);
    for (const i of definedStatIndices(p)) expectClose(a.stats[i], b.stats[i], 0, 1e-12, `stats[${i}]`);
  });
  it('wasm backend reports missing SIMD clearly', () => {
    const spy = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      expect(() => createWasmBackend()).toThrow(/SIMD/);
    } finally {
      spy.mockRestore();
    }
  });
  it('js backend base is 16', () => {
    expect(createJsBackend().base).toBe(16);
  });
});

describe.each(backends)('%s backend vs naive reference', (_name, make) => {
  const be = make();
  let seed = 1000;
  for (const cov of COV_TYPES) {
    // d ≤ 4 and d > 4 take different accumulation paths; n straddles the 4-row tiles and 32-row packed blocks
    for (const d of [1, 2, 3, 4, 5, 8, 9, 17]) {
      for (const k of [1, 3]) {
        for (const n of [1, 6, 7, 70]) {
          const s = seed++;
          it(`${cov} d=${d} k=${k} n=${n}`, () => {
            for (const weighted of [false, true]) {
              const p = makeProblem(s * 2 + (weighted ? 1 : 0), cov, n, d, k, weighted);
              const ref = refLogProb(p);
              for (const [hard, prune] of [
                [false, 0],
                [false, PRUNE_BELOW],
                [true, PRUNE_BELOW],
              ] as const) {
                const o = run(be, p, hard, undefined, prune);
                const tag = `${cov} d=${d} k=${k} n=${n} w=${weighted} hard=${hard} prune=${prune}`;
                // logProb
                for (let r = 0; r < n; r++)
                  for (let c = 0; c < k; c++) expectClose(o.lp[r * k + c], ref[r][c], 0, TOL, `${tag} lp[${r},${c}]`);
                // normalizeRows: lse and log-responsibilities
                for (let r = 0; r < n; r++) {
                  const row = ref[r];
                  const m = Math.max(...row);
                  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
                  expectClose(o.lse[r], lse, 0, TOL, `${tag} lse[${r}]`);
                  let sum = 0;
                  for (let c = 0; c < k; c++) {
                    expectClose(o.norm[r * k + c], row[c] - lse, Math.abs(row[c]), TOL, `${tag} logresp[${r},${c}]`);
                    sum += Math.exp(o.norm[r * k + c]);
                  }
                  expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
                }
                // eStepAccumulate
                const rs = refStats(p, hard, ref, d <= 4 ? 0 : prune); // d ≤ 4, k ≤ 240: the fused path, always exact
                for (const i of definedStatIndices(p))
                  expectClose(o.stats[i], rs.values[i], rs.scale[i], TOL, `${tag} stats[${i}]`);
                for (let r = 0; r < n; r++)
                  for (let c = 0; c < k; c++)
                    expectClose(o.scratch[r * k + c], rs.resp[r][c], 0, TOL, `${tag} resp[${r},${c}]`);
              }
            }
          });
        }
      }
    }
  }
});

describe('the relaxed-SIMD build and js agree to 1e-10', () => {
  // Fused multiply-adds round once where the twin rounds twice, so nothing is bit-identical; every output is within
  // 1e-10 of the twin's (relative to max(1, |value|)), log densities included, on every path the baseline test covers.
  it('this Node validates relaxed SIMD (default from Node 22; the flag above on Node 20), so auto picks it', () => {
    expect(kernelVariant()).toBe('relaxed-simd');
  });
  const fma = createWasmBackend('relaxed-simd');
  const js = createJsBackend();
  let seed = 7000;
  for (const cov of COV_TYPES) {
    for (const d of [1, 2, 3, 4, 5, 8, 9, 17, 33, 64]) {
      for (const k of [1, 3, 8]) {
        const s = seed++;
        const n = [37, 70, 5, 68][s % 4];
        it(`${cov} d=${d} k=${k} n=${n}`, () => {
          for (const weighted of [false, true]) {
            for (const hard of [false, true]) {
              const p = makeProblem(s * 4 + (weighted ? 2 : 0) + (hard ? 1 : 0), cov, n, d, k, weighted);
              const a = run(fma, p, hard);
              const b = run(js, p, hard);
              const tag = `${cov} d=${d} k=${k} w=${weighted} hard=${hard}`;
              a.lp.forEach((v, i) => expectClose(v, b.lp[i], 0, 1e-10, `${tag} lp[${i}]`));
              a.norm.forEach((v, i) => expectClose(v, b.norm[i], 0, 1e-10, `${tag} norm[${i}]`));
              a.lse.forEach((v, i) => expectClose(v, b.lse[i], 0, 1e-10, `${tag} lse[${i}]`));
              a.scratch.forEach((v, i) => expectClose(v, b.scratch[i], 0, 1e-10, `${tag} scratch[${i}]`));
              for (const i of definedStatIndices(p))
                expectClose(a.stats[i], b.stats[i], 0, 1e-10, `${tag} stats[${i}]`);
            }
          }
        });
      }
    }
  }
});

describe('wasm and js agree', () => {
  const wasm = createWasmBackend('simd');
  const js = createJsBackend();
  let seed = 5000;
  for (const cov of COV_TYPES) {
    for (const d of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 17, 33, 64]) {
      for (const k of [1, 3, 8]) {
        const s = seed++;
        // n: full 4-row tiles plus each possible partial tile, and more rows than one 32-row packed block
        const n = [37, 70, 5, 68][s % 4];
        it(`${cov} d=${d} k=${k} n=${n}`, () => {
          for (const weighted of [false, true]) {
            for (const hard of [false, true]) {
              const p = makeProblem(s * 4 + (weighted ? 2 : 0) + (hard ? 1 : 0), cov, n, d, k, weighted);
              const a = run(wasm, p, hard);
              const b = run(js, p, hard);
              const tag = `${cov} d=${d} k=${k} w=${weighted} hard=${hard}`;
              // logProb uses only +, −, × (no exp/log) and the twin sums in the same order: bit-identical
              expect(a.lp, `${tag} lp bit-identical`).toEqual(b.lp);
              a.norm.forEach((v, i) => expectClose(v, b.norm[i], 0, 1e-12, `${tag} norm[${i}]`));
              a.lse.forEach((v, i) => expectClose(v, b.lse[i], 0, 1e-12, `${tag} lse[${i}]`));
              a.scratch.forEach((v, i) => expectClose(v, b.scratch[i], 0, 1e-12, `${tag} scratch[${i}]`));
              // the entries the ABI defines (wasm also writes some entries below the diagonal; the twin does not)
              for (const i of definedStatIndices(p))
                expectClose(a.stats[i], b.stats[i], 0, 1e-12, `${tag} stats[${i}]`);
              if (hard) {
                // no exp or log on the hard path: the same sums in the same order must give the same bits
                expect(a.scratch, `${tag} scratch bit-identical`).toEqual(b.scratch);
                for (const i of definedStatIndices(p))
                  expect(a.stats[i], `${tag} stats[${i}] bit-identical`).toBe(b.stats[i]);
              }
            }
          }
        });
      }
    }
  }

  // d ≤ 4 takes the fused small-d path only while k ≤ 240 (its buffers fit the static buffer; d = 4 full/tied at
  // k = 240 uses all but 256 bytes of it)
  const limits = [
    ['full', 4, 240],
    ['tied', 4, 240],
    ['diag', 4, 240],
    ['full', 2, 240],
    ['full', 4, 241],
    ['diag', 3, 241],
    ['spherical', 1, 300],
  ] as const;
  for (const [cov, d, k] of limits) {
    it(`${cov} d=${d} k=${k} (either side of the fused path's k limit)`, () => {
      for (const hard of [false, true]) {
        const p = makeProblem(d * 1000 + k, cov, 23, d, k, true);
        const a = run(wasm, p, hard);
        const b = run(js, p, hard);
        expect(a.lp).toEqual(b.lp);
        a.scratch.forEach((v, i) => expectClose(v, b.scratch[i], 0, 1e-12, `scratch[${i}]`));
        for (const i of definedStatIndices(p)) expectClose(a.stats[i], b.stats[i], 0, 1e-12, `stats[${i}]`);
        const rs = refStats(p, hard, refLogProb(p));
        for (const i of definedStatIndices(p))
          expectClose(a.stats[i], rs.values[i], rs.scale[i], TOL, `stats[${i}] vs reference`);
        // the exp table right after the static buffer is intact: a small soft problem still matches the reference
        const q = makeProblem(7, 'full', 9, 2, 3, false);
        const qs = refStats(q, false, refLogProb(q));
        const o = run(wasm, q, false);
        for (const i of definedStatIndices(q))
          expectClose(o.stats[i], qs.values[i], qs.scale[i], TOL, `after: stats[${i}]`);
      }
    });
  }

  // the fused path's fallback for a tile with an all −∞ row: full d = 3, weighted, against the twin
  it('full d=3 weighted, an all −∞ row inside a tile (the scalar fallback), equals the twin', () => {
    const p = makeProblem(4242, 'full', 10, 3, 3, true);
    p.X[5] = [1e200, -1e200, 1e200]; // every Mahalanobis term overflows to +∞: log densities −∞
    const a = run(wasm, p, false);
    const b = run(js, p, false);
    expect(a.lp).toEqual(b.lp);
    expect(a.lp.slice(15, 18)).toEqual([-Infinity, -Infinity, -Infinity]);
    a.scratch.forEach((v, i) => expectClose(v, b.scratch[i], 0, 1e-12, `scratch[${i}]`));
    expect(a.scratch.slice(15, 18)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(a.stats[0]).toBe(-Infinity); // Σ w·log p with a row of density 0
    for (const i of definedStatIndices(p)) {
      // (that row's squared deviations overflow too: infinities must match exactly)
      if (Number.isFinite(b.stats[i])) expectClose(a.stats[i], b.stats[i], 0, 1e-12, `stats[${i}]`);
      else expect(a.stats[i], `stats[${i}]`).toBe(b.stats[i]);
    }
  });

  // d > 2048: the wasm E-tiles drop to 2 rows (4·d doubles no longer fit the static buffer) and d > 128 shrinks the
  // d > 4 statistics through per-component lists, chunk by chunk (statistics.ts listTri: k·4⌈d/4⌉ ≤ 127), and by the
  // plain scan where k blocks do not fit (d = 8, k = 16): many chunks, pruned pairs, zero weights
  for (const [d, k, n] of [
    [8, 8, 3000], // chunks of 512 rows
    [5, 3, 5000], // 2216
    [6, 12, 2000], // 168
    [13, 7, 2500], // 144
    [8, 16, 1500], // the scan
  ] as const) {
    it(`full d=${d} k=${k} n=${n}: hard statistics bit for bit, soft to 1e-12, with pairs pruned and rows of weight 0`, () => {
      const p = makeProblem(d * 100 + k, 'full', n, d, k, true);
      for (let i = 0; i < n; i += 7) p.w![i] = 0;
      for (const hard of [false, true]) {
        const a = run(wasm, p, hard);
        const b = run(js, p, hard);
        if (!hard) {
          const pruned = a.scratch.filter((r) => r < PRUNE_BELOW).length;
          expect(pruned).toBeGreaterThan(n); // not vacuous: many pairs are pruned, many are not
          expect(pruned).toBeLessThan(n * (k - 1));
        }
        for (const i of definedStatIndices(p)) {
          if (hard) expect(a.stats[i], `stats[${i}]`).toBe(b.stats[i]);
          else expectClose(a.stats[i], b.stats[i], 0, 1e-12, `stats[${i}]`);
        }
      }
    });
  }

  // packed blocks (to 2 rows at d = 2050); no naive reference at this size, only the twin
  for (const [cov, d, k, n] of [
    ['tied', 2050, 1, 7],
    ['diag', 4096, 3, 9],
    ['full', 300, 2, 41],
  ] as const) {
    it(`${cov} d=${d} k=${k} n=${n} (large d)`, () => {
      const p = makeProblem(d + n, cov, n, d, k, true);
      for (const hard of d > 2048 ? [false] : [false, true]) {
        const a = run(wasm, p, hard);
        const b = run(js, p, hard);
        expect(a.lp).toEqual(b.lp);
        a.scratch.forEach((v, i) => expectClose(v, b.scratch[i], 0, 1e-12, `scratch[${i}]`));
        for (const i of definedStatIndices(p)) expectClose(a.stats[i], b.stats[i], 0, 1e-12, `stats[${i}]`);
      }
    });
  }
});

/**
 * The entries of an eStepAccumulate stats array the ABI defines: all but, for the triangular layouts (≤ 1), the sxx
 * entries below the diagonal (wasm writes a few of them, the twin none).
 */
function definedStats(st: number[], k: number, d: number, layout: number): number[] {
  if (layout > 1) return st;
  return st.filter((_, i) => {
    const t = i - (2 + k + k * d);
    return t < 0 || Math.floor((t % (d * d)) / d) <= (t % (d * d)) % d;
  });
}

describe('the cut (d ≥ 32, prune > 0): log densities certainly below e^−64 of the row’s best are not finished', () => {
  // d = 40, five components 1.5 apart along every axis, P = 1.5·I: a row's log density for a foreign component is
  // 100–1000 below its own — far enough for the cut (64), near enough that exact responsibilities stay above 0.
  // n = 37 rows in shuffled component order: tiles of mixed guesses, and a last partial group of one row.
  const d = 40,
    k = 5,
    n = 37;
  const R = rng(4242);
  const comp = Array.from({ length: n }, () => Math.floor(R.u() * k));
  const X = comp.map((c) => Array.from({ length: d }, () => 1.5 * c + 0.2 * R.normal()));
  const means = Array.from({ length: k }, (_, c) => new Array<number>(d).fill(1.5 * c));
  const run = (be: Backend, layout: number, prune: number) => {
    const L = new Layout(be);
    const x = L.put(X.flat());
    const P = new Array<number>(d * d).fill(0);
    for (let j = 0; j < d; j++) P[j * d + j] = 1.5;
    const prec = L.put(layout === 0 ? Array.from({ length: k }, () => P).flat() : P);
    const lc = Math.log(1 / k) + d * Math.log(1.5) - 0.5 * d * Math.log(2 * Math.PI);
    const logConst = L.put(new Array<number>(k).fill(lc));
    const statsLen = 2 + k + k * d + k * d * d;
    const stats = L.put(new Array<number>(statsLen).fill(0));
    const scratch = L.alloc(n * k);
    be.kernels.eStepAccumulate(x, 0, 0, n, d, k, layout, 0, L.put(means.flat()), prec, logConst, scratch, stats, prune);
    return { resp: L.get(scratch, n * k), stats: L.get(stats, statsLen) };
  };
  for (const layout of [0, 1]) {
    it(`layout ${layout}: the twin equals wasm bit for bit; the statistics equal the exact pass to 1e-14`, () => {
      const js = run(createJsBackend(), layout, PRUNE_BELOW);
      const wasm = run(createWasmBackend('simd'), layout, PRUNE_BELOW);
      const exact = run(createJsBackend(), layout, 0);
      expect(wasm.resp).toEqual(js.resp);
      // the entries the ABI defines (sxx: the upper triangles; wasm also writes a few below the diagonal)
      const defined = (st: number[]) => definedStats(st, k, d, layout);
      expect(defined(wasm.stats)).toEqual(defined(js.stats));
      // not vacuous: the exact pass has responsibilities in (0, e^−64) where the cut left exact zeros
      const cutPairs = exact.resp.filter((r, i) => r > 0 && r < 1.6e-28 && js.resp[i] === 0).length;
      expect(cutPairs).toBeGreaterThan(n);
      js.resp.forEach((r, i) => expect(Math.abs(r - exact.resp[i])).toBeLessThan(1e-27));
      const want = defined(exact.stats);
      defined(js.stats).forEach((v, i) => expectClose(v, want[i], 0, 1e-14, `stats[${i}]`));
    });
  }
  it('logProb never cuts', () => {
    for (const be of [createJsBackend(), createWasmBackend('simd')]) {
      const L = new Layout(be);
      const x = L.put(X.flat());
      const P = new Array<number>(d * d).fill(0);
      for (let j = 0; j < d; j++) P[j * d + j] = 1.5;
      const out = L.alloc(n * k);
      be.kernels.logProb(x, n, d, k, 1, L.put(means.flat()), L.put(P), L.put(new Array<number>(k).fill(0)), out);
      expect(L.get(out, n * k).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('negligible pairs (prune > 0, generic path): exps more than 64 below the row’s best are not taken', () => {
  // d = 5, k = 3 along the diagonal: component 0 at 0, component 1 at 3 (about e^−50 of a row near 0: tiny but
  // kept), component 2 at 9 (e^−450: negligible for rows near 0, the best for rows near 9, where components 0 and 1
  // are negligible). Rows alternate near 0 and near 9 in the first tile, so a SIMD lane pair holds one negligible and
  // one kept term (the masked exp); rows near 0 pair with each other in the second tile (both lanes negligible: no
  // exp), and the last 3 rows take the scalar path.
  const d = 5,
    k = 3,
    n = 11;
  const R = rng(777);
  const home = [0, 9, 0, 9, 0, 0, 0, 0, 9, 0, 9];
  const X = home.map((c) => Array.from({ length: d }, () => c + 0.1 * R.normal()));
  const mu = [0, 3, 9].flatMap((c) => new Array<number>(d).fill(c));
  const lc = Math.log(1 / k) + d * Math.log(1.5) - 0.5 * d * Math.log(2 * Math.PI);
  const run = (be: Backend, layout: number, prune: number, nanMean = false) => {
    const L = new Layout(be);
    const x = L.put(X.flat());
    const m = mu.slice();
    if (nanMean) m[2 * d] = Number.NaN; // component 2's log density is NaN, every row's maximum stays finite
    const nPrec = layout === 0 ? k * d * d : layout === 1 ? d * d : layout === 2 ? k * d : k;
    const prec = new Array<number>(nPrec).fill(0);
    if (layout <= 1) {
      for (let b = 0; b < nPrec / (d * d); b++) for (let j = 0; j < d; j++) prec[b * d * d + j * d + j] = 1.5;
    } else prec.fill(1.5);
    const statsLen = 2 + k + k * d + (layout <= 1 ? k * d * d : k * d);
    const stats = L.put(new Array<number>(statsLen).fill(0));
    const scratch = L.alloc(n * k);
    const args = [L.put(m), L.put(prec), L.put(new Array<number>(k).fill(lc)), scratch, stats] as const;
    be.kernels.eStepAccumulate(x, 0, 0, n, d, k, layout, 0, ...args, prune);
    return { resp: L.get(scratch, n * k), stats: L.get(stats, statsLen) };
  };
  const defined = (st: number[], layout: number) => definedStats(st, k, d, layout);
  for (const layout of [0, 1, 2, 3]) {
    it(`layout ${layout}: zeros where the exact pass has (0, e^−64), the same zeros in every backend, the same sums`, () => {
      const exact = run(createJsBackend(), layout, 0);
      const negligible = exact.resp.map((r) => r > 0 && r < 1.6e-28);
      expect(negligible.filter(Boolean).length).toBe(15); // not vacuous: 7 rows near 0 × 1 + 4 rows near 9 × 2
      expect(exact.resp.filter((r) => r > 1e-25 && r < 1e-18).length).toBe(7); // component 1's tiny, kept terms
      for (const [name, make] of backends) {
        const got = run(make(), layout, PRUNE_BELOW);
        const tag = `${name}, layout ${layout}`;
        got.resp.forEach((r, i) => {
          if (negligible[i]) expect(r, `${tag} resp[${i}]`).toBe(0);
          // kept terms: relative to the exact pass, within the rounding of lp (the FMA build's log densities differ in
          // the last bits, and exp turns an absolute Δlp of a few ulp of |lp| ≤ ~100 into that relative error)
          else expect(Math.abs(r - exact.resp[i]), `${tag} resp[${i}]`).toBeLessThanOrEqual(1e-13 * exact.resp[i]);
        });
        // Σ w·lse: a row's sum of exps cannot move by 2·e^−64 (s ≥ 1); the statistics prune the pairs anyway
        expectClose(got.stats[0], exact.stats[0], 0, 1e-15, `${tag} Σ w·lse`);
        const want = defined(exact.stats, layout);
        defined(got.stats, layout).forEach((v, i) => expectClose(v, want[i], 1, 1e-14, `${tag} stats[${i}]`));
      }
      // the twin takes the same exps as wasm: both lse sums are exactly those of prune = 0 on the same backend
      for (const [name, make] of backends) {
        const be = make();
        expect(run(be, layout, PRUNE_BELOW).stats[0], name).toBe(run(be, layout, 0).stats[0]);
      }
    });
  }
  it('prune = 0 takes every exp, and a NaN density below a finite maximum still gives NaN (never a masked 0)', () => {
    for (const [name, make] of backends) {
      const be = make();
      expect(run(be, 0, 0).resp.filter((r) => r > 0 && r < 1.6e-28).length, name).toBe(15);
      const nan = run(be, 0, PRUNE_BELOW, true);
      expect(Number.isNaN(nan.stats[0]), name).toBe(true);
      expect(nan.resp.every(Number.isNaN), name).toBe(true);
    }
  });
});

describe('scoreRows: per row the lse of logProb + normalizeRows and log max r, without storing either', () => {
  // full d = 2 (the fused kernel's lanes) and d = 6 (log densities, then row by row); n = 11: two tiles and 3 rows.
  // Row 4 sits so far out that every density underflows (lse = −∞), inside a tile: the fused kernel's scalar fallback.
  for (const d of [2, 6]) {
    it(`d = ${d}: lse bit for bit, log max r = max(lp − lse) within rounding, every backend`, () => {
      const k = 3,
        n = 11;
      const R = rng(31 + d);
      const X = Array.from({ length: n }, (_, r) =>
        Array.from({ length: d }, () => (r === 4 ? 1e200 : 2 * R.normal())),
      );
      const means = Array.from({ length: k * d }, () => R.normal());
      const P = new Array<number>(k * d * d).fill(0);
      for (let c = 0; c < k; c++)
        for (let i = 0; i < d; i++) for (let j = i; j < d; j++) P[c * d * d + i * d + j] = i === j ? 1.2 : 0.1;
      const logConst = [-1.1, -0.9, -1.3];
      for (const [name, make] of backends) {
        const be = make();
        const L = new Layout(be);
        const x = L.put(X.flat());
        const args = [L.put(means), L.put(P), L.put(logConst)] as const;
        const lp = L.alloc(n * k);
        const lse0 = L.alloc(n);
        be.kernels.logProb(x, n, d, k, 0, ...args, lp);
        const lpv = L.get(lp, n * k);
        be.kernels.normalizeRows(lp, n, k, lse0);
        const lr = L.get(lp, n * k);
        const scratch = L.alloc(n * k);
        const lse = L.alloc(n);
        const lmr = L.alloc(n);
        be.kernels.scoreRows(x, n, d, k, 0, ...args, scratch, lse, lmr);
        const want = L.get(lse0, n);
        expect(L.get(lse, n), name).toEqual(want);
        expect(want[4], name).toBe(Number.NEGATIVE_INFINITY);
        const got = L.get(lmr, n);
        for (let r = 0; r < n; r++) {
          if (r === 4) continue;
          const best = Math.max(...lr.slice(r * k, r * k + k));
          expect(Math.abs(got[r] - best), `${name} row ${r}`).toBeLessThanOrEqual(
            1e-15 * Math.max(1, Math.abs(lpv[r * k])),
          );
          expect(got[r], `${name} row ${r}`).toBeLessThanOrEqual(0);
        }
      }
    });
  }
});

describe('vectorised exp and log (wasm) against Math.exp / Math.log', () => {
  // Spherical, d = 1, precision 0 makes every log density equal logConst, so one row tests k inputs at once.
  // Component 0 has log density 0 and every other one ≤ −38, so s = Σ exp = 1 exactly and r_c = exp(lp_c).
  function respOf(be: Backend, logConst: number[], rows: number): number[] {
    const L = new Layout(be);
    const k = logConst.length;
    const x = L.put(new Array(rows).fill(0.25));
    const means = L.put(new Array(k).fill(0));
    const prec = L.put(new Array(k).fill(0));
    const lc = L.put(logConst);
    const scratch = L.alloc(rows * k);
    const stats = L.put(new Array(2 + 3 * k).fill(0));
    be.kernels.eStepAccumulate(x, 0, 0, rows, 1, k, 3, 0, means, prec, lc, scratch, stats, 0);
    return L.get(scratch, rows * k);
  }

  it('exp: within 2 ulp for results down to the smallest normal, correctly underflowed below', () => {
    const xs = [0];
    for (let v = -38; v > -760; v -= 0.37) xs.push(v);
    xs.push(
      -708.3964185322641,
      -708.3964185322642,
      -709.0895657128241,
      -744.4400719213812,
      -745.1332191019411,
      -745.1332191019412,
    );
    xs.push(-745.2, -746, -800, -1e4, -Number.MAX_VALUE, -Infinity);
    for (const be of [createWasmBackend('simd'), createWasmBackend('relaxed-simd'), createJsBackend()]) {
      const rows = 6; // a full 4-row tile (vector path) and a partial one (scalar path)
      const r = respOf(be, xs, rows);
      for (let t = 0; t < rows; t++) {
        xs.forEach((x, c) => {
          const got = r[t * xs.length + c];
          const want = Math.exp(x);
          // relative 2 ulp for normal results; in the subnormal range one rounding of the exact value (±1 unit)
          const tol = want >= 2.2250738585072014e-308 ? 4.5e-16 * want : 5e-324;
          if (!(Math.abs(got - want) <= tol)) throw new Error(`${be.name}: exp(${x}) = ${got}, want ${want}`);
        });
      }
      expect(r.slice(0, xs.length).slice(-6)).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it('exp: responsibilities from inputs in (−38, 0] match Math.exp to 1e-15 relative', () => {
    const R = rng(99);
    const xs = [0, ...Array.from({ length: 300 }, () => -38 * R.u() ** 2)];
    const e = xs.map(Math.exp);
    const s = e.reduce((a, v) => a + v, 0);
    for (const be of [createWasmBackend(), createJsBackend()]) {
      const r = respOf(be, xs, 5);
      for (let t = 0; t < 5; t++) {
        xs.forEach((_, c) => {
          const want = e[c] / s;
          const got = r[t * xs.length + c];
          if (!(Math.abs(got - want) <= 1e-15 * want))
            throw new Error(`${be.name}: r[${t}, ${c}] = ${got}, want ${want}`);
        });
      }
    }
  });

  it('log: lse = m + log Σ exp within a few ulp (normalizeRows, vector and scalar rows)', () => {
    const R = rng(7);
    const k = 5;
    const n = 201;
    const rows = Array.from({ length: n }, () =>
      Array.from({ length: k }, () => -30 * R.u() ** 3 + (R.u() < 0.3 ? 5 : 0)),
    );
    for (const be of [createWasmBackend(), createJsBackend()]) {
      const L = new Layout(be);
      const lp = L.put(rows.flat());
      const lse = L.alloc(n);
      be.kernels.normalizeRows(lp, n, k, lse);
      const got = L.get(lse, n);
      rows.forEach((row, i) => {
        const m = Math.max(...row);
        const want = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
        expect(Math.abs(got[i] - want)).toBeLessThanOrEqual(4e-16 * Math.max(1, Math.abs(want)) * 4);
      });
    }
  });
});

describe.each(backends)('%s backend edge cases', (_name, make) => {
  it('normalizeRows: an all −∞ row inside a 4-row tile, then pairs and a last row', () => {
    const be = make();
    const L = new Layout(be);
    const k = 3;
    const rows = [
      [-1, -2, -3],
      [0, -5, -1],
      [-Infinity, -Infinity, -Infinity],
      [-2, -Infinity, -4], // tile with an all −∞ row
      [-0.5, -0.25, -9],
      [-7, -6, -5],
      [-1, -1, -1],
      [3, -40, 2], // a clean tile
      [-Infinity, -1, -Infinity],
      [-3, -2, -1], // a pair
      [-8, -9, -10], // the last row
    ];
    const n = rows.length;
    const lp = L.put(rows.flat());
    const lse = L.alloc(n);
    be.kernels.normalizeRows(lp, n, k, lse);
    const out = L.get(lp, n * k);
    const l = L.get(lse, n);
    rows.forEach((row, i) => {
      const m = Math.max(...row);
      if (m === -Infinity) {
        expect(l[i]).toBe(-Infinity);
        for (let c = 0; c < k; c++) expect(out[i * k + c]).toBeCloseTo(-Math.log(k), 15);
        return;
      }
      const want = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      expectClose(l[i], want, 0, 1e-15, `lse[${i}]`);
      for (let c = 0; c < k; c++) {
        if (row[c] === -Infinity) expect(out[i * k + c]).toBe(-Infinity);
        else expectClose(out[i * k + c], row[c] - want, Math.abs(row[c]), 1e-15, `lp[${i},${c}]`);
      }
    });
  });

  it('normalizeRows: all −∞ row gives lse −∞ and uniform −log k', () => {
    const be = make();
    const L = new Layout(be);
    const k = 3;
    const lp = L.put([-Infinity, -Infinity, -Infinity, -1, -2, -3, -Infinity, 0, -Infinity]);
    const lse = L.alloc(3);
    be.kernels.normalizeRows(lp, 3, k, lse);
    const out = L.get(lp, 9);
    const l = L.get(lse, 3);
    expect(l[0]).toBe(-Infinity);
    for (let c = 0; c < k; c++) expect(out[c]).toBeCloseTo(-Math.log(3), 15);
    const row1 = out.slice(3, 6).map(Math.exp);
    expect(Math.abs(row1.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-15);
    expect(l[2]).toBe(0);
    expect(out.slice(6, 9)).toEqual([-Infinity, 0, -Infinity]);
  });

  it('a NaN log density below a finite maximum makes lse NaN, in 4-row tiles and in the last rows', () => {
    // (wasm's vectorised log works on the bits of its argument: without its NaN check log(NaN) came out finite)
    const be = make();
    const L = new Layout(be);
    const k = 3,
      n = 6;
    const rows = Array.from({ length: n }, (_, r) => (r === 1 || r === 5 ? [-1, Number.NaN, -2] : [-1, -3, -2]));
    const lp = L.put(rows.flat());
    const lse = L.alloc(n);
    be.kernels.normalizeRows(lp, n, k, lse);
    expect(L.get(lse, n).map(Number.isNaN)).toEqual([false, true, false, false, false, true]);
    const x = L.put(new Array<number>(n).fill(0));
    const scratch = L.put(rows.flat());
    const stats = L.put(new Array<number>(2 + k + k + k).fill(0));
    // d = 1 diagonal through the fused path: a NaN precision for component 1 gives every row a NaN density there
    const prec = L.put([1, Number.NaN, 1]);
    be.kernels.eStepAccumulate(x, 0, 0, n, 1, k, 2, 0, L.put([0, 0, 0]), prec, L.put([0, 0, 0]), scratch, stats, 0);
    expect(Number.isNaN(L.get(stats, 1)[0])).toBe(true);
  });

  it('eStepAccumulate hard: one-hot at the first maximum on ties; a NaN first density makes Σ w·lse NaN', () => {
    for (const d of [1, 2, 5]) {
      const be = make();
      const L = new Layout(be);
      const k = 3;
      // components 0 and 2 share a mean (a tie: component 0 wins); 5 rows: a full tile and a partial one
      const x = L.put([0, 3, 0.1, 2.9, 1].flatMap((v) => new Array<number>(d).fill(v)));
      const means = L.put([3, 0, 3].flatMap((v) => new Array<number>(d).fill(v)));
      const prec = L.put(new Array<number>(k * d).fill(1));
      const stats = L.put(new Array<number>(2 + k + 2 * k * d).fill(0));
      const scratch = L.alloc(5 * k);
      be.kernels.eStepAccumulate(x, 0, 0, 5, d, k, 2, 1, means, prec, L.put([0, 0, 0]), scratch, stats, 0);
      expect(L.get(scratch, 5 * k)).toEqual([0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0]);
      const st = L.get(stats, 2 + k);
      expect(st[0]).toBeCloseTo(-0.5 * d * (0.01 + 0.01 + 1), 12);
      expect(st.slice(1)).toEqual([5, 2, 3, 0]);
      // NaN in the first density of every row (the scalar rule: the maximum starts at component 0)
      const st2 = L.put(new Array<number>(2 + k + 2 * k * d).fill(0));
      be.kernels.eStepAccumulate(x, 0, 0, 5, d, k, 2, 1, means, prec, L.put([NaN, 0, 0]), L.alloc(5 * k), st2, 0);
      expect(L.get(st2, 1)[0]).toBeNaN();
    }
  });

  it('eStepAccumulate: underflowed row gets uniform responsibilities, not NaN', () => {
    const be = make();
    const L = new Layout(be);
    const d = 2,
      k = 2;
    // x far from both means with tight precisions → every log density ≈ −1e40·…, exp underflows; lse −∞ only
    // if lp = −∞, so use logConst = −∞ to force it
    const x = L.put([0, 0]);
    const means = L.put([1, 1, 2, 2]);
    const prec = L.put([1, 1, 1, 1]);
    const logConst = L.put([-Infinity, -Infinity]);
    const scratch = L.alloc(k);
    const stats = L.put(new Array(2 + k + 2 * k * d).fill(0));
    be.kernels.eStepAccumulate(x, 0, 0, 1, d, k, 2, 0, means, prec, logConst, scratch, stats, 0);
    const r = L.get(scratch, k);
    expect(r).toEqual([0.5, 0.5]);
    const st = L.get(stats, 2 + k + 2 * k * d);
    expect(st[0]).toBe(-Infinity);
    expect(st[1]).toBe(1);
    expect(st.slice(2, 4)).toEqual([0.5, 0.5]);
    expect(st.slice(4, 8)).toEqual([-0.5, -0.5, -1, -1]);
    expect(st.slice(8, 12)).toEqual([0.5, 0.5, 2, 2]);
  });

  it('eStepAccumulate: all −∞ rows inside full 4-row tiles, extreme logits −800 and −∞', () => {
    const be = make();
    const L = new Layout(be);
    // spherical, d = 1, precision 1e200: a row at a mean gets that component's logConst, every other density is −∞
    const k = 3;
    const X = [0, 0.5, 1, 0.5, 0, 0, 0.5, 1, 1]; // 0.5 is at no mean: its whole row is −∞
    const n = X.length;
    const x = L.put(X);
    const means = L.put([0, 1, 7]);
    const prec = L.put([1e200, 1e200, 1e200]);
    const logConst = L.put([-2, -800, Math.log(0.5)]);
    const scratch = L.alloc(n * k);
    const stats = L.put(new Array(2 + 3 * k).fill(0));
    be.kernels.eStepAccumulate(x, 0, 0, n, 1, k, 3, 0, means, prec, logConst, scratch, stats, 0);
    const r = L.get(scratch, n * k);
    const want = X.map((v) => (v === 0 ? [1, 0, 0] : v === 1 ? [0, 1, 0] : [1 / 3, 1 / 3, 1 / 3]));
    expect(r).toEqual(want.flat());
    const st = L.get(stats, 2 + 3 * k);
    expect(st[0]).toBe(-Infinity);
    expect(st[1]).toBe(n);
    // three rows at 0, three at 1, three uniform rows (the thirds are summed in an order that may round)
    st.slice(2, 5).forEach((v, c) => expect(v).toBeCloseTo([3 + 1, 3 + 1, 1][c], 14));
    // the −800 component alone in its rows: r = 1 exactly; extreme logits elsewhere never produce NaN
    const lc2 = L.put([0, -800, -Infinity]);
    const sc2 = L.alloc(n * k);
    const st2 = L.put(new Array(2 + 3 * k).fill(0));
    const x2 = L.put(new Array(n).fill(0));
    const p2 = L.put([0, 0, 0]);
    be.kernels.eStepAccumulate(x2, 0, 0, n, 1, k, 3, 0, means, p2, lc2, sc2, st2, 0);
    expect(L.get(sc2, n * k)).toEqual(new Array(n).fill([1, 0, 0]).flat());
    expect(L.get(st2, 2 + 3 * k)).toEqual([0, n, n, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('full/tied P: entries below the diagonal are never read', () => {
    for (const cov of ['full', 'tied'] as const) {
      for (const d of [1, 2, 3, 4, 5, 7, 8, 9, 13]) {
        const p = makeProblem(300 + d, cov, 9, d, 3, true);
        const dirty = { ...p, precFlat: p.precFlat.map((v, i) => (Math.floor(i / d) % d > i % d ? NaN : v)) };
        for (const hard of [false, true]) {
          const a = run(make(), p, hard);
          const b = run(make(), dirty, hard);
          expect(b.lp).toEqual(a.lp);
          expect(b.scratch).toEqual(a.scratch);
          expect(b.stats).toEqual(a.stats);
        }
      }
    }
  });

  it('hard=1 picks the argmax (first on ties) and one-hot responsibilities', () => {
    const be = make();
    const L = new Layout(be);
    const d = 2,
      k = 3;
    // components 0 and 2 identical (tie → 0), component 1 at (10, 10)
    const X = [
      [0.1, -0.2], // → 0 (tie with 2)
      [9.5, 10.2], // → 1
      [10.3, 9.9], // → 1
      [-0.3, 0.4], // → 0
    ];
    const x = L.put(X.flat());
    const means = L.put([0, 0, 10, 10, 0, 0]);
    const prec = L.put([1, 1, 1]);
    const lc = Math.log(1 / 3) - Math.log(2 * Math.PI);
    const logConst = L.put([lc, lc, lc]);
    const scratch = L.alloc(4 * k);
    const statsLen = 2 + k + 2 * k * d;
    const stats = L.put(new Array(statsLen).fill(0));
    const w = L.put([1, 2, 0.5, 3]);
    be.kernels.eStepAccumulate(x, w, 1, 4, d, k, 3, 1, means, prec, logConst, scratch, stats, 0);
    expect(L.get(scratch, 12)).toEqual([1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0]);
    const st = L.get(stats, statsLen);
    expect(st[1]).toBe(6.5);
    expect(st.slice(2, 5)).toEqual([4, 2.5, 0]);
    // sx for component 0 = 1·(0.1, −0.2) + 3·(−0.3, 0.4)
    expect(st[5]).toBeCloseTo(0.1 - 0.9, 14);
    expect(st[6]).toBeCloseTo(-0.2 + 1.2, 14);
    // classification log-likelihood: Σ w · lp[argmax]
    const lpOf = (p: number[], m: number[]) => lc - 0.5 * ((p[0] - m[0]) ** 2 + (p[1] - m[1]) ** 2);
    const want =
      1 * lpOf(X[0], [0, 0]) + 2 * lpOf(X[1], [10, 10]) + 0.5 * lpOf(X[2], [10, 10]) + 3 * lpOf(X[3], [0, 0]);
    expect(st[0]).toBeCloseTo(want, 12);
    // component 2 untouched
    expect(st.slice(9, 11)).toEqual([0, 0]);
  });

  it('prune: a pair whose responsibility is below it adds nothing, on every generic-path layout; 0 adds it', () => {
    const be = make();
    // d = 5 (the generic path), every row near component 0; component 1 is 3 away along every axis, so each row's
    // responsibility for it is about e^-50 — tiny, but far from exactly 0
    const d = 5,
      k = 2,
      n = 6;
    const X = Array.from({ length: n }, (_, r) => Array.from({ length: d }, (_, j) => 0.1 * ((r + j) % 3)));
    for (const layout of [0, 1, 2, 3]) {
      const L = new Layout(be);
      const x = L.put(X.flat());
      const means = L.put([...new Array(d).fill(0), ...new Array(d).fill(3)]);
      const nPrec = layout === 0 ? k * d * d : layout === 1 ? d * d : layout === 2 ? k * d : k;
      const precArr = new Array(nPrec).fill(0);
      if (layout <= 1) {
        for (let b = 0; b < nPrec / (d * d); b++) for (let j = 0; j < d; j++) precArr[b * d * d + j * d + j] = 1.5;
      } else precArr.fill(1.5);
      const prec = L.put(precArr);
      const lc = Math.log(0.5) + d * Math.log(1.5) - 0.5 * d * Math.log(2 * Math.PI);
      const logConst = L.put([lc, lc]);
      const statsLen = 2 + k + k * d + (layout <= 1 ? k * d * d : k * d);
      const once = (prune: number) => {
        const stats = L.put(new Array(statsLen).fill(0));
        const scratch = L.alloc(n * k);
        be.kernels.eStepAccumulate(x, 0, 0, n, d, k, layout, 0, means, prec, logConst, scratch, stats, prune);
        return { st: L.get(stats, statsLen), resp: L.get(scratch, n * k) };
      };
      const exact = once(0);
      const pruned = once(PRUNE_BELOW);
      const tag = `layout ${layout}`;
      const tiny = exact.resp.filter((r, i) => i % k === 1 && r > 0 && r < PRUNE_BELOW);
      expect(tiny.length, tag).toBe(n); // not vacuous: every row's pair with component 1 is below the threshold
      expect(pruned.resp, tag).toEqual(exact.resp); // the responsibilities themselves are never pruned
      expect(pruned.st[0], tag).toBe(exact.st[0]);
      // component 1 gets nothing when pruned, and the sum of the tiny terms when exact
      const sxx1 = 2 + k + k * d + (layout <= 1 ? d * d : d);
      expect(pruned.st[3], tag).toBe(0);
      expect(pruned.st.slice(2 + k + d, 2 + k + 2 * d), tag).toEqual(new Array(d).fill(0));
      expect(pruned.st.slice(sxx1), tag).toEqual(new Array(statsLen - sxx1).fill(0));
      expect(exact.st[3], tag).toBeCloseTo(
        tiny.reduce((a, b) => a + b, 0),
        40,
      );
      expect(exact.st[3], tag).toBeGreaterThan(0);
      // component 0's statistics: the tiny terms are below their rounding, so both agree exactly
      expect(pruned.st[2], tag).toBe(exact.st[2]);
    }
  });

  it('stats are added to (not overwritten), and blocks merge by addition', () => {
    const be = make();
    const p = makeProblem(77, 'full', 40, 5, 3, true);
    const one = run(be, p, false);
    const pre = one.stats.map((_, i) => (i % 7) - 3);
    const again = run(be, p, false, pre);
    again.stats.forEach((v, i) =>
      expectClose(v, one.stats[i] + pre[i], Math.abs(one.stats[i]) + Math.abs(pre[i]), 1e-14, `stats[${i}]`),
    );
    const a = { ...p, n: 25, X: p.X.slice(0, 25), w: p.w!.slice(0, 25) };
    const b = { ...p, n: 15, X: p.X.slice(25), w: p.w!.slice(25) };
    const sa = run(be, a, false);
    const sb = run(be, b, false, sa.stats);
    const rs = refStats(p, false, refLogProb(p));
    for (const i of definedStatIndices(p))
      expectClose(sb.stats[i], rs.values[i], rs.scale[i], TOL, `merged stats[${i}]`);
  });

  it("rejects d above 4096 and bad covType with the kernel's message (wasm: its abort import decodes it)", () => {
    const be = make();
    expect(() => be.kernels.logProb(be.base, 1, 4097, 1, 0, be.base, be.base, be.base, be.base)).toThrow(
      /^gaussmix kernels: d must be in 1\.\.4096( in assembly\/buffer\.ts\(\d+:\d+\))?$/, // wasm says where
    );
    expect(() => be.kernels.logProb(be.base, 1, 2, 1, 4, be.base, be.base, be.base, be.base)).toThrow(
      /^gaussmix kernels: bad layout( in |$)/,
    );
  });

  it('reserve grows the heap and f64() after growth sees the same data', () => {
    const be = make();
    const before = be.f64();
    const n0 = before.length;
    const ptr = be.base;
    for (let i = 0; i < 100; i++) before[ptr / 8 + i] = i * 1.5 + 0.25;
    be.reserve(n0 * 8); // no-op
    expect(be.f64().length).toBe(n0);
    const want = n0 * 8 + 3 * 65536 + 123;
    be.reserve(want);
    const after = be.f64();
    expect(after.byteLength).toBeGreaterThanOrEqual(want);
    for (let i = 0; i < 100; i++) expect(after[ptr / 8 + i]).toBe(i * 1.5 + 0.25);
    expect(be.f64()).toBe(after); // cached until the next growth
    // kernels see the grown heap: place data beyond the old end
    const hi = Math.ceil((n0 * 8 + 1000) / 16) * 16;
    const f = be.f64();
    f.set([1, 2], hi / 8); // x (d = 2)
    f.set([0, 0], hi / 8 + 2); // mean
    f.set([1, 1], hi / 8 + 4); // diag precision
    f.set([0], hi / 8 + 6); // logConst
    be.kernels.logProb(hi, 1, 2, 1, 2, hi + 16, hi + 32, hi + 48, hi + 64);
    expect(be.f64()[hi / 8 + 8]).toBe(-2.5);
  });
});
