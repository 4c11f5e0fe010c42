/**
 * Warm fitAsync workers kept between fits. A fit takes idle workers before starting new ones and gives back those
 * that ended cleanly, so repeated fitAsync calls skip starting threads and compiling the kernels (tens of
 * milliseconds per worker). An idle worker has dropped its rows, never keeps a Node process alive (unref) and ends
 * after IDLE_MS unused; `terminateIdleWorkers()` ends the idle ones at once. The pool also keeps the shared buffer
 * of the last fit's copy of X while workers are idle (see takeSharedBuffer).
 */
import { defaultWorkerCount, spawnWorker, type WorkerHandle } from './spawn.js';

/** How long an idle worker waits for the next fit before it ends. */
const IDLE_MS = 10_000;

interface Idle {
  handle: WorkerHandle;
  timer: ReturnType<typeof setTimeout>;
}

const idle: Idle[] = [];
/** At most this many idle workers (the default worker count, known after the first take). */
let capacity = 1;

/** An idle worker, or a new one. */
export async function takeWorker(): Promise<WorkerHandle> {
  capacity = Math.max(capacity, await defaultWorkerCount());
  for (let e = idle.pop(); e; e = idle.pop()) {
    clearTimeout(e.timer);
    if (!e.handle.dead) {
      e.handle.keepAlive(true);
      return e.handle;
    }
    void e.handle.terminate();
  }
  return spawnWorker();
}

/**
 * Returns a worker that has no request in flight to the pool: it drops its rows and waits, unref'd, for the next
 * fit. A dead worker, or one beyond the pool's capacity, is terminated instead; the promise settles once it is gone.
 */
export function giveBack(handle: WorkerHandle): Promise<void> {
  handle.detach();
  if (handle.dead || idle.length >= capacity) return handle.terminate();
  handle.post({ type: 'release' });
  handle.keepAlive(false);
  const entry: Idle = {
    handle,
    timer: setTimeout(() => {
      const i = idle.indexOf(entry);
      if (i >= 0) idle.splice(i, 1);
      if (idle.length === 0) spare = null;
      void handle.terminate();
    }, IDLE_MS),
  };
  (entry.timer as { unref?: () => void }).unref?.();
  idle.push(entry);
  return Promise.resolve();
}

/** Ends every idle fitAsync worker now (workers of running fits are not affected); resolves once they are gone. */
export async function terminateIdleWorkers(): Promise<void> {
  const all = idle.splice(0);
  spare = null;
  for (const e of all) clearTimeout(e.timer);
  await Promise.all(all.map((e) => e.handle.terminate()));
}

/**
 * One SharedArrayBuffer kept while workers are idle, for the next fit's shared copy of X. A worker frees the rows
 * of its last fit only when its heap is next collected, and an idle worker allocates nothing, so that may not happen
 * before the next fit: a new buffer per fit would leave one more copy of X alive per call. Reusing one buffer keeps
 * what idle workers hold to that buffer.
 */
let spare: SharedArrayBuffer | null = null;

/** A shared buffer of at least `bytes` bytes: the spare one if it is large enough, else a new one. */
export function takeSharedBuffer(bytes: number): SharedArrayBuffer {
  const b = spare;
  spare = null; // too small: not kept alive from here any longer
  return b && b.byteLength >= bytes ? b : new SharedArrayBuffer(bytes);
}

/**
 * Called when a fit has given back or terminated its workers, with its shared buffer (null if it had none): kept as
 * the spare if workers are idle (the larger of two), and no spare at all once no worker is idle.
 */
export function settleSharedBuffer(b: SharedArrayBuffer | null): void {
  if (idle.length === 0) spare = null;
  else if (b && (!spare || b.byteLength > spare.byteLength)) spare = b;
}
