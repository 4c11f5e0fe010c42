/**
 * The browser entry point (the package's "browser" condition, dist/browser.js): the public API, with the build's
 * artifacts loaded when they are first needed (browser-artifacts.ts).
 */
import { provideBrowserArtifacts } from './browser-artifacts.js';
import { installFull } from './full.js';

provideBrowserArtifacts();
installFull();

export * from './api/index.js';
