/** mclust's EEV: Σk = λ·Dk·A·Dkᵀ — equal volume and shape, varying orientation (closed form). The math is mclust/eev.ts; storage is full's layout. */
import { full } from './full.js';
import { mclustModel } from './mclust-model.js';

export const EEV = mclustModel('EEV', full);
