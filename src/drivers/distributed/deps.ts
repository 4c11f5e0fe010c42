/**
 * BullMQ and ioredis, loaded on first use: they are optional peer dependencies of the package (library-only users
 * never install them), and importing gaussmix — or even gaussmix/distributed — must not load them. A missing one
 * is an error that says what to install.
 */
import { GaussianMixtureError } from '../../api/errors.js';

export type BullMQ = typeof import('bullmq');
export type RedisClass = typeof import('ioredis').Redis;
export type RedisClient = import('ioredis').Redis;
export type RedisOptions = import('ioredis').RedisOptions;

export interface Deps {
  bullmq: BullMQ;
  Redis: RedisClass;
}

// Variable specifiers: bundlers must not try to resolve (or inline) them.
const BULLMQ = 'bullmq';
const IOREDIS = 'ioredis';
let loading: Promise<Deps> | null = null;

async function load(): Promise<Deps> {
  const fail = (e: unknown): never => {
    throw new GaussianMixtureError(
      `gaussmix/distributed needs the optional packages bullmq (^6.7) and ioredis (^5.9 or ^6): npm install bullmq ioredis ` +
        `(${(e as Error).message})`,
    );
  };
  const ioredis = (await import(/* @vite-ignore */ IOREDIS).catch(fail)) as {
    Redis?: RedisClass;
    default?: RedisClass;
  };
  const bullmq = (await import(/* @vite-ignore */ BULLMQ).catch(fail)) as BullMQ & { default?: BullMQ };
  const Redis = ioredis.Redis ?? ioredis.default;
  const bull = typeof bullmq.FlowProducer === 'function' ? bullmq : bullmq.default;
  if (typeof Redis !== 'function' || !bull || typeof bull.FlowProducer !== 'function') {
    fail(new Error('the installed packages do not export Redis / FlowProducer'));
  }
  return { bullmq: bull!, Redis: Redis! };
}

/** BullMQ and ioredis (imported once). */
export function loadDeps(): Promise<Deps> {
  loading ??= load();
  loading.catch(() => {
    loading = null; // let a later call retry (e.g. after installing)
  });
  return loading;
}
