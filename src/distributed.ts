/**
 * The gaussmix/distributed entry point (Node): distributed EM on BullMQ + Redis — fitDistributed (the coordinator),
 * startWorker, deleteCheckpoint and their errors — with the build's artifacts handed to the library as src/index.ts
 * hands them (provideArtifacts), plus the E-step threads' script. BullMQ and ioredis are optional peer dependencies,
 * imported on first use (drivers/distributed/deps.ts): importing this module loads neither.
 */
import { threadSource } from '../build/distributed-thread-source.js';
import { provideArtifacts } from './artifacts.js';
import { installFull } from './full.js';
import { provideThreadSource } from './drivers/distributed/thread-pool.js';

provideArtifacts();
installFull();
provideThreadSource(threadSource);

export { fitDistributed, startWorker, deleteCheckpoint } from './api/distributed.js';
export {
  ShardError,
  RedisUnavailableError,
  CheckpointError,
  DistributedTimeoutError,
} from './drivers/distributed/errors.js';
export type { ShardRef, LoaderShard } from './drivers/distributed/shards.js';
export type { RequestInfo } from './drivers/distributed/requests.js';
export type {
  FitDistributedOptions,
  WorkerOptions,
  RedisConnection,
  ShardCsvOptions,
} from './api/options.js';
// The model and its errors, for CommonJS users (require('gaussmix') and require('gaussmix/distributed') are two
// copies of the library; the ES modules share one).
export * from './api/index.js';
