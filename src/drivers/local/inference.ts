/**
 * Inference over in-memory rows with a loaded workspace: labels, responsibilities, log p(x). Block by block, so no
 * N×K matrix beyond what the caller asks for.
 */
import type { Workspace } from '../../backends/workspace.js';
import type { Rows } from '../../data/matrix.js';

/**
 * What inference reads log densities from: a Workspace, or local/observed.ts's ObservedPass (rows with NaN), which has
 * no forEachScore (its scoring sums take forEachLogResp).
 */
export type LogDensities = Pick<Workspace, 'k' | 'forEachLogProb' | 'forEachLogResp'> &
  Partial<Pick<Workspace, 'forEachScore'>>;

/**
 * labels[offset + r] = argmax of row r of the count×k matrix m (first maximum wins). A row with a NaN entry gets 0:
 * such a row (x − μ overflowed) has density 0 under every component, and predictProba makes it uniform.
 */
export function argmaxRows(m: Float64Array, count: number, k: number, labels: Int32Array, offset: number): void {
  for (let r = 0; r < count; r++) {
    let best = 0;
    let bv = m[r * k];
    let nan = Number.isNaN(bv);
    for (let c = 1; c < k; c++) {
      const v = m[r * k + c];
      if (v > bv) {
        bv = v;
        best = c;
      } else if (Number.isNaN(v)) nan = true;
    }
    labels[offset + r] = nan ? 0 : best;
  }
}

/** The most responsible component of each row: the argmax of log πc N(x; μc, Σc), as scikit-learn. */
export function predictLabels(ws: LogDensities, rows: Rows): Int32Array {
  const labels = new Int32Array(rows.n);
  ws.forEachLogProb(rows, (start, count, lp) => argmaxRows(lp, count, ws.k, labels, start));
  return labels;
}

/** Posterior probabilities of the components (each row sums to 1). */
export function responsibilities(ws: LogDensities, rows: Rows): Float64Array[] {
  const { k } = ws;
  const out: Float64Array[] = new Array(rows.n);
  ws.forEachLogResp(rows, (start, count, lr) => {
    for (let r = 0; r < count; r++) {
      const row = new Float64Array(k);
      for (let c = 0; c < k; c++) row[c] = Math.exp(lr[r * k + c]);
      out[start + r] = row;
    }
  });
  return out;
}

/** log p(x) of each row. */
export function logDensities(ws: LogDensities, rows: Rows): Float64Array {
  const out = new Float64Array(rows.n);
  ws.forEachLogResp(rows, (start, _count, _lr, lse) => out.set(lse, start));
  return out;
}

/**
 * acc[0] += Σ log p(x), acc[1] += Σ log max_c r_c over the rows, in row order. Through the scoreRows kernel where the
 * source has it (forEachScore): at D ≤ 4 the log densities never leave the SIMD lanes and no log responsibilities are
 * written — a scoring pass of 2·10⁵ × 2, K = 6 took 9–14 ms through forEachLogResp, more than a whole EM iteration.
 * Σ log p(x) is the same bit for bit (the same lse per row, the same repairs: NaN → −∞); log max r is −log Σ exp(lp −
 * max lp) per row, within rounding of forEachLogResp's max(lp − lse) after its renormalisation of rows with
 * |lse| > 1e3, where that one loses digits (tested to 1e-12).
 */
function scoreSums(ws: LogDensities, rows: Rows, acc: Float64Array): void {
  const { k } = ws;
  if (ws.forEachScore) {
    ws.forEachScore(rows, (_start, count, lse, lmr) => addScores(lse, lmr, count, k, acc));
    return;
  }
  ws.forEachLogResp(rows, (_start, count, lr, lse) => {
    addLse(lse, count, acc);
    addLogMax(lr, count, k, acc);
  });
}

/** Σ log p(x) over the rows. */
export function totalLogDensity(ws: LogDensities, rows: Rows): number {
  const acc = new Float64Array(2);
  scoreSums(ws, rows, acc);
  return acc[0];
}

/** totalLogDensity and sumLogMaxResponsibility from one pass (selectModel scores every candidate by both). */
export function logLikAndMaxResponsibility(ws: LogDensities, rows: Rows): { total: number; sumLogMax: number } {
  const acc = new Float64Array(2);
  scoreSums(ws, rows, acc);
  return { total: acc[0], sumLogMax: acc[1] };
}

/*
 * The per-row sums run in these top-level functions with the running totals in locals (acc[0] = Σ lse, acc[1] =
 * Σ log max r, carried from block to block, so each is one running sum in row order): the same loops written in the
 * callbacks, updating variables the closure captures, took twice as long (2·10⁵ rows × 6 components, one scoring
 * pass of selectModel: 8–9 ms vs 4–5 ms of JavaScript beside 11–16 ms in the kernels).
 */

function addLse(lse: Float64Array, count: number, acc: Float64Array): void {
  let total = acc[0];
  for (let r = 0; r < count; r++) total += lse[r];
  acc[0] = total;
}

/**
 * scoreSums's rows from forEachScore, with forEachLogResp's repair (Workspace's repairRows): a NaN lse (x − μ
 * overflowed) counts as −∞ with uniform responsibilities, as an all −∞ row does — log max r = −log k.
 */
function addScores(lse: Float64Array, lmr: Float64Array, count: number, k: number, acc: Float64Array): void {
  let total = acc[0];
  let sum = acc[1];
  for (let r = 0; r < count; r++) {
    const l = lse[r];
    if (l > -Infinity) {
      total += l;
      sum += lmr[r];
    } else {
      total += -Infinity;
      sum += -Math.log(k);
    }
  }
  acc[0] = total;
  acc[1] = sum;
}

function addLogMax(lr: Float64Array, count: number, k: number, acc: Float64Array): void {
  let sum = acc[1];
  for (let r = 0; r < count; r++) {
    const o = r * k;
    let best = lr[o];
    for (let c = 1; c < k; c++) if (lr[o + c] > best) best = lr[o + c];
    if (best > -Infinity) sum += best;
  }
  acc[1] = sum;
}

/**
 * Σ over the rows of log max_k r_k (the log responsibility of each row's most responsible component): minus the
 * entropy term of the classification likelihood that ICL adds to BIC (mclust's icl: terms with r = 0 add 0).
 */
export function sumLogMaxResponsibility(ws: LogDensities, rows: Rows): number {
  const acc = new Float64Array(2);
  scoreSums(ws, rows, acc);
  return acc[1];
}
