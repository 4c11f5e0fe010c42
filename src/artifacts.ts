/**
 * The build's artifacts (generated into build/ by `npm run build`): the kernel binaries (baseline and relaxed SIMD)
 * and the bundled worker script.
 * Entry points call `provideArtifacts()` so the library can use them; the sources import nothing generated, so unit
 * tests run without a build. A function, not an import for its side effects: bundlers drop side-effect imports from
 * a package marked "sideEffects": false.
 */
import { wasmBase64, wasmRelaxedBase64 } from '../build/kernels-wasm.js';
import { workerSource } from '../build/worker-source.js';
import { provideWasm } from './backends/index.js';
import { decodeEmbedded } from './backends/embedded.js';
import { inflateRaw } from './backends/inflate.js';
import { provideWorkerSource } from './drivers/workers/spawn.js';

/** A build's bytes from its embedded form, synchronously (so fit works without init()). */
function unpack(b64: string): () => Uint8Array {
  return () => {
    const { deflated, size } = decodeEmbedded(b64);
    return inflateRaw(deflated, size);
  };
}

export function provideArtifacts(): void {
  provideWasm(unpack(wasmBase64), unpack(wasmRelaxedBase64));
  provideWorkerSource(workerSource);
}
