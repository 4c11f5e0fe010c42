/**
 * The API of gaussmix/distributed (a separate entry point, so library-only users never load BullMQ):
 *  - fitDistributed: fits a GaussianMixture by EM over shards of data that live where the workers are;
 *  - startWorker: serves the shards' jobs on this machine until stopped;
 *  - deleteCheckpoint: removes a checkpoint's keys.
 * Options go through the one option kit (options.ts); the work is done by drivers/distributed/.
 */
import { getBackend } from '../backends/index.js';
import { Coordinator } from '../drivers/distributed/coordinator.js';
import { deleteCheckpointKeys, fitIdentity } from '../drivers/distributed/checkpoint.js';
import { loadDeps } from '../drivers/distributed/deps.js';
import { CHECKPOINT_NAME, CheckpointKeys } from '../drivers/distributed/keys.js';
import { CoordinatorRedis } from '../drivers/distributed/redis.js';
import { checkShards, type ShardRef } from '../drivers/distributed/shards.js';
import { runWorker } from '../drivers/distributed/worker.js';
import { OptionError, quote } from './errors.js';
import { GaussianMixture } from './gaussian-mixture.js';
import {
  fitDistributedOptions,
  workerOptions,
  type CovarianceType,
  type FitDistributedOptions,
  type GaussianMixtureOptions,
  type RedisConnection,
  type WorkerOptions,
} from './options.js';

/**
 * A GaussianMixture (its options, and its parameters for a warm start) — also one made by another copy of the
 * library, as a CommonJS require('gaussmix') beside this module gives: it is recognised by its shape.
 */
function isModel<T extends CovarianceType>(v: GaussianMixture<T> | GaussianMixtureOptions<T>): v is GaussianMixture<T> {
  return (
    v instanceof GaussianMixture ||
    (typeof v === 'object' && v !== null && typeof (v as { fitWith?: unknown }).fitWith === 'function')
  );
}

/** The warm start's parameters as the fit's identity sees them (null without one). */
function warmIdentity(gm: GaussianMixture): object | null {
  if (!gm.options.warmStart || !gm.isFitted) return null;
  return { weights: gm.weights, means: gm.means, precisionsCholesky: gm.precisionsCholesky, lowerBound: gm.lowerBound };
}

/**
 * Fits by EM over `shards` with the workers serving `options.connection` (see startWorker), and returns the fitted
 * model (`model` itself when a GaussianMixture is given, else a new one with these options). The result equals
 * fitStream over the same shards in the same order (to rounding: ~1e-15 relative), whatever the number of workers
 * and whichever of them died; with `checkpoint`, a coordinator restarted with the same name, options and shards
 * resumes and gives the identical result. Errors: OptionError, DataError (the data cannot be fitted, as fitStream),
 * ShardError (a shard failed for good), RedisUnavailableError, CheckpointError, DistributedTimeoutError, FitError.
 */
