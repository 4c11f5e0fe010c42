/**
 * The WebAssembly backend: the AssemblyScript kernels of `assembly/index.ts` (SIMD f64x2). Kernels take raw byte
 * pointers into the instance's memory (no lifting).
 *
 * The binary is not imported here: the package's entry points hand it over (`provideWasm`, with the base64 that
 * `scripts/embed-wasm.mjs` generates), and fitAsync's workers receive the compiled module from the thread that
 * starts them (`provideWasmModule`). So the library's sources import nothing generated — unit tests run without a
 * build on the JS twin — and the worker bundle carries no second copy of the binary.
 */
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import type { Backend, Kernels } from './types.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  logProb: Kernels['logProb'];
  normalizeRows: Kernels['normalizeRows'];
  eStepAccumulate: Kernels['eStepAccumulate'];
}

const PAGE = 65536;

/** Smallest module using a SIMD instruction (`i32.const 0; i8x16.splat; i8x16.popcnt`), as in wasm-feature-detect. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** The binary (base64) an entry point provided, decoded on first use. */
let wasmBase64: string | null = null;
let cachedBytes: Uint8Array | undefined;
/** The compiled module, shared by every backend instance created in this realm. */
let cachedModule: WebAssembly.Module | undefined;

/** Makes the kernel binary available (the package's entry points call this with the embedded build). */
export function provideWasm(base64: string): void {
  wasmBase64 ??= base64;
}

/** Uses an already compiled kernel module (a worker given its parent's). */
export function provideWasmModule(module: WebAssembly.Module): void {
  cachedModule ??= module;
}

/** The compiled module if one exists or can be compiled synchronously here; null otherwise. */
export function compiledModule(): WebAssembly.Module | null {
  try {
    return (cachedModule ??= new WebAssembly.Module(wasmBytes() as BufferSource));
  } catch {
    return null;
  }
}

function decodeBase64(b64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) {
    const buf = B.from(b64, 'base64');
    // copy into a plain, exactly-sized Uint8Array (Node's Buffer may be a view into a shared pool)
    return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  if (typeof atob !== 'function') throw new Error('gaussmix: no base64 decoder (neither Buffer nor atob) available');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function wasmBytes(): Uint8Array {
  if (wasmBase64 === null)
    throw new Error(
      'gaussmix: no kernel binary was provided (a source module imported without the package entry point)',
    );
  return (cachedBytes ??= decodeBase64(wasmBase64));
}

/** Throws a descriptive Error if WebAssembly or its SIMD proposal is missing. */
function checkSupport(): void {
  if (typeof WebAssembly !== 'object' || WebAssembly === null || typeof WebAssembly.Module !== 'function') {
    throw new Error('gaussmix: WebAssembly is not available in this environment; use the js backend');
  }
  let simd = false;
  try {
    simd = WebAssembly.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  if (!simd) throw new Error('gaussmix: WebAssembly SIMD (128-bit) is not supported here; use the js backend');
}

function failure(e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`gaussmix: failed to instantiate the wasm kernels: ${msg}`, { cause: e });
}

function makeBackend(ex: KernelExports): Backend {
  const memory = ex.memory;
  const base = (ex.heapBase() + 15) & ~15;
  let view = new Float64Array(memory.buffer);
  const kernels: Kernels = {
    logProb: ex.logProb,
    normalizeRows: ex.normalizeRows,
    eStepAccumulate: ex.eStepAccumulate,
  };
  return {
    name: 'wasm',
    kernels,
    base,
    reserve(bytes: number): void {
      if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`gaussmix: invalid heap size ${bytes}`);
      const have = memory.buffer.byteLength;
      if (bytes <= have) return;
      const pages = Math.ceil((bytes - have) / PAGE);
      try {
        memory.grow(pages);
      } catch (e) {
        throw new RangeError(
          `gaussmix: cannot grow wasm memory to ${have + pages * PAGE} bytes (${e instanceof Error ? e.message : String(e)})`,
        );
      }
    },
    f64(): Float64Array {
      // memory.grow detaches the old buffer; re-create the view only when the buffer changed
      if (view.buffer !== memory.buffer) view = new Float64Array(memory.buffer);
      return view;
    },
  };
}

function kernelExports(instance: WebAssembly.Instance): KernelExports {
  const ex = instance.exports as unknown as KernelExports;
  for (const name of ['heapBase', 'logProb', 'normalizeRows', 'eStepAccumulate'] as const) {
    if (typeof ex[name] !== 'function') throw new Error(`export ${name} missing`);
  }
  if (!(ex.memory instanceof WebAssembly.Memory)) throw new Error('export memory missing');
  return ex;
}

/**
 * Instantiates the kernels synchronously. Throws an Error with a clear message when WebAssembly or SIMD is
 * unavailable or instantiation fails (e.g. a browser main thread refusing synchronous compilation: use
 * `createWasmBackendAsync` there).
 */
export function createWasmBackend(): Backend {
  checkSupport();
  try {
    cachedModule ??= new WebAssembly.Module(wasmBytes() as BufferSource);
    const { instance } = instantiateSync(cachedModule);
    return makeBackend(kernelExports(instance));
  } catch (e) {
    throw failure(e);
  }
}

/** Instantiates the kernels with asynchronous compilation (required by browsers for large modules). */
export async function createWasmBackendAsync(): Promise<Backend> {
  checkSupport();
  try {
    cachedModule ??= await WebAssembly.compile(wasmBytes() as BufferSource);
    const { instance } = await instantiate(cachedModule);
    return makeBackend(kernelExports(instance));
  } catch (e) {
    throw failure(e);
  }
}
