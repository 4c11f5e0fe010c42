/**
 * The requests that read no rows — the M-steps and SQUAREM's extrapolation — answered in this thread by the functions
 * fit has always called. In-memory, stream and distributed drivers answer them here (and the variational M-step from
 * the plan, Plan.math); fitAsync's workers answer them with the same functions in a worker thread, so the results are
 * the same bit for bit whichever driver runs.
 */
import type { Handlers } from '../../em/protocol.js';
import { extension } from '../../extensions.js';
import { initialMStep } from '../../init/init.js';
import { mStepChecked } from '../../model/mstep.js';

export const mathHandlers: Pick<Handlers, 'mstep' | 'squarem-jump' | 'initial-mstep' | 'variational-mstep'> = {
  mstep: (req) => mStepChecked(req.st, req.prev, req.options),
  // SQUAREM's math is an extension (em/squarem-jump.ts): gaussmix/core's pages do not load it
  'squarem-jump': (req) => extension('squaremJump', 'accelerate').extrapolate(req.p0, req.p1, req.p2),
  'initial-mstep': (req) => initialMStep(req),
  // the variational fit's plan brings its own (Plan.math): GaussianMixture's pages do not load its code
  'variational-mstep': () => {
    throw new Error('gaussmix: a variational M-step was asked of a driver whose plan does not answer it');
  },
};
