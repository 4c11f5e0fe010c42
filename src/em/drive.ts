/**
 * The two ways to run a generator of requests (protocol.ts): every driver uses one of them, so the loop that feeds
 * replies back, and the clean-up when it stops early, are written once.
 */
import {
  REQUEST_TYPES,
  type AsyncHandlers,
  type Handlers,
  type Reply,
  type Request,
  type RequestType,
  type Steps,
} from './protocol.js';

function handler<H>(handlers: H, request: Request): (r: Request) => unknown {
  return (handlers as Record<string, (r: Request) => unknown>)[request.type];
}

/** One request answered by the handler of its type. */
export function serve<T extends RequestType>(handlers: Handlers, request: Request<T>): Reply<T> {
  const r = request as Request;
  return handler(handlers, r)(r) as Reply<T>;
}

/**
 * Runs `steps` to completion, answering each request with `handlers` in this thread. `check` runs before each
 * request (a fit's abort signal); what it throws ends the generator (its finally blocks run).
 */
export function driveSync<R>(steps: Steps<R>, handlers: Handlers, check: (() => void) | null = null): R {
  if (check === null) {
    let s = steps.next();
    while (!s.done) s = steps.next(handler(handlers, s.value)(s.value));
    return s.value;
  }
  try {
    let s = steps.next();
    while (!s.done) {
      check();
      s = steps.next(handler(handlers, s.value)(s.value));
    }
    return s.value;
  } finally {
    steps.return(undefined as never);
  }
}

/**
 * Runs `steps` to completion with asynchronous handlers. `check` runs before each request (abort, a dead worker)
 * and after each reply; whatever it or a handler throws ends the generator (its finally blocks run) and rejects.
 */
export async function driveAsync<R>(
  steps: Steps<R>,
  handlers: AsyncHandlers,
  check: () => void = () => {},
): Promise<R> {
  try {
    let s = steps.next();
    while (!s.done) {
      check();
      const reply = await handler(handlers, s.value)(s.value);
      check();
      s = steps.next(reply);
    }
    return s.value;
  } finally {
    steps.return(undefined as never);
  }
}

/** Runs `steps` that need no data (e.g. initialisation from a complete user start); a request is a bug. */
export function runWithoutData<R>(steps: Steps<R>): R {
  const s = steps.next();
  if (!s.done) throw new Error(`gaussmix: '${s.value.type}' requested where no data is available`);
  return s.value;
}

/** Handlers that refuse every request with `why` (a driver with no data for them). */
export function refuseAll(why: string): Handlers {
  const refuse = (): never => {
    throw new Error(`gaussmix: ${why}`);
  };
  return Object.fromEntries(REQUEST_TYPES.map((t) => [t, refuse])) as unknown as Handlers;
}
