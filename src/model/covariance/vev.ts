/** mclust's VEV: Σk = λk·Dk·A·Dkᵀ — varying volume and orientation, equal shape (iterative M-step). The math is mclust/vev.ts; storage is full's layout. */
import { full } from './full.js';
import { mclustModel } from './mclust-model.js';

export const VEV = mclustModel('VEV', full);
