/**
 * The process-wide, bounded pool of fitAsync workers. Every fit takes its workers from here and gives them back, so
 * however many fits run at once the process holds at most `maxWorkers()` worker threads (default: the available
 * cores; `setMaxWorkers` changes the bound): a fit asks for its workers all at once and waits, in arrival order, until
 * that many can be lent — it never holds some while waiting for more, so concurrent fits cannot deadlock.
 *
 * Idle workers are kept warm for the next fit (no thread start and kernel compilation): they have dropped their rows,
 * never keep a Node process alive (unref) and end after IDLE_MS unused; `terminateIdleWorkers()` ends them at once.
 * The pool also keeps the shared buffer of the last fit's copy of X while workers are idle (see takeSharedBuffer).
 */
import { OptionError } from '../../api/errors.js';
import { abortReason } from '../async.js';
import { defaultWorkerCount, spawnWorker, type WorkerHandle } from './spawn.js';

/** How long an idle worker waits for the next fit before it ends. */
const IDLE_MS = 10_000;

interface Idle {
  handle: WorkerHandle;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiter {
  count: number;
  grant: () => void;
}

const idle: Idle[] = [];
const queue: Waiter[] = [];
/** Workers lent to fits (started or being started), not idle. */
let lent = 0;
/** The bound set by setMaxWorkers, or null for the available cores. */
let bound: number | null = null;

/** The most worker threads fitAsync keeps in this process (lent and idle). */
export async function maxWorkers(): Promise<number> {
  return bound ?? (await defaultWorkerCount());
}

/**
 * Sets the most worker threads fitAsync may run in this process at once (an integer ≥ 1), or back to the default
 * (the available cores) with null. A fit asking for more workers than the bound gets the bound; fits beyond it wait.
 * Raising it above the cores oversubscribes them, which only pays when other work leaves cores idle.
 */
export function setMaxWorkers(n: number | null): void {
  if (n !== null && !(typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1024)) {
    throw new OptionError(
      'maxWorkers',
      `maxWorkers must be an integer in 1…1024 or null (the available cores); got ${String(n)}`,
    );
  }
  bound = n;
  void grantWaiters();
}

/** Lends as many waiters in the queue, in order, as there is room for. */
async function grantWaiters(): Promise<void> {
  const cap = await maxWorkers();
  while (queue.length > 0) {
    const w = queue[0];
    w.count = Math.min(w.count, cap); // the bound may have been lowered while it waited
    if (lent + w.count > cap) return;
    queue.shift();
    lent += w.count;
    w.grant();
  }
}

/** An idle worker, or a new one. */
async function oneWorker(): Promise<WorkerHandle> {
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
 * `count` workers for one fit (at most maxWorkers()), once that many can be lent; waits in arrival order behind
 * earlier fits. An abort while waiting rejects with the signal's reason and leaves the queue.
 */
export async function takeWorkers(count: number, signal: AbortSignal | null): Promise<WorkerHandle[]> {
  const w: Waiter = { count: Math.min(count, await maxWorkers()), grant: () => {} };
  await new Promise<void>((resolve, reject) => {
    w.grant = resolve;
    const onAbort = (): void => {
      const i = queue.indexOf(w);
      if (i < 0) return; // already granted: the fit handles the abort itself
      queue.splice(i, 1);
      reject(abortReason(signal!));
    };
    if (signal?.aborted) return reject(abortReason(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    const grant = w.grant;
    w.grant = () => {
      signal?.removeEventListener('abort', onAbort);
      grant();
    };
    queue.push(w);
    void grantWaiters();
  });
  const n = w.count;
  const handles: WorkerHandle[] = [];
  try {
    for (let i = 0; i < n; i++) handles.push(await oneWorker());
  } catch (e) {
    lent -= n - handles.length; // the ones that never started
    await Promise.all(handles.map((h) => giveBack(h, false)));
    throw e;
  }
  return handles;
}

/**
 * Returns a lent worker: to the idle pool when `reusable` (no request in flight; it drops its rows and waits,
 * unref'd, for the next fit), else terminated. Either way its place goes to the next waiting fit. Settles once a
 * terminated worker is gone.
 */
export async function giveBack(handle: WorkerHandle, reusable: boolean): Promise<void> {
  handle.detach();
  lent--;
  const cap = await maxWorkers();
  if (!reusable || handle.dead || idle.length + lent >= cap) {
    await handle.terminate();
  } else {
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
  }
  await grantWaiters();
}

/** Ends every idle fitAsync worker now (workers of running fits are not affected); resolves once they are gone. */
export async function terminateIdleWorkers(): Promise<void> {
  const all = idle.splice(0);
  spare = null;
  for (const e of all) clearTimeout(e.timer);
  await Promise.all(all.map((e) => e.handle.terminate()));
}

/** Fits waiting for workers (tests and diagnostics). */
export function waitingFits(): number {
  return queue.length;
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
