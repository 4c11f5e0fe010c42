/** The check every EM loop runs on an E-pass's statistics before its M-step (plain EM and SQUAREM alike). */
import { FitError } from '../api/errors.js';
import type { SufficientStats } from '../model/stats.js';

/** Statistics that overflowed would silently become NaN parameters: stop with a typed error instead. */
export function checkFinite(st: SufficientStats, iteration: number): void {
  let ok = Number.isFinite(st.sumW) && st.sumW > 0 && !Number.isNaN(st.logLik) && st.logLik !== Infinity;
  for (let i = 0; ok && i < st.nk.length; i++) ok = Number.isFinite(st.nk[i]);
  for (let i = 0; ok && i < st.sx.length; i++) ok = Number.isFinite(st.sx[i]);
  for (let i = 0; ok && i < st.sxx.length; i++) ok = Number.isFinite(st.sxx[i]);
  if (!ok) {
    throw new FitError(
      `EM failed at iteration ${iteration}: the E-step statistics are not finite (Σw = ${st.sumW}): squared deviations of ` +
        'the data from the current means overflow double precision — the data are too large, or lie too far from the means ' +
        'EM started from (warmStart, meansInit, frozen means). Rescale X, or start from means near the data.',
    );
  }
}
