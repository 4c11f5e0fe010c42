/**
 * A worker process's E-step threads: one per concurrent job, started from the bundled thread script
 * (build/distributed-thread-source.ts, handed over by the gaussmix/distributed entry point) with the process's
 * compiled kernels. A task that runs past its deadline has its thread terminated (a CPU-bound E-step cannot be
 * interrupted otherwise) and fails retryably; a thread that dies fails its task and is replaced on the next one.
 */
import { BackendError } from '../../api/errors.js';
import { compiledModule, kernelsOf } from '../../backends/index.js';
import { payloadToError } from '../workers/wire.js';
import type { ThreadReply, ThreadTaskInput } from './thread-messages.js';

let threadSource: string | null = null;

/** Makes the bundled thread script available (the gaussmix/distributed entry point calls this). */
export function provideThreadSource(source: string): void {
  threadSource ??= source;
}

type NodeThread = {
  postMessage(m: unknown, t?: readonly unknown[]): void;
  on(ev: 'message', fn: (m: ThreadReply) => void): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  on(ev: 'exit', fn: (code: number) => void): void;
  terminate(): Promise<number>;
};
type WorkerThreads = {
  Worker: new (src: string, o: { eval: true; name: string; workerData: unknown }) => NodeThread;
};

// Its Node prelude: the bundle talks to a small port object, and gets the compiled kernels from workerData.
const PRELUDE =
  'const { parentPort, workerData } = require("node:worker_threads");\n' +
  'globalThis.__gaussmixThread = { post: (m, t) => parentPort.postMessage(m, t), listen: (fn) => parentPort.on("message", fn), wasmModule: workerData.wasmModule, variant: workerData.variant };\n';

const WORKER_THREADS = 'node:worker_threads';

/** A task that exceeded its deadline (retryable: its thread was terminated). */
export class TaskTimeoutError extends Error {
  constructor(ms: number) {
    super(`the shard's job ran longer than jobTimeout (${ms} ms); its thread was stopped`);
    this.name = 'TaskTimeoutError';
  }
}

interface Slot {
  thread: NodeThread | null;
  busy: boolean;
  dead: boolean;
  settle: ((r: ThreadReply | Error) => void) | null;
}

export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  private seq = 0;
  private lib: Promise<WorkerThreads> | null = null;

  constructor(private readonly size: number) {}

  /** Starts the thread of `slot` (its handlers settle the slot's current task). */
  private async spawn(slot: Slot): Promise<void> {
    if (threadSource === null) {
      throw new BackendError(
        "startWorker needs the bundled thread script, which the 'gaussmix/distributed' entry point provides",
      );
    }
    const { Worker } = await (this.lib ??= import(/* @vite-ignore */ WORKER_THREADS) as Promise<WorkerThreads>);
    const thread = new Worker(PRELUDE + threadSource, {
      eval: true,
      name: 'gaussmix-estep',
      // the build this process chose goes with its module: the thread reports it with every statistics
      workerData: { wasmModule: compiledModule(), variant: kernelsOf('wasm') },
    });
    slot.thread = thread;
    thread.on('message', (m) => slot.settle?.(m));
    thread.on('error', (e) => {
      slot.dead = true;
      slot.settle?.(e instanceof Error ? e : new Error(String(e)));
    });
    thread.on('exit', (code) => {
      slot.dead = true;
      slot.settle?.(new Error(`gaussmix: an E-step thread exited unexpectedly (exit code ${code})`));
    });
  }

  /** An idle live thread, started if there is room, else the first to come free. */
  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error('gaussmix: the worker is stopping');
      for (let i = this.slots.length - 1; i >= 0; i--) if (this.slots[i].dead) this.slots.splice(i, 1);
      const idle = this.slots.find((s) => !s.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.slots.length < this.size) {
        const slot: Slot = { thread: null, busy: true, dead: false, settle: null };
        this.slots.push(slot);
        try {
          await this.spawn(slot);
        } catch (e) {
          this.slots.splice(this.slots.indexOf(slot), 1);
          throw e;
        }
        return slot;
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(slot: Slot): void {
    slot.busy = false;
    slot.settle = null;
    this.waiting.shift()?.();
  }

  /** Runs one task on a thread; rejects with the task's (rebuilt, typed) error, or TaskTimeoutError after `ms`. */
  async run(task: ThreadTaskInput, ms: number): Promise<Extract<ThreadReply, { ok: true }>> {
    const slot = await this.acquire();
    const id = ++this.seq;
    try {
      const r = await new Promise<ThreadReply | Error>((resolve) => {
        const timer = setTimeout(() => {
          slot.dead = true;
          void slot.thread!.terminate();
          resolve(new TaskTimeoutError(ms));
        }, ms);
        slot.settle = (m) => {
          if (!(m instanceof Error) && m.id !== id) return;
          clearTimeout(timer);
          resolve(m);
        };
        slot.thread!.postMessage({ ...task, id });
      });
      if (r instanceof Error) throw r;
      if (!r.ok) throw payloadToError(r.error);
      return r;
    } finally {
      this.release(slot);
    }
  }

  /** Terminates every thread (running tasks fail). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w();
    await Promise.all(this.slots.map((s) => s.thread?.terminate().catch(() => 0)));
    this.slots.length = 0;
  }
}
