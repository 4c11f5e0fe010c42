/**
 * A stand-in for the distributed E-step / merge with the proposed data flow, minus the maths:
 *   'estep' job { paramsKey, statsKey, bytes, ms }: GETs the published parameters (binary), "computes" for ms
 *     (CPU), SETs `bytes` of packed statistics under statsKey, returns { key, bytes } (a reference, not the data);
 *   'merge' job { statsKeys, mergedKey, bytes }: GETs the children's statistics in shard order (one pipeline),
 *     adds them as Float64Arrays in that order, SETs the sum under mergedKey, returns { key, bytes }.
 * Runs in the worker process (inline mode); Redis port from EXP_REDIS_PORT.
 */
import { Redis } from 'ioredis';

let r = null;
const client = () => (r ??= new Redis({ host: '127.0.0.1', port: Number(process.env.EXP_REDIS_PORT) }));
const TTL = 600_000;

export default async function (job) {
  const d = job.data;
  if (job.name === 'estep') {
    const params = await client().getBuffer(d.paramsKey);
    if (!params) throw new Error(`parameters ${d.paramsKey} missing`);
    const end = Date.now() + (d.ms ?? 0);
    let _x = 0;
    while (Date.now() < end) for (let i = 0; i < 1e4; i++) _x += Math.sqrt(i);
    const stats = new Float64Array(d.bytes / 8);
    for (let i = 0; i < stats.length; i++) stats[i] = (i % 97) * 0.5 + d.shard;
    await client().set(d.statsKey, Buffer.from(stats.buffer), 'PX', TTL);
    return { key: d.statsKey, bytes: d.bytes };
  }
  if (job.name === 'merge') {
    const p = client().pipeline();
    for (const k of d.statsKeys) p.getBuffer(k);
    const res = await p.exec();
    const sum = new Float64Array(d.bytes / 8);
    for (const [err, buf] of res) {
      if (err || !buf) throw new Error(`statistics missing: ${err?.message ?? 'key expired'}`);
      // ioredis hands out Buffers that may sit at any offset of a shared pool: a Float64Array view needs a
      // multiple of 8 ("start offset of Float64Array should be a multiple of 8"), so view in place only if aligned
      const a =
        buf.byteOffset % 8 === 0
          ? new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8)
          : new Float64Array(new Uint8Array(buf).buffer);
      for (let i = 0; i < sum.length; i++) sum[i] += a[i];
    }
    await client().set(d.mergedKey, Buffer.from(sum.buffer), 'PX', TTL);
    return { key: d.mergedKey, bytes: d.bytes };
  }
  throw new Error(`unknown job ${job.name}`);
}
