/**
 * Backend selection. 'auto' uses the SIMD wasm kernels when they instantiate and falls back to the JS twin
 * silently; 'wasm' insists and throws a BackendError naming the reason. One instance of each per thread is
 * shared: every call lays out its own arrays before running, so sharing is safe for synchronous work.
 */
import { BackendError } from '../api/errors.js';
import type { BackendChoice } from '../api/options.js';
import { createJsBackend } from './js/index.js';
import type { Backend, BackendName } from './types.js';
import {
  compiledModule,
  createWasmBackend,
  createWasmBackendAsync,
  kernelVariant,
  provideWasm,
  provideWasmModule,
  type KernelVariant,
} from './wasm.js';

export { compiledModule, provideWasm, provideWasmModule, type KernelVariant };

/** Which kernels a backend runs: the wasm build this thread chose ('relaxed-simd' or 'simd'), or the JS twin. */
export type KernelName = KernelVariant | 'js';

export function kernelsOf(backend: BackendName): KernelName {
  return backend === 'js' ? 'js' : kernelVariant();
}

let js: Backend | null = null;
let wasm: Backend | null = null;
let wasmFailure: Error | null = null;

export function getBackend(choice: BackendChoice): Backend {
  if (choice !== 'js') {
    if (!wasm && !wasmFailure) {
      try {
        wasm = createWasmBackend();
      } catch (e) {
        wasmFailure = e instanceof Error ? e : new Error(String(e));
      }
    }
    if (wasm) return wasm;
    if (choice === 'wasm') {
      throw new BackendError(
        `backend 'wasm' is not available here: ${wasmFailure!.message}. Use backend: 'auto' or 'js'.`,
      );
    }
  }
  return (js ??= createJsBackend());
}

/**
 * Compiles the wasm kernels asynchronously. Browsers refuse synchronous compilation of large modules on the main
 * thread, so call `await init()` once before the first fit there; in Node it is optional. Resolves to the backend
 * name that 'auto' will use.
 */
export async function init(): Promise<'wasm' | 'js'> {
  if (!wasm) {
    try {
      wasm = await createWasmBackendAsync();
      wasmFailure = null;
    } catch (e) {
      wasmFailure = e instanceof Error ? e : new Error(String(e));
    }
  }
  return wasm ? 'wasm' : 'js';
}

/**
 * Drops this thread's wasm instance and instantiates a fresh one from the compiled module. WebAssembly memory only
 * grows, so after one large fit the thread would keep its peak heap for the life of the process (measured: 67 →
 * 201 MB RSS after a fit at D = 400, K = 8); the old instance's memory is garbage once no fit in progress holds it
 * (a fitStream awaiting its next chunk keeps the instance it started with, so it is unaffected).
 */
export async function releaseKernelHeap(): Promise<void> {
  if (!wasm) return;
  wasm = null;
  await init();
}
