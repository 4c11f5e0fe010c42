/**
 * The seam between `gaussmix/core` and `gaussmix`. The capabilities beyond scikit-learn's GaussianMixture — missing
 * values, 'hc' starts, the conjugate prior, the noise component, online EM, SQUAREM (and mclust's models, which the
 * covariance registry holds) — are reached through here, never imported by the code that uses them, and are filled in by the
 * full entry (full.ts). `gaussmix/core` does not fill them, so a page that fits the four scikit-learn models does not
 * download their code; asking for one there is an OptionError that names the entry that has it.
 */
import { OptionError } from './api/errors.js';
import type { checkNoise, checkNoiseInit, checkPrior, checkPriorNoiseCombination } from './api/prior-noise-options.js';
import type { noiseStart, regionOfPasses } from './api/noise-start.js';
import type { ObservedMeans, observedMeans, RowSplit } from './data/missing.js';
import type { collectObservedWorst, localServer } from './drivers/local/missing-server.js';
import type { fitMiniBatch } from './drivers/minibatch.js';
import type { updateLocal } from './drivers/online.js';
import type { ObservedPass } from './drivers/local/observed.js';
import type { emWithPrior } from './em/prior-start.js';
import type { squaremRun } from './em/squarem.js';
import type { extrapolate } from './em/squarem-jump.js';
import type { hcStartStats } from './init/hc-start.js';
import type { logPrior, posteriorScatter, resolvePrior, scatterPrior, shrinkMean } from './model/prior.js';

export interface Extensions {
  /** missing: 'marginalize' (model/missing/, data/missing.ts, drivers/local/observed.ts and missing-server.ts). */
  missing: {
    localServer: typeof localServer;
    collectObservedWorst: typeof collectObservedWorst;
    observedMeans: typeof observedMeans;
    ObservedMeans: typeof ObservedMeans;
    ObservedPass: typeof ObservedPass;
    RowSplit: typeof RowSplit;
  };
  /** initParams: 'hc' (init/hc*.ts). */
  hc: { hcStartStats: typeof hcStartStats };
  /** prior: its options, its start and resolution (em/prior-start.ts, model/prior.ts), the checks it shares with noise. */
  prior: {
    checkPrior: typeof checkPrior;
    checkPriorNoiseCombination: typeof checkPriorNoiseCombination;
    emWithPrior: typeof emWithPrior;
    resolvePrior: typeof resolvePrior;
  };
  /** The prior's part of the M-step (model/prior.ts): all fitAsync's worker needs of it. */
  priorMath: {
    scatterPrior: typeof scatterPrior;
    logPrior: typeof logPrior;
    shrinkMean: typeof shrinkMean;
    posteriorScatter: typeof posteriorScatter;
  };
  /** Online (stepwise) EM: partialFit and fit's batchSize (drivers/online.ts, drivers/minibatch.ts, em/online.ts). */
  online: { fitMiniBatch: typeof fitMiniBatch; updateLocal: typeof updateLocal };
  /** accelerate: 'squarem', the accelerated run (em/squarem.ts). */
  squarem: { squaremRun: typeof squaremRun };
  /** SQUAREM's jump (em/squarem-jump.ts): all fitAsync's worker needs of it. */
  squaremJump: { extrapolate: typeof extrapolate };
  /** noise and noiseInit (api/noise-start.ts, tools/nn-clean.ts). */
  noise: {
    checkNoise: typeof checkNoise;
    checkNoiseInit: typeof checkNoiseInit;
    checkPriorNoiseCombination: typeof checkPriorNoiseCombination;
    noiseStart: typeof noiseStart;
    regionOfPasses: typeof regionOfPasses;
  };
}

/** What each extension is, for the message when it is missing. */
const WHAT: Record<keyof Extensions, string> = {
  missing: "missing: 'marginalize' (EM over observed values)",
  hc: "initParams: 'hc' (mclust's hierarchical start)",
  prior: 'prior (the conjugate prior)',
  priorMath: 'prior (the conjugate prior)',
  noise: 'noise (the uniform noise component)',
  online: 'online EM (partialFit, and fit with batchSize)',
  squarem: "accelerate: 'squarem' (SQUAREM-accelerated EM)",
  squaremJump: "accelerate: 'squarem' (SQUAREM-accelerated EM)",
};

const installed: Partial<Extensions> = {};

/** Fills in extensions (the full entry; idempotent). */
export function installExtensions(extensions: Partial<Extensions>): void {
  Object.assign(installed, extensions);
}

/** An extension, or an OptionError about `option` saying that gaussmix/core leaves it out. */
export function extension<K extends keyof Extensions>(name: K, option: string = name): Extensions[K] {
  const found = installed[name];
  if (found) return found;
  throw new OptionError(
    option,
    `${WHAT[name]} is not part of gaussmix/core; import { GaussianMixture } from 'gaussmix' to use it`,
  );
}
