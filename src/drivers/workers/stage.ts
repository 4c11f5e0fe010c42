/**
 * The large arrays of a request, handed to the workers through shared memory. Posting a request structured-clones
 * its typed arrays on the calling thread: K·D² values each for an E-pass's precision factors or an M-step's
 * statistics and covariances — at K = 8, D = 400, 20–30 MB a request, measured at 80–400 ms of event-loop stall on a
 * busy 2-core host, most of it faulting in freshly allocated pages. Copying them into one shared buffer reused for
 * the whole fit is a memcpy into warm pages (a few ms), and every worker of a broadcast reads that one copy. The
 * copy goes in slices with turns of the event loop between them while it is slow (the buffer's pages are new).
 *
 * The buffer is overwritten by the next request. That is safe because a fit has one request in flight at a time,
 * workers copy what they keep beyond a request (Workspace.load), and a worker detaches anything of a request its
 * reply would share (worker-entry.ts).
 */
import { breathe } from '../async.js';

/** Arrays smaller than this clone in microseconds: they travel in the message as before. */
const MIN_VALUES = 1 << 14;
/** The buffer grows in steps of this many bytes, so small changes in request size do not reallocate it. */
const GROWTH = 1 << 20;
/** Values copied between two looks at the clock (512 KB), and the time after which the copy lets the loop turn. */
const SLICE = 1 << 16;
const TURN_MS = 4;

type Big = Map<Float64Array, Float64Array | null>;

const plain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** The large, unshared Float64Arrays among the fields of `v` and of its plain-object fields (two levels). */
function collect(v: Record<string, unknown>, depth: number, big: Big): void {
  for (const x of Object.values(v)) {
    if (x instanceof Float64Array) {
      if (x.length >= MIN_VALUES && !(x.buffer instanceof SharedArrayBuffer)) big.set(x, null);
    } else if (depth < 2 && plain(x)) collect(x, depth + 1, big);
  }
}

/** A copy of `v` (and of the plain objects on the way) with each collected array replaced by its shared view. */
function rebuild<T>(v: T, depth: number, big: Big): T {
  const out: Record<string, unknown> = {};
  for (const [key, x] of Object.entries(v as Record<string, unknown>)) {
    if (x instanceof Float64Array) out[key] = big.get(x) ?? x;
    else out[key] = depth < 2 && plain(x) ? rebuild(x, depth + 1, big) : x;
  }
  return out as T;
}

export class Stage {
  private buffer: SharedArrayBuffer | null = null;

  /**
   * `request` with its large arrays replaced by views of this stage's shared buffer (the caller's arrays are left
   * alone; an array that appears twice gets one view). Valid until the next call.
   */
  async share<T extends object>(request: T): Promise<T> {
    const big: Big = new Map();
    collect(request as Record<string, unknown>, 0, big);
    if (big.size === 0) return request;
    let bytes = 0;
    for (const a of big.keys()) bytes += a.byteLength;
    if (!this.buffer || this.buffer.byteLength < bytes)
      this.buffer = new SharedArrayBuffer(Math.ceil(bytes / GROWTH) * GROWTH);
    let offset = 0;
    let since = performance.now();
    for (const a of big.keys()) {
      const view = new Float64Array(this.buffer, offset, a.length);
      for (let i = 0; i < a.length; i += SLICE) {
        view.set(a.subarray(i, i + SLICE), i);
        if (performance.now() - since > TURN_MS) {
          await breathe();
          since = performance.now();
        }
      }
      big.set(a, view);
      offset += a.byteLength;
    }
    return rebuild(request, 0, big);
  }
}

/**
 * `v` with every typed array on shared memory replaced by a private copy (plain objects and arrays followed three
 * levels down): what a worker replies must not share a request's staged arrays, which the next request overwrites.
 */
export function detachShared<T>(v: T, depth = 0): T {
  if (typeof SharedArrayBuffer !== 'function') return v; // a page that is not cross-origin isolated: nothing is shared
  if (ArrayBuffer.isView(v))
    return (v.buffer instanceof SharedArrayBuffer ? (v as unknown as { slice(): unknown }).slice() : v) as T;
  if (depth >= 3) return v;
  if (Array.isArray(v)) return v.map((x) => detachShared(x, depth + 1)) as T;
  if (!plain(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [key, x] of Object.entries(v)) out[key] = detachShared(x, depth + 1);
  return out as T;
}
