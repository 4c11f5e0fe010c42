/**
 * A reference implementation of mclust 6.0's hc() (hcVVV, hcEII) and its "SVD" transformation, written straight from
 * docs/mclust-notes.md §5 with mclust's full O(n³) scan of the packed cost table at every merge. It reproduces every
 * merge sequence recorded in test/fixtures/mclust-models.json (test/unit/model/mclust-hc.test.ts), and the library's
 * faster src/init/hc.ts is checked against it on data with many ties (test/unit/init/hc.test.ts).
 */
import { svd } from '../../src/model/eigen.js';

/** hc(use = "SVD"): standardise (sd with n − 1), rotate onto the right singular vectors, divide by √(singular value). */
export function svdTransform(X: number[][]): number[][] {
  const n = X.length;
  const p = X[0].length;
  const s = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += X[i][j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (X[i][j] - mean) ** 2;
    const sd = Math.sqrt(ss / (n - 1));
    for (let i = 0; i < n; i++) s[i * p + j] = (X[i][j] - mean) / sd;
  }
  const { s: sv, v } = svd(s, n, p);
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: p }, (_, c) => {
      let t = 0;
      for (let j = 0; j < p; j++) t += s[i * p + j] * v[j * p + c];
      return t / Math.sqrt(sv[c]);
    }),
  );
}

interface Group {
  n: number;
  mean: Float64Array;
  W: Float64Array;
  tr: number;
  term: number;
  name: number;
}

const FLMAX = 1.7976931348623157e308;

/**
 * mclust's hc for VVV (hcvvv) or EII (hceii): agglomerate from singletons, each step merging the pair of groups
 * with the smallest cost; ties go to the LAST pair in the packed order (1,2),(1,3),(2,3),(1,4),… of the current
 * slots. The merged group takes the lower slot i; the group in the last slot moves into slot j. Returns the merge
 * pairs as mclust reports them (names = smallest original index of each group, 0-based here).
 */
export function hc(Z: number[][], model: 'VVV' | 'EII'): number[][] {
  const n = Z.length;
  const p = Z[0].length;
  // α = tr(W_total)/(n·p) (traceW(data/√(np))), β = 1
  let alpha = 0;
  for (let j = 0; j < p; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += Z[i][j];
    mean /= n;
    for (let i = 0; i < n; i++) alpha += (Z[i][j] - mean) ** 2;
  }
  alpha = Math.max(alpha / (n * p), 2.220446049250313e-16);
  const beta = 1;
  const ablog = Math.log(beta * alpha);

  const term = (g: { n: number; W: Float64Array; tr: number }): number => {
    const l = g.n;
    if (l === 1) return ablog;
    if (l <= p) return l * Math.log((beta * (g.tr + alpha)) / l);
    if (g.tr === 0) return l * Math.log((alpha * beta) / l);
    const detlog = logDet(g.W, p, l);
    const b = (beta * (g.tr + alpha)) / l;
    if (detlog === -FLMAX) return l * Math.log(b);
    if (detlog <= 0) return l * Math.log(Math.exp(detlog) + b);
    return l * (Math.log(1 + Math.exp(-detlog) * b) + detlog);
  };
  const union = (a: Group, b: Group) => {
    const nij = a.n + b.n;
    const f = (a.n * b.n) / nij;
    const diff = a.mean.map((m, j) => m - b.mean[j]);
    const W = new Float64Array(p * p);
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) W[i * p + j] = a.W[i * p + j] + b.W[i * p + j] + f * diff[i] * diff[j];
    let dist = 0;
    for (let j = 0; j < p; j++) dist += diff[j] * diff[j];
    const mean = a.mean.map((m, j) => (a.n * m + b.n * b.mean[j]) / nij);
    return { n: nij, mean, W, tr: a.tr + b.tr + f * dist, ward: f * dist };
  };
  const cost = (a: Group, b: Group): number => {
    const u = union(a, b);
    if (model === 'EII') return u.ward;
    return term(u) - (a.term + b.term);
  };

  // slots 0..lg-1 (mclust's 1..lg)
  const slots: Group[] = Z.map((z, i) => {
    const g = { n: 1, mean: Float64Array.from(z), W: new Float64Array(p * p), tr: 0, term: 0, name: i };
    g.term = ablog;
    return g;
  });
  const idx = (i: number, j: number) => (j * (j - 1)) / 2 + i; // packed index of slots i < j (0-based)
  let dist = new Float64Array((n * (n - 1)) / 2);
  for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) dist[idx(i, j)] = cost(slots[i], slots[j]);
  const merges: number[][] = [];
  for (let lg = n; lg > 1; lg--) {
    let best = 0;
    const ld = (lg * (lg - 1)) / 2;
    for (let q = 1; q < ld; q++) if (dist[q] <= dist[best]) best = q;
    let j = 1;
    while ((j * (j + 1)) / 2 <= best) j++;
    const i = best - (j * (j - 1)) / 2;
    const a = slots[i];
    const b = slots[j];
    merges.push([Math.min(a.name, b.name), Math.max(a.name, b.name)]);
    const u = union(a, b);
    const merged: Group = { n: u.n, mean: u.mean, W: u.W, tr: u.tr, term: 0, name: Math.min(a.name, b.name) };
    merged.term = term(merged);
    // new distance table over lg - 1 slots: slot i ← merged, slot j ← old last slot (if j is not the last)
    const last = lg - 1;
    const order: number[] = [];
    for (let s2 = 0; s2 < last; s2++) order.push(s2 === j ? last : s2);
    const next = new Float64Array(((lg - 1) * (lg - 2)) / 2);
    slots[i] = merged;
    if (j !== last) slots[j] = slots[last];
    slots.length = last;
    for (let y = 1; y < last; y++)
      for (let x = 0; x < y; x++) {
        if (x === i || y === i) next[idx(x, y)] = cost(slots[x], slots[y]);
        else {
          const ox = order[x];
          const oy = order[y];
          next[idx(x, y)] = dist[idx(Math.min(ox, oy), Math.max(ox, oy))];
        }
      }
    dist = next;
  }
  return merges;
}

/** log det(W/l) by Cholesky; −FLMAX when a pivot is not positive (mclust: a zero diagonal of the QR factor). */
function logDet(W: Float64Array, p: number, l: number): number {
  const L = new Float64Array(p * p);
  let s2 = 0;
  for (let i = 0; i < p; i++)
    for (let j = 0; j <= i; j++) {
      let s = W[i * p + j] / l;
      for (let q = 0; q < j; q++) s -= L[i * p + q] * L[j * p + q];
      if (i === j) {
        if (!(s > 0)) return -FLMAX;
        L[i * p + i] = Math.sqrt(s);
        s2 += Math.log(s);
      } else L[i * p + j] = s / L[j * p + j];
    }
  return s2;
}
