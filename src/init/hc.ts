/**
 * mclust 6.0's model-based agglomerative hierarchical clustering (hc, hcVVV, hcEII; Banfield & Raftery 1993,
 * Fraley 1998) and hclass, as docs/mclust-notes.md §5 describes them and test/fixtures/mclust-models.json checks
 * (merge sequences equal mclust's exactly, ties included). Pure functions over a row-major n×p matrix; the 'hc'
 * start (hc-start.ts) gets its rows through the protocol and calls these.
 *
 * The merge order is mclust's: each step merges the pair of groups with the smallest cost, ties going to the LAST
 * pair in the packed order (1,2), (1,3), (2,3), (1,4), … of the current slots; the merged group takes the lower slot
 * i, the group in the last slot moves into slot j, and only the costs involving the merged group are recomputed
 * (the others are moved as they are). mclust scans every pair at every step (O(n³)); here each column of the packed
 * cost table keeps its minimum (ties to the larger row), so a step costs O(n) plus a rescan of the few columns whose
 * minimum involved the merged groups — the same choice, typically O(n²) in all (2 000 rows in well under a second).
 */
import { svd } from '../model/eigen.js';

export type HcCriterion = 'VVV' | 'EII';

const FLMAX = 1.7976931348623157e308;

/**
 * hc()'s "SVD" transformation: standardise each column (sd with denominator n − 1), rotate onto the right singular
 * vectors and divide each by the SQUARE ROOT of its singular value. Constant columns and directions of zero
 * singular value carry no information and are dropped (mclust would divide by zero). Returns the transformed rows
 * and their number of columns.
 */
export function svdTransform(x: Float64Array, n: number, p: number): { z: Float64Array; p: number } {
  const keep: number[] = [];
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * p + j];
    m /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * p + j] - m) ** 2;
    mean[j] = m;
    sd[j] = Math.sqrt(ss / (n - 1));
    if (sd[j] > 0 && Number.isFinite(sd[j])) keep.push(j);
  }
  const q = keep.length;
  if (q === 0 || n < q) return { z: new Float64Array(n), p: 1 }; // nothing to rotate: every row alike
  const s = new Float64Array(n * q);
  for (let i = 0; i < n; i++) keep.forEach((j, c) => (s[i * q + c] = (x[i * p + j] - mean[j]) / sd[j]));
  const { s: sv, v } = svd(s, n, q);
  const cols: number[] = [];
  for (let c = 0; c < q; c++) if (sv[c] > 1e-12 * sv[0]) cols.push(c);
  const r = cols.length;
  const z = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    cols.forEach((c, t) => {
      let acc = 0;
      for (let j = 0; j < q; j++) acc += s[i * q + j] * v[j * q + c];
      z[i * r + t] = acc / Math.sqrt(sv[c]);
    });
  }
  return { z, p: r };
}

interface Group {
  n: number;
  mean: Float64Array;
  /** scatter about the mean (VVV only) */
  w: Float64Array | null;
  tr: number;
  term: number;
  /** the smallest original row index among the members */
  name: number;
}

/**
 * The n − 1 merges of hc(), as pairs of group names (the smaller original row index of each group, 0-based),
 * [smaller, larger] in merge order, flattened. `z` is n×p row-major (already transformed).
 */
