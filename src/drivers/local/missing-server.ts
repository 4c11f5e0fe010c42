/**
 * The RowServer of rows with missing values (missing: 'marginalize'): initialisation's requests are answered over
 * the rows with every missing entry filled by its column's observed mean (data/missing.ts), E-passes by the exact
 * missing-value path for the rows that need it (observed.ts), and the worst-explained rows (onDegenerate: 'reset')
 * are ranked by their observed-data log density and handed back completed by their conditional mean.
 *
 * `localServer` picks it only when some row holds a NaN: rows without any get the plain RowServer, so complete data
 * runs exactly as it does without the option.
 */
import type { Backend } from '../../backends/types.js';
import type { Rows } from '../../data/matrix.js';
import { filledRows, RowSplit } from '../../data/missing.js';
import { rowRange } from '../../data/rows.js';
import type { Request } from '../../em/protocol.js';
import type { SufficientStats } from '../../model/stats.js';
import { ObservedPass } from './observed.js';
import { RowServer } from './row-server.js';
import { WorstCollector } from './worst.js';

export class MissingRowServer extends RowServer {
  private readonly wComplete: Float64Array | null;
  private readonly pass: ObservedPass;

  constructor(
    /** The rows as given (NaN = missing), split into complete and incomplete ones. */
    readonly split: RowSplit,
    w: Float64Array | null,
    backend: Backend,
    /** Stand-ins for missing entries during initialisation: each column's observed (weighted) mean. */
    fill: Float64Array,
    chunks?: [number, number],
    resp: Float64Array | null = null,
  ) {
    super(filledRows(split.rows, fill), w, backend, chunks, resp);
    this.wComplete = split.completeWeights(w);
    this.pass = new ObservedPass(backend);
  }

  /** E-pass statistics of rows [start, end) on the observed values. */
  override estep(req: Request<'estep'>, start = 0, end = this.rows.n): SufficientStats {
    if (req.hard) throw new Error('gaussmix: hard EM has no missing-value E-step (the options refuse the combination)');
    return this.pass.load(req.params).accumulate(this.split, this.w, this.wComplete, start, end);
  }

  /**
   * No EM on the sample: its rows come from 'seed-rows' with the column means in the holes, and plain EM on them
   * would fit the stand-ins (a point mass on each column's mean); the fit takes the nearest-center start instead.
   */
  override sampleEm(): null {
    return null;
  }

  /** The worst-explained rows of [start, end) by observed-data log p(x), completed by their conditional means. */
  override worst(req: Request<'worst'>, start = 0, end = this.rows.n): WorstCollector {
    const col = new WorstCollector(req.count, this.rows.d);
    const w = this.w ? this.w.subarray(start, end) : null;
    collectObservedWorst(rowRange(this.split.rows, start, end), w, this.pass.load(req.params), col);
    return col;
  }
}

/**
 * Offers the rows of positive weight of `rows` (NaN = missing) to `col` with their observed-data log p(x) under the
 * parameters `pass` holds, each completed by its conditional mean (complete rows as they are): a component re-seeded
 * there gets a point, not a hole.
 */
export function collectObservedWorst(
  rows: Rows,
  w: Float64Array | null,
  pass: ObservedPass,
  col: WorstCollector,
): void {
  const { d } = rows;
  const row = new Float64Array(d);
  const completed = new Float64Array(d);
  const one: Rows = { n: 1, d, copyRows: (_s, _c, dst, off) => dst.set(row, off) };
  pass.forEachLogResp(rows, (s, count, _lr, lse) => {
    for (let r = 0; r < count; r++) {
      if (w && !(w[s + r] > 0)) continue;
      if (!col.wants(lse[r])) continue;
      rows.copyRows(s + r, 1, row, 0);
      pass.impute(one, completed);
      col.offer(lse[r], completed);
    }
  });
}

/**
 * The server for in-memory rows: a MissingRowServer when `fill` is given (missing: 'marginalize') and some row holds
 * a NaN, the plain RowServer otherwise.
 */
export function localServer(
  rows: Rows,
  w: Float64Array | null,
  backend: Backend,
  fill: Float64Array | null,
  chunks?: [number, number],
  resp: Float64Array | null = null,
): RowServer {
  if (fill) {
    const split = RowSplit.of(rows);
    if (split.incomplete.length > 0) return new MissingRowServer(split, w, backend, fill, chunks, resp);
  }
  return new RowServer(rows, w, backend, chunks, resp);
}
