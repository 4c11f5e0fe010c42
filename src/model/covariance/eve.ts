/** mclust's EVE: Σk = λ·D·Ak·Dᵀ — equal volume and orientation, varying shape (iterative M-step). The math is mclust/eve.ts; storage is full's layout. */
import { full } from './full.js';
import { mclustModel } from './mclust-model.js';

export const EVE = mclustModel('EVE', full);
