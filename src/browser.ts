/**
 * The browser entry point (the package's "browser" condition, dist/browser.js): the public API, with the build's
 * artifacts loaded when they are first needed instead of bundled into the page's code — `init()` (which browsers need
 * before the first fit anyway: they refuse to compile large wasm modules synchronously) loads only the kernel build
 * the engine runs, and the first `fitAsync` loads the worker script. Bundlers that split code (Vite, Rollup, webpack,
 * esbuild with splitting) make each a chunk of its own; the others inline them.
 */
import { provideWasm } from './backends/index.js';
import { provideWorkerSource } from './drivers/workers/spawn.js';

provideWasm(
  () => import('../build/kernels-simd.js').then((m) => m.wasmBase64),
  () => import('../build/kernels-relaxed.js').then((m) => m.wasmBase64),
);
provideWorkerSource(() => import('../build/worker-source.js').then((m) => m.workerSource));

export * from './api/index.js';
