/** mclust's EVV: Σk = λ·Dk·Ak·Dkᵀ — equal volume, varying shape and orientation (closed form). The math is mclust/evv.ts; storage is full's layout. */
import { full } from './full.js';
import { mclustModel } from './mclust-model.js';

export const EVV = mclustModel('EVV', full);