export async function fitDistributed<T extends CovarianceType = CovarianceType>(
  model: GaussianMixture<T> | GaussianMixtureOptions<T>,
  shards: readonly ShardRef[],
  options: FitDistributedOptions,
): Promise<GaussianMixture<T>> {
  if (!isModel(model) && typeof model === 'object' && model !== null) {
    // a class instance that is no GaussianMixture (a BayesianGaussianMixture, say) would otherwise be read as options
    const proto = Object.getPrototypeOf(model);
    if (proto !== Object.prototype && proto !== null) {
      throw new OptionError(
        'model',
        `fitDistributed fits a GaussianMixture by EM: give a GaussianMixture or its options, not a ${proto?.constructor?.name ?? 'class instance'}`,
      );
    }
  }
  const gm = isModel(model) ? model : new GaussianMixture<T>(model ?? {});
  const refs = checkShards(shards);
  const o = fitDistributedOptions(options);
  if (gm.options.missing === 'marginalize') {
    // the workers' tasks run the complete-data kernels only; the observed-value E-pass (drivers/local/observed.ts)
    // and the filled sample it initialises from are not wired into the shard tasks yet
    throw new OptionError(
      'missing',
      "missing: 'marginalize' is not supported by fitDistributed yet; use fit, fitAsync or fitStream for data with missing values",
    );
  }
  const { chunkRows, ...csv } = o.csv;
  const identity = await fitIdentity({
    options: gm.options,
    warmStart: warmIdentity(gm),
    shards: refs,
    csv,
    blockRows: chunkRows,
    initSampleSize: o.initSampleSize,
    backend: getBackend(gm.options.backend).name,
  });
  const coordinator = new Coordinator({
    connection: o.connection,
    prefix: o.prefix,
    shards: refs,
    csv,
    blockRows: chunkRows,
    initSampleSize: o.initSampleSize,
    attempts: o.attempts,
    jobTimeout: o.jobTimeout,
    checkpoint: o.checkpoint,
    checkpointTtl: o.checkpointTtl,
    lockMs: o.checkpointLock,
    connectTimeout: o.connectTimeout,
    commandTimeout: o.commandTimeout,
    signal: o.signal,
    onRequest: o.onRequest,
    identity,
  });
  await gm.fitWith(
    (plan) => coordinator.run(plan),
    'fitDistributed',
    (info) => {
      coordinator.iteration(info);
      o.onIteration?.(info);
    },
  );
  return gm;
}

/** Prints each distinct error message at most once per 5 s (a worker retrying a lost Redis reports every second). */
function stderrReporter(): (e: Error) => void {
  const last = new Map<string, number>();
  return (e) => {
    const now = Date.now();
    if ((last.get(e.message) ?? 0) > now - 5000) return;
    last.set(e.message, now);
    process.stderr.write(`gaussmix worker: ${e.message}\n`);
  };
}

const NODE_OS = 'node:os';

/**
 * Serves distributed jobs on this machine — the shards' E-steps on `concurrency` threads, and the merges — until
 * `signal` is aborted; resolves once the running jobs have finished. Every worker must be able to read every shard
 * (shared paths, URLs, or loader modules installed on it). Redis may come and go: the worker reconnects and resumes.
 */
export async function startWorker(options: WorkerOptions): Promise<void> {
  const o = workerOptions(options);
  const os = (await import(/* @vite-ignore */ NODE_OS)) as typeof import('node:os');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  await runWorker({
    connection: o.connection,
    prefix: o.prefix,
    concurrency: o.concurrency ?? Math.max(1, cores - 1),
    cacheBytes: o.cacheBytes ?? Math.floor(os.totalmem() / 4),
    lockDuration: o.lockDuration,
    stalledInterval: o.stalledInterval,
    maxStalledCount: o.maxStalledCount,
    signal: o.signal,
    onError: o.onError ?? stderrReporter(),
    onReady: o.onReady,
  });
}

/** Deletes a checkpoint's keys (not while a coordinator runs it); resolves to the number of keys removed. */
export async function deleteCheckpoint(
  target: { connection: RedisConnection; prefix?: string; connectTimeout?: number },
  name: string,
): Promise<number> {
  const o = fitDistributedOptions({
    connection: target?.connection,
    prefix: target?.prefix,
    connectTimeout: target?.connectTimeout,
  });
  if (typeof name !== 'string' || !CHECKPOINT_NAME.test(name)) {
    throw new OptionError(
      'checkpoint',
      `checkpoint must be a name of up to 64 characters of A-Z a-z 0-9 _ . -; got ${quote(name)}`,
    );
  }
  const deps = await loadDeps();
  const redis = new CoordinatorRedis(deps.Redis, o.connection, {
    connect: o.connectTimeout,
    command: o.commandTimeout,
  });
  try {
    await redis.open();
    return await deleteCheckpointKeys(redis, new CheckpointKeys(o.prefix, name));
  } finally {
    redis.close();
  }
}
