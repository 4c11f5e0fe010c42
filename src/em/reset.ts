/**
 * The onDegenerate: 'reset' policy within one EM run: re-seed degenerate components at the worst-explained rows,
 * remember which row each component was seeded at, and give up (a DegenerateError that says to raise regCovar) when
 * re-seeding keeps failing. The M-step finds the degenerate components; model/degeneracy.ts builds the re-seeded
 * parameters; this decides whether and where.
 */
import { sameRow } from '../data/rows.js';
import {
  checkResettable,
  degenerateError,
  resetComponents,
  survivors,
  type Degeneracy,
  type DegenerateError,
  type ResetRecord,
} from '../model/degeneracy.js';
import { kernelParams, type Frozen, type Params } from '../model/params.js';
import type { SufficientStats } from '../model/stats.js';
import { ask, type Steps } from './protocol.js';

/** At most this many re-seedings per run and component before EM gives up (resetting is not helping). */
const RESETS_PER_COMPONENT = 10;

/**
 * onDegenerate 'reset' gives up (DegenerateError) when re-seeded components degenerated again this many times in
 * one run. A re-seeding *fails* when the component seeded at a row degenerates again; that row is then never used
 * as a seed again in the run (the 'worst' request asks for extra candidates and the failed rows are skipped), so a
 * reset cannot loop on one point. The typical failure: with regCovar = 0 (or negligible) an isolated point — or
 * ≤ D points — gives a component an unbounded likelihood, and the worst-explained rows a reset seeds at are exactly
 * such points; each failed re-seeding also costs the progress EM had made. After a few failures resetting is
 * clearly not converging to a model, and the user is better served by an error that says to raise regCovar (or use
 * fewer components) than by a model that is just the last reset state.
 */
const RESEED_FAILURES = 3;

/** What the policy reads of the options. */
export interface ResetConfig {
  readonly nComponents: number;
  readonly regCovar: number;
  readonly freeze: readonly Frozen[];
}

/** The DegenerateError of a 'reset' run that gives up: `why` first, then the diagnosis and fixes (without 'reset'). */
function giveUp(
  b: Degeneracy,
  why: string,
  iter: number,
  init: number,
  runs: number,
  regCovar: number,
): DegenerateError {
  const e = degenerateError(b, iter, init, runs, regCovar);
  let msg = `onDegenerate 'reset' gave up ${why}. ${e.message.replace(/,? or pass onDegenerate: 'reset'[^.]*\./, '.')}`;
  if (b.reason === 'not-pd' && !/Increase regCovar/.test(msg)) msg += ` Increase regCovar (now ${regCovar}).`;
  e.message = msg;
  return e;
}

/** The reset policy of one run (restart `init` of `runs`). */
export class ResetPolicy {
  /** Re-seedings so far in this run. */
  readonly resets: ResetRecord[] = [];
  private readonly seededAt = new Map<number, Float64Array>(); // component → the row it was last re-seeded at
  private readonly failedSeeds: Float64Array[] = []; // rows whose re-seeded component degenerated again: never seeds again
  private failures = 0;

  constructor(
    private readonly o: ResetConfig,
    private readonly init: number,
    private readonly runs: number,
  ) {}

  /**
   * Re-seeds the components in `bad` (degenerate in the M-step of iteration `iter` that produced `next` from the
   * statistics `st` of `params`), asking the driver for the worst-explained rows; throws when it gives up.
   */
  *apply(next: Params, params: Params, bad: Degeneracy[], st: SufficientStats, iter: number): Steps<Params> {
    const { o, init, runs } = this;
    checkResettable(bad, iter, init, runs);
    for (const b of bad) {
      const row = this.seededAt.get(b.component);
      if (!row) continue; // degenerated from where EM took it, not from a seed
      this.seededAt.delete(b.component);
      this.failures++;
      if (!this.failedSeeds.some((r) => sameRow(r, row))) this.failedSeeds.push(row);
    }
    if (this.failures >= RESEED_FAILURES) {
      throw giveUp(
        bad[0],
        `after ${this.failures} re-seeded components degenerated again (each re-seeding at a different worst-explained row)`,
        iter,
        init,
        runs,
        o.regCovar,
      );
    }
    if (this.resets.length + bad.length > RESETS_PER_COMPONENT * o.nComponents) {
      throw giveUp(
        bad[0],
        `after ${this.resets.length} re-seedings (components keep degenerating)`,
        iter,
        init,
        runs,
        o.regCovar,
      );
    }
    const alive = survivors(next, bad) ?? params;
    // extra candidates: every failed row (or a copy of it) may be among the worst; the collector skips duplicates
    const candidates = yield* ask({
      type: 'worst',
      params: kernelParams(alive),
      count: bad.length + this.failedSeeds.length,
    });
    const worst = candidates.filter((r) => !this.failedSeeds.some((f) => sameRow(f, r))).slice(0, bad.length);
    if (worst.length === 0 && candidates.length > 0) {
      throw giveUp(
        bad[0],
        'because every row left to re-seed at already made a re-seeded component degenerate',
        iter,
        init,
        runs,
        o.regCovar,
      );
    }
    const reset = resetComponents(next, bad, worst, st, {
      regCovar: o.regCovar,
      freeze: o.freeze,
      iteration: iter,
      init,
      nInit: runs,
    });
    bad.forEach((b, i) => {
      if (!o.freeze.includes('means') && worst.length > 0) this.seededAt.set(b.component, worst[i % worst.length]);
      this.resets.push({ init, iteration: iter, component: b.component, reason: b.reason, detail: b.detail });
    });
    return reset;
  }
}
