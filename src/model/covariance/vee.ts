/** mclust's VEE: Σk = λk·D·A·Dᵀ — varying volume, equal shape and orientation (iterative M-step). The math is mclust/vee.ts; storage is full's layout. */
import { full } from './full.js';
import { mclustModel } from './mclust-model.js';

export const VEE = mclustModel('VEE', full);
