/** mclust's VVI: scikit-learn's 'diag' under mclust's name — the same arithmetic, covariances K×D×D in public. */
import { diag } from './diag.js';
import { mclustTwin } from './mclust-model.js';

export const VVI = mclustTwin('VVI', diag);
