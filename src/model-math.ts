/**
 * The part of the full library (full.ts) that an M-step can need: mclust's covariance models, the prior's part of
 * the M-step and SQUAREM's jump. fitAsync's worker, which takes the M-steps of any fit, installs only this.
 */
import { extrapolate } from './em/squarem-jump.js';
import { installExtensions } from './extensions.js';
import { registerMclustModels } from './model/covariance/mclust-models.js';
import { logPrior, posteriorScatter, scatterPrior, shrinkMean } from './model/prior.js';

/**
 * Registers mclust's models, the prior's M-step math and SQUAREM's jump, nothing else, so the script a page downloads
 * on its first fitAsync does not carry the options, starts and online EM that only the calling thread runs.
 */
export function installModelMath(): void {
  registerMclustModels();
  installExtensions({
    priorMath: { scatterPrior, logPrior, shrinkMean, posteriorScatter },
    squaremJump: { extrapolate },
  });
}
