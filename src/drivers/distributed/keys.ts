/**
 * Names in Redis: the two BullMQ queues every fit and worker share, the keys of one fit's data (parameters,
 * per-shard results, merged statistics, errors), a checkpoint's keys, and job ids. BullMQ refuses job ids that
 * contain ':' or are integers, so ids are built from a fit id that has neither.
 */

/** The queue of per-shard jobs (survey, sample, E-step, worst rows). */
export const SHARD_QUEUE = 'estep';
/** The queue of the parent jobs that merge a request's per-shard results. */
export const MERGE_QUEUE = 'merge';
/** Default prefix of every key (BullMQ's `prefix` too). */
export const DEFAULT_PREFIX = 'gaussmix';

/** What a checkpoint name may hold: it becomes part of keys and job ids. */
export const CHECKPOINT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The keys and job ids of one fit. */
export class FitKeys {
  constructor(
    readonly prefix: string,
    /** No ':' and not an integer (see the module comment). */
    readonly fitId: string,
  ) {}

  private base(n: number): string {
    return `${this.prefix}:fit:${this.fitId}:r${n}`;
  }
  /** Packed parameters of request n (E-step, worst rows). */
  params(n: number): string {
    return `${this.base(n)}:params`;
  }
  /** Shard i's result for request n. */
  result(n: number, shard: number): string {
    return `${this.base(n)}:s${shard}`;
  }
  /** The merged statistics of request n. */
  merged(n: number): string {
    return `${this.base(n)}:merged`;
  }
  /** Shard i's last error for request n (errorToPayload JSON). */
  error(n: number, shard: number): string {
    return `${this.base(n)}:err${shard}`;
  }
  parentId(n: number): string {
    return `gm-${this.fitId}-r${n}`;
  }
  childId(n: number, shard: number): string {
    return `gm-${this.fitId}-r${n}-s${shard}`;
  }
}

/** The keys of a checkpoint. */
export class CheckpointKeys {
  constructor(
    readonly prefix: string,
    readonly name: string,
  ) {}
  private get base(): string {
    return `${this.prefix}:ckpt:${this.name}`;
  }
  /** JSON: which fit, how many replies are logged, the last iteration, the result once done. */
  get meta(): string {
    return `${this.base}:meta`;
  }
  /** The packed reply to request n. */
  reply(n: number): string {
    return `${this.base}:reply:${n}`;
  }
  /** The parameters of the last E-step (packed), updated every iteration. */
  get params(): string {
    return `${this.base}:params`;
  }
  /** Held by the coordinator running the fit. */
  get lock(): string {
    return `${this.base}:lock`;
  }
}
