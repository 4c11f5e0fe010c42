/** mclust's EEI: Σk = λA — equal volume and shape, axis-aligned (closed form). The math is mclust/eei.ts; storage is diag's layout. */
import { diag } from './diag.js';
import { mclustModel } from './mclust-model.js';

export const EEI = mclustModel('EEI', diag);
