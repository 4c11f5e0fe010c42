/**
 * startWorker's process: two BullMQ Workers — per-shard jobs ('estep' queue: survey, sample, E-step, worst rows) and
 * the parents that merge a request's statistics ('merge' queue) — until its signal is aborted.
 *
 * The BullMQ processors run on this event loop and do only I/O: a shard's job goes to an E-step thread
 * (thread-pool.ts), so reading, parsing and the kernels never block the loop that renews the job's lock (a blocked
 * loop loses the lock and the job is declared stalled; notes §4.3). Results go to Redis under their own keys as
 * packed binary; jobs return only their size. An error a retry cannot fix (a gaussmix error: bad data, a bad
 * option) is stored with the job's key and ends the job at once (UnrecoverableError); any other is retried.
 */
import { GaussianMixtureError } from '../../api/errors.js';
import { errorToPayload } from '../workers/wire.js';
import { worker as bullWorker, closeAll, type JobLike, type WorkerLike } from './bull.js';
import { loadDeps, type RedisClient } from './deps.js';
import { JOB_FORMAT, type MergeJob, type ShardJob } from './jobs.js';
import { MERGE_QUEUE, SHARD_QUEUE } from './keys.js';
import { mergeStats } from './merge.js';
import { client, type RedisConnection } from './redis.js';
import { ShardCache } from './shard-cache.js';
import type { ThreadTaskInput } from './thread-messages.js';
import { ThreadPool } from './thread-pool.js';

export interface WorkerSettings {
  connection: RedisConnection;
  prefix: string;
  concurrency: number;
  cacheBytes: number;
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
  signal: AbortSignal | null;
  onError: (e: Error) => void;
  onReady: (() => void) | null;
}

/** How long a stopping worker waits for its running jobs. */
const STOP_MS = 60_000;

const toBytes = (b: Buffer | null): Uint8Array | null =>
  b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : null;
const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** The packed parameters of a request, fetched once per process (the last few requests' are kept). */
class ParamsCache {
  private readonly params = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly redis: RedisClient) {}

  get(key: string): Promise<Uint8Array> {
    let p = this.params.get(key);
    if (!p) {
      p = this.redis.getBuffer(key).then((b) => {
        if (!b) throw new Error(`the parameters ${key} are gone (expired or deleted)`);
        return new Uint8Array(b); // a private, aligned copy
      });
      p.catch(() => this.params.delete(key));
      this.params.set(key, p);
      if (this.params.size > 4) this.params.delete(this.params.keys().next().value!);
    }
    return p;
  }
}

/** The two BullMQ processors of a worker process, over its Redis client, E-step threads and shard cache. */
class Processors {
  private readonly params: ParamsCache;

  constructor(
    private readonly redis: RedisClient,
    private readonly pool: ThreadPool,
    private readonly cache: ShardCache,
    private readonly Unrecoverable: new (message: string) => Error,
  ) {
    this.params = new ParamsCache(redis);
  }

  private checkFormat(v: unknown): void {
    if (v !== JOB_FORMAT)
      throw new this.Unrecoverable(
        `job format ${String(v)} is not this worker's (${JOB_FORMAT}): run the same gaussmix version everywhere`,
      );
  }

  /** What the E-step thread is to do for a shard's job (`cached`: the rows this process kept, if any). */
  private async task(d: ShardJob, cached: ReturnType<ShardCache['get']>): Promise<ThreadTaskInput> {
    const base = {
      ref: d.ref,
      csv: d.csv,
      blockRows: d.blockRows,
      cached,
      keepBytes: cached ? 0 : this.cache.budget,
      expect: d.expect,
    };
    if (d.kind === 'survey') return { ...base, task: 'survey', k: d.k! };
    if (d.kind === 'sample') return { ...base, task: 'sample', indices: d.indices! };
    const p = await this.params.get(d.paramsKey!);
    const common = { ...base, params: p, hash: d.hash!, wScale: d.wScale!, backend: d.backend! };
    return d.kind === 'estep'
      ? { ...common, task: 'estep', hard: d.hard! }
      : { ...common, task: 'worst', count: d.count! };
  }

