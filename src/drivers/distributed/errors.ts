/**
 * The distributed driver's typed errors (all GaussianMixtureErrors): a shard that could not be served, Redis that
 * cannot be reached, a checkpoint that belongs to another fit, a request that did not finish in time.
 */
import { GaussianMixtureError } from '../../api/errors.js';

/** A shard's job failed for good (its attempts used up, or an error retrying cannot fix); `cause` says why. */
export class ShardError extends GaussianMixtureError {
  declare readonly cause: Error;
  constructor(
    /** 0-based index of the shard in the list given to fitDistributed. */
    readonly shard: number,
    /** The shard as given (a path, a URL, or 'loader <module#export>'). */
    readonly source: string,
    /** Attempts made (BullMQ's attemptsMade). */
    readonly attempts: number,
    cause: Error,
  ) {
    super(
      `shard ${shard} (${source}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause.name === 'Error' ? '' : `${cause.name}: `}${cause.message}`,
    );
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  }
}

/** Redis could not be reached, stopped answering, or went away during a fit. `address` is host:port. */
export class RedisUnavailableError extends GaussianMixtureError {
  constructor(
    readonly address: string,
    message: string,
  ) {
    super(message);
  }
}

/** A checkpoint cannot be used: it belongs to another fit, is malformed, or is held by a running coordinator. */
export class CheckpointError extends GaussianMixtureError {
  constructor(
    readonly checkpoint: string,
    message: string,
  ) {
    super(message);
  }
}

/** A distributed request did not finish within its deadline; `shards` lists the unfinished ones. */
export class DistributedTimeoutError extends GaussianMixtureError {
  constructor(
    readonly shards: number[],
    message: string,
  ) {
    super(message);
  }
}
