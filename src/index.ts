/**
 * The package entry point (Node and browsers): the public API, with the build's artifacts (the kernel binary and the
 * worker script) handed to the library.
 */
import { provideArtifacts } from './artifacts.js';
import { installFull } from './full.js';

provideArtifacts();
installFull();

export * from './api/index.js';
