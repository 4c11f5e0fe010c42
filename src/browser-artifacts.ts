/**
 * The build's artifacts for the browser entries (dist/browser.js, dist/browser-core.js), as loaders of chunks instead
 * of bundled into the page's code: `init()` (which browsers need before the first fit anyway: they refuse to compile
 * large wasm modules synchronously) loads only the kernel build the engine runs (and decompresses it with the platform's decoder), and the first `fitAsync` loads the
 * worker script. Bundlers that split code (Vite, Rollup, webpack, esbuild with splitting) make each a chunk of its
 * own; the others inline them.
 */
import { provideWasm } from './backends/index.js';
import { unpackWasmAsync } from './backends/embedded.js';
import { provideWorkerSource } from './drivers/workers/spawn.js';

export function provideBrowserArtifacts(): void {
  provideWasm(
    () => import('../build/kernels-simd.js').then((m) => unpackWasmAsync(m.wasmBase64)),
    () => import('../build/kernels-relaxed.js').then((m) => unpackWasmAsync(m.wasmBase64)),
  );
  provideWorkerSource(() => import('../build/worker-source.js').then((m) => m.workerSource));
}
