/**
 * mclust's fourteen models by name, and scikit-learn's four with mclust's estimate under a conjugate prior — the
 * covariance part of what the `gaussmix` entry adds to `gaussmix/core` (registry.ts holds the four without them).
 */
import { diag } from './diag.js';
import { EEE } from './eee.js';
import { EEI } from './eei.js';
import { EEV } from './eev.js';
import { EII } from './eii.js';
import { EVE } from './eve.js';
import { EVI } from './evi.js';
import { EVV } from './evv.js';
import { full } from './full.js';
import { priorRoute } from './mclust-model.js';
import { registerCovarianceModels } from './registry.js';
import { spherical } from './spherical.js';
import { tied } from './tied.js';
import { VEE } from './vee.js';
import { VEI } from './vei.js';
import { VEV } from './vev.js';
import { VII } from './vii.js';
import { VVE } from './vve.js';
import { VVI } from './vvi.js';
import { VVV } from './vvv.js';

/** Registers the models (idempotent). Without a prior the four scikit-learn models compute exactly as before. */
export function registerMclustModels(): void {
  registerCovarianceModels({
    full: { ...full, estimate: priorRoute('VVV', full) },
    tied: { ...tied, estimate: priorRoute('EEE', tied) },
    diag: { ...diag, estimate: priorRoute('VVI', diag) },
    spherical: { ...spherical, estimate: priorRoute('VII', spherical) },
    EII,
    VII,
    EEI,
    VEI,
    EVI,
    VVI,
    EEE,
    VEE,
    EVE,
    VVE,
    EEV,
    VEV,
    EVV,
    VVV,
  });
}
