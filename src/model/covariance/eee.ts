/** mclust's EEE: scikit-learn's 'tied' under mclust's name — the same arithmetic, covariances K×D×D in public. */
import { tied } from './tied.js';
import { mclustTwin } from './mclust-model.js';

export const EEE = mclustTwin('EEE', tied);
