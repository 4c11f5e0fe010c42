/**
 * The twin of `assembly/responsibilities.ts`: log-sum-exp and responsibilities, from log densities.
 *
 * wasm runs these over 4-row tiles with f64x2 exp/log polynomials, but every lane does the arithmetic of its scalar
 * row path; this is that row path, with Math.exp and Math.log — the one place where the backends' results differ
 * (~1 ulp per exp or log). Per row: m = first maximum, e_c = exp(lp_c − m), s = Σ_c e_c (increasing c),
 * lse = m + log s, r_c = e_c·(1/s); Σ w·lse and Σ w in row order. When the caller's `prune` allows it, e_c = 0
 * for lp_c − m < −NEGLIGIBLE_LOG (wasm skips those exps; why that leaves s unchanged: the header there).
 */

/**
 * The normalizeRows kernel on element indices: per row, lse[r] = log Σc exp(lp[r,c]) and lp[r,c] −= lse[r]; a row
 * whose maximum is −∞ gets lse = −∞ and uniform −log k.
 * Preconditions: k ≥ 1; lp holds n·k doubles, lse n doubles, not overlapping.
 */
export function normalizeRows(h: Float64Array, lp: number, n: number, k: number, lse: number): void {
  const negLogK = -Math.log(k);
  let row = lp;
  for (let r = 0; r < n; r++) {
    let m = h[row];
    for (let c = 1; c < k; c++) {
      const v = h[row + c];
      if (v > m) m = v;
    }
    if (m === -Infinity) {
      h[lse + r] = -Infinity;
      for (let c = 0; c < k; c++) h[row + c] = negLogK;
    } else {
      let s = 0;
      for (let c = 0; c < k; c++) s += Math.exp(h[row + c] - m);
      const l = m + Math.log(s);
      h[lse + r] = l;
      for (let c = 0; c < k; c++) h[row + c] -= l;
    }
    row += k;
  }
}

/**
 * The per-row part of the scoreRows kernel on element indices: lse[r] as normalizeRows computes it and
 * lmr[r] = −log Σc exp(lp[r,c] − max) (the log of the largest responsibility); −∞ and −∞ for a row whose maximum is
 * −∞. lp (n·k) is left unchanged.
 */
export function rowScores(h: Float64Array, lp: number, n: number, k: number, lse: number, lmr: number): void {
  let row = lp;
  for (let r = 0; r < n; r++, row += k) {
    let m = h[row];
    for (let c = 1; c < k; c++) {
      const v = h[row + c];
      if (v > m) m = v;
    }
    if (m === -Infinity) {
      h[lse + r] = -Infinity;
      h[lmr + r] = -Infinity;
    } else {
      let s = 0;
      for (let c = 0; c < k; c++) s += Math.exp(h[row + c] - m);
      const g = Math.log(s);
      h[lse + r] = m + g;
      h[lmr + r] = -g;
    }
  }
}

/**
 * Responsibilities of rows [0, n) of h[sc..] (log densities, replaced in place): soft, or one-hot at the first
 * maximum when hard ≠ 0 (then "lse" is that maximum); a soft row whose densities are all −∞ gets uniform 1/k and
 * lse = −∞. Σ w·lse and Σ w (rows in order, weight-0 rows skipped) are *added* to h[totals] and h[totals + 1] (the
 * stats array's first two slots). All arguments are element indices into h. `lo`: soft terms with lp_c − m < lo are
 * 0 (−∞: none).
 * Preconditions: k ≥ 1; w (n doubles) is read only when hasW = 1; totals overlaps neither scratch nor w.
 */
export function responsibilities(
  h: Float64Array,
  sc: number,
  n: number,
  k: number,
  hard: number,
  w: number,
  hasW: number,
  totals: number,
  lo = Number.NEGATIVE_INFINITY,
): void {
  const uniform = 1 / k;
  let ll = 0;
  let sw = 0;
  for (let r = 0, row = sc; r < n; r++, row += k) {
    let m = h[row];
    let am = 0;
    for (let c = 1; c < k; c++) {
      const v = h[row + c];
      if (v > m) {
        m = v;
        am = c;
      }
    }
    let l: number;
    if (hard !== 0) {
      l = m;
      for (let c = 0; c < k; c++) h[row + c] = c === am ? 1 : 0;
    } else if (m === -Infinity) {
      l = -Infinity;
      for (let c = 0; c < k; c++) h[row + c] = uniform;
    } else {
      let s = 0;
      for (let c = 0; c < k; c++) {
        const t = h[row + c] - m;
        const e = t < lo ? 0 : Math.exp(t);
        h[row + c] = e;
        s += e;
      }
      l = m + Math.log(s);
      const inv = 1 / s;
      for (let c = 0; c < k; c++) h[row + c] *= inv;
    }
    const wgt = hasW !== 0 ? h[w + r] : 1;
    if (wgt !== 0) {
      ll += wgt * l;
      sw += wgt;
    }
  }
  h[totals] += ll;
  h[totals + 1] += sw;
}
