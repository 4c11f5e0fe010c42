/**
 * The WebAssembly backend: the AssemblyScript kernels of `assembly/index.ts` (SIMD f64x2). Kernels take raw byte
 * pointers into the instance's memory (no lifting).
 *
 * Two builds of the same sources exist: the baseline (128-bit SIMD) and a relaxed-SIMD one whose multiply-adds are
 * `f64x2.relaxed_madd` (one fused instruction where the hardware has FMA). The relaxed build is used where
 * `WebAssembly.validate` accepts relaxed SIMD (Node ≥ 22, current Chrome, Edge, Firefox), the baseline elsewhere (Node
 * 20 without --experimental-wasm-relaxed-simd, Safari); `kernelVariant()` tells which one this thread compiled.
 *
 * The binary is not imported here: the package's entry points hand it over (`provideWasm`, decoding the compressed
 * base64 that `scripts/embed-wasm.mjs` generates: embedded.ts), and fitAsync's workers receive the compiled module from the thread that
 * starts them (`provideWasmModule`). So the library's sources import nothing generated — unit tests run without a
 * build on the JS twin — and the worker bundle carries no second copy of the binary.
 */
import { type Backend, type Kernels, PRUNE_BELOW } from './types.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  logProb: Kernels['logProb'];
  normalizeRows: Kernels['normalizeRows'];
  scoreRows: Kernels['scoreRows'];
  eStepAccumulate: Kernels['eStepAccumulate'];
}

const PAGE = 65536;

/** Smallest module using a SIMD instruction (`i32.const 0; i8x16.splat; i8x16.popcnt`), as in wasm-feature-detect. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/**
 * Smallest module using a relaxed-SIMD instruction (three `v128.const 0`, `f64x2.relaxed_madd`, `drop`): validates
 * only where the engine has relaxed SIMD.
 */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 62, 1, 60, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 253, 135, 2, 26, 11,
]);

/** The kernel builds: 'relaxed-simd' (fused multiply-adds) and 'simd' (the baseline). */
export type KernelVariant = 'relaxed-simd' | 'simd';

/**
 * The binaries an entry point provided, as functions that return a build's bytes — at once (Node: fit works without
 * init()) or as a promise (the browser entries: each build is a chunk of its own, fetched and decompressed by init()
 * only for the build the engine runs).
 */
export type WasmSource = () => Uint8Array | Promise<Uint8Array>;
const provided: Partial<Record<KernelVariant, WasmSource>> = {};
const bytes: Partial<Record<KernelVariant, Uint8Array>> = {};
/** The variant this realm uses (chosen once, on first need) and its compiled module, shared by every instance. */
let variant: KernelVariant | undefined;
let cachedModule: WebAssembly.Module | undefined;

/**
 * Makes the kernel binaries available (the package's entry points call this with the embedded builds): the baseline
 * and, optionally, the relaxed-SIMD build.
 */
export function provideWasm(simd: WasmSource, relaxed?: WasmSource): void {
  provided.simd ??= simd;
  if (relaxed !== undefined) provided['relaxed-simd'] ??= relaxed;
}

/** Uses an already compiled kernel module (a worker given its parent's, which chose the build). */
export function provideWasmModule(module: WebAssembly.Module, of?: KernelVariant): void {
  if (cachedModule) return;
  cachedModule = module;
  if (of) variant = of;
}

function validates(probe: Uint8Array): boolean {
  try {
    return WebAssembly.validate(probe as BufferSource);
  } catch {
    return false;
  }
}

/**
 * The build this realm runs: the relaxed-SIMD one when it was provided and the engine validates relaxed SIMD, else
 * the baseline. Fixed on first use, so every backend instance (and every worker, which receives the compiled module)
 * runs the same arithmetic.
 */
export function kernelVariant(): KernelVariant {
  return (variant ??= provided['relaxed-simd'] !== undefined && validates(RELAXED_PROBE) ? 'relaxed-simd' : 'simd');
}

/**
 * Fixes the build this realm uses before anything was compiled (tests that pin results bit for bit run the baseline
 * on every Node). Throws if a module of another build is already in use.
 */
export function pinKernelVariant(v: KernelVariant): void {
  if (cachedModule && variant !== v) throw new Error(`gaussmix: the ${kernelVariant()} kernels are already compiled`);
  variant = v;
}

