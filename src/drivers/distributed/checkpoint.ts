/**
 * Resuming a fit after its coordinator died: a reply log. Every distributed request the coordinator makes (the
 * survey, the sample, each E-step and worst-rows pass) is numbered in the order the algorithm asks for it, and its
 * reply — the exact bytes the merge produced — is stored under the checkpoint as it completes. A restarted
 * coordinator with the same checkpoint name, options and shards runs the same algorithm again from the start and
 * answers every logged request from Redis (M-steps only, cheap) until it reaches the first unlogged one, which it
 * sends to the workers again (re-adding a flow with the same job ids is idempotent in BullMQ). The EM loop needs no
 * state of its own saved, and the result is bit for bit the one an uninterrupted fit gives.
 *
 * Beside the log, the meta record keeps the last iteration (restart, iteration, lower bound) and the key `params`
 * the parameters of the last E-step, updated every iteration; once the fit is done, the meta keeps its result (so
 * running it again returns at once) and the log is deleted. A lock (SET NX PX, renewed) keeps two coordinators
 * from running the same checkpoint.
 */
import { CheckpointError } from './errors.js';
import type { CheckpointKeys } from './keys.js';
import type { CoordinatorRedis } from './redis.js';

export interface IterationRecord {
  init: number;
  iter: number;
  lowerBound: number;
  change: number;
}

interface Meta {
  format: 'gaussmix-checkpoint';
  version: 1;
  /** The fit's identity (fitIdentity). */
  fit: string;
  /** Requests 0 … replies − 1 are logged. */
  replies: number;
  iteration: IterationRecord | null;
  /** The finished fit's result (JSON-safe), or null. */
  result: unknown;
  updated: string;
}

/** Lua: extend the lock only if we still hold it. */
const RENEW =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
/** Lua: delete the lock only if we still hold it. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Checkpoint {
  private meta: Meta;
  private renewal: ReturnType<typeof setInterval> | null = null;
  private lockLost: Error | null = null;

  private constructor(
    private readonly redis: CoordinatorRedis,
    readonly keys: CheckpointKeys,
    private readonly ttlMs: number,
    meta: Meta,
    /** Replies logged when this coordinator started (0 for a new checkpoint). */
    readonly resumedAt: number,
    private readonly owner: string,
  ) {
    this.meta = meta;
  }

  /**
   * Takes the lock (waiting up to `lockMs` + 1 s for a dead coordinator's lock to expire), then reads the meta
   * record: a new checkpoint starts empty; one of another fit is refused.
   */
  static async open(
    redis: CoordinatorRedis,
    keys: CheckpointKeys,
    fit: string,
    o: { ttlMs: number; lockMs: number },
  ): Promise<Checkpoint> {
    const owner = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const until = Date.now() + o.lockMs + 1000;
    for (;;) {
      const got = await redis.guard(redis.main.set(keys.lock, owner, 'PX', o.lockMs, 'NX'));
      if (got === 'OK') break;
      if (Date.now() > until) {
        throw new CheckpointError(
          keys.name,
          `checkpoint '${keys.name}' is in use by another running coordinator (its lock at ${keys.lock} is being renewed); ` +
            `wait for it to finish, or use another checkpoint name`,
        );
      }
      await sleep(Math.min(250, o.lockMs / 4));
    }
    let meta: Meta;
    try {
      const text = await redis.guard(redis.main.get(keys.meta));
      meta = text === null ? fresh(fit) : parseMeta(text, keys.name);
      if (meta.fit !== fit) {
        throw new CheckpointError(
          keys.name,
          `checkpoint '${keys.name}' belongs to another fit (its options, shards or warm start differ from these); ` +
            'use another checkpoint name, or delete the old one with deleteCheckpoint()',
        );
      }
    } catch (e) {
      await redis.main.eval(RELEASE, 1, keys.lock, owner).catch(() => {});
      throw e;
    }
    const ck = new Checkpoint(redis, keys, o.ttlMs, meta, meta.replies, owner);
    ck.renewal = setInterval(() => ck.renew(o.lockMs), Math.max(100, Math.floor(o.lockMs / 3)));
    ck.renewal.unref?.();
    return ck;
  }

  private renew(lockMs: number): void {
    this.redis.main.eval(RENEW, 1, this.keys.lock, this.owner, lockMs).then(
      (r) => {
        if (r === 0) {
          this.lockLost ??= new CheckpointError(
            this.keys.name,
            `lost the lock of checkpoint '${this.keys.name}' (this coordinator was stalled longer than its ${lockMs} ms lock, and another one may have taken over)`,
          );
        }
      },
      () => {}, // a connection problem is the watchdog's to report
    );
  }

  /** Throws if the lock was lost (another coordinator may be writing the log). */
  check(): void {
    if (this.lockLost) throw this.lockLost;
  }

  /** The finished fit's stored result, or null. */
  get result(): unknown {
    return this.meta.result;
  }

  /** The logged reply to request n, or null if it was not logged. */
  async reply(n: number): Promise<Uint8Array | null> {
    if (n >= this.meta.replies) return null;
    const bytes = await this.redis.guard(this.redis.main.getBuffer(this.keys.reply(n)));
    if (!bytes) {
      throw new CheckpointError(
        this.keys.name,
        `checkpoint '${this.keys.name}' lacks its reply ${n} (expired or deleted): delete the checkpoint and start again`,
      );
    }
    return bytes;
  }

  /** Logs the reply to request n (the next one) together with the meta record, atomically. */
  async log(n: number, reply: Uint8Array, params: Uint8Array | null): Promise<void> {
    this.check();
    if (n !== this.meta.replies) throw new Error(`gaussmix: reply ${n} logged after ${this.meta.replies} replies`);
    const meta: Meta = { ...this.meta, replies: n + 1, updated: new Date().toISOString() };
    const m = this.redis.main.multi();
    m.set(this.keys.reply(n), Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength), 'PX', this.ttlMs);
    if (params)
      m.set(this.keys.params, Buffer.from(params.buffer, params.byteOffset, params.byteLength), 'PX', this.ttlMs);
    m.set(this.keys.meta, JSON.stringify(meta), 'PX', this.ttlMs);
    await this.redis.guard(m.exec());
    this.meta = meta;
  }

  /** Records the iteration just finished (observability: the resume itself needs only the log). */
  async iteration(info: IterationRecord): Promise<void> {
    this.check();
    this.meta = { ...this.meta, iteration: info, updated: new Date().toISOString() };
    await this.redis.guard(this.redis.main.set(this.keys.meta, JSON.stringify(this.meta), 'PX', this.ttlMs));
  }

  /** Stores the result and deletes the log (a later run with this checkpoint returns the result at once). */
  async finish(result: unknown): Promise<void> {
    this.check();
    const meta: Meta = { ...this.meta, result, updated: new Date().toISOString() };
    const m = this.redis.main.multi();
    m.set(this.keys.meta, JSON.stringify(meta), 'PX', this.ttlMs);
    for (let n = 0; n < this.meta.replies; n++) m.del(this.keys.reply(n));
    await this.redis.guard(m.exec());
    this.meta = meta;
  }

  /** Stops renewing and releases the lock (best effort: an expired lock releases itself). */
  async close(): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
    await this.redis.guard(this.redis.main.eval(RELEASE, 1, this.keys.lock, this.owner), 1000).catch(() => {});
  }
}

