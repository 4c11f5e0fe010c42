/**
 * The browser entry point of `gaussmix/core` (dist/browser-core.js): GaussianMixture with scikit-learn's four
 * covariance types (api/core.ts), with the build's artifacts loaded when they are first needed (browser-artifacts.ts).
 */
import { provideBrowserArtifacts } from './browser-artifacts.js';

provideBrowserArtifacts();

export * from './api/core.js';
