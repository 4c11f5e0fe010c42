/** mclust's VII: scikit-learn's 'spherical' under mclust's name — the same arithmetic, covariances K×D×D in public. */
import { spherical } from './spherical.js';
import { mclustTwin } from './mclust-model.js';

export const VII = mclustTwin('VII', spherical);
