/**
 * The pure-TypeScript backend and its kernels, the twin of `assembly/` (one file per phase, mirroring it file for
 * file). Callers import from here only; the phase files are internal.
 */
export { createJsBackend } from './backend.js';
export { MAX_D } from './buffer.js';
export { createJsKernels } from './kernels.js';
export { sxxBlockRows } from './statistics.js';
