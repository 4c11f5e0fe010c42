/**
 * The few BullMQ objects and methods the driver uses, typed structurally (BullMQ's own generics change between
 * majors; these calls do not), and how they are made from gaussmix's own Redis clients.
 */
import type { Deps, RedisClient } from './deps.js';

export interface JobLike {
  id?: string;
  attemptsMade: number;
  failedReason?: string;
  returnvalue: unknown;
  data: unknown;
}

export interface QueueLike {
  getJobState(id: string): Promise<string>;
  getJob(id: string): Promise<JobLike | undefined>;
  remove(id: string, o?: { removeChildren?: boolean }): Promise<number>;
  close(): Promise<void>;
  on(ev: 'error', fn: (e: Error) => void): void;
}

export interface FlowProducerLike {
  add(flow: object): Promise<unknown>;
  close(): Promise<void>;
  on(ev: 'error', fn: (e: Error) => void): void;
}

export interface QueueEventsLike {
  on(ev: 'completed' | 'failed' | 'error' | 'stalled', fn: (a: { jobId: string; failedReason?: string }) => void): void;
  off(ev: 'completed' | 'failed', fn: (a: { jobId: string }) => void): void;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export interface WorkerLike {
  on(ev: 'error', fn: (e: Error) => void): void;
  on(ev: 'failed', fn: (job: JobLike | undefined, e: Error) => void): void;
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
}

export type Processor = (job: JobLike & { name: string }) => Promise<unknown>;

export interface WorkerSettings {
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
  name?: string;
}

const ignore = (): void => {};

export function queue(deps: Deps, name: string, prefix: string, connection: RedisClient): QueueLike {
  const q = new deps.bullmq.Queue(name, { connection, prefix }) as unknown as QueueLike;
  q.on('error', ignore); // connection errors reach the coordinator's watchdog
  return q;
}

export function flowProducer(deps: Deps, prefix: string, connection: RedisClient): FlowProducerLike {
  const f = new deps.bullmq.FlowProducer({ connection, prefix }) as unknown as FlowProducerLike;
  f.on('error', ignore);
  return f;
}

export function queueEvents(deps: Deps, name: string, prefix: string, connection: RedisClient): QueueEventsLike {
  const e = new deps.bullmq.QueueEvents(name, { connection, prefix }) as unknown as QueueEventsLike;
  e.on('error', ignore);
  return e;
}

export function worker(
  deps: Deps,
  name: string,
  prefix: string,
  connection: RedisClient,
  processor: Processor,
  s: WorkerSettings,
): WorkerLike {
  return new deps.bullmq.Worker(name, processor as never, { connection, prefix, ...s }) as unknown as WorkerLike;
}

/** Closes BullMQ objects, but gives up after `ms` (close() waits on a connection that may be dead). */
export async function closeAll(objects: ({ close(): Promise<void> } | null)[], ms = 1000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(objects.map((o) => o?.close())),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}