export function hcMerges(z: Float64Array, n: number, p: number, criterion: HcCriterion): Int32Array {
  const merges = new Int32Array(2 * Math.max(0, n - 1));
  if (n < 2) return merges;
  const vvv = criterion === 'VVV';
  // α = tr(W_total)/(n·p) (mclust: traceW(data/√(np)), at least ε), β = 1
  let alpha = 0;
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += z[i * p + j];
    m /= n;
    for (let i = 0; i < n; i++) alpha += (z[i * p + j] - m) ** 2;
  }
  alpha = Math.max(alpha / (n * p), Number.EPSILON);
  const beta = 1;
  const ablog = Math.log(beta * alpha);
  const chol = new Float64Array(p * p);

  /** log det(W/l) by Cholesky; −FLMAX when a pivot is not positive (mclust: a zero diagonal of the QR factor). */
  const logDet = (w: Float64Array, l: number): number => {
    let s2 = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        let s = w[i * p + j] / l;
        for (let q = 0; q < j; q++) s -= chol[i * p + q] * chol[j * p + q];
        if (i === j) {
          if (!(s > 0)) return -FLMAX;
          chol[i * p + i] = Math.sqrt(s);
          s2 += Math.log(s);
        } else chol[i * p + j] = s / chol[j * p + j];
      }
    }
    return s2;
  };
  const term = (l: number, w: Float64Array, tr: number): number => {
    if (l === 1) return ablog;
    if (l <= p) return l * Math.log((beta * (tr + alpha)) / l);
    if (tr === 0) return l * Math.log((alpha * beta) / l);
    const detlog = logDet(w, l);
    const b = (beta * (tr + alpha)) / l;
    if (detlog === -FLMAX) return l * Math.log(b);
    if (detlog <= 0) return l * Math.log(Math.exp(detlog) + b);
    return l * (Math.log(1 + Math.exp(-detlog) * b) + detlog);
  };

  // the union of two groups (into the scratch u*), in this argument order: the arithmetic must be mclust's exactly
  const diff = new Float64Array(p);
  const uMean = new Float64Array(p);
  const uW = new Float64Array(vvv ? p * p : 0);
  // n, trace and Ward cost of the union; in a typed array, not captured `let`s (V8 boxes reassigned captured doubles)
  const u = new Float64Array(3);
  /** The union's n, trace, mean and Ward cost; its scatter only when `withW` (a cost needs it only when n > p). */
  const union = (a: Group, b: Group, withW: boolean): void => {
    const uN = a.n + b.n;
    u[0] = uN;
    const f = (a.n * b.n) / uN;
    let dist = 0;
    for (let j = 0; j < p; j++) {
      diff[j] = a.mean[j] - b.mean[j];
      dist += diff[j] * diff[j];
      uMean[j] = (a.n * a.mean[j] + b.n * b.mean[j]) / uN;
    }
    if (withW) {
      const aw = a.w!;
      const bw = b.w!;
      for (let i = 0; i < p; i++)
        for (let j = 0; j < p; j++) uW[i * p + j] = aw[i * p + j] + bw[i * p + j] + f * diff[i] * diff[j];
    }
    u[1] = a.tr + b.tr + f * dist;
    u[2] = f * dist;
  };
  const cost = (a: Group, b: Group): number => {
    union(a, b, vvv && a.n + b.n > p);
    return vvv ? term(u[0], uW, u[1]) - (a.term + b.term) : u[2];
  };

  const slots: Group[] = Array.from({ length: n }, (_, i) => ({
    n: 1,
    mean: z.slice(i * p, (i + 1) * p),
    w: vvv ? new Float64Array(p * p) : null,
    tr: 0,
    term: ablog,
    name: i,
  }));
  const idx = (i: number, j: number): number => ((j * (j - 1)) >>> 1) + i; // slots i < j, 0-based (n ≤ 46 341)
  const dist = new Float64Array((n * (n - 1)) / 2);
  // two singletons: cost() with its zero terms left out — the same floating-point result, several times faster
  const pairOfRows = (i: number, j: number): number => {
    let d2 = 0;
    for (let q = 0; q < p; q++) {
      const t = z[i * p + q] - z[j * p + q];
      d2 += t * t;
    }
    const tr = 0.5 * d2;
    return vvv ? 2 * Math.log((beta * (tr + alpha)) / 2) - (ablog + ablog) : tr;
  };
  for (let j = 1; j < n; j++) {
    for (let i = 0; i < j; i++) dist[idx(i, j)] = vvv && p < 2 ? cost(slots[i], slots[j]) : pairOfRows(i, j);
  }

  // per column j ≥ 1: the row i < j of its smallest cost, ties to the larger i (later in packed order)
  const best = new Int32Array(n);
  const rescan = (j: number): void => {
    let b = 0;
    const o = idx(0, j);
    for (let i = 1; i < j; i++) if (dist[o + i] <= dist[o + b]) b = i;
    best[j] = b;
  };
  const offer = (i: number, j: number): void => {
    const v = dist[idx(i, j)];
    const cur = dist[idx(best[j], j)];
    if (v < cur || (v === cur && i > best[j])) best[j] = i;
  };
  for (let j = 1; j < n; j++) rescan(j);

  for (let lg = n, step = 0; lg > 1; lg--, step++) {
    // the global minimum, ties to the later column (later in packed order)
    let bj = 1;
    for (let j = 2; j < lg; j++) if (dist[idx(best[j], j)] <= dist[idx(best[bj], bj)]) bj = j;
    const j = bj;
    const i = best[j];
    const a = slots[i];
    const b = slots[j];
    merges[2 * step] = Math.min(a.name, b.name);
    merges[2 * step + 1] = Math.max(a.name, b.name);
    union(a, b, vvv);
    const merged: Group = {
      n: u[0],
      mean: uMean.slice(),
      w: vvv ? uW.slice() : null,
      tr: u[1],
      term: 0,
      name: Math.min(a.name, b.name),
    };
    merged.term = vvv ? term(merged.n, merged.w!, merged.tr) : 0;
    const last = lg - 1;
    slots[i] = merged;
    if (j !== last) {
      // the group in the last slot moves into slot j, its costs with it
      slots[j] = slots[last];
      for (let x = 0; x < j; x++) if (x !== i) dist[idx(x, j)] = dist[idx(x, last)];
      for (let y = j + 1; y < last; y++) dist[idx(j, y)] = dist[idx(y, last)];
    }
    slots.length = last;
    if (last < 2) continue;
    // costs of the merged group with every other slot
    for (let x = 0; x < last; x++) {
      if (x === i) continue;
      dist[idx(Math.min(x, i), Math.max(x, i))] = x < i ? cost(slots[x], merged) : cost(merged, slots[x]);
    }
    // column minima: i and j changed entirely; a column y > i changed at row i (and at row j when y > j)
    if (i >= 1) rescan(i);
    if (j !== last) rescan(j);
    for (let y = i + 1; y < last; y++) {
      if (y === j) continue;
      const moved = j !== last && y > j;
      if (best[y] === i || (moved && best[y] === j)) rescan(y);
      else {
        offer(i, y);
        if (moved) offer(j, y);
      }
    }
  }
  return merges;
}

/**
 * hclass(): the groups after the first n − G merges (each merge relabels the larger name with the smaller), then
 * numbered 0, 1, … in order of first appearance down the rows (partconv(consec = TRUE)).
 */
export function hclass(merges: Int32Array, n: number, g: number): Int32Array {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  // names are the groups' smallest members, so merging name b into a is a union of their sets
  for (let m = 0; m < n - g; m++) parent[find(merges[2 * m + 1])] = find(merges[2 * m]);
  const labels = new Int32Array(n);
  const seen = new Map<number, number>();
  for (let r = 0; r < n; r++) {
    const root = find(r);
    let l = seen.get(root);
    if (l === undefined) seen.set(root, (l = seen.size));
    labels[r] = l;
  }
  return labels;
}
