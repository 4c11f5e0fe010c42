/**
 * Starting workers from the bundled worker script (build/worker-source.ts), without static `node:` imports so the
 * core stays importable in browsers: Node gets `worker_threads` through a dynamic import and runs the script with
 * `eval: true`; browsers get a classic Web Worker from a Blob URL. No bundler configuration is involved either way.
 */
import { BackendError } from '../../api/errors.js';
import type { FromWorker, ToWorker } from './messages.js';

/** A started worker, whatever the platform. */
export interface WorkerHandle {
  post(msg: ToWorker, transfer?: Transferable[]): void;
  /**
   * Routes the worker's messages, and once an Error if it dies (uncaught error or unexpected exit), to these
   * callbacks, replacing earlier ones: a pooled worker serves one fit after another.
   */
  listen(onMessage: (msg: FromWorker) => void, onFailure: (e: Error) => void): void;
  /** Drops the callbacks (an idle worker); a death meanwhile only marks it dead. */
  detach(): void;
  /** True once the worker died or was terminated. */
  readonly dead: boolean;
  /** Whether the worker keeps a Node process alive (idle pooled workers do not); no effect in browsers. */
  keepAlive(on: boolean): void;
  /** Stops the worker; resolves once it is gone. Idempotent. */
  terminate(): Promise<void>;
}

/**
 * The bundled worker script (build/worker-source.ts), handed over by the package's entry points: the string, or a
 * function loading it (the browser entry keeps it in a chunk of its own, fetched by the first fitAsync).
 */
let workerSource: string | null = null;
let loadWorkerSource: (() => Promise<string>) | null = null;

export function provideWorkerSource(source: string | (() => Promise<string>)): void {
  if (workerSource !== null || loadWorkerSource !== null) return;
  if (typeof source === 'string') workerSource = source;
  else loadWorkerSource = source;
}

function source(): string {
  if (workerSource === null) {
    throw new BackendError(
      "fitAsync needs the bundled worker script, which only the package entry point provides (import from 'gaussmix')",
    );
  }
  return workerSource;
}

let live = 0;
let started = 0;
/** Workers started by fitAsync and not yet terminated, idle pooled ones included (tests prove nothing leaks). */
export function liveWorkers(): number {
  return live;
}
/** Workers started so far (tests use it to see pooled workers reused). */
export function startedWorkers(): number {
  return started;
}

type NodeWorker = {
  postMessage(m: unknown, t?: readonly unknown[]): void;
  ref(): void;
  unref(): void;
  on(ev: 'message', fn: (m: FromWorker) => void): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  on(ev: 'exit', fn: (code: number) => void): void;
  terminate(): Promise<number>;
};
type NodeWorkerThreads = { Worker: new (src: string, opts: { eval: boolean; name?: string }) => NodeWorker };

const isNode = (): boolean => {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
};

// A variable specifier keeps bundlers from trying to resolve (or inline) a Node builtin in browser builds.
const WORKER_THREADS = 'node:worker_threads';
const OS = 'node:os';
let workerThreads: Promise<NodeWorkerThreads> | null = null;

/** Node's worker script: exposes parentPort to the bundle (which speaks a platform-neutral port interface). */
const NODE_PRELUDE =
  'const { parentPort } = require("node:worker_threads");\n' +
  'globalThis.__gaussmixPort = { post: (m, t) => parentPort.postMessage(m, t), listen: (fn) => parentPort.on("message", fn) };\n';

function trackEnd(): () => void {
  live++;
  started++;
  let ended = false;
  return () => {
    if (!ended) {
      ended = true;
      live--;
    }
  };
}

async function spawnNode(): Promise<WorkerHandle> {
  const { Worker } = await (workerThreads ??= import(
    /* @vite-ignore */ /* webpackIgnore: true */ WORKER_THREADS
  ) as Promise<NodeWorkerThreads>);
  const w = new Worker(NODE_PRELUDE + source(), { eval: true, name: 'gaussmix' });
  const end = trackEnd();
  const route = new Routes();
  w.on('message', (m) => route.message(m));
  w.on('error', (e) => route.fail(e instanceof Error ? e : new Error(String(e))));
  w.on('exit', (code) => {
    end();
    route.fail(new Error(`gaussmix: a fitAsync worker exited unexpectedly (exit code ${code})`));
  });
  let terminated: Promise<void> | null = null;
  return route.handle(
    (m, t) => w.postMessage(m, t ?? []),
    (on) => (on ? w.ref() : w.unref()),
    () => {
      route.closing = true;
      return (terminated ??= w.terminate().then(end, end));
    },
  );
}

