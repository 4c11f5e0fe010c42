/**
 * The pure-JavaScript backend: the kernels of `./kernels.ts` over a growable ArrayBuffer heap — the fallback where
 * wasm SIMD is unavailable, with the same heap contract as the wasm backend (byte pointers, 16-aligned base).
 */
import { type Backend, PRUNE_BELOW } from '../types.js';
import { createJsKernels } from './kernels.js';

/** First usable byte of the JS heap (the kernels' arrays start here; bytes 0..15 are unused). */
const JS_BASE = 16;
const INITIAL_BYTES = 64 * 1024;

export function createJsBackend(): Backend {
  let heap: Float64Array = new Float64Array(INITIAL_BYTES / 8);
  const kernels = createJsKernels(() => heap);
  return {
    name: 'js',
    kernels,
    prune: PRUNE_BELOW,
    base: JS_BASE,
    reserve(bytes: number): void {
      if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`gaussmix: invalid heap size ${bytes}`);
      if (bytes <= heap.byteLength) return;
      // grow geometrically (amortised O(1) copies), rounded up to 64 KiB like wasm pages
      const exact = Math.ceil(bytes / 65536) * 65536;
      const doubled = Math.ceil((heap.byteLength * 2) / 65536) * 65536;
      let next: Float64Array;
      try {
        next = new Float64Array(Math.max(exact, doubled) / 8);
      } catch {
        try {
          next = new Float64Array(exact / 8); // the doubled size may be too much; try the exact request
        } catch (e) {
          throw new RangeError(`gaussmix: cannot allocate a ${exact}-byte heap for the js backend (${String(e)})`);
        }
      }
      next.set(heap);
      heap = next;
    },
    f64(): Float64Array {
      return heap;
    },
  };
}
