/**
 * (b) Sandboxed processors vs in-process:
 *   1. overhead per job: 60 tiny jobs one after another (concurrency 1), processor inline / in a forked child
 *      process / in a worker thread; plus the first job (which starts the sandbox);
 *   2. large binary results: what a 1 MB Buffer returned by the processor becomes (type, stored bytes) in each
 *      mode, vs returning base64, vs the sandbox SETting the bytes under its own key and returning the key;
 *   Modes: inline (processor on the worker's event loop), fork / thread (BullMQ sandbox: processor file in a child
 *   process / worker thread), offload (inline processor that awaits its own worker_threads Worker; binary results
 *   come back transferred and are SET in Redis by the main thread — procs/offload.mjs).
 *   3. lock renewal while the processor is busy with CPU: lockDuration 2 s (renewed every 1 s), a 6 s CPU-bound
 *      job, a second worker process watching for stalls; is the job seen as stalled / run twice?
 *   node bench/distributed-experiments/02-sandbox.mjs [--part 1|2|3]
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fmt, here, now, queueEvents, redis, report, startWorkerProcess, stopWorkerProcess, stats } from './lib.mjs';

const part = process.argv.includes('--part') ? process.argv[process.argv.indexOf('--part') + 1] : 'all';
const file = join(here, 'procs/echo.mjs');
const inline = (await import(pathToFileURL(file).href)).default;
const server = await redis.startRedis();
const connection = server.connection;
const r = new Redis(connection);
const { makeOffloadProcessor } = await import('./procs/offload.mjs');
const offloads = [];
const modes = {
  inline: () => inline,
  fork: () => file,
  thread: () => file,
  offload: () => {
    const p = makeOffloadProcessor(connection);
    offloads.push(p);
    return p;
  },
};
const workerFor = (q, mode, extra = {}) =>
  new Worker(q, modes[mode](), { connection, useWorkerThreads: mode === 'thread', ...extra });

try {
  if (part === 'all' || part === '1') {
    for (const mode of Object.keys(modes)) {
      const q = `b1-${mode}`;
      const queue = new Queue(q, { connection });
      const qe = new QueueEvents(q, { connection });
      await qe.waitUntilReady();
      const w = workerFor(q, mode);
      await w.waitUntilReady();
      let t = now();
      await (await queue.add('j', { op: 'echo', v: 0 })).waitUntilFinished(qe, 20000);
      const first = now() - t;
      const per = [];
      for (let i = 0; i < 60; i++) {
        t = now();
        await (await queue.add('j', { op: 'echo', v: i })).waitUntilFinished(qe, 20000);
        per.push(now() - t);
      }
      const s = stats(per);
      report(
        `(b1) ${mode.padEnd(6)} first job ${fmt(first)} ms; then add→finished per job: median ${fmt(s.median, 2)} ms, p90 ${fmt(s.p90, 2)} ms`,
      );
      await Promise.all([w.close(), qe.close(), queue.close()]);
    }
  }

  if (part === 'all' || part === '2') {
    const n = 1 << 20;
    for (const mode of Object.keys(modes)) {
      const q = `b2-${mode}`;
      const queue = new Queue(q, { connection });
      const qe = new QueueEvents(q, { connection });
      await qe.waitUntilReady();
      const w = workerFor(q, mode);
      const rows = [];
      for (const as of ['buffer', 'base64', 'setkey']) {
        await (await queue.add('warm', { op: 'echo' })).waitUntilFinished(qe, 20000);
        const data =
          as === 'setkey' ? { op: 'setkey', n, key: `b2:${mode}:stats`, port: server.port } : { op: 'bytes', n, as };
        const t = now();
        const job = await queue.add('j', data);
        await job.waitUntilFinished(qe, 60000);
        const ms = now() - t;
        const stored = await r.hstrlen(`bull:${q}:${job.id}`, 'returnvalue');
        const back = (await Queue.prototype.getJob.call(queue, job.id)).returnvalue;
        const kind = Array.isArray(back)
          ? 'array'
          : back && typeof back === 'object'
            ? `object{${Object.keys(back).slice(0, 2)}}`
            : typeof back;
        rows.push(`${as}: ${fmt(ms)} ms, stored ${fmt(stored / n, 2)}× the bytes, comes back as ${kind}`);
      }
      report(`(b2) ${mode.padEnd(6)} 1 MiB result — ${rows.join('; ')}`);
      await Promise.all([w.close(), qe.close(), queue.close()]);
    }
  }

  if (part === 'all' || part === '3') {
    const lock = { lockDuration: 2000, stalledInterval: 1000, maxStalledCount: 1 };
    for (const mode of Object.keys(modes)) {
      const q = `b3-${mode}`;
      const queue = new Queue(q, { connection });
      // a watcher process (same settings) that runs the stalled checks and would take the job if it stalls
      const busy = await startWorkerProcess({ port: server.port, queue: q, mode, ...lock });
      const job = await queue.add('burn', { op: 'burn', ms: 6000, v: 'done' });
      // wait until the first worker has it, then start the watcher (so the first one surely owns the job)
      while ((await job.getState()) !== 'active') await new Promise((res) => setTimeout(res, 20));
      const watcher = await startWorkerProcess({ port: server.port, queue: q, mode, ...lock });
      const t = now();
      let state;
      while (!['completed', 'failed'].includes((state = await job.getState())) && now() - t < 30000)
        await new Promise((res) => setTimeout(res, 100));
      await new Promise((res) => setTimeout(res, 500));
      const ev = await queueEvents(r, q);
      const count = (e) => ev.filter((x) => x.event === e).length;
      const fresh = await queue.getJob(job.id);
      report(
        `(b3) ${mode.padEnd(6)} 6 s CPU job, lockDuration 2 s: final ${state} after ${fmt((now() - t) / 1000, 1)} s; ` +
          `events active×${count('active')} stalled×${count('stalled')} completed×${count('completed')} failed×${count('failed')}` +
          (fresh?.failedReason ? ` (failedReason: ${fresh.failedReason})` : ''),
      );
      await Promise.all([stopWorkerProcess(busy), stopWorkerProcess(watcher)]);
      await queue.close();
    }
  }
} finally {
  await Promise.all(offloads.map((p) => p.close()));
  r.disconnect();
  await server.stop();
}
