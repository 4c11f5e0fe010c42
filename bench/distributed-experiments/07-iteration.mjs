/**
 * (g) The latency floor of one distributed EM iteration on loopback, with the proposed data flow
 * (procs/estep-sim.mjs): the coordinator SETs the packed parameters once, adds a flow (merge parent + one E-step
 * child per shard, deterministic ids), waits for the parent (QueueEvents + poll), GETs the merged statistics.
 * E-steps do no maths (ms = 0) unless --ms is given, so this is the overhead. Shards 8 and 16, worker processes
 * 1, 2, 4 (concurrency 1 each), statistics of K=8,D=16 (18 kB/shard) and K=16,D=64 (540 kB/shard), full covariance.
 *   node bench/distributed-experiments/07-iteration.mjs [--iters 8] [--ms 0] [--workers 1,2,4] [--shards 8,16]
 */
import { FlowProducer, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { fmt, now, redis, report, startWorkerProcess, stats, stopWorkerProcess } from './lib.mjs';

const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const ITERS = Number(arg('--iters', 8));
const MS = Number(arg('--ms', 0));
const WORKERS = arg('--workers', '1,2,4').split(',').map(Number);
const SHARDS = arg('--shards', '8,16').split(',').map(Number);
/** Bytes of one shard's statistics, full covariance: nk, sx, sxx, centers (+ logLik, sumW). */
const statBytes = (k, d) => 8 * (k + k * d + k * d * d + k * d + 2);
const SIZES = [
  [8, 16],
  [16, 64],
];

const server = await redis.startRedis();
const connection = server.connection;
const r = new Redis(connection);

function waitFinished(q, qe, id) {
  return new Promise((resolve, reject) => {
    let poll;
    const done = (f) => (x) => {
      clearInterval(poll);
      qe.off('completed', onC);
      qe.off('failed', onF);
      f(x);
    };
    const ok = done(resolve),
      ko = done(reject);
    const onC = (e) => e.jobId === id && ok();
    const onF = (e) => e.jobId === id && ko(new Error(e.failedReason));
    qe.on('completed', onC);
    qe.on('failed', onF);
    poll = setInterval(
      () =>
        q.getJobState(id).then(
          (s) => (s === 'completed' ? ok() : s === 'failed' ? ko(new Error('failed')) : 0),
          () => {},
        ),
      1000,
    );
  });
}

const running = [];
try {
  for (const [K, D] of SIZES) {
    const bytes = statBytes(K, D);
    for (const nw of WORKERS) {
      const q = `g-${K}-${D}-${nw}`;
      const workers = await Promise.all(
        Array.from({ length: nw }, () =>
          startWorkerProcess({
            port: server.port,
            queue: q,
            mode: 'inline',
            processor: 'estep-sim.mjs',
            concurrency: 1,
          }),
        ),
      );
      running.push(...workers);
      const queue = new Queue(q, { connection });
      const qe = new QueueEvents(q, { connection });
      await qe.waitUntilReady();
      const flow = new FlowProducer({ connection });
      for (const N of SHARDS) {
        const per = [],
          addMs = [],
          getMs = [];
        for (let it = 0; it < ITERS + 2; it++) {
          const key = `gm-${q}-n${N}-i${it}`;
          const t0 = now();
          await r.set(`${key}:params`, Buffer.alloc(bytes, 1), 'PX', 600_000); // parameters ~ the same size as one shard's statistics
          const statsKeys = Array.from({ length: N }, (_, i) => `${key}:stats:${i}`);
          await flow.add({
            name: 'merge',
            queueName: q,
            opts: { jobId: key },
            data: { statsKeys, mergedKey: `${key}:merged`, bytes },
            children: statsKeys.map((statsKey, i) => ({
              name: 'estep',
              queueName: q,
              opts: { jobId: `${key}-s${i}`, failParentOnFailure: true, attempts: 3 },
              data: { paramsKey: `${key}:params`, statsKey, bytes, ms: MS, shard: i },
            })),
          });
          const t1 = now();
          await waitFinished(queue, qe, key);
          const t2 = now();
          const merged = await r.getBuffer(`${key}:merged`);
          if (merged.length !== bytes) throw new Error('merged statistics have the wrong size');
          const t3 = now();
          if (it >= 2) {
            per.push(t3 - t0);
            addMs.push(t1 - t0);
            getMs.push(t3 - t2);
          }
        }
        const s = stats(per);
        report(
          `(g) K=${K} D=${D} (${fmt(bytes / 1024, 1)} KiB/shard) ${N} shards, ${nw} worker process${nw > 1 ? 'es' : ''}${MS ? `, ${MS} ms E-steps` : ''}: ` +
            `iteration median ${fmt(s.median)} ms (p90 ${fmt(s.p90)}), coordinator: publish+add ${fmt(stats(addMs).median)} ms, read merged ${fmt(stats(getMs).median)} ms; ` +
            `bytes/iteration: params ${bytes} + stats ${N}×${bytes} = ${fmt((bytes * (N + 2)) / 1e6, 2)} MB through Redis`,
        );
      }
      await Promise.all(workers.map((w) => stopWorkerProcess(w)));
      await Promise.all([qe.close(), flow.close(), queue.close()]);
    }
  }
} finally {
  await Promise.all(running.map((w) => stopWorkerProcess(w, 3000)));
  r.disconnect();
  await server.stop();
}
