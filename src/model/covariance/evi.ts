/** mclust's EVI: Σk = λ·Ak — equal volume, varying shape, axis-aligned (closed form). The math is mclust/evi.ts; storage is diag's layout. */
import { diag } from './diag.js';
import { mclustModel } from './mclust-model.js';

export const EVI = mclustModel('EVI', diag);
