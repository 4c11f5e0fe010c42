/**
 * Messages between a worker process's main thread (which talks to BullMQ and Redis) and its E-step threads (which
 * read shards and run the kernels). Structured-cloneable; shard rows cached by the process travel as
 * SharedArrayBuffers (shared, not copied), results as transferred ArrayBuffers.
 */
import type { BackendChoice } from '../../api/options.js';
import type { ErrorPayload } from '../workers/messages.js';
import type { ShardCsvOptions } from './shard-reader.js';
import type { ShardRef } from './shards.js';

/** A shard's rows held in shared memory by a worker process. */
export interface CachedShard {
  data: SharedArrayBuffer;
  /** Weights as given (null when no row had one). */
  w: SharedArrayBuffer | null;
  n: number;
  d: number;
  checksum: number;
}

/** What every later read of a shard must reproduce (the survey's findings). */
export interface ShardExpectation {
  n: number;
  d: number;
  checksum: number;
}

interface TaskBase {
  id: number;
  ref: ShardRef;
  csv: ShardCsvOptions;
  /** Rows per block: blocks fix the order of floating-point sums. */
  blockRows: number;
  cached: CachedShard | null;
  /** Keep the rows read (shared memory) if they take at most this many bytes; 0: do not keep them. */
  keepBytes: number;
  expect: ShardExpectation | null;
}

export type ThreadTask =
  | (TaskBase & { task: 'survey'; k: number })
  | (TaskBase & { task: 'sample'; indices: number[] })
  | (TaskBase & {
      task: 'estep';
      /** Packed parameters (pack.ts). */
      params: Uint8Array;
      hash: number;
      hard: boolean;
      wScale: number;
      backend: BackendChoice;
    })
  | (TaskBase & {
      task: 'worst';
      params: Uint8Array;
      hash: number;
      count: number;
      wScale: number;
      backend: BackendChoice;
    });

export type ThreadReply =
  | {
      id: number;
      ok: true;
      /** JSON-safe (survey) or packed bytes (the others). */
      value: unknown;
      /** The rows, when they were read and kept. */
      kept: CachedShard | null;
      /** The backend the kernels ran on ('estep', 'worst'). */
      backend: string | null;
    }
  | { id: number; ok: false; error: ErrorPayload };

/** A task before the pool numbers it. */
export type ThreadTaskInput = ThreadTask extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;
