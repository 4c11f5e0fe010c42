import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // fitAsync's workers run a bundle of the sources made at build time; rebuild it so tests never see a stale one.
    globalSetup: ['scripts/build-worker.mjs'],
    testTimeout: 60_000,
  },
});
