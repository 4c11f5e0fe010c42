// Integration and end-to-end tests run the built artifacts: hand the kernel binary and the worker script to the
// library as the package entry point does, so tests that import source modules directly (kernels, seeding) get them.
import { wasmBase64 } from '../../build/kernels-wasm.js';
import { workerSource } from '../../build/worker-source.js';
import { provideWasm } from '../../src/backends/index.js';
import { provideWorkerSource } from '../../src/drivers/workers/spawn.js';

provideWasm(wasmBase64);
provideWorkerSource(workerSource);
