/**
 * The package entry point (Node and browsers): the public API, with the build's artifacts (the kernel binary and the
 * worker script) handed to the library.
 */
import { provideArtifacts } from './artifacts.js';

provideArtifacts();

export * from './api/index.js';
