/**
 * Loading the kernels in a browser entry: the binary comes from a source that may fail (a network error while a page
 * loads its kernel chunk). A failed load must not stick: the next init() starts it again. A fresh module graph, so
 * this file's kernel state is its own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

it('a failed kernel load is retried by the next attempt, not remembered', async () => {
  vi.resetModules();
  const w = await import('../../src/backends/wasm.js');
  const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('../../build/kernels.wasm', import.meta.url))));
  let calls = 0;
  w.pinKernelVariant('simd');
  w.provideWasm(() => {
    calls++;
    return calls === 1 ? Promise.reject(new Error('network down')) : Promise.resolve(bytes);
  });
  await expect(w.createWasmBackendAsync()).rejects.toThrow(/network down/);
  const backend = await w.createWasmBackendAsync();
  expect(backend.name).toBe('wasm');
  expect(calls).toBe(2);
});