function fresh(fit: string): Meta {
  return {
    format: 'gaussmix-checkpoint',
    version: 1,
    fit,
    replies: 0,
    iteration: null,
    result: null,
    updated: new Date().toISOString(),
  };
}

function parseMeta(text: string, name: string): Meta {
  let m: Meta;
  try {
    m = JSON.parse(text) as Meta;
  } catch {
    m = null as unknown as Meta;
  }
  if (m?.format !== 'gaussmix-checkpoint' || !Number.isInteger(m.replies) || typeof m.fit !== 'string') {
    throw new CheckpointError(name, `checkpoint '${name}' is not a gaussmix checkpoint (malformed meta record)`);
  }
  if (m.version !== 1)
    throw new CheckpointError(name, `checkpoint '${name}' has format version ${m.version}; this build reads version 1`);
  return m;
}

/** Deletes every key of a checkpoint (its log, meta, parameters; not a running coordinator's lock). */
export async function deleteCheckpointKeys(redis: CoordinatorRedis, keys: CheckpointKeys): Promise<number> {
  let removed = 0;
  let cursor = '0';
  const pattern = `${keys.meta.slice(0, -':meta'.length)}:*`;
  do {
    const [next, found] = await redis.guard(redis.main.scan(cursor, 'MATCH', pattern, 'COUNT', 1000));
    cursor = next;
    const mine = found.filter((k) => k !== keys.lock);
    if (mine.length) removed += await redis.guard(redis.main.del(...mine));
  } while (cursor !== '0');
  return removed;
}

/** Everything that decides a fit's result, in a canonical form (functions dropped, typed arrays as arrays). */
export interface FitInputs {
  options: object;
  warmStart: object | null;
  shards: unknown[];
  csv: object;
  blockRows: number;
  initSampleSize: number;
  /** The coordinator's backend (initialisation runs there). */
  backend: string;
}

const NODE_CRYPTO = 'node:crypto';

/** The fit's identity: SHA-256 of its inputs, so a checkpoint is only ever resumed by the same fit. */
export async function fitIdentity(inputs: FitInputs): Promise<string> {
  const text = JSON.stringify({ format: 1, ...inputs }, (_key, v: unknown) => {
    if (typeof v === 'function') return undefined;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
  const { createHash } = (await import(/* @vite-ignore */ NODE_CRYPTO)) as typeof import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}
