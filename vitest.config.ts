import { defineConfig } from 'vitest/config';

// Two projects. unit: the math and logic on the JS twin, straight from the sources — runs right after `npm ci`, no
// build. integration (+ e2e): the built kernels, workers, the CLI, the browser page and the package.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          setupFiles: ['test/setup.ts', 'test/integration/setup.ts'],
          // fitAsync's workers run a bundle of the sources made at build time; rebuild it so tests never see a stale one.
          globalSetup: ['scripts/build-worker.mjs'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
