/**
 * What the `gaussmix` entry adds to `gaussmix/core`: mclust's fourteen covariance models and the extensions of
 * extensions.ts (missing values, 'hc' starts, the conjugate prior, the noise component, online EM, SQUAREM). Every
 * entry point that offers the full library calls `installFull()` (the package's entries through api/index.ts, the
 * CLI); a function, not an import for its side effects, which bundlers drop from a package marked "sideEffects":
 * false.
 */
import { checkNoise, checkNoiseInit, checkPrior, checkPriorNoiseCombination } from './api/prior-noise-options.js';
import { noiseStart, regionOfPasses } from './api/noise-start.js';
import { ObservedMeans, observedMeans, RowSplit } from './data/missing.js';
import { collectObservedWorst, localServer } from './drivers/local/missing-server.js';
import { ObservedPass } from './drivers/local/observed.js';
import { fitMiniBatch } from './drivers/minibatch.js';
import { updateLocal } from './drivers/online.js';
import { emWithPrior } from './em/prior-start.js';
import { squaremRun } from './em/squarem.js';
import { installExtensions } from './extensions.js';
import { hcStartStats } from './init/hc-start.js';
import { resolvePrior } from './model/prior.js';
import { installModelMath } from './model-math.js';

export function installFull(): void {
  installModelMath();
  installExtensions({
    missing: { localServer, collectObservedWorst, observedMeans, ObservedMeans, ObservedPass, RowSplit },
    hc: { hcStartStats },
    prior: { checkPrior, checkPriorNoiseCombination, emWithPrior, resolvePrior },
    online: { fitMiniBatch, updateLocal },
    squarem: { squaremRun },
    noise: { checkNoise, checkNoiseInit, checkPriorNoiseCombination, noiseStart, regionOfPasses },
  });
}
