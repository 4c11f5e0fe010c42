/**
 * Data of the end-to-end benchmark (bench/e2e.mjs): the per-iteration benchmark's well-separated cases (bench/data.mjs)
 * and overlapping mixtures — K clusters whose means are drawn in a box only a few standard deviations wide, where EM
 * from a k-means start crawls for a few iterations before it speeds up again (the plateau the default tol of 1e-3 can
 * stop on). Written once to os.tmpdir()/gaussmix-bench as raw float64 (N×D) plus a small JSON file, so the gaussmix
 * children and the scikit-learn child read the same bytes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, DATA_DIR, ensureCaseData, makeRng, readX } from './data.mjs';

/** Mixture rows with means uniform in [−box, box]^D and the per-iteration benchmark's covariance recipe. */
function overlapping(n, d, k, box, seed) {
  const rng = makeRng(seed);
  const means = [];
  const factors = [];
  const w = [];
  for (let j = 0; j < k; j++) {
    means.push(Float64Array.from({ length: d }, () => -box + 2 * box * rng.random()));
    const A = new Float64Array(d * d);
    for (let r = 0; r < d; r++) {
      for (let q = 0; q < r; q++) A[r * d + q] = 0.15 * rng.normal();
      A[r * d + r] = 0.5 + rng.random();
    }
    factors.push(A);
    w.push(0.5 + rng.random());
  }
  const total = w.reduce((a, b) => a + b, 0);
  const X = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let u = rng.random() * total;
    let c = 0;
    while (c < k - 1 && u >= w[c]) u -= w[c++];
    for (let q = 0; q < d; q++) z[q] = rng.normal();
    for (let r = 0; r < d; r++) {
      let s = means[c][r];
      for (let q = 0; q <= r; q++) s += factors[c][r * d + q] * z[q];
      X[i * d + r] = s;
    }
  }
  return X;
}

/**
 * The cases: `fit` cases (default options, K = the mixture's) and one `select` case (a BIC sweep). `rows` limits a
 * per-iteration case's data to its first rows.
 */
export const E2E_CASES = [
  { id: 'sep-d2', kind: 'fit', from: 'n1e6-d2-k4', n: 1_000_000, d: 2, k: 4 },
  { id: 'sep-d8', kind: 'fit', from: 'n2e5-d8-k8', n: 200_000, d: 8, k: 8 },
  { id: 'over-d2', kind: 'fit', box: 2, n: 1_000_000, d: 2, k: 6 },
  { id: 'over-d8', kind: 'fit', box: 2.5, n: 200_000, d: 8, k: 8 },
  { id: 'select-d2', kind: 'select', from: 'n1e6-d2-k4', n: 200_000, d: 2, ks: [1, 2, 3, 4, 5, 6] },
];

/** Paths of a case's data, generated on first use. */
export function ensureE2E(c) {
  mkdirSync(DATA_DIR, { recursive: true });
  const stem = join(DATA_DIR, `e2e-${c.id}-n${c.n}-v1`);
  const xPath = `${stem}.f64`;
  const metaPath = `${stem}.json`;
  if (!existsSync(xPath) || !existsSync(metaPath)) {
    let X;
    if (c.from) {
      const src = ensureCaseData(CASES.find((x) => x.id === c.from));
      X = readX(src.xPath, c.n, c.d);
    } else {
      X = overlapping(c.n, c.d, c.k, c.box, 4242 + c.d);
    }
    writeFileSync(`${xPath}.tmp${process.pid}`, new Uint8Array(X.buffer, X.byteOffset, X.byteLength));
    renameSync(`${xPath}.tmp${process.pid}`, xPath);
    writeFileSync(metaPath, JSON.stringify({ id: c.id, n: c.n, d: c.d, k: c.k ?? null, ks: c.ks ?? null }));
  }
  return { xPath, metaPath, meta: JSON.parse(readFileSync(metaPath, 'utf8')) };
}
