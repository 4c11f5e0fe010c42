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
import { type HcCriterion, MergeCost } from './hc-cost.js';

export type { HcCriterion } from './hc-cost.js';

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

/**
 * The n − 1 merges of hc(), as pairs of group names (the smaller original row index of each group, 0-based),
 * [smaller, larger] in merge order, flattened. `z` is n×p row-major (already transformed).
 */
export function hcMerges(z: Float64Array, n: number, p: number, criterion: HcCriterion): Int32Array {
  const merges = new Int32Array(2 * Math.max(0, n - 1));
  if (n < 2) return merges;
  const costs = new MergeCost(z, n, p, criterion);
  const slots = Array.from({ length: n }, (_, i) => costs.singleton(i));
  const table = new CostTable(n);
  for (let j = 1; j < n; j++) {
    for (let i = 0; i < j; i++)
      table.dist[table.idx(i, j)] = costs.vvv && p < 2 ? costs.cost(slots[i], slots[j]) : costs.pairOfRows(i, j);
  }
  for (let j = 1; j < n; j++) table.rescan(j);

  for (let lg = n, step = 0; lg > 1; lg--, step++) {
    const j = table.cheapestColumn(lg);
    const i = table.best[j];
    const a = slots[i];
    const b = slots[j];
    merges[2 * step] = Math.min(a.name, b.name);
    merges[2 * step + 1] = Math.max(a.name, b.name);
    const merged = costs.merge(a, b);
    const last = lg - 1;
    slots[i] = merged;
    if (j !== last) {
      // the group in the last slot moves into slot j, its costs with it
      slots[j] = slots[last];
      table.moveLastInto(j, last, i);
    }
    slots.length = last;
    if (last < 2) continue;
    // costs of the merged group with every other slot
    for (let x = 0; x < last; x++) {
      if (x === i) continue;
      table.dist[table.idx(Math.min(x, i), Math.max(x, i))] =
        x < i ? costs.cost(slots[x], merged) : costs.cost(merged, slots[x]);
    }
    table.updateMinima(i, j, last);
  }
  return merges;
}

/**
 * The packed table of costs between the current slots — pair (i, j), i < j, at idx(i, j) — and, per column j ≥ 1,
 * the row i < j of its smallest cost, ties to the larger i (later in packed order), which is what makes a step
 * O(n) instead of mclust's full scan.
 */
class CostTable {
  readonly dist: Float64Array;
  readonly best: Int32Array;

  constructor(n: number) {
    this.dist = new Float64Array((n * (n - 1)) / 2);
    this.best = new Int32Array(n);
  }

  /** Slots i < j, 0-based (n ≤ 46 341). */
  idx(i: number, j: number): number {
    return ((j * (j - 1)) >>> 1) + i;
  }

  /** Column j's minimum from scratch. */
  rescan(j: number): void {
    const { dist } = this;
    let b = 0;
    const o = this.idx(0, j);
    for (let i = 1; i < j; i++) if (dist[o + i] <= dist[o + b]) b = i;
    this.best[j] = b;
  }

  /** Column j's minimum after its row i changed, when no other row of it did. */
  offer(i: number, j: number): void {
    const { dist, best } = this;
    const v = dist[this.idx(i, j)];
    const cur = dist[this.idx(best[j], j)];
    if (v < cur || (v === cur && i > best[j])) best[j] = i;
  }

  /** The column of the global minimum over the first lg slots, ties to the later column (later in packed order). */
  cheapestColumn(lg: number): number {
    const { dist, best } = this;
    let bj = 1;
    for (let j = 2; j < lg; j++) if (dist[this.idx(best[j], j)] <= dist[this.idx(best[bj], bj)]) bj = j;
    return bj;
  }

  /** The costs of slot `last` become slot j's (slot i, merged, gets new costs anyway). */
  moveLastInto(j: number, last: number, i: number): void {
    const { dist } = this;
    for (let x = 0; x < j; x++) if (x !== i) dist[this.idx(x, j)] = dist[this.idx(x, last)];
    for (let y = j + 1; y < last; y++) dist[this.idx(j, y)] = dist[this.idx(y, last)];
  }

  /** Column minima after merging j into i: i and j changed entirely; a column y > i changed at row i (and at row j when y > j). */
  updateMinima(i: number, j: number, last: number): void {
    const { best } = this;
    if (i >= 1) this.rescan(i);
    if (j !== last) this.rescan(j);
    for (let y = i + 1; y < last; y++) {
      if (y === j) continue;
      const moved = j !== last && y > j;
      if (best[y] === i || (moved && best[y] === j)) this.rescan(y);
      else {
        this.offer(i, y);
        if (moved) this.offer(j, y);
      }
    }
  }
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
