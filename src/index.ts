/**
 * The package entry point (Node and browsers): the public API, and the build's artifacts handed to the library —
 * the kernel binaries (baseline and relaxed SIMD) and the bundled worker script (generated into build/ by `npm run build`).
 */
import { wasmBase64, wasmRelaxedBase64 } from '../build/kernels-wasm.js';
import { workerSource } from '../build/worker-source.js';
import { provideWasm } from './backends/index.js';
import { provideWorkerSource } from './drivers/workers/spawn.js';

provideWasm(wasmBase64, wasmRelaxedBase64);
provideWorkerSource(workerSource);

export * from './api/index.js';
