/**
 * Smoke test of one BullMQ install on this Node: queue + in-process worker, a flow (parent + 3 children),
 * a sandboxed processor in a child process and in a worker thread. BULLMQ_FROM=<dir> picks the install to test
 * (default: this checkout's node_modules).
 *   node bench/distributed-experiments/00-smoke.mjs
 *   BULLMQ_FROM=/tmp/bq5 /opt/node24/.../node bench/distributed-experiments/00-smoke.mjs
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { here, redis, report, now } from './lib.mjs';

const from = process.env.BULLMQ_FROM ?? join(here, '..', '..');
const req = createRequire(join(from, 'package.json'));
const bullmqPath = req.resolve('bullmq');
const { Queue, Worker, FlowProducer, QueueEvents } = await import(pathToFileURL(bullmqPath).href);
const bullVersion = req('bullmq/package.json').version;
let ioredisVersion = 'none';
try {
  ioredisVersion = createRequire(bullmqPath)('ioredis/package.json').version;
} catch {}

const server = await redis.startRedis();
const connection = server.connection;
const out = [];
try {
  const t0 = now();
  const q = new Queue('smoke', { connection });
  const w = new Worker('smoke', async (job) => job.data.x * 2, { connection });
  const qe = new QueueEvents('smoke', { connection });
  await qe.waitUntilReady();
  const job = await q.add('double', { x: 21 });
  out.push(`in-process=${await job.waitUntilFinished(qe, 10000)}`);
  await w.close();

  const flow = new FlowProducer({ connection });
  const wf = new Worker('smoke', join(here, 'procs/echo.mjs'), { connection });
  const tree = await flow.add({
    name: 'parent',
    queueName: 'smoke',
    data: { op: 'merge' },
    children: [0, 1, 2].map((i) => ({ name: `c${i}`, queueName: 'smoke', data: { op: 'echo', v: i * 10 } })),
  });
  const r = await tree.job.waitUntilFinished(qe, 20000);
  out.push(`flow(fork)=${JSON.stringify(r.values)}`);
  await wf.close();

  const wt = new Worker('smoke', join(here, 'procs/echo.mjs'), { connection, useWorkerThreads: true });
  const j2 = await q.add('t', { op: 'echo', v: 'thread-ok' });
  out.push(`worker-thread=${await j2.waitUntilFinished(qe, 20000)}`);
  await wt.close();
  await Promise.all([q.close(), qe.close(), flow.close()]);
  report(`bullmq ${bullVersion} ioredis ${ioredisVersion}: OK ${out.join(' ')} (${(now() - t0).toFixed(0)} ms)`);
} catch (e) {
  report(`bullmq ${bullVersion} ioredis ${ioredisVersion}: FAIL ${out.join(' ')} ${e?.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await server.stop();
}
