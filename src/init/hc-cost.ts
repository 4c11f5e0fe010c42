/**
 * The cost of merging two groups in mclust's hierarchical clustering (hc.ts): the change in the VVV criterion
 * (hcVVV, with α = tr(W_total)/(n·p), β = 1) or the Ward cost of EII (hcEII). The arithmetic is mclust's exactly —
 * the order of every operation is part of the merge sequence the fixtures pin, ties included.
 */
export type HcCriterion = 'VVV' | 'EII';

const FLMAX = 1.7976931348623157e308;

/** A group of rows during the agglomeration. */
export interface Group {
  n: number;
  mean: Float64Array;
  /** scatter about the mean (VVV only) */
  w: Float64Array | null;
  tr: number;
  term: number;
  /** the smallest original row index among the members */
  name: number;
}

/** A criterion's merge costs over the n×p rows z, with the scratch a cost needs (allocated once). */
export class MergeCost {
  readonly vvv: boolean;
  /** log(β·α): the term of a singleton. */
  readonly ablog: number;
  private readonly alpha: number;
  private readonly beta = 1;
  private readonly chol: Float64Array;
  // the union of two groups (into the scratch u*), in union()'s argument order
  private readonly diff: Float64Array;
  private readonly uMean: Float64Array;
  private readonly uW: Float64Array;
  /** n, trace and Ward cost of the union; in a typed array, not fields (V8 boxes reassigned doubles) */
  private readonly u = new Float64Array(3);

  constructor(
    private readonly z: Float64Array,
    n: number,
    private readonly p: number,
    criterion: HcCriterion,
  ) {
    this.vvv = criterion === 'VVV';
    // α = tr(W_total)/(n·p) (mclust: traceW(data/√(np)), at least ε), β = 1
    let alpha = 0;
    for (let j = 0; j < p; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += z[i * p + j];
      m /= n;
      for (let i = 0; i < n; i++) alpha += (z[i * p + j] - m) ** 2;
    }
    this.alpha = Math.max(alpha / (n * p), Number.EPSILON);
    this.ablog = Math.log(this.beta * this.alpha);
    this.chol = new Float64Array(p * p);
    this.diff = new Float64Array(p);
    this.uMean = new Float64Array(p);
    this.uW = new Float64Array(this.vvv ? p * p : 0);
  }

  /** Row i as a group of its own. */
  singleton(i: number): Group {
    const { p } = this;
    return {
      n: 1,
      mean: this.z.slice(i * p, (i + 1) * p),
      w: this.vvv ? new Float64Array(p * p) : null,
      tr: 0,
      term: this.ablog,
      name: i,
    };
  }

  /** The cost of merging groups a and b (the criterion's change, or the Ward cost). */
  cost(a: Group, b: Group): number {
    const { u, vvv } = this;
    this.union(a, b, vvv && a.n + b.n > this.p);
    return vvv ? this.term(u[0], this.uW, u[1]) - (a.term + b.term) : u[2];
  }

  /** cost() of the singletons of rows i and j with its zero terms left out: the same result, several times faster. */
  pairOfRows(i: number, j: number): number {
    const { z, p, alpha, beta, ablog } = this;
    let d2 = 0;
    for (let q = 0; q < p; q++) {
      const t = z[i * p + q] - z[j * p + q];
      d2 += t * t;
    }
    const tr = 0.5 * d2;
    return this.vvv ? 2 * Math.log((beta * (tr + alpha)) / 2) - (ablog + ablog) : tr;
  }

  /** The group a ∪ b, named by the smaller of their names. */
  merge(a: Group, b: Group): Group {
    const { u, vvv } = this;
    this.union(a, b, vvv);
    const merged: Group = {
      n: u[0],
      mean: this.uMean.slice(),
      w: vvv ? this.uW.slice() : null,
      tr: u[1],
      term: 0,
      name: Math.min(a.name, b.name),
    };
    merged.term = vvv ? this.term(merged.n, merged.w!, merged.tr) : 0;
    return merged;
  }

  /** The union's n, trace, mean and Ward cost; its scatter only when `withW` (a cost needs it only when n > p). */
  private union(a: Group, b: Group, withW: boolean): void {
    const { p, u, diff, uMean, uW } = this;
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
  }

  /** A group's VVV term from its size l, scatter w and trace tr. */
  private term(l: number, w: Float64Array, tr: number): number {
    const { p, alpha, beta } = this;
    if (l === 1) return this.ablog;
    if (l <= p) return l * Math.log((beta * (tr + alpha)) / l);
    if (tr === 0) return l * Math.log((alpha * beta) / l);
    const detlog = this.logDet(w, l);
    const b = (beta * (tr + alpha)) / l;
    if (detlog === -FLMAX) return l * Math.log(b);
    if (detlog <= 0) return l * Math.log(Math.exp(detlog) + b);
    return l * (Math.log(1 + Math.exp(-detlog) * b) + detlog);
  }

  /** log det(W/l) by Cholesky; −FLMAX when a pivot is not positive (mclust: a zero diagonal of the QR factor). */
  private logDet(w: Float64Array, l: number): number {
    const { p, chol } = this;
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
  }
}