  /** A shard's job: run on an E-step thread, its result SET under the job's key (its size is the return value). */
  readonly shardJob = async (job: JobLike): Promise<unknown> => {
    const d = job.data as ShardJob;
    this.checkFormat(d?.v);
    try {
      const key = JSON.stringify([d.ref, d.csv, d.blockRows]);
      const r = await this.pool.run(await this.task(d, this.cache.get(key, d.expect)), d.jobTimeout);
      if (r.kept) this.cache.put(key, r.kept);
      const bytes = d.kind === 'survey' ? Buffer.from(JSON.stringify(r.value)) : toBuffer(r.value as Uint8Array);
      await this.redis.set(d.resultKey, bytes, 'PX', d.ttl);
      return { bytes: bytes.byteLength, backend: r.backend };
    } catch (e) {
      await this.redis.set(d.errorKey, JSON.stringify(errorToPayload(e)), 'PX', d.ttl).catch(() => {});
      if (e instanceof GaussianMixtureError) throw new this.Unrecoverable(e.message);
      throw e;
    }
  };

  /** A request's parent job: the shards' statistics added in shard order, SET under the merged key. */
  readonly mergeJob = async (job: JobLike): Promise<unknown> => {
    const d = job.data as MergeJob;
    this.checkFormat(d?.v);
    if (d.kind !== 'estep' || !d.mergedKey) return { bytes: 0 }; // the coordinator reads the shards' results itself
    const parts = (await this.redis.mgetBuffer(...d.resultKeys)).map(toBytes);
    const missing = parts.indexOf(null);
    if (missing >= 0)
      throw new this.Unrecoverable(`the statistics ${d.resultKeys[missing]} are gone (expired or deleted)`);
    let merged: Uint8Array;
    try {
      merged = mergeStats(parts as Uint8Array[], d.hash);
    } catch (e) {
      throw new this.Unrecoverable((e as Error).message);
    }
    await this.redis.set(d.mergedKey, toBuffer(merged), 'PX', d.ttl);
    return { bytes: merged.byteLength };
  };
}

/** Resolves when `signal` aborts (never without one). */
const abortedBy = (signal: AbortSignal | null): Promise<void> =>
  new Promise<void>((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** Serves jobs until `signal` aborts; resolves once the running jobs finished and everything is closed. */
export async function runWorker(s: WorkerSettings): Promise<void> {
  const deps = await loadDeps();
  // BullMQ workers need maxRetriesPerRequest: null; ioredis' default reconnects forever, so the worker outlives a
  // Redis restart and resumes
  const redis = client(deps.Redis, s.connection, { maxRetriesPerRequest: null });
  redis.on('error', s.onError);
  const pool = new ThreadPool(s.concurrency);
  const jobs = new Processors(redis, pool, new ShardCache(s.cacheBytes), deps.bullmq.UnrecoverableError);
  const settings = {
    lockDuration: s.lockDuration,
    stalledInterval: s.stalledInterval,
    maxStalledCount: s.maxStalledCount,
    name: `gaussmix-${process.pid}`,
  };
  const workers: WorkerLike[] = [];
  try {
    workers.push(
      bullWorker(deps, SHARD_QUEUE, s.prefix, redis, jobs.shardJob, { ...settings, concurrency: s.concurrency }),
    );
    workers.push(bullWorker(deps, MERGE_QUEUE, s.prefix, redis, jobs.mergeJob, { ...settings, concurrency: 2 }));
    for (const w of workers) w.on('error', s.onError);
    const stopped = abortedBy(s.signal);
    await Promise.race([Promise.all(workers.map((w) => w.waitUntilReady())), stopped]);
    if (!s.signal?.aborted) s.onReady?.();
    await stopped;
  } finally {
    // close() lets running jobs finish; after STOP_MS (or if Redis is down: close() then hangs) the threads are
    // stopped and their jobs, no longer renewed, are re-run by other workers
    await closeAll(workers, STOP_MS);
    await pool.close();
    redis.disconnect();
  }
}
