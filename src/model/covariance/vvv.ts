/** mclust's VVV: scikit-learn's 'full' under mclust's name — the same arithmetic, covariances K×D×D in public. */
import { full } from './full.js';
import { mclustTwin } from './mclust-model.js';

export const VVV = mclustTwin('VVV', full);
