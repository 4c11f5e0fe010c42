/**
 * Redis connections for the coordinator and the workers, with the settings measured in docs/distributed-notes.md §7.
 *
 * BullMQ's defaults wait forever for an unreachable or hung Redis, so the coordinator builds its own ioredis
 * clients — bounded connect and command timeouts, a few reconnects then 'end', no offline queue — hands them to
 * BullMQ as instances, checks the server with a PING under its own timer before any work, and keeps a watchdog:
 * any client's 'end' fails every pending and later wait (guard, onLost). Workers keep ioredis' defaults (reconnect forever):
 * a worker outlives a Redis restart and resumes.
 */
import type { RedisClass, RedisClient, RedisOptions } from './deps.js';
import { RedisUnavailableError } from './errors.js';

/** Where Redis is: a redis:// or rediss:// URL, or ioredis options ({ host, port, password, db, tls, … }). */
export type RedisConnection = string | RedisConnectionOptions;

export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** Further ioredis options (tls, family, …); the timeouts and retry settings are gaussmix's own. */
  [option: string]: unknown;
}

/** host:port for messages (never the password). */
export function addressOf(c: RedisConnection): string {
  if (typeof c === 'string') {
    try {
      const u = new URL(c);
      return `${u.hostname || '127.0.0.1'}:${u.port || 6379}`;
    } catch {
      return c;
    }
  }
  if (typeof c.path === 'string') return c.path;
  return `${c.host ?? '127.0.0.1'}:${c.port ?? 6379}`;
}

/** A new ioredis client for `c` with `extra` settings on top of the user's. */
export function client(Redis: RedisClass, c: RedisConnection, extra: RedisOptions): RedisClient {
  return typeof c === 'string' ? new Redis(c, extra) : new Redis({ ...(c as RedisOptions), ...extra });
}

/** The coordinator's time limits (ms). */
export interface CoordinatorTimeouts {
  /** Connecting and the first PING. */
  connect: number;
  /** Any one command (not the blocking reads of QueueEvents). */
  command: number;
}

/** Reconnects tried before a client gives up ('end'): about 3 s in all. */
const reconnect = (times: number): number | null => (times > 5 ? null : Math.min(200 * times, 1000));

/**
 * The coordinator's clients: `main` (commands, Queue, FlowProducer) and `events` (QueueEvents' blocking reads), a
 * watchdog, and `guard` to race any promise against the watchdog and a deadline.
 */
export class CoordinatorRedis {
  readonly address: string;
  readonly main: RedisClient;
  readonly events: RedisClient;
  private lastError: Error | null = null;
  /** Set once a client has given up reconnecting; every pending and later guard() rejects with it. */
  private failure: Error | null = null;
  /**
   * The pending guards' rejecters. A Set, not a promise every guard races: a race would keep a reaction — and the
   * value it settled with, megabytes of statistics — attached to a promise that never settles, for every command.
   */
  private readonly waiters = new Set<(e: Error) => void>();
  private closed = false;

  constructor(
    Redis: RedisClass,
    c: RedisConnection,
    private readonly t: CoordinatorTimeouts,
  ) {
    this.address = addressOf(c);
    const common = { lazyConnect: true, connectTimeout: t.connect, retryStrategy: reconnect };
    this.main = client(Redis, c, {
      ...common,
      commandTimeout: t.command,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    // blocking reads (XREAD BLOCK) need no per-command limit, and a command timeout would cut them
    this.events = client(Redis, c, { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true });
    for (const r of [this.main, this.events]) {
      r.on('error', (e: Error) => {
        this.lastError = e;
      });
      r.on('end', () => {
        if (this.closed || this.failure) return;
        this.failure = this.unavailable('the connection was lost and could not be re-established');
        for (const w of [...this.waiters]) w(this.failure);
      });
    }
  }

  /** The error for an unreachable Redis, naming the address and ioredis' last reported cause. */
  unavailable(what: string): RedisUnavailableError {
    const cause = this.lastError ? `: ${this.lastError.message}` : '';
    return new RedisUnavailableError(this.address, `Redis at ${this.address} is unavailable — ${what}${cause}`);
  }

  /** Connects both clients and PINGs, within the connect timeout. */
  async open(): Promise<void> {
    const ping = (async () => {
      await Promise.all([this.main.connect(), this.events.connect()]);
      await this.main.ping();
    })();
    ping.catch(() => {});
    try {
      await this.guard(ping, this.t.connect, () =>
        this.unavailable(`no answer within ${this.t.connect} ms (connectTimeout)`),
      );
    } catch (e) {
      if (e instanceof RedisUnavailableError) throw e;
      throw this.unavailable(`cannot connect (${(e as Error).message})`);
    }
  }

  /** Calls `fn` once if the connection is lost (at once if it already was); returns the unsubscribe function. */
  onLost(fn: (e: Error) => void): () => void {
    if (this.failure) {
      fn(this.failure);
      return () => {};
    }
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  /** `p`, unless the connection is lost first or `ms` pass (then `onTimeout()` is thrown). */
  guard<T>(p: Promise<T>, ms?: number, onTimeout?: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const off = this.onLost(reject);
      const done = (): void => {
        off();
        clearTimeout(timer);
      };
      if (ms !== undefined) {
        timer = setTimeout(() => {
          done();
          reject(onTimeout ? onTimeout() : new Error(`no answer within ${ms} ms`));
        }, ms);
      }
      p.then(
        (v) => {
          done();
          resolve(v);
        },
        (e: unknown) => {
          done();
          reject(e);
        },
      );
    });
  }

  /** Disconnects both clients at once (a QUIT through a dead connection would hang). */
  close(): void {
    this.closed = true;
    this.main.disconnect();
    this.events.disconnect();
  }
}