/** A worker's current listeners. Its first failure is kept: a listener that arrives later learns of it at once. */
class Routes {
  closing = false;
  private error: Error | null = null;
  private onMessage: ((m: FromWorker) => void) | null = null;
  private onFailure: ((e: Error) => void) | null = null;

  get dead(): boolean {
    return this.error !== null || this.closing;
  }
  message(m: FromWorker): void {
    this.onMessage?.(m);
  }
  fail(e: Error): void {
    if (this.closing) return;
    this.error ??= e;
    this.onFailure?.(e);
  }
  listen(onMessage: (m: FromWorker) => void, onFailure: (e: Error) => void): void {
    this.onMessage = onMessage;
    this.onFailure = onFailure;
    if (this.error) onFailure(this.error);
  }
  detach(): void {
    this.onMessage = null;
    this.onFailure = null;
  }
  /** The platform-neutral handle over these routes and a platform's post, keepAlive and terminate. */
  handle(
    post: WorkerHandle['post'],
    keepAlive: WorkerHandle['keepAlive'],
    terminate: WorkerHandle['terminate'],
  ): WorkerHandle {
    const route = this;
    return {
      post,
      listen: (onMessage, onFailure) => route.listen(onMessage, onFailure),
      detach: () => route.detach(),
      get dead() {
        return route.dead;
      },
      keepAlive,
      terminate,
    };
  }
}

let blobUrl: string | null = null;

function spawnWeb(): WorkerHandle {
  const g = globalThis as unknown as {
    Worker?: new (url: string, opts?: { name?: string }) => Worker;
    Blob?: typeof Blob;
    URL?: typeof URL;
  };
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') {
    throw new BackendError(
      'fitAsync needs worker threads (Node worker_threads or Web Workers with Blob URLs); none are available here. Use fit() instead.',
    );
  }
  // One URL for the page's lifetime: revoking it while a worker may still be loading it breaks some browsers.
  blobUrl ??= g.URL.createObjectURL(new g.Blob([source()], { type: 'text/javascript' }));
  const w = new g.Worker(blobUrl, { name: 'gaussmix' });
  const end = trackEnd();
  const route = new Routes();
  w.onmessage = (e) => route.message(e.data as FromWorker);
  w.onerror = (e) => {
    e.preventDefault?.();
    route.fail(
      new Error(
        `gaussmix: a fitAsync worker failed: ${e.message || 'error (blocked by a Content-Security-Policy without worker-src blob:?)'}`,
      ),
    );
  };
  w.onmessageerror = () => route.fail(new Error('gaussmix: a fitAsync worker message could not be deserialised'));
  return route.handle(
    (m, t) => w.postMessage(m, t ?? []),
    () => {},
    () => {
      if (!route.closing) {
        route.closing = true;
        w.terminate();
        end();
      }
      return Promise.resolve();
    },
  );
}

/** Starts one worker running the bundled worker script. */
export async function spawnWorker(): Promise<WorkerHandle> {
  if (workerSource === null && loadWorkerSource !== null) workerSource = await loadWorkerSource();
  return isNode() ? spawnNode() : spawnWeb();
}

/** Default worker count: the cores available to this process (Node) or navigator.hardwareConcurrency. */
export async function defaultWorkerCount(): Promise<number> {
  if (isNode()) {
    try {
      const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ OS)) as {
        availableParallelism?: () => number;
        cpus(): unknown[];
      };
      const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
      if (Number.isInteger(n) && n >= 1) return n;
    } catch {
      // fall through
    }
  }
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof hc === 'number' && Number.isInteger(hc) && hc >= 1 ? hc : 4;
}
