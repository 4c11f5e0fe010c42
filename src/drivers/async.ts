/**
 * What drivers that run beside an event loop share: the reason an aborted signal carries, yielding to the event
 * loop between slices of work, and fitAsync's sliced check of X before a fit.
 */
import type { Matrix, MissingMode, Rows } from '../data/matrix.js';
import { checkValues } from '../data/matrix.js';
import { SummaryBuilder, type DataSummary } from '../data/summary.js';

/** The reason an aborted signal carries, or a DOMException AbortError when it has none. */
export function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  if (typeof DOMException === 'function') return new DOMException('This operation was aborted', 'AbortError');
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** Throws the signal's reason if it was aborted. */
export function throwIfAborted(signal: AbortSignal | null): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** Lets the event loop run (timers, I/O) between chunks of work. */
export const breathe = (): Promise<void> =>
  new Promise((resolve) => {
    const si = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate;
    if (typeof si === 'function') si(resolve);
    else setTimeout(resolve, 0);
  });

/** Values checked and summarised between two turns of the event loop (a few milliseconds' work). */
const CHECK_VALUES = 1 << 17;

/**
 * A pass over X before a fit, in slices with the event loop running between them: checks every value (checkValues:
 * the DataError toRows throws; NaN allowed under missing 'marginalize') and, if `summarise`, summarises the rows (summarize: the same summary; without it the
 * returned summary is incomplete and must not be used). An aborted signal stops it between slices with its reason.
 */
export async function checkAndSummarize(
  X: Matrix,
  rows: Rows,
  w: Float64Array | null,
  distinctCap: number,
  signal: AbortSignal | null,
  summarise = true,
  missing: MissingMode = 'error',
): Promise<DataSummary> {
  const { n, d } = rows;
  const b = new SummaryBuilder(d, distinctCap);
  const block = Math.max(1, Math.floor(65536 / d));
  const buf = new Float64Array(block * d);
  let sinceBreak = 0;
  for (let s = 0; s < n; s += block) {
    if (sinceBreak >= CHECK_VALUES) {
      await breathe();
      throwIfAborted(signal);
      sinceBreak = 0;
    }
    const count = Math.min(block, n - s);
    checkValues(X, d, s, s + count, 'X', missing);
    if (summarise) {
      rows.copyRows(s, count, buf, 0);
      b.add(buf, count, w, s);
    }
    sinceBreak += count * d;
  }
  return b.finish();
}
