/**
 * A worker process's E-step thread (bundled by scripts/build-worker.mjs into build/distributed-thread-source.ts and
 * started from that string): reads a shard — or takes the rows its process cached — and runs one task over it, off
 * the event loop that renews BullMQ's job locks. Every read of a shard is checked against the survey's count and
 * fingerprint, so a shard that changed during a fit is an error, not a silently different result.
 */
import { DataError } from '../../api/errors.js';
import {
  getBackend,
  init as initWasm,
  kernelsOf,
  provideWasmModule,
  type KernelVariant,
} from '../../backends/index.js';
import type { BackendChoice } from '../../api/options.js';
import type { Backend } from '../../backends/types.js';
import { errorToPayload } from '../workers/wire.js';
import { KERNEL_CODE, packRows, packStats, packWorst, unpackParams } from './pack.js';
import { fixedBlocks, readShard, type Block } from './shard-reader.js';
import { shardLabel } from './shards.js';
import { estep, fingerprint, sampleRows, survey, worst } from './tasks.js';
import type { CachedShard, ThreadReply, ThreadTask } from './thread-messages.js';

interface Port {
  post(msg: ThreadReply, transfer?: ArrayBuffer[]): void;
  listen(fn: (msg: ThreadTask) => void): void;
  wasmModule: WebAssembly.Module | null;
  variant: KernelVariant;
}

/** Set by the Node prelude of the thread pool (thread-pool.ts) before this script runs. */
const io = (globalThis as unknown as { __gaussmixThread: Port }).__gaussmixThread;
if (io.wasmModule) provideWasmModule(io.wasmModule, io.variant);

async function backendFor(choice: BackendChoice): Promise<Backend> {
  if (choice !== 'js') await initWasm();
  return getBackend(choice);
}

/** Blocks of the cached rows: views, no copies. */
async function* cachedBlocks(c: CachedShard, size: number): AsyncGenerator<Block> {
  const data = new Float64Array(c.data);
  const w = c.w ? new Float64Array(c.w) : null;
  for (let s = 0; s < c.n; s += size) {
    const n = Math.min(size, c.n - s);
    yield { data: data.subarray(s * c.d, (s + n) * c.d), n, d: c.d, w: w ? w.subarray(s, s + n) : null };
  }
}

/** Copies blocks as they pass while they fit in `limit` bytes; `done()` then gives them in shared memory. */
function keeper(limit: number) {
  const parts: Block[] = [];
  let bytes = 0;
  let over = limit <= 0;
  return {
    tap(blocks: AsyncIterable<Block>): AsyncIterable<Block> {
      return (async function* () {
        for await (const b of blocks) {
          if (!over) {
            bytes += 8 * b.n * (b.d + 1);
            if (bytes > limit) {
              over = true;
              parts.length = 0;
            } else parts.push({ data: b.data.slice(), n: b.n, d: b.d, w: b.w ? b.w.slice() : null });
          }
          yield b;
        }
      })();
    },
    done(checksum: number): CachedShard | null {
      if (over) return null;
      const n = parts.reduce((a, p) => a + p.n, 0);
      const d = parts[0]?.d ?? 0;
      const data = new SharedArrayBuffer(8 * n * d);
      const weighted = parts.some((p) => p.w !== null);
      const w = weighted ? new SharedArrayBuffer(8 * n) : null;
      const dv = new Float64Array(data);
      const wv = w ? new Float64Array(w) : null;
      let at = 0;
      for (const p of parts) {
        dv.set(p.data, at * d);
        if (wv) {
          if (p.w) wv.set(p.w, at);
          else wv.fill(1, at, at + p.n);
        }
        at += p.n;
      }
      return { data, w, n, d, checksum };
    },
  };
}

async function run(t: ThreadTask): Promise<ThreadReply> {
  const label = shardLabel(t.ref);
  const seen = { checksum: 0, n: 0 };
  const keep = keeper(t.cached ? 0 : t.keepBytes);
  const blocks = t.cached
    ? cachedBlocks(t.cached, t.blockRows)
    : keep.tap(fingerprint(fixedBlocks(readShard(t.ref, t.csv, t.blockRows), t.blockRows), seen));
  let value: unknown;
  let backend: string | null = null;
  let transfer: ArrayBuffer[] = [];
  const packed = (bytes: Uint8Array): Uint8Array => {
    transfer = [bytes.buffer as ArrayBuffer];
    return bytes;
  };
  switch (t.task) {
    case 'survey':
      value = await survey(blocks, t.k);
      break;
    case 'sample': {
      const s = await sampleRows(blocks, t.indices);
      value = packed(packRows(s.data, s.weights, t.indices.length, s.d));
      break;
    }
    case 'estep': {
      const b = await backendFor(t.backend);
      backend = b.name;
      value = packed(
        packStats(
          await estep(blocks, unpackParams(t.params), t.hard, t.wScale, b),
          t.hash,
          KERNEL_CODE[kernelsOf(b.name)],
        ),
      );
      break;
    }
    case 'worst': {
      const b = await backendFor(t.backend);
      backend = b.name;
      const p = unpackParams(t.params);
      const r = await worst(blocks, p, t.count, t.wScale, b);
      value = packed(packWorst(r.rows, r.lse, p.d, t.hash));
      break;
    }
  }
  if (!t.cached && t.expect) {
    const e = t.expect;
    if (seen.n !== e.n || seen.checksum !== e.checksum) {
      throw new DataError(
        `${label} changed during the fit: it now has ${seen.n} rows${seen.n === e.n ? ' with other values or weights' : ''} where the survey found ${e.n}; a shard must hold the same rows until the fit ends`,
      );
    }
  }
  const kept = t.cached ? null : keep.done(seen.checksum);
  return { id: t.id, ok: true, value, kept, backend, transfer } as ThreadReply & { transfer: ArrayBuffer[] };
}

io.listen((t) => {
  run(t).then(
    (r) => {
      const { transfer, ...reply } = r as ThreadReply & { transfer: ArrayBuffer[] };
      io.post(reply, transfer);
    },
    (e: unknown) => io.post({ id: t.id, ok: false, error: errorToPayload(e) }),
  );
});
