/** mclust's EII: Σk = λ·I — equal volume, spherical (closed form). The math is mclust/eii.ts; storage is spherical's layout. */
import { spherical } from './spherical.js';
import { mclustModel } from './mclust-model.js';

export const EII = mclustModel('EII', spherical);
