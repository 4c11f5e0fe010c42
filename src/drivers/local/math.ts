/**
 * The requests that read no rows — the M-steps and SQUAREM's extrapolation — answered in this thread by the functions fit has always called.
 * In-memory, stream and distributed drivers answer them here; fitAsync's workers answer them with this same map in a
 * worker thread, so the results are the same bit for bit whichever driver runs.
 */
import type { Handlers } from '../../em/protocol.js';
import { extrapolate } from '../../em/squarem.js';
import { variationalStep } from '../../em/variational.js';
import { initialMStep } from '../../init/init.js';
import { mStepChecked } from '../../model/mstep.js';

export const mathHandlers: Pick<Handlers, 'mstep' | 'squarem-jump' | 'initial-mstep' | 'variational-mstep'> = {
  mstep: (req) => mStepChecked(req.st, req.prev, req.options),
  'squarem-jump': (req) => extrapolate(req.p0, req.p1, req.p2),
  'initial-mstep': (req) => initialMStep(req),
  'variational-mstep': (req) => variationalStep(req),
};
