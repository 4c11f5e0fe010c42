/**
 * One distributed request on the coordinator: a BullMQ flow — a parent job on the 'merge' queue over one child job
 * per shard on the 'estep' queue — added, waited for, and read back; then removed. The parent runs only after every
 * child completed; a child that fails for good fails the parent (failParentOnFailure), and the fit fails with a
 * ShardError naming the shard and the cause its worker stored.
 *
 * Waiting never uses Job.waitUntilFinished (it can crash the process when Redis drops; notes §7): QueueEvents for
 * promptness, a state poll every second as a safety net, the Redis watchdog, the deadline and the abort signal.
 * Re-adding a flow with the same job ids is idempotent, which is what lets a restarted coordinator resume a request
 * its predecessor had started; a failed flow is removed first (a restart is a deliberate retry).
 */
import { abortReason } from '../async.js';
import { payloadToError } from '../workers/wire.js';
import type { ErrorPayload } from '../workers/messages.js';
import {
  closeAll,
  flowProducer,
  queue,
  queueEvents,
  type FlowProducerLike,
  type QueueEventsLike,
  type QueueLike,
} from './bull.js';
import type { Deps } from './deps.js';
import { DistributedTimeoutError, ShardError } from './errors.js';
import { JOB_FORMAT, type MergeJob, type RequestKind, type ShardJob } from './jobs.js';
import { MERGE_QUEUE, SHARD_QUEUE, type FitKeys } from './keys.js';
import type { CoordinatorRedis } from './redis.js';
import { shardLabel, type ShardRef } from './shards.js';
import type { ShardCsvOptions } from './shard-reader.js';

export interface RequestSettings {
  prefix: string;
  shards: ShardRef[];
  csv: ShardCsvOptions;
  blockRows: number;
  attempts: number;
  /** Per attempt of a shard's job (ms). */
  jobTimeout: number;
  /** Milliseconds the request's keys and finished jobs live. */
  ttl: number;
  signal: AbortSignal | null;
}

/** What one request asks of each shard it involves (the rest of the job data is common). */
export interface ShardPart {
  shard: number;
  job: Partial<ShardJob>;
}

/** Timings (ms) and sizes (bytes) of one request, for onRequest. */
export interface RequestInfo {
  /** The request's number within the fit (0: survey, 1: sample, then the algorithm's requests). */
  n: number;
  kind: RequestKind;
  shards: number;
  /** Publishing the parameters and adding the flow. */
  publishMs: number;
  /** From the flow's addition to the parent's completion. */
  waitMs: number;
  /** Reading the result(s). */
  readMs: number;
  /** Bytes of the published parameters, and read back by the coordinator (merged statistics, or every result). */
  paramsBytes: number;
  readBytes: number;
  /** True when the reply came from the checkpoint's log (no jobs ran). */
  replayed: boolean;
}

const POLL_MS = 1000;
const BACKOFF_MS = 500;

/** A completed request whose results are gone or answer another request (a restart long after, stale keys). */
export class StaleResultError extends Error {
  constructor(message: string) {
    super(`gaussmix: ${message}`);
    this.name = 'StaleResultError';
  }
}

const toBytes = (b: Buffer | null): Uint8Array | null =>
  b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : null;

export class Requests {
  private constructor(
    private readonly redis: CoordinatorRedis,
    private readonly keys: FitKeys,
    private readonly s: RequestSettings,
    private readonly shardQueue: QueueLike,
    private readonly mergeQueue: QueueLike,
    private readonly flow: FlowProducerLike,
    private readonly events: QueueEventsLike,
  ) {}

