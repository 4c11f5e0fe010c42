/**
 * Inference over in-memory rows with a loaded workspace: labels, responsibilities, log p(x). Block by block, so no
 * N×K matrix beyond what the caller asks for.
 */
import type { Workspace } from '../../backends/workspace.js';
import type { Rows } from '../../data/matrix.js';

/** What inference reads log densities from: a Workspace, or local/observed.ts's ObservedPass (rows with NaN). */
export type LogDensities = Pick<Workspace, 'k' | 'forEachLogProb' | 'forEachLogResp'>;

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

/** Σ log p(x) over the rows. */
export function totalLogDensity(ws: LogDensities, rows: Rows): number {
  let sum = 0;
  ws.forEachLogResp(rows, (_start, count, _lr, lse) => {
    for (let r = 0; r < count; r++) sum += lse[r];
  });
  return sum;
}

/**
 * totalLogDensity and sumLogMaxResponsibility from one pass (selectModel scores every candidate by both), each sum
 * taken in the same order as there, so the values are identical.
 */
export function logLikAndMaxResponsibility(ws: LogDensities, rows: Rows): { total: number; sumLogMax: number } {
  const { k } = ws;
  let total = 0;
  let sumLogMax = 0;
  ws.forEachLogResp(rows, (_start, count, lr, lse) => {
    for (let r = 0; r < count; r++) {
      total += lse[r];
      let best = lr[r * k];
      for (let c = 1; c < k; c++) if (lr[r * k + c] > best) best = lr[r * k + c];
      if (best > -Infinity) sumLogMax += best;
    }
  });
  return { total, sumLogMax };
}

/**
 * Σ over the rows of log max_k r_k (the log responsibility of each row's most responsible component): minus the
 * entropy term of the classification likelihood that ICL adds to BIC (mclust's icl: terms with r = 0 add 0).
 */
export function sumLogMaxResponsibility(ws: LogDensities, rows: Rows): number {
  const { k } = ws;
  let sum = 0;
  ws.forEachLogResp(rows, (_start, count, lr) => {
    for (let r = 0; r < count; r++) {
      let best = lr[r * k];
      for (let c = 1; c < k; c++) if (lr[r * k + c] > best) best = lr[r * k + c];
      if (best > -Infinity) sum += best;
    }
  });
  return sum;
}
