/**
 * The worst-explained rows (lowest log p(x)), which onDegenerate: 'reset' re-seeds components at: collected over one
 * pass in row order, so merging workers' or chunks' lists in row order gives what one pass gives.
 */
import type { Backend } from '../../backends/types.js';
import { Workspace } from '../../backends/workspace.js';
import type { Rows } from '../../data/matrix.js';
import { sameRow } from '../../data/rows.js';
import type { KernelParams } from '../../model/params.js';

/**
 * Keeps the `count` rows with the lowest log p(x) seen so far (earliest first on ties), skipping exact duplicates
 * of kept rows so that several re-seeded components land on different points.
 */
export class WorstCollector {
  private readonly lse: number[] = [];
  private readonly rows: Float64Array[] = [];

  constructor(
    readonly count: number,
    readonly d: number,
  ) {}

  /** Whether a row with this log p would be kept (cheap test before copying the row). */
  wants(lse: number): boolean {
    const v = Number.isNaN(lse) ? -Infinity : lse;
    return (
      this.count > 0 &&
      (this.lse.length < this.count || v < this.lse[this.lse.length - 1] || v === this.lse[this.lse.length - 1])
    );
  }

  offer(lse: number, row: Float64Array): void {
    const v = Number.isNaN(lse) ? -Infinity : lse;
    if (!this.wants(v)) return;
    let at = this.lse.length;
    while (at > 0 && this.lse[at - 1] > v) at--;
    // duplicates of a kept row have exactly its log p; skip them
    for (let i = at - 1; i >= 0 && this.lse[i] === v; i--) if (sameRow(this.rows[i], row)) return;
    if (at >= this.count) return; // ties with the last kept row: keep the earlier one
    this.lse.splice(at, 0, v);
    this.rows.splice(at, 0, row.slice());
    if (this.lse.length > this.count) {
      this.lse.pop();
      this.rows.pop();
    }
  }

  result(): Float64Array[] {
    return this.rows.map((r) => r.slice());
  }

  /** The kept rows' log p(x), in the order of result(). */
  scores(): number[] {
    return this.lse.slice();
  }
}

/** Offers the rows of positive weight of `rows` to `col` with their log p(x) under `params`. */
export function collectWorst(
  rows: Rows,
  w: Float64Array | null,
  params: KernelParams,
  col: WorstCollector,
  backend: Backend,
  ws = Workspace.of(backend, params),
): void {
  const row = new Float64Array(rows.d);
  ws.forEachLogResp(rows, (start, n, _lr, lse) => {
    for (let r = 0; r < n; r++) {
      if (w && !(w[start + r] > 0)) continue;
      if (!col.wants(lse[r])) continue;
      rows.copyRows(start + r, 1, row, 0);
      col.offer(lse[r], row);
    }
  });
}
