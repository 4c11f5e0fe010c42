import { defineConfig } from 'tsup';

// An explicit target list: without one esbuild may emit syntax or built-ins (e.g. Uint8Array.fromBase64) that
// Node 20 and older browsers lack.
const target = ['es2022', 'node18', 'chrome110', 'firefox110', 'safari16'];
// No keepNames: its __name(…) calls are side effects a user's bundler cannot tree-shake (a page that only fits
// grew from 57 to 83 kB gzipped). Class names survive without it because no exported class names itself inside its
// own body (esbuild would emit `var X = class _X`); the package test checks GaussianMixture.name in every bundle.

export default defineConfig([
  {
    // gaussmix/core (src/core.ts) and gaussmix/distributed (src/distributed.ts) are built with the main entry so the
    // ES modules share one copy of the library (esbuild splits the common code into chunks); distributed imports
    // bullmq and ioredis only dynamically.
    entry: { index: 'src/index.ts', core: 'src/core.ts', distributed: 'src/distributed.ts' },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    target,
    dts: true,
    sourcemap: true,
    clean: true,
  },
  {
    // ES modules for <script type="module"> and bundlers that pick the "browser" condition: dist/browser.js,
    // dist/browser-core.js (gaussmix/core) and the chunks they load on demand (each kernel build, the worker script;
    // see src/browser-artifacts.ts).
    entry: { browser: 'src/browser.ts', 'browser-core': 'src/browser-core.ts' },
    format: ['esm'],
    splitting: true,
    platform: 'browser',
    target,
    sourcemap: true,
  },
  {
    // The `gaussmix` command line (package.json "bin"); `npm run demo` runs its demo command.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target,
    banner: { js: '#!/usr/bin/env node' },
    external: ['commander', 'cli-progress'],
  },
]);
