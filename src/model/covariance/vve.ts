/** mclust's VVE: Σk = λk·D·Ak·Dᵀ — varying volume and shape, equal orientation (iterative M-step). The math is mclust/vve.ts; storage is full's layout. */
import { full } from './full.js';
import { mclustModel } from './mclust-model.js';

export const VVE = mclustModel('VVE', full);
