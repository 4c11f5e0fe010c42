/**
 * The default guess of which rows are noise for a fit with a noise component: the nearest-neighbour clutter
 * estimate of Byers & Raftery (1998) — the method behind prabclus's NNclean, which mclust recommends for its noise
 * initialisation — in a small deterministic form:
 *  1. columns are scaled to unit standard deviation (so no feature's units dominate the distances);
 *  2. Dᵢ, the Euclidean distance from row i to its k-th nearest other row (k = min(10, N − 1)), exactly, O(N²·D);
 *  3. in a Poisson process of intensity λ in D dimensions, Dᵢ^D times the unit ball's volume is Gamma(k, λ); a
 *     mixture of two such processes (dense clusters, sparse clutter) is fitted to yᵢ = (Dᵢ/median D)^D by EM (the
 *     Gamma shape k is known, so each M-step is closed form: λ = k·Σz / Σz·y);
 *  4. a row is noise when its posterior probability of the sparse process exceeds ½.
 * There is no randomness (the start is the 90% quantile split), so the result depends on the rows only.
 */

const K_NEIGHBOURS = 10;

/** One flag per row (1: noise) for row-major X (n × d). */
export function nnClutter(X: Float64Array, n: number, d: number): Uint8Array {
  const flags = new Uint8Array(n);
  const k = Math.min(K_NEIGHBOURS, n - 1);
  if (k < 1) return flags;
  // 1. unit standard deviation per column
  const Z = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += X[i * d + j];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (X[i * d + j] - m) ** 2;
    const s = Math.sqrt(v / n) || 1;
    for (let i = 0; i < n; i++) Z[i * d + j] = (X[i * d + j] - m) / s;
  }
  // 2. the k-th nearest neighbour's squared distance: the k smallest kept in a sorted buffer
  const dk = new Float64Array(n);
  const best = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    best.fill(Infinity);
    for (let t = 0; t < n; t++) {
      if (t === i) continue;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const u = Z[i * d + j] - Z[t * d + j];
        s += u * u;
      }
      if (s >= best[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && best[p - 1] > s) {
        best[p] = best[p - 1];
        p--;
      }
      best[p] = s;
    }
    dk[i] = Math.sqrt(best[k - 1]);
  }
  // 3. two-Gamma mixture on y = (D / median)^D (log space guards against overflow for large D)
  const sorted = Float64Array.from(dk).sort();
  const med = sorted[Math.floor((n - 1) / 2)] || 1;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.exp(Math.min(700, d * Math.log(dk[i] / med)));
  const cut = Float64Array.from(y).sort()[Math.floor(0.9 * (n - 1))];
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = y[i] > cut ? 1 : 0;
  let p = 0;
  for (let iter = 0; iter < 500; iter++) {
    // M-step: π and the two intensities
    let sz = 0;
    let szy = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      sz += z[i];
      szy += z[i] * y[i];
      sy += y[i];
    }
    if (!(sz > 0) || !(n - sz > 0)) return flags; // no second process: nothing looks like clutter
    const pNew = sz / n;
    const sparse = (k * sz) / szy;
    const dense = (k * (n - sz)) / (sy - szy);
    if (!(sparse < dense)) return flags;
    // E-step: posterior of the sparse process (the Gamma densities share (k−1)·log y − log Γ(k))
    const a = Math.log(pNew) + k * Math.log(sparse);
    const b = Math.log(1 - pNew) + k * Math.log(dense);
    for (let i = 0; i < n; i++) z[i] = 1 / (1 + Math.exp(b - dense * y[i] - (a - sparse * y[i])));
    if (Math.abs(pNew - p) < 1e-10) break;
    p = pNew;
  }
  // 4. flags
  for (let i = 0; i < n; i++) flags[i] = z[i] > 0.5 ? 1 : 0;
  return flags;
}
