/**
 * The package entry point (Node and browsers): the public API, and the build's artifacts handed to the library —
 * the kernel binary and the bundled worker script (generated into build/ by `npm run build`).
 */
import { wasmBase64 } from '../build/kernels-wasm.js';
import { workerSource } from '../build/worker-source.js';
import { provideWasm } from './backends/index.js';
import { provideWorkerSource } from './drivers/workers/spawn.js';

provideWasm(wasmBase64);
provideWorkerSource(workerSource);

export * from './api/index.js';
