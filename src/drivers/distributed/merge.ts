/**
 * The parent job of an E-step request: the shards' statistics added in shard order — never in the order the jobs
 * happened to finish — so the merged statistics, and the fit, are the same whichever worker served which shard and
 * however often a job was retried.
 */
import { addStats, type SufficientStats } from '../../model/stats.js';
import { packStats, PackError, unpackStats } from './pack.js';

/** Adds packed per-shard statistics (in the given order) that answer the request with fingerprint `hash`. */
export function mergeStats(parts: readonly Uint8Array[], hash: number): Uint8Array {
  if (parts.length === 0) throw new PackError('nothing to merge');
  let total: SufficientStats | null = null;
  let kernels = 0;
  let centers: Float64Array | null = null;
  parts.forEach((bytes, i) => {
    const { stats, hash: h, backend: b } = unpackStats(bytes, (centers ??= placeholder(bytes)));
    if (h !== hash) throw new PackError(`the statistics of shard ${i} answer another request (stale data)`);
    if (total && (stats.k !== total.k || stats.d !== total.d || stats.sxxKind !== total.sxxKind)) {
      throw new PackError(`the statistics of shard ${i} have another shape than shard 0's`);
    }
    kernels |= b;
    total = total ? addStats(total, stats) : stats;
  });
  return packStats(total!, hash, kernels);
}

/** Centers are not packed (the coordinator has them); a merge needs only an array of the right length. */
function placeholder(bytes: Uint8Array): Float64Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 16));
  if (bytes.byteLength < 16) throw new PackError('truncated statistics');
  return new Float64Array(v.getUint32(8, true) * v.getUint32(12, true));
}
