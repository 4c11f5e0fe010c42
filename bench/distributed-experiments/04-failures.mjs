/**
 * (d) attempts/backoff and how a child's final failure reaches the parent and the coordinator:
 *   1. a flow of 4 children where child 2 always fails, attempts 3, fixed backoff 200 ms, failParentOnFailure:
 *      when does the parent fail, what does waitUntilFinished reject with, how to find the failing child and
 *      its own failedReason / attemptsMade / stacktrace;
 *   2. the same without failParentOnFailure: the parent stays waiting-children (the coordinator would hang);
 *   3. errors thrown in a forked sandbox: what survives (name, message, custom props); UnrecoverableError by name
 *      stops the attempts?
 *   4. exponential backoff timings (attempts 4, delay 100 ms).
 *   node bench/distributed-experiments/04-failures.mjs
 */
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { fmt, here, now, queueEvents, redis, report } from './lib.mjs';

const server = await redis.startRedis();
const connection = server.connection;
const r = new Redis(connection);
const proc = join(here, 'procs/echo.mjs');
const flowOf = (q, id, failing, childOpts) => ({
  name: 'merge',
  queueName: q,
  data: { op: 'echo', v: 'merged' },
  opts: { jobId: id },
  children: [0, 1, 2, 3].map((i) => ({
    name: 'estep',
    queueName: q,
    opts: { jobId: `${id}-shard-${i}`, ...childOpts },
    data: i === failing ? { op: 'fail', message: `cannot read shard ${i}: ENOENT` } : { op: 'echo', v: i },
  })),
});

try {
  for (const failParentOnFailure of [true, false]) {
    const q = `d1-${failParentOnFailure}`;
    const w = new Worker(q, proc, { connection, concurrency: 4 });
    const qe = new QueueEvents(q, { connection });
    await qe.waitUntilReady();
    const flow = new FlowProducer({ connection });
    const queue = new Queue(q, { connection });
    const t = now();
    const tree = await flow.add(
      flowOf(q, 'fit-k-iter-1', 2, { attempts: 3, backoff: { type: 'fixed', delay: 200 }, failParentOnFailure }),
    );
    let outcome;
    try {
      outcome = `resolved ${JSON.stringify(await tree.job.waitUntilFinished(qe, 5000))}`;
    } catch (e) {
      outcome = `rejected after ${fmt(now() - t, 0)} ms: "${e.message}"`;
    }
    const parent = await queue.getJob(tree.job.id);
    const child = await queue.getJob('fit-k-iter-1-shard-2');
    const deps = await parent.getDependenciesCount();
    report(
      `(d1) failParentOnFailure ${failParentOnFailure}: waitUntilFinished ${outcome}; parent ${await parent.getState()}` +
        ` (failedReason ${JSON.stringify(parent.failedReason ?? null)}), deps ${JSON.stringify(deps)};` +
        ` child ${await child.getState()} attemptsMade ${child.attemptsMade} failedReason "${child.failedReason}" stacktrace lines ${child.stacktrace.length}`,
    );
    const ev = (await queueEvents(r, q)).filter((e) => e.jobId?.endsWith('shard-2') || e.jobId === 'fit-k-iter-1');
    report(
      `(d1)   events: ${ev.map((e) => `${e.event}${e.jobId === 'fit-k-iter-1' ? '(parent)' : ''}@${e.t}`).join(' ')}`,
    );
    await Promise.all([w.close(), qe.close(), flow.close(), queue.close()]);
  }

  // 3. errors from a forked sandbox
  {
    const q = 'd3';
    const queue = new Queue(q, { connection });
    const w = new Worker(q, proc, { connection });
    const qe = new QueueEvents(q, { connection });
    await qe.waitUntilReady();
    for (const data of [
      { op: 'fail', message: 'shard 3 row 17: not a number', name: 'DataError', props: { row: 17, column: 2 } },
      { op: 'fail', message: 'no such loader export', name: 'UnrecoverableError' },
    ]) {
      const t = now();
      const job = await queue.add('x', data, { attempts: 3, backoff: { type: 'fixed', delay: 200 } });
      try {
        await job.waitUntilFinished(qe, 10000);
      } catch {}
      const j = await queue.getJob(job.id);
      report(
        `(d3) sandbox throws ${data.name}: attemptsMade ${j.attemptsMade}/3 after ${fmt(now() - t, 0)} ms, failedReason "${j.failedReason}", ` +
          `stacktrace[0] starts "${(j.stacktrace[0] ?? '').split('\n')[0]}"`,
      );
    }
    await Promise.all([w.close(), qe.close(), queue.close()]);
  }

  // 4. exponential backoff timings
  {
    const q = 'd4';
    const queue = new Queue(q, { connection });
    const w = new Worker(
      q,
      async () => {
        throw new Error('transient');
      },
      { connection },
    );
    const qe = new QueueEvents(q, { connection });
    await qe.waitUntilReady();
    const job = await queue.add('x', {}, { attempts: 4, backoff: { type: 'exponential', delay: 100 } });
    try {
      await job.waitUntilFinished(qe, 10000);
    } catch {}
    const ev = (await queueEvents(r, q)).filter((e) => ['active', 'failed', 'retries-exhausted'].includes(e.event));
    report(`(d4) exponential backoff 100 ms × 4 attempts: ${ev.map((e) => `${e.event}@${e.t}`).join(' ')}`);
    await Promise.all([w.close(), qe.close(), queue.close()]);
  }
} finally {
  r.disconnect();
  await server.stop();
}