  static async open(deps: Deps, redis: CoordinatorRedis, keys: FitKeys, s: RequestSettings): Promise<Requests> {
    const events = queueEvents(deps, MERGE_QUEUE, s.prefix, redis.events);
    const r = new Requests(
      redis,
      keys,
      s,
      queue(deps, SHARD_QUEUE, s.prefix, redis.main),
      queue(deps, MERGE_QUEUE, s.prefix, redis.main),
      flowProducer(deps, s.prefix, redis.main),
      events,
    );
    try {
      await redis.guard(events.waitUntilReady(), 10_000, () =>
        redis.unavailable('QueueEvents did not become ready within 10 s'),
      );
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  async close(): Promise<void> {
    await closeAll([this.events, this.flow, this.shardQueue, this.mergeQueue]);
  }

  private job(n: number, kind: RequestKind, p: ShardPart): ShardJob {
    const { s, keys } = this;
    return {
      v: JOB_FORMAT,
      kind,
      shard: p.shard,
      ref: s.shards[p.shard],
      csv: s.csv,
      blockRows: s.blockRows,
      resultKey: keys.result(n, p.shard),
      errorKey: keys.error(n, p.shard),
      jobTimeout: s.jobTimeout,
      ttl: s.ttl,
      expect: null,
      ...p.job,
    };
  }

  /** The BullMQ flow of request n: a parent on the merge queue, one child per shard (ids fixed: re-adding is a no-op). */
  private flowOf(
    n: number,
    kind: RequestKind,
    parts: ShardPart[],
    hash: number,
    withParams: boolean,
    merged: string | null,
  ) {
    const { keys } = this;
    const ttlSeconds = Math.ceil(this.s.ttl / 1000);
    return {
      name: kind,
      queueName: MERGE_QUEUE,
      data: {
        v: JOB_FORMAT,
        kind,
        resultKeys: parts.map((p) => keys.result(n, p.shard)),
        mergedKey: merged,
        hash,
        ttl: this.s.ttl,
      } satisfies MergeJob,
      opts: { jobId: keys.parentId(n), removeOnComplete: { age: ttlSeconds }, removeOnFail: { age: ttlSeconds } },
      children: parts.map((p) => ({
        name: kind,
        queueName: SHARD_QUEUE,
        data: this.job(n, kind, {
          shard: p.shard,
          job: { ...p.job, ...(withParams ? { paramsKey: keys.params(n), hash } : {}) },
        }),
        opts: {
          jobId: keys.childId(n, p.shard),
          attempts: this.s.attempts,
          backoff: { type: 'exponential', delay: BACKOFF_MS },
          failParentOnFailure: true,
          removeOnComplete: { age: ttlSeconds },
          removeOnFail: { age: ttlSeconds },
        },
      })),
    };
  }

  /**
   * Runs request n over `parts`; resolves with the merged statistics (kind 'estep') or the shards' results in the
   * order of `parts`. `params` is published under the request's key first.
   */
  async run(
    n: number,
    kind: RequestKind,
    parts: ShardPart[],
    hash: number,
    params: Uint8Array | null,
    info: (i: RequestInfo) => void,
  ): Promise<Uint8Array[]> {
    const t0 = performance.now();
    const { keys, redis } = this;
    const id = keys.parentId(n);
    if (params) {
      await redis.guard(
        redis.main.set(
          keys.params(n),
          Buffer.from(params.buffer, params.byteOffset, params.byteLength),
          'PX',
          this.s.ttl,
        ),
      );
    }
    // a flow left failed by a dead coordinator is removed first: a restart is a deliberate retry
    if ((await redis.guard(this.mergeQueue.getJobState(id))) === 'failed') {
      await redis.guard(this.mergeQueue.remove(id, { removeChildren: true }));
    }
    const merged = kind === 'estep' ? keys.merged(n) : null;
    const flow = this.flowOf(n, kind, parts, hash, params !== null, merged);
    let t1 = t0;
    const outcome = await this.waitFor(
      id,
      async () => {
        await redis.guard(this.flow.add(flow));
        t1 = performance.now();
      },
      parts,
      n,
    );
    const t2 = performance.now();
    if (outcome === 'failed') throw await this.failure(n, parts);
    const readKeys = merged ? [merged] : parts.map((p) => keys.result(n, p.shard));
    const got = (await redis.guard(redis.main.mgetBuffer(...readKeys))).map(toBytes);
    const missing = got.indexOf(null);
    if (missing >= 0)
      throw new StaleResultError(`the result ${readKeys[missing]} of request ${n} is gone (expired or deleted)`);
    const t3 = performance.now();
    info({
      n,
      kind,
      shards: parts.length,
      publishMs: t1 - t0,
      waitMs: t2 - t1,
      readMs: t3 - t2,
      paramsBytes: params?.byteLength ?? 0,
      readBytes: got.reduce((a, b) => a + b!.byteLength, 0),
      replayed: false,
    });
    return got as Uint8Array[];
  }

  private waitFor(
    id: string,
    add: () => Promise<unknown>,
    parts: ShardPart[],
    n: number,
  ): Promise<'completed' | 'failed'> {
    const { redis, events, s } = this;
    const deadline = s.jobTimeout * s.attempts + 60_000;
    return new Promise((resolve, reject) => {
      let poll: ReturnType<typeof setInterval> | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const cleanups: (() => void)[] = [];
      const finish = (f: () => void): void => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        clearInterval(poll);
        clearTimeout(timer);
        events.off('completed', onCompleted);
        events.off('failed', onFailed);
        s.signal?.removeEventListener('abort', onAbort);
        f();
      };
      const onCompleted = (e: { jobId: string }): void => {
        if (e.jobId === id) finish(() => resolve('completed'));
      };
      const onFailed = (e: { jobId: string }): void => {
        if (e.jobId === id) finish(() => resolve('failed'));
      };
      const onAbort = (): void => finish(() => reject(abortReason(s.signal!)));
      const check = (): void => {
        this.mergeQueue.getJobState(id).then(
          (state) => {
            if (state === 'completed' || state === 'failed') finish(() => resolve(state));
          },
          () => {}, // a failed poll is not an answer: the watchdog decides about the connection
        );
      };
      events.on('completed', onCompleted);
      events.on('failed', onFailed);
      s.signal?.addEventListener('abort', onAbort, { once: true });
      if (s.signal?.aborted) return onAbort();
      const off = redis.onLost((e) => finish(() => reject(e)));
      cleanups.push(off);
      add().then(
        () => {
          if (settled) return; // aborted or lost while adding: no poll or deadline to start
          check();
          poll = setInterval(check, POLL_MS);
          timer = setTimeout(() => {
            this.timeout(n, parts, deadline).then(
              (e) => finish(() => reject(e)),
              (e: unknown) => finish(() => reject(e)),
            );
          }, deadline);
        },
        (e: unknown) => finish(() => reject(e)),
      );
    });
  }

  /** The error for a request past its deadline, naming the shards whose jobs are not done and their states. */
  private async timeout(n: number, parts: ShardPart[], ms: number): Promise<DistributedTimeoutError> {
    const states = await Promise.all(
      parts.map((p) => this.shardQueue.getJobState(this.keys.childId(n, p.shard)).catch(() => 'unknown')),
    );
    const open = parts.map((p, i) => ({ shard: p.shard, state: states[i] })).filter((x) => x.state !== 'completed');
    const waiting = open.some((x) => x.state === 'waiting' || x.state === 'prioritized');
    const list = open
      .slice(0, 10)
      .map((x) => `${x.shard} (${x.state})`)
      .join(', ');
    return new DistributedTimeoutError(
      open.map((x) => x.shard),
      `request ${n} did not finish within ${ms} ms (jobTimeout × attempts + 60 s): shards ${list}${open.length > 10 ? ', …' : ''} are not done` +
        (waiting
          ? ' — jobs still waiting: is a worker (gaussmix worker / startWorker) running on this Redis and prefix?'
          : ''),
    );
  }

  /** The ShardError of the first shard whose job failed for good, with the cause its worker stored. */
  private async failure(n: number, parts: ShardPart[]): Promise<Error> {
    const { redis, keys } = this;
    for (const p of parts) {
      const job = await redis.guard(this.shardQueue.getJob(keys.childId(n, p.shard)));
      if (!job || (await redis.guard(this.shardQueue.getJobState(keys.childId(n, p.shard)))) !== 'failed') continue;
      const stored = await redis.guard(redis.main.get(keys.error(n, p.shard)));
      let cause: Error;
      try {
        cause = stored
          ? payloadToError(JSON.parse(stored) as ErrorPayload)
          : new Error(job.failedReason ?? 'unknown error');
      } catch {
        cause = new Error(job.failedReason ?? 'unknown error');
      }
      // a stall limit or a timeout has no stored error of its own: BullMQ's reason is the cause
      if (stored && job.failedReason && !job.failedReason.includes(cause.message)) cause = new Error(job.failedReason);
      return new ShardError(p.shard, shardLabel(this.s.shards[p.shard]), job.attemptsMade, cause);
    }
    const parent = await redis.guard(this.mergeQueue.getJob(keys.parentId(n)));
    return new Error(`gaussmix: request ${n} failed in its merge job: ${parent?.failedReason ?? 'unknown reason'}`);
  }

  /** Removes request n's jobs and keys (best effort: finished jobs also expire on their own). */
  async cleanup(n: number, parts: ShardPart[]): Promise<void> {
    const { redis, keys } = this;
    await redis.guard(this.mergeQueue.remove(keys.parentId(n), { removeChildren: true })).catch(() => 0);
    const del = [
      keys.params(n),
      keys.merged(n),
      ...parts.flatMap((p) => [keys.result(n, p.shard), keys.error(n, p.shard)]),
    ];
    await redis.guard(redis.main.del(...del)).catch(() => 0);
  }
}
