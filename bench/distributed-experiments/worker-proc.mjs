/**
 * A BullMQ worker in its own process, for the experiments that kill workers or run several of them.
 *   node worker-proc.mjs '{"port":6379,"queue":"q","mode":"fork","concurrency":1,"lockDuration":30000,...}'
 * mode: 'inline' (processor runs on this process's event loop), 'fork' (sandbox child process) or 'thread'
 * (sandbox worker thread); the processor is procs/echo.mjs (or opts.processor, a file in procs/).
 * Prints "ready <pid>" once connected; closes gracefully on SIGTERM.
 */
import { Worker } from 'bullmq';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// (not from lib.mjs: that would start an esbuild service process inside this worker's process group)
const here = dirname(fileURLToPath(import.meta.url));

const o = JSON.parse(process.argv[2]);
process.env.EXP_REDIS_PORT = String(o.port); // for processors that talk to Redis themselves (procs/estep-sim.mjs)
const file = join(here, 'procs', o.processor ?? 'echo.mjs');
const connection = { host: '127.0.0.1', port: o.port, ...(o.connection ?? {}) };
const processor =
  o.mode === 'inline'
    ? (await import(pathToFileURL(file).href)).default
    : o.mode === 'offload'
      ? (await import('./procs/offload.mjs')).makeOffloadProcessor(connection)
      : file;
const settings = {};
for (const k of ['concurrency', 'lockDuration', 'lockRenewTime', 'stalledInterval', 'maxStalledCount', 'drainDelay']) {
  if (o[k] !== undefined) settings[k] = o[k];
}
const worker = new Worker(o.queue, processor, {
  connection,
  useWorkerThreads: o.mode === 'thread',
  name: `w${process.pid}`, // stored on each job it takes as processedBy
  ...settings,
});
worker.on('error', (e) => console.error(`[worker ${process.pid} ${o.queue} ${o.mode}] error: ${e.message}`));
if (o.verbose) {
  worker.on('failed', (job, e) => console.error(`[worker ${process.pid}] failed ${job?.id}: ${e.message}`));
  worker.on('stalled', (id) => console.error(`[worker ${process.pid}] saw stalled ${id}`));
}
await worker.waitUntilReady();
console.log(`ready ${process.pid}`);
process.on('SIGTERM', async () => {
  await worker.close();
  await processor.close?.();
  process.exit(0);
});