/** The compiled module if one exists or can be compiled synchronously here; null otherwise. */
export function compiledModule(): WebAssembly.Module | null {
  try {
    return (cachedModule ??= new WebAssembly.Module(wasmBytes(kernelVariant()) as BufferSource));
  } catch {
    return null;
  }
}

/** A build's bytes, or its loading (a browser entry's source), begun once. */
function load(v: KernelVariant): Uint8Array | Promise<Uint8Array> {
  const have = bytes[v];
  if (have) return have;
  const source = provided[v];
  if (source === undefined)
    throw new Error(
      `gaussmix: no kernel binary (${v}) was provided (a source module imported without the package entry point)`,
    );
  const got = source();
  if (got instanceof Uint8Array) return (bytes[v] = got);
  const pending = () => got;
  provided[v] = pending; // a second call waits for the same load
  // a failed load (a network error) may be retried by a later init(): the source, not the rejection, stays
  got.catch(() => {
    if (provided[v] === pending) provided[v] = source;
  });
  return got;
}

function wasmBytes(v: KernelVariant): Uint8Array {
  const got = load(v);
  if (got instanceof Uint8Array) return got;
  got.catch(() => {}); // init() reports a failed load; this call only says init() is needed
  throw new Error('gaussmix: the wasm kernels are loaded by `await init()`; call it first');
}

async function wasmBytesAsync(v: KernelVariant): Promise<Uint8Array> {
  return (bytes[v] ??= await load(v));
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
    scoreRows: ex.scoreRows,
    eStepAccumulate: ex.eStepAccumulate,
  };
  return {
    name: 'wasm',
    kernels,
    prune: PRUNE_BELOW,
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

/**
 * The kernels' one import: AssemblyScript's `abort(message, file, line, column)`, which a kernel calls when a
 * precondition fails (assembly/buffer.ts); its strings are UTF-16 in the instance's memory, their byte length in the
 * 4 bytes before them. That is all raw-pointer kernels need of @assemblyscript/loader, whose helpers for lifting
 * strings, arrays and classes cost a page 2.4 kB gzipped. `attach` gives the import the instance's memory.
 */
function abortImport(): { imports: WebAssembly.Imports; attach(instance: WebAssembly.Instance): WebAssembly.Instance } {
  let memory: WebAssembly.Memory | undefined;
  const text = (ptr: number): string =>
    memory && ptr
      ? String.fromCharCode(...new Uint16Array(memory.buffer, ptr, new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1))
      : '';
  const abort = (message: number, file: number, line: number, column: number): never => {
    throw new Error(`${text(message)} in ${text(file)}(${line}:${column})`);
  };
  return {
    imports: { env: { abort } },
    attach(instance) {
      memory = instance.exports.memory as WebAssembly.Memory;
      return instance;
    },
  };
}

function kernelExports(instance: WebAssembly.Instance): KernelExports {
  const ex = instance.exports as unknown as KernelExports;
  for (const name of ['heapBase', 'logProb', 'normalizeRows', 'scoreRows', 'eStepAccumulate'] as const) {
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
export function createWasmBackend(build?: KernelVariant): Backend {
  checkSupport();
  try {
    // an explicit build (tests compare both) gets a module of its own; the realm's choice is compiled once
    const module =
      build && build !== kernelVariant()
        ? new WebAssembly.Module(wasmBytes(build) as BufferSource)
        : (cachedModule ??= new WebAssembly.Module(wasmBytes(kernelVariant()) as BufferSource));
    const env = abortImport();
    return makeBackend(kernelExports(env.attach(new WebAssembly.Instance(module, env.imports))));
  } catch (e) {
    throw failure(e);
  }
}

/** Instantiates the kernels with asynchronous compilation (required by browsers for large modules). */
export async function createWasmBackendAsync(): Promise<Backend> {
  checkSupport();
  try {
    cachedModule ??= await WebAssembly.compile((await wasmBytesAsync(kernelVariant())) as BufferSource);
    const env = abortImport();
    return makeBackend(kernelExports(env.attach(await WebAssembly.instantiate(cachedModule, env.imports))));
  } catch (e) {
    throw failure(e);
  }
}
