// Tests import source modules directly (not the package's entry points): give them the full library, as the
// `gaussmix` entry does (mclust's models, missing values, 'hc', prior, noise; see src/full.ts). gaussmix/core's
// refusals are tested on the packed package (test/e2e/package.test.ts), in processes that import only it.
import { installFull } from '../src/full.js';

installFull();

// Non-convergence warnings are expected in many tests (tol: 0 runs exactly maxIter iterations); tests read them
// from gm.warnings instead, so keep them off stderr.
process.removeAllListeners('warning');
