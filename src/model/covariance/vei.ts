/** mclust's VEI: Σk = λk·A — varying volume, equal shape, axis-aligned (iterative M-step). The math is mclust/vei.ts; storage is diag's layout. */
import { diag } from './diag.js';
import { mclustModel } from './mclust-model.js';

export const VEI = mclustModel('VEI', diag);
