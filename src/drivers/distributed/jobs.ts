/**
 * The data of the two kinds of BullMQ jobs (small JSON: references and settings, never rows or statistics). A
 * worker refuses a job of another format version, so mixed gaussmix versions fail loudly instead of mis-computing.
 */
import type { BackendChoice } from '../../api/options.js';
import type { ShardCsvOptions } from './shard-reader.js';
import type { ShardRef } from './shards.js';
import type { ShardExpectation } from './thread-messages.js';

export const JOB_FORMAT = 1;

/** What a request asks of every shard. */
export type RequestKind = 'survey' | 'sample' | 'estep' | 'worst';

/** A per-shard job (queue 'estep'). */
export interface ShardJob {
  v: typeof JOB_FORMAT;
  kind: RequestKind;
  /** 0-based shard index and its reference. */
  shard: number;
  ref: ShardRef;
  csv: ShardCsvOptions;
  blockRows: number;
  /** Where the result goes, and where the last error goes. */
  resultKey: string;
  errorKey: string;
  /** Milliseconds: the worker stops an attempt that runs longer. */
  jobTimeout: number;
  /** Milliseconds the result keys live. */
  ttl: number;
  /** The survey's findings for this shard (null for the survey itself). */
  expect: ShardExpectation | null;
  /** survey: distinct rows to collect (the number of components). */
  k?: number;
  /** sample: rows to return (ascending, within the shard). */
  indices?: number[];
  /** estep, worst: packed parameters (key) and the request's fingerprint. */
  paramsKey?: string;
  hash?: number;
  hard?: boolean;
  count?: number;
  wScale?: number;
  backend?: BackendChoice;
}

/** A request's parent job (queue 'merge'): runs after every shard's job completed. */
export interface MergeJob {
  v: typeof JOB_FORMAT;
  kind: RequestKind;
  /** estep: the shards' statistics keys in shard order, merged into mergedKey; other kinds: nothing to do. */
  resultKeys: string[];
  mergedKey: string | null;
  hash: number;
  ttl: number;
}
