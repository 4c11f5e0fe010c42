// Integration and end-to-end tests run the built kernels. Test files that import a source module directly (not
// src/index.ts, the entry point that hands the library its build artifacts) would otherwise find no kernel binary.
import { wasmBase64, wasmRelaxedBase64 } from '../build/kernels-wasm.js';
import { provideWasm } from '../src/backends/index.js';

provideWasm(wasmBase64, wasmRelaxedBase64);
