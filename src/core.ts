/**
 * The `gaussmix/core` entry point (Node and browsers without the "browser" condition): GaussianMixture with
 * scikit-learn's four covariance types (api/core.ts), with the build's artifacts handed to the library.
 */
import { provideArtifacts } from './artifacts.js';

provideArtifacts();

export * from './api/core.js';
